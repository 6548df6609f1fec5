//! # permatrix
//!
//! Role-, team- and sharing-based authorization for CRM-style applications, compiled into
//! a precomputed permission matrix.
//!
//! A host application describes its modules, profiles, roles (flat or in a hierarchy),
//! teams, users and sharing rules as a [`Policy`] — in code or as a JSON document — and
//! [`Policy::compile`]s it into an immutable, thread-safe [`Authorizer`]. The authorizer
//! answers [`Authorizer::can`] without allocating, [`explains`](Authorizer::explain) every
//! decision, renders each user's matrix for administrators ([`Authorizer::matrix`]), and
//! turns "which records may this user list?" into a SQL filter
//! ([`Authorizer::filter`], [`Filter::to_sql`]) so the host's database does the work.
//!
//! Administrators change the policy through [`Policy::admin`]: every change is checked
//! against the actor's admin level, applied atomically and reported as an
//! [`AuditEvent`]. [`LiveAuthorizer`] swaps newly compiled authorizers in for concurrent
//! readers and deactivates users at once; [`diff()`] previews who gains and loses what —
//! every answer that changes, and why — and the guards of administration judge every
//! change by the same comparison.
//!
//! ```
//! use permatrix::{Action, Policy, Record};
//!
//! let policy = Policy::from_json(r#"{
//!   "version": 1,
//!   "modules":  { "accounts": {} },
//!   "profiles": { "sales": { "modules": { "accounts": {
//!                   "access": "on", "actions": { "view": "team", "edit": "owner" } } } } },
//!   "roles":    { "rep": { "profiles": ["sales"] } },
//!   "teams":    { "north": { "users": ["alice", "bob"] } },
//!   "users":    { "alice": { "roles": ["rep"] }, "bob": { "roles": ["rep"] } }
//! }"#)?;
//! let auth = policy.compile()?;
//! let (alice, bob) = (auth.user("alice").unwrap(), auth.user("bob").unwrap());
//! let accounts = auth.module("accounts").unwrap();
//! let north = [auth.team("north").unwrap()];
//! let bobs = Record::owned_by_user(accounts, bob).with_teams(&north);
//!
//! assert!(auth.can(alice, Action::View, &bobs));  // same team
//! assert!(!auth.can(alice, Action::Edit, &bobs)); // edit is owner-only
//! println!("{}", auth.explain(alice, Action::Edit, &bobs));
//! # Ok::<(), permatrix::PolicyError>(())
//! ```
//!
//! ## Contents
//!
//! - **Reference**: [`doc::semantics`] (every decision, step by step, and the rules that
//!   surprise), [`doc::document`] (every key and word of the policy document) and
//!   [`doc::concepts`] (the CRM products' words for each concept); [`doc::migrating`]
//!   shows the same rules in casbin-rs, Cedar and permatrix.
//! - **The policy**: [`Policy`] and its parts in [`policy`] ([`Module`](policy::Module),
//!   [`Profile`](policy::Profile), [`Role`](policy::Role), [`Team`](policy::Team),
//!   [`User`](policy::User), [`SharingRule`](policy::SharingRule),
//!   [`Settings`](policy::Settings)), read from JSON or built in code; [`HostKey`] ties
//!   users, teams and modules to the host's own keys; [`Limits`](policy::Limits) bounds
//!   what a document may cost.
//! - **Compiling**: [`Policy::compile`], [`Policy::into_authorizer`],
//!   [`Authorizer::recompile`].
//! - **Checks**: [`Authorizer::can`], [`Authorizer::can_module`], [`Authorizer::can_many`],
//!   field and tool access ([`Authorizer::field`] resolves a name to a [`FieldId`] once,
//!   [`Authorizer::field_access`] asks with it; [`Authorizer::tool`], [`ToolId`],
//!   [`Authorizer::can_use_tool`]), [`Authorizer::visible_fields`],
//!   [`Authorizer::allowed_modules`], [`Authorizer::result_limit`],
//!   [`Authorizer::merge_order`]. Records are [`Record`] (borrowed) or [`OwnedRecord`].
//!   Ids ([`UserId`], [`TeamId`], [`ModuleId`], [`RoleId`](authorizer::RoleId)) are
//!   looked up once by name or host key and belong to the authorizer that issued them;
//!   [one rule](authorizer#unknown-and-stale-ids) says what every method does with an id
//!   it did not issue.
//! - **Lists**: [`Authorizer::filter`] gives a [`Filter`] whose
//!   [`Condition`](filter::Condition) holds exactly
//!   for the records `can` allows; [`Filter::to_sql`] writes it for SQLite or PostgreSQL
//!   over the host's tables ([`SqlSchema`], [`SqlKeys`](filter::SqlKeys)): a share table, an owning team
//!   and team links are each optional ([`filter::RecordTeams`]). With the `rusqlite`
//!   feature (rusqlite `>=0.39, <0.42`; 0.39 beside `store-sqlite`, which links one
//!   SQLite) or the `postgres` feature (`postgres-types` 0.2: `postgres` 0.19,
//!   `tokio-postgres` 0.7), the parameters bind as they are.
//! - **Explaining**: [`Authorizer::explain`] ([`Explanation`]), [`Authorizer::matrix`]
//!   ([`MatrixView`]), [`diff()`] ([`PolicyDiff`](explain::PolicyDiff)): the
//!   [`explain`] stage, what a person reads.
//! - **Administration**: [`Policy::admin`] ([`Admin`], [`AuditEvent`]),
//!   [`Authorizer::can_admin`], [`Authorizer::login`], [`Authorizer::new_record_teams`].
//! - **Serving**: [`LiveAuthorizer`] publishes new authorizers to concurrent readers and
//!   deactivates users at once.
//! - **Many instances** (features `store-sqlite`, `store-postgres`): `store::PolicyStore`
//!   keeps the policy in the host's database with optimistic commits and a persisted audit
//!   trail, and `store::Watcher` brings every instance's [`LiveAuthorizer`] each new
//!   revision.
//! - **Errors**: every error type has `code() -> `[`ErrorCode`], a stable string.
//!
//! The root re-exports the names a host needs on its first day: the policy, the
//! authorizer and its ids and records, the first errors, a filter, an explanation, the
//! live authorizer and administration. Every other name lives in its themed module only:
//! [`policy`] (the model's parts and words), [`authorizer`] (ids, [`Cell`](authorizer::Cell),
//! sign-in), [`filter`] (conditions and SQL), [`explain`] (explanations, the matrix,
//! [`diff`](mod@explain::diff)), [`admin`], [`seats`], [`live`] and [`error`].
//!
//! ## Semantics in brief
//!
//! - A **profile** grants, per module, an access (`off`, `read_only`, `on`), a scope per
//!   action (`all team role owner admin none`), field access and tools. A **role** holds
//!   profiles and unites them. A user's **sources** are the default role, their direct
//!   roles and the roles their active teams confer (bounded by a team's `ceiling`).
//! - Sources merge **additively** (the highest grant counts) or **subtractively** (the
//!   lowest). Per-user **overrides** replace what they name; external users are capped to
//!   reading; users who are not active get nothing; public modules widen any grant.
//! - Each (user, module, action) becomes one of seven [`Cell`](authorizer::Cell)s, precomputed. A check
//!   evaluates the cell against three facts about the record: the user is (or acts as) the
//!   owner, shares a direct role with the owner, or is in one of the record's teams. Sharing
//!   rules and record shares widen which records a granted action reaches.
//! - Deny is the default everywhere: a missing module, action, tool or id denies.
//!
//! [`doc::semantics`] gives all of it; the choices this crate made where the model leaves
//! room are listed under [Choices](#choices).
//!
//! ## Choices
//!
//! - A user written without `status` is `active`.
//! - [`Authorizer::can_module`] with a record-level action on an owned module denies: it
//!   needs a record.
//! - Field and tool names are resolved once ([`Authorizer::field`], [`Authorizer::tool`]):
//!   an unknown name is `None`, and no question is asked by name.
//! - Ids are positions in the policy's maps, stamped with the generation of the compile
//!   that issued them (a process-wide counter). An id of another compile — an earlier one
//!   kept across a recompile, or another policy's — names nobody, and every method
//!   follows [one rule](authorizer#unknown-and-stale-ids) for it: a check denies it
//!   (`false`, `hidden`, an empty list, a result limit of 0, a filter matching nothing)
//!   and its `try_` form returns `stale_id`; every other method returns an error with
//!   `stale_id` (a `CheckError` for names, keys, cells and the matrix; a `LoginError`
//!   for sign-in, a `SeatError` for a seat), so `Option` in an answer means absence or a
//!   check's denial, never "unknown". We weighed keeping
//!   ids stable across recompiles instead; a generation cannot be fooled by a document
//!   read afresh, where positions are all a policy knows. Copies made by
//!   [`Authorizer::with_user_active`] share the generation, so deactivation keeps ids.
//!   Generations are never reused: after 2³² − 1 compiles in one process, compiling
//!   fails with `limit_exceeded` rather than wrap.
//! - A list that names an id twice (a module's `tools`, a team's users, a user's roles, a
//!   role's profiles) is `duplicate_key`: a repeat is a mistake, not a stronger grant.
//! - Ids people read ([the document](crate::doc::document#ids-people-read)): besides the
//!   two rules of the model (equal after NFKC and case folding; equal confusables
//!   skeletons), two ids whose case-folded forms share a skeleton are `ambiguous_id` too,
//!   and the names of a module's fields and tools are held to the same rules.
//! - Filters ([`Authorizer::filter`]) equal `can` for every record the authorizer can
//!   name. A database row whose owner, team or share names an id the policy does not know
//!   (a stale row) is outside that promise: `can` cannot even be asked about it. Such a row
//!   passes a filter only where the filter is `True` (bypassing admins, `all` cells,
//!   modules without owners); every narrower condition names known ids only.
//! - The SQL translation needs no dependency, so it is not behind a feature flag.
//! - Administration: the crate's own changes belong to the areas in [`areas`](authorizer::areas)
//!   (`users`, `roles`, `profiles`, `teams`, `sharing_rules`, `settings`,
//!   `module_manager`, `module_settings`). A copied user gets the source's roles, direct
//!   team memberships, overrides, factors and kind, status `invited` and no admin level of
//!   their own. Deleting a user or team also drops the sharing rules and calendar shares
//!   that name it. `last_admin` applies only to a policy that has an active admin to lose.
//!   The revision counter is not part of the document ([the document](crate::doc::document) has no such key).
//! - `login` of an id the authorizer did not issue is `stale_id`, as in the seat register.
//! - `AdminSeats` refuses a user whose sign-in is refused with the sign-in's own code,
//!   whether or not they are an administrator.
//! - The guards on actors below `admin` ([administration](crate::doc::semantics#administration)) are judged by what a change does, by
//!   comparing the policy before and after it. Below `admin`, an actor may still change the
//!   display name of a team that has an administrator among its members, and its other
//!   members; everything else about such a team (active state, nesting, role entries,
//!   conferred role, ceiling, factors, result limit, calendar) is for an `admin`.
//! - No self-grant: below `admin`, an actor may rename themselves, lower their own level or
//!   deactivate themselves, and nothing else of their own record. Besides the items
//!   [administration](crate::doc::semantics#administration) names, a change is refused when
//!   [`diff()`]'s comparison shows any answer about the actor widening. A
//!   `customer_admin` is an administrator: any change to their own answers (a lower result
//!   limit too) is an `admin`'s to make.
//! - Judged by effect, a field, tool, module, picklist or picklist value that only one
//!   policy declares is the diff's added or removed item. For a user whose data checks are
//!   bypassed on both sides nothing else is said of it, so a `customer_admin` adding a
//!   module or a tool does not "gain" it; for anyone else, what the new item gives them is
//!   listed, and judged, like any grant. The layout editor of a new module follows the
//!   same rule.
//! - The diff's answers for a user whose data checks are bypassed on either side leave out
//!   their cells and module access: the matrix still holds what their profiles give, but
//!   no decision on a bypassing side reads it. Editing such a user's profile changes none
//!   of their answers, and a bypass gained or lost is one item whose direction is that of
//!   every data answer.
//! - Below `admin`, the heir a deletion names (who takes over the records) may not be
//!   anyone whose records the actor reaches further than the deleted owner's: themselves,
//!   their team, a subordinate, a user sharing their role. A role or profile heir is
//!   judged by its effect on the actor's reach, like any change.
//! - A role that makes a user at or above `customer_admin` a member of a team (a team's
//!   role entry they hold, or a role above theirs a team takes with its subordinates) is
//!   for an `admin` to change, whatever the change.
//! - [`LiveAuthorizer::set_active`] holds in every later published authorizer until a
//!   published policy shows the same status for that user.
//! - Record shares are the host's data, not the policy's: the host applies [administration](crate::doc::semantics#administration)'s
//!   self-grant rule to them (see SECURITY.md).

// `unsafe_code` is forbidden and the no-panic lints denied in Cargo.toml's `[lints]`:
// no input may make the crate panic. Unit tests may unwrap.
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod admin;
pub mod authorizer;
mod cell;
mod checks;
mod compile;
pub mod doc;
pub mod error;
mod escape;
pub mod explain;
pub mod filter;

mod ids;
mod lists;
pub mod live;
pub mod policy;
pub mod seats;
#[cfg(feature = "store")]
pub mod store;

pub use admin::{Admin, AuditEvent};
pub use authorizer::{
    Authorizer, FieldId, ModuleId, OwnedRecord, Owner, Record, Share, TeamId, ToolId, UserId,
};
pub use error::{CheckError, ErrorCode, PolicyError};
pub use explain::{Explanation, MatrixView, diff};
pub use filter::{Filter, SqlDialect, SqlSchema};
pub use live::LiveAuthorizer;
pub use policy::{Action, FieldAccess, HostKey, Policy};

/// The README's examples run as doctests, so the quickstart stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
