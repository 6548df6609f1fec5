//! The `permatrix` binary, run as a user would against the example policies: output
//! formats and exit statuses.

// tests may unwrap and index: a panic is a failed test, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

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
    let text = stdout(&out);
    assert!(text.contains("+ view on `deals`: owner -> team"), "{text}");
    assert!(
        text.starts_with("nils:") || text.contains("\nnils:"),
        "{text}"
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

/// Writes `doc` to a fresh file and returns its path.
fn policy_file(dir: &std::path::Path, name: &str, doc: &serde_json::Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, doc.to_string()).unwrap();
    path.to_str().unwrap().to_string()
}

/// SPEC §7: the change preview sees reach, not only cells. A team join, a cut in the
/// hierarchy, a new sharing rule and a deactivation each change no cell, and each is
/// named, with its reason, and exits 1.
#[test]
fn diff_sees_reach_and_exits_one_for_any_changed_answer() {
    let base = serde_json::json!({
        "version": 1,
        "modules": { "deals": {} },
        "profiles": {
            "rep": { "modules": { "deals": { "access": "on",
                "actions": { "view": "team", "list": "team", "edit": "owner", "delete": "owner" } } } },
            "mgr": { "modules": { "deals": { "access": "on",
                "actions": { "view": "owner", "edit": "owner", "delete": "owner" } } } }
        },
        "roles": { "manager": { "profiles": ["mgr"] }, "rep": { "parent": "manager", "profiles": ["rep"] } },
        "teams": { "north": { "users": ["ann"] }, "south": { "users": ["ben"] } },
        "users": { "root": { "admin": "admin" }, "mia": { "roles": ["manager"] },
                   "ann": { "roles": ["rep"] }, "ben": { "roles": ["rep"] } }
    });
    let dir = std::env::temp_dir().join(format!("permatrix-cli-reach-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let old = policy_file(&dir, "base.json", &base);
    let variant = |name: &str, edit: &dyn Fn(&mut serde_json::Value)| {
        let mut doc = base.clone();
        edit(&mut doc);
        policy_file(&dir, name, &doc)
    };
    let cases = [
        (
            variant("join.json", &|d| {
                d["teams"]["north"]["users"]
                    .as_array_mut()
                    .unwrap()
                    .push("ben".into())
            }),
            "ben:\n  + joined `north` (added to its members)\n  + view, list, edit, delete on `deals` now also reach the records of team `north` (joined `north`)",
        ),
        (
            variant("cut.json", &|d| {
                d["roles"]["rep"].as_object_mut().unwrap().remove("parent");
            }),
            "mia: - view, edit, delete on `deals` no longer reach the records of subordinates ann, ben (role hierarchy)",
        ),
        (
            variant("rule.json", &|d| {
                d["sharing_rules"] = serde_json::json!([
                    { "module": "deals", "from": { "user": "ann" }, "to": { "user": "ben" }, "access": "read_write" }
                ]);
            }),
            "ben: + view, list, edit on `deals` now also reach records of user ann (sharing rules)",
        ),
        (
            variant("deactivate.json", &|d| {
                d["users"]["ann"]["status"] = "inactive".into()
            }),
            "ann: - deactivated: every check, field, tool, calendar and sign-in is refused\n",
        ),
    ];
    for (new, expected) in cases {
        let out = permatrix(&["diff", &old, &new]);
        assert_eq!(out.status.code(), Some(1), "{new}");
        let text = stdout(&out);
        assert!(text.contains(expected), "{new}:\n{text}");
        let md = stdout(&permatrix(&["diff", &old, &new, "-f", "md"]));
        assert!(md.starts_with("### permatrix diff"), "{md}");
        assert!(!md.contains("No answer changes"), "{md}");
    }
    // the deactivation is one line
    let out = permatrix(&["diff", &old, &dir.join("deactivate.json").to_string_lossy()]);
    assert_eq!(stdout(&out).lines().count(), 1, "{}", stdout(&out));
    // and no change, no output, exit 0
    let same = permatrix(&["diff", &old, &old]);
    assert_eq!(
        (same.status.code(), stdout(&same)),
        (Some(0), String::new())
    );
    let md = stdout(&permatrix(&["diff", &old, &old, "-f", "md"]));
    assert!(
        md.contains("No answer changes: nobody gains or loses anything."),
        "{md}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Names are data in every format the CLI writes: HTML stays text in Markdown and in the
/// HTML report, no CSV field starts a formula, JSON gives names back exactly, text
/// prints them as they are.
#[test]
fn hostile_names_stay_text_in_every_format() {
    let evil_module = "<img src=x onerror=alert(1)>";
    let formula = "=HYPERLINK(\"http://evil\",\"x\")";
    let doc = serde_json::json!({
        "version": 1,
        "modules": { evil_module: {}, formula: {}, "+cmd": {} },
        "profiles": { "p": { "modules": { evil_module: { "access": "on", "actions": { "view": "owner" } } } } },
        "roles": { "r": { "profiles": ["p"] } },
        "users": { "<b>eve</b>": { "roles": ["r"] }, "@bob": {} }
    });
    let dir = std::env::temp_dir().join(format!("permatrix-cli-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let old = policy_file(&dir, "old.json", &doc);
    let mut changed = doc.clone();
    changed["profiles"]["p"]["modules"][evil_module]["actions"]["view"] = "all".into();
    changed["users"]["@bob"]["roles"] = serde_json::json!(["r"]);
    let new = policy_file(&dir, "new.json", &changed);

    let md = stdout(&permatrix(&["matrix", &old, "-f", "md"]));
    let diff_md = stdout(&permatrix(&["diff", &old, &new, "-f", "md"]));
    for text in [&md, &diff_md] {
        for raw in ["<img", "<b>"] {
            // raw HTML only inside code spans, where Markdown shows it as text
            for line in text.lines().filter(|l| l.contains(raw)) {
                let outside: String = line.split('`').step_by(2).collect();
                assert!(!outside.contains(raw), "markup outside a code span: {line}");
            }
        }
    }
    assert!(md.contains("&lt;img"), "{md}");
    let csv = stdout(&permatrix(&["matrix", &old, "-f", "csv"]));
    for line in csv.lines() {
        for field in line.split(',') {
            let field = field.trim_start_matches('"');
            assert!(
                !field.starts_with(['=', '+', '-', '@']),
                "a formula in {line}"
            );
        }
    }
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    assert!(csv.contains("'+cmd"), "{csv}");
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&permatrix(&["matrix", &old, "-f", "json"]))).unwrap();
    assert!(json.to_string().contains("<b>eve</b>"), "{json}");
    let diff_json: serde_json::Value =
        serde_json::from_str(&stdout(&permatrix(&["diff", &old, &new, "-f", "json"]))).unwrap();
    assert_eq!(diff_json["users"][0]["user"], "<b>eve</b>");
    let html = stdout(&permatrix(&["matrix", &old, "-f", "html"]));
    assert!(!html.contains("<img src=x"), "the report kept raw HTML");
    assert!(!html.contains("<b>eve</b>"), "the report kept raw HTML");
    let text = stdout(&permatrix(&["diff", &old, &new]));
    assert!(text.contains("@bob"), "{text}");
    let explained = permatrix(&[
        "explain",
        &old,
        "-u",
        "<b>eve</b>",
        "-a",
        "view",
        "-m",
        evil_module,
        "--owner",
        "@bob",
    ]);
    assert_eq!(explained.status.code(), Some(0));
    std::fs::remove_dir_all(&dir).unwrap();
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A temporary folder of this test's own.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("permatrix-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn every_subcommand_exits_as_the_help_says() {
    let dir = scratch("status");
    let refused = policy_file(
        &dir,
        "refused.json",
        &serde_json::json!({"version": 1, "users": {"gone": {"status": "inactive"}}}),
    );
    let crm = "examples/crm.json";
    let owned = ["-m", "deals", "--owner", "sam"];
    let cases: Vec<(Vec<&str>, i32)> = vec![
        (vec!["validate", crm], 0),
        (vec!["validate", "no/such/file.json"], 2),
        (vec!["check", crm, "-u", "sam", "-a", "view"], 0),
        (vec!["check", crm, "-u", "paul", "-a", "delete"], 1),
        (
            vec!["check", "no/such/file.json", "-u", "sam", "-a", "view"],
            2,
        ),
        (vec!["check", crm, "-u", "nobody", "-a", "view"], 2),
        (vec!["explain", crm, "-u", "paul", "-a", "delete"], 0),
        (vec!["explain", crm, "-u", "sam", "-a", "veiw"], 2),
        (vec!["matrix", crm, "-u", "sam"], 0),
        (vec!["matrix", crm, "-u", "nobody"], 2),
        (vec!["diff", crm, crm], 0),
        (vec!["diff", crm, &refused], 1),
        (vec!["diff", crm, "no/such/file.json"], 2),
        (vec!["login", crm, "-u", "paul"], 0),
        (vec!["login", &refused, "-u", "gone"], 1),
        (vec!["login", crm, "-u", "nobody"], 2),
        (
            vec![
                "filter",
                crm,
                "-u",
                "sam",
                "-m",
                "deals",
                "--dialect",
                "postgres",
            ],
            0,
        ),
        (
            vec![
                "filter",
                crm,
                "-u",
                "sam",
                "-m",
                "nope",
                "--dialect",
                "postgres",
            ],
            2,
        ),
        (vec!["schema"], 0),
        (vec!["no-such-command"], 2),
    ];
    for (mut args, status) in cases {
        if matches!(args[0], "check" | "explain") && args.len() > 2 {
            args.extend(owned);
        }
        let out = permatrix(&args);
        assert_eq!(
            out.status.code(),
            Some(status),
            "{args:?}: {}",
            stderr(&out)
        );
        assert!(
            !stderr(&out).contains("panicked"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_reader_that_goes_away_ends_the_command_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    // far more output than a pipe holds, so the writer meets the closed end
    let dir = scratch("pipe");
    let users: serde_json::Map<String, serde_json::Value> = (0..3000)
        .map(|i| (format!("user{i}"), serde_json::json!({})))
        .collect();
    let big = policy_file(
        &dir,
        "big.json",
        &serde_json::json!({"version": 1, "modules": {"deals": {}}, "users": users}),
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_permatrix"))
        .args(["matrix", &big])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 64];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // the read end is dropped here, like `| head` exiting
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "", "nothing is said about the closed pipe");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn near_misses_are_named_and_words_listed() {
    let crm = "examples/crm.json";
    let user = permatrix(&[
        "check", crm, "-u", "nil", "-a", "view", "-m", "deals", "--owner", "sam",
    ]);
    assert_eq!(
        stderr(&user),
        "permatrix: no user `nil`; did you mean `nils`?\n"
    );
    let action = permatrix(&[
        "check", crm, "-u", "nils", "-a", "veiw", "-m", "deals", "--owner", "sam",
    ]);
    let text = stderr(&action);
    assert!(text.contains("one of view, list, create"), "{text}");
    assert!(text.ends_with("did you mean `view`?\n"), "{text}");
    let module = permatrix(&[
        "filter",
        crm,
        "-u",
        "nils",
        "-m",
        "deal",
        "--dialect",
        "sqlite",
    ]);
    assert_eq!(
        stderr(&module),
        "permatrix: no module `deal`; did you mean `deals`?\n"
    );
    let far = permatrix(&["login", crm, "-u", "zzzzzz"]);
    assert_eq!(stderr(&far), "permatrix: no user `zzzzzz`\n");
}

#[test]
fn check_takes_record_shares_and_several_teams() {
    let crm = "examples/crm.json";
    let base = [
        "check", crm, "-u", "nils", "-a", "view", "-m", "deals", "--owner", "sam",
    ];
    let without = permatrix(&base);
    let mut shared = base.to_vec();
    shared.extend([
        "--share",
        "user:nils:read",
        "--team",
        "north",
        "--team",
        "south",
    ]);
    let with = permatrix(&shared);
    assert_eq!(
        (without.status.code(), with.status.code()),
        (Some(1), Some(0)),
        "{}{}",
        stdout(&without),
        stdout(&with)
    );
    let mut by_role = base.to_vec();
    by_role.extend(["--share", "role:rep:read"]);
    assert_eq!(permatrix(&by_role).status.code(), Some(0));
    let mut misspelt = base.to_vec();
    misspelt.extend(["--share", "role:rp:read"]);
    assert_eq!(
        stderr(&permatrix(&misspelt)),
        "permatrix: no role `rp`; did you mean `rep`?\n"
    );
    let mut bad = base.to_vec();
    bad.extend(["--share", "user:nils"]);
    let out = permatrix(&bad);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("write KIND:ID:ACCESS"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn one_help_text_and_json_for_scripts() {
    assert_eq!(stdout(&permatrix(&["-h"])), stdout(&permatrix(&["--help"])));
    assert_eq!(
        stdout(&permatrix(&["check", "-h"])),
        stdout(&permatrix(&["check", "--help"]))
    );
    let crm = "examples/crm.json";
    let json = |args: &[&str]| -> serde_json::Value {
        let out = permatrix(args);
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}"))
    };
    let check = json(&[
        "check", crm, "-u", "paul", "-a", "delete", "-m", "deals", "--owner", "sam", "-f", "json",
    ]);
    assert_eq!(check["allowed"], false);
    assert_eq!(check["explanation"]["user"], "paul");
    let explain = json(&[
        "explain", crm, "-u", "paul", "-a", "delete", "-m", "deals", "--owner", "sam", "-f", "json",
    ]);
    assert_eq!(explain["allowed"], false);
    let login = json(&["login", crm, "-u", "paul", "-f", "json"]);
    assert_eq!(login["allowed"], true);
    let filter = json(&[
        "filter",
        crm,
        "-u",
        "nils",
        "-m",
        "deals",
        "--dialect",
        "sqlite",
        "-f",
        "json",
    ]);
    assert!(
        filter["sql"]
            .as_str()
            .unwrap()
            .contains("\"records\".\"module\" = ?1")
    );
    assert_eq!(filter["params"][0], "deals");
    let validate = json(&["validate", crm, "no/such/file.json", "-f", "json"]);
    assert_eq!(validate[0]["ok"], true);
    assert_eq!(validate[1]["code"], "unreadable");
}
