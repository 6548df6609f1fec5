//! Each policy of a modelling guide (`examples/policies/*.json`) reads, compiles, and is
//! the policy of the conformance case `tests/conformance/guide_<name>.json`, whose checks
//! pin down what the guide says it decides.

// tests may unwrap and index: a panic is a failed test, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

use permatrix::Policy;

#[test]
fn every_guide_policy_is_a_conformance_case() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let policies = root.join("../examples/policies");
    let mut seen = Vec::new();
    for entry in std::fs::read_dir(policies).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        Policy::from_json(&text)
            .and_then(|p| p.compile())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let case_path = root.join(format!("tests/conformance/guide_{name}.json"));
        let case: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(&case_path)
                .unwrap_or_else(|e| panic!("{}: {e}", case_path.display())),
        )
        .unwrap();
        let file: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            case["policy"],
            file,
            "{} and {} differ",
            case_path.display(),
            path.display()
        );
        assert!(case["checks"].as_array().is_some_and(|c| c.len() >= 10));
        seen.push(name);
    }
    seen.sort();
    assert_eq!(seen, ["1crm", "crmplus", "minicrm", "salesware"]);
}
