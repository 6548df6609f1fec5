//! `can` and its variants: [the decision steps](crate::doc::semantics#decision-steps), step by step, without allocating.

use super::Authorizer;
use super::decision::{Facts, OwnerFact, Step};
use super::record::{Owner, Record};
use super::sorted;
use crate::compile::{Cell, ModuleFacts, UserFacts};
use crate::error::{CheckError, IdKind};
use crate::ids::{ModuleId, PrincipalId, RoleId, TeamId, UserId};
use crate::policy::Action;

impl Authorizer {
    /// The deciding step for a module-level question (steps 1–5), traced.
    #[inline]
    pub(crate) fn decide_module(
        &self,
        user: UserId,
        action: Action,
        module: ModuleId,
    ) -> Result<Step, CheckError> {
        let decided = self.decide_module_untraced(user, action, module);
        self.trace(user, action, module, &decided);
        decided
    }

    fn decide_module_untraced(
        &self,
        user: UserId,
        action: Action,
        module: ModuleId,
    ) -> Result<Step, CheckError> {
        let facts = self.user_facts(user)?;
        let module_facts = self.module_facts(module)?;
        let cell = match self.gate(user, facts, module, action) {
            Ok(cell) => cell,
            Err(step) => return Ok(step),
        };
        if !module_facts.owned || action.is_module_level() {
            return Ok(Step::ModuleWide);
        }
        // A record-level action on an owned module cannot be judged without the record.
        Ok(Step::NotReached(cell, Facts::default()))
    }

    /// The deciding step of [the decision steps](crate::doc::semantics#decision-steps) for
    /// one record, traced.
    #[inline]
    pub(crate) fn decide(
        &self,
        user: UserId,
        action: Action,
        record: &Record<'_>,
    ) -> Result<Step, CheckError> {
        let decided = self.decide_untraced(user, action, record);
        self.trace(user, action, record.module, &decided);
        decided
    }

    /// With the `tracing` feature, one debug event (target `permatrix`) per decision: who,
    /// what, the outcome and its step. Fields are only worked out when a subscriber wants
    /// the event; without the feature this is nothing at all.
    #[inline(always)]
    #[allow(unused_variables)]
    fn trace(
        &self,
        user: UserId,
        action: Action,
        module: ModuleId,
        decided: &Result<Step, CheckError>,
    ) {
        #[cfg(feature = "tracing")]
        tracing::debug!(
            target: "permatrix",
            user = self.user_name(user).unwrap_or("(unknown)"),
            action = action.as_str(),
            module = self.module_name(module).unwrap_or("(unknown)"),
            allowed = decided.as_ref().is_ok_and(|s| s.allows()),
            step = decided.as_ref().map_or(1, |s| s.number()),
            "decision"
        );
    }

    fn decide_untraced(
        &self,
        user: UserId,
        action: Action,
        record: &Record<'_>,
    ) -> Result<Step, CheckError> {
        let c = &*self.inner;
        // Step 1: every id must be known.
        let facts = self.user_facts(user)?;
        let module = self.module_facts(record.module)?;
        self.check_record_ids(record)?;
        // Steps 2–4.
        let cell = match self.gate(user, facts, record.module, action) {
            Ok(cell) => cell,
            Err(step) => return Ok(step),
        };
        // Step 5.
        if !module.owned || action.is_module_level() {
            return Ok(Step::ModuleWide);
        }
        // Step 6.
        let mut found = Facts::default();
        if cell == Cell::ALL {
            return Ok(Step::Cell(cell, found));
        }
        found.owner = self.owner_fact(user, facts, record.owner, module.hierarchy);
        if found.owner.is_some() {
            return Ok(Step::Cell(cell, found));
        }
        if cell.wants_role() {
            found.role_match = self.role_match(facts, record.owner);
        }
        let role = found.role_match.is_some();
        if cell.allows(false, role, false) {
            return Ok(Step::Cell(cell, found));
        }
        // Look for a team match only where one would make the difference.
        if cell.allows(false, role, true) {
            // the record's team ids were checked in step 1: only the lists remain
            let mine = self.teams_of_facts(facts);
            found.team_match = record
                .teams
                .iter()
                .copied()
                .find(|t| mine.binary_search(&t.index).is_ok());
            if found.team_match.is_some() {
                return Ok(Step::Cell(cell, found));
            }
        }
        // Step 7: rules of the module, then shares on the record.
        let rules = c
            .rules
            .get(module.rules.start as usize..module.rules.end as usize)
            .unwrap_or(&[]);
        for rule in rules {
            if rule.access.reaches(action)
                && self.contains(rule.to, user)
                && self.rule_source_matches(rule.from, record.owner)
            {
                return Ok(Step::SharingRule(rule.index as usize));
            }
        }
        for (i, share) in record.shares.iter().enumerate() {
            if share.access.reaches(action) && self.contains(share.to, user) {
                return Ok(Step::RecordShare(i));
            }
        }
        // Step 8.
        Ok(Step::NotReached(cell, found))
    }

    /// Steps 2 and 3, which every question about a user asks before their grants: an
    /// inactive user is refused everything (`Some(false)`), a bypassing admin granted
    /// everything (`Some(true)`); `None` for everyone else.
    #[inline]
    pub(crate) fn decided_before_grants(&self, user: UserId, facts: &UserFacts) -> Option<bool> {
        if !self.is_active(user) {
            Some(false)
        } else if facts.bypass {
            Some(true)
        } else {
            None
        }
    }

    /// The compiled facts of `user`, or the step-1 error.
    #[inline]
    pub(crate) fn user_facts(&self, user: UserId) -> Result<&UserFacts, CheckError> {
        self.user_slot(user)
            .and_then(|u| self.inner.users.get(u))
            .ok_or(CheckError::stale(IdKind::User, user.index))
    }

    /// The compiled facts of `module`, or the step-1 error.
    #[inline]
    pub(crate) fn module_facts(&self, module: ModuleId) -> Result<&ModuleFacts, CheckError> {
        self.module_slot(module)
            .and_then(|m| self.inner.modules.get(m))
            .ok_or(CheckError::stale(IdKind::Module, module.index))
    }

    /// Steps 2–4: status, admin bypass, a `none` cell. `Err` holds the step that decided;
    /// `Ok` the cell the later steps evaluate (read once).
    #[inline]
    pub(crate) fn gate(
        &self,
        user: UserId,
        facts: &UserFacts,
        module: ModuleId,
        action: Action,
    ) -> Result<Cell, Step> {
        match self.decided_before_grants(user, facts) {
            Some(false) => return Err(Step::NotActive),
            Some(true) => return Err(Step::AdminBypass),
            None => {}
        }
        let cell = self
            .inner
            .matrix
            .cell_in(&facts.tables, facts.row, module.index(), action);
        if cell.is_none() {
            return Err(Step::NoGrant);
        }
        Ok(cell)
    }

    /// Step 1 for a record: its owner, teams and share principals must be known.
    pub(crate) fn check_record_ids(&self, record: &Record<'_>) -> Result<(), CheckError> {
        match record.owner {
            Owner::User(o) if self.user_slot(o).is_none() => {
                return Err(CheckError::stale(IdKind::User, o.index));
            }
            Owner::Team(t) if self.team_slot(t).is_none() => {
                return Err(CheckError::stale(IdKind::Team, t.index));
            }
            _ => {}
        }
        if let Some(t) = record.teams.iter().find(|&&t| self.team_slot(t).is_none()) {
            return Err(CheckError::stale(IdKind::Team, t.index));
        }
        for share in record.shares {
            self.check_principal(share.to)?;
        }
        Ok(())
    }

    fn check_principal(&self, p: PrincipalId) -> Result<(), CheckError> {
        match p {
            PrincipalId::User(u) if self.user_slot(u).is_none() => {
                Err(CheckError::stale(IdKind::User, u.index))
            }
            PrincipalId::Team(t) if self.team_slot(t).is_none() => {
                Err(CheckError::stale(IdKind::Team, t.index))
            }
            PrincipalId::Role(r) | PrincipalId::RoleAndSubordinates(r)
                if self.role_slot(r).is_none() =>
            {
                Err(CheckError::stale(IdKind::Role, r.index))
            }
            _ => Ok(()),
        }
    }

    /// [decision step 6](crate::doc::semantics#decision-steps), the owner fact.
    #[inline]
    fn owner_fact(
        &self,
        user: UserId,
        facts: &UserFacts,
        owner: Owner,
        hierarchy: bool,
    ) -> Option<OwnerFact> {
        match owner {
            Owner::User(o) if o == user => Some(OwnerFact::Itself),
            Owner::User(o) if hierarchy => {
                let theirs = self.inner.roles_of(self.user_facts(o).ok()?);
                let ((lo, _), subordinate) = sorted::hit(self.inner.below_of(facts), theirs)?;
                let tree = &self.inner.roles;
                Some(OwnerFact::Superior {
                    superior: self.role_id(tree.role_at(lo.checked_sub(1)?)?),
                    subordinate: self.role_id(tree.role_at(subordinate)?),
                })
            }
            Owner::User(_) => None,
            Owner::Team(t) => self
                .is_member(user, t)
                .then_some(OwnerFact::MemberOfOwningTeam),
        }
    }

    /// A direct role shared with the owning user.
    #[inline]
    fn role_match(&self, facts: &UserFacts, owner: Owner) -> Option<RoleId> {
        let Owner::User(o) = owner else { return None };
        let mine = self.inner.roles_of(facts);
        let shared = sorted::common(mine, self.inner.roles_of(self.user_facts(o).ok()?))?;
        Some(self.role_id(self.inner.roles.role_at(shared)?))
    }

    /// Membership in an active team (inactive teams have no members).
    #[inline]
    pub(crate) fn is_member(&self, user: UserId, team: TeamId) -> bool {
        self.team_slot(team).is_some()
            && self
                .user_team_slice(user)
                .binary_search(&team.index)
                .is_ok()
    }

    /// Whether the principal's users include `user`.
    #[inline]
    pub(crate) fn contains(&self, principal: PrincipalId, user: UserId) -> bool {
        let Ok(facts) = self.user_facts(user) else {
            return false;
        };
        match principal {
            PrincipalId::User(u) => u == user,
            PrincipalId::Team(t) => self.is_member(user, t),
            PrincipalId::Role(r) => self
                .role_slot(r)
                .and_then(|r| self.inner.roles.pre(r as u32))
                .is_some_and(|pre| self.inner.roles_of(facts).binary_search(&pre).is_ok()),
            PrincipalId::RoleAndSubordinates(r) => {
                let tree = &self.inner.roles;
                let span = self
                    .role_slot(r)
                    .and_then(|r| Some((tree.pre(r as u32)?, tree.end(r as u32)?)));
                span.is_some_and(|(lo, hi)| {
                    sorted::first_in(self.inner.roles_of(facts), lo, hi).is_some()
                })
            }
        }
    }

    /// A rule's `from` matches the record's owner user, or the record is owned by that very
    /// (active) team.
    #[inline]
    pub(crate) fn rule_source_matches(&self, from: PrincipalId, owner: Owner) -> bool {
        match owner {
            Owner::User(o) => self.contains(from, o),
            Owner::Team(t) => {
                from == PrincipalId::Team(t)
                    && self
                        .team_slot(t)
                        .and_then(|t| self.inner.team_active.get(t).copied())
                        .unwrap_or(false)
            }
        }
    }
}

pub(crate) fn bypasses(auth: &Authorizer, user: UserId) -> bool {
    auth.user_facts(user)
        .is_ok_and(|f| auth.decided_before_grants(user, f) == Some(true))
}

#[inline]
pub(crate) fn can(auth: &Authorizer, user: UserId, action: Action, record: &Record<'_>) -> bool {
    auth.decide(user, action, record).is_ok_and(Step::allows)
}

pub(crate) fn try_can(
    auth: &Authorizer,
    user: UserId,
    action: Action,
    record: &Record<'_>,
) -> Result<bool, CheckError> {
    auth.decide(user, action, record).map(Step::allows)
}

#[inline]
pub(crate) fn can_module(
    auth: &Authorizer,
    user: UserId,
    action: Action,
    module: ModuleId,
) -> bool {
    auth.decide_module(user, action, module)
        .is_ok_and(Step::allows)
}

pub(crate) fn try_can_module(
    auth: &Authorizer,
    user: UserId,
    action: Action,
    module: ModuleId,
) -> Result<bool, CheckError> {
    auth.decide_module(user, action, module).map(Step::allows)
}
