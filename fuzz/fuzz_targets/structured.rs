//! Fuzz target `structured`: its body is `tests/fuzzing`'s `document::structured`, which ordinary tests share.

#![no_main]

#[path = "../../tests/fuzzing/mod.rs"]
mod fuzzing;

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzzing::document::structured(data));
