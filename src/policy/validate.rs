//! Validation of a policy ([the policy model](crate::doc::document)): every reference resolves, hierarchies are forests,
//! and the few structural rules hold. The first problem found is reported with its path.

use indexmap::IndexMap;

use super::readable;
use super::resolved::Resolved;
use super::{
    CalendarOwner, FieldAccess, HostKey, Module, ModuleGrant, Override, Policy, Principal,
};
use crate::error::{ErrorCode, PolicyError};

type Result<T = ()> = std::result::Result<T, PolicyError>;

/// Checks `p`, and returns the positions of the names its teams and users list, resolved
/// on the way.
///
/// # Cost
/// O(policy size) look-ups and linear walks of the role and team forests.
pub(crate) fn validate(p: &Policy) -> Result<Resolved> {
    let mut resolved = Resolved::empty();
    // SPEC §2's order: the first problem found is the one reported
    counts(p)?;
    ids_readable(p)?;
    settings_refs(p)?;
    picklist_refs(p)?;
    grants(p)?;
    role_cycles(p)?;
    team_refs(p, &mut resolved)?;
    team_cycles(p)?;
    user_refs(p, &mut resolved)?;
    rule_and_share_refs(p)?;
    // last, so that every check SPEC §2 orders comes first
    unique_keys("users", p.users.iter().map(|(id, u)| (id, u.key.as_ref())))?;
    unique_keys("teams", p.teams.iter().map(|(id, t)| (id, t.key.as_ref())))?;
    unique_keys(
        "modules",
        p.modules.iter().map(|(id, m)| (id, m.key.as_ref())),
    )?;
    Ok(resolved)
}

/// `team_inheritance` lists each source once; the default role exists.
fn settings_refs(p: &Policy) -> Result {
    let inheritance = &p.settings.team_inheritance;
    if let Some((i, repeated)) = inheritance.iter().enumerate().find(|(i, source)| {
        inheritance
            .get(..*i)
            .is_some_and(|seen| seen.contains(source))
    }) {
        // a subset (SPEC §2): the same source twice is a mistake, and read twice
        return Err(PolicyError::new(
            ErrorCode::DuplicateKey,
            format!("settings.team_inheritance[{i}]"),
            format!("`{repeated}` is listed twice"),
        ));
    }
    if let Some(role) = &p.settings.default_role {
        exists(&p.roles, role, || "settings.default_role".into(), "role")?;
    }
    Ok(())
}

/// The roles picklist values are bound to exist.
fn picklist_refs(p: &Policy) -> Result {
    let mut scratch = Vec::new();
    for (id, module) in &p.modules {
        for (field, def) in &module.fields {
            let Some(list) = &def.picklist else { continue };
            for (i, value) in list.values.iter().enumerate() {
                let path = || format!("modules.{id}.fields.{field}.picklist.values[{i}].roles");
                list_refs(&p.roles, &value.roles, path, "role", &mut scratch)?;
            }
        }
    }
    Ok(())
}

/// What teams name exists; the positions of the users, teams and roles they list are kept
/// for compile.
fn team_refs(p: &Policy, resolved: &mut Resolved) -> Result {
    let mut scratch = Vec::new();
    // Teams list users by name, up to millions of times: look them up in a compact index
    // rather than the users map, whose entries hold whole users and so miss the cache
    // several times a look-up.
    let user_index = NameIndex::of(p.users.keys());
    for (id, team) in &p.teams {
        let base = || format!("teams.{id}");
        let path = || format!("{}.users", base());
        list_refs(&user_index, &team.users, path, "user", &mut scratch)?;
        resolved.team_users.push(&scratch);
        let path = || format!("{}.teams", base());
        list_refs(&p.teams, &team.teams, path, "team", &mut scratch)?;
        resolved.team_teams.push(&scratch);
        let path = || format!("{}.roles", base());
        list_refs(&p.roles, &team.roles, path, "role", &mut scratch)?;
        resolved.team_roles.push(&scratch);
        let path = || format!("{}.roles_and_subordinates", base());
        let subtrees = &team.roles_and_subordinates;
        list_refs(&p.roles, subtrees, path, "role", &mut scratch)?;
        resolved.team_subtrees.push(&scratch);
        if let Some(role) = &team.role {
            exists(&p.roles, role, || format!("{}.role", base()), "role")?;
        }
        if let Some(ceiling) = &team.ceiling {
            let path = || format!("{}.ceiling", base());
            exists(&p.profiles, ceiling, path, "profile")?;
        }
        for user in team.calendar_rights.keys() {
            let path = || format!("{}.calendar_rights.{user}", base());
            exists(&p.users, user, path, "user")?;
        }
    }
    Ok(())
}

/// Users' roles and overrides name what exists; the roles' positions are kept.
fn user_refs(p: &Policy, resolved: &mut Resolved) -> Result {
    let mut scratch = Vec::new();
    for (id, user) in &p.users {
        let path = || format!("users.{id}.roles");
        list_refs(&p.roles, &user.roles, path, "role", &mut scratch)?;
        resolved.user_roles.push(&scratch);
        for (module_id, ov) in &user.overrides {
            let path = || format!("users.{id}.overrides.{module_id}");
            let module = exists(&p.modules, module_id, path, "module")?;
            override_refs(module, module_id, ov, path)?;
        }
    }
    Ok(())
}

/// Sharing rules and calendar shares name modules, owners and principals that exist.
fn rule_and_share_refs(p: &Policy) -> Result {
    for (i, rule) in p.sharing_rules.iter().enumerate() {
        let base = || format!("sharing_rules[{i}]");
        let path = || format!("{}.module", base());
        exists(&p.modules, &rule.module, path, "module")?;
        principal(p, &rule.from, || format!("{}.from", base()))?;
        principal(p, &rule.to, || format!("{}.to", base()))?;
    }
    for (i, share) in p.calendar_shares.iter().enumerate() {
        let base = || format!("calendar_shares[{i}]");
        match &share.owner {
            CalendarOwner::User(u) => {
                exists(&p.users, u, || format!("{}.owner.user", base()), "user").map(drop)?
            }
            CalendarOwner::Team(t) => {
                exists(&p.teams, t, || format!("{}.owner.team", base()), "team").map(drop)?
            }
        };
        principal(p, &share.to, || format!("{}.to", base()))?;
    }
    Ok(())
}

/// Host keys are unique within a section, and a text key is not empty.
///
/// # Cost
/// O(n) hash look-ups for the section's n items.
fn unique_keys<'a>(
    section: &str,
    items: impl Iterator<Item = (&'a String, Option<&'a HostKey>)>,
) -> Result {
    // a text key that spells a UUID counts as that UUID: PostgreSQL's `uuid` reads every
    // spelling of one UUID as the same value, so two spellings would own the same rows
    let mut seen: std::collections::HashMap<HostKey, &String> = std::collections::HashMap::new();
    for (id, key) in items {
        let Some(key) = key else { continue };
        if key.as_text().is_some_and(str::is_empty) {
            return Err(PolicyError::new(
                ErrorCode::Malformed,
                format!("{section}.{id}.key"),
                "a key is a non-empty string or an integer",
            ));
        }
        let identity = key
            .canonical_uuid()
            .map_or_else(|| key.clone(), HostKey::Text);
        if let Some(first) = seen.insert(identity, id) {
            return Err(PolicyError::new(
                ErrorCode::DuplicateKey,
                format!("{section}.{id}.key"),
                format!("key `{key}` is also the key of `{first}`; keys are unique"),
            ));
        }
    }
    Ok(())
}

/// The parts of validation that depend on profiles' contents and roles' profile lists
/// (and on nothing else changing): what [`crate::Authorizer::recompile`] checks again
/// when only grants changed. Runs in [`validate`]'s order, so the first error is the same.
pub(crate) fn grants(p: &Policy) -> Result {
    let mut scratch = Vec::new();
    for (id, profile) in &p.profiles {
        if profile.edit_all && !profile.view_all {
            return Err(PolicyError::new(
                ErrorCode::EditAllRequiresViewAll,
                format!("profiles.{id}.edit_all"),
                format!("profile `{id}` sets `edit_all` without `view_all`"),
            ));
        }
        for (module_id, grant) in &profile.modules {
            let path = || format!("profiles.{id}.modules.{module_id}");
            let module = exists(&p.modules, module_id, path, "module")?;
            grant_refs(module, module_id, grant, path)?;
        }
    }
    for (id, role) in &p.roles {
        if let Some(parent) = &role.parent {
            exists(&p.roles, parent, || format!("roles.{id}.parent"), "role")?;
        }
        if role.profiles.is_empty() {
            return Err(PolicyError::new(
                ErrorCode::RoleWithoutProfile,
                format!("roles.{id}.profiles"),
                format!("role `{id}` has no profile; every role needs at least one"),
            ));
        }
        let path = || format!("roles.{id}.profiles");
        list_refs(&p.profiles, &role.profiles, path, "profile", &mut scratch)?;
    }
    Ok(())
}

/// Every section within its limit.
fn counts(p: &Policy) -> Result {
    let l = p.limits();
    let sections = [
        ("users", p.users.len(), l.get_users()),
        ("roles", p.roles.len(), l.get_roles()),
        ("teams", p.teams.len(), l.get_teams()),
        ("profiles", p.profiles.len(), l.get_profiles()),
        ("modules", p.modules.len(), l.get_modules()),
        (
            "sharing_rules",
            p.sharing_rules.len() + p.calendar_shares.len(),
            l.get_rules(),
        ),
    ];
    for (section, n, limit) in sections {
        if n > limit {
            return Err(PolicyError::new(
                ErrorCode::LimitExceeded,
                section,
                format!("`{section}` has {n} entries; the limit is {limit}"),
            ));
        }
    }
    Ok(())
}

/// Ids people read ([the policy model](crate::doc::document#ids-people-read)): no
/// section holds an empty id, an id with a control or format character, or two ids that
/// look alike; nor does a module's list of fields or tools.
///
/// # Cost
/// O(total length of the ids).
fn ids_readable(p: &Policy) -> Result {
    readable::check_section("modules", "module", p.modules.keys())?;
    readable::check_section("profiles", "profile", p.profiles.keys())?;
    readable::check_section("roles", "role", p.roles.keys())?;
    readable::check_section("teams", "team", p.teams.keys())?;
    readable::check_section("users", "user", p.users.keys())?;
    display_names(
        "modules",
        "name",
        p.modules.iter().map(|(id, x)| (id, x.name.as_deref())),
    )?;
    display_names(
        "profiles",
        "name",
        p.profiles.iter().map(|(id, x)| (id, x.name.as_deref())),
    )?;
    display_names(
        "roles",
        "name",
        p.roles.iter().map(|(id, x)| (id, x.name.as_deref())),
    )?;
    display_names(
        "teams",
        "name",
        p.teams.iter().map(|(id, x)| (id, x.name.as_deref())),
    )?;
    let users = p
        .users
        .iter()
        .map(|(id, x)| (id, x.display_name.as_deref()));
    display_names("users", "display_name", users)?;
    for (id, module) in &p.modules {
        readable::check_section(
            &format!("modules.{id}.fields"),
            "field",
            module.fields.keys(),
        )?;
        readable::check_section(&format!("modules.{id}.tools"), "tool", module.tools.iter())?;
    }
    Ok(())
}

/// Display names print as they are: none holds a control character.
fn display_names<'a>(
    section: &str,
    key: &str,
    items: impl Iterator<Item = (&'a String, Option<&'a str>)>,
) -> Result {
    for (id, name) in items {
        if let Some(name) = name {
            let path = || format!("{section}.{}.{key}", id.escape_debug());
            readable::check_display_name(path, name)?;
        }
    }
    Ok(())
}

/// The entry `id` of `map`, or `unknown_reference` at the path `path()` names (built only
/// for the error: validation allocates nothing for references that resolve).
fn exists<'a, V>(
    map: &'a IndexMap<String, V>,
    id: &str,
    path: impl FnOnce() -> String,
    what: &str,
) -> Result<&'a V> {
    map.get(id).ok_or_else(|| {
        PolicyError::new(
            ErrorCode::UnknownReference,
            path(),
            format!("no {what} `{id}`"),
        )
    })
}

/// Resolves every id of a list into `out` (cleared first), or the first unknown one's error.
fn list_refs(
    map: &impl Positions,
    ids: &[String],
    path: impl Fn() -> String,
    what: &str,
    out: &mut Vec<u32>,
) -> Result {
    out.clear();
    for (i, id) in ids.iter().enumerate() {
        let at = map.position(id).ok_or_else(|| {
            PolicyError::new(
                ErrorCode::UnknownReference,
                format!("{}[{i}]", path()),
                format!("no {what} `{id}`"),
            )
        })?;
        out.push(at as u32);
    }
    // SPEC §2: a list that names the same id twice is a mistake, not a stronger grant
    if let Some(i) = readable::first_repeat(out) {
        let id = ids.get(i).map_or("", String::as_str);
        return Err(PolicyError::new(
            ErrorCode::DuplicateKey,
            format!("{}[{i}]", path()),
            format!("{what} `{id}` is listed twice"),
        ));
    }
    Ok(())
}

fn principal(p: &Policy, principal: &Principal, path: impl Fn() -> String) -> Result {
    match principal {
        Principal::User(u) => exists(&p.users, u, || format!("{}.user", path()), "user").map(drop),
        Principal::Team(t) => exists(&p.teams, t, || format!("{}.team", path()), "team").map(drop),
        Principal::Role(r) => exists(&p.roles, r, || format!("{}.role", path()), "role").map(drop),
        Principal::RoleAndSubordinates(r) => exists(
            &p.roles,
            r,
            || format!("{}.role_and_subordinates", path()),
            "role",
        )
        .map(drop),
    }
}

fn grant_refs(
    module: &Module,
    module_id: &str,
    grant: &ModuleGrant,
    path: impl Fn() -> String,
) -> Result {
    fields_and_tools(module, module_id, &grant.fields, grant.tools.keys(), path)
}

fn override_refs(
    module: &Module,
    module_id: &str,
    ov: &Override,
    path: impl Fn() -> String,
) -> Result {
    fields_and_tools(module, module_id, &ov.fields, ov.tools.keys(), path)
}

fn fields_and_tools<'a>(
    module: &Module,
    module_id: &str,
    fields: &IndexMap<String, FieldAccess>,
    tools: impl Iterator<Item = &'a String>,
    path: impl Fn() -> String,
) -> Result {
    for (field, access) in fields {
        let field_path = || format!("{}.fields.{field}", path());
        let Some(def) = module.fields.get(field) else {
            return Err(PolicyError::new(
                ErrorCode::UnknownReference,
                field_path(),
                format!("module `{module_id}` declares no field `{field}`"),
            ));
        };
        if def.mandatory && *access != FieldAccess::ReadWrite {
            return Err(PolicyError::new(
                ErrorCode::MandatoryFieldRestricted,
                field_path(),
                format!("field `{field}` of `{module_id}` is mandatory and cannot be `{access}`"),
            ));
        }
    }
    for tool in tools {
        if !module.tools.contains(tool) {
            return Err(PolicyError::new(
                ErrorCode::UnknownReference,
                format!("{}.tools.{tool}", path()),
                format!("module `{module_id}` declares no tool `{tool}`"),
            ));
        }
    }
    Ok(())
}

/// Walks each role's parent chain once, in all O(roles): a role met again on the chain
/// being walked closes a cycle (reported at its first role in map order); a role whose
/// depth is already known ends the walk. Depth counts the roles on the chain to the top.
fn role_cycles(p: &Policy) -> Result {
    const NEW: u32 = 0;
    const ON_PATH: u32 = u32::MAX;
    let limit = p.limits().get_depth();
    // NEW, ON_PATH, or the role's depth (1 for a top-level role)
    let mut depth = vec![NEW; p.roles.len()];
    let parent = |r: usize| {
        p.roles
            .get_index(r)
            .and_then(|(_, role)| role.parent.as_deref())
            .and_then(|name| p.roles.get_index_of(name))
    };
    let mut path = Vec::new();
    for start in 0..p.roles.len() {
        if depth.get(start) != Some(&NEW) {
            continue;
        }
        path.clear();
        let mut current = Some(start);
        let mut base = 0u32;
        while let Some(r) = current {
            match depth.get(r).copied() {
                Some(NEW) => {
                    if let Some(d) = depth.get_mut(r) {
                        *d = ON_PATH;
                    }
                    path.push(r);
                    current = parent(r);
                }
                Some(ON_PATH) => {
                    let at = path.iter().position(|&x| x == r).unwrap_or(0);
                    let first = path
                        .get(at..)
                        .and_then(|c| c.iter().min().copied())
                        .unwrap_or(r);
                    let name = p.roles.get_index(first).map_or("", |(k, _)| k.as_str());
                    return Err(PolicyError::new(
                        ErrorCode::RoleCycle,
                        format!("roles.{name}.parent"),
                        format!("role `{name}` is its own ancestor"),
                    ));
                }
                Some(known) => {
                    base = known;
                    current = None;
                }
                None => current = None,
            }
        }
        for &r in path.iter().rev() {
            base = base.saturating_add(1);
            if let Some(d) = depth.get_mut(r) {
                *d = base;
            }
            if base as usize > limit {
                let name = p.roles.get_index(r).map_or("", |(k, _)| k.as_str());
                return Err(PolicyError::new(
                    ErrorCode::LimitExceeded,
                    format!("roles.{name}.parent"),
                    format!("role `{name}` is {base} levels deep; the limit is {limit}"),
                ));
            }
        }
    }
    Ok(())
}

/// Depth-first search over nested teams, O(teams + nesting entries): a back edge is a
/// cycle. Also measures the longest chain of nested teams (active or not).
fn team_cycles(p: &Policy) -> Result {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done(u32),
    }
    let limit = p.limits().get_depth();
    let name = |t: usize| p.teams.get_index(t).map_or("", |(k, _)| k.as_str());
    let children = |t: usize| {
        p.teams
            .get_index(t)
            .map_or(&[][..], |(_, team)| &team.teams[..])
    };
    let mut marks = vec![Mark::New; p.teams.len()];
    for root in 0..p.teams.len() {
        if marks.get(root) != Some(&Mark::New) {
            continue;
        }
        // (team, next child position, deepest child so far)
        let mut stack = vec![(root, 0usize, 0u32)];
        if let Some(m) = marks.get_mut(root) {
            *m = Mark::Open;
        }
        while let Some(&mut (team, ref mut next, ref mut deepest)) = stack.last_mut() {
            let kids = children(team);
            if let Some(child_name) = kids.get(*next) {
                *next += 1;
                let Some(child) = p.teams.get_index_of(child_name) else {
                    continue;
                };
                match marks.get(child).copied() {
                    Some(Mark::Open) => {
                        let name = name(team);
                        return Err(PolicyError::new(
                            ErrorCode::TeamCycle,
                            format!("teams.{name}.teams"),
                            format!("team `{child_name}` contains itself through `{name}`"),
                        ));
                    }
                    Some(Mark::New) => {
                        if let Some(m) = marks.get_mut(child) {
                            *m = Mark::Open;
                        }
                        stack.push((child, 0, 0));
                    }
                    Some(Mark::Done(d)) => *deepest = (*deepest).max(d),
                    None => {}
                }
            } else {
                let depth = deepest.saturating_add(1);
                if depth as usize > limit {
                    let name = name(team);
                    return Err(PolicyError::new(
                        ErrorCode::LimitExceeded,
                        format!("teams.{name}.teams"),
                        format!(
                            "team `{name}` nests teams {depth} levels deep; the limit is {limit}"
                        ),
                    ));
                }
                if let Some(m) = marks.get_mut(team) {
                    *m = Mark::Done(depth);
                }
                stack.pop();
                if let Some(parent) = stack.last_mut() {
                    parent.2 = parent.2.max(depth);
                }
            }
        }
    }
    Ok(())
}

/// Where an id sits in one of the policy's maps.
trait Positions {
    fn position(&self, id: &str) -> Option<usize>;
}

impl<V> Positions for IndexMap<String, V> {
    fn position(&self, id: &str) -> Option<usize> {
        self.get_index_of(id)
    }
}

/// Positions of ids by name, in a table of its own.
struct NameIndex<'a>(foldhash::HashMap<&'a str, u32>);

impl<'a> NameIndex<'a> {
    fn of(keys: impl ExactSizeIterator<Item = &'a String>) -> NameIndex<'a> {
        let mut map = foldhash::HashMap::default();
        map.reserve(keys.len());
        map.extend(keys.enumerate().map(|(i, k)| (k.as_str(), i as u32)));
        NameIndex(map)
    }
}

impl Positions for NameIndex<'_> {
    fn position(&self, id: &str) -> Option<usize> {
        self.0.get(id).map(|&i| i as usize)
    }
}
