//! The check stage: the compiled authorizer's data and every question it answers, from
//! the decision steps of `can` to fields, tools, calendars, sign-in and the teams of new
//! records. Its functions are the bodies behind [`Authorizer`]'s public face
//! (`crate::authorizer`), which holds every public method.

pub(crate) mod calendar;
pub(crate) mod decision;
pub(crate) mod entry;
pub(crate) mod record;
mod relations;
pub(crate) mod signin;
pub(crate) mod sorted;
pub(crate) mod steps;
pub(crate) mod surface;

use std::sync::Arc;

use crate::compile::{self, Compiled, UserFacts};
use crate::error::PolicyError;
use crate::ids::{ModuleId, RoleId, TeamId, UserId};
use crate::policy::Policy;

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
/// [`Limits`](crate::policy::Limits).
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

impl Authorizer {
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

    pub(crate) fn from_compiled(compiled: compile::Compiled) -> Authorizer {
        let active = Arc::new(compiled.active.clone());
        Authorizer {
            inner: Arc::new(compiled),
            active,
        }
    }
}

impl Authorizer {
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
