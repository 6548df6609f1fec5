//! The CRM workload the benches and `examples/scale.rs` measure, generated
//! deterministically from its shape so that every run measures the same policy.
//!
//! Shape (issue 8): each user holds 1–3 direct roles out of `roles` and sits in 1–2 of
//! `teams`; there are `modules` modules; each role has a profile of its own that covers a
//! module with probability 0.3 — `view` and `list` always, `edit` in 60% of those,
//! `delete` in 30%, each with scope `all`, `team` or `owner`. Roles form a forest of
//! `depth` levels (1 = flat). Records have an owner and 1–2 teams.

use permatrix::{
    Action, Authorizer, Policy, Record, TeamId, UserId,
    policy::{Access, Module, ModuleGrant, Profile, Role, Scope, Team, User},
};

/// splitmix64: small, fast and deterministic.
#[derive(Debug, Clone)]
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// The sizes a workload is generated from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub users: usize,
    pub roles: usize,
    pub teams: usize,
    pub modules: usize,
    /// Levels of the role forest; 1 is flat.
    pub depth: usize,
}

impl Shape {
    /// The rows: 1k/10/20, 10k/100/200, 100k/1000/2000, 1M/1000/2000; 100 modules.
    pub fn crm(users: usize) -> Shape {
        let roles = (users / 100).clamp(10, 1_000);
        Shape {
            users,
            roles,
            teams: roles * 2,
            modules: 100,
            depth: 1,
        }
    }

    /// The role a role reports to: roles are laid out level by level, each level
    /// `roles / depth` wide, and a role's parent is a role of the level above.
    fn parent(&self, role: usize, rng: &mut Rng) -> Option<usize> {
        let width = (self.roles / self.depth.max(1)).max(1);
        let level = role / width;
        (level > 0 && level < self.depth).then(|| (level - 1) * width + rng.below(width))
    }
}

pub fn user_name(u: usize) -> String {
    format!("u{u}")
}

/// The workload's policy.
pub fn policy(shape: Shape) -> Policy {
    let mut rng = Rng(0x5EED ^ shape.users as u64);
    let mut p = Policy::new();
    for m in 0..shape.modules {
        p.modules.insert(format!("m{m}"), Module::default());
    }
    let scopes = [Scope::All, Scope::Team, Scope::Owner];
    for r in 0..shape.roles {
        let mut profile = Profile::default();
        for m in 0..shape.modules {
            if !rng.chance(30) {
                continue;
            }
            let mut grant = ModuleGrant {
                access: Access::On,
                ..ModuleGrant::default()
            };
            let view = scopes[rng.below(3)];
            grant.actions.insert(Action::View, view);
            grant.actions.insert(Action::List, view);
            if rng.chance(60) {
                grant.actions.insert(Action::Edit, scopes[rng.below(3)]);
            }
            if rng.chance(30) {
                grant.actions.insert(Action::Delete, scopes[rng.below(3)]);
            }
            profile.modules.insert(format!("m{m}"), grant);
        }
        p.profiles.insert(format!("p{r}"), profile);
        let parent = shape.parent(r, &mut rng).map(|q| format!("r{q}"));
        p.roles.insert(
            format!("r{r}"),
            Role {
                name: None,
                parent,
                profiles: vec![format!("p{r}")],
            },
        );
    }
    let mut members: Vec<Vec<String>> = vec![Vec::new(); shape.teams];
    for u in 0..shape.users {
        let roles = (0..1 + rng.below(3))
            .map(|_| format!("r{}", rng.below(shape.roles)))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        p.users.insert(
            user_name(u),
            User {
                roles,
                ..User::default()
            },
        );
        let first = rng.below(shape.teams);
        members[first].push(user_name(u));
        if rng.chance(50) {
            let second = rng.below(shape.teams);
            if second != first {
                members[second].push(user_name(u));
            }
        }
    }
    for (t, users) in members.into_iter().enumerate() {
        p.teams.insert(
            format!("t{t}"),
            Team {
                users,
                ..Team::default()
            },
        );
    }
    p
}

/// One query: who, what, and an index into [`Queries::records`].
#[derive(Debug, Clone, Copy)]
pub struct Query {
    pub user: UserId,
    pub action: Action,
    pub record: usize,
}

/// Random records (owner, 1–2 teams) and random checks against them.
#[derive(Debug)]
pub struct Queries {
    pub team_sets: Vec<Vec<TeamId>>,
    pub owners: Vec<(usize, UserId)>,
    pub queries: Vec<Query>,
}

impl Queries {
    /// `records` records and `count` queries (a power of two, so benches can mask).
    pub fn new(auth: &Authorizer, shape: Shape, records: usize, count: usize) -> Queries {
        let mut rng = Rng(7);
        let team = |rng: &mut Rng| auth.team_at(rng.below(shape.teams)).expect("a team");
        let team_sets = (0..records)
            .map(|_| {
                let mut teams = vec![team(&mut rng)];
                if rng.chance(50) {
                    teams.push(team(&mut rng));
                }
                teams
            })
            .collect();
        let owners = (0..records)
            .map(|_| {
                (
                    rng.below(shape.modules),
                    auth.user_at(rng.below(shape.users)).expect("a user"),
                )
            })
            .collect();
        let actions = [Action::View, Action::List, Action::Edit, Action::Delete];
        let queries = (0..count)
            .map(|_| Query {
                user: auth.user_at(rng.below(shape.users)).expect("a user"),
                action: actions[rng.below(actions.len())],
                record: rng.below(records),
            })
            .collect();
        Queries {
            team_sets,
            owners,
            queries,
        }
    }

    /// The record a query is about.
    pub fn record<'a>(&'a self, auth: &Authorizer, record: usize) -> Record<'a> {
        let (module, owner) = self.owners[record];
        Record::owned_by_user(auth.module_at(module).expect("a module"), owner)
            .with_teams(&self.team_sets[record])
    }
}
