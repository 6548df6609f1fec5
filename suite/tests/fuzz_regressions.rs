//! Replays every input kept in `fuzz/regressions/<target>/` through the body of its fuzz
//! target (`tests/common/fuzzing`), so a crash the fuzzers found once stays fixed, on an ordinary
//! `cargo test` without a nightly toolchain or cargo-fuzz.

// tests may unwrap and index: a panic is a failed test, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::fuzzing;

use std::path::Path;

#[test]
fn kept_fuzz_inputs_still_pass() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/regressions");
    let mut replayed = 0;
    for (target, body) in fuzzing::TARGETS {
        let dir = root.join(target);
        assert!(dir.is_dir(), "{} is missing", dir.display());
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        for file in files {
            let data = std::fs::read(&file).unwrap();
            let outcome = std::panic::catch_unwind(|| body(&data));
            assert!(outcome.is_ok(), "{} fails again", file.display());
            replayed += 1;
        }
    }
    assert!(replayed > 0, "no kept inputs at all");
}

/// The seeds each target starts from also pass (they are part of the corpus).
#[test]
fn every_target_accepts_empty_and_small_inputs() {
    for (_, body) in fuzzing::TARGETS {
        body(&[]);
        body(&[0; 64]);
        body(&[0xff; 64]);
        body(include_bytes!("../../examples/policies/minicrm.json"));
    }
}
