//! The policy document's JSON Schema: the shipped `schema/policy.schema.json` is the one
//! the types generate, and every policy the tests and examples use validates against it
//! with boon, a validator that shares no code with schemars. Documents the reader refuses
//! for their shape (`malformed`, `unsupported_version`) are refused by the schema too.

// tests may unwrap and index: a panic is a failed test, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use permatrix::Policy;
use serde_json::Value;

const SHIPPED: &str = "schema/policy.schema.json";

/// The repository's root: the crate, its schema and README, beside this package (suite/).
fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

/// The shipped schema, compiled by boon.
fn validator() -> (boon::Schemas, boon::SchemaIndex) {
    let text = std::fs::read_to_string(root().join(SHIPPED)).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler
        .add_resource("file:///policy.schema.json", schema)
        .unwrap();
    let index = compiler
        .compile("file:///policy.schema.json", &mut schemas)
        .unwrap_or_else(|e| panic!("the shipped schema does not compile: {e:#}"));
    (schemas, index)
}

#[test]
fn the_shipped_schema_is_the_generated_one() {
    let shipped: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join(SHIPPED)).unwrap()).unwrap();
    assert!(
        shipped == Policy::json_schema(),
        "{SHIPPED} is out of date; write it again with \
         `cargo run --features cli --bin permatrix -- schema > {SHIPPED}`"
    );
}

#[test]
fn every_policy_of_the_tests_and_examples_validates() {
    let (schemas, index) = validator();
    let mut checked = 0;
    let mut refused = 0;
    for file in json_files(&root().join("suite/tests/conformance")) {
        let case: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let policy = &case["policy"];
        let verdict = schemas.validate(policy, index);
        match case["expect_error"].as_str() {
            // refused for their shape: the schema says so too
            Some("malformed" | "unsupported_version") => {
                assert!(
                    verdict.is_err(),
                    "{}: the schema accepts it",
                    file.display()
                );
                refused += 1;
            }
            // duplicate keys do not survive JSON parsing; the rest are refused by
            // validation, past what a schema can say
            Some(_) => {}
            None => {
                if let Err(e) = verdict {
                    panic!("{}: {e:#}", file.display());
                }
                checked += 1;
            }
        }
    }
    let mut examples = json_files(&root().join("examples"));
    let policies = root().join("examples/policies");
    if policies.is_dir() {
        examples.extend(json_files(&policies));
    }
    for file in examples {
        let policy: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        if let Err(e) = schemas.validate(&policy, index) {
            panic!("{}: {e:#}", file.display());
        }
        checked += 1;
    }
    assert!(checked >= 90, "only {checked} policies were checked");
    assert!(refused >= 2, "only {refused} shape errors were checked");
}

/// The schema catches what an editor should flag as one types: an unknown key, a word
/// outside a vocabulary, a missing version.
#[test]
fn the_schema_refuses_what_the_reader_refuses_for_its_shape() {
    let (schemas, index) = validator();
    for bad in [
        r#"{"users": {}}"#,
        r#"{"version": 2}"#,
        r#"{"version": 1, "colour": "red"}"#,
        r#"{"version": 1, "users": {"a": {"status": "asleep"}}}"#,
        r#"{"version": 1, "profiles": {"p": {"modules": {"m": {"actions": {"view": "most"}}}}}}"#,
        r#"{"version": 1, "users": {"a": {"key": 1.5}}}"#,
        // a role grants the union of at least one profile (`role_without_profile`)
        r#"{"version": 1, "profiles": {"p": {}}, "roles": {"r": {}}}"#,
        r#"{"version": 1, "profiles": {"p": {}}, "roles": {"r": {"profiles": []}}}"#,
    ] {
        let doc: Value = serde_json::from_str(bad).unwrap();
        assert!(schemas.validate(&doc, index).is_err(), "accepted: {bad}");
        assert!(
            Policy::from_json(bad).and_then(|p| p.validate()).is_err(),
            "read: {bad}"
        );
    }
}

/// Where the README's generated list of the reader's refusals begins and ends.
const BEGIN: &str = "<!-- schema-refusals: generated by suite/tests/schema.rs; PERMATRIX_BLESS=1 writes it again -->";
const END: &str = "<!-- /schema-refusals -->";

/// Each refusal the reader makes of a document, with a document that earns it, and
/// whether the shipped schema already flags that document. The README's list is this
/// table, written by the test: `PERMATRIX_BLESS=1 cargo test -p permatrix-suite --test
/// schema` writes it again after a change.
#[test]
fn the_readme_lists_what_the_schema_catches_of_the_readers_refusals() {
    let (schemas, index) = validator();
    let cases: &[(&str, &str, &str)] = &[
        (
            "a document without `version`",
            "malformed",
            r#"{"users": {}}"#,
        ),
        (
            "another version",
            "unsupported_version",
            r#"{"version": 2}"#,
        ),
        (
            "an unknown key",
            "malformed",
            r#"{"version": 1, "colour": "red"}"#,
        ),
        (
            "a word outside its vocabulary",
            "malformed",
            r#"{"version": 1, "users": {"a": {"status": "asleep"}}}"#,
        ),
        (
            "a fraction where a whole number is due",
            "malformed",
            r#"{"version": 1, "teams": {"t": {"result_limit": 2.5}}}"#,
        ),
        (
            "`1.0` where a whole number is due",
            "malformed",
            r#"{"version": 1, "teams": {"t": {"result_limit": 1.0}}}"#,
        ),
        (
            "a role without a profile",
            "role_without_profile",
            r#"{"version": 1, "profiles": {"p": {}}, "roles": {"r": {"profiles": []}}}"#,
        ),
        (
            "an empty id",
            "malformed",
            r#"{"version": 1, "users": {"": {}}}"#,
        ),
        (
            "a display name with a control character",
            "malformed",
            r#"{"version": 1, "users": {"a": {"display_name": "A\u0007"}}}"#,
        ),
        (
            "a key written twice",
            "duplicate_key",
            r#"{"version": 1, "users": {"a": {}, "a": {}}}"#,
        ),
        (
            "a list that names an id twice",
            "duplicate_key",
            r#"{"version": 1, "profiles": {"p": {}}, "roles": {"r": {"profiles": ["p", "p"]}}}"#,
        ),
        (
            "a reference to an item that does not exist",
            "unknown_reference",
            r#"{"version": 1, "profiles": {"p": {}}, "roles": {"r": {"parent": "ghost", "profiles": ["p"]}}}"#,
        ),
        (
            "two ids that read alike",
            "ambiguous_id",
            r#"{"version": 1, "users": {"Bob": {}, "bob": {}}}"#,
        ),
        (
            "a role above itself",
            "role_cycle",
            r#"{"version": 1, "profiles": {"p": {}}, "roles": {"a": {"parent": "b", "profiles": ["p"]}, "b": {"parent": "a", "profiles": ["p"]}}}"#,
        ),
        (
            "a team nested in itself",
            "team_cycle",
            r#"{"version": 1, "teams": {"a": {"teams": ["b"]}, "b": {"teams": ["a"]}}}"#,
        ),
        (
            "a profile's `edit_all` without `view_all`",
            "edit_all_requires_view_all",
            r#"{"version": 1, "profiles": {"p": {"edit_all": true}}}"#,
        ),
        (
            "a mandatory field restricted",
            "mandatory_field_restricted",
            r#"{"version": 1, "modules": {"m": {"fields": {"name": {"mandatory": true}}}}, "profiles": {"p": {"modules": {"m": {"access": "on", "fields": {"name": "hidden"}}}}}}"#,
        ),
    ];
    let mut lines = vec![
        BEGIN.to_string(),
        "| the reader refuses | code | the schema |".to_string(),
        "|---|---|---|".to_string(),
    ];
    for (what, code, text) in cases {
        let refused = Policy::from_json(text).and_then(|p| p.validate());
        let Err(err) = refused else {
            panic!("{what}: the reader accepts {text}")
        };
        assert_eq!(err.code().as_str(), *code, "{what}: {err}");
        // a key written twice cannot reach a schema: JSON parsers keep one of the two
        let caught = match serde_json::from_str::<Value>(text) {
            Ok(doc) => schemas.validate(&doc, index).is_err(),
            Err(_) => false,
        };
        let verdict = if caught { "flags it" } else { "passes it" };
        lines.push(format!("| {what} | `{code}` | {verdict} |"));
    }
    lines.push(END.to_string());
    let generated = lines.join("\n");

    let readme_path = root().join("README.md");
    let readme = std::fs::read_to_string(&readme_path).unwrap();
    let (before, rest) = readme
        .split_once(BEGIN)
        .expect("README.md has the schema-refusals list");
    let (_, after) = rest.split_once(END).unwrap();
    let current = format!("{BEGIN}{}{END}", rest.split_once(END).unwrap().0);
    if std::env::var_os("PERMATRIX_BLESS").is_some() {
        std::fs::write(&readme_path, format!("{before}{generated}{after}")).unwrap();
    } else {
        assert_eq!(
            current, generated,
            "README.md's list is out of date: PERMATRIX_BLESS=1 cargo test -p permatrix-suite --test schema"
        );
    }
}
