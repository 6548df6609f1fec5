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
#[cfg_attr(feature = "schema", schemars(transform = profiles_required))]
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
    #[cfg_attr(feature = "schema", schemars(length(min = 1), extend("uniqueItems" = true)))]
    pub profiles: Vec<String>,
}

/// The schema says what the reader requires: `profiles` is read as empty when it is left
/// out, so that the reader can name the mistake (`role_without_profile`), but a role
/// without a profile is refused either way.
#[cfg(feature = "schema")]
fn profiles_required(schema: &mut schemars::Schema) {
    schema.insert("required".into(), serde_json::json!(["profiles"]));
    if let Some(profiles) = schema
        .get_mut("properties")
        .and_then(|p| p.get_mut("profiles"))
        .and_then(|p| p.as_object_mut())
    {
        profiles.remove("default");
    }
}
