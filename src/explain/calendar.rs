//! A calendar access in words: what decided it.

use std::fmt;

use crate::checks::Authorizer;
use crate::checks::record::Owner;
use crate::ids::UserId;

pub use crate::checks::calendar::{CalendarExplanation, CalendarReason};

impl fmt::Display for CalendarExplanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.level {
            Some(level) => write!(f, "{level}: ")?,
            None => write!(f, "no access: ")?,
        }
        match self.reason {
            CalendarReason::UnknownId => write!(f, "an id this authorizer did not issue"),
            CalendarReason::NotActive => write!(f, "the viewer is not active"),
            CalendarReason::AdminBypass => write!(f, "the viewer bypasses data checks"),
            CalendarReason::OwnCalendar => write!(f, "the viewer's own calendar"),
            CalendarReason::NoCalendar => write!(f, "the team keeps no calendar, or is inactive"),
            CalendarReason::TeamMember {
                create_edit,
                delete,
            } => {
                write!(f, "a member of the owning team")?;
                match (create_edit, delete) {
                    (true, true) => write!(f, " (create_edit, delete)"),
                    (true, false) => write!(f, " (create_edit)"),
                    (false, true) => write!(f, " (delete)"),
                    (false, false) => Ok(()),
                }
            }
            CalendarReason::Share(i) => write!(f, "calendar share #{i}"),
            CalendarReason::Nothing => write!(f, "no share or team right reaches the viewer"),
        }
    }
}

pub(crate) fn explain_calendar(
    auth: &Authorizer,
    viewer: UserId,
    owner: Owner,
) -> CalendarExplanation {
    auth.decide_calendar(viewer, owner)
        .unwrap_or(CalendarExplanation {
            level: None,
            reason: CalendarReason::UnknownId,
        })
}
