//! The reference: what every decision means and what the policy document may say, in one
//! place, so that no reader needs anything beyond these pages.
//!
//! - [`semantics`]: the model's words, how profiles become a user's grants, the eight
//!   decision steps that [`Authorizer::explain`](crate::Authorizer::explain) numbers,
//!   fields and tools, list filters, administration and sign-in, calendars and
//!   picklists, and the rules that surprise people.
//! - [`document`]: every key and word of the JSON policy document, its settings and
//!   their defaults, and the error codes a document can be refused with.
//! - [`concepts`]: the words of the CRM products permatrix was drawn from (MiniCRM, 1CRM,
//!   CRM+, Salesware), and what each is called here.
//! - [`migrating`]: the same rules in casbin-rs, Cedar and permatrix.
//! - Modelling each seed product, each with a complete policy in `examples/policies/`:
//!   [`modelling_minicrm`], [`modelling_1crm`], [`modelling_crmplus`] (vtiger),
//!   [`modelling_salesware`].
//! - [`command_line`]: the `permatrix` tool (feature `cli`), its exit statuses, its JSON
//!   output and the HTML report.
//! - Many app instances on one database: the policy store, in [`crate::store`] (features
//!   `store-sqlite`, `store-postgres`).
//! - Embedding in a web service: `suite/examples/web_service.rs`, an axum app whose
//!   handlers check `can` for one record, list records through the SQL filter in one
//!   query, and leave out hidden fields (`cargo run -p permatrix-suite --example
//!   web_service`).
//!
//! These modules hold no code.

pub mod command_line;
pub mod concepts;
pub mod document;
pub mod migrating;
pub mod modelling_1crm;
pub mod modelling_crmplus;
pub mod modelling_minicrm;
pub mod modelling_salesware;
pub mod semantics;
