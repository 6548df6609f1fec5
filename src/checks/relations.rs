//! Who is related to whom in one authorizer, by position: the facts a decision reads about
//! a record's owner ([decision step 6](crate::doc::semantics#decision-steps)) and the
//! users of a principal. The change preview ([`diff`](crate::diff())) compares them
//! between two authorizers; nothing here is on the hot path.

use smallvec::SmallVec;

use super::Authorizer;
use super::sorted;
use crate::compile::{CompiledRule, ModuleFacts};
use crate::ids::{PrincipalId, UserId};
use crate::policy::Principal;

impl Authorizer {
    /// The direct roles of `user` (the default role never among them), as role positions,
    /// ascending; empty for an id this authorizer did not issue.
    pub(crate) fn direct_role_positions(&self, user: UserId) -> SmallVec<[u32; 4]> {
        let Ok(facts) = self.user_facts(user) else {
            return SmallVec::new();
        };
        let tree = &self.inner.roles;
        let mut out: SmallVec<[u32; 4]> = self
            .inner
            .roles_of(facts)
            .iter()
            .filter_map(|&pre| tree.role_at(pre))
            .collect();
        out.sort_unstable();
        out
    }

    /// `user` and `owner` share a direct role (the role match of step 6).
    pub(crate) fn shares_direct_role(&self, user: UserId, owner: UserId) -> bool {
        match (self.user_facts(user), self.user_facts(owner)) {
            (Ok(u), Ok(o)) => {
                sorted::common(self.inner.roles_of(u), self.inner.roles_of(o)).is_some()
            }
            _ => false,
        }
    }

    /// One of `user`'s direct roles is a strict ancestor of one of `owner`'s (the
    /// hierarchy part of the owner fact, for a module with `hierarchy`).
    pub(crate) fn is_superior_of(&self, user: UserId, owner: UserId) -> bool {
        match (self.user_facts(user), self.user_facts(owner)) {
            (Ok(u), Ok(o)) => sorted::hit(self.inner.below_of(u), self.inner.roles_of(o)).is_some(),
            _ => false,
        }
    }

    /// Whether any user holds a role strictly below one of `user`'s direct roles.
    ///
    /// # Cost
    /// O(roles below `user`'s): stops at the first holder.
    pub(crate) fn has_subordinates(&self, user: UserId) -> bool {
        let Ok(facts) = self.user_facts(user) else {
            return false;
        };
        let tree = &self.inner.roles;
        self.inner.below_of(facts).iter().any(|&(lo, hi)| {
            (lo..hi).any(|pre| {
                tree.role_at(pre)
                    .is_some_and(|r| !self.inner.role_users.get(r as usize).is_empty())
            })
        })
    }

    /// The users of `principal`, by position, ascending, each once.
    pub(crate) fn principal_positions(&self, principal: PrincipalId) -> Vec<u32> {
        let mut out: Vec<u32> = self
            .principal_users(principal)
            .into_iter()
            .filter_map(|u| self.user_slot(u).map(|u| u as u32))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The id of `principal` (given by name) in this authorizer, if everything it names
    /// exists here.
    pub(crate) fn principal_id(&self, principal: &Principal) -> Option<PrincipalId> {
        Some(match principal {
            Principal::User(u) => PrincipalId::User(self.user(u)?),
            Principal::Team(t) => PrincipalId::Team(self.team(t)?),
            Principal::Role(r) => PrincipalId::Role(self.role(r)?),
            Principal::RoleAndSubordinates(r) => PrincipalId::RoleAndSubordinates(self.role(r)?),
        })
    }

    /// The compiled facts of the module at position `m`.
    pub(crate) fn module_facts_at(&self, m: usize) -> Option<&ModuleFacts> {
        self.inner.modules.get(m)
    }

    /// The sharing rules of the module at position `m`, resolved.
    pub(crate) fn rules_of_module(&self, m: usize) -> &[CompiledRule] {
        self.inner
            .modules
            .get(m)
            .and_then(|f| {
                self.inner
                    .rules
                    .get(f.rules.start as usize..f.rules.end as usize)
            })
            .unwrap_or(&[])
    }

    /// Whether the team at position `t` is active.
    pub(crate) fn team_is_active(&self, t: usize) -> bool {
        self.inner.team_active.get(t).copied().unwrap_or(false)
    }

    /// The matrix row of `user`, if the id is this authorizer's: users of one row have the
    /// same cells, access, fields and tools.
    pub(crate) fn row_of(&self, user: UserId) -> Option<u32> {
        self.user_facts(user).ok().map(|f| f.row)
    }

    /// The sources of `user`'s matrix row — (role, team ceiling) positions, ascending —
    /// and whether the `admin` scope reaches every record for them: with the user's
    /// overrides and external capping, everything their row is built from.
    pub(crate) fn row_sources(&self, user: UserId) -> (Vec<(u32, Option<u32>)>, bool) {
        match self.user_facts(user) {
            Ok(f) => self.inner.matrix.sources(f.row),
            Err(_) => (Vec::new(), false),
        }
    }

    /// The range of `user`'s active teams in the shared membership table: users with the
    /// same range are members of the same teams.
    pub(crate) fn membership_of(&self, user: UserId) -> Option<(u32, u32)> {
        self.user_facts(user)
            .ok()
            .map(|f| (f.teams.start, f.teams.end))
    }

    /// Whether `user` is an external user capped to reading.
    pub(crate) fn is_external_capped(&self, user: UserId) -> bool {
        let p = &self.inner.policy;
        self.user_slot(user)
            .and_then(|u| p.users.get_index(u))
            .is_some_and(|(_, u)| p.settings.caps_external(u))
    }
}
