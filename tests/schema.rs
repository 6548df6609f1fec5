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

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
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
    for file in json_files(&root().join("tests/conformance")) {
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
