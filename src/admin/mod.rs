//! Administration (SPEC §7): safe changes to a policy made as an actor, who may
//! administer what, sign-in, and the teams of new records.

mod audit;
mod change;
mod guard;
mod modules;
mod roles;
mod standing;
mod teams;
mod users;

pub use audit::{AuditEvent, Labels, TransferTarget};
pub use change::Admin;
pub use roles::ProfileTemplate;
