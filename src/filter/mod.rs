//! List filters ([list filters](crate::doc::semantics#list-filters)): "which records of this module may this user list?" as a
//! boolean condition over a record's columns — owner user, owner team, linked teams and
//! shares — that matches a record exactly when [`Authorizer::can`] allows it.
//!
//! A [`Filter`] can be evaluated in memory ([`Filter::matches`]) or turned into a
//! parameterised SQL `WHERE` fragment ([`Filter::to_sql`]) so that the host's database
//! does the work.

mod condition;
pub(crate) mod row;
mod schema;
mod sql;

use std::collections::HashSet;

use crate::cell::Cell;
use crate::checks::Authorizer;
use crate::checks::record::Record;
use crate::error::CheckError;
use crate::ids::{ModuleId, PrincipalId, TeamId, UserId};
use crate::policy::{Action, ShareAccess};

pub use condition::Condition;
pub use row::{StoredRecord, StoredShare};
pub use schema::{LinkTable, RecordTeams, ShareTable, SqlKeys, SqlSchema};
pub use sql::{SqlDialect, SqlError, SqlFilter, SqlValue};

/// The records of one module that one user may act on, as a condition over record columns.
///
/// Cheap to clone (it holds the authorizer it was built from, one pointer).
///
/// ```
/// use permatrix::{Action, Policy, Record, filter::Condition};
/// let auth = Policy::from_json(r#"{"version":1,"modules":{"deals":{}},
///   "profiles":{"rep":{"modules":{"deals":{"access":"on","actions":{"list":"owner"}}}}},
///   "roles":{"rep":{"profiles":["rep"]}}, "users":{"ann":{"roles":["rep"]},"bob":{"roles":["rep"]}}}"#)?.compile()?;
/// let (ann, bob, deals) = (auth.user("ann").unwrap(), auth.user("bob").unwrap(), auth.module("deals").unwrap());
/// let filter = auth.filter(ann, Action::List, deals);
/// // her own deals, or deals shared with her (or her role)
/// let Condition::Any(parts) = filter.condition() else { panic!("expected a disjunction") };
/// assert_eq!(parts[0], Condition::OwnerUserIn(vec![ann]));
/// assert!(matches!(parts[1], Condition::SharedWith { .. }));
/// assert!(filter.matches(&Record::owned_by_user(deals, ann)));
/// assert!(!filter.matches(&Record::owned_by_user(deals, bob)));
/// # Ok::<(), permatrix::PolicyError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Filter {
    auth: Authorizer,
    module: ModuleId,
    action: Action,
    condition: Condition,
}

impl Filter {
    /// The simplified condition.
    ///
    /// ```
    /// use permatrix::{Action, Policy, filter::Condition};
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{}}}"#)?.compile()?;
    /// let f = auth.filter(auth.user("a").unwrap(), Action::List, auth.module("m").unwrap());
    /// assert_eq!(f.condition(), &Condition::False);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn condition(&self) -> &Condition {
        &self.condition
    }

    /// The module the filter is for.
    ///
    /// ```
    /// use permatrix::{Action, Policy};
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{}}}"#)?.compile()?;
    /// let m = auth.module("m").unwrap();
    /// assert_eq!(auth.filter(auth.user("a").unwrap(), Action::List, m).module(), m);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn module(&self) -> ModuleId {
        self.module
    }

    /// The action the filter is for.
    ///
    /// ```
    /// use permatrix::{Action, Policy};
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{}}}"#)?.compile()?;
    /// assert_eq!(auth.filter(auth.user("a").unwrap(), Action::Export, auth.module("m").unwrap()).action(), Action::Export);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn action(&self) -> Action {
        self.action
    }

    /// Whether `record` passes: exactly [`Authorizer::can`] for the filter's user and
    /// action. A record of another module, or one naming an id the authorizer does not
    /// know, never passes.
    ///
    /// # Cost
    /// O(t · log k + h · log k) for a record with t teams and h shares against a condition naming k ids; no allocation.
    ///
    /// ```
    /// use permatrix::{Action, Policy, Record};
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{},"n":{}},"users":{"root":{"admin":"admin"}}}"#)?.compile()?;
    /// let root = auth.user("root").unwrap();
    /// let f = auth.filter(root, Action::Delete, auth.module("m").unwrap());
    /// assert!(f.matches(&Record::owned_by_user(auth.module("m").unwrap(), root)));
    /// assert!(!f.matches(&Record::owned_by_user(auth.module("n").unwrap(), root)));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn matches(&self, record: &Record<'_>) -> bool {
        record.module == self.module
            && self.auth.check_record_ids(record).is_ok()
            && self.condition.matches_simplified(record)
    }
}

impl Authorizer {
    fn filter_condition(
        &self,
        user: UserId,
        action: Action,
        module: ModuleId,
    ) -> Result<Condition, CheckError> {
        let c = &*self.inner;
        let facts = self.user_facts(user)?;
        let module_facts = self.module_facts(module)?;
        // Steps 2–5 decide for every record alike.
        let cell = match self.gate(user, facts, module, action) {
            Ok(cell) => cell,
            Err(step) => {
                return Ok(if step.allows() {
                    Condition::True
                } else {
                    Condition::False
                });
            }
        };
        if !module_facts.owned || action.is_module_level() {
            return Ok(Condition::True);
        }
        if cell == Cell::ALL {
            return Ok(Condition::True);
        }
        let my_teams: Vec<TeamId> = self
            .user_team_slice(user)
            .iter()
            .map(|&t| self.team_id(t))
            .collect();
        let mut any = Vec::new();

        // Step 6, owner fact: the user, subordinates (hierarchy), owning teams. The ranges
        // below the user's roles are disjoint, so every role is visited once.
        let tree = &c.roles;
        let mut owners = vec![user];
        if module_facts.hierarchy {
            for &(lo, hi) in c.below_of(facts) {
                for role in (lo..hi).filter_map(|pre| tree.role_at(pre)) {
                    owners.extend(self.role_user_ids(role));
                }
            }
        }
        any.push(Condition::OwnerUserIn(owners));
        any.push(Condition::OwnerTeamIn(my_teams.clone()));
        // Step 6, role and team facts, as the cell combines them.
        let my_roles: Vec<u32> = c
            .roles_of(facts)
            .iter()
            .filter_map(|&pre| tree.role_at(pre))
            .collect();
        let role_match = || {
            let mut users = Vec::new();
            for &mine in &my_roles {
                users.extend(self.role_user_ids(mine));
            }
            Condition::OwnerUserIn(users)
        };
        let team_match = || Condition::LinkedToTeam(my_teams.clone());
        match cell {
            Cell::ROLE => any.push(role_match()),
            Cell::TEAM => any.push(team_match()),
            Cell::ROLE_OR_TEAM => {
                any.push(role_match());
                any.push(team_match());
            }
            Cell::ROLE_AND_TEAM => any.push(Condition::All(vec![role_match(), team_match()])),
            _ => {} // owner only
        }
        // Step 7, sharing rules of the module that reach this action and include the user;
        // each source principal is expanded once, however many rules name it.
        let rules = c
            .rules
            .get(module_facts.rules.start as usize..module_facts.rules.end as usize)
            .unwrap_or(&[]);
        let mut sources = HashSet::new();
        for rule in rules {
            if !rule.access.reaches(action)
                || !self.contains(rule.to, user)
                || !sources.insert(rule.from)
            {
                continue;
            }
            any.push(Condition::OwnerUserIn(self.principal_users(rule.from)));
            if let PrincipalId::Team(t) = rule.from {
                if c.team_active.get(t.index()).copied().unwrap_or(false) {
                    any.push(Condition::OwnerTeamIn(vec![t]));
                }
            }
        }
        // Step 7, shares on the record naming a principal that includes the user: the
        // user, their teams, their roles, and every role at or above one of theirs (each
        // once: the walk up stops at a role seen before).
        let at_least = match action {
            Action::Edit => ShareAccess::ReadWrite,
            Action::Delete => ShareAccess::Full,
            _ => ShareAccess::Read,
        };
        let mut to = vec![PrincipalId::User(user)];
        to.extend(my_teams.iter().map(|&t| PrincipalId::Team(t)));
        let mut above = HashSet::new();
        for &mine in &my_roles {
            to.push(PrincipalId::Role(self.role_id(mine)));
            let mut role = Some(mine);
            while let Some(r) = role.filter(|&r| above.insert(r)) {
                to.push(PrincipalId::RoleAndSubordinates(self.role_id(r)));
                role = tree.parent(r);
            }
        }
        any.push(Condition::SharedWith { to, at_least });
        Ok(Condition::Any(any).simplified())
    }

    fn role_user_ids(&self, role: u32) -> impl Iterator<Item = UserId> + '_ {
        self.inner
            .role_users
            .get(role as usize)
            .iter()
            .map(|&u| self.user_id(u))
    }

    /// The users a principal names ([the policy model](crate::doc::document) Sharing rules).
    pub(crate) fn principal_users(&self, principal: PrincipalId) -> Vec<UserId> {
        let c = &*self.inner;
        match principal {
            PrincipalId::User(u) => vec![u],
            PrincipalId::Team(t) => c
                .team_classes
                .get(t.index())
                .iter()
                .flat_map(|&class| c.class_users.get(class as usize))
                .map(|&u| self.user_id(u))
                .collect(),
            PrincipalId::Role(r) => self.role_user_ids(r.index).collect(),
            PrincipalId::RoleAndSubordinates(r) => c
                .roles
                .subtree(r.index)
                .iter()
                .flat_map(|&role| self.role_user_ids(role))
                .collect(),
        }
    }
}

pub(crate) fn filter(auth: &Authorizer, user: UserId, action: Action, module: ModuleId) -> Filter {
    let condition = auth
        .filter_condition(user, action, module)
        .unwrap_or(Condition::False);
    Filter {
        auth: auth.clone(),
        module,
        action,
        condition,
    }
}

pub(crate) fn try_filter(
    auth: &Authorizer,
    user: UserId,
    action: Action,
    module: ModuleId,
) -> Result<Filter, CheckError> {
    let condition = auth.filter_condition(user, action, module)?;
    Ok(Filter {
        auth: auth.clone(),
        module,
        action,
        condition,
    })
}
