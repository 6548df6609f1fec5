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

impl Admin<'_> {
    /// Adds a role under `parent` (or at the top), holding `profiles` (at least one).
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `duplicate_key`, `role_without_profile`, `unknown_reference`, `not_permitted`.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let mut p = Policy::from_json(r#"{"version":1,"profiles":{"p":{}},"roles":{"boss":{"profiles":["p"]}},
    ///   "users":{"root":{"admin":"admin"}}}"#)?;
    /// p.admin("root").add_role("rep", Some("boss"), &["p"])?;
    /// assert_eq!(p.roles["rep"].parent.as_deref(), Some("boss"));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn add_role(
        &mut self,
        id: &str,
        parent: Option<&str>,
        profiles: &[&str],
    ) -> Result<AuditEvent, PolicyError> {
        self.apply(ROLES, "role.add", Item::Role(id.to_string()), |p| {
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

    /// Moves a role under another parent (or to the top).
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `role_cycle` when `parent` lies inside the role's own subtree; `unknown_reference`;
    /// `not_permitted`.
    ///
    /// ```
    /// use permatrix::{ErrorCode, Policy};
    /// let mut p = Policy::from_json(r#"{"version":1,"profiles":{"p":{}},
    ///   "roles":{"a":{"profiles":["p"]},"b":{"parent":"a","profiles":["p"]}},"users":{"root":{"admin":"admin"}}}"#)?;
    /// assert_eq!(p.admin("root").move_role("a", Some("b")).unwrap_err().code(), ErrorCode::RoleCycle);
    /// p.admin("root").move_role("b", None)?;
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn move_role(&mut self, id: &str, parent: Option<&str>) -> Result<AuditEvent, PolicyError> {
        self.apply(ROLES, "role.move", Item::Role(id.to_string()), |p| {
            exists(&p.roles, "roles", id)?;
            if let Some(role) = p.roles.get_mut(id) {
                role.parent = parent.map(str::to_string);
            }
            Ok(Outcome::default())
        })
    }

    /// Deletes a role: its users, team entries, rules and picklist bindings pass to
    /// `transfer_to`, and its child roles move up to its parent (CRM+ 8.1.6.5).
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `invalid_transfer` when `transfer_to` is no role, or is the role itself or lies in
    /// its subtree; `unknown_reference`; `not_permitted`.
    ///
    /// ```
    /// use permatrix::{Policy, admin::TransferTarget};
    /// let mut p = Policy::from_json(r#"{"version":1,"profiles":{"p":{}},
    ///   "roles":{"top":{"profiles":["p"]},"mid":{"parent":"top","profiles":["p"]},"low":{"parent":"mid","profiles":["p"]}},
    ///   "users":{"root":{"admin":"admin"},"u":{"roles":["mid"]}}}"#)?;
    /// p.admin("root").delete_role("mid", TransferTarget::role("top"))?;
    /// assert_eq!(p.roles["low"].parent.as_deref(), Some("top"));
    /// assert_eq!(p.users["u"].roles, vec!["top".to_string()]);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn delete_role(
        &mut self,
        id: &str,
        transfer_to: TransferTarget,
    ) -> Result<AuditEvent, PolicyError> {
        self.apply(ROLES, "role.delete", Item::Role(id.to_string()), |p| {
            let transfer_to = transfer_to.named("role")?;
            exists(&p.roles, "roles", id)?;
            exists(&p.roles, "roles", transfer_to)?;
            if in_subtree(p, transfer_to, id) {
                return Err(refuse(
                    ErrorCode::InvalidTransfer,
                    format!("roles.{transfer_to}"),
                    format!(
                        "`{transfer_to}` is `{id}` or below it, so it cannot take over its users"
                    ),
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
