//! Ids people read (SPEC §2): ids that an administrator could not tell apart are refused
//! wherever an id enters a policy — the document, and every administration operation that
//! names a new one (invites, copies, new teams, roles, profiles and modules) — and a list
//! that names an id twice is `duplicate_key`. The hostile documents under
//! `tests/hostile/` (058–064) hold the same cases as files.

// tests may unwrap and index: a panic is a failed test, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use permatrix::{
    ErrorCode, Policy,
    admin::ProfileTemplate,
    policy::{Module, Team, User},
};

fn base() -> Policy {
    Policy::from_json(
        r#"{"version":1,"modules":{"deals":{}},"profiles":{"p":{}},
        "roles":{"rep":{"profiles":["p"]}},"teams":{"north":{"users":["bob"]}},
        "users":{"root":{"admin":"admin"},"bob":{"roles":["rep"]}}}"#,
    )
    .unwrap()
}

/// Runs `change` as the admin `root` on a fresh base policy: the refusal's code and path,
/// and the policy unchanged.
fn refused(
    change: impl FnOnce(&mut Policy) -> Result<permatrix::AuditEvent, permatrix::PolicyError>,
) -> (ErrorCode, String) {
    let mut p = base();
    let before = p.to_json().unwrap();
    let err = change(&mut p).expect_err("the change should be refused");
    assert_eq!(
        p.to_json().unwrap(),
        before,
        "a refused change altered the policy"
    );
    (err.code(), err.path().to_string())
}

#[test]
fn documents_refuse_ids_that_look_alike() {
    let cases = [
        (
            r#"{"version":1,"users":{"Bob":{},"bob":{}}}"#,
            "ambiguous_id",
            "users.bob",
        ),
        (
            r#"{"version":1,"users":{"root":{},"r\u043eot":{}}}"#,
            "ambiguous_id",
            "users.r\u{43e}ot",
        ),
        (
            r#"{"version":1,"teams":{"jos\u00e9":{},"jose\u0301":{}}}"#,
            "ambiguous_id",
            "teams.jose\u{301}",
        ),
        (
            r#"{"version":1,"modules":{"deals":{},"DEALS":{}}}"#,
            "ambiguous_id",
            "modules.DEALS",
        ),
        (
            r#"{"version":1,"users":{"ro\u200bot":{}}}"#,
            "malformed",
            "users.ro\\u{200b}ot",
        ),
        (
            r#"{"version":1,"users":{"\u202eadmin":{}}}"#,
            "malformed",
            "users.\\u{202e}admin",
        ),
        (
            r#"{"version":1,"modules":{"m":{"fields":{"Name":{},"name":{}}}}}"#,
            "ambiguous_id",
            "modules.m.fields.name",
        ),
        (
            r#"{"version":1,"profiles":{"p":{}},"roles":{"r":{"profiles":["p"]}},"users":{"a":{"roles":["r","r"]}}}"#,
            "duplicate_key",
            "users.a.roles[1]",
        ),
        (
            r#"{"version":1,"users":{"a":{}},"teams":{"t":{"users":["a","a"]}}}"#,
            "duplicate_key",
            "teams.t.users[1]",
        ),
        (
            r#"{"version":1,"teams":{"t":{},"u":{"teams":["t","t"]}}}"#,
            "duplicate_key",
            "teams.u.teams[1]",
        ),
    ];
    for (doc, code, path) in cases {
        let err = Policy::from_json(doc)
            .and_then(|p| p.compile().map(drop))
            .expect_err(doc);
        assert_eq!(
            (err.code().as_str(), err.path()),
            (code, path),
            "{doc}: {err}"
        );
    }
    // the same two users under different ids that do not look alike are fine
    Policy::from_json(r#"{"version":1,"users":{"bob":{},"bobby":{},"b0b1":{}}}"#)
        .unwrap()
        .compile()
        .unwrap();
}

#[test]
fn administration_refuses_ids_that_look_alike() {
    assert_eq!(
        refused(|p| p.admin("root").add_user("Bob", User::default())),
        (ErrorCode::AmbiguousId, "users.Bob".into())
    );
    assert_eq!(
        refused(|p| p.admin("root").add_user("r\u{43e}ot", User::default())),
        (ErrorCode::AmbiguousId, "users.r\u{43e}ot".into())
    );
    assert_eq!(
        refused(|p| p.admin("root").copy_user("bob", "BOB", None)),
        (ErrorCode::AmbiguousId, "users.BOB".into())
    );
    assert_eq!(
        refused(|p| p.admin("root").add_user("b\u{200d}ob2", User::default())),
        (ErrorCode::Malformed, "users.b\\u{200d}ob2".into())
    );
    assert_eq!(
        refused(|p| p.admin("root").add_team("North", Team::default())),
        (ErrorCode::AmbiguousId, "teams.North".into())
    );
    assert_eq!(
        refused(|p| p.admin("root").copy_team("north", "n\u{43e}rth")),
        (ErrorCode::AmbiguousId, "teams.n\u{43e}rth".into())
    );
    assert_eq!(
        refused(|p| p.admin("root").add_role("REP", None, &["p"])),
        (ErrorCode::AmbiguousId, "roles.REP".into())
    );
    assert_eq!(
        refused(|p| p.admin("root").add_profile("P", ProfileTemplate::Empty)),
        (ErrorCode::AmbiguousId, "profiles.P".into())
    );
    assert_eq!(
        refused(|p| p.admin("root").copy_profile("p", "\u{440}")),
        (ErrorCode::AmbiguousId, "profiles.\u{440}".into())
    );
    assert_eq!(
        refused(|p| p.admin("root").add_module("Deals", Module::default())),
        (ErrorCode::AmbiguousId, "modules.Deals".into())
    );
    // a list that names an id twice, through the catch-all edits
    assert_eq!(
        refused(|p| p
            .admin("root")
            .update_team("north", |t| t.users.push("bob".into()))),
        (ErrorCode::DuplicateKey, "teams.north.users[1]".into())
    );
    assert_eq!(
        refused(|p| p
            .admin("root")
            .update_user("bob", |u| u.roles.push("rep".into()))),
        (ErrorCode::DuplicateKey, "users.bob.roles[1]".into())
    );
}
