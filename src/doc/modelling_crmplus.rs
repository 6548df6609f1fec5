//! # Modelling CRM+ (vtiger)
//!
//! CRM+ (seed 003, a vtiger descendant) has three administrator levels — **admin**,
//! **CustomerAdmin**, **Superuser** — a **role hierarchy** in which a superior sees what
//! their subordinates own, **profiles** with *view all* / *edit all*, field and tool
//! switches, **organisation-wide defaults** per module (private, public read, …), a
//! **calendar that is always private**, modules without an owner, **custom sharing
//! rules** between roles, and **groups** built from users, roles, roles with their
//! subordinates, and other groups. Its manual warns that some settings are ignored for
//! administrative users.
//!
//! The complete policy is `examples/policies/crmplus.json`; the conformance case
//! `suite/tests/conformance/guide_crmplus.json` checks every decision below.
//!
//! ## How each piece is written
//!
//! | CRM+ | in the policy |
//! |---|---|
//! | admin, CustomerAdmin, Superuser | a user's `admin`: `admin`, `customer_admin`, `superuser` (the areas each may administer: `settings.admin_areas`) |
//! | administrative users ignore settings | `admin` and `customer_admin` bypass data checks while `admin_bypass` is on (the default): Sven, the CustomerAdmin, edits any account |
//! | role hierarchy | roles' `parent`: `ceo` > `sales_head` > `rep`; `support` below `ceo` |
//! | view all / edit all | the profile `leitung`'s `view_all` and `edit_all` |
//! | org-wide defaults | a module's `sharing`: `leads` private, `accounts` public read |
//! | calendar always private | `calendar`: `sharing: private`, `sharing_locked: true` |
//! | modules without owner | `documents`: `owned: false` |
//! | custom sharing rule | `sharing_rules`: accounts of role `rep` are read-write for role `support` |
//! | groups | teams by `roles`, by `roles_and_subordinates`, and of other `teams` (`alle`) |
//!
//! ## What it decides
//!
//! ```
//! use permatrix::{Action, Policy, Record};
//! let policy = Policy::from_json(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/policies/crmplus.json")))?;
//! let auth = policy.compile()?;
//! let user = |n: &str| auth.user(n).unwrap();
//! let (leads, accounts) = (auth.module("leads").unwrap(), auth.module("accounts").unwrap());
//!
//! // down the hierarchy, never up or sideways
//! assert!(auth.can(user("hanna"), Action::View, &Record::owned_by_user(leads, user("ralf"))));
//! assert!(!auth.can(user("ralf"), Action::View, &Record::owned_by_user(leads, user("hanna"))));
//! assert!(!auth.can(user("ralf"), Action::View, &Record::owned_by_user(leads, user("rita"))));
//! // accounts are public to read, not to change
//! assert!(auth.can(user("ralf"), Action::View, &Record::owned_by_user(accounts, user("rita"))));
//! assert!(!auth.can(user("ralf"), Action::Edit, &Record::owned_by_user(accounts, user("rita"))));
//! // the sharing rule: service edits the reps' accounts, not the head's
//! assert!(auth.can(user("sina"), Action::Edit, &Record::owned_by_user(accounts, user("ralf"))));
//! assert!(!auth.can(user("sina"), Action::Edit, &Record::owned_by_user(accounts, user("hanna"))));
//! // the CEO's profile views and edits everything
//! assert!(auth.can(user("carl"), Action::Edit, &Record::owned_by_user(leads, user("ralf"))));
//! # Ok::<(), permatrix::PolicyError>(())
//! ```
