//! Administration areas and who may enter them ([administration](crate::doc::semantics#administration), admin levels).

use crate::checks::Authorizer;
use crate::ids::{ModuleId, UserId};
use crate::policy::{Access, AdminLevel, Settings};

/// Area names used by the policy mutations of this crate. Areas are host-defined strings;
/// these are the ones the crate's own operations belong to, and the ones [administration](crate::doc::semantics#administration) names.
///
/// ```
/// use permatrix::authorizer::areas;
/// assert_eq!(areas::USERS, "users");
/// ```
pub mod areas {
    /// Users: invite, activate, deactivate, rename, copy, delete.
    pub const USERS: &str = "users";
    /// Roles: add, move, delete.
    pub const ROLES: &str = "roles";
    /// Profiles: create, copy, delete.
    pub const PROFILES: &str = "profiles";
    /// Teams: add, copy, members, deactivate, delete.
    pub const TEAMS: &str = "teams";
    /// Sharing rules.
    pub const SHARING_RULES: &str = "sharing_rules";
    /// Organisation-wide settings.
    pub const SETTINGS: &str = "settings";
    /// Adding modules and tools (CRM+ "Modulmanager").
    pub const MODULE_MANAGER: &str = "module_manager";
    /// A module's own settings, such as its organisation-wide default.
    pub const MODULE_SETTINGS: &str = "module_settings";
    /// Event configuration (denied to `customer_admin` by default).
    pub const EVENTS: &str = "events";
    /// The layout editor of one module: a superuser only where their own access is `on`.
    pub const LAYOUT_EDITOR: &str = "layout_editor";
}

/// Whether `level` may administer `area` under `settings`, ignoring the per-module rule of
/// the layout editor ([administration](crate::doc::semantics#administration)).
pub(crate) fn level_may_enter(settings: &Settings, level: AdminLevel, area: &str) -> bool {
    let denied = &settings.admin_areas;
    match level {
        AdminLevel::Admin => true,
        AdminLevel::CustomerAdmin => !denied.customer_admin_denied.iter().any(|a| a == area),
        AdminLevel::Superuser => {
            !denied.customer_admin_denied.iter().any(|a| a == area)
                && !denied.superuser_denied.iter().any(|a| a == area)
        }
        AdminLevel::None => false,
    }
}

pub(crate) fn can_admin(
    auth: &Authorizer,
    user: UserId,
    area: &str,
    module: Option<ModuleId>,
) -> bool {
    let Ok(facts) = auth.user_facts(user) else {
        return false;
    };
    // a module id this authorizer did not issue denies, as every unknown id does
    if !auth.is_active(user) || module.is_some_and(|m| auth.module_slot(m).is_none()) {
        return false;
    }
    let settings = &auth.inner.policy.settings;
    if !level_may_enter(settings, facts.level, area) {
        return false;
    }
    if facts.level == AdminLevel::Superuser && area == areas::LAYOUT_EDITOR {
        return module.is_some_and(|m| auth.module_access(user, m) == Ok(Access::On));
    }
    true
}
