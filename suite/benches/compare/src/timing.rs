//! Verification against permatrix, and the timing of the query loop.

use std::hint::black_box;
use std::time::{Duration, Instant};

use crate::workload::{Query, Workload};

/// An engine ready to answer the workload's queries.
pub trait Checker {
    /// Turn the queries into the engine's own request values. Setup: never timed.
    fn prepare(&mut self, workload: &Workload, queries: &[Query]);
    /// The decision for prepared query `i`.
    fn check(&self, i: usize) -> bool;
}

/// How many of the queries an engine was verified (and so may be timed) on.
#[derive(Debug, Clone, Copy)]
pub struct Verified {
    pub queries: usize,
    /// Mean time per check while verifying: a rough guide for sizing the timed subset.
    pub estimate: Duration,
}

/// Checks queries in order (through a trait object: this is not timed) against `expected` until all are done or `budget` is spent
/// (then a whole number of hundreds, at least one hundred). Returns the first
/// disagreement as an error: nothing is timed on an engine that disagrees.
pub fn verify(
    engine: &dyn Checker,
    expected: &[bool],
    budget: Duration,
    describe: impl Fn(usize) -> String,
) -> Result<Verified, String> {
    let started = Instant::now();
    let mut done = 0;
    while done < expected.len() {
        let end = (done + 100).min(expected.len());
        for (i, &want) in expected.iter().enumerate().take(end).skip(done) {
            let got = engine.check(i);
            if got != want {
                return Err(format!(
                    "query {i} ({}): permatrix says {}, this engine says {}",
                    describe(i),
                    verdict(want),
                    verdict(got)
                ));
            }
        }
        done = end;
        if started.elapsed() > budget {
            break;
        }
    }
    Ok(Verified {
        queries: done,
        estimate: started.elapsed() / done as u32,
    })
}

fn verdict(allowed: bool) -> &'static str {
    if allowed { "allow" } else { "deny" }
}

/// Median ns per check over `rounds` passes of the query loop on queries `0..count`,
/// after one untimed warm-up pass over the first hundred.
pub fn time<C: Checker>(engine: &C, count: usize, rounds: usize) -> f64 {
    let mut allowed = 0usize;
    for i in 0..count.min(100) {
        allowed += usize::from(engine.check(i));
    }
    let mut per_check: Vec<f64> = (0..rounds)
        .map(|_| {
            let started = Instant::now();
            for i in 0..count {
                allowed += usize::from(engine.check(black_box(i)));
            }
            started.elapsed().as_nanos() as f64 / count as f64
        })
        .collect();
    // the decisions feed an observable value, so the loop cannot be optimised away
    black_box(allowed);
    per_check.sort_by(f64::total_cmp);
    per_check[per_check.len() / 2]
}
