//! Fuzz target `checks`: its body is `tests/fuzzing`'s `checks::run`, which ordinary tests share.

#![no_main]

#[path = "../../tests/fuzzing/mod.rs"]
mod fuzzing;

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzzing::checks::run(data));
