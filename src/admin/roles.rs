//! Roles ([administration](crate::doc::semantics#administration)): add, move, delete.

use super::audit::{AuditEvent, TransferTarget};
use super::change::{Admin, Item, Outcome, check_new_id, refuse};
use crate::authorizer::areas::ROLES;
use crate::error::{ErrorCode, PolicyError};
use crate::policy::{Policy, Principal, Role};

pub(super) fn exists<V>(
    map: &indexmap::IndexMap<String, V>,
    section: &str,
    id: &str,
) -> Result<(), PolicyError> {
    if map.contains_key(id) {
        Ok(())
    } else {
        Err(refuse(
            ErrorCode::UnknownReference,
            format!("{section}.{id}"),
            format!("no {section} entry `{id}`"),
        ))
    }
}

pub(super) fn add_role(
    admin: &mut Admin<'_>,
    id: &str,
    parent: Option<&str>,
    profiles: &[&str],
) -> Result<AuditEvent, PolicyError> {
    admin.apply(ROLES, "role.add", Item::Role(id.to_string()), |p| {
        check_new_id(&p.roles, "roles", id)?;
        let role = Role {
            name: None,
            parent: parent.map(str::to_string),
            profiles: profiles.iter().map(|s| s.to_string()).collect(),
        };
        p.roles.insert(id.to_string(), role);
        Ok(Outcome::default())
    })
}

pub(super) fn move_role(
    admin: &mut Admin<'_>,
    id: &str,
    parent: Option<&str>,
) -> Result<AuditEvent, PolicyError> {
    admin.apply(ROLES, "role.move", Item::Role(id.to_string()), |p| {
        exists(&p.roles, "roles", id)?;
        if let Some(role) = p.roles.get_mut(id) {
            role.parent = parent.map(str::to_string);
        }
        Ok(Outcome::default())
    })
}

pub(super) fn delete_role(
    admin: &mut Admin<'_>,
    id: &str,
    transfer_to: TransferTarget,
) -> Result<AuditEvent, PolicyError> {
    admin.apply(ROLES, "role.delete", Item::Role(id.to_string()), |p| {
        let transfer_to = transfer_to.named("role")?;
        exists(&p.roles, "roles", id)?;
        exists(&p.roles, "roles", transfer_to)?;
        if in_subtree(p, transfer_to, id) {
            return Err(refuse(
                ErrorCode::InvalidTransfer,
                format!("roles.{transfer_to}"),
                format!("`{transfer_to}` is `{id}` or below it, so it cannot take over its users"),
            ));
        }
        let parent = p.roles.get(id).and_then(|r| r.parent.clone());
        p.roles.shift_remove(id);
        let swap = |r: &mut String| {
            if r == id {
                *r = transfer_to.to_string();
            }
        };
        for role in p.roles.values_mut() {
            if role.parent.as_deref() == Some(id) {
                role.parent = parent.clone();
            }
        }
        for user in p.users.values_mut() {
            user.roles.iter_mut().for_each(swap);
            dedup(&mut user.roles);
        }
        for team in p.teams.values_mut() {
            team.roles.iter_mut().for_each(swap);
            team.roles_and_subordinates.iter_mut().for_each(swap);
            dedup(&mut team.roles);
            dedup(&mut team.roles_and_subordinates);
            if let Some(r) = team.role.as_mut() {
                swap(r);
            }
        }
        if let Some(r) = p.settings.default_role.as_mut() {
            swap(r);
        }
        for rule in &mut p.sharing_rules {
            for principal in [&mut rule.from, &mut rule.to] {
                if let Principal::Role(r) | Principal::RoleAndSubordinates(r) = principal {
                    swap(r);
                }
            }
        }
        for share in &mut p.calendar_shares {
            if let Principal::Role(r) | Principal::RoleAndSubordinates(r) = &mut share.to {
                swap(r);
            }
        }
        for module in p.modules.values_mut() {
            for field in module.fields.values_mut() {
                for value in field.picklist.iter_mut().flat_map(|l| l.values.iter_mut()) {
                    value.roles.iter_mut().for_each(swap);
                    dedup(&mut value.roles);
                }
            }
        }
        Ok(Outcome {
            transfer: Some(TransferTarget::Role(transfer_to.to_string())),
        })
    })
}

/// `role` is `top` or lies below it.
fn in_subtree(p: &Policy, role: &str, top: &str) -> bool {
    let mut current = Some(role.to_string());
    for _ in 0..=p.roles.len() {
        match current {
            Some(r) if r == top => return true,
            Some(r) => current = p.roles.get(&r).and_then(|x| x.parent.clone()),
            None => return false,
        }
    }
    false
}

pub(super) fn dedup(list: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    list.retain(|x| seen.insert(x.clone()));
}
