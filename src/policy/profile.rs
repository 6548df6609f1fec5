//! Profiles: reusable permission sets (CRM+ "Profil", 1CRM's role matrix).

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::serde_util::is_default;
use super::{Access, Action, FieldAccess, Scope, unique};

/// A reusable permission set: per module access, action scopes, field access and tools,
/// plus the profile-wide `view_all`, `edit_all` and `auto_allow_new_modules`.
///
/// Everything missing is denied: a module not listed is `off`, an action not listed is
/// `none`, a tool not listed is off. Fields not listed are `read_write` (within what the
/// module access allows).
///
/// ```
/// use permatrix::{Action, policy::{Access, ModuleGrant, Profile, Scope}};
/// let mut sales = Profile::default();
/// let mut accounts = ModuleGrant { access: Access::On, ..ModuleGrant::default() };
/// accounts.actions.insert(Action::View, Scope::Team);
/// sales.modules.insert("accounts".into(), accounts);
/// assert!(!sales.view_all);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What the profile grants on each module.
    #[serde(
        default,
        deserialize_with = "unique::map",
        skip_serializing_if = "IndexMap::is_empty"
    )]
    pub modules: IndexMap<String, ModuleGrant>,
    /// At least `read_only` on every module, and `view list` reach every record.
    #[serde(default, skip_serializing_if = "is_default")]
    pub view_all: bool,
    /// `on` for every module, and `view list edit` reach every record. Needs `view_all`.
    #[serde(default, skip_serializing_if = "is_default")]
    pub edit_all: bool,
    /// Modules added later are granted in full (`on`, every scope `all`, every tool).
    #[serde(default, skip_serializing_if = "is_default")]
    pub auto_allow_new_modules: bool,
}

/// What a profile grants on one module.
///
/// ```
/// use permatrix::policy::{Access, ModuleGrant};
/// let grant = ModuleGrant::default();
/// assert_eq!(grant.access, Access::Off);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ModuleGrant {
    /// `off`, `read_only` or `on`.
    #[serde(default, skip_serializing_if = "is_default")]
    pub access: Access,
    /// Scope of each action; a missing action is `none`.
    #[serde(
        default,
        deserialize_with = "unique::map",
        skip_serializing_if = "IndexMap::is_empty"
    )]
    pub actions: IndexMap<Action, Scope>,
    /// Field access; a missing field is `read_write`.
    #[serde(
        default,
        deserialize_with = "unique::map",
        skip_serializing_if = "IndexMap::is_empty"
    )]
    pub fields: IndexMap<String, FieldAccess>,
    /// Tools switched on or off; a missing tool is off.
    #[serde(
        default,
        deserialize_with = "unique::map",
        skip_serializing_if = "IndexMap::is_empty"
    )]
    pub tools: IndexMap<String, bool>,
}

/// A user's per-module override: each part that is present replaces the merged value
/// ([grant step 5](crate::doc::semantics#grants)). Only the named actions, fields and tools are replaced.
///
/// ```
/// use permatrix::policy::{Access, Override};
/// let o = Override { access: Some(Access::On), ..Override::default() };
/// assert!(o.actions.is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Override {
    /// Replaces the merged module access.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<Access>,
    /// Replaces the merged cell of each named action.
    #[serde(
        default,
        deserialize_with = "unique::map",
        skip_serializing_if = "IndexMap::is_empty"
    )]
    pub actions: IndexMap<Action, Scope>,
    /// Replaces the merged access of each named field.
    #[serde(
        default,
        deserialize_with = "unique::map",
        skip_serializing_if = "IndexMap::is_empty"
    )]
    pub fields: IndexMap<String, FieldAccess>,
    /// Replaces the merged state of each named tool.
    #[serde(
        default,
        deserialize_with = "unique::map",
        skip_serializing_if = "IndexMap::is_empty"
    )]
    pub tools: IndexMap<String, bool>,
}
