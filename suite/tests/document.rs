//! The policy document: round trips, defaults, and the code and path of every kind of error.

// tests may unwrap and index: a panic is a failed test, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use permatrix::PolicyError;
use permatrix::{ErrorCode, Policy};

fn error(json: &str) -> (ErrorCode, String) {
    let err = Policy::from_json(json)
        .and_then(|p| p.compile().map(|_| p))
        .unwrap_err();
    (err.code(), err.path().to_string())
}

#[test]
fn demo_policy_round_trips() {
    let text = include_str!("../../examples/policies/minicrm.json");
    let policy = Policy::from_json(text).unwrap();
    let again = Policy::from_json(&policy.to_json().unwrap()).unwrap();
    assert_eq!(again, policy);
    assert_eq!(
        Policy::from_json(&policy.to_json_pretty().unwrap()).unwrap(),
        policy
    );
}

#[test]
fn defaults_are_left_out_and_read_back() {
    let p = Policy::from_json(
        r#"{"version":1,"settings":{"merge":"additive","admin_bypass":true,"team_inheritance":["creator"]},
            "modules":{"m":{"hierarchy":true,"owned":true,"sharing":"private"}},
            "teams":{"t":{"active":true}},
            "users":{"u":{"status":"active","kind":"internal","admin":"none"}}}"#,
    )
    .unwrap();
    assert_eq!(
        p.to_json().unwrap(),
        r#"{"version":1,"modules":{"m":{}},"teams":{"t":{}},"users":{"u":{}}}"#
    );
}

#[test]
fn every_key_but_version_may_be_omitted() {
    let p = Policy::from_json(r#"{"version":1}"#).unwrap();
    assert!(p.compile().is_ok());
}

#[test]
fn malformed_documents() {
    assert_eq!(error("").0, ErrorCode::Malformed);
    assert_eq!(error("[]").0, ErrorCode::Malformed);
    assert_eq!(
        error(r#"{"version":1,"users":[]}"#),
        (ErrorCode::Malformed, "users".into())
    );
    assert_eq!(
        error(r#"{"version":1,"colour":1}"#),
        (ErrorCode::Malformed, "colour".into())
    );
    assert_eq!(error(r#"{"version":1} trailing"#).0, ErrorCode::Malformed);
    assert_eq!(
        error(r#"{"modules":{}}"#),
        (ErrorCode::Malformed, "version".into())
    );
    assert_eq!(
        error(r#"{"version":1,"profiles":{"p":{"modules":{"m":{"actions":{"fly":"all"}}}}}}"#).0,
        ErrorCode::Malformed
    );
    assert_eq!(
        error(r#"{"version":1,"users":{"u":{"status":"sleeping"}}}"#),
        (ErrorCode::Malformed, "users.u.status".into())
    );
    assert_eq!(
        error(r#"{"version":1,"users":{"":{}}}"#),
        (ErrorCode::Malformed, "users".into())
    );
}

#[test]
fn versions() {
    assert_eq!(
        error(r#"{"version":2}"#),
        (ErrorCode::UnsupportedVersion, "version".into())
    );
    assert_eq!(error(r#"{"version":"1"}"#).0, ErrorCode::UnsupportedVersion);
    // the version is judged before the rest, so a newer document is not called malformed
    assert_eq!(
        error(r#"{"newer_key":true,"version":3}"#).0,
        ErrorCode::UnsupportedVersion
    );
}

#[test]
fn duplicate_keys_anywhere() {
    assert_eq!(
        error(r#"{"version":1,"version":1}"#).0,
        ErrorCode::DuplicateKey
    );
    assert_eq!(
        error(r#"{"version":1,"roles":{},"roles":{}}"#),
        (ErrorCode::DuplicateKey, "roles".into())
    );
    assert_eq!(
        error(r#"{"version":1,"modules":{"m":{},"m":{}}}"#),
        (ErrorCode::DuplicateKey, "modules.m".into())
    );
    assert_eq!(
        error(r#"{"version":1,"modules":{"m":{"tools":["a","a"]}}}"#),
        (ErrorCode::DuplicateKey, "modules.m.tools.a".into())
    );
    assert_eq!(
        error(r#"{"version":1,"modules":{"m":{}},"profiles":{"p":{"modules":{"m":{"actions":{"view":"all","view":"none"}}}}}}"#)
            .0,
        ErrorCode::DuplicateKey
    );
    assert_eq!(
        error(r#"{"version":1,"users":{"u":{"roles":[],"roles":[]}}}"#),
        (ErrorCode::DuplicateKey, "users.u.roles".into())
    );
}

#[test]
fn references_and_structure() {
    let base = r#""modules":{"m":{"fields":{"f":{"mandatory":true},"g":{}},"tools":["t"]}},"profiles":{"p":{}}"#;
    let case = |rest: &str| error(&format!(r#"{{"version":1,{base},{rest}}}"#));
    assert_eq!(
        case(r#""roles":{"r":{"parent":"x","profiles":["p"]}}"#),
        (ErrorCode::UnknownReference, "roles.r.parent".into())
    );
    assert_eq!(
        case(r#""roles":{"r":{"profiles":["p","q"]}}"#),
        (ErrorCode::UnknownReference, "roles.r.profiles[1]".into())
    );
    assert_eq!(
        case(r#""roles":{"r":{"profiles":[]}}"#),
        (ErrorCode::RoleWithoutProfile, "roles.r.profiles".into())
    );
    assert_eq!(
        case(r#""roles":{"r":{}}"#),
        (ErrorCode::RoleWithoutProfile, "roles.r.profiles".into())
    );
    assert_eq!(
        case(r#""roles":{"a":{"parent":"a","profiles":["p"]}}"#),
        (ErrorCode::RoleCycle, "roles.a.parent".into())
    );
    assert_eq!(
        case(r#""teams":{"t":{"teams":["t"]}}"#).0,
        ErrorCode::TeamCycle
    );
    assert_eq!(
        case(r#""teams":{"t":{"users":["nobody"]}}"#),
        (ErrorCode::UnknownReference, "teams.t.users[0]".into())
    );
    assert_eq!(
        case(r#""teams":{"t":{"ceiling":"nope"}}"#),
        (ErrorCode::UnknownReference, "teams.t.ceiling".into())
    );
    assert_eq!(
        case(r#""settings":{"default_role":"ghost"}"#),
        (ErrorCode::UnknownReference, "settings.default_role".into())
    );
    assert_eq!(
        case(r#""users":{"u":{"overrides":{"m":{"fields":{"f":"hidden"}}}}}"#),
        (
            ErrorCode::MandatoryFieldRestricted,
            "users.u.overrides.m.fields.f".into()
        )
    );
    assert_eq!(
        case(r#""users":{"u":{"overrides":{"m":{"tools":{"x":true}}}}}"#),
        (
            ErrorCode::UnknownReference,
            "users.u.overrides.m.tools.x".into()
        )
    );
    assert_eq!(
        case(r#""users":{"u":{"overrides":{"nomodule":{}}}}"#),
        (
            ErrorCode::UnknownReference,
            "users.u.overrides.nomodule".into()
        )
    );
    assert_eq!(
        case(
            r#""sharing_rules":[{"module":"m","from":{"role":"x"},"to":{"user":"u"},"access":"read"}]"#
        ),
        (
            ErrorCode::UnknownReference,
            "sharing_rules[0].from.role".into()
        )
    );
    assert_eq!(
        case(
            r#""users":{"u":{}},"calendar_shares":[{"owner":{"team":"x"},"to":{"user":"u"},"level":"busy"}]"#
        ),
        (
            ErrorCode::UnknownReference,
            "calendar_shares[0].owner.team".into()
        )
    );
    let picklist = r#""modules":{"m":{"fields":{"stage":{"picklist":{"role_bound":true,"values":[{"value":"won","roles":["boss"]}]}}}}}"#;
    assert_eq!(
        error(&format!(r#"{{"version":1,{picklist}}}"#)),
        (
            ErrorCode::UnknownReference,
            "modules.m.fields.stage.picklist.values[0].roles[0]".into()
        )
    );
}

#[test]
fn error_messages_name_the_item() {
    let err = Policy::from_json(r#"{"version":1,"users":{"ann":{"roles":["ghost"]}}}"#)
        .unwrap()
        .compile()
        .unwrap_err();
    assert!(err.message().contains("`ghost`"), "{}", err.message());
    assert!(err.to_string().contains("users.ann.roles[0]"), "{err}");
}

#[test]
fn empty_tool_and_field_names_are_malformed() {
    for (doc, path) in [
        (
            r#"{"version":1,"modules":{"m":{"tools":[""]}}}"#,
            "modules.m.tools",
        ),
        (
            r#"{"version":1,"modules":{"m":{"fields":{"":{}}}}}"#,
            "modules.m.fields",
        ),
    ] {
        let err = Policy::from_json(doc).unwrap().compile().unwrap_err();
        assert_eq!(
            (err.code(), err.path()),
            (ErrorCode::Malformed, path),
            "{err}"
        );
    }
    let mut p = Policy::from_json(r#"{"version":1,"modules":{"m":{}}}"#).unwrap();
    let err = p.admin_as_host().add_tool("m", "").unwrap_err();
    assert_eq!(err.code(), ErrorCode::Malformed);
}

#[test]
fn a_huge_unknown_reference_makes_a_small_error() {
    let ghost = "g".repeat(1 << 20);
    let doc = format!(r#"{{"version":1,"users":{{"a":{{"roles":["{ghost}"]}}}}}}"#);
    let err = Policy::from_json(&doc).unwrap().compile().unwrap_err();
    assert_eq!(err.code(), ErrorCode::UnknownReference);
    assert_eq!(err.path(), "users.a.roles[0]");
    assert!(err.message().len() < 200, "{} bytes", err.message().len());
    assert!(err.to_string().len() < 400);
    // a huge key written twice, and a huge unknown key
    let doc = format!(r#"{{"version":1,"users":{{"{ghost}":{{}},"{ghost}":{{}}}}}}"#);
    let err = Policy::from_json(&doc).unwrap_err();
    assert_eq!(err.code(), ErrorCode::DuplicateKey);
    assert!(err.path().len() < 200 && err.message().len() < 400, "{err}");
    let doc = format!(r#"{{"version":1,"{ghost}":1}}"#);
    let err = Policy::from_json(&doc).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Malformed);
    assert!(
        err.to_string().len() < 1500,
        "{} bytes",
        err.to_string().len()
    );
}

#[test]
fn to_json_reports_instead_of_falling_back() {
    let p = Policy::from_json(r#"{"version":1,"users":{"a":{}}}"#).unwrap();
    let written: Result<String, PolicyError> = p.to_json();
    assert_eq!(Policy::from_json(&written.unwrap()).unwrap(), p);
    assert!(p.to_json_pretty().unwrap().contains("\"a\""));
}

/// `team_inheritance` is a "subset" (SPEC §2) but repeats are read, and
/// `new_record_teams` walks the creator's teams once per repeat: its stated cost is
/// O((m + related) log) but it is O(entries x m).
#[test]
fn repeated_team_inheritance_entries_are_refused() {
    let entries = 20_000;
    let teams = 200;
    let doc = format!(
        r#"{{"version":1,"settings":{{"team_inheritance":[{}]}},"teams":{{{}}},"users":{{"u":{{}}}}}}"#,
        vec![r#""creator""#; entries].join(","),
        (0..teams)
            .map(|i| format!(r#""t{i}":{{"users":["u"]}}"#))
            .collect::<Vec<_>>()
            .join(","),
    );
    // a subset (SPEC §2): repeats are refused when the policy is validated
    let err = Policy::from_json(&doc).unwrap().compile().unwrap_err();
    assert_eq!(
        (err.code(), err.path()),
        (ErrorCode::DuplicateKey, "settings.team_inheritance[1]")
    );
    let mut fine = Policy::from_json(&doc).unwrap();
    fine.settings.team_inheritance.dedup();
    let auth = fine.compile().unwrap();
    let u = auth.user("u").unwrap();
    assert_eq!(
        auth.new_record_teams(u, None, &[]).map_or(0, |t| t.len()),
        teams
    );
}
