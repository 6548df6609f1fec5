//! Teams (groups): sets of users that records link to and that may confer a role.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::serde_util::{is_default, is_true, yes};
use super::{AdminLevel, HostKey, unique};

/// A set of users. Members are the direct users, the members of nested *active* teams and
/// the users matched by role entries. An inactive team has no members for any purpose.
///
/// ```
/// use permatrix::policy::Team;
/// let north = Team { users: vec!["alice".into()], role: Some("sales".into()), ..Team::default() };
/// assert!(north.active);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Team {
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The host application's own key for this team, unique among teams.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<HostKey>,
    /// Direct members.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "schema", schemars(extend("uniqueItems" = true)))]
    pub users: Vec<String>,
    /// Nested teams whose members are members here too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "schema", schemars(extend("uniqueItems" = true)))]
    pub teams: Vec<String>,
    /// Every user whose direct roles include one of these is a member.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "schema", schemars(extend("uniqueItems" = true)))]
    pub roles: Vec<String>,
    /// Every user with a direct role in one of these roles' subtrees is a member.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "schema", schemars(extend("uniqueItems" = true)))]
    pub roles_and_subordinates: Vec<String>,
    /// Role conferred on every member.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Inactive teams have no members.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub active: bool,
    /// Second factors required of members at sign-in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub factors: Vec<String>,
    /// Admin level conferred on every member.
    #[serde(default, skip_serializing_if = "is_default")]
    pub admin: AdminLevel,
    /// Maximum search results for members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_limit: Option<u64>,
    /// Profile bounding what this team's role confers (Salesware's permission structure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ceiling: Option<String>,
    /// The team has a group calendar ([calendars, picklists and seats](crate::doc::semantics#calendars-picklists-and-seats)).
    #[serde(default, skip_serializing_if = "is_default")]
    pub calendar: bool,
    /// Members' rights on the group calendar.
    #[serde(
        default,
        deserialize_with = "unique::map",
        skip_serializing_if = "IndexMap::is_empty"
    )]
    pub calendar_rights: IndexMap<String, CalendarRights>,
}

impl Default for Team {
    fn default() -> Self {
        Team {
            name: None,
            key: None,
            users: Vec::new(),
            teams: Vec::new(),
            roles: Vec::new(),
            roles_and_subordinates: Vec::new(),
            role: None,
            active: true,
            factors: Vec::new(),
            admin: AdminLevel::None,
            result_limit: None,
            ceiling: None,
            calendar: false,
            calendar_rights: IndexMap::new(),
        }
    }
}

/// A member's rights on a team calendar ([calendars, picklists and seats](crate::doc::semantics#calendars-picklists-and-seats)).
///
/// ```
/// use permatrix::policy::CalendarRights;
/// let r = CalendarRights { create_edit: true, delete: false };
/// assert!(r.create_edit);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CalendarRights {
    /// May create and edit entries.
    #[serde(default)]
    pub create_edit: bool,
    /// May delete entries.
    #[serde(default)]
    pub delete: bool,
}
