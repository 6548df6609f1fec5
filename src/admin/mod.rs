//! Administration (SPEC §7): safe changes to a policy made as an actor, who may
//! administer what, sign-in, and the teams of new records.

mod audit;
mod change;
mod entry;
mod guard;
mod modules;
mod roles;
mod signin;
mod standing;
mod teams;
mod users;

pub use audit::{AuditEvent, Labels, TransferTarget};
pub use change::Admin;
pub use entry::areas;
pub use roles::ProfileTemplate;
pub use signin::{Factors, LoginDenied};
