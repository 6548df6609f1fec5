//! Host keys: the document's `key` on users, teams and modules, look-ups by key, their
//! uniqueness, and who may set them.

// tests may unwrap and index: a panic is a failed test, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use permatrix::{
    ErrorCode, HostKey, Policy,
    policy::{AdminLevel, User},
};

const DOC: &str = r#"{"version":1,
  "modules":{"deals":{"key":"deal"},"notes":{}},
  "teams":{"north":{"key":7,"users":["ann"]},"south":{"key":"s-1"}},
  "users":{"root":{"admin":"admin","key":1},"su":{"admin":"superuser","key":2},
           "ann":{"key":1003},"bob":{}}}"#;

#[test]
fn keys_are_read_looked_up_and_written_back() {
    let policy = Policy::from_json(DOC).unwrap();
    let auth = policy.compile().unwrap();
    let ann = auth.user("ann").unwrap();
    assert_eq!(auth.user_by_key(&HostKey::from(1003)), Some(ann));
    assert_eq!(auth.user_key(ann), Ok(Some(&HostKey::Integer(1003))));
    assert_eq!(auth.user_key(auth.user("bob").unwrap()), Ok(None));
    assert_eq!(auth.team_by_key(&7.into()), auth.team("north"));
    assert_eq!(auth.team_by_key(&"s-1".into()), auth.team("south"));
    assert_eq!(auth.module_by_key(&"deal".into()), auth.module("deals"));
    assert_eq!(auth.module_key(auth.module("notes").unwrap()), Ok(None));
    // an integer and its decimal text are different keys
    assert_eq!(auth.user_by_key(&"1003".into()), None);
    let again = Policy::from_json(&policy.to_json().unwrap()).unwrap();
    assert_eq!(again.users["ann"].key, Some(HostKey::Integer(1003)));
    assert_eq!(again.teams["south"].key, Some(HostKey::from("s-1")));
}

#[test]
fn keys_are_unique_within_a_section() {
    let twice = r#"{"version":1,"users":{"a":{"key":5},"b":{"key":5}}}"#;
    let err = Policy::from_json(twice).unwrap().validate().unwrap_err();
    assert_eq!(err.code(), ErrorCode::DuplicateKey);
    assert_eq!(err.path(), "users.b.key");
    // a user and a team may share a key: they live in different tables
    let across = r#"{"version":1,"users":{"a":{"key":5}},"teams":{"t":{"key":5}}}"#;
    Policy::from_json(across).unwrap().compile().unwrap();
}

#[test]
fn two_spellings_of_one_uuid_are_one_key() {
    // PostgreSQL's `uuid` reads both as the same value: they would own the same rows
    let doc = r#"{"version":1,"users":{"a":{"key":"550e8400-e29b-41d4-a716-446655440000"},
                                      "b":{"key":"{550E8400E29B41D4A716446655440000}"}}}"#;
    let err = Policy::from_json(doc).unwrap().validate().unwrap_err();
    assert_eq!(
        (err.code(), err.path()),
        (ErrorCode::DuplicateKey, "users.b.key")
    );
    let distinct = r#"{"version":1,"users":{"a":{"key":"550e8400-e29b-41d4-a716-446655440000"},
                                           "b":{"key":"550e8400-e29b-41d4-a716-446655440001"}}}"#;
    Policy::from_json(distinct).unwrap().validate().unwrap();
}

#[test]
fn a_key_is_an_integer_or_a_non_empty_string() {
    let empty = r#"{"version":1,"teams":{"t":{"key":""}}}"#;
    let err = Policy::from_json(empty).unwrap().validate().unwrap_err();
    assert_eq!(
        (err.code(), err.path()),
        (ErrorCode::Malformed, "teams.t.key")
    );
    for bad in ["1.5", "true", "[1]", "{}", "18446744073709551616"] {
        let doc = format!(r#"{{"version":1,"users":{{"a":{{"key":{bad}}}}}}}"#);
        let err = Policy::from_json(&doc).unwrap_err();
        assert_eq!(err.code(), ErrorCode::Malformed, "{bad}");
        assert!(err.path().starts_with("users.a"), "{bad}: {}", err.path());
    }
}

#[test]
fn recompiling_picks_up_changed_keys() {
    let policy = Policy::from_json(DOC).unwrap();
    let auth = policy.compile().unwrap();
    let mut changed = policy.clone();
    changed.users["ann"].key = Some(2003.into());
    let next = auth.recompile(changed).unwrap();
    assert_eq!(next.user_by_key(&2003.into()), next.user("ann"));
    assert_eq!(next.user_by_key(&1003.into()), None);
}

#[test]
fn only_an_admin_sets_or_changes_a_key() {
    let mut policy = Policy::from_json(DOC).unwrap();
    let before = policy.to_json().unwrap();
    // a superuser may change bob's name but not give him a key, nor move ann's
    policy.admin("su").rename_user("bob", "Bob B.").unwrap();
    let after_rename = policy.to_json().unwrap();
    assert_ne!(after_rename, before);
    let err = policy
        .admin("su")
        .update_user("bob", |u| u.key = Some(4242.into()))
        .unwrap_err();
    assert_eq!(
        (err.code(), err.path()),
        (ErrorCode::NotPermitted, "users.bob.key")
    );
    let err = policy
        .admin("su")
        .update_user("ann", |u| u.key = None)
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotPermitted);
    // nor invite someone with a key: it could name the rows of a deleted owner
    let err = policy
        .admin("su")
        .add_user(
            "cy",
            User {
                key: Some(9.into()),
                ..User::default()
            },
        )
        .unwrap_err();
    assert_eq!(
        (err.code(), err.path()),
        (ErrorCode::NotPermitted, "users.cy.key")
    );
    assert_eq!(policy.to_json().unwrap(), after_rename);
    // an admin may
    policy
        .admin("root")
        .update_user("bob", |u| u.key = Some(4242.into()))
        .unwrap();
    assert_eq!(policy.users["bob"].key, Some(4242.into()));
    // and an admin's key still has to be unique
    let err = policy
        .admin("root")
        .update_user("bob", |u| u.key = Some(1003.into()))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::DuplicateKey);
    assert_eq!(policy.users["su"].admin, AdminLevel::Superuser);
}

#[test]
fn copies_do_not_inherit_keys() {
    let mut policy = Policy::from_json(DOC).unwrap();
    policy.admin("root").copy_user("ann", "ann2", None).unwrap();
    policy.admin("root").copy_team("north", "north2").unwrap();
    assert_eq!(policy.users["ann2"].key, None);
    assert_eq!(policy.teams["north2"].key, None);
}

/// A host's row read by names or by keys; what it names that the policy does not know is
/// left out where the filter leaves it out, and refused where a record cannot be without it.
#[test]
fn a_record_from_a_hosts_row() {
    use permatrix::filter::{StoredRecord, StoredShare};
    use permatrix::{Action, SqlSchema, filter::SqlKeys};
    let auth = Policy::from_json(
        r#"{"version":1,"modules":{"m":{}},
        "profiles":{"p":{"modules":{"m":{"access":"on","actions":{"view":"owner"}}}}},
        "roles":{"r":{"profiles":["p"]}},
        "users":{"ann":{"roles":["r"],"key":"a-1"},"bo":{"roles":["r"],"key":"b-2"}},
        "teams":{"t":{"users":["ann"],"key":"t-1"}}}"#,
    )
    .unwrap()
    .compile()
    .unwrap();
    let m = auth.module("m").unwrap();
    let (ann, bo) = (auth.user("ann").unwrap(), auth.user("bo").unwrap());
    let by_names = SqlSchema::for_table("m");
    let by_keys = SqlSchema {
        user_keys: SqlKeys::Text,
        team_keys: SqlKeys::Text,
        ..SqlSchema::for_table("m")
    };
    let share = |kind: &str, principal: &str, access: &str| StoredShare {
        kind: kind.into(),
        principal: principal.into(),
        access: access.into(),
    };
    // by names: owned by bo, shared with ann; a share with someone unknown is left out
    let row = StoredRecord {
        owner_user: Some(HostKey::from("bo")),
        teams: vec![HostKey::from("t"), HostKey::from("nobody")],
        shares: vec![share("user", "ann", "read"), share("user", "zed", "full")],
        ..StoredRecord::default()
    };
    let record = auth.record_from_row(m, &by_names, &row).unwrap();
    assert_eq!(record.owner, permatrix::Owner::User(bo));
    assert_eq!(record.teams, vec![auth.team("t").unwrap()]);
    assert_eq!(record.shares.len(), 1);
    assert!(auth.can(ann, Action::View, &record.as_record()));
    // the same row by keys: names are no keys, so the owner is unknown there
    let err = auth.record_from_row(m, &by_keys, &row).unwrap_err();
    assert_eq!(err.code(), ErrorCode::UnknownReference);
    assert_eq!(
        err.to_string(),
        "the row's owner `bo` names no user of the policy"
    );
    let keyed = StoredRecord {
        owner_user: Some(HostKey::from("b-2")),
        teams: vec![HostKey::from("t-1")],
        shares: vec![share("user", "a-1", "read_write")],
        ..StoredRecord::default()
    };
    let record = auth.record_from_row(m, &by_keys, &keyed).unwrap();
    assert_eq!(record.owner, permatrix::Owner::User(bo));
    assert!(auth.can(ann, Action::View, &record.as_record()));
    // a team owner
    let team_owned = StoredRecord {
        owner_team: Some(HostKey::from("t")),
        ..StoredRecord::default()
    };
    let record = auth.record_from_row(m, &by_names, &team_owned).unwrap();
    assert_eq!(
        record.owner,
        permatrix::Owner::Team(auth.team("t").unwrap())
    );
    // refused: no owner, two owners, a word that is not one
    for (row, message) in [
        (
            StoredRecord::default(),
            "the row's owner `NULL` names no user of the policy",
        ),
        (
            StoredRecord {
                owner_user: Some(HostKey::from("bo")),
                owner_team: Some(HostKey::from("t")),
                ..StoredRecord::default()
            },
            "the row's owner (with an owning team too) `bo` names no user of the policy",
        ),
        (
            StoredRecord {
                owner_user: Some(HostKey::from("bo")),
                shares: vec![share("group", "ann", "read")],
                ..StoredRecord::default()
            },
            "the row's share kind (user, team, role, role_and_subordinates) `group` is not a word of the document",
        ),
        (
            StoredRecord {
                owner_user: Some(HostKey::from("bo")),
                shares: vec![share("user", "ann", "write")],
                ..StoredRecord::default()
            },
            "the row's share access (read, read_write, full) `write` is not a word of the document",
        ),
    ] {
        let err = auth.record_from_row(m, &by_names, &row).unwrap_err();
        assert_eq!(
            (err.code(), err.to_string()),
            (ErrorCode::UnknownReference, message.to_string())
        );
    }
    // a module id from another authorizer
    let other = Policy::from_json(r#"{"version":1,"modules":{"x":{},"m":{}}}"#)
        .unwrap()
        .compile()
        .unwrap();
    let stale = other.module("m").unwrap();
    assert_eq!(
        auth.record_from_row(stale, &by_names, &team_owned)
            .unwrap_err()
            .code(),
        ErrorCode::StaleId
    );
    assert_eq!(auth.display_name(ann).unwrap(), "ann");
    assert_eq!(
        other.display_name(ann).unwrap_err().code(),
        ErrorCode::StaleId
    );
}
