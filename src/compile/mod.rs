//! Compilation of a validated [`Policy`] into the immutable data an
//! [`Authorizer`](crate::Authorizer) answers from: the permission matrix (one row per
//! distinct combination of a user's inputs), team membership, role intervals and the
//! per-module sharing data.
//!
//! Its submodules are private: this file is the stage's one front door. The authorizer
//! asks it to compile and reads the [`Compiled`] data; administration asks
//! [`holdings`] who holds what; explanations ask [`source_grant`] and [`Grant`] how a
//! source granted a cell.

mod grant;
mod hierarchy;
mod keys;
mod membership;
mod rows;

use std::ops::Range;
use std::sync::Arc;

use indexmap::IndexMap;

use smallvec::SmallVec;

use crate::error::{ErrorCode, PolicyError};
use crate::ids::{PrincipalId, RoleId, TeamId, UserId, next_generation};
use crate::policy::resolved::Resolved;
use crate::policy::{
    Access, Action, AdminLevel, FieldAccess, Principal, Scope, ShareAccess, Status, User,
};
use crate::policy::{Limits, Policy, validate};

pub use crate::cell::Cell;
pub(crate) use crate::lists::Lists;
pub(crate) use grant::{Grant, effective_field};
pub(crate) use hierarchy::RoleTree;
use keys::HostKeys;
pub(crate) use membership::Memberships;
pub(crate) use rows::{Matrix, RowInput, RowTables, SourceKey, TableKey, source_grant};

/// Who holds what in a valid policy, by user position: what administration judges a
/// change by, before and after it.
pub(crate) struct Holdings {
    /// Effective admin level.
    pub level: Vec<AdminLevel>,
    /// Active teams.
    pub teams: Memberships,
    /// Direct roles, ascending, without the default role.
    pub direct_roles: Lists,
    /// The role forest.
    pub roles: RoleTree,
}

/// The [`Holdings`] of `p`, which must be valid.
///
/// # Errors
/// `limit_exceeded` past the policy's membership budget.
pub(crate) fn holdings(p: &Policy) -> Result<Holdings, PolicyError> {
    let resolved = Resolved::of(p);
    let roles = RoleTree::new(p);
    let direct_roles = direct_roles(&resolved, default_role_index(p));
    let teams = Memberships::new(p, &roles, &resolved, &direct_roles, false)?;
    let conferred = Conferred::per_class(p, &teams);
    let level = p
        .users
        .values()
        .enumerate()
        .map(|(u, user)| effective_level(user, conferred.get(teams.class_of(u))))
        .collect();
    Ok(Holdings {
        level,
        teams,
        direct_roles,
        roles,
    })
}

/// Every team that lists each user — directly, by role entry or through nesting — active
/// or not.
///
/// # Errors
/// `limit_exceeded` past the policy's membership budget.
pub(crate) fn listed_memberships(p: &Policy) -> Result<Memberships, PolicyError> {
    memberships(p, true)
}

/// Facts about one user that checks read, packed into one cache line: a check on a
/// random user among millions misses the cache once for them, and everything else it
/// needs from the user is here (their row's tables, roles, and teams' range).
#[derive(Debug, Clone)]
pub(crate) struct UserFacts {
    /// Row of the matrix.
    pub row: u32,
    /// The user's active teams, ascending: a range of [`Memberships::all_teams`] (shared
    /// with every user of the same membership class).
    pub teams: Range<u32>,
    /// The matrix tables the row is read from, when there are few enough to keep here.
    pub tables: RowTables,
    /// Effective admin level: own, or the highest conferred by an active team.
    pub level: AdminLevel,
    /// `admin_bypass` is on and the level bypasses.
    pub bypass: bool,
    /// Direct roles as pre-order numbers of the role forest, ascending (the default role
    /// is never among them): inline up to [`INLINE_ROLES`], else `roles[0]` is their start
    /// in [`Compiled::role_pool`]. Pre-order numbers make a subtree a range, so "holds a
    /// role in that subtree" is one binary search.
    roles: [u32; INLINE_ROLES],
    roles_len: u32,
    /// The roles strictly below the user's direct roles, as disjoint pre-order ranges,
    /// ascending, at `below.0..below.0 + below.1` of [`Compiled::below_pool`].
    below: (u32, u32),
}

/// Direct roles kept in [`UserFacts`] itself.
const INLINE_ROLES: usize = 3;

// one cache line per user
const _: () = assert!(std::mem::size_of::<UserFacts>() <= 64);

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
    /// Shared, so a policy store's watcher hands over the policy it read without a copy.
    pub policy: Arc<Policy>,
    pub users: Vec<UserFacts>,
    /// The active teams of every user, shared between users with equal inputs.
    pub memberships: Memberships,
    pub team_active: Vec<bool>,
    pub roles: RoleTree,
    pub modules: Vec<ModuleFacts>,
    pub rules: Vec<CompiledRule>,
    pub matrix: Matrix,
    /// Per role (by index), the users holding it as a direct role, ascending (filters).
    pub role_users: Lists,
    /// Per team, the membership classes that include it, ascending (filters).
    pub team_classes: Lists,
    /// Per membership class, its users, ascending (filters).
    pub class_users: Lists,
    /// Users whose status is `active` in the policy, as a bitset.
    pub active: Vec<u64>,
    /// The direct roles of users with more than [`INLINE_ROLES`].
    pub role_pool: Vec<u32>,
    /// The ranges below every user's roles.
    pub below_pool: Vec<(u32, u32)>,
    /// The host's keys of users, teams and modules.
    pub keys: HostKeys,
    /// Calendar shares, resolved.
    pub calendar_shares: Vec<CompiledCalendarShare>,
    /// Role-bound picklist values, resolved.
    pub picklists: Picklists,
}

/// Validates and compiles `policy` under its [`Limits`].
///
/// # Cost
/// O(policy size + memberships + matrix), each within the policy's limits.
pub(crate) fn compile(policy: &Policy) -> Result<Compiled, PolicyError> {
    let mut compiled = compile_without_copy(policy)?;
    compiled.policy = Arc::new(policy.clone());
    Ok(compiled)
}

/// [`compile`], keeping `policy` itself rather than a copy.
///
/// # Errors
/// As [`compile`].
pub(crate) fn compile_owned(policy: Policy) -> Result<Compiled, PolicyError> {
    compile_shared(Arc::new(policy))
}

/// [`compile`], sharing `policy`.
///
/// # Errors
/// As [`compile`].
pub(crate) fn compile_shared(policy: Arc<Policy>) -> Result<Compiled, PolicyError> {
    let mut compiled = compile_without_copy(&policy)?;
    compiled.policy = policy;
    Ok(compiled)
}

/// Everything but the copy of the policy, which is left empty.
fn compile_without_copy(policy: &Policy) -> Result<Compiled, PolicyError> {
    let resolved = validate::validate(policy)?;
    let p = policy;
    let roles = RoleTree::new(p);
    let default_role = default_role_index(p);
    let direct_roles = direct_roles(&resolved, default_role);
    let memberships = Memberships::new(p, &roles, &resolved, &direct_roles, false)?;
    drop(resolved);
    compile_rest(p, roles, default_role, direct_roles, memberships)
}

/// The position of the default role, if the settings name one.
pub(crate) fn default_role_index(p: &Policy) -> Option<usize> {
    p.settings
        .default_role
        .as_deref()
        .and_then(|r| p.roles.get_index_of(r))
}

/// Each user's direct roles, ascending, without the default role ([the policy model](crate::doc::document)), from the
/// resolved `roles` lists.
pub(crate) fn direct_roles(resolved: &Resolved, default_role: Option<usize>) -> Lists {
    let default_role = default_role.map(|r| r as u32);
    let mut out = Lists::new();
    let mut roles = Vec::new();
    for listed in resolved.user_roles.iter() {
        roles.clear();
        roles.extend(listed.iter().copied().filter(|&r| Some(r) != default_role));
        roles.sort_unstable();
        roles.dedup();
        out.push(&roles);
    }
    out
}

/// The active teams of every user (membership as [the policy model](crate::doc::document) defines it); with `all_active`,
/// the teams that list each user whether active or not. The policy must be valid.
///
/// # Errors
/// `limit_exceeded` past the policy's membership budget.
pub(crate) fn memberships(p: &Policy, all_active: bool) -> Result<Memberships, PolicyError> {
    let roles = RoleTree::new(p);
    let resolved = Resolved::of(p);
    let direct = direct_roles(&resolved, default_role_index(p));
    Memberships::new(p, &roles, &resolved, &direct, all_active)
}

/// What a set of active teams gives its members ([the policy model](crate::doc::document), §3 step 3): the highest admin
/// level they confer, and the roles they confer as sources, each with its team's ceiling,
/// ascending and without repeats. Users of one membership class share it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Conferred {
    pub level: AdminLevel,
    pub sources: Vec<(u32, Option<u32>)>,
}

impl Conferred {
    /// What `teams` confer. O(teams).
    pub fn of_teams(p: &Policy, teams: &[u32]) -> Conferred {
        let mut out = Conferred::default();
        for (_, team) in teams.iter().filter_map(|&t| p.teams.get_index(t as usize)) {
            out.level = out.level.max(team.admin);
            if let Some(role) = team.role.as_deref().and_then(|r| p.roles.get_index_of(r)) {
                let ceiling = team
                    .ceiling
                    .as_deref()
                    .and_then(|c| p.profiles.get_index_of(c));
                out.sources.push((role as u32, ceiling.map(|c| c as u32)));
            }
        }
        out.sources.sort_unstable();
        out.sources.dedup();
        out
    }

    /// What each membership class's teams confer. O(memberships stored).
    pub fn per_class(p: &Policy, m: &Memberships) -> PerClass {
        let mut out = PerClass {
            level: Vec::with_capacity(m.classes()),
            offsets: Vec::with_capacity(m.classes() + 1),
            sources: Vec::new(),
        };
        out.offsets.push(0);
        for c in 0..m.classes() {
            let conferred = Conferred::of_teams(p, m.class_teams(c as u32));
            out.level.push(conferred.level);
            out.sources.extend_from_slice(&conferred.sources);
            out.offsets.push(out.sources.len() as u32);
        }
        out
    }
}

/// What a set of teams confers, borrowed.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ConferredView<'a> {
    pub level: AdminLevel,
    pub sources: &'a [(u32, Option<u32>)],
}

/// What each membership class confers, back to back: a million classes of a large policy
/// would otherwise each hold a vector of their own.
#[derive(Debug, Clone, Default)]
pub(crate) struct PerClass {
    level: Vec<AdminLevel>,
    offsets: Vec<u32>,
    sources: Vec<(u32, Option<u32>)>,
}

impl PerClass {
    /// What class `c` confers (nothing for an unknown class).
    pub fn get(&self, c: Option<u32>) -> ConferredView<'_> {
        let Some(c) = c.map(|c| c as usize) else {
            return ConferredView::default();
        };
        let (Some(&level), Some(&a), Some(&b)) = (
            self.level.get(c),
            self.offsets.get(c),
            self.offsets.get(c + 1),
        ) else {
            return ConferredView::default();
        };
        ConferredView {
            level,
            sources: self.sources.get(a as usize..b as usize).unwrap_or(&[]),
        }
    }
}

/// A user's effective admin level: their own or the highest an active team confers.
pub(crate) fn effective_level(user: &User, conferred: ConferredView<'_>) -> AdminLevel {
    user.admin.max(conferred.level)
}

/// Everything user `user`'s matrix row depends on ([grant step 3–6](crate::doc::semantics#grants) but status), given
/// their direct roles (ascending) and what their active teams confer.
pub(crate) fn source_key(
    p: &Policy,
    default_role: Option<usize>,
    direct_roles: &[u32],
    conferred: ConferredView<'_>,
    level: AdminLevel,
    user: &User,
) -> SourceKey {
    let mut sources: Vec<(u32, Option<u32>)> = Vec::new();
    if let Some(d) = default_role {
        sources.push((d as u32, None));
    }
    sources.extend(direct_roles.iter().map(|&r| (r, None)));
    sources.extend_from_slice(conferred.sources);
    // join and meet are idempotent, so a source reached twice can be kept once
    sources.sort_unstable();
    sources.dedup();
    SourceKey {
        sources,
        overrides: overrides_key(user),
        admin_scope: level.bypasses(),
        external_capped: p.settings.caps_external(user),
    }
}

fn compile_rest(
    p: &Policy,
    roles: RoleTree,
    default_role: Option<usize>,
    direct_roles: Lists,
    memberships: Memberships,
) -> Result<Compiled, PolicyError> {
    let conferred = Conferred::per_class(p, &memberships);
    let mut facts = user_facts(
        p,
        &roles,
        default_role,
        &direct_roles,
        &memberships,
        &conferred,
    );
    // what the filters need from the direct roles, before the matrix, so that they are
    // not held while it is built
    let role_users = holders(&direct_roles, p.roles.len());
    drop(direct_roles);
    drop(conferred);
    let inputs: Vec<RowInput<'_>> = facts
        .row_keys
        .iter()
        .zip(&facts.representatives)
        .map(|(key, &representative)| RowInput {
            key,
            representative,
        })
        .collect();
    let matrix = Matrix::build(p, &inputs)?;
    drop(inputs);
    drop(facts.row_keys);
    for user in &mut facts.users {
        user.tables = matrix.tables_of(user.row);
    }

    let team_active = p.teams.values().map(|t| t.active).collect();
    let generation = new_generation()?;
    let (modules, rules) = modules_and_rules(p, generation);
    let (team_classes, class_users) = memberships.by_team(p.teams.len());
    let (calendar_shares, picklists) = calendars_and_picklists(p, generation);
    Ok(Compiled {
        calendar_shares,
        picklists,
        generation,
        active: active_bits(p),
        policy: Arc::default(),
        role_users,
        team_classes,
        class_users,
        users: facts.users,
        memberships,
        team_active,
        roles,
        modules,
        rules,
        matrix,
        role_pool: facts.role_pool,
        below_pool: facts.below_pool,
        keys: HostKeys::of(p),
    })
}

/// Every user's facts, and the distinct row keys they need.
struct BuiltUsers {
    users: Vec<UserFacts>,
    /// Each distinct key once, its position the row. foldhash: keys are the policy's own
    /// indices, and SipHash's cost showed at 1M users.
    row_keys: indexmap::IndexSet<SourceKey, foldhash::fast::RandomState>,
    /// The first user of each row, whose overrides the row is built with.
    representatives: Vec<usize>,
    role_pool: Vec<u32>,
    below_pool: Vec<(u32, u32)>,
}

/// # Cost
/// O(users × their roles · log) plus one hash insert per user.
fn user_facts(
    p: &Policy,
    roles: &RoleTree,
    default_role: Option<usize>,
    direct_roles: &Lists,
    memberships: &Memberships,
    conferred: &PerClass,
) -> BuiltUsers {
    let mut out = BuiltUsers {
        users: Vec::with_capacity(p.users.len()),
        row_keys: indexmap::IndexSet::default(),
        representatives: Vec::new(),
        role_pool: Vec::new(),
        below_pool: Vec::new(),
    };
    for (u, (user_roles, (_, user))) in direct_roles.iter().zip(&p.users).enumerate() {
        let conferred = conferred.get(memberships.class_of(u));
        let level = effective_level(user, conferred);
        let key = source_key(p, default_role, user_roles, conferred, level, user);
        let (row, new) = out.row_keys.insert_full(key);
        if new {
            out.representatives.push(u);
        }
        let mut pres: SmallVec<[u32; 4]> =
            user_roles.iter().filter_map(|&r| roles.pre(r)).collect();
        pres.sort_unstable();
        let below = roles.spans_below(&pres);
        let mut inline = [0; INLINE_ROLES];
        if pres.len() <= INLINE_ROLES {
            inline
                .iter_mut()
                .zip(&pres)
                .for_each(|(slot, &pre)| *slot = pre);
        } else {
            inline[0] = out.role_pool.len() as u32;
            out.role_pool.extend_from_slice(&pres);
        }
        let below_at = (out.below_pool.len() as u32, below.len() as u32);
        out.below_pool.extend_from_slice(&below);
        out.users.push(UserFacts {
            row: row as u32,
            level,
            bypass: p.settings.admin_bypass && level.bypasses(),
            tables: RowTables::default(),
            roles: inline,
            roles_len: pres.len() as u32,
            below: below_at,
            teams: memberships.range_of(u),
        });
    }
    out
}

/// Per role, the users holding it directly, ascending.
fn holders(direct_roles: &Lists, n_roles: usize) -> Lists {
    let mut pairs = Vec::new();
    for (u, roles) in direct_roles.iter().enumerate() {
        pairs.extend(roles.iter().map(|&r| (r, u as u32)));
    }
    Lists::from_pairs(n_roles, &pairs)
}

/// Users whose status is `active`, one bit each.
fn active_bits(p: &Policy) -> Vec<u64> {
    let mut active = vec![0u64; p.users.len().div_ceil(64)];
    for (u, user) in p.users.values().enumerate() {
        if user.status == Status::Active {
            if let Some(word) = active.get_mut(u / 64) {
                *word |= 1 << (u % 64);
            }
        }
    }
    active
}

/// [`compile_owned`], reusing `old`'s work when `policy` differs from `old`'s policy only
/// in its grants (profiles' contents, roles' profile lists) and users' statuses: then the
/// users, teams and memberships are the same, only the matrix's tables and the active bits
/// change. Anything else compiles
/// in full. Either way the result equals a full compile of `policy`.
///
/// # Errors
/// As [`compile`].
///
/// # Cost
/// When only grants changed: O(policy size) comparisons (no look-ups) + O(profiles and
/// roles) validation + the matrix + O(users) copies of per-user facts. Otherwise as
/// [`compile`].
pub(crate) fn recompile(old: &Compiled, policy: Arc<Policy>) -> Result<Compiled, PolicyError> {
    let size = Limits::size_of(&policy);
    let budget = policy.limits().membership_budget(size);
    if !only_grants_differ(&old.policy, &policy) || old.memberships.spent() > budget {
        return compile_shared(policy);
    }
    validate::grants(&policy)?;
    // which sources' grants changed: a role whose profile list changed, or one of whose
    // profiles (or whose team ceiling) did
    let profile_changed: Vec<bool> = old
        .policy
        .profiles
        .values()
        .zip(policy.profiles.values())
        .map(|(a, b)| a != b)
        .collect();
    let changed_profile = |i: usize| profile_changed.get(i).copied().unwrap_or(true);
    let role_changed: Vec<bool> = old
        .policy
        .roles
        .values()
        .zip(policy.roles.values())
        .map(|(a, b)| {
            a.profiles != b.profiles
                || b.profiles
                    .iter()
                    .any(|id| policy.profiles.get_index_of(id).is_none_or(changed_profile))
        })
        .collect();
    let changed = |key: &TableKey| {
        role_changed.get(key.role as usize).copied().unwrap_or(true)
            || key.ceiling.is_some_and(|c| changed_profile(c as usize))
    };
    let matrix = old.matrix.rebuild(&policy, size, &changed)?;
    let generation = new_generation()?;
    let (modules, rules) = modules_and_rules(&policy, generation);
    let (calendar_shares, picklists) = calendars_and_picklists(&policy, generation);
    Ok(Compiled {
        calendar_shares,
        picklists,
        generation,
        // every table keeps its place, so the tables each user's facts name are the same
        users: old.users.clone(),
        memberships: old.memberships.clone(),
        team_active: old.team_active.clone(),
        roles: old.roles.clone(),
        modules,
        rules,
        matrix,
        role_users: old.role_users.clone(),
        team_classes: old.team_classes.clone(),
        class_users: old.class_users.clone(),
        // statuses may differ: they are all the active bits depend on
        active: active_bits(&policy),
        role_pool: old.role_pool.clone(),
        below_pool: old.below_pool.clone(),
        // keys are part of users, teams and modules, which the shortcut requires unchanged
        keys: old.keys.clone(),
        policy,
    })
}

/// Whether `new` differs from `old` in nothing but profiles' contents and roles' profile
/// lists: the same ids in the same order everywhere, the same limits.
fn only_grants_differ(old: &Policy, new: &Policy) -> bool {
    fn same<V: PartialEq>(a: &IndexMap<String, V>, b: &IndexMap<String, V>) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
    }
    let same_roles = old.roles.len() == new.roles.len()
        && old
            .roles
            .iter()
            .zip(&new.roles)
            .all(|((a, ra), (b, rb))| a == b && ra.parent == rb.parent && ra.name == rb.name);
    old.limits() == new.limits()
        && old.settings == new.settings
        && same_roles
        && old.profiles.keys().eq(new.profiles.keys())
        && same(&old.modules, &new.modules)
        && same(&old.teams, &new.teams)
        && old.users.len() == new.users.len()
        && old
            .users
            .iter()
            .zip(&new.users)
            .all(|((a, ua), (b, ub))| a == b && same_but_status(ua, ub))
        && old.sharing_rules == new.sharing_rules
        && old.calendar_shares == new.calendar_shares
}

/// Whether two users differ in nothing but their status, which only the active bits
/// read. Spelled field by field, so a field added to `User` must be judged here.
fn same_but_status(a: &User, b: &User) -> bool {
    let User {
        display_name,
        key,
        status: _,
        kind,
        roles,
        admin,
        factors,
        overrides,
    } = a;
    *display_name == b.display_name
        && *key == b.key
        && *kind == b.kind
        && *roles == b.roles
        && *admin == b.admin
        && *factors == b.factors
        && *overrides == b.overrides
}

/// One module's override as a hashable value, each list in ascending order.
type OverrideKey = (
    String,
    Option<Access>,
    Vec<(Action, Scope)>,
    Vec<(String, FieldAccess)>,
    Vec<(String, bool)>,
);

/// A user's overrides as a value rows are keyed by: rows with equal overrides (and
/// sources) are one row. Sorted, so the order the document wrote them in does not split
/// a row; empty for none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(crate) struct OverridesKey(Vec<OverrideKey>);

impl OverridesKey {
    /// Whether the user has no overrides.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The overrides key of `user`.
pub(crate) fn overrides_key(user: &User) -> OverridesKey {
    fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
        v.sort_unstable();
        v
    }
    let modules = user.overrides.iter().map(|(module, o)| {
        (
            module.clone(),
            o.access,
            sorted(o.actions.iter().map(|(&a, &s)| (a, s)).collect()),
            sorted(o.fields.iter().map(|(f, &a)| (f.clone(), a)).collect()),
            sorted(o.tools.iter().map(|(t, &on)| (t.clone(), on)).collect()),
        )
    });
    OverridesKey(sorted(modules.collect()))
}

/// A generation no authorizer of this process had.
///
/// # Errors
/// `limit_exceeded` once 2^32 - 1 have been handed out.
fn new_generation() -> Result<u32, PolicyError> {
    next_generation().ok_or_else(|| {
        PolicyError::new(
            ErrorCode::LimitExceeded,
            "",
            "this process has compiled 2^32 - 1 authorizers, and ids must never repeat; restart it",
        )
    })
}

/// The facts of every module and the sharing rules, with ids of `generation`.
/// A principal's ids in the compile `generation`. Validated: every name resolves;
/// `u32::MAX` would be an unknown position, which no check accepts.
fn resolve_principal(p: &Policy, principal: &Principal, generation: u32) -> PrincipalId {
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
}

/// A calendar share with resolved ids.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CompiledCalendarShare {
    /// Position in `policy.calendar_shares`, for explanations.
    pub index: u32,
    /// The calendar's owner: a user's or a team's position.
    pub owner: CalendarOf,
    pub to: PrincipalId,
    pub level: crate::policy::CalendarLevel,
}

/// Whose calendar, by position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CalendarOf {
    User(u32),
    Team(u32),
}

/// Per (module, field) with a picklist, per value, the roles it is bound to (positions).
pub(crate) type Picklists = foldhash::HashMap<(u32, u32), Vec<Vec<u32>>>;

/// The calendar shares and picklists of `p`, resolved for the compile `generation`.
///
/// # Cost
/// O(calendar shares + picklist values × their roles) look-ups.
pub(crate) fn calendars_and_picklists(
    p: &Policy,
    generation: u32,
) -> (Vec<CompiledCalendarShare>, Picklists) {
    let index = |map_index: Option<usize>| map_index.unwrap_or(usize::MAX) as u32;
    let shares = p
        .calendar_shares
        .iter()
        .enumerate()
        .map(|(i, share)| CompiledCalendarShare {
            index: i as u32,
            owner: match &share.owner {
                crate::policy::CalendarOwner::User(u) => {
                    CalendarOf::User(index(p.users.get_index_of(u)))
                }
                crate::policy::CalendarOwner::Team(t) => {
                    CalendarOf::Team(index(p.teams.get_index_of(t)))
                }
            },
            to: resolve_principal(p, &share.to, generation),
            level: share.level,
        })
        .collect();
    let mut picklists = Picklists::default();
    for (m, module) in p.modules.values().enumerate() {
        for (f, field) in module.fields.values().enumerate() {
            let Some(list) = &field.picklist else {
                continue;
            };
            let values = list
                .values
                .iter()
                .map(|v| {
                    v.roles
                        .iter()
                        .filter_map(|r| p.roles.get_index_of(r).map(|r| r as u32))
                        .collect()
                })
                .collect();
            picklists.insert((m as u32, f as u32), values);
        }
    }
    (shares, picklists)
}

fn modules_and_rules(p: &Policy, generation: u32) -> (Vec<ModuleFacts>, Vec<CompiledRule>) {
    let resolve = |principal: &Principal| resolve_principal(p, principal, generation);
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
    (modules, rules)
}

impl Compiled {
    /// The direct roles of the user with `facts`, as pre-order numbers, ascending.
    #[inline]
    pub fn roles_of<'a>(&'a self, facts: &'a UserFacts) -> &'a [u32] {
        let len = facts.roles_len as usize;
        if len <= INLINE_ROLES {
            facts.roles.get(..len).unwrap_or(&[])
        } else {
            let start = facts.roles[0] as usize;
            self.role_pool.get(start..start + len).unwrap_or(&[])
        }
    }

    /// The pre-order ranges strictly below the roles of the user with `facts`.
    #[inline]
    pub fn below_of(&self, facts: &UserFacts) -> &[(u32, u32)] {
        let (start, len) = (facts.below.0 as usize, facts.below.1 as usize);
        self.below_pool.get(start..start + len).unwrap_or(&[])
    }

    /// Approximate heap bytes held, the policy copy excluded.
    pub fn memory_usage(&self) -> usize {
        use std::mem::size_of;
        self.users.capacity() * size_of::<UserFacts>()
            + self.role_pool.capacity() * size_of::<u32>()
            + self.below_pool.capacity() * size_of::<(u32, u32)>()
            + self.memberships.memory_usage()
            + self.team_active.capacity()
            + self.roles.memory_usage()
            + self.modules.capacity() * size_of::<ModuleFacts>()
            + self.rules.capacity() * size_of::<CompiledRule>()
            + self.matrix.memory_usage()
            + self.role_users.memory_usage()
            + self.team_classes.memory_usage()
            + self.class_users.memory_usage()
            + self.active.capacity() * size_of::<u64>()
            + self.keys.memory_usage()
            + self.calendar_shares.capacity() * size_of::<CompiledCalendarShare>()
            + self
                .picklists
                .values()
                .map(|v| v.iter().map(|r| r.capacity() * 4 + 24).sum::<usize>())
                .sum::<usize>()
    }
}
