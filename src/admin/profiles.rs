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

pub(super) fn add_profile(
    admin: &mut Admin<'_>,
    id: &str,
    template: ProfileTemplate,
) -> Result<AuditEvent, PolicyError> {
    admin.apply(
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

pub(super) fn copy_profile(
    admin: &mut Admin<'_>,
    source: &str,
    new_id: &str,
) -> Result<AuditEvent, PolicyError> {
    admin.apply(
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

pub(super) fn delete_profile(
    admin: &mut Admin<'_>,
    id: &str,
    replacement: TransferTarget,
) -> Result<AuditEvent, PolicyError> {
    admin.apply(
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

pub(super) fn update_profile(
    admin: &mut Admin<'_>,
    id: &str,
    edit: impl FnOnce(&mut Profile),
) -> Result<AuditEvent, PolicyError> {
    admin.apply(
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

/// Full access to a module: `on`, every action `all`, every tool on.
pub(crate) fn allow_all(module: &crate::policy::Module) -> ModuleGrant {
    ModuleGrant {
        access: Access::On,
        actions: Action::ALL.iter().map(|a| (*a, Scope::All)).collect(),
        fields: Default::default(),
        tools: module.tools.iter().map(|t| (t.clone(), true)).collect(),
    }
}
