//! What the test files share, brought in with `mod common;`: the by-name forms of the
//! id-taking questions, the random policy generator, the reference evaluator written
//! straight from SPEC.md, foreign ids, and the fuzz targets' bodies (which `fuzz/`
//! includes too, through this same module).
// each test file uses some of these, none uses all
#![allow(dead_code)]

pub mod by_name;
pub mod foreign;
pub mod fuzzing;
pub mod generate;
pub mod reference;
