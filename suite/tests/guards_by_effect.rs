//! The guards of administration judged by effect on every answer (SPEC §7): one
//! regression test per class of self-grant that once passed them, each refused with
//! `not_permitted` and the policy left as it was. (The fifth class, seats for users who
//! may not sign in, is in `tests/admin_seats.rs`.)

// tests may unwrap and index: a panic is a failed test, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use permatrix::{
    ErrorCode, Policy, PolicyError,
    admin::{ProfileTemplate, TransferTarget},
    policy::{Merge, Picklist, PicklistValue, Scope},
};

/// Runs `change` and asserts it is refused as `not_permitted`, changing nothing; returns
/// the refusal.
fn refused(
    policy: &mut Policy,
    change: impl FnOnce(&mut Policy) -> Result<permatrix::AuditEvent, PolicyError>,
) -> PolicyError {
    let before = policy.to_json().unwrap();
    let err = change(policy).expect_err("the change should have been refused");
    assert_eq!(err.code(), ErrorCode::NotPermitted, "{err}");
    assert_eq!(
        policy.to_json().unwrap(),
        before,
        "a refusal changed the policy"
    );
    err
}

/// Class 1: waking dormant access. A calendar share to the actor on an inactive team's
/// calendar, or on a team that keeps no calendar, gives nothing until the team (or its
/// calendar) is switched on; switching it on is a grant to the actor.
#[test]
fn waking_a_dormant_calendar_share_is_a_self_grant() {
    let mut p = Policy::from_json(
        r#"{"version":1,
        "teams":{"admins":{"users":["root"],"admin":"admin"},
                 "board":{"users":["bo"],"active":false,"calendar":true},
                 "ops":{"users":["op"]}},
        "users":{"root":{},"su":{"admin":"superuser"},"bo":{},"op":{}},
        "calendar_shares":[{"owner":{"team":"board"},"to":{"user":"su"},"level":"details"},
                           {"owner":{"team":"ops"},"to":{"user":"su"},"level":"edit"}]}"#,
    )
    .unwrap();
    let err = refused(&mut p, |p| p.admin("su").activate_team("board"));
    assert!(
        err.message()
            .contains("calendar of team `board`: none -> details"),
        "{err}"
    );
    let err = refused(&mut p, |p| p.admin("su").set_team_calendar("ops", true));
    assert!(
        err.message()
            .contains("calendar of team `ops`: none -> edit"),
        "{err}"
    );
    // the same changes are an admin's to make, and nobody else is touched by them
    p.admin("root").activate_team("board").unwrap();
    p.admin("su")
        .update_team("ops", |t| t.name = Some("Operations".into()))
        .unwrap();
}

/// Class 2: a setting that is not admin-only (`merge`) raises the actor's own result
/// limit; and an actor whose data checks are bypassed is still held to the limit, which
/// the bypass does not settle.
#[test]
fn a_setting_that_raises_the_actors_result_limit_is_a_self_grant() {
    let doc = r#"{"version":1,"settings":{"merge":"subtractive"},
        "teams":{"admins":{"users":["root"],"admin":"admin"},
                 "a":{"users":["ca","su"],"result_limit":50},"b":{"users":["ca","su"],"result_limit":200}},
        "users":{"root":{},"ca":{"admin":"customer_admin"},"su":{"admin":"superuser"}}}"#;
    for actor in ["ca", "su"] {
        let mut p = Policy::from_json(doc).unwrap();
        let err = refused(&mut p, |p| {
            p.admin(actor)
                .update_settings(|s| s.merge = Merge::Additive)
        });
        assert!(
            err.message().contains("search-result limit: 50 -> 200"),
            "{actor}: {err}"
        );
    }
    // lowering their own limit is a superuser's to do; a customer admin is an
    // administrator, whose answers only an `admin` changes, their own included
    let limits = |members: &str| {
        format!(
            r#"{{"version":1,"settings":{{"merge":"additive"}},
            "teams":{{"admins":{{"users":["root"],"admin":"admin"}},
                     "a":{{"users":{members},"result_limit":50}},"b":{{"users":{members},"result_limit":200}}}},
            "users":{{"root":{{}},"ca":{{"admin":"customer_admin"}},"su":{{"admin":"superuser"}}}}}}"#
        )
    };
    let lower = |p: &mut Policy| {
        p.admin("su")
            .update_settings(|s| s.merge = Merge::Subtractive)
    };
    let mut only_su = Policy::from_json(&limits(r#"["su"]"#)).unwrap();
    lower(&mut only_su).unwrap();
    let mut both = Policy::from_json(&limits(r#"["ca","su"]"#)).unwrap();
    let err = refused(&mut both, lower);
    assert!(err.message().contains("administrator `ca`"), "{err}");
}

/// Class 3: unbinding a role-bound picklist hands `can_add_picklist_value` to the actor
/// (an administrator at `customer_admin` may add values to any open picklist).
#[test]
fn unbinding_a_picklist_that_the_actor_may_then_extend_is_a_self_grant() {
    let mut p = Policy::from_json(
        r#"{"version":1,
        "modules":{"deals":{"fields":{"stage":{"picklist":{"role_bound":true,"values":[{"value":"open"}]}}}}},
        "teams":{"admins":{"users":["root"],"admin":"admin"}},
        "users":{"root":{},"ca":{"admin":"customer_admin"}}}"#,
    )
    .unwrap();
    let open = Picklist {
        role_bound: false,
        values: vec![PicklistValue {
            value: "open".into(),
            roles: Vec::new(),
        }],
    };
    let err = refused(&mut p, |p| {
        p.admin("ca")
            .set_picklist("deals", "stage", Some(open.clone()))
    });
    assert!(
        err.message()
            .contains("may now add values to `deals.stage`"),
        "{err}"
    );
    p.admin("root")
        .set_picklist("deals", "stage", Some(open))
        .unwrap();
}

/// Class 4: with `admin_bypass` off, the profiles an administrator holds through a role
/// decide what they may do: a superuser or customer admin may neither edit, replace nor
/// delete them.
#[test]
fn without_bypass_an_administrators_profiles_are_an_admins_to_change() {
    let doc = r#"{"version":1,"settings":{"admin_bypass":false},
        "modules":{"deals":{}},
        "profiles":{"lead":{"modules":{"deals":{"access":"on","actions":{"view":"owner"}}}},
                    "staff":{"modules":{"deals":{"access":"on","actions":{"view":"all"}}}},
                    "other":{}},
        "roles":{"helper":{"profiles":["lead"]},"clerk":{"profiles":["staff"]}},
        "teams":{"admins":{"users":["root"],"admin":"admin"}},
        "users":{"root":{},"ca2":{"admin":"customer_admin","roles":["helper"]},
                 "ca":{"admin":"customer_admin"},"su":{"admin":"superuser"},"cy":{"roles":["clerk"]}}}"#;
    for actor in ["su", "ca"] {
        let mut p = Policy::from_json(doc).unwrap();
        let err = refused(&mut p, |p| {
            p.admin(actor).update_profile("lead", |pr| {
                pr.modules["deals"]
                    .actions
                    .insert(permatrix::Action::View, Scope::All);
            })
        });
        assert!(
            err.message().contains("administrator `ca2`"),
            "{actor}: {err}"
        );
        refused(&mut p, |p| {
            p.admin(actor)
                .delete_profile("lead", TransferTarget::profile("staff"))
        });
        refused(&mut p, |p| {
            p.admin(actor)
                .delete_profile("lead", TransferTarget::profile("other"))
        });
        // a profile no administrator holds stays theirs to change
        p.admin(actor)
            .update_profile("staff", |pr| pr.view_all = true)
            .unwrap();
        p.admin(actor)
            .add_profile("spare", ProfileTemplate::Empty)
            .unwrap();
    }
    // with the bypass on, the profile's cells answer nothing about ca2, and the change is
    // a lower administrator's to make
    let mut on =
        Policy::from_json(&doc.replace("\"admin_bypass\":false", "\"admin_bypass\":true")).unwrap();
    on.admin("su")
        .update_profile("lead", |pr| pr.view_all = true)
        .unwrap();
}
