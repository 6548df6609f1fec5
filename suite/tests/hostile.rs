//! Hostile documents on disk (`tests/hostile/`): each is read and compiled under the
//! default limits and must end in its specific error code and path, or — for the
//! documents marked `ok` — compile and answer checks within a time bound and a peak of
//! heap memory proportional to its size. `tests/hostile/expectations.tsv` says which, and
//! why each document is hostile.

// tests may unwrap and index: a panic is a failed test, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;
use std::time::{Duration, Instant};

use permatrix::{Action, Policy, Record};

const PEAK_FACTOR: u64 = 48;
const PEAK_FLOOR: u64 = 32 << 20;
const TIME_BOUND: Duration = Duration::from_secs(20);

#[test]
fn hostile_documents_end_as_expected() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile");
    let manifest = std::fs::read_to_string(dir.join("expectations.tsv")).unwrap();
    let mut failures = Vec::new();
    let mut seen = 0;
    for line in manifest
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let mut cols = line.split('\t');
        let (file, expect, path) = (
            cols.next().unwrap(),
            cols.next().unwrap(),
            cols.next().unwrap_or(""),
        );
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        seen += 1;
        let start = Instant::now();
        let mut outcome = Ok(());
        let memory = allocation_counter::measure(|| {
            outcome = Policy::from_json(&text)
                .and_then(|p| p.compile())
                .map(|auth| check_everyone(&auth));
        });
        let took = start.elapsed();
        let bound = PEAK_FACTOR * text.len() as u64 + PEAK_FLOOR;
        if memory.bytes_max > bound {
            failures.push(format!("{file}: peak {} B > {bound} B", memory.bytes_max));
        }
        if took > TIME_BOUND {
            failures.push(format!("{file}: took {took:?}"));
        }
        match (expect, outcome) {
            ("ok", Ok(())) => {}
            ("ok", Err(e)) => failures.push(format!("{file}: refused: {e}")),
            (code, Ok(())) => failures.push(format!("{file}: accepted, expected {code}")),
            (code, Err(e)) => {
                if e.code().as_str() != code || e.path() != path {
                    failures.push(format!(
                        "{file}: {} at `{}`, expected {code} at `{path}` ({})",
                        e.code(),
                        e.path(),
                        e.message()
                    ));
                }
                if e.message().len() > 1100 || e.path().len() > 600 {
                    failures.push(format!("{file}: an error of {} bytes", e.message().len()));
                }
            }
        }
    }
    assert!(seen >= 40, "only {seen} hostile documents");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every user against a record of every module owned by the first user, and every user's
/// filter: an accepted document must also be checkable.
fn check_everyone(auth: &permatrix::Authorizer) {
    let Some(first) = auth.user_at(0) else { return };
    for m in (0..).map_while(|i| auth.module_at(i)) {
        let record = Record::owned_by_user(m, first);
        for u in (0..).map_while(|i| auth.user_at(i)) {
            let can = auth.can(u, Action::View, &record);
            assert_eq!(auth.filter(u, Action::View, m).matches(&record), can);
        }
    }
}
