//! Administration: safe, audited changes to a policy made as an actor, each checked
//! against what the actor's admin level allows and applied atomically
//! ([administration](crate::doc::semantics#administration) gives the rules).

mod audit;
mod calendars;
mod change;
mod guard;
mod modules;
mod profiles;
mod roles;
mod settings;
mod standing;
mod teams;
mod users;

pub use audit::{AuditEvent, Labels, TransferTarget};
pub use change::Admin;
pub use profiles::ProfileTemplate;
