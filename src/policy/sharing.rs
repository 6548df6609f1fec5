//! Sharing rules and the principals they name.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{CalendarLevel, ShareAccess};

/// A set of users named in a rule or share: written `{"user": "…"}`, `{"team": "…"}`,
/// `{"role": "…"}` or `{"role_and_subordinates": "…"}`.
///
/// ```
/// use permatrix::policy::Principal;
/// let p: Principal = serde_json::from_str(r#"{"team": "north"}"#).unwrap();
/// assert_eq!(p, Principal::Team("north".into()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Principal {
    /// One user.
    User(String),
    /// The members of a team (and, as a rule's `from`, records owned by the team itself).
    Team(String),
    /// The users whose direct roles include the role.
    Role(String),
    /// The users with a direct role in the role's subtree.
    RoleAndSubordinates(String),
}

impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Principal::User(id) => write!(f, "user `{id}`"),
            Principal::Team(id) => write!(f, "team `{id}`"),
            Principal::Role(id) => write!(f, "role `{id}`"),
            Principal::RoleAndSubordinates(id) => write!(f, "role `{id}` and subordinates"),
        }
    }
}

/// A custom sharing rule (CRM+ "Benutzerdefinierte Zugangsregel"): records of `module`
/// owned by `from` are shared with `to` at `access`.
///
/// ```
/// use permatrix::policy::{Principal, ShareAccess, SharingRule};
/// let rule = SharingRule {
///     module: "leads".into(),
///     from: Principal::Role("rep".into()),
///     to: Principal::Role("rep".into()),
///     access: ShareAccess::Read,
/// };
/// assert_eq!(rule.access, ShareAccess::Read);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SharingRule {
    /// The module whose records the rule shares.
    pub module: String,
    /// Whose records: matched by owner user, or by the team that owns the record.
    pub from: Principal,
    /// Who receives access.
    pub to: Principal,
    /// `read`, `read_write` or `full`.
    pub access: ShareAccess,
}

/// The owner of a calendar: a user or a team.
///
/// ```
/// use permatrix::policy::CalendarOwner;
/// let o: CalendarOwner = serde_json::from_str(r#"{"user": "alice"}"#).unwrap();
/// assert_eq!(o, CalendarOwner::User("alice".into()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum CalendarOwner {
    /// A user's calendar.
    User(String),
    /// A team's calendar.
    Team(String),
}

/// A calendar share ([calendars, picklists and seats](crate::doc::semantics#calendars-picklists-and-seats)).
///
/// ```
/// use permatrix::policy::{CalendarLevel, CalendarOwner, CalendarShare, Principal};
/// let s = CalendarShare {
///     owner: CalendarOwner::User("alice".into()),
///     to: Principal::User("bob".into()),
///     level: CalendarLevel::Titles,
/// };
/// assert_eq!(s.level, CalendarLevel::Titles);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CalendarShare {
    /// Whose calendar.
    pub owner: CalendarOwner,
    /// Who sees it.
    pub to: Principal,
    /// How much they see.
    pub level: CalendarLevel,
}
