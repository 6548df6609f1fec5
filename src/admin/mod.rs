//! Administration (SPEC §7): who may administer what, sign-in, and the teams of new
//! records.

mod entry;
mod signin;

pub use entry::areas;
pub(crate) use entry::level_may_enter;
pub use signin::{Factors, LoginDenied};
