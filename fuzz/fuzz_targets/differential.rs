//! Fuzz target `differential`: its body is `tests/fuzzing`'s `differential::run`, which ordinary tests share.

#![no_main]

#[path = "../../tests/fuzzing/mod.rs"]
mod fuzzing;

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzzing::differential::run(data));
