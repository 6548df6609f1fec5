//! Roles and profiles ([administration](crate::doc::semantics#administration)).

use super::audit::{AuditEvent, TransferTarget};
use super::change::{Admin, Item, Outcome, check_new_id, refuse};
use crate::authorizer::entry::areas::{PROFILES, ROLES};
use crate::error::{ErrorCode, PolicyError};
use crate::policy::{Access, Action, ModuleGrant, Policy, Principal, Profile, Role, Scope};

fn exists<V>(
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

/// How a new profile starts ([administration](crate::doc::semantics#administration)).
///
/// ```
/// use permatrix::ProfileTemplate;
/// assert_ne!(ProfileTemplate::Empty, ProfileTemplate::AllowAll);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProfileTemplate {
    /// Everything denied.
    Empty,
    /// Every module `on`, every scope `all`, every tool on (CRM+ "eigenes Profil erzeugen").
    AllowAll,
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
    /// `invalid_transfer` when `transfer_to` is the role itself or lies in its subtree;
    /// `unknown_reference`; `not_permitted`.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let mut p = Policy::from_json(r#"{"version":1,"profiles":{"p":{}},
    ///   "roles":{"top":{"profiles":["p"]},"mid":{"parent":"top","profiles":["p"]},"low":{"parent":"mid","profiles":["p"]}},
    ///   "users":{"root":{"admin":"admin"},"u":{"roles":["mid"]}}}"#)?;
    /// p.admin("root").delete_role("mid", "top")?;
    /// assert_eq!(p.roles["low"].parent.as_deref(), Some("top"));
    /// assert_eq!(p.users["u"].roles, vec!["top".to_string()]);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn delete_role(&mut self, id: &str, transfer_to: &str) -> Result<AuditEvent, PolicyError> {
        self.apply(ROLES, "role.delete", Item::Role(id.to_string()), |p| {
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

    /// Creates a profile, empty or from the "allow all" template.
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `duplicate_key`; `not_permitted`.
    ///
    /// ```
    /// use permatrix::{Access, Policy, ProfileTemplate};
    /// let mut p = Policy::from_json(r#"{"version":1,"modules":{"m":{"tools":["pdf"]}},"users":{"root":{"admin":"admin"}}}"#)?;
    /// p.admin("root").create_profile("all", ProfileTemplate::AllowAll)?;
    /// assert_eq!(p.profiles["all"].modules["m"].access, Access::On);
    /// assert_eq!(p.profiles["all"].modules["m"].tools["pdf"], true);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn create_profile(
        &mut self,
        id: &str,
        template: ProfileTemplate,
    ) -> Result<AuditEvent, PolicyError> {
        self.apply(
            PROFILES,
            "profile.create",
            Item::Profile(id.to_string()),
            |p| {
                check_new_id(&p.profiles, "profiles", id)?;
                let mut profile = Profile::default();
                if template == ProfileTemplate::AllowAll {
                    for (module_id, module) in &p.modules {
                        profile.modules.insert(module_id.clone(), allow_all(module));
                    }
                }
                p.profiles.insert(id.to_string(), profile);
                Ok(Outcome::default())
            },
        )
    }

    /// Copies a profile with everything it allows and denies.
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `duplicate_key`; `unknown_reference`; `not_permitted`.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let mut p = Policy::from_json(r#"{"version":1,"profiles":{"sales":{"view_all":true}},"users":{"root":{"admin":"admin"}}}"#)?;
    /// p.admin("root").copy_profile("sales", "sales_2")?;
    /// assert!(p.profiles["sales_2"].view_all);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn copy_profile(&mut self, source: &str, new_id: &str) -> Result<AuditEvent, PolicyError> {
        self.apply(
            PROFILES,
            "profile.copy",
            Item::Profile(new_id.to_string()),
            |p| {
                exists(&p.profiles, "profiles", source)?;
                check_new_id(&p.profiles, "profiles", new_id)?;
                let copy = p.profiles.get(source).cloned().unwrap_or_default();
                p.profiles.insert(new_id.to_string(), copy);
                Ok(Outcome::default())
            },
        )
    }

    /// Deletes a profile; `replacement` takes its place in every role and as every team
    /// ceiling (CRM+ 8.1.5.3).
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `invalid_transfer` when `replacement` is the profile itself; `unknown_reference`;
    /// `not_permitted`.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let mut p = Policy::from_json(r#"{"version":1,"profiles":{"old":{},"new":{}},
    ///   "roles":{"r":{"profiles":["old","new"]}},"users":{"root":{"admin":"admin"}}}"#)?;
    /// p.admin("root").delete_profile("old", "new")?;
    /// assert_eq!(p.roles["r"].profiles, vec!["new".to_string()]);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn delete_profile(
        &mut self,
        id: &str,
        replacement: &str,
    ) -> Result<AuditEvent, PolicyError> {
        self.apply(
            PROFILES,
            "profile.delete",
            Item::Profile(id.to_string()),
            |p| {
                exists(&p.profiles, "profiles", id)?;
                exists(&p.profiles, "profiles", replacement)?;
                if id == replacement {
                    return Err(refuse(
                        ErrorCode::InvalidTransfer,
                        format!("profiles.{replacement}"),
                        "a profile cannot replace itself",
                    ));
                }
                p.profiles.shift_remove(id);
                for role in p.roles.values_mut() {
                    for profile in &mut role.profiles {
                        if profile == id {
                            *profile = replacement.to_string();
                        }
                    }
                    dedup(&mut role.profiles);
                }
                for team in p.teams.values_mut() {
                    if team.ceiling.as_deref() == Some(id) {
                        team.ceiling = Some(replacement.to_string());
                    }
                }
                Ok(Outcome {
                    transfer: Some(TransferTarget::Profile(replacement.to_string())),
                })
            },
        )
    }

    /// Changes a profile with `edit`.
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// Any validation error of the result; `not_permitted`.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let mut p = Policy::from_json(r#"{"version":1,"profiles":{"p":{}},"users":{"root":{"admin":"admin"}}}"#)?;
    /// p.admin("root").update_profile("p", |pr| pr.view_all = true)?;
    /// assert!(p.profiles["p"].view_all);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn update_profile(
        &mut self,
        id: &str,
        edit: impl FnOnce(&mut Profile),
    ) -> Result<AuditEvent, PolicyError> {
        self.apply(
            PROFILES,
            "profile.update",
            Item::Profile(id.to_string()),
            |p| {
                exists(&p.profiles, "profiles", id)?;
                if let Some(profile) = p.profiles.get_mut(id) {
                    edit(profile);
                }
                Ok(Outcome::default())
            },
        )
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

fn dedup(list: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    list.retain(|x| seen.insert(x.clone()));
}

/// Full access to a module: `on`, every action `all`, every tool on.
pub(crate) fn allow_all(module: &crate::policy::Module) -> ModuleGrant {
    ModuleGrant {
        access: Access::On,
        actions: Action::ALL.iter().map(|a| (*a, Scope::All)).collect(),
        fields: Default::default(),
        tools: module.tools.iter().map(|t| (t.clone(), true)).collect(),
    }
}
