//! Validation of a policy (SPEC §2): every reference resolves, hierarchies are forests,
//! and the few structural rules hold. The first problem found is reported with its path.

use indexmap::IndexMap;

use super::{CalendarOwner, FieldAccess, Module, ModuleGrant, Override, Policy, Principal};
use crate::error::{ErrorCode, PolicyError};

type Result<T = ()> = std::result::Result<T, PolicyError>;

pub(crate) fn validate(p: &Policy) -> Result {
    ids_non_empty(p)?;
    if let Some(role) = &p.settings.default_role {
        exists(&p.roles, role, "settings.default_role", "role")?;
    }
    for (id, module) in &p.modules {
        for (field, def) in &module.fields {
            if let Some(list) = &def.picklist {
                for (i, value) in list.values.iter().enumerate() {
                    for (j, role) in value.roles.iter().enumerate() {
                        let path =
                            format!("modules.{id}.fields.{field}.picklist.values[{i}].roles[{j}]");
                        exists(&p.roles, role, &path, "role")?;
                    }
                }
            }
        }
    }
    for (id, profile) in &p.profiles {
        if profile.edit_all && !profile.view_all {
            return Err(PolicyError::new(
                ErrorCode::EditAllRequiresViewAll,
                format!("profiles.{id}.edit_all"),
                format!("profile `{id}` sets `edit_all` without `view_all`"),
            ));
        }
        for (module_id, grant) in &profile.modules {
            let path = format!("profiles.{id}.modules.{module_id}");
            let module = exists(&p.modules, module_id, &path, "module")?;
            grant_refs(module, module_id, grant, &path)?;
        }
    }
    for (id, role) in &p.roles {
        if let Some(parent) = &role.parent {
            exists(&p.roles, parent, &format!("roles.{id}.parent"), "role")?;
        }
        if role.profiles.is_empty() {
            return Err(PolicyError::new(
                ErrorCode::RoleWithoutProfile,
                format!("roles.{id}.profiles"),
                format!("role `{id}` has no profile; every role needs at least one"),
            ));
        }
        for (i, profile) in role.profiles.iter().enumerate() {
            exists(
                &p.profiles,
                profile,
                &format!("roles.{id}.profiles[{i}]"),
                "profile",
            )?;
        }
    }
    role_cycles(p)?;
    for (id, team) in &p.teams {
        let base = format!("teams.{id}");
        list_refs(&p.users, &team.users, &format!("{base}.users"), "user")?;
        list_refs(&p.teams, &team.teams, &format!("{base}.teams"), "team")?;
        list_refs(&p.roles, &team.roles, &format!("{base}.roles"), "role")?;
        let path = format!("{base}.roles_and_subordinates");
        list_refs(&p.roles, &team.roles_and_subordinates, &path, "role")?;
        if let Some(role) = &team.role {
            exists(&p.roles, role, &format!("{base}.role"), "role")?;
        }
        if let Some(ceiling) = &team.ceiling {
            exists(&p.profiles, ceiling, &format!("{base}.ceiling"), "profile")?;
        }
        for user in team.calendar_rights.keys() {
            exists(
                &p.users,
                user,
                &format!("{base}.calendar_rights.{user}"),
                "user",
            )?;
        }
    }
    team_cycles(p)?;
    for (id, user) in &p.users {
        list_refs(&p.roles, &user.roles, &format!("users.{id}.roles"), "role")?;
        for (module_id, ov) in &user.overrides {
            let path = format!("users.{id}.overrides.{module_id}");
            let module = exists(&p.modules, module_id, &path, "module")?;
            override_refs(module, module_id, ov, &path)?;
        }
    }
    for (i, rule) in p.sharing_rules.iter().enumerate() {
        let base = format!("sharing_rules[{i}]");
        exists(
            &p.modules,
            &rule.module,
            &format!("{base}.module"),
            "module",
        )?;
        principal(p, &rule.from, &format!("{base}.from"))?;
        principal(p, &rule.to, &format!("{base}.to"))?;
    }
    for (i, share) in p.calendar_shares.iter().enumerate() {
        let base = format!("calendar_shares[{i}]");
        match &share.owner {
            CalendarOwner::User(u) => {
                exists(&p.users, u, &format!("{base}.owner.user"), "user").map(drop)?
            }
            CalendarOwner::Team(t) => {
                exists(&p.teams, t, &format!("{base}.owner.team"), "team").map(drop)?
            }
        };
        principal(p, &share.to, &format!("{base}.to"))?;
    }
    Ok(())
}

fn ids_non_empty(p: &Policy) -> Result {
    let maps: [(&str, Vec<&String>); 5] = [
        ("modules", p.modules.keys().collect()),
        ("profiles", p.profiles.keys().collect()),
        ("roles", p.roles.keys().collect()),
        ("teams", p.teams.keys().collect()),
        ("users", p.users.keys().collect()),
    ];
    for (section, keys) in maps {
        if keys.iter().any(|k| k.is_empty()) {
            return Err(PolicyError::new(
                ErrorCode::Malformed,
                section,
                format!("`{section}` has an empty id; ids are non-empty strings"),
            ));
        }
    }
    for (id, module) in &p.modules {
        for (what, mut names) in [
            (
                "fields",
                Box::new(module.fields.keys()) as Box<dyn Iterator<Item = &String>>,
            ),
            ("tools", Box::new(module.tools.iter())),
        ] {
            if names.any(String::is_empty) {
                return Err(PolicyError::new(
                    ErrorCode::Malformed,
                    format!("modules.{id}.{what}"),
                    format!("module `{id}` has an empty {what} name; names are non-empty strings"),
                ));
            }
        }
    }
    Ok(())
}

fn exists<'a, V>(map: &'a IndexMap<String, V>, id: &str, path: &str, what: &str) -> Result<&'a V> {
    map.get(id).ok_or_else(|| {
        PolicyError::new(
            ErrorCode::UnknownReference,
            path,
            format!("no {what} `{id}`"),
        )
    })
}

fn list_refs<V>(map: &IndexMap<String, V>, ids: &[String], path: &str, what: &str) -> Result {
    for (i, id) in ids.iter().enumerate() {
        exists(map, id, &format!("{path}[{i}]"), what)?;
    }
    Ok(())
}

fn principal(p: &Policy, principal: &Principal, path: &str) -> Result {
    match principal {
        Principal::User(u) => exists(&p.users, u, &format!("{path}.user"), "user").map(drop),
        Principal::Team(t) => exists(&p.teams, t, &format!("{path}.team"), "team").map(drop),
        Principal::Role(r) => exists(&p.roles, r, &format!("{path}.role"), "role").map(drop),
        Principal::RoleAndSubordinates(r) => exists(
            &p.roles,
            r,
            &format!("{path}.role_and_subordinates"),
            "role",
        )
        .map(drop),
    }
}

fn grant_refs(module: &Module, module_id: &str, grant: &ModuleGrant, path: &str) -> Result {
    fields_and_tools(module, module_id, &grant.fields, grant.tools.keys(), path)
}

fn override_refs(module: &Module, module_id: &str, ov: &Override, path: &str) -> Result {
    fields_and_tools(module, module_id, &ov.fields, ov.tools.keys(), path)
}

fn fields_and_tools<'a>(
    module: &Module,
    module_id: &str,
    fields: &IndexMap<String, FieldAccess>,
    tools: impl Iterator<Item = &'a String>,
    path: &str,
) -> Result {
    for (field, access) in fields {
        let field_path = format!("{path}.fields.{field}");
        let Some(def) = module.fields.get(field) else {
            return Err(PolicyError::new(
                ErrorCode::UnknownReference,
                field_path,
                format!("module `{module_id}` declares no field `{field}`"),
            ));
        };
        if def.mandatory && *access != FieldAccess::ReadWrite {
            return Err(PolicyError::new(
                ErrorCode::MandatoryFieldRestricted,
                field_path,
                format!("field `{field}` of `{module_id}` is mandatory and cannot be `{access}`"),
            ));
        }
    }
    for tool in tools {
        if !module.tools.contains(tool) {
            return Err(PolicyError::new(
                ErrorCode::UnknownReference,
                format!("{path}.tools.{tool}"),
                format!("module `{module_id}` declares no tool `{tool}`"),
            ));
        }
    }
    Ok(())
}

/// Follows each role's parents; a chain longer than the number of roles is a cycle.
fn role_cycles(p: &Policy) -> Result {
    for (start, _) in &p.roles {
        let mut current = start.as_str();
        let mut steps = 0;
        while let Some(parent) = p.roles.get(current).and_then(|r| r.parent.as_deref()) {
            if parent == start {
                return Err(PolicyError::new(
                    ErrorCode::RoleCycle,
                    format!("roles.{start}.parent"),
                    format!("role `{start}` is its own ancestor"),
                ));
            }
            steps += 1;
            if steps > p.roles.len() {
                break; // a cycle further up, reported from one of its own roles
            }
            current = parent;
        }
    }
    Ok(())
}

/// Depth-first search over nested teams; a back edge is a cycle.
fn team_cycles(p: &Policy) -> Result {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let mut marks = vec![Mark::New; p.teams.len()];
    for root in 0..p.teams.len() {
        if marks[root] != Mark::New {
            continue;
        }
        // (team, next child position)
        let mut stack = vec![(root, 0usize)];
        marks[root] = Mark::Open;
        while let Some(&mut (team, ref mut next)) = stack.last_mut() {
            let children = &p.teams[team].teams;
            if *next < children.len() {
                let child_name = &children[*next];
                *next += 1;
                let Some(child) = p.teams.get_index_of(child_name) else {
                    continue;
                };
                match marks[child] {
                    Mark::Open => {
                        let name = p
                            .teams
                            .get_index(team)
                            .map(|(k, _)| k.as_str())
                            .unwrap_or("");
                        return Err(PolicyError::new(
                            ErrorCode::TeamCycle,
                            format!("teams.{name}.teams"),
                            format!("team `{child_name}` contains itself through `{name}`"),
                        ));
                    }
                    Mark::New => {
                        marks[child] = Mark::Open;
                        stack.push((child, 0));
                    }
                    Mark::Done => {}
                }
            } else {
                marks[team] = Mark::Done;
                stack.pop();
            }
        }
    }
    Ok(())
}
