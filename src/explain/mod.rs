//! What a person reads: the explanation of a decision ([`Explanation`]) and of a calendar
//! access ([`CalendarExplanation`]), a user's matrix ([`MatrixView`]), the HTML report of
//! many users, and the change preview ([`mod@diff`]) — every answer that differs between
//! two authorizers, and why.
//!
//! The stage reads the check stage's answers and turns them into words; it decides
//! nothing of its own.

pub(crate) mod calendar;
pub(crate) mod decision;
pub mod diff;
pub(crate) mod matrix;
pub(crate) mod report;

pub use crate::checks::decision::{Facts, OwnerFact, Step};
pub use calendar::{CalendarExplanation, CalendarReason};
pub use decision::{Explanation, Named, SourceGrant};
pub use diff::{Change, PolicyDiff, diff};
pub use matrix::MatrixView;
