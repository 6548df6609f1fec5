//! The diff's reasons, one by one: for each fact a decision reads (teams, subordinates,
//! role mates, sharing rules, share principals, a module's owners and hierarchy), a change
//! to it is reported with that reason, in the modules and actions whose cells read it,
//! in its direction — and nowhere else. `tests/diff_promise.rs` holds the diff to every
//! answer on random policies; this file holds each reason to its exact words.

// tests may unwrap and index: a panic is a failed test, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use permatrix::diff::{Direction, Membership, Reason};
use permatrix::{
    Action, Policy, diff,
    explain::{Change, PolicyDiff},
};

mod common;
use common::by_name::ByName;

const BASE: &str = r#"{
  "version": 1,
  "modules": { "deals": {}, "notes": {} },
  "profiles": {
    "rep": { "modules": { "deals": { "access": "on",
             "actions": { "view": "role", "list": "team", "edit": "owner" } },
             "notes": { "access": "on", "actions": { "view": "owner" } } } },
    "mgr": { "modules": { "deals": { "access": "on", "actions": { "view": "owner", "delete": "owner" } } } }
  },
  "roles": { "manager": { "profiles": ["mgr"] }, "rep": { "parent": "manager", "profiles": ["rep"] },
             "solo": { "profiles": ["rep"] } },
  "teams": { "north": { "users": ["ann"] }, "south": { "users": ["ben"] } },
  "users": { "root": { "admin": "admin" }, "mia": { "roles": ["manager"] },
             "ann": { "roles": ["rep"] }, "ben": { "roles": ["rep"] }, "cy": {} }
}"#;

fn base() -> Policy {
    Policy::from_json(BASE).unwrap()
}

fn preview(edit: impl FnOnce(&mut Policy)) -> PolicyDiff {
    let before = base();
    let mut after = before.clone();
    edit(&mut after);
    diff(&before.compile().unwrap(), &after.compile().unwrap())
}

/// The reach changes of `user`, as (reason, module, gained, lost).
fn reach(d: &PolicyDiff, user: &str) -> Vec<(Reason, String, Vec<Action>, Vec<Action>)> {
    let Some(u) = d.user(user) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for c in &u.changes {
        if let Change::Reach { reason, modules } = c {
            for m in modules {
                out.push((
                    reason.clone(),
                    m.module.clone(),
                    m.gained.clone(),
                    m.lost.clone(),
                ));
            }
        }
    }
    out
}

fn names(list: &[String]) -> Vec<&str> {
    list.iter().map(String::as_str).collect()
}

#[test]
fn a_new_role_mate_widens_the_role_scope_only() {
    let d = preview(|p| p.users["cy"].roles.push("rep".into()));
    let ann = reach(&d, "ann");
    let mates = ann
        .iter()
        .find(|(r, ..)| matches!(r, Reason::RoleMates { .. }))
        .expect("ann's role mates");
    let Reason::RoleMates { gained, lost } = &mates.0 else {
        unreachable!()
    };
    assert_eq!((names(gained), names(lost)), (vec!["cy"], vec![]));
    // only the action with a role scope reads role mates
    assert_eq!(
        (mates.1.as_str(), &mates.2[..], &mates.3[..]),
        ("deals", &[Action::View][..], &[][..])
    );
    assert_eq!(
        d.decisions("ann", "deals", Action::View),
        Some(Direction::Gain)
    );
    assert_eq!(d.decisions("ann", "deals", Action::List), None);
    assert_eq!(d.decisions("ann", "notes", Action::View), None);
    // and a role nobody shares changes nobody's mates
    let d = preview(|p| p.users["cy"].roles.push("solo".into()));
    assert!(
        reach(&d, "ann").is_empty() && reach(&d, "ben").is_empty(),
        "{d}"
    );
    // losing one
    let d = preview(|p| p.users["ben"].roles.clear());
    let Some((Reason::RoleMates { gained, lost }, ..)) = reach(&d, "ann").into_iter().next() else {
        panic!("{d}")
    };
    assert_eq!((names(&gained), names(&lost)), (vec![], vec!["ben"]));
    assert_eq!(
        d.decisions("ann", "deals", Action::View),
        Some(Direction::Loss)
    );
}

#[test]
fn subordinates_follow_the_hierarchy() {
    // a new rep is mia's subordinate
    let d = preview(|p| p.users["cy"].roles.push("rep".into()));
    let mia = reach(&d, "mia");
    let Some((Reason::Subordinates { gained, lost }, module, actions, none)) = mia.first() else {
        panic!("{d}")
    };
    assert_eq!((names(gained), names(lost)), (vec!["cy"], vec![]));
    assert_eq!(
        (module.as_str(), &actions[..], none.len()),
        ("deals", &[Action::View, Action::Delete][..], 0)
    );
    // the hierarchy cut: every subordinate lost
    let d = preview(|p| p.roles["rep"].parent = None);
    let Some((Reason::Subordinates { gained, lost }, ..)) = reach(&d, "mia").into_iter().next()
    else {
        panic!("{d}")
    };
    assert_eq!((names(&gained), names(&lost)), (vec![], vec!["ann", "ben"]));
    assert_eq!(
        d.decisions("mia", "deals", Action::Delete),
        Some(Direction::Loss)
    );
    // the module's hierarchy switched off: the same records, for another reason
    let d = preview(|p| p.modules["deals"].hierarchy = false);
    let mia = reach(&d, "mia");
    assert!(
        matches!(mia.first(), Some((Reason::ModuleHierarchy { before: true, after: false }, m, g, l)) if m == "deals" && g.is_empty() && l == &[Action::View, Action::Delete]),
        "{d}"
    );
    // a user with no subordinate loses nothing by it
    assert!(reach(&d, "ann").is_empty(), "{d}");
}

#[test]
fn teams_and_what_they_open() {
    let d = preview(|p| p.teams["north"].users.push("ben".into()));
    let ben = d.user("ben").expect("ben's changes");
    assert!(ben.changes.iter().any(|c| matches!(c,
        Change::Teams { joined, left } if left.is_empty() && joined.len() == 1
            && joined[0].team == "north" && joined[0].how == Membership::Listed)));
    let reasons = reach(&d, "ben");
    let teams = reasons
        .iter()
        .find(
            |(r, ..)| matches!(r, Reason::Teams { joined, .. } if joined == &["north".to_string()]),
        )
        .expect("the team's records");
    // every record-level action that reads records: team-owned records and linked ones
    assert_eq!(teams.2, [Action::View, Action::List, Action::Edit]);
    assert!(reasons.iter().any(|(r, ..)| matches!(r,
        Reason::SharePrincipals { gained, lost } if lost.is_empty()
            && gained == &[permatrix::policy::Principal::Team("north".into())])));
    // a team switched off: its members leave it
    let d = preview(|p| p.teams["north"].active = false);
    let ann = d.user("ann").expect("ann's changes");
    assert!(ann.changes.iter().any(|c| matches!(c,
        Change::Teams { left, .. } if left.len() == 1 && left[0].how == Membership::TeamActivity)));
    assert_eq!(
        d.decisions("ann", "deals", Action::List),
        Some(Direction::Loss)
    );
    assert_eq!(d.decisions("ben", "deals", Action::List), None);
}

#[test]
fn sharing_rules_name_the_owners_they_share() {
    let rule = permatrix::policy::SharingRule {
        module: "deals".into(),
        from: permatrix::policy::Principal::Team("north".into()),
        to: permatrix::policy::Principal::User("ben".into()),
        access: permatrix::policy::ShareAccess::ReadWrite,
    };
    let d = preview(|p| p.sharing_rules.push(rule.clone()));
    let ben = reach(&d, "ben");
    let Some((Reason::SharingRules { gained, lost }, module, actions, none)) = ben.first() else {
        panic!("{d}")
    };
    assert_eq!(
        (names(gained), names(lost)),
        (vec!["user ann", "team north"], vec![])
    );
    // read_write reaches edit, not delete
    assert_eq!(
        (module.as_str(), &actions[..], none.len()),
        ("deals", &[Action::View, Action::List, Action::Edit][..], 0)
    );
    assert!(reach(&d, "ann").is_empty(), "the rule is not to ann: {d}");
    // the rule's source grows: cy's records are shared too
    let mut with_rule = base();
    with_rule.sharing_rules.push(rule);
    let mut grown = with_rule.clone();
    grown.teams["north"].users.push("cy".into());
    let d = diff(&with_rule.compile().unwrap(), &grown.compile().unwrap());
    let Some((Reason::SharingRules { gained, .. }, ..)) = reach(&d, "ben").into_iter().next()
    else {
        panic!("{d}")
    };
    assert_eq!(names(&gained), vec!["user cy"]);
}

#[test]
fn a_module_without_owners_opens_every_record() {
    let d = preview(|p| p.modules["notes"].owned = false);
    let ann = reach(&d, "ann");
    assert!(
        matches!(ann.first(), Some((Reason::ModuleOwned { before: true, after: false }, m, g, l))
            if m == "notes" && g == &[Action::View] && l.is_empty()),
        "{d}"
    );
    assert_eq!(
        d.decisions("ann", "notes", Action::View),
        Some(Direction::Gain)
    );
    // and back
    let mut open = base();
    open.modules["notes"].owned = false;
    let d = diff(&open.compile().unwrap(), &base().compile().unwrap());
    assert_eq!(
        d.decisions("ann", "notes", Action::View),
        Some(Direction::Loss)
    );
}

#[test]
fn nothing_changes_nothing() {
    let d = preview(|p| p.users["cy"].display_name = Some("Cy".into()));
    assert!(d.is_empty(), "{d}");
    let d = preview(|_| {});
    assert!(d.is_empty(), "{d}");
}

#[test]
fn an_external_user_is_capped_to_reading() {
    // ann becomes external: her write cells fall to none, her reads stay
    let d = preview(|p| p.users["ann"].kind = permatrix::policy::UserKind::External);
    let ann = d.user("ann").expect("ann's changes");
    assert!(ann.changes.iter().any(|c| matches!(c,
        Change::Cell { module, action: Action::Edit, after, .. } if module == "deals" && after.is_none())), "{d}");
    assert_eq!(d.decisions("ann", "deals", Action::View), None);
    // and the setting that caps them, switched off, gives the writes back
    let mut external = base();
    external.users["ann"].kind = permatrix::policy::UserKind::External;
    let mut granted = external.clone();
    granted.settings.external_access = permatrix::policy::ExternalAccess::AsGranted;
    let d = diff(&external.compile().unwrap(), &granted.compile().unwrap());
    assert_eq!(
        d.decisions("ann", "deals", Action::Edit),
        Some(Direction::Gain),
        "{d}"
    );
    assert!(d.user("ben").is_none(), "{d}");
}

/// A user who gains the bypass is told so once: the calendars the bypass opens are part of
/// that item, not listed one by one, even one already shared with them.
#[test]
fn a_bypass_is_one_item_for_calendars_too() {
    let mut before = base();
    before.teams.get_mut("north").unwrap().calendar = true;
    before
        .calendar_shares
        .push(permatrix::policy::CalendarShare {
            owner: permatrix::policy::CalendarOwner::User("ann".into()),
            to: permatrix::policy::Principal::User("cy".into()),
            level: permatrix::policy::CalendarLevel::Busy,
        });
    let mut after = before.clone();
    after.users.get_mut("cy").unwrap().admin = permatrix::policy::AdminLevel::Admin;
    // and a role at the same time: the cells it brings are settled by the bypass too
    after.users.get_mut("cy").unwrap().roles.push("rep".into());
    let (old, new) = (before.compile().unwrap(), after.compile().unwrap());
    let anns = permatrix::Owner::User(old.user("ann").unwrap());
    assert_ne!(
        old.calendar_access(old.user("cy").unwrap(), anns),
        new.calendar_access(
            new.user("cy").unwrap(),
            permatrix::Owner::User(new.user("ann").unwrap())
        ),
        "the bypass opens ann's calendar further"
    );
    let d = diff(&old, &new);
    let cy = d.user("cy").expect("cy changes");
    assert!(
        cy.changes.iter().any(|c| matches!(
            c,
            Change::Bypass {
                before: false,
                after: true
            }
        )),
        "{:?}",
        cy.changes
    );
    assert!(
        !cy.changes
            .iter()
            .any(|c| matches!(c, Change::Calendar { .. })),
        "{:?}",
        cy.changes
    );
    // nor the cells and access it opens
    assert!(
        !cy.changes
            .iter()
            .any(|c| matches!(c, Change::Cell { .. } | Change::Access { .. })),
        "{:?}",
        cy.changes
    );
}

#[test]
fn a_diff_with_only_new_users_is_not_empty() {
    let old = Policy::from_json(r#"{"version":1,"users":{"a":{}}}"#).unwrap();
    let new = Policy::from_json(
        r#"{"version":1,"users":{"a":{},"root":{"admin":"admin"},"idle":{"status":"invited"}}}"#,
    )
    .unwrap();
    let d = diff(&old.compile().unwrap(), &new.compile().unwrap());
    assert_eq!(d.added.users, vec!["root".to_string(), "idle".to_string()]);
    assert!(!d.is_empty());
    assert!(d.len() >= 2, "{d:?}");
    // what the new administrator gains is listed, not only their name
    let root = d.user("root").expect("root's changes");
    assert!(
        root.changes
            .iter()
            .any(|c| c.is_gain() && c.to_string().contains("bypasses data checks"))
    );
    // and the other way round
    let back = diff(&new.compile().unwrap(), &old.compile().unwrap());
    assert_eq!(back.removed.users.len(), 2);
    assert!(back.len() >= 2);
}

#[test]
fn removing_a_granted_module_shows_in_the_diff() {
    let old = Policy::from_json(
        r#"{"version":1,"modules":{"deals":{"tools":["pdf"]},"leads":{}},
          "profiles":{"p":{"modules":{"deals":{"access":"on","actions":{"view":"all"},"tools":{"pdf":true}}}}},
          "roles":{"r":{"profiles":["p"]}},"users":{"a":{"roles":["r"]}}}"#,
    )
    .unwrap();
    let mut new = old.clone();
    new.modules.shift_remove("deals");
    new.profiles["p"].modules.shift_remove("deals");
    let d = diff(&old.compile().unwrap(), &new.compile().unwrap());
    let text = d.to_string();
    assert!(text.contains("- access to `deals`: on -> off"), "{text}");
    assert!(text.contains("- view on `deals`: all -> none"), "{text}");
    assert!(
        text.contains("- tool `pdf` of `deals`: on -> off"),
        "{text}"
    );
    assert_eq!(d.removed.modules, ["deals"]);
}

/// Reach items speak only where both sides decide record by record: a module without
/// owners opens every record whatever the teams or rules, and a cell from `none` is the
/// cell item's to report.
#[test]
fn no_reach_where_records_are_not_told_apart() {
    let mut open = base();
    open.modules["deals"].owned = false;
    let mut changed = open.clone();
    changed.teams["south"].users.push("ann".into());
    changed.sharing_rules.push(permatrix::policy::SharingRule {
        module: "deals".into(),
        from: permatrix::policy::Principal::Team("north".into()),
        to: permatrix::policy::Principal::User("ben".into()),
        access: permatrix::policy::ShareAccess::ReadWrite,
    });
    let d = diff(&open.compile().unwrap(), &changed.compile().unwrap());
    for user in ["ann", "ben"] {
        assert!(
            reach(&d, user).iter().all(|(_, m, ..)| m != "deals"),
            "{user}: {d}"
        );
    }
    // a user with no cells gains a role and a team: cells, not reach
    let mut before = base();
    before
        .users
        .insert("dee".into(), permatrix::policy::User::default());
    let mut after = before.clone();
    after.users["dee"].roles.push("rep".into());
    after.teams["north"].users.push("dee".into());
    let d = diff(&before.compile().unwrap(), &after.compile().unwrap());
    assert!(d.user("dee").is_some(), "{d}");
    assert!(reach(&d, "dee").is_empty(), "{d}");
}

/// A rule lowered from read-write to read loses edit and nothing else: view and list are
/// still reached, so they are neither gained nor lost.
#[test]
fn a_lowered_rule_loses_only_what_it_no_longer_reaches() {
    let rule = |access| permatrix::policy::SharingRule {
        module: "deals".into(),
        from: permatrix::policy::Principal::Team("north".into()),
        to: permatrix::policy::Principal::User("ben".into()),
        access,
    };
    // and a rule from cy that stays as it is: cy is named by neither list
    let unchanged = permatrix::policy::SharingRule {
        module: "deals".into(),
        from: permatrix::policy::Principal::User("cy".into()),
        to: permatrix::policy::Principal::User("ben".into()),
        access: permatrix::policy::ShareAccess::ReadWrite,
    };
    let mut before = base();
    before
        .sharing_rules
        .push(rule(permatrix::policy::ShareAccess::ReadWrite));
    before.sharing_rules.push(unchanged.clone());
    let mut after = base();
    after
        .sharing_rules
        .push(rule(permatrix::policy::ShareAccess::Read));
    after.sharing_rules.push(unchanged);
    let d = diff(&before.compile().unwrap(), &after.compile().unwrap());
    let ben = reach(&d, "ben");
    assert_eq!(ben.len(), 1, "{d}");
    let (reason, module, gained, lost) = &ben[0];
    let Reason::SharingRules {
        gained: owners_gained,
        lost: owners_lost,
    } = reason
    else {
        panic!("{d}")
    };
    assert_eq!(
        (names(owners_gained), names(owners_lost)),
        (vec![], vec!["user ann", "team north"]),
        "{d}"
    );
    assert_eq!(
        (module.as_str(), gained.as_slice(), lost.as_slice()),
        ("deals", &[][..], &[Action::Edit][..]),
        "{d}"
    );
}

/// A cell that becomes `all` is the cell item's to report: a team joined at the same time
/// adds no reach for that action.
#[test]
fn a_cell_to_all_is_no_reach() {
    let d = preview(|p| {
        p.profiles["rep"].modules["deals"]
            .actions
            .insert(Action::List, permatrix::policy::Scope::All);
        p.teams["south"].users.push("ann".into());
    });
    let ann = reach(&d, "ann");
    assert!(
        ann.iter().all(|(_, m, g, l)| m != "deals"
            || !(g.contains(&Action::List) || l.contains(&Action::List))),
        "{d}"
    );
}

/// Settings that every row is built from: a change of `merge` or `external_access` reaches
/// the cells of those it concerns, even though no profile, role or module changed.
#[test]
fn settings_that_build_rows_reach_the_cells() {
    let mut two_roles = base();
    two_roles.users["mia"].roles.push("rep".into());
    let mut subtractive = two_roles.clone();
    subtractive.settings.merge = permatrix::policy::Merge::Subtractive;
    let d = diff(
        &two_roles.compile().unwrap(),
        &subtractive.compile().unwrap(),
    );
    assert_eq!(
        d.decisions("mia", "deals", Action::View),
        Some(Direction::Loss),
        "{d}"
    );

    let mut external = base();
    external.users["ann"].kind = permatrix::policy::UserKind::External;
    let mut as_granted = external.clone();
    as_granted.settings.external_access = permatrix::policy::ExternalAccess::AsGranted;
    let d = diff(&external.compile().unwrap(), &as_granted.compile().unwrap());
    assert_eq!(
        d.decisions("ann", "deals", Action::Edit),
        Some(Direction::Gain),
        "{d}"
    );
}

/// A user's own override, or a role swapped for another of the same count, changes the
/// cells even though every grant is as it was: the rows are compared, not skipped.
#[test]
fn overrides_and_swapped_roles_reach_the_cells() {
    let d = preview(|p| {
        let mut o = permatrix::policy::Override::default();
        o.actions
            .insert(Action::Edit, permatrix::policy::Scope::All);
        p.users["ann"].overrides.insert("deals".into(), o);
    });
    assert_eq!(
        d.decisions("ann", "deals", Action::Edit),
        Some(Direction::Gain),
        "{d}"
    );
    // each answer is named once
    let edits = d.user("ann").map_or(0, |u| {
        u.changes
            .iter()
            .filter(|c| matches!(c, Change::Cell { module, action: Action::Edit, .. } if module == "deals"))
            .count()
    });
    assert_eq!(edits, 1, "{d}");
    let d = preview(|p| p.users["ann"].roles = vec!["manager".into()]);
    assert_eq!(
        d.decisions("ann", "deals", Action::Delete),
        Some(Direction::Gain),
        "{d}"
    );
    assert_eq!(
        d.decisions("ann", "deals", Action::Edit),
        Some(Direction::Loss),
        "{d}"
    );
}

/// An administration area a customer_admin loses through the settings is reported as
/// such, and a module removed is the diff's removed item, not a layout-editor answer.
#[test]
fn admin_areas_are_answers_too() {
    let mut before = base();
    before.users["cy"].admin = permatrix::policy::AdminLevel::CustomerAdmin;
    let mut after = before.clone();
    after
        .settings
        .admin_areas
        .customer_admin_denied
        .push("users".into());
    after.modules.shift_remove("notes");
    for profile in after.profiles.values_mut() {
        profile.modules.shift_remove("notes");
    }
    let d = diff(&before.compile().unwrap(), &after.compile().unwrap());
    let cy = d.user("cy").expect("cy changes");
    assert!(
        cy.changes.iter().any(|c| matches!(c,
            Change::AdminArea { area, module: None, before: true, after: false } if area == "users")),
        "{d}"
    );
    assert!(
        !cy.changes.iter().any(|c| matches!(c,
            Change::AdminArea { module: Some(m), .. } if m == "notes")),
        "{d}"
    );
}

/// A picklist declared on one side only is the diff's added (or removed) item: adding
/// values to it is no answer that changed for anyone.
#[test]
fn a_new_picklist_is_an_added_item_not_a_user_answer() {
    let doc = |plain: &str| {
        format!(
            r#"{{"version":1,
            "modules":{{"deals":{{"tools":["create_picklist_values"],"fields":{{
                "source":{{"picklist":{{"values":[{{"value":"web"}}]}}}},
                "plain":{plain}}}}}}},
            "profiles":{{"tools":{{"modules":{{"deals":{{"access":"on","tools":{{"create_picklist_values":true}}}}}}}}}},
            "roles":{{"clerk":{{"profiles":["tools"]}}}},
            "users":{{"clerk":{{"roles":["clerk"]}}}}}}"#
        )
    };
    let before = Policy::from_json(&doc("{}")).unwrap().compile().unwrap();
    let after = Policy::from_json(&doc(r#"{"picklist":{"values":[{"value":"a"}]}}"#))
        .unwrap()
        .compile()
        .unwrap();
    let deals = after.module("deals").unwrap();
    assert!(after.can_add_named(after.user("clerk").unwrap(), deals, "plain"));
    let d = diff(&before, &after);
    let none = d.user("clerk").is_none_or(|u| {
        !u.changes
            .iter()
            .any(|c| matches!(c, Change::AddPicklistValue { field, .. } if field == "plain"))
    });
    assert!(none, "{d}");
}
