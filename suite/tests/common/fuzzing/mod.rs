//! The bodies of the fuzz targets under `fuzz/`, shared with the ordinary tests. Each takes
//! the fuzzer's bytes and panics when a property fails; `tests/fuzz_regressions.rs` replays
//! every input kept in `fuzz/regressions/<target>/` through the same function, so a crash
//! found once stays fixed.

#![allow(dead_code)]

pub mod admin;
pub mod answers;
pub mod changes;
pub mod checks;
pub mod differential;
pub mod document;

/// The body of a fuzz target: panics when a property fails for `data`.
pub type Body = fn(&[u8]);

/// Every fuzz target by name (the file name under `fuzz/fuzz_targets/`) and its body.
pub const TARGETS: &[(&str, Body)] = &[
    ("document", document::raw),
    ("structured", document::structured),
    ("checks", checks::run),
    ("admin", admin::run),
    ("differential", differential::run),
];

/// The choice tape `data` spells, four bytes a choice (see `generate::Tape`), and the
/// bytes left over. At most `max` choices are taken.
pub fn tape_and_rest(data: &[u8], max: usize) -> (Vec<u32>, &[u8]) {
    let mut u = arbitrary::Unstructured::new(data);
    let n = u.arbitrary_len::<u32>().unwrap_or(0).min(max);
    let tape = (0..n).map(|_| u.arbitrary::<u32>().unwrap_or(0)).collect();
    (tape, u.take_rest())
}
