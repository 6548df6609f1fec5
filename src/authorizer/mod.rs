//! The compiled, immutable authorizer and everything it answers: checks, fields and
//! tools, explanations, matrices, sign-in and the teams of new records.

mod calendar;
mod check;
pub(crate) mod decision;
pub(crate) mod entry;
mod explain;
pub(crate) mod record;
mod relations;
mod render;
mod report;
pub(crate) mod signin;
mod surface;

use std::sync::Arc;

use crate::compile::{self, Cell, Compiled, UserFacts};
use crate::error::PolicyError;
use crate::policy::{Access, Action, AdminLevel, HostKey, Policy};

pub use crate::ids::{FieldId, ModuleId, PrincipalId, RoleId, TeamId, ToolId, UserId};
pub use calendar::{CalendarExplanation, CalendarReason};
pub use decision::{Facts, OwnerFact, Step};
pub use entry::areas;
pub use explain::{Explanation, Named, SourceGrant};
pub use record::{OwnedRecord, Owner, Record, Share};
pub use render::MatrixView;
pub use signin::{Factors, LoginError};

/// An immutable snapshot of a compiled [`Policy`] that answers checks.
///
/// # Synchronization and cloning
/// `Authorizer` is `Send + Sync`; cloning it copies one pointer. Share one value across
/// threads and swap in a newly compiled one when the policy changes: checks in flight keep
/// the snapshot they started with.
///
/// # Cost
/// The methods state their cost with these letters: `r` and `o` the direct roles of the
/// user and of the record's owner, `m` the teams of the user (or owner), `t` the record's
/// teams, `h` its shares, `s` the sharing rules of the module, and `n` the longest of the
/// user's and owner's role and team lists (every lookup in them is a binary search).
/// [`Authorizer::can`] is O(t + h + (s + t + h + min(r, o)) · log n) and allocates nothing;
/// a typical check is a few binary searches and a join of up to three matrix cells.
/// Memory is one matrix table per distinct source (a role with its team ceiling), one
/// short list of sources per distinct combination of user inputs (roles, team-conferred
/// roles, overrides, kind, admin level), one team list per distinct combination of direct
/// teams and roles, and 56 bytes of facts per user;
/// see [`Authorizer::memory_usage`]. Compiling is bounded by the policy's
/// [`Limits`](crate::Limits).
///
/// ```
/// use permatrix::{Action, Policy, Record};
/// let auth = Policy::from_json(r#"{
///   "version": 1,
///   "modules": { "deals": {} },
///   "profiles": { "manager": { "modules": { "deals": { "access": "on", "actions": { "view": "all" } } } } },
///   "roles": { "manager": { "profiles": ["manager"] } },
///   "users": { "mia": { "roles": ["manager"] }, "sam": {} }
/// }"#)?.compile()?;
/// let (mia, sam, deals) = (auth.user("mia").unwrap(), auth.user("sam").unwrap(), auth.module("deals").unwrap());
/// let deal = Record::owned_by_user(deals, sam);
/// assert!(auth.can(mia, Action::View, &deal));
/// assert!(!auth.can(sam, Action::View, &deal)); // sam has no role at all
/// # Ok::<(), permatrix::PolicyError>(())
/// ```
#[derive(Clone)]
pub struct Authorizer {
    pub(crate) inner: Arc<Compiled>,
    /// Which users are active, one bit each: kept apart from the compiled data so that a
    /// status change makes a new authorizer without recompiling.
    pub(crate) active: Arc<Vec<u64>>,
}

/// A summary: the compiled data is far too large to print whole.
impl std::fmt::Debug for Authorizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authorizer")
            .field("users", &self.inner.users.len())
            .field("modules", &self.inner.modules.len())
            .field("teams", &self.inner.team_active.len())
            .field("matrix_rows", &self.inner.matrix.rows())
            .field("revision", &self.inner.policy.revision())
            .finish_non_exhaustive()
    }
}

impl Policy {
    /// Validates the policy and compiles it into an [`Authorizer`].
    ///
    /// # Errors
    /// The first validation problem, with its stable code and path ([the policy model](crate::doc::document)).
    ///
    /// # Cost
    /// O(P + M + R·X) time and memory for a policy of size P ([`Limits::size_of`](crate::Limits::size_of)),
    /// M team memberships kept (one team list per group of users with the same direct
    /// teams and roles) and T matrix tables of X bytes each (actions, fields and tools of
    /// every module): one per distinct source (a role with its team ceiling), plus rows
    /// with overrides, plus every other row while they fit in
    /// [`Limits::get_row_cache_bytes`](crate::Limits::get_row_cache_bytes); M and T·X are
    /// held to the budgets of the policy's [`Limits`](crate::Limits). The authorizer keeps
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
    /// use permatrix::{Action, Policy, Record, Scope};
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

    /// [`Authorizer::recompile`] keeping a shared policy rather than a copy of it.
    pub(crate) fn recompile_shared(
        &self,
        policy: std::sync::Arc<Policy>,
    ) -> Result<Authorizer, PolicyError> {
        compile::recompile(&self.inner, policy).map(Authorizer::from_compiled)
    }

    /// Compiles a policy that others share, keeping the shared copy rather than making one.
    #[cfg(feature = "store")]
    pub(crate) fn compile_shared(policy: Arc<Policy>) -> Result<Authorizer, PolicyError> {
        compile::compile_shared(policy).map(Authorizer::from_compiled)
    }

    fn from_compiled(compiled: compile::Compiled) -> Authorizer {
        let active = Arc::new(compiled.active.clone());
        Authorizer {
            inner: Arc::new(compiled),
            active,
        }
    }
}

impl Authorizer {
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

    /// The username of `user`, if the id is this authorizer's (`None` for a stale id).
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"users":{"a":{}}}"#)?.compile()?;
    /// assert_eq!(auth.user_name(auth.user("a").unwrap()), Some("a"));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn user_name(&self, user: UserId) -> Option<&str> {
        let u = self.user_slot(user)?;
        self.inner
            .policy
            .users
            .get_index(u)
            .map(|(k, _)| k.as_str())
    }

    /// The name to show for `user`: the display name, or the username where there is
    /// none.
    ///
    /// # Errors
    /// `stale_id` for an id this authorizer did not issue.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"users":{"ann":{"display_name":"Ann Nord"},"bo":{}}}"#)?.compile()?;
    /// assert_eq!(auth.display_name(auth.user("ann").unwrap())?, "Ann Nord");
    /// assert_eq!(auth.display_name(auth.user("bo").unwrap())?, "bo");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn display_name(&self, user: UserId) -> Result<&str, crate::error::CheckError> {
        let (name, def) = self
            .user_slot(user)
            .and_then(|u| self.inner.policy.users.get_index(u))
            .ok_or(crate::error::CheckError::stale(
                crate::error::IdKind::User,
                user.index,
            ))?;
        Ok(def.display_name.as_deref().unwrap_or(name))
    }

    /// The id (name) of `team`, if the id is this authorizer's.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"teams":{"t":{}}}"#)?.compile()?;
    /// assert_eq!(auth.team_name(auth.team("t").unwrap()), Some("t"));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn team_name(&self, team: TeamId) -> Option<&str> {
        let t = self.team_slot(team)?;
        self.inner
            .policy
            .teams
            .get_index(t)
            .map(|(k, _)| k.as_str())
    }

    /// The id (name) of `role`, if the id is this authorizer's.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"profiles":{"p":{}},"roles":{"r":{"profiles":["p"]}}}"#)?.compile()?;
    /// assert_eq!(auth.role_name(auth.role("r").unwrap()), Some("r"));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn role_name(&self, role: RoleId) -> Option<&str> {
        let r = self.role_slot(role)?;
        self.inner
            .policy
            .roles
            .get_index(r)
            .map(|(k, _)| k.as_str())
    }

    /// The id (name) of `module`, if the id is this authorizer's.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}}}"#)?.compile()?;
    /// assert_eq!(auth.module_name(auth.module("m").unwrap()), Some("m"));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn module_name(&self, module: ModuleId) -> Option<&str> {
        let m = self.module_slot(module)?;
        self.inner
            .policy
            .modules
            .get_index(m)
            .map(|(k, _)| k.as_str())
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

    /// The host key of `user`, if it has one and the id is this authorizer's. O(1).
    ///
    /// ```
    /// use permatrix::{HostKey, Policy};
    /// let auth = Policy::from_json(r#"{"version":1,"users":{"ann":{"key":1003},"bob":{}}}"#)?.compile()?;
    /// assert_eq!(auth.user_key(auth.user("ann").unwrap()), Some(&HostKey::from(1003)));
    /// assert_eq!(auth.user_key(auth.user("bob").unwrap()), None);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn user_key(&self, user: UserId) -> Option<&HostKey> {
        let u = self.user_slot(user)?;
        self.inner.policy.users.get_index(u)?.1.key.as_ref()
    }

    /// The host key of `team`, if it has one and the id is this authorizer's. O(1).
    ///
    /// ```
    /// use permatrix::{HostKey, Policy};
    /// let auth = Policy::from_json(r#"{"version":1,"teams":{"north":{"key":7}}}"#)?.compile()?;
    /// assert_eq!(auth.team_key(auth.team("north").unwrap()), Some(&HostKey::from(7)));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn team_key(&self, team: TeamId) -> Option<&HostKey> {
        let t = self.team_slot(team)?;
        self.inner.policy.teams.get_index(t)?.1.key.as_ref()
    }

    /// The host key of `module`, if it has one and the id is this authorizer's. O(1).
    ///
    /// ```
    /// use permatrix::{HostKey, Policy};
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"deals":{"key":3}}}"#)?.compile()?;
    /// assert_eq!(auth.module_key(auth.module("deals").unwrap()), Some(&HostKey::from(3)));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn module_key(&self, module: ModuleId) -> Option<&HostKey> {
        let m = self.module_slot(module)?;
        self.inner.policy.modules.get_index(m)?.1.key.as_ref()
    }

    /// The matrix cell of `user` for (`module`, `action`), after every step of [grants](crate::doc::semantics#grants)
    /// (`none` for a user who is not active). `None` for an unknown id. A bypassing
    /// admin's cells are what the matrix holds; the bypass itself happens in
    /// [`Authorizer::can`].
    ///
    /// # Cost
    /// O(1).
    ///
    /// ```
    /// use permatrix::{Action, Cell, Policy};
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{}}}"#)?.compile()?;
    /// let (a, m) = (auth.user("a").unwrap(), auth.module("m").unwrap());
    /// assert_eq!(auth.cell(a, m, Action::View), Some(Cell::NONE));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn cell(&self, user: UserId, module: ModuleId, action: Action) -> Option<Cell> {
        let facts = self.user_facts(user).ok()?;
        let m = self.module_slot(module)?;
        if !self.is_active(user) {
            // SPEC §3 step 6: a user who is not active gets `none` everywhere
            return Some(Cell::NONE);
        }
        Some(self.inner.matrix.cell(facts.row, m, action))
    }

    /// The effective module access of `user` (after overrides); `off` for a user who is
    /// not active. `None` for an unknown id.
    ///
    /// # Cost
    /// O(1).
    ///
    /// ```
    /// use permatrix::{Access, Policy};
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{}}}"#)?.compile()?;
    /// assert_eq!(auth.module_access(auth.user("a").unwrap(), auth.module("m").unwrap()), Some(Access::Off));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn module_access(&self, user: UserId, module: ModuleId) -> Option<Access> {
        let facts = self.user_facts(user).ok()?;
        let m = self.module_slot(module)?;
        // a user who is not active has no access, whatever their compiled row says
        if !self.is_active(user) {
            return Some(Access::Off);
        }
        Some(self.inner.matrix.access(facts.row, m))
    }

    /// The effective admin level of `user`: their own or the highest conferred by one of
    /// their active teams. `None` for an unknown id.
    ///
    /// # Cost
    /// O(1): worked out at compile time.
    ///
    /// ```
    /// use permatrix::{AdminLevel, Policy};
    /// let auth = Policy::from_json(r#"{"version":1,"users":{"a":{}},"teams":{"admins":{"users":["a"],"admin":"admin"}}}"#)?.compile()?;
    /// assert_eq!(auth.admin_level(auth.user("a").unwrap()), Some(AdminLevel::Admin));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn admin_level(&self, user: UserId) -> Option<AdminLevel> {
        self.user_facts(user).ok().map(|u| u.level)
    }

    /// The active teams `user` is a member of (nested teams and role entries included),
    /// ascending. `None` for an id this authorizer did not issue.
    ///
    /// # Cost
    /// O(m): the list is kept, this copies it into ids.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"users":{"a":{}},
    ///     "teams":{"inner":{"users":["a"]},"outer":{"teams":["inner"]}}}"#)?.compile()?;
    /// assert_eq!(auth.teams_of(auth.user("a").unwrap()).map(|t| t.len()), Some(2));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn teams_of(&self, user: UserId) -> Option<Vec<TeamId>> {
        self.user_slot(user)?;
        Some(
            self.user_team_slice(user)
                .iter()
                .map(|&t| self.team_id(t))
                .collect(),
        )
    }

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

    /// Whether `user` is active in this authorizer; `None` for an unknown id.
    ///
    /// # Cost
    /// O(1).
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"users":{"a":{},"b":{"status":"invited"}}}"#)?.compile()?;
    /// assert_eq!(auth.user_active(auth.user("a").unwrap()), Some(true));
    /// assert_eq!(auth.user_active(auth.user("b").unwrap()), Some(false));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn user_active(&self, user: UserId) -> Option<bool> {
        self.user_slot(user).map(|_| self.is_active(user))
    }

    /// A copy of this authorizer in which `user` is active (`true`) or not (`false`),
    /// sharing everything else. Deactivation and reactivation take effect through this
    /// without a recompile ([administration](crate::doc::semantics#administration)). Unknown ids change nothing.
    ///
    /// # Cost
    /// O(users / 64): one bitset is copied.
    ///
    /// ```
    /// use permatrix::{Action, Policy, Record};
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"root":{"admin":"admin"}}}"#)?.compile()?;
    /// let (root, m) = (auth.user("root").unwrap(), auth.module("m").unwrap());
    /// let record = Record::owned_by_user(m, root);
    /// let after = auth.with_user_active(root, false);
    /// assert!(auth.can(root, Action::View, &record));
    /// assert!(!after.can(root, Action::View, &record));
    /// assert!(after.with_user_active(root, true).can(root, Action::View, &record));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    #[must_use]
    pub fn with_user_active(&self, user: UserId, active: bool) -> Authorizer {
        let mut bits = (*self.active).clone();
        if let Some(word) = self.user_slot(user).and_then(|u| bits.get_mut(u / 64)) {
            let bit = 1u64 << (user.index() % 64);
            if active {
                *word |= bit;
            } else {
                *word &= !bit;
            }
        }
        Authorizer {
            inner: Arc::clone(&self.inner),
            active: Arc::new(bits),
        }
    }

    /// Whether `user` is active; `false` for an id that is not this authorizer's.
    #[inline]
    pub(crate) fn is_active(&self, user: UserId) -> bool {
        user.generation == self.inner.generation
            && self
                .active
                .get(user.index() / 64)
                .is_some_and(|w| w & (1 << (user.index() % 64)) != 0)
    }

    /// The position of `user` if the id is this authorizer's.
    #[inline]
    pub(crate) fn user_slot(&self, user: UserId) -> Option<usize> {
        (user.generation == self.inner.generation && user.index() < self.inner.users.len())
            .then_some(user.index())
    }

    /// The position of `team` if the id is this authorizer's.
    #[inline]
    pub(crate) fn team_slot(&self, team: TeamId) -> Option<usize> {
        (team.generation == self.inner.generation && team.index() < self.inner.team_active.len())
            .then_some(team.index())
    }

    /// The position of `role` if the id is this authorizer's.
    #[inline]
    pub(crate) fn role_slot(&self, role: RoleId) -> Option<usize> {
        (role.generation == self.inner.generation && role.index() < self.inner.policy.roles.len())
            .then_some(role.index())
    }

    /// The position of `module` if the id is this authorizer's.
    #[inline]
    pub(crate) fn module_slot(&self, module: ModuleId) -> Option<usize> {
        (module.generation == self.inner.generation && module.index() < self.inner.modules.len())
            .then_some(module.index())
    }

    /// This authorizer's id for the user at position `i`.
    #[inline]
    pub(crate) fn user_id(&self, i: u32) -> UserId {
        UserId::new(i, self.inner.generation)
    }

    /// This authorizer's id for the team at position `i`.
    #[inline]
    pub(crate) fn team_id(&self, i: u32) -> TeamId {
        TeamId::new(i, self.inner.generation)
    }

    /// This authorizer's id for the role at position `i`.
    #[inline]
    pub(crate) fn role_id(&self, i: u32) -> RoleId {
        RoleId::new(i, self.inner.generation)
    }

    /// This authorizer's id for the module at position `i`.
    #[inline]
    pub(crate) fn module_id(&self, i: u32) -> ModuleId {
        ModuleId::new(i, self.inner.generation)
    }

    /// The active teams of `user`, ascending; empty for an id that is not this
    /// authorizer's.
    #[inline]
    pub(crate) fn user_team_slice(&self, user: UserId) -> &[u32] {
        match self.user_facts(user) {
            Ok(facts) => self.teams_of_facts(facts),
            Err(_) => &[],
        }
    }

    /// The active teams of the user whose facts these are, ascending.
    #[inline]
    pub(crate) fn teams_of_facts(&self, facts: &UserFacts) -> &[u32] {
        self.inner
            .memberships
            .all_teams()
            .get(facts.teams.start as usize..facts.teams.end as usize)
            .unwrap_or(&[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync + Clone>() {}

    #[test]
    fn authorizer_is_send_sync_and_clone() {
        assert_send_sync::<Authorizer>();
        assert_send_sync::<Policy>();
    }
}
