//! Differential test: the compiled authorizer against the reference evaluator (written
//! straight from SPEC.md, see `tests/common/reference`) on random policies and random checks.
//!
//! Policies are built from a "choice tape" of random numbers that proptest generates and
//! shrinks: a shorter tape or smaller numbers give a smaller policy, so a failure shrinks
//! to a small example. By default 256 policies × 200 checks; set
//! `PERMATRIX_PROPTEST_CASES` to run more policies. The checks themselves live in
//! `tests/common/fuzzing/differential.rs`, shared with the `differential` fuzz target.

// tests may unwrap and index: a panic is a failed test, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::fuzzing;

use common::generate::{Tape, random_policy};
use fuzzing::differential::{CHECKS_PER_POLICY, run_checks};
use permatrix::Policy;
use proptest::prelude::*;

fn cases() -> u32 {
    std::env::var("PERMATRIX_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 4096, ..ProptestConfig::default() })]

    #[test]
    fn authorizer_equals_reference(
        policy_tape in prop::collection::vec(any::<u32>(), 1500),
        check_tape in prop::collection::vec(any::<u32>(), CHECKS_PER_POLICY * 30),
    ) {
        let policy = random_policy(&mut Tape { data: &policy_tape, pos: 0 });
        // the document form must round-trip too
        let reread = Policy::from_json(&policy.to_json().unwrap());
        prop_assert_eq!(reread.as_ref(), Ok(&policy));
        run_checks(&policy, &mut Tape { data: &check_tape, pos: 0 }).map_err(TestCaseError::fail)?;
    }
}
