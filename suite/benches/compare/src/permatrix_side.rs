//! The workload as a permatrix [`Policy`], built in code, and its checks.

use indexmap::IndexMap;
use permatrix::{Action, Authorizer, ModuleId, Owner, Policy, Record, TeamId, UserId, policy::{Access, Module, ModuleGrant, Principal, Profile, Role, Scope, ShareAccess, SharingRule, Team, User}};

use crate::timing::Checker;
use crate::workload::{self, Act, Level, Query, Workload, names};

/// A compiled policy plus the records in the shape `can` takes them: ids, not names.
pub struct PermatrixSide {
    pub auth: Authorizer,
    users: Vec<UserId>,
    record_module: Vec<ModuleId>,
    record_owner: Vec<UserId>,
    record_teams: Vec<Vec<TeamId>>,
    queries: Vec<(UserId, Action, usize)>,
}

pub fn action(act: Act) -> Action {
    match act {
        Act::View => Action::View,
        Act::List => Action::List,
        Act::Edit => Action::Edit,
        Act::Delete => Action::Delete,
    }
}

/// The workload's policy: one profile per role, the defaults for everything else
/// (additive merge, active internal users, private owned modules).
pub fn policy(w: &Workload) -> Policy {
    let mut p = Policy::new();
    for (m, &hierarchy) in w.hierarchy.iter().enumerate() {
        let module = Module {
            hierarchy,
            ..Module::default()
        };
        p.modules.insert(names::module(m), module);
    }
    let mut profiles: Vec<IndexMap<String, ModuleGrant>> = vec![IndexMap::new(); w.shape.roles];
    for g in &w.grants {
        let grant = profiles[g.role]
            .entry(names::module(g.module))
            .or_insert_with(|| ModuleGrant {
                access: Access::On,
                ..ModuleGrant::default()
            });
        grant.actions.insert(action(g.act), scope(g.scope));
    }
    for (r, modules) in profiles.into_iter().enumerate() {
        let profile = Profile {
            modules,
            ..Profile::default()
        };
        p.profiles.insert(format!("p{r}"), profile);
        let role = Role {
            name: None,
            parent: w.role_parent[r].map(names::role),
            profiles: vec![format!("p{r}")],
        };
        p.roles.insert(names::role(r), role);
    }
    for (t, members) in w.team_members().into_iter().enumerate() {
        let team = Team {
            users: members.into_iter().map(names::user).collect(),
            ..Team::default()
        };
        p.teams.insert(names::team(t), team);
    }
    for (u, roles) in w.user_roles.iter().enumerate() {
        let user = User {
            roles: roles.iter().map(|&r| names::role(r)).collect(),
            ..User::default()
        };
        p.users.insert(names::user(u), user);
    }
    p.sharing_rules = w
        .sharing_rules
        .iter()
        .map(|rule| SharingRule {
            module: names::module(rule.module),
            from: principal(rule.from),
            to: principal(rule.to),
            access: match rule.level {
                Level::Read => ShareAccess::Read,
                Level::ReadWrite => ShareAccess::ReadWrite,
                Level::Full => ShareAccess::Full,
            },
        })
        .collect();
    p
}

fn scope(s: workload::Scope) -> Scope {
    match s {
        workload::Scope::Owner => Scope::Owner,
        workload::Scope::Role => Scope::Role,
        workload::Scope::Team => Scope::Team,
        workload::Scope::All => Scope::All,
    }
}

fn principal(p: workload::Principal) -> Principal {
    match p {
        workload::Principal::Role(r) => Principal::Role(names::role(r)),
        workload::Principal::Team(t) => Principal::Team(names::team(t)),
    }
}

impl PermatrixSide {
    pub fn build(w: &Workload) -> PermatrixSide {
        let auth = policy(w).compile().expect("the workload's policy compiles");
        let user = |u: usize| {
            auth.user(&names::user(u))
                .expect("every user is in the policy")
        };
        let users = (0..w.shape.users).map(user).collect();
        let module = |m: usize| auth.module(&names::module(m)).expect("a module");
        let team = |t: usize| auth.team(&names::team(t)).expect("a team");
        let record_module = w.records.iter().map(|r| module(r.module)).collect();
        let record_owner = w.records.iter().map(|r| user(r.owner)).collect();
        let record_teams = w
            .records
            .iter()
            .map(|r| r.teams.iter().map(|&t| team(t)).collect())
            .collect();
        PermatrixSide {
            auth,
            users,
            record_module,
            record_owner,
            record_teams,
            queries: Vec::new(),
        }
    }

    /// The record as a host passes it to `can`: module, owner and teams, borrowed.
    pub fn record(&self, i: usize) -> Record<'_> {
        Record {
            module: self.record_module[i],
            owner: Owner::User(self.record_owner[i]),
            teams: &self.record_teams[i],
            shares: &[],
        }
    }

    /// The reference decision, for steering the query generator and for the verdict.
    pub fn decide(&self, q: &Query) -> bool {
        self.auth
            .can(self.users[q.user], action(q.act), &self.record(q.record))
    }

    /// How permatrix reached each allowed decision: the path names for the output, so a
    /// reader sees the workload exercises every kind of grant, not only `all`.
    pub fn reasons(&self, queries: &[Query]) -> Vec<(String, usize)> {
        let mut counts: IndexMap<String, usize> = IndexMap::new();
        for q in queries {
            let e = self
                .auth
                .explain(self.users[q.user], action(q.act), &self.record(q.record));
            if !e.allowed {
                continue;
            }
            let reason = match e.step {
                permatrix::explain::Step::Cell(cell, facts) => match facts.owner {
                    Some(permatrix::explain::OwnerFact::Itself) => "owner".to_string(),
                    Some(permatrix::explain::OwnerFact::Superior { .. }) => {
                        "superior of the owner (hierarchy)".to_string()
                    }
                    _ if facts.role_match.is_some() => format!("`{cell}` cell and a shared role"),
                    _ if facts.team_match.is_some() => format!("`{cell}` cell and a shared team"),
                    _ => format!("`{cell}` cell"),
                },
                permatrix::explain::Step::SharingRule(_) => "sharing rule".to_string(),
                other => format!("step {}", other.number()),
            };
            *counts.entry(reason).or_default() += 1;
        }
        counts.sort_by(|_, a, _, b| b.cmp(a));
        counts.into_iter().collect()
    }
}

impl Checker for PermatrixSide {
    fn prepare(&mut self, _workload: &Workload, queries: &[Query]) {
        self.queries = queries
            .iter()
            .map(|q| (self.users[q.user], action(q.act), q.record))
            .collect();
    }

    #[inline]
    fn check(&self, i: usize) -> bool {
        let (user, action, record) = self.queries[i];
        self.auth.can(user, action, &self.record(record))
    }
}
