//! The organisation-wide settings ([administration](crate::doc::semantics#administration)).

use super::audit::AuditEvent;
use super::change::{Admin, Item, Outcome};
use crate::authorizer::areas::SETTINGS;
use crate::error::PolicyError;
use crate::policy::Settings;

impl Admin<'_> {
    /// Changes the organisation-wide settings with `edit`.
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// Any validation error; `license_limit` never (seats may shrink below the billable
    /// users: activation is what refuses); `not_permitted` (area `settings`).
    ///
    /// ```
    /// use permatrix::{Policy, policy::Merge};
    /// let mut p = Policy::from_json(r#"{"version":1,"users":{"root":{"admin":"admin"}}}"#)?;
    /// p.admin("root").update_settings(|s| s.merge = Merge::Subtractive)?;
    /// assert_eq!(p.settings.merge, Merge::Subtractive);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn update_settings(
        &mut self,
        edit: impl FnOnce(&mut Settings),
    ) -> Result<AuditEvent, PolicyError> {
        self.apply(SETTINGS, "settings.update", Item::Settings, |p| {
            edit(&mut p.settings);
            Ok(Outcome::default())
        })
    }
}
