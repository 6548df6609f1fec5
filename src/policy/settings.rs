//! Organisation-wide settings.

use serde::{Deserialize, Serialize};

use super::serde_util::{is_default, is_true, yes};
use super::{ExternalAccess, Merge, TeamInheritance, UserDeletion};

/// Organisation-wide settings; every key has the default [the policy model](crate::doc::document) gives.
///
/// ```
/// use permatrix::policy::{Merge, Settings};
/// let s = Settings::default();
/// assert_eq!(s.merge, Merge::Additive);
/// assert!(s.admin_bypass);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// How several roles' grants combine.
    #[serde(default, skip_serializing_if = "is_default")]
    pub merge: Merge,
    /// A role every user has implicitly (1CRM's Standard role).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_role: Option<String>,
    /// `admin` and `customer_admin` skip all data checks.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub admin_bypass: bool,
    /// Whether external users are capped to reading.
    #[serde(default, skip_serializing_if = "is_default")]
    pub external_access: ExternalAccess,
    /// No active team, no sign-in (Salesware).
    #[serde(default, skip_serializing_if = "is_default")]
    pub login_requires_active_team: bool,
    /// Second factors required of everyone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub system_factors: Vec<String>,
    /// Seats for billable users; none is unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licenses: Option<u64>,
    /// Where new records take their teams from.
    #[serde(
        default = "default_team_inheritance",
        skip_serializing_if = "is_default_team_inheritance"
    )]
    pub team_inheritance: Vec<TeamInheritance>,
    /// Whether users may be deleted.
    #[serde(default, skip_serializing_if = "is_default")]
    pub user_deletion: UserDeletion,
    /// Administration areas denied to the lower admin levels.
    #[serde(
        default,
        deserialize_with = "super::strict::object",
        skip_serializing_if = "is_default"
    )]
    pub admin_areas: AdminAreas,
    /// Concurrent administrator sessions; none is unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_admin_sessions: Option<u64>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            merge: Merge::Additive,
            default_role: None,
            admin_bypass: true,
            external_access: ExternalAccess::ReadOnly,
            login_requires_active_team: false,
            system_factors: Vec::new(),
            licenses: None,
            team_inheritance: default_team_inheritance(),
            user_deletion: UserDeletion::WithTransfer,
            admin_areas: AdminAreas::default(),
            max_admin_sessions: None,
        }
    }
}

fn default_team_inheritance() -> Vec<TeamInheritance> {
    vec![TeamInheritance::Creator]
}

fn is_default_team_inheritance(value: &[TeamInheritance]) -> bool {
    value == [TeamInheritance::Creator]
}

/// Administration areas denied to `customer_admin` and `superuser` ([administration](crate::doc::semantics#administration)).
///
/// ```
/// use permatrix::policy::AdminAreas;
/// let areas = AdminAreas::default();
/// assert_eq!(areas.customer_admin_denied, vec!["events".to_string()]);
/// assert!(areas.superuser_denied.iter().any(|a| a == "module_manager"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AdminAreas {
    /// Areas a `customer_admin` may not administer.
    #[serde(default = "default_customer_admin_denied")]
    pub customer_admin_denied: Vec<String>,
    /// Areas a `superuser` may not administer (on top of the customer-admin limits).
    #[serde(default = "default_superuser_denied")]
    pub superuser_denied: Vec<String>,
}

impl Default for AdminAreas {
    fn default() -> Self {
        AdminAreas {
            customer_admin_denied: default_customer_admin_denied(),
            superuser_denied: default_superuser_denied(),
        }
    }
}

fn default_customer_admin_denied() -> Vec<String> {
    vec!["events".to_string()]
}

fn default_superuser_denied() -> Vec<String> {
    [
        "module_manager",
        "module_settings",
        "email_scanner",
        "customer_portal",
        "cronjobs",
        "events",
        "crm_configurator",
        "wiki",
        "webforms",
        "ftp_backup",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

impl Settings {
    /// Whether `user` is held to reading: an external user under
    /// `external_access = read_only`. The one place compile, checks and explanations ask.
    pub(crate) fn caps_external(&self, user: &super::User) -> bool {
        user.kind == super::UserKind::External && self.external_access == ExternalAccess::ReadOnly
    }
}
