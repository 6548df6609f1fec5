//! Calendar shares, team calendars and picklists: changed like everything else, checked
//! against the actor's level and judged by what they do.

use super::audit::AuditEvent;
use super::change::{Admin, Item, Outcome, refuse};
use crate::authorizer::areas::{MODULE_SETTINGS, SHARING_RULES, TEAMS};
use crate::error::{ErrorCode, PolicyError};
use crate::policy::{CalendarRights, CalendarShare, Picklist};

pub(super) fn add_calendar_share(
    admin: &mut Admin<'_>,
    share: CalendarShare,
) -> Result<AuditEvent, PolicyError> {
    let index = admin.policy.calendar_shares.len();
    admin.apply(
        SHARING_RULES,
        "calendar_share.add",
        Item::CalendarShare(index),
        |p| {
            p.calendar_shares.push(share);
            Ok(Outcome::default())
        },
    )
}

pub(super) fn remove_calendar_share(
    admin: &mut Admin<'_>,
    index: usize,
) -> Result<AuditEvent, PolicyError> {
    admin.apply(
        SHARING_RULES,
        "calendar_share.remove",
        Item::CalendarShare(index),
        |p| {
            if index >= p.calendar_shares.len() {
                return Err(refuse(
                    ErrorCode::UnknownReference,
                    format!("calendar_shares[{index}]"),
                    "no such calendar share",
                ));
            }
            p.calendar_shares.remove(index);
            Ok(Outcome::default())
        },
    )
}

pub(super) fn set_team_calendar(
    admin: &mut Admin<'_>,
    team: &str,
    calendar: bool,
) -> Result<AuditEvent, PolicyError> {
    admin.apply(TEAMS, "team.calendar", Item::Team(team.to_string()), |p| {
        team_of(p, team)?.calendar = calendar;
        Ok(Outcome::default())
    })
}

pub(super) fn set_calendar_rights(
    admin: &mut Admin<'_>,
    team: &str,
    user: &str,
    rights: Option<CalendarRights>,
) -> Result<AuditEvent, PolicyError> {
    admin.apply(
        TEAMS,
        "team.calendar_rights",
        Item::Team(team.to_string()),
        |p| {
            let t = team_of(p, team)?;
            match rights {
                Some(r) => {
                    t.calendar_rights.insert(user.to_string(), r);
                }
                None => {
                    t.calendar_rights.shift_remove(user);
                }
            }
            Ok(Outcome::default())
        },
    )
}

pub(super) fn set_picklist(
    admin: &mut Admin<'_>,
    module: &str,
    field: &str,
    picklist: Option<Picklist>,
) -> Result<AuditEvent, PolicyError> {
    admin.apply(
        MODULE_SETTINGS,
        "module.picklist",
        Item::Module(module.to_string()),
        |p| {
            let def = p
                .modules
                .get_mut(module)
                .and_then(|m| m.fields.get_mut(field))
                .ok_or_else(|| {
                    refuse(
                        ErrorCode::UnknownReference,
                        format!("modules.{module}.fields.{field}"),
                        format!("no field `{field}` in module `{module}`"),
                    )
                })?;
            def.picklist = picklist;
            Ok(Outcome::default())
        },
    )
}

fn team_of<'p>(
    p: &'p mut crate::policy::Policy,
    team: &str,
) -> Result<&'p mut crate::policy::Team, PolicyError> {
    p.teams.get_mut(team).ok_or_else(|| {
        refuse(
            ErrorCode::UnknownReference,
            format!("teams.{team}"),
            format!("no team `{team}`"),
        )
    })
}
