//! Fuzz target `checks`: its body is `tests/common/fuzzing`'s `checks::run`, which ordinary tests share.

#![no_main]

#[path = "../../suite/tests/common/mod.rs"]
mod common;
use common::fuzzing;

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzzing::checks::run(data));
