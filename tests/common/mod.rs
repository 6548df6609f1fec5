//! Helpers the test files share: `mod common;` at the top of a test brings them in.
#![allow(dead_code)] // each test file uses some of them

pub mod by_name;
