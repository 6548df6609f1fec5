//! The authorizer's one public face: every public method of [`Authorizer`] is in this
//! file, grouped by what a host asks — compiling, ids, checks, a user's standing, lists,
//! and what a person reads — and each delegates to the stage that answers it: the check
//! stage (decisions, fields, tools, calendars, sign-in), [`filter`] (list
//! filters) and [`explain`] (explanations, the matrix, the report).
//!
//! # Unknown and stale ids
//! An id belongs to the authorizer that issued it ([Choices](crate#choices)). Every
//! method follows one rule for an id it did not issue:
//! - a **check** — a question whose answer grants something: `can`, `can_module`,
//!   `can_many`, `bypasses`, `field_access`, `can_use_tool`, `picklist_values`,
//!   `can_add_picklist_value`, `calendar_access`, `result_limit`, `visible_fields`,
//!   `allowed_modules`, `merge_order`, `offers_merge`, `can_admin`
//!   and `filter` — **denies**: `false`, `hidden`, no values, no calendar access, a
//!   result limit of `Some(0)`, an empty list, no merge, a filter that matches nothing.
//!   The checks a host asks on its hot path have one `try_` form each (`try_can`,
//!   `try_can_module`, `try_field_access`, `try_can_use_tool`, `try_calendar_access`,
//!   `try_result_limit`, `try_filter`) that returns the [`CheckError`] (`stale_id`)
//!   instead, where a host needs to tell a denial from a mistake. The explanations of checks
//!   (`explain`, `explain_module`, `explain_calendar`) explain that denial (step
//!   `unknown_id`);
//! - **every other method** that takes an id returns `Result<_, CheckError>` with that
//!   error — names, host keys, cells, module access, admin level, teams, activity, the
//!   matrix, `new_record_teams`, `with_user_active`, `record_from_row`, `report_html` — and sign-in returns its own
//!   [`LoginError`] (`stale_id`), as the seat register does. So `Option` in an answer
//!   only ever means absence (no host key, no result limit) or, in a check, the denial
//!   itself (no calendar access, no merge);
//! - a lookup by name, position or host key (`user`, `module_at`, `team_by_key`, …)
//!   returns `None` when nothing has that name; `field` and `tool` look a name up in a
//!   module, and a module this authorizer did not issue has no names.

use crate::{checks, explain, filter};
use std::sync::Arc;

use crate::compile;
use crate::error::{CheckError, IdKind, PolicyError};
use crate::explain::{CalendarExplanation, Explanation, MatrixView};
use crate::filter::{Filter, SqlSchema, StoredRecord};
use crate::policy::{Access, Action, AdminLevel, CalendarLevel, FieldAccess, HostKey, Policy};

pub use crate::cell::Cell;
pub use crate::checks::Authorizer;
pub use crate::checks::entry::areas;
pub use crate::checks::record::{OwnedRecord, Owner, Record, Share};
pub use crate::checks::signin::{Factors, LoginError};
pub use crate::ids::{FieldId, ModuleId, PrincipalId, RoleId, TeamId, ToolId, UserId};

impl Policy {
    /// Validates the policy and compiles it into an [`Authorizer`].
    ///
    /// # Errors
    /// The first validation problem, with its stable code and path ([the policy model](crate::doc::document)).
    ///
    /// # Cost
    /// O(P + M + R·X) time and memory for a policy of size P ([`Limits::size_of`](crate::policy::Limits::size_of)),
    /// M team memberships kept (one team list per group of users with the same direct
    /// teams and roles) and T matrix tables of X bytes each (actions, fields and tools of
    /// every module): one per distinct source (a role with its team ceiling), plus rows
    /// with overrides, plus every other row while they fit in
    /// [`Limits::get_row_cache_bytes`](crate::policy::Limits::get_row_cache_bytes); M and T·X are
    /// held to the budgets of the policy's [`Limits`](crate::policy::Limits). The authorizer keeps
    /// a copy of the policy ([`Policy::into_authorizer`] avoids it).
    ///
    /// ```
    /// use permatrix::Policy;
    /// let err = Policy::from_json(r#"{"version":1,"profiles":{"p":{}},
    ///     "roles":{"a":{"parent":"b","profiles":["p"]},"b":{"parent":"a","profiles":["p"]}}}"#)?
    ///     .compile()
    ///     .unwrap_err();
    /// assert_eq!(err.code().as_str(), "role_cycle");
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn compile(&self) -> Result<Authorizer, PolicyError> {
        compile::compile(self).map(Authorizer::from_compiled)
    }

    /// [`Policy::compile`], handing the policy over to the authorizer instead of copying
    /// it: at a million users the copy costs about a second and as much memory again as
    /// the policy. The authorizer's [`Authorizer::policy`] is this policy. On an error
    /// the policy is dropped; call [`Policy::compile`] to keep it.
    ///
    /// # Errors
    /// As [`Policy::compile`].
    ///
    /// # Cost
    /// As [`Policy::compile`], without the copy.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let policy = Policy::from_json(r#"{"version":1,"users":{"ann":{}}}"#)?;
    /// let auth = policy.into_authorizer()?;
    /// assert!(auth.policy().users.contains_key("ann"));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn into_authorizer(self) -> Result<Authorizer, PolicyError> {
        compile::compile_owned(self).map(Authorizer::from_compiled)
    }
}

impl TryFrom<Policy> for Authorizer {
    type Error = PolicyError;

    /// [`Policy::into_authorizer`].
    ///
    /// ```
    /// use permatrix::{Authorizer, Policy};
    /// let auth = Authorizer::try_from(Policy::from_json(r#"{"version":1}"#)?)?;
    /// assert_eq!(auth.policy().users.len(), 0);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    fn try_from(policy: Policy) -> Result<Authorizer, PolicyError> {
        policy.into_authorizer()
    }
}

impl Authorizer {
    // --- Compiling ---

    /// Compiles `policy`, reusing this authorizer's work where that is sound: when
    /// `policy` differs from [`Authorizer::policy`] only in its grants — what profiles
    /// grant, and which profiles each role holds — and in users' statuses, with the same
    /// ids in the same order everywhere and the same limits, the users, teams and
    /// memberships are taken over and only the matrix and the active users are built again. Any other change compiles in full. The result
    /// is the same as [`Policy::into_authorizer`] either way, and its ids are its own:
    /// this authorizer's ids are stale in it.
    ///
    /// # Errors
    /// As [`Policy::compile`].
    ///
    /// # Cost
    /// After a change to grants and statuses alone: O(policy size) comparisons, validation of the
    /// profiles and roles, the matrix (as in [`Policy::compile`]) and a copy of the
    /// per-user facts — several times faster than a full compile of a large policy.
    /// Otherwise as [`Policy::compile`].
    ///
    /// ```
    /// use permatrix::{Action, Policy, Record, policy::Scope};
    /// let mut policy = Policy::from_json(r#"{"version":1,"modules":{"deals":{}},
    ///   "profiles":{"rep":{"modules":{"deals":{"access":"on","actions":{"view":"owner"}}}}},
    ///   "roles":{"rep":{"profiles":["rep"]}}, "users":{"ann":{"roles":["rep"]},"bo":{}}}"#)?;
    /// let before = policy.compile()?;
    /// policy.profiles["rep"].modules["deals"].actions.insert(Action::View, Scope::All);
    /// let after = before.recompile(policy.clone())?;
    /// let (ann, bo, deals) = (after.user("ann").unwrap(), after.user("bo").unwrap(), after.module("deals").unwrap());
    /// assert!(after.can(ann, Action::View, &Record::owned_by_user(deals, bo)));
    /// assert_eq!(after.policy(), &policy);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn recompile(&self, policy: Policy) -> Result<Authorizer, PolicyError> {
        self.recompile_shared(std::sync::Arc::new(policy))
    }

    /// The policy this authorizer was compiled from.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let p = Policy::from_json(r#"{"version":1,"users":{"a":{}}}"#)?;
    /// assert_eq!(p.compile()?.policy(), &p);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn policy(&self) -> &Policy {
        &self.inner.policy
    }

    // --- Ids: looked up once by name, position or host key; names and keys read back ---

    /// The id of user `username`.
    ///
    /// # Cost
    /// O(1): one hash lookup.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"users":{"a":{}}}"#)?.compile()?;
    /// assert!(auth.user("a").is_some() && auth.user("b").is_none());
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn user(&self, username: &str) -> Option<UserId> {
        let i = self.inner.policy.users.get_index_of(username)?;
        Some(self.user_id(i as u32))
    }

    /// The id of team `id`. O(1).
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"teams":{"t":{}}}"#)?.compile()?;
    /// assert!(auth.team("t").is_some());
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn team(&self, id: &str) -> Option<TeamId> {
        let i = self.inner.policy.teams.get_index_of(id)?;
        Some(self.team_id(i as u32))
    }

    /// The id of role `id`. O(1).
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"profiles":{"p":{}},"roles":{"r":{"profiles":["p"]}}}"#)?.compile()?;
    /// assert!(auth.role("r").is_some());
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn role(&self, id: &str) -> Option<RoleId> {
        let i = self.inner.policy.roles.get_index_of(id)?;
        Some(self.role_id(i as u32))
    }

    /// The id of module `id`. O(1).
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}}}"#)?.compile()?;
    /// assert!(auth.module("m").is_some());
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn module(&self, id: &str) -> Option<ModuleId> {
        let i = self.inner.policy.modules.get_index_of(id)?;
        Some(self.module_id(i as u32))
    }

    /// The field `name` of `module`, resolved once for [`Authorizer::field_access`];
    /// `None` when the module declares no such field or the module id is not this
    /// authorizer's. O(1).
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{"fields":{"iban":{}}}}}"#)?.compile()?;
    /// let m = auth.module("m").unwrap();
    /// assert_eq!(auth.field(m, "iban").map(|f| f.index()), Some(0));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn field(&self, module: ModuleId, name: &str) -> Option<FieldId> {
        checks::surface::field(self, module, name)
    }

    /// The tool `name` of `module`, resolved once for [`Authorizer::can_use_tool`];
    /// `None` when the module declares no such tool or the module id is not this
    /// authorizer's. O(1).
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{"tools":["pdf_export"]}}}"#)?.compile()?;
    /// let m = auth.module("m").unwrap();
    /// assert!(auth.tool(m, "pdf_export").is_some() && auth.tool(m, "fax").is_none());
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn tool(&self, module: ModuleId, name: &str) -> Option<ToolId> {
        checks::surface::tool(self, module, name)
    }

    /// The id of the user at `index` (the policy's insertion order), if there is one. O(1).
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"users":{"a":{},"b":{}}}"#)?.compile()?;
    /// assert_eq!(auth.user_at(1), auth.user("b"));
    /// assert_eq!(auth.user_at(2), None);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn user_at(&self, index: usize) -> Option<UserId> {
        (index < self.inner.users.len()).then(|| self.user_id(index as u32))
    }

    /// The id of the team at `index`, if there is one. O(1).
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"teams":{"t":{}}}"#)?.compile()?;
    /// assert_eq!(auth.team_at(0), auth.team("t"));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn team_at(&self, index: usize) -> Option<TeamId> {
        (index < self.inner.team_active.len()).then(|| self.team_id(index as u32))
    }

    /// The id of the role at `index`, if there is one. O(1).
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"profiles":{"p":{}},"roles":{"r":{"profiles":["p"]}}}"#)?.compile()?;
    /// assert_eq!(auth.role_at(0), auth.role("r"));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn role_at(&self, index: usize) -> Option<RoleId> {
        (index < self.inner.policy.roles.len()).then(|| self.role_id(index as u32))
    }

    /// The id of the module at `index`, if there is one. O(1).
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}}}"#)?.compile()?;
    /// assert_eq!(auth.module_at(0), auth.module("m"));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn module_at(&self, index: usize) -> Option<ModuleId> {
        (index < self.inner.modules.len()).then(|| self.module_id(index as u32))
    }

    /// The user whose host key is `key`. O(1).
    ///
    /// ```
    /// use permatrix::{HostKey, Policy};
    /// let auth = Policy::from_json(r#"{"version":1,"users":{"ann":{"key":1003},"bob":{"key":"b-2"}}}"#)?.compile()?;
    /// assert_eq!(auth.user_by_key(&HostKey::from(1003)), auth.user("ann"));
    /// assert_eq!(auth.user_by_key(&"b-2".into()), auth.user("bob"));
    /// assert_eq!(auth.user_by_key(&HostKey::from("1003")), None); // text is not an integer
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn user_by_key(&self, key: &HostKey) -> Option<UserId> {
        let i = *self.inner.keys.users.get(key)?;
        Some(self.user_id(i))
    }

    /// The team whose host key is `key`. O(1).
    ///
    /// ```
    /// use permatrix::{HostKey, Policy};
    /// let auth = Policy::from_json(r#"{"version":1,"teams":{"north":{"key":7}}}"#)?.compile()?;
    /// assert_eq!(auth.team_by_key(&HostKey::from(7)), auth.team("north"));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn team_by_key(&self, key: &HostKey) -> Option<TeamId> {
        let i = *self.inner.keys.teams.get(key)?;
        Some(self.team_id(i))
    }

    /// The module whose host key is `key`. O(1).
    ///
    /// ```
    /// use permatrix::{HostKey, Policy};
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"deals":{"key":"deal"}}}"#)?.compile()?;
    /// assert_eq!(auth.module_by_key(&"deal".into()), auth.module("deals"));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn module_by_key(&self, key: &HostKey) -> Option<ModuleId> {
        let i = *self.inner.keys.modules.get(key)?;
        Some(self.module_id(i))
    }

    /// The username of `user`.
    ///
    /// # Errors
    /// [`CheckError`] (`stale_id`) for an id this authorizer did not issue.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"users":{"a":{}}}"#)?.compile()?;
    /// assert_eq!(auth.user_name(auth.user("a").unwrap()), Ok("a"));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn user_name(&self, user: UserId) -> Result<&str, CheckError> {
        self.user_slot(user)
            .and_then(|u| self.inner.policy.users.get_index(u))
            .map(|(k, _)| k.as_str())
            .ok_or(CheckError::stale(IdKind::User, user.index))
    }

    /// The name to show for `user`: the display name, or the username where there is
    /// none.
    ///
    /// # Errors
    /// [`CheckError`] (`stale_id`) for an id this authorizer did not issue.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"users":{"ann":{"display_name":"Ann Nord"},"bo":{}}}"#)?.compile()?;
    /// assert_eq!(auth.display_name(auth.user("ann").unwrap())?, "Ann Nord");
    /// assert_eq!(auth.display_name(auth.user("bo").unwrap())?, "bo");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn display_name(&self, user: UserId) -> Result<&str, CheckError> {
        let (name, def) = self
            .user_slot(user)
            .and_then(|u| self.inner.policy.users.get_index(u))
            .ok_or(CheckError::stale(IdKind::User, user.index))?;
        Ok(def.display_name.as_deref().unwrap_or(name))
    }

    /// The id (name) of `team`.
    ///
    /// # Errors
    /// [`CheckError`] (`stale_id`) for an id this authorizer did not issue.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"teams":{"t":{}}}"#)?.compile()?;
    /// assert_eq!(auth.team_name(auth.team("t").unwrap()), Ok("t"));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn team_name(&self, team: TeamId) -> Result<&str, CheckError> {
        self.team_slot(team)
            .and_then(|t| self.inner.policy.teams.get_index(t))
            .map(|(k, _)| k.as_str())
            .ok_or(CheckError::stale(IdKind::Team, team.index))
    }

    /// The id (name) of `role`.
    ///
    /// # Errors
    /// [`CheckError`] (`stale_id`) for an id this authorizer did not issue.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"profiles":{"p":{}},"roles":{"r":{"profiles":["p"]}}}"#)?.compile()?;
    /// assert_eq!(auth.role_name(auth.role("r").unwrap()), Ok("r"));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn role_name(&self, role: RoleId) -> Result<&str, CheckError> {
        self.role_slot(role)
            .and_then(|r| self.inner.policy.roles.get_index(r))
            .map(|(k, _)| k.as_str())
            .ok_or(CheckError::stale(IdKind::Role, role.index))
    }

    /// The id (name) of `module`.
    ///
    /// # Errors
    /// [`CheckError`] (`stale_id`) for an id this authorizer did not issue.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}}}"#)?.compile()?;
    /// assert_eq!(auth.module_name(auth.module("m").unwrap()), Ok("m"));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn module_name(&self, module: ModuleId) -> Result<&str, CheckError> {
        self.module_slot(module)
            .and_then(|m| self.inner.policy.modules.get_index(m))
            .map(|(k, _)| k.as_str())
            .ok_or(CheckError::stale(IdKind::Module, module.index))
    }

    /// The name of `field`. O(1).
    ///
    /// # Errors
    /// [`CheckError`] (`stale_id`) for an id this authorizer did not issue.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{"fields":{"iban":{}}}}}"#)?.compile()?;
    /// let iban = auth.field(auth.module("m").unwrap(), "iban").unwrap();
    /// assert_eq!(auth.field_name(iban), Ok("iban"));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn field_name(&self, field: FieldId) -> Result<&str, CheckError> {
        checks::surface::field_name(self, field)
            .ok_or(CheckError::stale(IdKind::Field, field.index))
    }

    /// The name of `tool`. O(1).
    ///
    /// # Errors
    /// [`CheckError`] (`stale_id`) for an id this authorizer did not issue.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{"tools":["pdf_export"]}}}"#)?.compile()?;
    /// let pdf = auth.tool(auth.module("m").unwrap(), "pdf_export").unwrap();
    /// assert_eq!(auth.tool_name(pdf), Ok("pdf_export"));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn tool_name(&self, tool: ToolId) -> Result<&str, CheckError> {
        checks::surface::tool_name(self, tool).ok_or(CheckError::stale(IdKind::Tool, tool.index))
    }

    /// The host key of `user`; `None` when they have none. O(1).
    ///
    /// # Errors
    /// [`CheckError`] (`stale_id`) for an id this authorizer did not issue.
    ///
    /// ```
    /// use permatrix::{HostKey, Policy};
    /// let auth = Policy::from_json(r#"{"version":1,"users":{"ann":{"key":1003},"bob":{}}}"#)?.compile()?;
    /// assert_eq!(auth.user_key(auth.user("ann").unwrap()), Ok(Some(&HostKey::from(1003))));
    /// assert_eq!(auth.user_key(auth.user("bob").unwrap()), Ok(None));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn user_key(&self, user: UserId) -> Result<Option<&HostKey>, CheckError> {
        self.user_slot(user)
            .and_then(|u| self.inner.policy.users.get_index(u))
            .map(|(_, def)| def.key.as_ref())
            .ok_or(CheckError::stale(IdKind::User, user.index))
    }

    /// The host key of `team`; `None` when it has none. O(1).
    ///
    /// # Errors
    /// [`CheckError`] (`stale_id`) for an id this authorizer did not issue.
    ///
    /// ```
    /// use permatrix::{HostKey, Policy};
    /// let auth = Policy::from_json(r#"{"version":1,"teams":{"north":{"key":7}}}"#)?.compile()?;
    /// assert_eq!(auth.team_key(auth.team("north").unwrap()), Ok(Some(&HostKey::from(7))));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn team_key(&self, team: TeamId) -> Result<Option<&HostKey>, CheckError> {
        self.team_slot(team)
            .and_then(|t| self.inner.policy.teams.get_index(t))
            .map(|(_, def)| def.key.as_ref())
            .ok_or(CheckError::stale(IdKind::Team, team.index))
    }

    /// The host key of `module`; `None` when it has none. O(1).
    ///
    /// # Errors
    /// [`CheckError`] (`stale_id`) for an id this authorizer did not issue.
    ///
    /// ```
    /// use permatrix::{HostKey, Policy};
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"deals":{"key":3}}}"#)?.compile()?;
    /// assert_eq!(auth.module_key(auth.module("deals").unwrap()), Ok(Some(&HostKey::from(3))));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn module_key(&self, module: ModuleId) -> Result<Option<&HostKey>, CheckError> {
        self.module_slot(module)
            .and_then(|m| self.inner.policy.modules.get_index(m))
            .map(|(_, def)| def.key.as_ref())
            .ok_or(CheckError::stale(IdKind::Module, module.index))
    }

    // --- Checks ---

    /// May `user` do `action` on `record`? Deny unless a step of [the decision steps](crate::doc::semantics#decision-steps) allows; an unknown
    /// id denies.
    ///
    /// # Cost
    /// O(t + h + (s + t + h + min(r, o)) · log n) with the letters of [`Authorizer`]; no
    /// allocation.
    ///
    /// ```
    /// use permatrix::{Action, Policy, Record};
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},
    ///   "profiles":{"p":{"modules":{"m":{"access":"on","actions":{"view":"team"}}}}},
    ///   "roles":{"r":{"profiles":["p"]}},
    ///   "teams":{"north":{"users":["a"]}},
    ///   "users":{"a":{"roles":["r"]},"b":{}}}"#)?.compile()?;
    /// let (a, b, m) = (auth.user("a").unwrap(), auth.user("b").unwrap(), auth.module("m").unwrap());
    /// let north = [auth.team("north").unwrap()];
    /// assert!(auth.can(a, Action::View, &Record::owned_by_user(m, b).with_teams(&north)));
    /// assert!(!auth.can(a, Action::View, &Record::owned_by_user(m, b)));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    #[inline]
    pub fn can(&self, user: UserId, action: Action, record: &Record<'_>) -> bool {
        checks::steps::can(self, user, action, record)
    }

    /// [`Authorizer::can`], with an unknown id reported as an error instead of a denial.
    ///
    /// # Errors
    /// [`CheckError`] (`stale_id`) naming the kind of id this authorizer did not issue.
    ///
    /// # Cost
    /// As [`Authorizer::can`].
    ///
    /// ```
    /// use permatrix::{Action, Policy, Record};
    /// let policy = Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{}}}"#)?;
    /// let (before, now) = (policy.compile()?, policy.compile()?);
    /// let a = now.user("a").unwrap();
    /// let kept = before.module("m").unwrap(); // an id of an earlier compile
    /// let err = now.try_can(a, Action::View, &Record::owned_by_user(kept, a)).unwrap_err();
    /// assert_eq!(err.kind(), permatrix::error::IdKind::Module);
    /// assert_eq!(err.code(), "stale_id");
    /// assert!(!now.can(a, Action::View, &Record::owned_by_user(kept, a)));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn try_can(
        &self,
        user: UserId,
        action: Action,
        record: &Record<'_>,
    ) -> Result<bool, CheckError> {
        checks::steps::try_can(self, user, action, record)
    }

    /// May `user` do `action` on `module` as a whole? For the module-level actions
    /// `create` and `import`, and for any action on a module with `owned = false`. A
    /// record-level action on an owned module needs a record and is denied here.
    ///
    /// # Cost
    /// O(1); no allocation.
    ///
    /// ```
    /// use permatrix::{Action, Policy};
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},
    ///   "profiles":{"p":{"modules":{"m":{"access":"on","actions":{"create":"owner"}}}}},
    ///   "roles":{"r":{"profiles":["p"]}}, "users":{"a":{"roles":["r"]}}}"#)?.compile()?;
    /// let (a, m) = (auth.user("a").unwrap(), auth.module("m").unwrap());
    /// assert!(auth.can_module(a, Action::Create, m));
    /// assert!(!auth.can_module(a, Action::Import, m));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    #[inline]
    pub fn can_module(&self, user: UserId, action: Action, module: ModuleId) -> bool {
        checks::steps::can_module(self, user, action, module)
    }

    /// [`Authorizer::can_module`], with an unknown id reported as an error.
    ///
    /// # Errors
    /// [`CheckError`] (`stale_id`) for a user or module this authorizer did not issue.
    ///
    /// # Cost
    /// O(1).
    ///
    /// ```
    /// use permatrix::{Action, Policy};
    /// let policy = Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{}}}"#)?;
    /// let (before, now) = (policy.compile()?, policy.compile()?);
    /// let m = before.module("m").unwrap();
    /// assert!(now.try_can_module(now.user("a").unwrap(), Action::Create, m).is_err());
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn try_can_module(
        &self,
        user: UserId,
        action: Action,
        module: ModuleId,
    ) -> Result<bool, CheckError> {
        checks::steps::try_can_module(self, user, action, module)
    }

    /// [`Authorizer::can`] for many records at once, in order: one allocation for the
    /// answers, none per record.
    ///
    /// # Cost
    /// As many [`Authorizer::can`]s.
    ///
    /// ```
    /// use permatrix::{Action, Policy, Record};
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},
    ///   "profiles":{"p":{"modules":{"m":{"access":"on","actions":{"view":"owner"}}}}},
    ///   "roles":{"r":{"profiles":["p"]}}, "users":{"a":{"roles":["r"]},"b":{}}}"#)?.compile()?;
    /// let (a, b, m) = (auth.user("a").unwrap(), auth.user("b").unwrap(), auth.module("m").unwrap());
    /// let rows = [Record::owned_by_user(m, a), Record::owned_by_user(m, b)];
    /// assert_eq!(auth.can_many(a, Action::View, &rows), [true, false]);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn can_many(&self, user: UserId, action: Action, records: &[Record<'_>]) -> Vec<bool> {
        checks::surface::can_many(self, user, action, records)
    }

    /// Whether `user` skips data checks (active, `admin_bypass`, effective level `admin`
    /// or `customer_admin`).
    ///
    /// # Cost
    /// O(1).
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"users":{"a":{"admin":"admin"},"b":{}}}"#)?.compile()?;
    /// assert!(auth.bypasses(auth.user("a").unwrap()) && !auth.bypasses(auth.user("b").unwrap()));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn bypasses(&self, user: UserId) -> bool {
        checks::steps::bypasses(self, user)
    }

    /// What `user` may do with `field` (looked up once with [`Authorizer::field`])
    /// ([fields, tools and limits](crate::doc::semantics#fields-tools-and-limits)):
    /// `hidden` for an inactive user, `read_write` for a bypassing admin, `hidden` on an
    /// `off` module, at most `read_only` on a `read_only` module, `read_write` for
    /// mandatory fields on an `on` module (`read_only` for capped external users),
    /// otherwise the merged value. `hidden` for an id this authorizer did not issue.
    ///
    /// # Cost
    /// O(1); no allocation.
    ///
    /// ```
    /// use permatrix::{FieldAccess, Policy};
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{"fields":{"iban":{}}}},
    ///   "profiles":{"p":{"modules":{"m":{"access":"on","fields":{"iban":"read_only"}}}}},
    ///   "roles":{"r":{"profiles":["p"]}}, "users":{"a":{"roles":["r"]}}}"#)?.compile()?;
    /// let iban = auth.field(auth.module("m").unwrap(), "iban").unwrap();
    /// assert_eq!(auth.field_access(auth.user("a").unwrap(), iban), FieldAccess::ReadOnly);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn field_access(&self, user: UserId, field: FieldId) -> FieldAccess {
        checks::surface::field_access(self, user, field)
    }

    /// [`Authorizer::field_access`], with unknown ids reported as errors.
    ///
    /// # Errors
    /// [`CheckError`] (`stale_id`) for a user or field of another authorizer (its kind is
    /// `module` when the field's module is another authorizer's).
    ///
    /// # Cost
    /// O(1).
    ///
    /// ```
    /// use permatrix::Policy;
    /// let policy = Policy::from_json(r#"{"version":1,"modules":{"m":{"fields":{"f":{}}}},"users":{"a":{}}}"#)?;
    /// let (old, new) = (policy.compile()?, policy.compile()?);
    /// let f = old.field(old.module("m").unwrap(), "f").unwrap();
    /// assert_eq!(new.try_field_access(new.user("a").unwrap(), f).unwrap_err().code(), "stale_id");
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn try_field_access(
        &self,
        user: UserId,
        field: FieldId,
    ) -> Result<FieldAccess, CheckError> {
        checks::surface::try_field_access(self, user, field)
    }

    /// Whether `user` may use `tool` (looked up once with [`Authorizer::tool`])
    /// ([fields, tools and limits](crate::doc::semantics#fields-tools-and-limits)): active,
    /// the tool enabled in the merged profiles (after overrides) and the module not `off`;
    /// bypassing admins may use every declared tool. `false` for an id this authorizer
    /// did not issue.
    ///
    /// # Cost
    /// O(1); no allocation.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{"tools":["pdf_export"]}},
    ///   "profiles":{"p":{"modules":{"m":{"access":"on","tools":{"pdf_export":true}}}}},
    ///   "roles":{"r":{"profiles":["p"]}}, "users":{"a":{"roles":["r"]}}}"#)?.compile()?;
    /// let pdf = auth.tool(auth.module("m").unwrap(), "pdf_export").unwrap();
    /// assert!(auth.can_use_tool(auth.user("a").unwrap(), pdf));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn can_use_tool(&self, user: UserId, tool: ToolId) -> bool {
        checks::surface::can_use_tool(self, user, tool)
    }

    /// [`Authorizer::can_use_tool`], with unknown ids reported as errors.
    ///
    /// # Errors
    /// [`CheckError`] (`stale_id`) for a user or tool of another authorizer (its kind is
    /// `module` when the tool's module is another authorizer's).
    ///
    /// # Cost
    /// O(1).
    ///
    /// ```
    /// use permatrix::Policy;
    /// let policy = Policy::from_json(r#"{"version":1,"modules":{"m":{"tools":["t"]}},"users":{"a":{}}}"#)?;
    /// let (old, new) = (policy.compile()?, policy.compile()?);
    /// let t = old.tool(old.module("m").unwrap(), "t").unwrap();
    /// assert_eq!(new.try_can_use_tool(new.user("a").unwrap(), t).unwrap_err().code(), "stale_id");
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn try_can_use_tool(&self, user: UserId, tool: ToolId) -> Result<bool, CheckError> {
        checks::surface::try_can_use_tool(self, user, tool)
    }

    /// The fields of `module` that `user` sees, with what they may do with each, in the
    /// module's order; hidden fields are left out. Empty for unknown ids.
    ///
    /// # Cost
    /// O(fields of the module), one [`Authorizer::field_access`] each.
    ///
    /// ```
    /// use permatrix::{FieldAccess, Policy};
    /// let auth = Policy::from_json(r#"{"version":1,
    ///   "modules":{"m":{"fields":{"iban":{},"name":{},"notes":{}}}},
    ///   "profiles":{"p":{"modules":{"m":{"access":"on","fields":{"iban":"hidden","notes":"read_only"}}}}},
    ///   "roles":{"r":{"profiles":["p"]}}, "users":{"a":{"roles":["r"]}}}"#)?.compile()?;
    /// let (a, m) = (auth.user("a").unwrap(), auth.module("m").unwrap());
    /// assert_eq!(auth.visible_fields(a, m), [("name", FieldAccess::ReadWrite), ("notes", FieldAccess::ReadOnly)]);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn visible_fields(&self, user: UserId, module: ModuleId) -> Vec<(&str, FieldAccess)> {
        checks::surface::visible_fields(self, user, module)
    }

    /// The modules on which `user` may `action` at least some records: the cell is not
    /// `none` (so at least their own records), the module has no owners or the action is
    /// module-level and granted, or they bypass data checks. Sharing never opens a module
    /// on its own: rules and shares only widen a grant that is there. In the policy's
    /// order; empty for an unknown user.
    ///
    /// # Cost
    /// O(modules) look-ups; one allocation for the result.
    ///
    /// ```
    /// use permatrix::{Action, Policy};
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"a":{},"b":{},"c":{}},
    ///   "profiles":{"p":{"modules":{"a":{"access":"on","actions":{"view":"owner"}},
    ///                               "b":{"access":"on","actions":{"edit":"all"}}}}},
    ///   "roles":{"r":{"profiles":["p"]}}, "users":{"u":{"roles":["r"]}}}"#)?.compile()?;
    /// let u = auth.user("u").unwrap();
    /// let names = |ms: Vec<permatrix::ModuleId>| ms.into_iter().map(|m| auth.module_name(m).unwrap()).collect::<Vec<_>>();
    /// assert_eq!(names(auth.allowed_modules(u, Action::View)), ["a"]);
    /// assert_eq!(names(auth.allowed_modules(u, Action::Edit)), ["b"]);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn allowed_modules(&self, user: UserId, action: Action) -> Vec<ModuleId> {
        checks::surface::allowed_modules(self, user, action)
    }

    /// The maximum number of search results for `user` ([fields, tools and limits](crate::doc::semantics#fields-tools-and-limits)): over the user's active
    /// teams that set a limit, the max (additive merge) or min (subtractive). `None` means
    /// unlimited. An id this authorizer did not issue gets `Some(0)`: no results, rather
    /// than the unlimited answer of `None` ([`Authorizer::try_result_limit`] says why).
    ///
    /// # Cost
    /// O(teams of the user).
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"users":{"a":{}},
    ///   "teams":{"x":{"users":["a"],"result_limit":50},"y":{"users":["a"],"result_limit":200}}}"#)?.compile()?;
    /// assert_eq!(auth.result_limit(auth.user("a").unwrap()), Some(200));
    /// let stale = auth.policy().compile()?.user("a").unwrap();
    /// assert_eq!(auth.result_limit(stale), Some(0));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn result_limit(&self, user: UserId) -> Option<u64> {
        checks::surface::result_limit(self, user)
    }

    /// [`Authorizer::result_limit`], with an id of another authorizer reported as an
    /// error.
    ///
    /// # Errors
    /// [`CheckError`] (`stale_id`) for an id this authorizer did not issue.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"users":{"a":{}}}"#)?.compile()?;
    /// assert_eq!(auth.try_result_limit(auth.user("a").unwrap()), Ok(None));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn try_result_limit(&self, user: UserId) -> Result<Option<u64>, CheckError> {
        checks::surface::try_result_limit(self, user)
    }

    /// Which of two duplicates survives a merge ([fields, tools and limits](crate::doc::semantics#fields-tools-and-limits), 1CRM): `Some((a, b))` when the
    /// user can `edit` `a` and `delete` `b` (`a` stays, `b` is deleted); otherwise
    /// `Some((b, a))` when the user can `edit` `b` and `delete` `a`; otherwise `None`.
    ///
    /// # Cost
    /// Four [`Authorizer::can`] at most.
    ///
    /// ```
    /// use permatrix::{Policy, Record};
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},
    ///   "profiles":{"p":{"modules":{"m":{"access":"on","actions":{"edit":"all","delete":"owner"}}}}},
    ///   "roles":{"r":{"profiles":["p"]}}, "users":{"a":{"roles":["r"]},"b":{}}}"#)?.compile()?;
    /// let (a, b, m) = (auth.user("a").unwrap(), auth.user("b").unwrap(), auth.module("m").unwrap());
    /// let theirs = Record::owned_by_user(m, b);
    /// let mine = Record::owned_by_user(m, a);
    /// // a may delete only their own record, so theirs stays and mine is merged into it
    /// assert_eq!(auth.merge_order(a, &mine, &theirs), Some((theirs, mine)));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn merge_order<'r>(
        &self,
        user: UserId,
        a: &Record<'r>,
        b: &Record<'r>,
    ) -> Option<(Record<'r>, Record<'r>)> {
        checks::surface::merge_order(self, user, a, b)
    }

    /// Whether "merge duplicates" is offered to `user` on `module` at all ([fields, tools and limits](crate::doc::semantics#fields-tools-and-limits)): the
    /// `edit` cell is not `none`, and the tool `merge_duplicates`, if the module declares
    /// it, is enabled. Bypassing admins: always.
    ///
    /// # Cost
    /// O(1).
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},
    ///   "profiles":{"p":{"modules":{"m":{"access":"on","actions":{"edit":"owner"}}}}},
    ///   "roles":{"r":{"profiles":["p"]}}, "users":{"a":{"roles":["r"]}}}"#)?.compile()?;
    /// assert!(auth.offers_merge(auth.user("a").unwrap(), auth.module("m").unwrap()));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn offers_merge(&self, user: UserId, module: ModuleId) -> bool {
        checks::surface::offers_merge(self, user, module)
    }

    /// The level at which `viewer` sees the calendar of `owner` (a user or a team), `None`
    /// for no access:
    /// - `None` for an unknown id or a viewer who is not active;
    /// - `deputy_full` for a viewer who bypasses data checks, and on their own calendar;
    /// - on a team's calendar (the team must keep one, `calendar: true`, and be active):
    ///   `details` for every member, `edit` with the member's `create_edit` right,
    ///   `deputy_full` with both rights;
    /// - raised to the highest calendar share of that calendar whose recipient includes
    ///   the viewer.
    ///
    /// Calendar access is its own question: `can` on calendar records does not read it.
    ///
    /// # Cost
    /// O(calendar shares + log m), no allocation.
    ///
    /// ```
    /// use permatrix::{Owner, Policy, policy::CalendarLevel};
    /// let auth = Policy::from_json(r#"{"version":1,"users":{"ann":{},"bob":{},"cy":{}},
    ///   "calendar_shares":[{"owner":{"user":"bob"},"to":{"user":"ann"},"level":"titles"}]}"#)?.compile()?;
    /// let (ann, bob, cy) = (auth.user("ann").unwrap(), auth.user("bob").unwrap(), auth.user("cy").unwrap());
    /// assert_eq!(auth.calendar_access(ann, Owner::User(bob)), Some(CalendarLevel::Titles));
    /// assert_eq!(auth.calendar_access(cy, Owner::User(bob)), None);
    /// assert_eq!(auth.calendar_access(bob, Owner::User(bob)), Some(CalendarLevel::DeputyFull));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn calendar_access(&self, viewer: UserId, owner: Owner) -> Option<CalendarLevel> {
        checks::calendar::calendar_access(self, viewer, owner)
    }

    /// [`Authorizer::calendar_access`], with an unknown id reported as an error.
    ///
    /// # Errors
    /// [`CheckError`] (`stale_id`) naming the viewer or owner this authorizer did not
    /// issue.
    ///
    /// # Cost
    /// As [`Authorizer::calendar_access`].
    ///
    /// ```
    /// use permatrix::{Owner, Policy};
    /// let policy = Policy::from_json(r#"{"version":1,"users":{"a":{}}}"#)?;
    /// let (old, new) = (policy.compile()?, policy.compile()?);
    /// let a = new.user("a").unwrap();
    /// assert!(new.try_calendar_access(a, Owner::User(old.user("a").unwrap())).is_err());
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn try_calendar_access(
        &self,
        viewer: UserId,
        owner: Owner,
    ) -> Result<Option<CalendarLevel>, CheckError> {
        checks::calendar::try_calendar_access(self, viewer, owner)
    }

    /// The values of the picklist of `field` (from [`Authorizer::field`]) that `user` may pick, in their
    /// declared order: the unbound values (no `roles`) and those bound to a role the user
    /// holds (direct, default or conferred by an active team). Every value when the list
    /// is not `role_bound` or the user bypasses data checks; none for a user who is not
    /// active, an unknown id, or a field without a picklist.
    ///
    /// # Cost
    /// O(values × (their roles + the user's roles)), lazily; no allocation.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,
    ///   "modules":{"deals":{"fields":{"stage":{"picklist":{"role_bound":true,"values":[
    ///     {"value":"open"},{"value":"won","roles":["manager"]},{"value":"lost","roles":["rep"]}]}}}}},
    ///   "profiles":{"p":{}}, "roles":{"rep":{"profiles":["p"]},"manager":{"profiles":["p"]}},
    ///   "users":{"ann":{"roles":["rep"]}}}"#)?.compile()?;
    /// let (ann, deals) = (auth.user("ann").unwrap(), auth.module("deals").unwrap());
    /// let stage = auth.field(deals, "stage").unwrap();
    /// assert_eq!(auth.picklist_values(ann, stage).collect::<Vec<_>>(), ["open", "lost"]);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn picklist_values<'a>(
        &'a self,
        user: UserId,
        field: FieldId,
    ) -> impl Iterator<Item = &'a str> + 'a {
        checks::calendar::picklist_values(self, user, field)
    }

    /// Whether `user` may add a value to the picklist of `field` (from [`Authorizer::field`]): an active
    /// user, a field with a picklist that is not `role_bound`, and either the tool
    /// `create_picklist_values` enabled for them on the module or an effective level of
    /// `admin` or `customer_admin` (whatever their profiles say). `false` for unknown ids.
    ///
    /// # Cost
    /// O(1) look-ups; no allocation.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,
    ///   "modules":{"deals":{"tools":["create_picklist_values"],
    ///     "fields":{"stage":{"picklist":{"values":[{"value":"open"}]}}}}},
    ///   "profiles":{"p":{"modules":{"deals":{"access":"on","tools":{"create_picklist_values":true}}}}},
    ///   "roles":{"r":{"profiles":["p"]}}, "users":{"ann":{"roles":["r"]},"bob":{}}}"#)?.compile()?;
    /// let stage = auth.field(auth.module("deals").unwrap(), "stage").unwrap();
    /// assert!(auth.can_add_picklist_value(auth.user("ann").unwrap(), stage));
    /// assert!(!auth.can_add_picklist_value(auth.user("bob").unwrap(), stage));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn can_add_picklist_value(&self, user: UserId, field: FieldId) -> bool {
        checks::calendar::can_add_picklist_value(self, user, field)
    }

    /// May `user` administer `area` ([administration](crate::doc::semantics#administration))? `admin`: every area. `customer_admin`:
    /// all but `settings.admin_areas.customer_admin_denied`. `superuser`: all but those and
    /// `superuser_denied`, and `layout_editor` only for a `module` where their own access is
    /// `on` (without a module: no). `none`, users who are not active, unknown ids: no.
    ///
    /// This answers for areas; which *users* an administrator may change is checked by the
    /// policy mutations ([`Policy::admin`](crate::Policy::admin)).
    ///
    /// # Cost
    /// O(a) for the a area names in the settings' denied lists.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},
    ///   "users":{"ca":{"admin":"customer_admin"},"su":{"admin":"superuser"}}}"#)?.compile()?;
    /// let (ca, su, m) = (auth.user("ca").unwrap(), auth.user("su").unwrap(), auth.module("m").unwrap());
    /// assert!(!auth.can_admin(ca, "events", None));
    /// assert!(auth.can_admin(ca, "users", None));
    /// assert!(!auth.can_admin(su, "module_manager", None));
    /// assert!(!auth.can_admin(su, "layout_editor", Some(m))); // su has no access to m
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn can_admin(&self, user: UserId, area: &str, module: Option<ModuleId>) -> bool {
        checks::entry::can_admin(self, user, area, module)
    }

    // --- A user's standing: sign-in, teams, level and compiled grants ---

    /// May `user` sign in, and with which second factors ([administration](crate::doc::semantics#administration))? Refused for a user who
    /// is not active, a system account, or — when `login_requires_active_team` is set — a
    /// user in no active team. Otherwise the factors are the system's, the user's own and
    /// those of the user's active teams (a team's factor overrides the user's own
    /// setting: it is required even if the user has it switched off).
    ///
    /// # Errors
    /// The first [`LoginError`] that applies; `stale_id` for an id this authorizer did
    /// not issue.
    ///
    /// # Cost
    /// O(m + factors · log factors): the factors are collected, sorted and deduplicated.
    ///
    /// ```
    /// use permatrix::{ErrorCode, Policy};
    /// let auth = Policy::from_json(r#"{"version":1,"settings":{"system_factors":["password_change"]},
    ///   "teams":{"admins":{"users":["ann"],"factors":["totp"]}},
    ///   "users":{"ann":{"factors":["sms"]},"shop":{"kind":"system"}}}"#)?.compile()?;
    /// assert_eq!(auth.login(auth.user("ann").unwrap()).unwrap().0, vec!["password_change", "sms", "totp"]);
    /// assert_eq!(auth.login(auth.user("shop").unwrap()).unwrap_err().code(), ErrorCode::SystemAccount);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn login(&self, user: UserId) -> Result<Factors, LoginError> {
        checks::signin::login(self, user)
    }

    /// The teams a new record is linked to ([administration](crate::doc::semantics#administration)): the union of the sources named in
    /// `settings.team_inheritance` — the creator's active teams, the assignee's active
    /// teams, the related record's teams. Ascending.
    ///
    /// # Errors
    /// [`CheckError`] (`stale_id`) naming the first id this authorizer did not issue:
    /// the creator, the assignee or a related team.
    ///
    /// # Cost
    /// O((m + related) · log(m + related)) over the teams collected.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"users":{"a":{},"b":{}},
    ///   "teams":{"north":{"users":["a"]},"south":{"users":["b"]}}}"#)?.compile()?;
    /// let (a, b) = (auth.user("a").unwrap(), auth.user("b").unwrap());
    /// // by default only the creator's teams count
    /// assert_eq!(auth.new_record_teams(a, Some(b), &[]), Ok(vec![auth.team("north").unwrap()]));
    /// // a team of an earlier compile names nobody
    /// let earlier = auth.policy().compile()?;
    /// let err = auth.new_record_teams(a, None, &[earlier.team("north").unwrap()]).unwrap_err();
    /// assert_eq!(err.kind(), permatrix::error::IdKind::Team);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn new_record_teams(
        &self,
        creator: UserId,
        assignee: Option<UserId>,
        related: &[TeamId],
    ) -> Result<Vec<TeamId>, CheckError> {
        checks::signin::new_record_teams(self, creator, assignee, related)
    }

    /// The effective admin level of `user`: their own or the highest conferred by one of
    /// their active teams.
    ///
    /// # Errors
    /// [`CheckError`] (`stale_id`) for an id this authorizer did not issue.
    ///
    /// # Cost
    /// O(1): worked out at compile time.
    ///
    /// ```
    /// use permatrix::{Policy, policy::AdminLevel};
    /// let auth = Policy::from_json(r#"{"version":1,"users":{"a":{}},"teams":{"admins":{"users":["a"],"admin":"admin"}}}"#)?.compile()?;
    /// assert_eq!(auth.admin_level(auth.user("a").unwrap()), Ok(AdminLevel::Admin));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn admin_level(&self, user: UserId) -> Result<AdminLevel, CheckError> {
        self.user_facts(user).map(|u| u.level)
    }

    /// The active teams `user` is a member of (nested teams and role entries included),
    /// ascending.
    ///
    /// # Errors
    /// [`CheckError`] (`stale_id`) for an id this authorizer did not issue.
    ///
    /// # Cost
    /// O(m): the list is kept, this copies it into ids.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"users":{"a":{}},
    ///     "teams":{"inner":{"users":["a"]},"outer":{"teams":["inner"]}}}"#)?.compile()?;
    /// assert_eq!(auth.teams_of(auth.user("a").unwrap()).map(|t| t.len()), Ok(2));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn teams_of(&self, user: UserId) -> Result<Vec<TeamId>, CheckError> {
        self.user_facts(user)?;
        Ok(self
            .user_team_slice(user)
            .iter()
            .map(|&t| self.team_id(t))
            .collect())
    }

    /// Whether `user` is active in this authorizer.
    ///
    /// # Errors
    /// [`CheckError`] (`stale_id`) for an id this authorizer did not issue.
    ///
    /// # Cost
    /// O(1).
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"users":{"a":{},"b":{"status":"invited"}}}"#)?.compile()?;
    /// assert_eq!(auth.user_active(auth.user("a").unwrap()), Ok(true));
    /// assert_eq!(auth.user_active(auth.user("b").unwrap()), Ok(false));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn user_active(&self, user: UserId) -> Result<bool, CheckError> {
        self.user_facts(user)?;
        Ok(self.is_active(user))
    }

    /// A copy of this authorizer in which `user` is active (`true`) or not (`false`),
    /// sharing everything else. Deactivation and reactivation take effect through this
    /// without a recompile ([administration](crate::doc::semantics#administration)).
    ///
    /// # Errors
    /// [`CheckError`] (`stale_id`) for a user this authorizer did not issue.
    ///
    /// # Cost
    /// O(users / 64): one bitset is copied.
    ///
    /// ```
    /// use permatrix::{Action, Policy, Record};
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"root":{"admin":"admin"}}}"#)?.compile()?;
    /// let (root, m) = (auth.user("root").unwrap(), auth.module("m").unwrap());
    /// let record = Record::owned_by_user(m, root);
    /// let after = auth.with_user_active(root, false)?;
    /// assert!(auth.can(root, Action::View, &record));
    /// assert!(!after.can(root, Action::View, &record));
    /// assert!(after.with_user_active(root, true)?.can(root, Action::View, &record));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_user_active(&self, user: UserId, active: bool) -> Result<Authorizer, CheckError> {
        let mut bits = (*self.active).clone();
        let word = self
            .user_slot(user)
            .and_then(|u| bits.get_mut(u / 64))
            .ok_or(CheckError::stale(IdKind::User, user.index))?;
        let bit = 1u64 << (user.index() % 64);
        if active {
            *word |= bit;
        } else {
            *word &= !bit;
        }
        Ok(Authorizer {
            inner: Arc::clone(&self.inner),
            active: Arc::new(bits),
        })
    }

    /// The matrix cell of `user` for (`module`, `action`), after every step of [grants](crate::doc::semantics#grants)
    /// (`none` for a user who is not active); a [`CheckError`] (`stale_id`) for an id this
    /// authorizer did not issue. A bypassing
    /// admin's cells are what the matrix holds; the bypass itself happens in
    /// [`Authorizer::can`].
    ///
    /// # Cost
    /// O(1).
    ///
    /// ```
    /// use permatrix::{Action, Policy, authorizer::Cell};
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{}}}"#)?.compile()?;
    /// let (a, m) = (auth.user("a").unwrap(), auth.module("m").unwrap());
    /// assert_eq!(auth.cell(a, m, Action::View), Ok(Cell::NONE));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn cell(&self, user: UserId, module: ModuleId, action: Action) -> Result<Cell, CheckError> {
        let facts = self.user_facts(user)?;
        let m = self
            .module_slot(module)
            .ok_or(CheckError::stale(IdKind::Module, module.index))?;
        if !self.is_active(user) {
            // SPEC §3 step 6: a user who is not active gets `none` everywhere
            return Ok(Cell::NONE);
        }
        Ok(self.inner.matrix.cell(facts.row, m, action))
    }

    /// The effective module access of `user` (after overrides); `off` for a user who is
    /// not active; a [`CheckError`] (`stale_id`) for an id this authorizer did not issue.
    ///
    /// # Cost
    /// O(1).
    ///
    /// ```
    /// use permatrix::{Policy, policy::Access};
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{}}}"#)?.compile()?;
    /// assert_eq!(auth.module_access(auth.user("a").unwrap(), auth.module("m").unwrap()), Ok(Access::Off));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn module_access(&self, user: UserId, module: ModuleId) -> Result<Access, CheckError> {
        let facts = self.user_facts(user)?;
        let m = self
            .module_slot(module)
            .ok_or(CheckError::stale(IdKind::Module, module.index))?;
        // a user who is not active has no access, whatever their compiled row says
        if !self.is_active(user) {
            return Ok(Access::Off);
        }
        Ok(self.inner.matrix.access(facts.row, m))
    }

    // --- Lists: the records a user may see, as a condition the host's database evaluates ---

    /// The filter for "which records of `module` may `user` do `action` on" ([list filters](crate::doc::semantics#list-filters)).
    /// Unknown ids give a filter that matches nothing.
    ///
    /// # Cost
    /// O((R + t + s·log r + n) · log n) for a user whose direct roles have R roles at or
    /// above them, in t teams, with s sharing rules on the module, and n users or teams
    /// named in the result: the owner sets (the user, the users of subordinate roles, the
    /// users sharing a role, the users a rule shares from) are copied out of indexes built
    /// at compile time, each role and each rule source once, then sorted. The result is
    /// simplified: `True` and `False` collapse, sets of one kind are merged, and no id
    /// appears twice.
    ///
    /// ```
    /// use permatrix::{Action, Policy, filter::Condition, authorizer::PrincipalId, policy::ShareAccess};
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},
    ///   "profiles":{"p":{"modules":{"m":{"access":"on","actions":{"list":"team"}}}}},
    ///   "roles":{"r":{"profiles":["p"]}}, "teams":{"north":{"users":["a"]}}, "users":{"a":{"roles":["r"]}}}"#)?.compile()?;
    /// let (a, m, north, r) = (auth.user("a").unwrap(), auth.module("m").unwrap(), auth.team("north").unwrap(), auth.role("r").unwrap());
    /// assert_eq!(
    ///     auth.filter(a, Action::List, m).condition(),
    ///     &Condition::Any(vec![
    ///         Condition::OwnerUserIn(vec![a]),       // a owns it
    ///         Condition::OwnerTeamIn(vec![north]),   // a's team owns it
    ///         Condition::LinkedToTeam(vec![north]),  // the `team` scope
    ///         Condition::SharedWith {                // shared with a, a's team or role
    ///             to: vec![
    ///                 PrincipalId::User(a),
    ///                 PrincipalId::Team(north),
    ///                 PrincipalId::Role(r),
    ///                 PrincipalId::RoleAndSubordinates(r),
    ///             ],
    ///             at_least: ShareAccess::Read,
    ///         },
    ///     ])
    /// );
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn filter(&self, user: UserId, action: Action, module: ModuleId) -> Filter {
        filter::filter(self, user, action, module)
    }

    /// [`Authorizer::filter`], with unknown ids reported as errors.
    ///
    /// # Errors
    /// [`CheckError`] (`stale_id`) for a user or module this authorizer did not issue.
    ///
    /// # Cost
    /// As [`Authorizer::filter`].
    ///
    /// ```
    /// use permatrix::{Action, Policy};
    /// let policy = Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{}}}"#)?;
    /// let (before, now) = (policy.compile()?, policy.compile()?);
    /// let m = before.module("m").unwrap();
    /// assert!(now.try_filter(now.user("a").unwrap(), Action::List, m).is_err());
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn try_filter(
        &self,
        user: UserId,
        action: Action,
        module: ModuleId,
    ) -> Result<Filter, CheckError> {
        filter::try_filter(self, user, action, module)
    }

    /// The record a host's row describes, in one call: the owner, teams and shares looked
    /// up by the keys `schema` says the columns hold.
    ///
    /// What the policy does not know is read the way [`Filter::to_sql`](crate::Filter::to_sql)
    /// reads it, so the record's checks and the filter agree: a team or share principal
    /// without a user, team or role of that key is left out (no one reaches the record
    /// through it). The owner cannot be left out: a row whose owner the policy does not
    /// know, or that has both or neither owner column, is an error, and so are a share
    /// kind or access that is not a word of the document.
    ///
    /// # Errors
    /// [`CheckError`] with `unknown_reference` (the owner's key, a share's kind or access;
    /// [`CheckError::name`] gives the text), or `stale_id` for a `module` this authorizer
    /// did not issue.
    ///
    /// # Cost
    /// O(t + s) hash look-ups for t teams and s shares.
    ///
    /// ```
    /// use permatrix::{Action, HostKey, Policy, SqlSchema, filter::SqlKeys};
    /// use permatrix::filter::{StoredRecord, StoredShare};
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"accounts":{}},
    ///   "profiles":{"p":{"modules":{"accounts":{"access":"on","actions":{"view":"team","edit":"owner"}}}}},
    ///   "roles":{"r":{"profiles":["p"]}},
    ///   "users":{"alice":{"roles":["r"],"key":1001},"bob":{"roles":["r"],"key":1002}},
    ///   "teams":{"north":{"users":["alice","bob"],"key":11}}}"#)?.compile()?;
    /// let schema = SqlSchema { user_keys: SqlKeys::Integer, team_keys: SqlKeys::Integer, ..SqlSchema::for_table("accounts") };
    /// let alice = auth.user_by_key(&HostKey::from(1001)).unwrap();
    /// let accounts = auth.module("accounts").unwrap();
    /// // the row: owner_user_id 1002, linked to team 11, shared read-write with user 1001
    /// let row = StoredRecord {
    ///     owner_user: Some(HostKey::from(1002)),
    ///     teams: vec![HostKey::from(11)],
    ///     shares: vec![StoredShare { kind: "user".into(), principal: "1001".into(), access: "read_write".into() }],
    ///     ..StoredRecord::default()
    /// };
    /// let record = auth.record_from_row(accounts, &schema, &row)?;
    /// assert!(auth.can(alice, Action::View, &record.as_record()));
    /// assert!(auth.can(alice, Action::Edit, &record.as_record())); // through the share
    /// // an owner the policy does not know is refused, not guessed
    /// let stranger = StoredRecord { owner_user: Some(HostKey::from(9)), ..StoredRecord::default() };
    /// assert_eq!(auth.record_from_row(accounts, &schema, &stranger).unwrap_err().code(), "unknown_reference");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn record_from_row(
        &self,
        module: ModuleId,
        schema: &SqlSchema,
        row: &StoredRecord,
    ) -> Result<OwnedRecord, CheckError> {
        filter::row::record_from_row(self, module, schema, row)
    }

    // --- What a person reads: explanations, the matrix and the report ---

    /// Explains [`Authorizer::can`] for the same arguments: same decision, plus the step and
    /// what was involved. Allocates; meant for administrators and logs, not the hot path.
    ///
    /// # Cost
    /// As [`Authorizer::can`], plus O(sources × profiles + m) to name every source of the cell: it allocates the explanation.
    ///
    /// ```
    /// use permatrix::{Action, Policy, Record, explain::Step};
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},
    ///   "users":{"root":{"admin":"admin"},"b":{}}}"#)?.compile()?;
    /// let (root, b, m) = (auth.user("root").unwrap(), auth.user("b").unwrap(), auth.module("m").unwrap());
    /// let e = auth.explain(root, Action::Delete, &Record::owned_by_user(m, b));
    /// assert_eq!(e.step, Step::AdminBypass);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn explain(&self, user: UserId, action: Action, record: &Record<'_>) -> Explanation {
        explain::decision::explain(self, user, action, record)
    }

    /// Explains [`Authorizer::can_module`].
    ///
    /// # Cost
    /// O(sources × profiles + m), as [`Authorizer::explain`].
    ///
    /// ```
    /// use permatrix::{Action, Policy};
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{}}}"#)?.compile()?;
    /// let e = auth.explain_module(auth.user("a").unwrap(), Action::Create, auth.module("m").unwrap());
    /// assert!(!e.allowed && e.step.number() == 4);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn explain_module(&self, user: UserId, action: Action, module: ModuleId) -> Explanation {
        explain::decision::explain_module(self, user, action, module)
    }

    /// [`Authorizer::calendar_access`] with the share or team right that decided it.
    ///
    /// # Cost
    /// As [`Authorizer::calendar_access`].
    ///
    /// ```
    /// use permatrix::{Owner, Policy, explain::CalendarReason};
    /// let auth = Policy::from_json(r#"{"version":1,"users":{"a":{"admin":"admin"},"b":{}}}"#)?.compile()?;
    /// let (a, b) = (auth.user("a").unwrap(), auth.user("b").unwrap());
    /// assert_eq!(auth.explain_calendar(a, Owner::User(b)).reason, CalendarReason::AdminBypass);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn explain_calendar(&self, viewer: UserId, owner: Owner) -> CalendarExplanation {
        explain::calendar::explain_calendar(self, viewer, owner)
    }

    /// The matrix of `user`, with the calendars they see and the picklist values they may
    /// not pick; a [`CheckError`] (`stale_id`) for an id this authorizer did not issue.
    ///
    /// # Cost
    /// O(modules × actions) for the rows, plus O(calendars × calendar shares) and
    /// O(picklist values × roles) for the rest.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{}}}"#)?.compile()?;
    /// assert_eq!(auth.matrix(auth.user("a").unwrap()).unwrap().rows.len(), 1);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn matrix(&self, user: UserId) -> Result<MatrixView, CheckError> {
        explain::matrix::matrix(self, user).ok_or(CheckError::stale(IdKind::User, user.index))
    }

    /// A self-contained HTML page (no external assets) for administrators: every user ×
    /// module × action, coloured by cell, with the module's access and the user's field
    /// restrictions; hovering over or clicking a cell shows why it is what it is. A filter
    /// box narrows users (by username or display name) and modules (by id), each word
    /// narrowing whichever it matches (`ben sales`), and the page
    /// shows 25 users at a time, so it stays readable at thousands of users. The URL
    /// fragment `#filter=text` fills the box, and `&click=module/action` opens that cell's
    /// reason for the first user shown, so a link can point at one answer. Sections list the sharing rules and the team
    /// tree. `users` limits the report to those users; empty reports everyone.
    ///
    /// # Errors
    /// [`CheckError`] (`stale_id`) for a user this authorizer did not issue.
    ///
    /// # Cost
    /// One [`Authorizer::explain_module`] per user, module and action, plus one
    /// [`Authorizer::field_access`] per user and declared field; identical explanations
    /// are written once.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"deals":{}},
    ///   "profiles":{"rep":{"modules":{"deals":{"access":"on","actions":{"view":"team"}}}}},
    ///   "roles":{"rep":{"profiles":["rep"]}}, "users":{"ann":{"roles":["rep"]}}}"#)?.compile()?;
    /// let html = auth.report_html(&[])?;
    /// assert!(html.starts_with("<!DOCTYPE html>"));
    /// assert!(html.contains(r#""name":"ann""#) && !html.contains("<link") && !html.contains("src="));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn report_html(&self, users: &[UserId]) -> Result<String, CheckError> {
        explain::report::report_html(self, users)
    }

    // --- Size ---

    /// Number of distinct matrix rows: users with identical inputs share one.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"users":{"a":{},"b":{}}}"#)?.compile()?;
    /// assert_eq!(auth.matrix_rows(), 1);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn matrix_rows(&self) -> usize {
        self.inner.matrix.rows()
    }

    /// Approximate heap bytes of the compiled data (the matrix's tables and rows,
    /// memberships, per-user facts, role, team and rule indexes), not counting the policy
    /// kept for names and explanations, nor allocator overhead.
    ///
    /// # Cost
    /// O(1).
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{}}}"#)?.compile()?;
    /// assert!(auth.memory_usage() > 0);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn memory_usage(&self) -> usize {
        self.inner.memory_usage()
    }
}
