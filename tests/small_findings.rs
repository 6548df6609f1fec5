//! Issue 7, finding 8: the small defects, one regression test each.

use permatrix::{Action, Cell, Condition, ErrorCode, Module, Policy, PolicyError, Record, diff};

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

#[test]
fn an_unknown_user_has_no_results_not_unlimited_ones() {
    let policy = Policy::from_json(r#"{"version":1,"users":{"a":{}}}"#).unwrap();
    let (old, auth) = (policy.compile().unwrap(), policy.compile().unwrap());
    let stale = old.user("a").unwrap();
    assert_eq!(auth.result_limit(auth.user("a").unwrap()), None); // unlimited
    assert_eq!(auth.result_limit(stale), Some(0));
    assert_eq!(auth.try_result_limit(stale).unwrap_err().code(), "stale_id");
}

#[test]
fn to_json_reports_instead_of_falling_back() {
    let p = Policy::from_json(r#"{"version":1,"users":{"a":{}}}"#).unwrap();
    let written: Result<String, PolicyError> = p.to_json();
    assert_eq!(Policy::from_json(&written.unwrap()).unwrap(), p);
    assert!(p.to_json_pretty().unwrap().contains("\"a\""));
}

#[test]
fn cells_are_ordered_by_the_lattice_only() {
    assert_eq!(Cell::ROLE.partial_cmp(&Cell::TEAM), None);
    assert!(Cell::ROLE < Cell::ROLE_OR_TEAM && Cell::TEAM < Cell::ROLE_OR_TEAM);
    // the highest of two is their join, which `Ord::max` on bits got wrong
    assert_eq!(Cell::ROLE.join(Cell::TEAM), Cell::ROLE_OR_TEAM);
}

#[test]
fn hand_written_conditions_match_in_any_order() {
    let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"u0":{},"u1":{},"u2":{},"u3":{},"u4":{},"u5":{}}}"#)
        .unwrap()
        .compile()
        .unwrap();
    let u = |i| auth.user_at(i).unwrap();
    let m = auth.module("m").unwrap();
    let owned_by_5 = Record::owned_by_user(m, u(5));
    assert!(Condition::OwnerUserIn(vec![u(5), u(1)]).matches(&owned_by_5));
    assert!(
        Condition::OwnerUserIn(vec![u(5), u(1)])
            .simplified()
            .matches(&owned_by_5)
    );
    // and a filter built by the crate keeps agreeing with can
    let f = auth.filter(u(5), Action::View, m);
    assert_eq!(
        f.matches(&owned_by_5),
        auth.can(u(5), Action::View, &owned_by_5)
    );
}
