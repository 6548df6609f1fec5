//! What permatrix's benches, examples and tests share beyond the crate itself: the CRM
//! workload they measure, generated from its shape.
//!
//! The package `permatrix-suite` holds the crate's integration tests (`tests/`), benches
//! (`benches/`) and the examples that need a web framework, a database or an async runtime
//! (`examples/`), so that the crate's own dev-dependencies stay empty and a newcomer's
//! `cargo run --example demo` builds the library and the demo alone.
// test code, like the tests, benches and examples beside it: a bad index or a failed
// expectation is a failed run, so the crate's no-panic lints do not apply
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::should_implement_trait
)]

pub mod workload;
