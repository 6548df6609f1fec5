//! Users: the people (and system accounts) checks are made for.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::serde_util::is_default;
use super::{AdminLevel, HostKey, Override, Status, UserKind, unique};

/// A user, keyed in the policy by the immutable username.
///
/// ```
/// use permatrix::policy::{Status, User};
/// let bob = User { roles: vec!["sales".into()], ..User::default() };
/// assert_eq!(bob.status, Status::Active);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct User {
    /// Display name; may change, unlike the username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The host application's own key for this user, unique among users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<HostKey>,
    /// `invited`, `active` (the default) or `inactive`.
    #[serde(default, skip_serializing_if = "is_default")]
    pub status: Status,
    /// `internal` (the default), `external` or `system`.
    #[serde(default, skip_serializing_if = "is_default")]
    pub kind: UserKind,
    /// Direct roles (may be empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "schema", schemars(extend("uniqueItems" = true)))]
    pub roles: Vec<String>,
    /// The user's own admin level.
    #[serde(default, skip_serializing_if = "is_default")]
    pub admin: AdminLevel,
    /// The user's own second factors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub factors: Vec<String>,
    /// Per-module custom permissions, replacing what they name.
    #[serde(
        default,
        deserialize_with = "unique::map",
        skip_serializing_if = "IndexMap::is_empty"
    )]
    pub overrides: IndexMap<String, Override>,
}
