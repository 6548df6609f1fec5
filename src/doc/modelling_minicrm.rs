//! # Modelling MiniCRM
//!
//! MiniCRM's help page (seed 000) knows four kinds of user: the **Owner/Admin** who may do
//! everything, **Managers** who see every record, **Users** who see their own records and
//! what is shared with them, and **Externals** who see only what they are given. An
//! administrator can give one user **custom permissions**, and **deactivates** a user
//! who leaves: their data stays, their seat is freed.
//!
//! The complete policy is `examples/policies/minicrm.json` (the demo's default); the
//! conformance case `suite/tests/conformance/guide_minicrm.json` pins down every decision below.
//!
//! ## How each piece is written
//!
//! | MiniCRM | in the policy |
//! |---|---|
//! | Owner/Admin | `"owner": { "admin": "admin" }`: the admin level bypasses data checks (setting `admin_bypass`, on by default) |
//! | Manager | role `manager` with profile `manager`: `all` on most actions, and `role` on deleting deals: only deals whose owner holds her role, or a role below it (`user`), whatever their team |
//! | User | role `user` below `manager` (`"parent": "manager"`): `owner` on deals, `team` on contacts, the `margin` field hidden |
//! | External | `"kind": "external"` with role `external`: `team` on projects; capped to reading by `external_access: read_only` (the default) |
//! | shared with them | a record share (`Share`), reaching read actions for `read` |
//! | custom permissions | `overrides` on the user: Lea's `invoices` entry replaces what her roles give there |
//! | deactivated | `"status": "inactive"` (Tom): every check is denied, his records stay his |
//! | seats | `settings.licenses: 10` |
//!
//! ## What it decides
//!
//! ```
//! use permatrix::{Action, FieldAccess, Policy, Record};
//! let policy = Policy::from_json(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/policies/minicrm.json")))?;
//! let auth = policy.compile()?;
//! let user = |n: &str| auth.user(n).unwrap();
//! let (sales, contacts) = (auth.module("sales").unwrap(), auth.module("contacts").unwrap());
//!
//! // the manager sees every deal and deletes those her subordinates own
//! assert!(auth.can(user("mia"), Action::View, &Record::owned_by_user(sales, user("lea"))));
//! assert!(auth.can(user("mia"), Action::Delete, &Record::owned_by_user(sales, user("ben"))));
//! // a user sees his own deals, not a colleague's, and no margins
//! assert!(!auth.can(user("ben"), Action::View, &Record::owned_by_user(sales, user("lea"))));
//! assert_eq!(auth.field_access(user("ben"), auth.field(sales, "margin").unwrap()), FieldAccess::Hidden);
//! // contacts linked to his team are his to see
//! let nord = auth.team("nord").unwrap();
//! let teams = [nord];
//! let linked = Record::owned_by_user(contacts, user("lea")).with_teams(&teams);
//! assert!(auth.can(user("ben"), Action::View, &linked));
//! // the deactivated user can do nothing
//! assert!(!auth.can(user("tom"), Action::View, &Record::owned_by_user(contacts, user("tom"))));
//! # Ok::<(), permatrix::PolicyError>(())
//! ```
//!
//! `cargo run --example demo` prints Mia's and Ben's matrices and explains a few of these
//! decisions; `permatrix matrix examples/policies/minicrm.json -f html` writes the report.
