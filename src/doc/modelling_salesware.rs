//! # Modelling Salesware
//!
//! In Salesware (seed 004) every permission lives in a **user group**: a user holds what
//! their groups give, and may sign in only while at least one of their groups is active.
//! A group can require **two-factor sign-in** whatever the user's own setting, and
//! **limit result sets**. Groups come in two structures: the **administrator structure**
//! (administration rights, reading data) and the **CRM structure** (working with data);
//! a group's structure also **bounds** what its members get.
//!
//! The complete policy is `examples/policies/salesware.json`; the conformance case
//! `suite/tests/conformance/guide_salesware.json` checks every decision below.
//!
//! ## How each piece is written
//!
//! | Salesware | in the policy |
//! |---|---|
//! | permissions on the group | a team's `role`: members hold it while the team is active |
//! | sign in only with an active group | `settings.login_requires_active_team: true` |
//! | per-group 2FA | a team's `factors` (`totp`, `hardware_key`), added to the user's own |
//! | result set limit | a team's `result_limit`, read by `Authorizer::result_limit` |
//! | administrator structure | team `administratoren`: `admin: "admin"` with role `administrator`, whose profile only reads; `admin_bypass: false`, so the level does not open the data |
//! | CRM structure | role `crm` on the sales teams |
//! | the structure bounds its members | team `aussendienst`'s `ceiling: "field_ceiling"`: the CRM grant, capped to what that profile allows |
//! | deactivated group | `archiv`: `active: false`; Olga, only in it, cannot sign in |
//!
//! ## What it decides
//!
//! ```
//! use permatrix::{Action, FieldAccess, Policy, Record};
//! let policy = Policy::from_json(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/policies/salesware.json")))?;
//! let auth = policy.compile()?;
//! let user = |n: &str| auth.user(n).unwrap();
//! let customers = auth.module("customers").unwrap();
//! let veras = Record::owned_by_user(customers, user("vera"));
//!
//! // the administrator reads, but does not change, customer data
//! assert!(auth.can(user("adam"), Action::View, &veras));
//! assert!(!auth.can(user("adam"), Action::Edit, &veras));
//! // the field team's ceiling: its own customers only, the credit limit read-only
//! assert!(!auth.can(user("fiona"), Action::Edit, &veras));
//! assert!(auth.can(user("fiona"), Action::Edit, &Record::owned_by_user(customers, user("fiona"))));
//! assert_eq!(auth.field_access(user("fiona"), auth.field(customers, "credit_limit").unwrap()), FieldAccess::ReadOnly);
//! // sign-in: the group's second factor; no active group, no sign-in
//! assert_eq!(auth.login(user("vera")).unwrap().0, ["totp"]);
//! assert!(auth.login(user("olga")).is_err());
//! # Ok::<(), permatrix::PolicyError>(())
//! ```
