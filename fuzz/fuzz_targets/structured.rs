//! Fuzz target `structured`: its body is `tests/common/fuzzing`'s `document::structured`, which ordinary tests share.

#![no_main]

#[path = "../../suite/tests/common/mod.rs"]
mod common;
use common::fuzzing;

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzzing::document::structured(data));
