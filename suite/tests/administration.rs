//! Administration (SPEC §7): every refusal leaves the policy exactly as it was, every
//! success validates and counts one revision, and the rules of the admin levels hold.

// tests may unwrap and index: a panic is a failed test, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::fuzzing;

use permatrix::{
    ErrorCode, Policy, PolicyError,
    admin::{ProfileTemplate, TransferTarget},
    policy::{AdminLevel, Module, Principal, ShareAccess, Sharing, SharingRule, Team, User},
};
use proptest::prelude::*;

/// 256 sequences, or `PERMATRIX_PROPTEST_CASES`.
fn cases() -> u32 {
    std::env::var("PERMATRIX_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

fn base() -> Policy {
    Policy::from_json(fuzzing::admin::BASE).unwrap()
}

/// Runs `change` and asserts it is refused with `code`, leaving the policy as it was.
fn refused(
    policy: &mut Policy,
    code: ErrorCode,
    change: impl FnOnce(&mut Policy) -> Result<permatrix::AuditEvent, PolicyError>,
) {
    let (before, revision) = (policy.to_json().unwrap(), policy.revision());
    let err = change(policy).expect_err("the change should have been refused");
    assert_eq!(err.code(), code, "{err}");
    assert_eq!(
        policy.to_json().unwrap(),
        before,
        "a refused change altered the policy"
    );
    assert_eq!(policy.revision(), revision);
}

#[test]
fn customer_admins_leave_administrators_alone() {
    let mut p = base();
    refused(&mut p, ErrorCode::NotPermitted, |p| {
        p.admin("ca").add_user(
            "boss2",
            User {
                admin: AdminLevel::Admin,
                ..User::default()
            },
        )
    });
    refused(&mut p, ErrorCode::NotPermitted, |p| {
        p.admin("ca").add_user(
            "ca2",
            User {
                admin: AdminLevel::CustomerAdmin,
                ..User::default()
            },
        )
    });
    refused(&mut p, ErrorCode::NotPermitted, |p| {
        p.admin("ca").deactivate_user("root")
    });
    refused(&mut p, ErrorCode::NotPermitted, |p| {
        p.admin("ca").rename_user("root", "The Boss")
    });
    refused(&mut p, ErrorCode::NotPermitted, |p| {
        p.admin("ca").add_team_member("admins", "rita")
    });
    refused(&mut p, ErrorCode::NotPermitted, |p| {
        p.admin("ca").add_team_member("cas", "rita")
    });
    refused(&mut p, ErrorCode::NotPermitted, |p| {
        p.admin("ca")
            .set_user_admin("rita", AdminLevel::CustomerAdmin)
    });
    refused(&mut p, ErrorCode::NotPermitted, |p| {
        p.admin("su")
            .set_user_admin("rita", AdminLevel::CustomerAdmin)
    });
    refused(&mut p, ErrorCode::NotPermitted, |p| {
        p.admin("ca").add_team(
            "root_club",
            Team {
                admin: AdminLevel::Admin,
                ..Team::default()
            },
        )
    });
    refused(&mut p, ErrorCode::NotPermitted, |p| {
        p.admin("ca").copy_team("admins", "admins2")
    });
    // ...but they administer everyone else
    p.admin("ca").add_user("neu", User::default()).unwrap();
    p.admin("ca")
        .set_user_admin("rita", AdminLevel::Superuser)
        .unwrap();
    p.admin("ca").add_team_member("north", "neu").unwrap();
}

#[test]
fn areas_are_checked_per_level() {
    let mut p = base();
    refused(&mut p, ErrorCode::NotPermitted, |p| {
        p.admin("su").add_module("quotes", Module::default())
    });
    refused(&mut p, ErrorCode::NotPermitted, |p| {
        p.admin("su")
            .set_module_sharing("leads", Sharing::PublicRead)
    });
    refused(&mut p, ErrorCode::NotPermitted, |p| {
        p.admin("rita").add_user("x", User::default())
    });
    refused(&mut p, ErrorCode::NotPermitted, |p| {
        p.admin("nobody").add_user("x", User::default())
    });
    refused(&mut p, ErrorCode::NotPermitted, |p| {
        p.admin("ina").add_user("x", User::default())
    });
    p.admin("su").add_user("x", User::default()).unwrap();
    p.admin("ca")
        .add_module("quotes", Module::default())
        .unwrap();
    let mut q = base();
    q.admin_as_host()
        .update_settings(|s| {
            s.admin_areas
                .customer_admin_denied
                .push("module_manager".into())
        })
        .unwrap();
    refused(&mut q, ErrorCode::NotPermitted, |p| {
        p.admin("ca").add_module("quotes", Module::default())
    });
}

#[test]
fn the_last_admin_stays() {
    let mut p = base();
    refused(&mut p, ErrorCode::LastAdminTeam, |p| {
        p.admin("root")
            .deactivate_team("admins", TransferTarget::User("rita".into()))
    });
    refused(&mut p, ErrorCode::LastAdminTeam, |p| {
        p.admin("root")
            .delete_team("admins", TransferTarget::User("rita".into()))
    });
    refused(&mut p, ErrorCode::LastAdmin, |p| {
        p.admin("root").remove_team_member("admins", "root")
    });
    refused(&mut p, ErrorCode::LastAdmin, |p| {
        p.admin("root").deactivate_user("root")
    });
    refused(&mut p, ErrorCode::LastAdminTeam, |p| {
        p.admin("root").update_team("admins", |t| t.active = false)
    });
    refused(&mut p, ErrorCode::Immutable, |p| {
        p.admin("root")
            .update_team("north", |t| t.admin = AdminLevel::Admin)
    });
    refused(&mut p, ErrorCode::Immutable, |p| {
        p.admin("root").set_team_admin("cas", AdminLevel::None)
    });
    // a second admin makes the first removable
    p.admin("root")
        .set_user_admin("rita", AdminLevel::Admin)
        .unwrap();
    p.admin("rita")
        .remove_team_member("admins", "root")
        .unwrap();
}

#[test]
fn seats_and_deletion() {
    let mut p = base();
    // 5 billable users are active (root, ca, su, rita, ralf); one seat is left
    p.admin("root").activate_user("ina").unwrap();
    p.admin("root").add_user("late", User::default()).unwrap();
    refused(&mut p, ErrorCode::LicenseLimit, |p| {
        p.admin("root").activate_user("late")
    });
    refused(&mut p, ErrorCode::LicenseLimit, |p| {
        p.admin("root")
            .update_user("late", |u| u.status = permatrix::policy::Status::Active)
    });
    p.admin("root").activate_user("ext").unwrap(); // external: not billable
    p.admin("root").deactivate_user("ralf").unwrap(); // frees a seat
    p.admin("root").activate_user("late").unwrap();

    refused(&mut p, ErrorCode::InvalidTransfer, |p| {
        p.admin("root")
            .delete_user("rita", TransferTarget::user("rita"))
    });
    refused(&mut p, ErrorCode::InvalidTransfer, |p| {
        p.admin("root")
            .delete_user("rita", TransferTarget::user("ralf"))
    }); // inactive
    refused(&mut p, ErrorCode::InvalidTransfer, |p| {
        p.admin("root")
            .delete_user("rita", TransferTarget::user("ghost"))
    });
    refused(&mut p, ErrorCode::UnknownReference, |p| {
        p.admin("root")
            .delete_user("ghost", TransferTarget::user("root"))
    });
    let event = p
        .admin("root")
        .delete_user("rita", TransferTarget::user("root"))
        .unwrap();
    assert_eq!(event.transfer, Some(TransferTarget::User("root".into())));
    assert!(!p.teams["north"].users.contains(&"rita".to_string()));

    let mut q = base();
    q.admin_as_host()
        .update_settings(|s| s.user_deletion = permatrix::policy::UserDeletion::Forbidden)
        .unwrap();
    refused(&mut q, ErrorCode::UserDeletionForbidden, |p| {
        p.admin("root")
            .delete_user("rita", TransferTarget::user("root"))
    });
}

#[test]
fn roles_profiles_teams_modules() {
    let mut p = base();
    refused(&mut p, ErrorCode::RoleCycle, |p| {
        p.admin("root").move_role("boss", Some("rep"))
    });
    refused(&mut p, ErrorCode::InvalidTransfer, |p| {
        p.admin("root")
            .delete_role("boss", TransferTarget::role("rep"))
    });
    refused(&mut p, ErrorCode::InvalidTransfer, |p| {
        p.admin("root")
            .delete_role("boss", TransferTarget::role("boss"))
    });
    refused(&mut p, ErrorCode::RoleWithoutProfile, |p| {
        p.admin("root").add_role("empty", None, &[])
    });
    refused(&mut p, ErrorCode::DuplicateKey, |p| {
        p.admin("root").add_role("rep", None, &["staff"])
    });
    refused(&mut p, ErrorCode::UnknownReference, |p| {
        p.admin("root").add_role("x", Some("ghost"), &["staff"])
    });
    refused(&mut p, ErrorCode::InvalidTransfer, |p| {
        p.admin("root")
            .delete_profile("staff", TransferTarget::profile("staff"))
    });
    refused(&mut p, ErrorCode::SharingLocked, |p| {
        p.admin("root")
            .set_module_sharing("calendar", Sharing::PublicRead)
    });
    refused(&mut p, ErrorCode::DuplicateKey, |p| {
        p.admin("root").add_module("leads", Module::default())
    });
    refused(&mut p, ErrorCode::DuplicateKey, |p| {
        p.admin("root").copy_team("north", "admins")
    });
    refused(&mut p, ErrorCode::InvalidTransfer, |p| {
        p.admin("root")
            .delete_team("north", TransferTarget::Team("north".into()))
    });

    p.admin("root")
        .add_role("intern", Some("rep"), &["staff"])
        .unwrap();
    p.admin("root")
        .delete_role("rep", TransferTarget::role("boss"))
        .unwrap();
    assert_eq!(p.roles["intern"].parent.as_deref(), Some("boss"));
    assert_eq!(p.teams["north"].role.as_deref(), Some("boss"));
    assert_eq!(p.users["rita"].roles, vec!["boss".to_string()]);

    p.admin("root")
        .add_profile("everything", ProfileTemplate::AllowAll)
        .unwrap();
    p.admin("root")
        .update_team("north", |t| t.ceiling = Some("everything".into()))
        .unwrap();
    p.admin("root")
        .delete_profile("everything", TransferTarget::profile("staff"))
        .unwrap();
    assert_eq!(p.teams["north"].ceiling.as_deref(), Some("staff"));

    let event = p.admin("root").copy_team("north", "north_copy").unwrap();
    assert_eq!(event.operation, "team.copy");
    assert_eq!(p.teams["north_copy"].name.as_deref(), Some("north - Copy"));
    assert_eq!(p.teams["north_copy"].users, p.teams["north"].users);

    p.admin("root")
        .add_sharing_rule(SharingRule {
            module: "leads".into(),
            from: Principal::Team("north".into()),
            to: Principal::User("su".into()),
            access: ShareAccess::Read,
        })
        .unwrap();
    let event = p
        .admin("root")
        .delete_team("north", TransferTarget::Team("north_copy".into()))
        .unwrap();
    assert!(
        p.sharing_rules.is_empty(),
        "a rule naming a deleted team goes with it"
    );
    assert!(
        event.left_without_team.is_empty(),
        "north_copy keeps them in a team"
    );

    p.admin("root")
        .add_module(
            "quotes",
            Module {
                tools: ["pdf".to_string()].into_iter().collect(),
                ..Module::default()
            },
        )
        .unwrap();
    assert!(p.profiles["auto"].modules["quotes"].tools["pdf"]);
    assert!(!p.profiles["staff"].modules.contains_key("quotes"));
    assert!(p.compile().is_ok());
}

#[test]
fn audit_events_count_revisions_and_show_before_and_after() {
    let mut p = base();
    let e1 = p.admin("root").rename_user("rita", "Rita R.").unwrap();
    let e2 = p.admin("ca").deactivate_user("ralf").unwrap();
    assert_eq!((e1.revision, e2.revision, p.revision()), (1, 2, 2));
    assert_eq!(e1.before.as_ref().unwrap()["roles"][0], "rep");
    assert_eq!(e1.after.as_ref().unwrap()["display_name"], "Rita R.");
    assert_eq!(e2.actor.as_deref(), Some("ca"));
    assert_eq!(e2.after.as_ref().unwrap()["status"], "inactive");
    let stored: serde_json::Value = serde_json::to_value(&e2).unwrap();
    assert_eq!(stored["operation"], "user.deactivate");
    assert!(e2.summary().starts_with("r2 ca user.deactivate users.ralf"));
    // the revision is not part of the document
    assert_eq!(Policy::from_json(&p.to_json().unwrap()).unwrap(), p);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    /// SPEC §7 after every step of random sequences of every kind of change (the `admin`
    /// fuzz target runs the same steps for longer): refusals change nothing, actors below
    /// `admin` gain nothing and change nothing about administrators, by effect on every
    /// answer; the diff names every answer that changed; an active admin remains.
    #[test]
    fn refused_changes_change_nothing(tape in prop::collection::vec(any::<u32>(), 40..800)) {
        let mut policy = Policy::from_json(fuzzing::admin::SEQUENCES).unwrap();
        let mut t = common::generate::Tape { data: &tape, pos: 0 };
        while t.pos < tape.len() {
            fuzzing::admin::step(&mut policy, &mut t).map_err(TestCaseError::fail)?;
        }
    }
}

#[test]
fn a_new_tool_is_enabled_in_every_auto_allow_profile() {
    let mut p = Policy::from_json(
        r#"{"version":1,"modules":{"m":{}},
          "profiles":{"listed":{"auto_allow_new_modules":true,"modules":{"m":{"access":"on"}}},
                      "unlisted":{"auto_allow_new_modules":true},
                      "plain":{"modules":{"m":{"access":"on"}}}}}"#,
    )
    .unwrap();
    p.admin_as_host().add_tool("m", "pdf_export").unwrap();
    assert!(p.profiles["listed"].modules["m"].tools["pdf_export"]);
    assert!(p.profiles["unlisted"].modules["m"].tools["pdf_export"]);
    assert!(
        !p.profiles["plain"].modules["m"]
            .tools
            .contains_key("pdf_export")
    );
    p.admin_as_host()
        .add_module("n", Module::default())
        .unwrap();
    assert!(p.compile().is_ok());
}

/// Every deletion names its heir with one type; an heir of the wrong kind is refused with
/// `invalid_transfer`, and nothing changes.
#[test]
fn an_heir_of_the_wrong_kind_is_refused() {
    let mut p = Policy::from_json(
        r#"{"version":1,"profiles":{"p":{},"q":{}},
        "roles":{"boss":{"profiles":["p"]},"rep":{"parent":"boss","profiles":["p","q"]}},
        "users":{"root":{"admin":"admin"},"ann":{"roles":["rep"]},"bo":{}}}"#,
    )
    .unwrap();
    let before = p.clone();
    let err = p
        .admin("root")
        .delete_role("rep", TransferTarget::user("bo"))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidTransfer);
    assert_eq!(
        err.message(),
        "this takes a role to transfer to, not the user `bo`"
    );
    for (result, wanted) in [
        (
            p.admin("root")
                .delete_profile("q", TransferTarget::role("boss")),
            "profile",
        ),
        (
            p.admin("root")
                .delete_user("ann", TransferTarget::team("boss")),
            "user",
        ),
    ] {
        let err = result.unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidTransfer);
        assert!(
            err.message().contains(&format!("takes a {wanted}")),
            "{err}"
        );
    }
    assert_eq!(p, before);
    p.admin("root")
        .delete_role("rep", TransferTarget::role("boss"))
        .unwrap();
    assert_eq!(p.users["ann"].roles, vec!["boss".to_string()]);
}
