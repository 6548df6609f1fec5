//! # Modelling 1CRM
//!
//! 1CRM's pages (seeds 001 and 002) set rights per module with three switches — access
//! **Off / Restricted / On** — and a scope per action: **All, Team, Role, Owner, Admin,
//! None**. Every user has the **Standard role**; further roles add to it (**additive**,
//! the highest grant counts) or, if the administrator so chooses, restrict it
//! (**subtractive**, the lowest counts). A **team can carry a role** for its members. New
//! records **inherit teams** from their creator, their assignee or related records.
//! Users are never deleted, only deactivated; there are info-only system accounts.
//!
//! The complete policy is `examples/policies/1crm.json`; the conformance case
//! `suite/tests/conformance/guide_1crm.json` checks every decision below.
//!
//! ## How each piece is written
//!
//! | 1CRM | in the policy |
//! |---|---|
//! | Off / Restricted / On | a profile module's `access`: `off`, `read_only`, `on` |
//! | All / Team / Role / Owner / None | the action scopes `all team role owner none` |
//! | Admin | the scope `admin`: only users whose admin level is `admin` (the policy uses none) |
//! | Standard role | `settings.default_role: "standard"`: every user holds it; it never counts as a shared role |
//! | additive / subtractive | `settings.merge`: `additive` here |
//! | team with a role | `"vertrieb": { "role": "sales", … }`: its members hold `sales` while the team is active |
//! | team inheritance | `settings.team_inheritance: ["creator", "related"]`, read by `Authorizer::new_record_teams` |
//! | merge duplicates | the `contacts` tool `merge_duplicates`, granted by the Standard profile |
//! | users are never deleted, only deactivated | `settings.user_deletion: "forbidden"`: `Admin::delete_user` refuses |
//! | info-only system accounts | `"kind": "system"` (`import`): it owns records and never signs in |
//!
//! Vera and Tom are in team `vertrieb`, which confers `sales`: quotes of their team, their
//! own to change, margins hidden; invoices of their team to read. Bea's team
//! `buchhaltung` confers `accounting`: every invoice, and quotes read-only. The trainee
//! holds only the Standard role, which keeps quotes and invoices off.
//!
//! ## What it decides
//!
//! ```
//! use permatrix::{Action, FieldAccess, Policy, Record};
//! let policy = Policy::from_json(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/policies/1crm.json")))?;
//! let auth = policy.compile()?;
//! let user = |n: &str| auth.user(n).unwrap();
//! let quotes = auth.module("quotes").unwrap();
//! let vertrieb = [auth.team("vertrieb").unwrap()];
//! let team_quote = Record::owned_by_user(quotes, user("tom")).with_teams(&vertrieb);
//!
//! assert!(auth.can(user("vera"), Action::View, &team_quote));      // Team
//! assert!(!auth.can(user("vera"), Action::Edit, &team_quote));     // Owner: Tom's
//! assert!(!auth.can_module(user("azubi"), Action::Create, quotes)); // Standard: Off
//! assert!(auth.can(user("bea"), Action::View, &team_quote));       // Restricted: read
//! assert!(!auth.can(user("bea"), Action::Edit, &Record::owned_by_user(quotes, user("bea"))));
//! assert_eq!(auth.field_access(user("vera"), auth.field(quotes, "margin").unwrap()), FieldAccess::Hidden);
//!
//! // a quote Tom creates for Projekt X belongs to his team and to the project's
//! let projekt_x = auth.team("projekt_x").unwrap();
//! let teams = auth.new_record_teams(user("tom"), None, &[projekt_x]).unwrap();
//! assert_eq!(teams.len(), 2);
//! # Ok::<(), permatrix::PolicyError>(())
//! ```
