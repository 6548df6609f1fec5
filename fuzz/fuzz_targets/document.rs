//! Fuzz target `document`: its body is `tests/fuzzing`'s `document::raw`, which ordinary tests share.

#![no_main]

#[path = "../../tests/fuzzing/mod.rs"]
mod fuzzing;

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzzing::document::raw(data));
