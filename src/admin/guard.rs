//! The rules of [administration](crate::doc::semantics#administration) for actors below `admin`, judged by what a change *does*.
//!
//! Each rule compares the policy before and after the change — who holds which level,
//! which memberships, teams, roles, profiles, rules and grants — instead of trusting every
//! operation to remember its own checks. A new operation is covered without a line here.
//! Every refusal is `not_permitted`, and the caller then changes nothing.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::audit::TransferTarget;
use super::change::refuse;
use super::standing::{Standing, TakenRoles};
use crate::authorizer::signin::sign_in;
use crate::authorizer::{Owner, Record};
use crate::cell::ActionCells;
use crate::compile::grant::effective_field;
use crate::compile::rows::{RoleGrants, user_grant};
use crate::compile::{Cell, Conferred, default_role_index, source_key};
use crate::error::{ErrorCode, PolicyError};
use crate::policy::{
    Access, Action, AdminLevel, FieldAccess, Policy, Principal, Status, Team, User,
};

type Result<T = ()> = std::result::Result<T, PolicyError>;

fn not_permitted(path: impl Into<String>, message: impl Into<String>) -> PolicyError {
    refuse(ErrorCode::NotPermitted, path, message)
}

fn high(level: AdminLevel) -> bool {
    level >= AdminLevel::CustomerAdmin
}

/// All of [administration](crate::doc::semantics#administration)'s rules for `actor`, whose effective level is below `admin`, for a
/// change from `old` to `new` that may hand what it deleted over to an heir.
///
/// # Cost
/// O(policy size + memberships), plus the users of each team or role a sharing rule to the
/// actor shares from, plus a compile of the policy before a deletion with an heir.
pub(crate) fn check(
    old: &Policy,
    new: &Policy,
    before: &Standing,
    after: &Standing,
    actor: &str,
    actor_level: AdminLevel,
    handover: Option<(Owned<'_>, &TransferTarget)>,
) -> Result {
    bounding_settings(old, new)?;
    host_keys(old, new)?;
    levels(old, new, before, after, actor_level)?;
    administrators(old, new, before, after)?;
    self_grant(old, new, before, after, actor)?;
    heir_within_reach(old, actor, handover)
}

/// Whose records a deletion leaves behind.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Owned<'a> {
    /// A deleted user's.
    User(&'a str),
    /// A deleted team's.
    Team(&'a str),
}

/// What a deletion leaves behind goes to an heir the host moves it to ([administration](crate::doc::semantics#administration)). Below
/// `admin`, the heir may not be anyone whose records the actor reaches further than the
/// deleted owner's — themselves, their own team, a subordinate, a user sharing their
/// role, a source of a rule to them — for the records would then be the actor's without a
/// grant. Judged in the policy before the change, for records of every module, with and
/// without the actor's teams linked, on every action.
///
/// # Cost
/// One compile of the policy before the change, then O(modules × actions) checks.
fn heir_within_reach(
    old: &Policy,
    actor: &str,
    handover: Option<(Owned<'_>, &TransferTarget)>,
) -> Result {
    let Some((deleted, heir)) = handover else {
        return Ok(());
    };
    let heir = match heir {
        TransferTarget::User(u) => Owned::User(u),
        TransferTarget::Team(t) => Owned::Team(t),
        // a role or profile heir changes the policy itself: judged by the reach above
        TransferTarget::Role(_) | TransferTarget::Profile(_) => return Ok(()),
    };
    let auth = old.compile()?;
    let Some(me) = auth.user(actor) else {
        return Ok(());
    };
    if auth.bypasses(me) {
        return Ok(()); // every record is theirs to reach already
    }
    let owner = |o: Owned<'_>| match o {
        Owned::User(u) => auth.user(u).map(Owner::User),
        Owned::Team(t) => auth.team(t).map(Owner::Team),
    };
    let (Some(from), Some(to)) = (owner(deleted), owner(heir)) else {
        return Ok(());
    };
    let mine = auth.teams_of(me).unwrap_or_default();
    for module in (0..).map_while(|i| auth.module_at(i)) {
        for &action in Action::ALL {
            for teams in [&[][..], &mine[..]] {
                let reaches = |o| auth.can(me, action, &Record::new(module, o).with_teams(teams));
                if reaches(to) && !reaches(from) {
                    return Err(not_permitted(
                        format!("users.{actor}"),
                        format!(
                            "`{actor}` reaches the records of the heir they named further than those of what they deleted (`{action}` on `{}`): administrators below `admin` cannot grant themselves anything",
                            auth.module_name(module).unwrap_or_default()
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Settings that bound what administrators may do change only by an `admin` (or the host).
fn bounding_settings(old: &Policy, new: &Policy) -> Result {
    let (a, b) = (&old.settings, &new.settings);
    let changed = [
        ("admin_areas", a.admin_areas != b.admin_areas),
        ("admin_bypass", a.admin_bypass != b.admin_bypass),
        ("licenses", a.licenses != b.licenses),
        (
            "max_admin_sessions",
            a.max_admin_sessions != b.max_admin_sessions,
        ),
        ("system_factors", a.system_factors != b.system_factors),
        (
            "login_requires_active_team",
            a.login_requires_active_team != b.login_requires_active_team,
        ),
        ("external_access", a.external_access != b.external_access),
        ("user_deletion", a.user_deletion != b.user_deletion),
    ];
    match changed.iter().find(|(_, changed)| *changed) {
        Some((key, _)) => Err(not_permitted(
            format!("settings.{key}"),
            format!(
                "only an `admin` may change `settings.{key}`, which bounds what administrators may do"
            ),
        )),
        None => Ok(()),
    }
}

/// Host keys tie users, teams and modules to the host's rows: a key given to someone else
/// hands them the rows, including rows left by a deleted owner, which no comparison of
/// the policy can see. So only an `admin` (or the host) sets, changes or clears a key,
/// new items included.
///
/// # Cost
/// O(users + teams + modules) look-ups.
fn host_keys(old: &Policy, new: &Policy) -> Result {
    fn first_changed<'a, V>(
        old: &indexmap::IndexMap<String, V>,
        new: &'a indexmap::IndexMap<String, V>,
        key: impl Fn(&V) -> Option<&crate::policy::HostKey>,
    ) -> Option<&'a str> {
        new.iter()
            .find(|(id, v)| old.get(id.as_str()).and_then(&key) != key(v))
            .map(|(id, _)| id.as_str())
    }
    let changed = [
        (
            "users",
            first_changed(&old.users, &new.users, |u| u.key.as_ref()),
        ),
        (
            "teams",
            first_changed(&old.teams, &new.teams, |t| t.key.as_ref()),
        ),
        (
            "modules",
            first_changed(&old.modules, &new.modules, |m| m.key.as_ref()),
        ),
    ];
    match changed
        .iter()
        .find_map(|(section, id)| Some((section, (*id)?)))
    {
        Some((section, id)) => Err(not_permitted(
            format!("{section}.{id}.key"),
            "only an `admin` may set or change a host key, which ties an item to the host's rows",
        )),
        None => Ok(()),
    }
}

/// Usernames of both policies, old ones first.
fn all_users<'p>(old: &'p Policy, new: &'p Policy) -> impl Iterator<Item = &'p str> {
    old.users
        .keys()
        .chain(
            new.users
                .keys()
                .filter(|u| !old.users.contains_key(u.as_str())),
        )
        .map(String::as_str)
}

/// Nobody confers a level above their own, and no team conferring `customer_admin` or
/// higher changes.
fn levels(
    old: &Policy,
    new: &Policy,
    before: &Standing,
    after: &Standing,
    actor_level: AdminLevel,
) -> Result {
    for name in all_users(old, new) {
        let was = before.level_of(old, name).unwrap_or_default();
        let now = after.level_of(new, name).unwrap_or_default();
        if now > was && now > actor_level {
            return Err(not_permitted(
                format!("users.{name}"),
                "no administrator can confer a level above their own",
            ));
        }
    }
    for name in old.teams.keys().chain(new.teams.keys()) {
        let (was, now) = (old.teams.get(name), new.teams.get(name));
        let confers_high = was.is_some_and(|t| high(t.admin)) || now.is_some_and(|t| high(t.admin));
        if confers_high && was != now {
            return Err(not_permitted(
                format!("teams.{name}"),
                format!(
                    "only an `admin` may change team `{name}`, which confers an administrator level"
                ),
            ));
        }
    }
    Ok(())
}

/// No change touches what a user at or above `customer_admin` (before or after) is,
/// belongs to or must present: their record, their memberships, how they sign in, or any
/// team that lists them (but for its display name and its other members).
fn administrators(old: &Policy, new: &Policy, before: &Standing, after: &Standing) -> Result {
    let admins: BTreeSet<&str> = all_users(old, new)
        .filter(|name| {
            before.level_of(old, name).is_some_and(high)
                || after.level_of(new, name).is_some_and(high)
        })
        .collect();
    let mut teams = BTreeSet::new();
    let mut roles = BTreeSet::new();
    let (taken_old, taken_new) = (TakenRoles::of(old), TakenRoles::of(new));
    for &name in &admins {
        let path = format!("users.{name}");
        let why = |what: &str| {
            not_permitted(
                path.clone(),
                format!(
                    "only an `admin` may change {what} of `{name}`, who is or would be an administrator"
                ),
            )
        };
        if old.users.get(name) != new.users.get(name) {
            return Err(why("the record"));
        }
        if before.team_names(old, name) != after.team_names(new, name)
            || before.listed_names(old, name) != after.listed_names(new, name)
        {
            return Err(why("the team memberships"));
        }
        if login(old, before, name) != login(new, after, name) {
            return Err(why("the sign-in"));
        }
        teams.extend(before.listed_names(old, name));
        teams.extend(after.listed_names(new, name));
        roles.extend(before.member_roles(old, &taken_old, name));
        roles.extend(after.member_roles(new, &taken_new, name));
    }
    for role in roles {
        if old.roles.get(role) != new.roles.get(role) {
            return Err(not_permitted(
                format!("roles.{role}"),
                format!(
                    "only an `admin` may change role `{role}`, which makes an administrator a member of a team"
                ),
            ));
        }
    }
    for team in teams {
        let view = |p: &Policy| p.teams.get(team).map(|t| administrators_view(t, &admins));
        if view(old) != view(new) {
            return Err(not_permitted(
                format!("teams.{team}"),
                format!(
                    "only an `admin` may change team `{team}`, which has an administrator among its members"
                ),
            ));
        }
    }
    Ok(())
}

/// A team as far as its administrator members are concerned: everything but its display
/// name and the entries of its other members.
fn administrators_view(team: &Team, admins: &BTreeSet<&str>) -> Team {
    let mut view = team.clone();
    view.name = None;
    view.users.retain(|u| admins.contains(u.as_str()));
    view.calendar_rights
        .retain(|u, _| admins.contains(u.as_str()));
    view
}

/// How `name` signs in under `p`: refused, or with which factors.
fn login(
    p: &Policy,
    standing: &Standing,
    name: &str,
) -> Option<std::result::Result<Vec<String>, crate::error::ErrorCode>> {
    let (u, _, user) = p.users.get_full(name)?;
    let teams = standing
        .teams_of(u)
        .iter()
        .filter_map(|&t| p.teams.get_index(t as usize).map(|(_, team)| team));
    Some(
        sign_in(&p.settings, user, user.status == Status::Active, teams)
            .map(|f| f.0)
            .map_err(|denied| denied.code()),
    )
}

/// No self-grant: the actor changes neither what they are and belong to, nor the roles,
/// profiles, teams, rules and shares that give them their grants, nor — judged by effect —
/// anything that lets them reach more than before.
fn self_grant(
    old: &Policy,
    new: &Policy,
    before: &Standing,
    after: &Standing,
    actor: &str,
) -> Result {
    let path = format!("users.{actor}");
    let own = |what: &str| {
        not_permitted(
            path.clone(),
            format!(
                "`{actor}` may not change {what}: administrators below `admin` cannot grant themselves anything"
            ),
        )
    };
    // what they are: all of their record but the display name, a lowered level and a
    // deactivation
    let masked = |u: Option<&User>| {
        u.map(|u| User {
            display_name: None,
            status: Status::Active,
            admin: AdminLevel::None,
            ..u.clone()
        })
    };
    if masked(old.users.get(actor)) != masked(new.users.get(actor)) {
        return Err(own("their own roles, overrides, factors or kind"));
    }
    if before.team_names(old, actor) != after.team_names(new, actor)
        || before.listed_names(old, actor) != after.listed_names(new, actor)
    {
        return Err(own("their own team memberships"));
    }
    let mut teams = before.listed_names(old, actor);
    teams.extend(after.listed_names(new, actor));
    for team in teams {
        // the team's record, and who it takes in by nesting or role entries
        if old.teams.get(team) != new.teams.get(team)
            || before.members_of(old, team) != after.members_of(new, team)
        {
            return Err(not_permitted(
                format!("teams.{team}"),
                format!(
                    "`{actor}` belongs to team `{team}` and may not change it or who belongs to it"
                ),
            ));
        }
    }
    let held = before.held_roles(old, actor);
    if held != after.held_roles(new, actor) {
        return Err(own("the roles they hold"));
    }
    let mut profiles = BTreeSet::new();
    for &role in &held {
        if old.roles.get(role) != new.roles.get(role) {
            return Err(not_permitted(
                format!("roles.{role}"),
                format!("`{actor}` holds role `{role}` and may not change it"),
            ));
        }
        profiles.extend(old.roles.get(role).into_iter().flat_map(|r| &r.profiles));
    }
    for team in before.team_names(old, actor) {
        profiles.extend(old.teams.get(team).and_then(|t| t.ceiling.as_ref()));
    }
    for profile in profiles {
        if old.profiles.get(profile) != new.profiles.get(profile) {
            return Err(not_permitted(
                format!("profiles.{profile}"),
                format!("`{actor}` holds profile `{profile}` and may not change it"),
            ));
        }
    }
    let rules = |p: &Policy, s: &Standing| shared_with(p, s, actor, &p.sharing_rules, |r| &r.to);
    if rules(old, before) != rules(new, after) {
        return Err(own("a sharing rule that shares with them"));
    }
    let calendars =
        |p: &Policy, s: &Standing| shared_with(p, s, actor, &p.calendar_shares, |c| &c.to);
    if calendars(old, before) != calendars(new, after) {
        return Err(own("a calendar share that shares with them"));
    }
    let (was, now) = (Reach::of(old, before, actor), Reach::of(new, after, actor));
    if let (Some(was), Some(now)) = (was, now) {
        if let Some(gain) = now.gain_over(&was) {
            return Err(not_permitted(
                path,
                format!(
                    "the change would let `{actor}` reach more than before ({gain}); administrators below `admin` are subject to data checks"
                ),
            ));
        }
    }
    Ok(())
}

/// The entries of `items` (sharing rules, calendar shares) whose recipient `to` includes
/// `actor`, in document form, sorted.
fn shared_with<T: serde::Serialize>(
    p: &Policy,
    standing: &Standing,
    actor: &str,
    items: &[T],
    to: impl Fn(&T) -> &Principal,
) -> Vec<String> {
    let mut out: Vec<String> = items
        .iter()
        .filter(|item| standing.includes(p, to(item), actor))
        .map(|item| serde_json::to_string(item).unwrap_or_default())
        .collect();
    out.sort_unstable();
    out
}

/// What one user can reach in one policy: everything `filter` and the [fields, tools and limits](crate::doc::semantics#fields-tools-and-limits) surface are
/// built from. Comparing two of them tells whether a change widened the user's data.
struct Reach<'p> {
    bypass: bool,
    modules: BTreeMap<&'p str, ModuleReach<'p>>,
    /// Users whose records the user reaches as a superior ([decision step 6](crate::doc::semantics#decision-steps)).
    subordinates: BTreeSet<&'p str>,
    /// Users sharing a direct role with the user.
    role_mates: BTreeSet<&'p str>,
    /// Principals whose record shares reach the user.
    share_principals: HashSet<Principal>,
    /// Per module and source principal of a sharing rule that shares with the user: the
    /// record owners it shares.
    rule_sources: HashMap<(&'p str, Principal), Source<'p>>,
    /// The user's search-result limit ([fields, tools and limits](crate::doc::semantics#fields-tools-and-limits)); `None` is unlimited.
    result_limit: Option<u64>,
    /// Picklist values the user sees: (module, field, value).
    picklist_values: BTreeSet<(&'p str, &'p str, &'p str)>,
}

/// The record owners one sharing-rule source names.
struct Source<'p> {
    users: BTreeSet<&'p str>,
    /// The source is an active team, whose own records the rule shares too.
    active_team: bool,
}

impl Source<'_> {
    /// Names no owner `then` did not.
    fn within(&self, then: &Source<'_>) -> bool {
        self.users.is_subset(&then.users) && (!self.active_team || then.active_team)
    }
}

struct ModuleReach<'p> {
    access: Access,
    /// Per action; `all` wherever a module without owners grants anything ([decision step 5](crate::doc::semantics#decision-steps)).
    cells: ActionCells,
    hierarchy: bool,
    fields: BTreeMap<&'p str, FieldAccess>,
    tools: BTreeMap<&'p str, bool>,
}

impl<'p> Reach<'p> {
    /// `None` for a user not in the policy.
    fn of(p: &'p Policy, standing: &Standing, name: &str) -> Option<Reach<'p>> {
        let (u, _, user) = p.users.get_full(name)?;
        let teams = standing.teams_of(u);
        let direct = standing.direct_roles.get(u);
        let level = standing.level.get(u).copied().unwrap_or_default();
        let conferred = Conferred::of_teams(p, teams);
        let key = source_key(
            p,
            default_role_index(p),
            direct,
            conferred.view(),
            level,
            user,
        );
        let mut grants = RoleGrants::new();
        let mut modules = BTreeMap::new();
        for (m, (module_id, module)) in p.modules.iter().enumerate() {
            let grant = user_grant(p, &mut grants, &key, m, user.overrides.get(module_id));
            let mut cells = grant.cells;
            if !module.owned {
                for cell in cells.iter_mut().filter(|c| !c.is_none()) {
                    *cell = Cell::ALL;
                }
            }
            let fields = module
                .fields
                .iter()
                .zip(&grant.fields)
                .map(|((f, def), &merged)| {
                    let access =
                        effective_field(grant.access, merged, def.mandatory, key.external_capped);
                    (f.as_str(), access)
                })
                .collect();
            let tools = module
                .tools
                .iter()
                .zip(&grant.tools)
                .map(|(t, &on)| (t.as_str(), on && grant.access != Access::Off))
                .collect();
            modules.insert(
                module_id.as_str(),
                ModuleReach {
                    access: grant.access,
                    cells,
                    hierarchy: module.hierarchy,
                    fields,
                    tools,
                },
            );
        }
        let holders = |pred: &dyn Fn(u32) -> bool| -> BTreeSet<&'p str> {
            p.users
                .keys()
                .zip(standing.direct_roles.iter())
                .filter(|(_, roles)| roles.iter().any(|&r| pred(r)))
                .map(|(n, _)| n.as_str())
                .collect()
        };
        let tree = &standing.roles;
        let mut pres: Vec<u32> = direct.iter().filter_map(|&r| tree.pre(r)).collect();
        pres.sort_unstable();
        let below = tree.spans_below(&pres);
        let subordinates = holders(&|r| {
            tree.pre(r)
                .is_some_and(|pre| crate::compile::sorted::hit(&below, &[pre]).is_some())
        });
        let role_mates = holders(&|r| direct.binary_search(&r).is_ok());
        let mut share_principals = HashSet::new();
        share_principals.insert(Principal::User(name.to_string()));
        for team in standing.team_names(p, name) {
            share_principals.insert(Principal::Team(team.to_string()));
        }
        let role_name = |r: u32| p.roles.get_index(r as usize).map(|(k, _)| k.clone());
        for &r in direct {
            share_principals.extend(role_name(r).map(Principal::Role));
            for a in tree.ancestors(r) {
                let Some(principal) = role_name(a).map(Principal::RoleAndSubordinates) else {
                    break;
                };
                if !share_principals.insert(principal) {
                    break; // seen, and everything above it too
                }
            }
        }
        // the sources of the rules that share with the user, each expanded once: the rules
        // themselves cannot change (see `shared_with`), so only their sources can grow
        let mut rule_sources: HashMap<(&str, Principal), Source<'p>> = HashMap::new();
        for rule in &p.sharing_rules {
            let Some(module) = p
                .modules
                .get_key_value(&rule.module)
                .map(|(k, _)| k.as_str())
            else {
                continue;
            };
            let key = (module, rule.from.clone());
            if rule_sources.contains_key(&key) || !standing.includes(p, &rule.to, name) {
                continue;
            }
            let active_team = match &rule.from {
                Principal::Team(t) => p.teams.get(t).is_some_and(|t| t.active),
                _ => false,
            };
            rule_sources.insert(
                key,
                Source {
                    users: standing.users_of(p, &rule.from),
                    active_team,
                },
            );
        }
        let limits = standing
            .teams_of(u)
            .iter()
            .filter_map(|&t| p.teams.get_index(t as usize))
            .filter_map(|(_, team)| team.result_limit);
        let result_limit = match p.settings.merge {
            crate::policy::Merge::Additive => limits.max(),
            crate::policy::Merge::Subtractive => limits.min(),
        };
        let held = standing.held_roles(p, name);
        let sees = |l: &crate::policy::Picklist, v: &crate::policy::PicklistValue| {
            !l.role_bound || v.roles.is_empty() || v.roles.iter().any(|r| held.contains(r.as_str()))
        };
        let mut picklist_values = BTreeSet::new();
        for (module_id, module) in &p.modules {
            for (field, def) in &module.fields {
                for list in def.picklist.iter() {
                    for value in list.values.iter().filter(|v| sees(list, v)) {
                        picklist_values.insert((
                            module_id.as_str(),
                            field.as_str(),
                            value.value.as_str(),
                        ));
                    }
                }
            }
        }
        Some(Reach {
            bypass: p.settings.admin_bypass && level.bypasses(),
            modules,
            subordinates,
            role_mates,
            share_principals,
            rule_sources,
            result_limit,
            picklist_values,
        })
    }

    /// The first thing `self` reaches that `was` did not, in words; `None` if nothing.
    fn gain_over(&self, was: &Reach<'_>) -> Option<String> {
        if was.bypass {
            return None; // every check already allowed
        }
        if self.bypass {
            return Some("the admin bypass".into());
        }
        let unlimited = u64::MAX;
        if self.result_limit.unwrap_or(unlimited) > was.result_limit.unwrap_or(unlimited) {
            return Some("a higher search-result limit".into());
        }
        if let Some(v) = self.picklist_values.difference(&was.picklist_values).next() {
            return Some(format!("picklist value `{}` of `{}.{}`", v.2, v.0, v.1));
        }
        let subordinates_grew = !self.subordinates.is_subset(&was.subordinates);
        let role_mates_grew = !self.role_mates.is_subset(&was.role_mates);
        let shares_grew = !self.share_principals.is_subset(&was.share_principals);
        for (&module, now) in &self.modules {
            let then = was.modules.get(module);
            let access = then.map_or(Access::Off, |t| t.access);
            if now.access > access {
                return Some(format!("access `{}` to `{module}`", now.access));
            }
            for (field, &fa) in &now.fields {
                let before = then
                    .and_then(|t| t.fields.get(field).copied())
                    .unwrap_or(FieldAccess::Hidden);
                if fa > before {
                    return Some(format!("field `{module}.{field}` as `{fa}`"));
                }
            }
            for (tool, &on) in &now.tools {
                if on
                    && !then
                        .and_then(|t| t.tools.get(tool).copied())
                        .unwrap_or(false)
                {
                    return Some(format!("tool `{tool}` of `{module}`"));
                }
            }
            for &action in Action::ALL {
                let cell = now.cells[action];
                let before = then.map_or(Cell::NONE, |t| t.cells[action]);
                if cell.is_none() || before == Cell::ALL {
                    continue;
                }
                let what = || format!("`{action}` on `{module}`");
                if cell.join(before) != before {
                    return Some(format!("{} as `{cell}`", what()));
                }
                // the cell reaches no more kinds of records; do the sets it reads grow?
                let owners_by_hierarchy = now.hierarchy && cell != Cell::ALL;
                let hierarchy_was = then.is_some_and(|t| t.hierarchy);
                if owners_by_hierarchy
                    && (subordinates_grew || !hierarchy_was)
                    && !self.subordinates.is_empty()
                {
                    return Some(format!("{} of more subordinates", what()));
                }
                if cell.wants_role() && role_mates_grew {
                    return Some(format!("{} of users sharing a role", what()));
                }
                if shares_grew {
                    return Some(format!(
                        "{} of records shared with more of their principals",
                        what()
                    ));
                }
                let from_rules = self
                    .rule_sources
                    .iter()
                    .filter(|((m, _), _)| *m == module)
                    .any(|((m, principal), now)| {
                        was.rule_sources
                            .get(&(*m, principal.clone()))
                            .is_none_or(|then| !now.within(then))
                    });
                if from_rules {
                    return Some(format!("{} through a sharing rule", what()));
                }
            }
        }
        None
    }
}
