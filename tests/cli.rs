//! The `permatrix` binary, run as a user would against the example policies: output
//! formats and exit statuses.

use std::process::{Command, Output};

fn permatrix(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_permatrix"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn validate_names_file_path_code_and_message() {
    let ok = permatrix(&[
        "validate",
        "examples/policies/minicrm.json",
        "examples/crm.json",
    ]);
    assert_eq!(ok.status.code(), Some(0));
    assert_eq!(
        stdout(&ok),
        "examples/policies/minicrm.json: ok\nexamples/crm.json: ok\n"
    );
    let dir = std::env::temp_dir().join(format!("permatrix-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        r#"{"version":1,"roles":{"rep":{"parent":"ghost","profiles":["p"]}},"profiles":{"p":{}}}"#,
    )
    .unwrap();
    let out = permatrix(&["validate", bad.to_str().unwrap(), "examples/crm.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out).lines().next().unwrap(),
        format!(
            "{}: roles.rep.parent: unknown_reference: no role `ghost`",
            bad.display()
        )
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn check_exits_with_the_decision() {
    let allow = permatrix(&[
        "check",
        "examples/crm.json",
        "-u",
        "nils",
        "-a",
        "view",
        "-m",
        "deals",
        "--owner",
        "nils",
    ]);
    assert_eq!(
        (allow.status.code(), stdout(&allow).as_str()),
        (Some(0), "allow\n")
    );
    let deny = permatrix(&[
        "check",
        "examples/crm.json",
        "-u",
        "nils",
        "-a",
        "view",
        "-m",
        "deals",
        "--owner",
        "sam",
        "--team",
        "south",
        "--explain",
    ]);
    assert_eq!(deny.status.code(), Some(1));
    let text = stdout(&deny);
    assert!(text.starts_with("deny\nDENY `nils`"), "{text}");
    assert!(text.contains("(step 8)"), "{text}");
    // a record-level action needs an owner: a usage error, status 2
    let usage = permatrix(&[
        "check",
        "examples/crm.json",
        "-u",
        "nils",
        "-a",
        "view",
        "-m",
        "deals",
    ]);
    assert_eq!(usage.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&usage.stderr).contains("--owner"));
    let unknown = permatrix(&[
        "check",
        "examples/crm.json",
        "-u",
        "ghost",
        "-a",
        "create",
        "-m",
        "deals",
    ]);
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn diff_exits_one_when_anything_changes() {
    let same = permatrix(&["diff", "examples/crm.json", "examples/crm.json"]);
    assert_eq!(same.status.code(), Some(0));
    let dir = std::env::temp_dir().join(format!("permatrix-cli-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let changed = dir.join("crm.json");
    let text = std::fs::read_to_string("examples/crm.json").unwrap();
    std::fs::write(
        &changed,
        text.replace("\"view\": \"owner\",", "\"view\": \"team\","),
    )
    .unwrap();
    let out = permatrix(&["diff", "examples/crm.json", changed.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("nils:\n  + deals.view: owner -> team"),
        "{}",
        stdout(&out)
    );
    let json = permatrix(&[
        "diff",
        "examples/crm.json",
        changed.to_str().unwrap(),
        "-f",
        "json",
    ]);
    let parsed: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert!(parsed["users"].as_array().is_some_and(|u| !u.is_empty()));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn matrix_login_and_filter() {
    let csv = permatrix(&[
        "matrix",
        "examples/crm.json",
        "-u",
        "nils",
        "-u",
        "paul",
        "-f",
        "csv",
    ]);
    assert_eq!(csv.status.code(), Some(0));
    let text = stdout(&csv);
    assert!(text.starts_with("user,module,access,view"), "{text}");
    assert!(text.contains("\nnils,deals,on,owner"), "{text}");
    assert!(text.contains("\npaul,"), "{text}");
    let json = permatrix(&["matrix", "examples/policies/minicrm.json", "-f", "json"]);
    let parsed: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert!(parsed.as_array().is_some_and(|a| a.len() > 2));
    let login = permatrix(&["login", "examples/crm.json", "-u", "paul"]);
    assert_eq!(
        (login.status.code(), stdout(&login).as_str()),
        (Some(0), "allowed: a password is enough\n")
    );
    let filter = permatrix(&[
        "filter",
        "examples/crm.json",
        "-u",
        "nils",
        "-m",
        "deals",
        "--dialect",
        "sqlite",
    ]);
    let text = stdout(&filter);
    assert!(
        text.starts_with("(+\"records\".\"module\" = ?1 AND"),
        "{text}"
    );
    assert!(text.contains("\n?1 = \"deals\"\n"), "{text}");
    let help = permatrix(&["--help"]);
    assert!(stdout(&help).contains("Exit status: 0 yes / valid / no difference"));
    let version = permatrix(&["--version"]);
    assert_eq!(
        stdout(&version),
        format!("permatrix {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn schema_prints_the_shipped_schema() {
    let out = permatrix(&["schema"]);
    assert_eq!(out.status.code(), Some(0));
    let printed: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let shipped: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/policy.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(printed, shipped);
    assert_eq!(printed["title"], "permatrix policy document");
}

#[test]
fn every_guide_policy_validates() {
    let out = permatrix(&[
        "validate",
        "examples/policies/minicrm.json",
        "examples/policies/1crm.json",
        "examples/policies/crmplus.json",
        "examples/policies/salesware.json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(stdout(&out).matches(": ok\n").count(), 4);
}

#[test]
fn matrix_writes_the_html_report() {
    let out = permatrix(&[
        "matrix",
        "examples/policies/minicrm.json",
        "-f",
        "html",
        "-u",
        "ben",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let page = stdout(&out);
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains(r#""name":"ben""#) && !page.contains(r#""name":"mia""#));
    let unknown = permatrix(&[
        "matrix",
        "examples/policies/minicrm.json",
        "-f",
        "html",
        "-u",
        "zed",
    ]);
    assert_eq!(unknown.status.code(), Some(2));
}
