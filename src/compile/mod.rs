//! Compilation of a validated [`Policy`] into the immutable data an
//! [`Authorizer`](crate::Authorizer) answers from: the permission matrix (one row per
//! distinct combination of a user's inputs), team membership, role intervals and the
//! per-module sharing data.

pub(crate) mod cell;
pub(crate) mod grant;
pub(crate) mod hierarchy;
pub(crate) mod membership;
pub(crate) mod rows;

use std::collections::HashMap;
use std::ops::Range;

use smallvec::SmallVec;

use crate::authorizer::ids::{PrincipalId, RoleId, TeamId, UserId, next_generation};
use crate::error::PolicyError;
use crate::policy::{AdminLevel, ExternalAccess, Principal, ShareAccess, Status, User, UserKind};
use crate::policy::{Policy, validate};

pub use cell::Cell;
use hierarchy::RoleTree;
use membership::Membership;
pub(crate) use rows::{Matrix, SourceKey};

/// Facts about one user that checks read.
#[derive(Debug, Clone)]
pub(crate) struct UserFacts {
    /// Row of the matrix.
    pub row: u32,
    /// Effective admin level: own, or the highest conferred by an active team.
    pub level: AdminLevel,
    /// `admin_bypass` is on and the level bypasses.
    pub bypass: bool,
    /// Direct roles, ascending; the default role is never among them.
    pub roles: SmallVec<[u32; 4]>,
    /// Range into [`Compiled::user_teams`]: the user's teams, ascending.
    pub teams: Range<u32>,
}

/// Facts about one module that checks read.
#[derive(Debug, Clone)]
pub(crate) struct ModuleFacts {
    pub owned: bool,
    pub hierarchy: bool,
    /// Range into [`Compiled::rules`].
    pub rules: Range<u32>,
}

/// A sharing rule with resolved ids.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CompiledRule {
    /// Position in `policy.sharing_rules`, for explanations.
    pub index: u32,
    pub from: PrincipalId,
    pub to: PrincipalId,
    pub access: ShareAccess,
}

/// Everything an authorizer holds.
#[derive(Debug)]
pub(crate) struct Compiled {
    /// Which compile this is: every id the authorizer hands out carries it.
    pub generation: u32,
    pub policy: Policy,
    pub users: Vec<UserFacts>,
    pub user_teams: Vec<u32>,
    pub team_active: Vec<bool>,
    pub roles: RoleTree,
    pub modules: Vec<ModuleFacts>,
    pub rules: Vec<CompiledRule>,
    pub matrix: Matrix,
    /// The inputs each matrix row was built from, for explanations.
    pub row_keys: Vec<SourceKey>,
    /// Per role, the users holding it as a direct role, ascending (for filters).
    pub role_users: Vec<Vec<u32>>,
    /// Per team, its members, ascending; empty for inactive teams (for filters).
    pub team_members: Vec<Vec<u32>>,
    /// Users whose status is `active` in the policy, as a bitset.
    pub active: Vec<u64>,
}

pub(crate) fn compile(policy: &Policy) -> Result<Compiled, PolicyError> {
    validate::validate(policy)?;
    let p = policy;
    let roles = RoleTree::new(p);
    let default_role = default_role_index(p);

    let direct_roles = direct_roles(p, default_role);
    let membership = Membership::new(p, &roles, &direct_roles, false);
    let teams_by_user = membership.teams_by_user(p.teams.len(), p.users.len());
    compile_rest(p, roles, default_role, direct_roles, teams_by_user)
}

/// The position of the default role, if the settings name one.
pub(crate) fn default_role_index(p: &Policy) -> Option<usize> {
    p.settings
        .default_role
        .as_deref()
        .and_then(|r| p.roles.get_index_of(r))
}

/// Each user's direct roles, ascending, without the default role (SPEC §2).
pub(crate) fn direct_roles(p: &Policy, default_role: Option<usize>) -> Vec<Vec<u32>> {
    p.users
        .values()
        .map(|u| {
            let mut rs: Vec<u32> = u
                .roles
                .iter()
                .filter_map(|r| p.roles.get_index_of(r))
                .filter(|&r| Some(r) != default_role)
                .map(|r| r as u32)
                .collect();
            rs.sort_unstable();
            rs.dedup();
            rs
        })
        .collect()
}

/// The active teams of each user, ascending (membership as SPEC §2 defines it). The
/// policy must be valid.
pub(crate) fn teams_by_user(p: &Policy) -> Vec<Vec<u32>> {
    let roles = RoleTree::new(p);
    let default_role = default_role_index(p);
    let direct = direct_roles(p, default_role);
    Membership::new(p, &roles, &direct, false).teams_by_user(p.teams.len(), p.users.len())
}

/// The teams that list each user, directly, by role entry or through nesting, whether
/// they are active or not, ascending. The policy must be valid.
pub(crate) fn listed_teams_by_user(p: &Policy) -> Vec<Vec<u32>> {
    let roles = RoleTree::new(p);
    let default_role = default_role_index(p);
    let direct = direct_roles(p, default_role);
    Membership::new(p, &roles, &direct, true).teams_by_user(p.teams.len(), p.users.len())
}

/// A user's effective admin level: their own or the highest an active team confers.
pub(crate) fn effective_level(p: &Policy, user: &User, teams: &[u32]) -> AdminLevel {
    teams
        .iter()
        .filter_map(|&t| p.teams.get_index(t as usize))
        .map(|(_, team)| team.admin)
        .fold(user.admin, AdminLevel::max)
}

/// Everything user `user`'s matrix row depends on (SPEC §3 steps 3–6 but status), given
/// their direct roles and active teams, both ascending.
pub(crate) fn source_key(
    p: &Policy,
    default_role: Option<usize>,
    direct_roles: &[u32],
    teams: &[u32],
    level: AdminLevel,
    user: &User,
) -> SourceKey {
    let mut sources: Vec<(u32, Option<u32>)> = Vec::new();
    if let Some(d) = default_role {
        sources.push((d as u32, None));
    }
    sources.extend(direct_roles.iter().map(|&r| (r, None)));
    for (_, team) in teams.iter().filter_map(|&t| p.teams.get_index(t as usize)) {
        if let Some(role) = team.role.as_deref().and_then(|r| p.roles.get_index_of(r)) {
            let ceiling = team
                .ceiling
                .as_deref()
                .and_then(|c| p.profiles.get_index_of(c));
            sources.push((role as u32, ceiling.map(|c| c as u32)));
        }
    }
    // join and meet are idempotent, so a source reached twice can be kept once
    sources.sort_unstable();
    sources.dedup();
    SourceKey {
        sources,
        overrides: if user.overrides.is_empty() {
            String::new()
        } else {
            serde_json::to_string(&user.overrides).unwrap_or_default()
        },
        admin_scope: level.bypasses(),
        external_capped: user.kind == UserKind::External
            && p.settings.external_access == ExternalAccess::ReadOnly,
    }
}

fn compile_rest(
    p: &Policy,
    roles: RoleTree,
    default_role: Option<usize>,
    direct_roles: Vec<Vec<u32>>,
    teams_by_user: Vec<Vec<u32>>,
) -> Result<Compiled, PolicyError> {
    let mut user_teams = Vec::new();
    let mut users = Vec::with_capacity(p.users.len());
    let mut row_index: HashMap<SourceKey, u32> = HashMap::new();
    let mut row_keys = Vec::new();
    // the first user of each row, whose overrides the row is built with
    let mut representatives = Vec::new();
    for (u, (user_roles, (_, user))) in direct_roles.iter().zip(&p.users).enumerate() {
        let teams = &teams_by_user[u];
        let level = effective_level(p, user, teams);
        let key = source_key(p, default_role, user_roles, teams, level, user);
        let row = *row_index.entry(key.clone()).or_insert_with(|| {
            row_keys.push(key);
            representatives.push(u);
            (row_keys.len() - 1) as u32
        });
        let start = user_teams.len() as u32;
        user_teams.extend_from_slice(teams);
        users.push(UserFacts {
            row,
            level,
            bypass: p.settings.admin_bypass && level.bypasses(),
            roles: user_roles.iter().copied().collect(),
            teams: start..user_teams.len() as u32,
        });
    }

    let matrix = Matrix::build(p, &row_keys, &representatives);

    let team_active = p.teams.values().map(|t| t.active).collect();
    let generation = next_generation();
    let resolve = |principal: &Principal| -> PrincipalId {
        // validated: every name resolves; u32::MAX would be an unknown position
        let index = |map_index: Option<usize>| map_index.unwrap_or(usize::MAX) as u32;
        match principal {
            Principal::User(u) => {
                PrincipalId::User(UserId::new(index(p.users.get_index_of(u)), generation))
            }
            Principal::Team(t) => {
                PrincipalId::Team(TeamId::new(index(p.teams.get_index_of(t)), generation))
            }
            Principal::Role(r) => {
                PrincipalId::Role(RoleId::new(index(p.roles.get_index_of(r)), generation))
            }
            Principal::RoleAndSubordinates(r) => PrincipalId::RoleAndSubordinates(RoleId::new(
                index(p.roles.get_index_of(r)),
                generation,
            )),
        }
    };
    let mut rules = Vec::with_capacity(p.sharing_rules.len());
    let mut modules = Vec::with_capacity(p.modules.len());
    for (id, module) in &p.modules {
        let start = rules.len() as u32;
        for (i, rule) in p
            .sharing_rules
            .iter()
            .enumerate()
            .filter(|(_, r)| &r.module == id)
        {
            rules.push(CompiledRule {
                index: i as u32,
                from: resolve(&rule.from),
                to: resolve(&rule.to),
                access: rule.access,
            });
        }
        modules.push(ModuleFacts {
            owned: module.owned,
            hierarchy: module.hierarchy,
            rules: start..rules.len() as u32,
        });
    }

    let mut role_users = vec![Vec::new(); p.roles.len()];
    for (u, roles) in direct_roles.iter().enumerate() {
        for &r in roles {
            role_users[r as usize].push(u as u32);
        }
    }
    let mut team_members = vec![Vec::new(); p.teams.len()];
    for (u, teams) in teams_by_user.iter().enumerate() {
        for &t in teams {
            team_members[t as usize].push(u as u32);
        }
    }

    let mut active = vec![0u64; p.users.len().div_ceil(64)];
    for (u, user) in p.users.values().enumerate() {
        if user.status == Status::Active {
            active[u / 64] |= 1 << (u % 64);
        }
    }

    Ok(Compiled {
        generation,
        active,
        policy: p.clone(),
        role_users,
        team_members,
        users,
        user_teams,
        team_active,
        roles,
        modules,
        rules,
        matrix,
        row_keys,
    })
}

impl Compiled {
    /// Approximate heap bytes held, the policy copy excluded.
    pub fn memory_usage(&self) -> usize {
        use std::mem::size_of;
        self.users.capacity() * size_of::<UserFacts>()
            + self
                .users
                .iter()
                .filter(|u| u.roles.spilled())
                .map(|u| u.roles.capacity() * 4)
                .sum::<usize>()
            + self.user_teams.capacity() * size_of::<u32>()
            + self.team_active.capacity()
            + self.roles.memory_usage()
            + self.modules.capacity() * size_of::<ModuleFacts>()
            + self.rules.capacity() * size_of::<CompiledRule>()
            + self.matrix.memory_usage()
            + self
                .role_users
                .iter()
                .chain(&self.team_members)
                .map(|v| v.capacity() * 4)
                .sum::<usize>()
    }
}
