//! Profiles ([administration](crate::doc::semantics#administration)): add, copy, delete,
//! update.

use super::audit::{AuditEvent, TransferTarget};
use super::change::{Admin, Item, Outcome, check_new_id, refuse};
use super::roles::{dedup, exists};
use crate::authorizer::areas::PROFILES;
use crate::error::{ErrorCode, PolicyError};
use crate::policy::{Access, Action, ModuleGrant, Profile, Scope};

/// How a new profile starts ([administration](crate::doc::semantics#administration)).
///
/// ```
/// use permatrix::admin::ProfileTemplate;
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
    /// Creates a profile, empty or from the "allow all" template.
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `duplicate_key`; `not_permitted`.
    ///
    /// ```
    /// use permatrix::{Policy, policy::Access, admin::ProfileTemplate};
    /// let mut p = Policy::from_json(r#"{"version":1,"modules":{"m":{"tools":["pdf"]}},"users":{"root":{"admin":"admin"}}}"#)?;
    /// p.admin("root").add_profile("all", ProfileTemplate::AllowAll)?;
    /// assert_eq!(p.profiles["all"].modules["m"].access, Access::On);
    /// assert_eq!(p.profiles["all"].modules["m"].tools["pdf"], true);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn add_profile(
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
    /// `invalid_transfer` when `replacement` is no profile, or the profile itself; `unknown_reference`;
    /// `not_permitted`.
    ///
    /// ```
    /// use permatrix::{Policy, admin::TransferTarget};
    /// let mut p = Policy::from_json(r#"{"version":1,"profiles":{"old":{},"new":{}},
    ///   "roles":{"r":{"profiles":["old","new"]}},"users":{"root":{"admin":"admin"}}}"#)?;
    /// p.admin("root").delete_profile("old", TransferTarget::profile("new"))?;
    /// assert_eq!(p.roles["r"].profiles, vec!["new".to_string()]);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn delete_profile(
        &mut self,
        id: &str,
        replacement: TransferTarget,
    ) -> Result<AuditEvent, PolicyError> {
        self.apply(
            PROFILES,
            "profile.delete",
            Item::Profile(id.to_string()),
            |p| {
                let replacement = replacement.named("profile")?;
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

/// Full access to a module: `on`, every action `all`, every tool on.
pub(crate) fn allow_all(module: &crate::policy::Module) -> ModuleGrant {
    ModuleGrant {
        access: Access::On,
        actions: Action::ALL.iter().map(|a| (*a, Scope::All)).collect(),
        fields: Default::default(),
        tools: module.tools.iter().map(|t| (t.clone(), true)).collect(),
    }
}
