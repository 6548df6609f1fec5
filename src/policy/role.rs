//! Roles: named positions, optionally in a hierarchy.

use serde::{Deserialize, Serialize};

/// A named position holding one or more profiles; `parent` places it in the hierarchy.
///
/// ```
/// use permatrix::policy::Role;
/// let rep = Role { parent: Some("manager".into()), profiles: vec!["sales".into()], ..Role::default() };
/// assert_eq!(rep.profiles.len(), 1);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The superior role; none for a top-level or flat role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// The profiles whose union the role grants (at least one).
    #[serde(default)]
    pub profiles: Vec<String>,
}
