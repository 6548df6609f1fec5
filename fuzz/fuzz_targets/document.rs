//! Fuzz target `document`: its body is `tests/common/fuzzing`'s `document::raw`, which ordinary tests share.

#![no_main]

#[path = "../../suite/tests/common/mod.rs"]
mod common;
use common::fuzzing;

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzzing::document::raw(data));
