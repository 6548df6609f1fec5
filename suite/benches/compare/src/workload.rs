//! The CRM workload every engine is measured on, as plain data: no engine's types here,
//! so that each side encodes the same facts and nothing else.
//!
//! It keeps to the part of permatrix's model that the peers can express faithfully:
//! one profile per role, additive merge, every user active and internal, no overrides,
//! no admin levels, every module `private` and owned, records owned by users. What is
//! left is what a CRM check is about: a cell per (role, module, action) with scope
//! `owner`, `role`, `team` or `all`; a role tree whose superiors act as owners of
//! their subordinates' records in modules with `hierarchy`; teams; and sharing rules.

/// splitmix64: small, fast and deterministic, so every run measures the same workload.
#[derive(Debug, Clone)]
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    /// One of `items`, each drawn with its weight.
    pub fn weighted<T: Copy>(&mut self, items: &[(T, u64)]) -> T {
        let total: u64 = items.iter().map(|(_, w)| w).sum();
        let mut pick = self.next_u64() % total;
        for &(item, weight) in items {
            if pick < weight {
                return item;
            }
            pick -= weight;
        }
        items[items.len() - 1].0
    }
}

/// The sizes a workload is generated from.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub name: &'static str,
    pub users: usize,
    pub roles: usize,
    pub teams: usize,
    pub modules: usize,
    pub records: usize,
    pub sharing_rules: usize,
}

impl Shape {
    /// Issue 8's small size; it names no record count, so 1,000 records.
    pub const SMALL: Shape = Shape {
        name: "small",
        users: 100,
        roles: 10,
        teams: 10,
        modules: 20,
        records: 1_000,
        sharing_rules: 4,
    };

    /// Issue 8's large size.
    pub const LARGE: Shape = Shape {
        name: "large",
        users: 10_000,
        roles: 200,
        teams: 500,
        modules: 50,
        records: 50_000,
        sharing_rules: 20,
    };
}

/// The record-level actions the queries ask about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Act {
    View,
    List,
    Edit,
    Delete,
}

impl Act {
    pub const ALL: [Act; 4] = [Act::View, Act::List, Act::Edit, Act::Delete];

    /// The action's name, the same word in every engine.
    pub fn name(self) -> &'static str {
        match self {
            Act::View => "view",
            Act::List => "list",
            Act::Edit => "edit",
            Act::Delete => "delete",
        }
    }
}

/// Which records a grant reaches (SPEC §3); `owner` is implied by every other scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    Owner,
    Role,
    Team,
    All,
}

impl Scope {
    pub const ALL: [Scope; 4] = [Scope::Owner, Scope::Role, Scope::Team, Scope::All];

    pub fn name(self) -> &'static str {
        match self {
            Scope::Owner => "owner",
            Scope::Role => "role",
            Scope::Team => "team",
            Scope::All => "all",
        }
    }
}

/// A role grants `scope` for `act` on `module`.
#[derive(Debug, Clone, Copy)]
pub struct Grant {
    pub role: usize,
    pub module: usize,
    pub act: Act,
    pub scope: Scope,
}

/// The users a sharing rule names: the holders of a direct role, or a team's members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal {
    Role(usize),
    Team(usize),
}

/// How far a sharing rule reaches (SPEC §4 step 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Read,
    ReadWrite,
    Full,
}

impl Level {
    /// `read` reaches read actions, `read_write` also `edit`, `full` also `delete`.
    pub fn reaches(self, act: Act) -> bool {
        match act {
            Act::View | Act::List => true,
            Act::Edit => self != Level::Read,
            Act::Delete => self == Level::Full,
        }
    }
}

/// Records of `module` owned by users in `from` are shared with the users in `to`.
#[derive(Debug, Clone, Copy)]
pub struct SharingRule {
    pub module: usize,
    pub from: Principal,
    pub to: Principal,
    pub level: Level,
}

/// One record: what a host passes with a check.
#[derive(Debug, Clone)]
pub struct Record {
    pub module: usize,
    pub owner: usize,
    /// One or two distinct teams.
    pub teams: Vec<usize>,
}

/// One check: may `user` do `act` on `record` (an index into [`Workload::records`]).
#[derive(Debug, Clone, Copy)]
pub struct Query {
    pub user: usize,
    pub act: Act,
    pub record: usize,
}

/// Everything the engines encode. Entities are numbered; [`names`] gives the ids.
#[derive(Debug)]
pub struct Workload {
    pub shape: Shape,
    /// Direct roles of each user (one or two).
    pub user_roles: Vec<Vec<usize>>,
    /// Teams each user is a direct member of (one or two).
    pub user_teams: Vec<Vec<usize>>,
    /// The role each role reports to; `None` for the roots of the forest.
    pub role_parent: Vec<Option<usize>>,
    /// Whether superiors act as owners in each module (SPEC §2 `hierarchy`).
    pub hierarchy: Vec<bool>,
    pub grants: Vec<Grant>,
    pub sharing_rules: Vec<SharingRule>,
    pub records: Vec<Record>,
}

/// The ids every engine uses, so that a disagreement names the same things everywhere.
pub mod names {
    pub fn user(i: usize) -> String {
        format!("u{i}")
    }
    pub fn role(i: usize) -> String {
        format!("r{i}")
    }
    pub fn team(i: usize) -> String {
        format!("t{i}")
    }
    pub fn module(i: usize) -> String {
        format!("m{i}")
    }
    pub fn record(i: usize) -> String {
        format!("rec{i}")
    }
}

/// Roots of the role forest: two trees, so that no role is above everyone.
const ROOTS: usize = 2;
/// Children per role: a 4-ary forest keeps 200 roles within 5 levels, well inside
/// casbin's default limit of 10 hops per role lookup.
const FAN_OUT: usize = 4;

impl Workload {
    pub fn generate(shape: Shape) -> Workload {
        let mut rng = Rng(0xC0FF_EE00 ^ shape.users as u64);
        let role_parent = (0..shape.roles)
            .map(|r| (r >= ROOTS).then(|| (r - ROOTS) / FAN_OUT))
            .collect();
        // every fourth module is flat: superiors get nothing extra there
        let hierarchy = (0..shape.modules).map(|m| m % 4 != 3).collect();
        let grants = generate_grants(shape, &mut rng);
        let (user_roles, user_teams) = generate_users(shape, &mut rng);
        let sharing_rules = (0..shape.sharing_rules)
            .map(|_| SharingRule {
                module: rng.below(shape.modules),
                from: principal(shape, &mut rng),
                to: principal(shape, &mut rng),
                level: rng.weighted(&[
                    (Level::Read, 50),
                    (Level::ReadWrite, 30),
                    (Level::Full, 20),
                ]),
            })
            .collect();
        let records = (0..shape.records)
            .map(|_| {
                let owner = rng.below(shape.users);
                // most records are linked to a team of their owner, as a CRM's
                // "team of the creator" default does; some to any team
                let own = &user_teams[owner];
                let first = if rng.chance(70) {
                    own[rng.below(own.len())]
                } else {
                    rng.below(shape.teams)
                };
                let mut teams = vec![first];
                let second = rng.below(shape.teams);
                if rng.chance(50) && second != first {
                    teams.push(second);
                }
                Record {
                    module: rng.below(shape.modules),
                    owner,
                    teams,
                }
            })
            .collect();
        Workload {
            shape,
            user_roles,
            user_teams,
            role_parent,
            hierarchy,
            grants,
            sharing_rules,
            records,
        }
    }

    /// The direct members of each team.
    pub fn team_members(&self) -> Vec<Vec<usize>> {
        let mut members = vec![Vec::new(); self.shape.teams];
        for (u, teams) in self.user_teams.iter().enumerate() {
            for &t in teams {
                members[t].push(u);
            }
        }
        members
    }

    /// The users holding each role directly.
    pub fn role_holders(&self) -> Vec<Vec<usize>> {
        let mut holders = vec![Vec::new(); self.shape.roles];
        for (u, roles) in self.user_roles.iter().enumerate() {
            for &r in roles {
                holders[r].push(u);
            }
        }
        holders
    }

    /// The users a sharing-rule principal names.
    pub fn principal_users(&self, p: Principal) -> Vec<usize> {
        match p {
            Principal::Role(r) => self.role_holders().swap_remove(r),
            Principal::Team(t) => self.team_members().swap_remove(t),
        }
    }
}

/// One profile per role: each module with probability 35%; `view` and `list` always with
/// one scope, `edit` in 60% and `delete` in 30% of those. Scopes lean to the narrow
/// ones, as CRM profiles do, so that most decisions depend on the record.
fn generate_grants(shape: Shape, rng: &mut Rng) -> Vec<Grant> {
    let scopes = [
        (Scope::Owner, 35),
        (Scope::Team, 30),
        (Scope::Role, 20),
        (Scope::All, 15),
    ];
    let mut grants = Vec::new();
    for role in 0..shape.roles {
        for module in 0..shape.modules {
            if !rng.chance(35) {
                continue;
            }
            let view = rng.weighted(&scopes);
            let mut add = |act, scope| {
                grants.push(Grant {
                    role,
                    module,
                    act,
                    scope,
                })
            };
            add(Act::View, view);
            add(Act::List, view);
            if rng.chance(60) {
                add(Act::Edit, rng.weighted(&scopes));
            }
            if rng.chance(30) {
                add(Act::Delete, rng.weighted(&scopes));
            }
        }
    }
    grants
}

/// Each user holds one direct role (two for a quarter of them) and sits in one team
/// (two for half of them).
fn generate_users(shape: Shape, rng: &mut Rng) -> (Vec<Vec<usize>>, Vec<Vec<usize>>) {
    let mut roles = Vec::with_capacity(shape.users);
    let mut teams = Vec::with_capacity(shape.users);
    for _ in 0..shape.users {
        roles.push(distinct(rng, shape.roles, 25));
        teams.push(distinct(rng, shape.teams, 50));
    }
    (roles, teams)
}

/// One number below `n`, and with probability `second` % a different second one.
fn distinct(rng: &mut Rng, n: usize, second: u64) -> Vec<usize> {
    let first = rng.below(n);
    let other = rng.below(n);
    if rng.chance(second) && other != first {
        vec![first, other]
    } else {
        vec![first]
    }
}

fn principal(shape: Shape, rng: &mut Rng) -> Principal {
    if rng.chance(50) {
        Principal::Role(rng.below(shape.roles))
    } else {
        Principal::Team(rng.below(shape.teams))
    }
}
