//! SPEC §7, "Guards on actors below `admin`": settings that bound administrators, users at
//! or above `customer_admin`, and no self-grant. Each refusal is `not_permitted` and leaves
//! the policy byte for byte as it was; each test names the finding of issue 7 it closes.

// tests may unwrap and index: a panic is a failed test, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use permatrix::{
    Action, ErrorCode, Policy, PolicyError,
    admin::TransferTarget,
    policy::{
        Access, AdminLevel, ExternalAccess, Principal, Scope, ShareAccess, SharingRule, Status,
        UserDeletion,
    },
};

const BASE: &str = r#"{
  "version": 1,
  "settings": { "login_requires_active_team": true },
  "modules": { "deals": { "fields": { "amount": {} } } },
  "profiles": {
    "rep":  { "modules": { "deals": { "access": "on",
              "actions": { "view": "role", "list": "role", "edit": "owner" },
              "fields": { "amount": "read_only" } } } },
    "boss": { "modules": { "deals": { "access": "on",
              "actions": { "view": "all", "list": "all", "edit": "all" } } } }
  },
  "roles": {
    "lead":  { "profiles": ["rep"] },
    "rep":   { "parent": "lead", "profiles": ["rep"] },
    "other": { "profiles": ["rep"] },
    "chief": { "profiles": ["boss"] }
  },
  "teams": {
    "admins": { "users": ["root"], "admin": "admin" },
    "cas":    { "users": ["ca"], "admin": "customer_admin" },
    "board":  { "users": ["root", "ca2"], "factors": ["totp"] },
    "sales":  { "users": ["su", "ann"] },
    "field":  { "users": ["bob", "cy"] }
  },
  "users": {
    "root": {},
    "ca":   {},
    "ca2":  { "admin": "customer_admin" },
    "su":   { "admin": "superuser", "roles": ["lead"] },
    "ann":  { "roles": ["rep"] },
    "bob":  { "roles": ["other"] },
    "cy":   { "roles": ["other"] }
  }
}"#;

fn base() -> Policy {
    Policy::from_json(BASE).unwrap()
}

fn refused(
    policy: &mut Policy,
    change: impl FnOnce(&mut Policy) -> Result<permatrix::AuditEvent, PolicyError>,
) -> PolicyError {
    let (before, revision) = (policy.to_json().unwrap(), policy.revision());
    let err = change(policy).expect_err("the change should have been refused");
    assert_eq!(err.code(), ErrorCode::NotPermitted, "{err}");
    assert_eq!(
        policy.to_json().unwrap(),
        before,
        "a refused change altered the policy"
    );
    assert_eq!(policy.revision(), revision);
    err
}

/// Finding 1: `update_settings` checked only the `settings` area.
#[test]
fn only_an_admin_changes_the_settings_that_bound_administrators() {
    let mut p = base();
    for actor in ["su", "ca", "ca2"] {
        let err = refused(&mut p, |p| {
            p.admin(actor)
                .update_settings(|s| s.admin_areas.superuser_denied.clear())
        });
        assert_eq!(err.path(), "settings.admin_areas");
        refused(&mut p, |p| {
            p.admin(actor)
                .update_settings(|s| s.admin_areas.customer_admin_denied.clear())
        });
        // locking a customer admin out of every area is as much a change of the bounds
        refused(&mut p, |p| {
            p.admin(actor).update_settings(|s| {
                s.admin_areas.customer_admin_denied = vec!["users".into(), "teams".into()]
            })
        });
        refused(&mut p, |p| {
            p.admin(actor).update_settings(|s| s.licenses = Some(1))
        });
        refused(&mut p, |p| {
            p.admin(actor)
                .update_settings(|s| s.system_factors = vec!["totp".into()])
        });
        refused(&mut p, |p| {
            p.admin(actor).update_settings(|s| s.admin_bypass = false)
        });
        refused(&mut p, |p| {
            p.admin(actor)
                .update_settings(|s| s.max_admin_sessions = Some(1))
        });
        refused(&mut p, |p| {
            p.admin(actor)
                .update_settings(|s| s.login_requires_active_team = false)
        });
        refused(&mut p, |p| {
            p.admin(actor)
                .update_settings(|s| s.external_access = ExternalAccess::AsGranted)
        });
        refused(&mut p, |p| {
            p.admin(actor)
                .update_settings(|s| s.user_deletion = UserDeletion::Forbidden)
        });
    }
    // still out of the areas the default lists deny them
    refused(&mut p, |p| {
        p.admin("su")
            .add_module("quotes", permatrix::policy::Module::default())
    });
    // the other settings stay theirs, and an admin changes all of them
    p.admin("su")
        .update_settings(|s| {
            s.team_inheritance
                .push(permatrix::policy::TeamInheritance::Assignee)
        })
        .unwrap();
    p.admin("root")
        .update_settings(|s| {
            s.admin_areas.superuser_denied.clear();
            s.licenses = Some(40);
            s.system_factors = vec!["totp".into()];
            s.admin_bypass = false;
        })
        .unwrap();
}

/// Finding 2: changes around administrators that left their records alone.
#[test]
fn nothing_touches_what_an_administrator_is_belongs_to_or_presents() {
    let mut p = base();
    // root (admin) into a team that confers no level
    refused(&mut p, |p| p.admin("su").add_team_member("field", "root"));
    refused(&mut p, |p| p.admin("ca").add_team_member("field", "root"));
    // a customer admin out of a team: drops their sign-in factor
    refused(&mut p, |p| p.admin("su").remove_team_member("board", "ca2"));
    // a team with administrators among its members: active state, factors, nesting
    let err = refused(&mut p, |p| {
        p.admin("su")
            .deactivate_team("board", TransferTarget::User("root".into()))
    });
    assert_eq!(err.path(), "users.ca2", "{err}"); // ca2 could no longer sign in
    refused(&mut p, |p| {
        p.admin("su").update_team("board", |t| t.factors.clear())
    });
    refused(&mut p, |p| {
        p.admin("su")
            .update_team("field", |t| t.teams.push("board".into()))
    });
    refused(&mut p, |p| {
        p.admin("su")
            .update_team("board", |t| t.role = Some("chief".into()))
    });
    refused(&mut p, |p| {
        p.admin("su").delete_team(
            "board",
            permatrix::admin::TransferTarget::Team("field".into()),
        )
    });
    // their record, even where it only adds a role
    refused(&mut p, |p| {
        p.admin("ca")
            .update_user("ca2", |u| u.roles.push("other".into()))
    });
    refused(&mut p, |p| p.admin("su").copy_team("board", "board2"));
    // their other members, and the team's name, stay the lower admins' to change
    p.admin("ca").add_team_member("board", "bob").unwrap();
    p.admin("ca")
        .update_team("board", |t| t.name = Some("Board".into()))
        .unwrap();
    p.admin("ca").remove_team_member("board", "bob").unwrap();
    // and an admin does all of it
    p.admin("root").add_team_member("field", "root").unwrap();
    p.admin("root")
        .deactivate_team("board", TransferTarget::User("root".into()))
        .unwrap();
}

/// Finding 4: a superuser "subject to data checks" gave themselves other users' data.
#[test]
fn no_administrator_below_admin_grants_themselves_anything() {
    let mut p = base();
    // their own record
    refused(&mut p, |p| {
        p.admin("su").update_user("su", |u| {
            let mut o = permatrix::policy::Override::default();
            o.actions.insert(Action::View, Scope::All);
            u.overrides.insert("deals".into(), o);
        })
    });
    refused(&mut p, |p| {
        p.admin("su")
            .update_user("su", |u| u.roles.push("chief".into()))
    });
    refused(&mut p, |p| {
        p.admin("su")
            .update_user("su", |u| u.factors.push("sms".into()))
    });
    refused(&mut p, |p| p.admin("su").add_team_member("field", "su"));
    // the profiles and roles they hold, directly or as the default role
    refused(&mut p, |p| {
        p.admin("su").update_profile("rep", |pr| pr.view_all = true)
    });
    refused(&mut p, |p| {
        p.admin("su").update_profile("rep", |pr| {
            pr.modules.get_mut("deals").unwrap().fields.clear()
        })
    });
    refused(&mut p, |p| {
        p.admin("su")
            .delete_role("lead", TransferTarget::role("chief"))
    });
    refused(&mut p, |p| {
        p.admin("su")
            .delete_profile("rep", TransferTarget::profile("boss"))
    });
    refused(&mut p, |p| {
        p.admin("su")
            .update_settings(|s| s.default_role = Some("chief".into()))
    });
    // a team they belong to
    refused(&mut p, |p| p.admin("su").add_team_member("sales", "bob"));
    refused(&mut p, |p| {
        p.admin("su")
            .update_team("sales", |t| t.role = Some("chief".into()))
    });
    // sharing rules to them, their team or their role, added or taken away
    for to in [
        Principal::User("su".into()),
        Principal::Team("sales".into()),
        Principal::Role("lead".into()),
        Principal::RoleAndSubordinates("lead".into()),
    ] {
        refused(&mut p, |p| {
            p.admin("su").add_sharing_rule(SharingRule {
                module: "deals".into(),
                from: Principal::Team("field".into()),
                to,
                access: ShareAccess::Full,
            })
        });
    }
    // by effect: more subordinates, more users sharing their role, more rule sources
    let err = refused(&mut p, |p| p.admin("su").move_role("other", Some("lead")));
    assert!(err.message().contains("subordinates"), "{err}");
    let err = refused(&mut p, |p| {
        p.admin("su")
            .update_user("bob", |u| u.roles.push("lead".into()))
    });
    assert!(err.message().contains("share a direct role"), "{err}");
    // what does not reach them stays theirs to change
    p.admin("su")
        .update_profile("boss", |pr| pr.view_all = true)
        .unwrap();
    p.admin("su")
        .add_sharing_rule(SharingRule {
            module: "deals".into(),
            from: Principal::User("bob".into()),
            to: Principal::User("cy".into()),
            access: ShareAccess::Read,
        })
        .unwrap();
    p.admin("su")
        .update_user("bob", |u| u.roles.push("chief".into()))
        .unwrap();
    p.admin("su").rename_user("su", "Sue").unwrap();
    // a rule from a principal that then grows reaches them by effect
    p.admin("root")
        .add_sharing_rule(SharingRule {
            module: "deals".into(),
            from: Principal::Role("chief".into()),
            to: Principal::User("su".into()),
            access: ShareAccess::Read,
        })
        .unwrap();
    let err = refused(&mut p, |p| {
        p.admin("su")
            .update_user("cy", |u| u.roles.push("chief".into()))
    });
    assert!(err.message().contains("sharing rule"), "{err}");
    // an admin may grant the superuser whatever they like
    p.admin("root")
        .update_user("su", |u| u.roles.push("chief".into()))
        .unwrap();
    let auth = p.compile().unwrap();
    let (su, deals) = (auth.user("su").unwrap(), auth.module("deals").unwrap());
    assert_eq!(auth.module_access(su, deals), Ok(Access::On));
    assert_eq!(auth.user_active(su), Ok(true));
    assert_eq!(p.users["su"].status, Status::Active);
    assert_eq!(p.users["su"].admin, AdminLevel::Superuser);
}

/// The rules on the actor's own items hold even where the change gives them nothing yet:
/// a membership of an inactive team, a sharing rule from a source nobody is in, a
/// calendar share below what they see already. And what is theirs to do stays allowed:
/// switching themselves off, or lowering their own level.
#[test]
fn the_actors_own_items_are_theirs_to_lose_only() {
    let mut p = base();
    p.admin("root")
        .add_team(
            "dormant",
            permatrix::policy::Team {
                active: false,
                ..permatrix::policy::Team::default()
            },
        )
        .unwrap();
    let err = refused(&mut p, |p| p.admin("su").add_team_member("dormant", "su"));
    assert!(err.message().contains("team memberships"), "{err}");
    // a rule from a team with no members gives nothing today, and is still a rule to them
    p.admin("root")
        .add_team("empty", permatrix::policy::Team::default())
        .unwrap();
    let err = refused(&mut p, |p| {
        p.admin("su").add_sharing_rule(SharingRule {
            module: "deals".into(),
            from: Principal::Team("empty".into()),
            to: Principal::User("su".into()),
            access: ShareAccess::Read,
        })
    });
    assert!(err.message().contains("sharing rule"), "{err}");
    let err = refused(&mut p, |p| {
        p.admin("su")
            .add_calendar_share(permatrix::policy::CalendarShare {
                owner: permatrix::policy::CalendarOwner::User("su".into()),
                to: Principal::User("su".into()),
                level: permatrix::policy::CalendarLevel::Busy,
            })
    });
    assert!(err.message().contains("calendar share"), "{err}");
    // what is theirs to do
    p.admin("su")
        .set_user_admin("su", AdminLevel::None)
        .unwrap();
    let mut q = base();
    q.admin("su").deactivate_user("su").unwrap();
    assert_eq!(q.users["su"].status, Status::Inactive);
}
