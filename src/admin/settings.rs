//! The organisation-wide settings ([administration](crate::doc::semantics#administration)).

use super::audit::AuditEvent;
use super::change::{Admin, Item, Outcome};
use crate::authorizer::areas::SETTINGS;
use crate::error::PolicyError;
use crate::policy::Settings;

pub(super) fn update_settings(
    admin: &mut Admin<'_>,
    edit: impl FnOnce(&mut Settings),
) -> Result<AuditEvent, PolicyError> {
    admin.apply(SETTINGS, "settings.update", Item::Settings, |p| {
        edit(&mut p.settings);
        Ok(Outcome::default())
    })
}
