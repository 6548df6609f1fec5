//! An empty diff is a promise (SPEC §7): for random policies and one random
//! administration change of any kind (or a host's edit of the document), every answer
//! that differs between the authorizer before and after — each decision over a set of
//! records, fields, tools, calendars, picklists and adding to them, sign-in, the result
//! limit, the admin level and areas, module access and cells, the teams of new records,
//! host keys — is named by `diff`, in the right direction (a gain as a gain). So where
//! the diff names nothing, nothing differs.
//!
//! The answers are asked through the public API (`tests/common/fuzzing/answers.rs`), not taken
//! from the diff. By default 256 cases; `PERMATRIX_PROPTEST_CASES` runs more.

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
use fuzzing::answers::{agrees, covering, differences, records};
use fuzzing::changes::{Names, random_change, random_document_edit};
use permatrix::diff;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

fn cases() -> u32 {
    std::env::var("PERMATRIX_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

#[derive(Default, Debug)]
struct Counts {
    cases: u32,
    changed: u32,
    differing_answers: usize,
    empty_diffs: u32,
}

#[test]
fn every_changed_answer_is_in_the_diff() {
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        max_shrink_iters: 2048,
        ..Config::default()
    });
    let counts = std::cell::RefCell::new(Counts::default());
    let strategy = (
        prop::collection::vec(any::<u32>(), 1500),
        prop::collection::vec(any::<u32>(), 48),
        prop::collection::vec(any::<u32>(), 400),
    );
    let outcome = runner.run(&strategy, |(policy_tape, change_tape, record_tape)| {
        let policy = random_policy(&mut Tape { data: &policy_tape, pos: 0 });
        let was = policy.compile().map_err(|e| TestCaseError::fail(e.to_string()))?;
        // the same policy compiled twice: nothing differs, and the diff says nothing
        let again = policy.compile().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let same = diff(&was, &again);
        prop_assert!(same.is_empty(), "an unchanged policy:\n{same}");
        let mut next = policy.clone();
        let t = &mut Tape { data: &change_tape, pos: 0 };
        counts.borrow_mut().cases += 1;
        let applied = if t.chance(15) {
            random_document_edit(&mut next, t).is_some()
        } else {
            let names = Names::of(&policy);
            random_change(&mut next.admin_as_host(), &names, t).is_ok()
        };
        if !applied {
            return Ok(());
        }
        let now = next.compile().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let d = diff(&was, &now);
        let recs = records(&was, &now, &mut Tape { data: &record_tape, pos: 0 }, 60);
        let mut c = counts.borrow_mut();
        c.changed += 1;
        if d.is_empty() {
            c.empty_diffs += 1;
        }
        for user in now.policy().users.keys() {
            for difference in differences(&was, &now, user, &recs) {
                c.differing_answers += 1;
                let covered = covering(&d, user, &difference);
                prop_assert!(
                    covered.is_some_and(|dir| agrees(dir, &difference)),
                    "{user}: {:?} ({}) changed ({} gain, {} loss), the diff says {covered:?}:\n{d}\nbefore: {}\nafter: {}",
                    difference.surface,
                    difference.detail,
                    difference.gain,
                    difference.loss,
                    policy.to_json().unwrap_or_default(),
                    next.to_json().unwrap_or_default()
                );
            }
        }
        Ok(())
    });
    let c = counts.into_inner();
    eprintln!("diff promise: {c:?}");
    if let Err(e) = outcome {
        panic!("{e}");
    }
    // the test is not empty: most cases change the policy, and answers do change
    assert!(c.changed * 2 > c.cases, "{c:?}");
    assert!(c.differing_answers > c.cases as usize, "{c:?}");
}
