//! Calendars and role-bound picklist values: who sees which calendar at which level, and
//! which values of a picklist a user may pick or add.

use serde::Serialize;

use super::Authorizer;
use super::record::Owner;
use crate::compile::CalendarOf;
use crate::error::{CheckError, IdKind};
use crate::ids::{FieldId, UserId};
use crate::policy::{AdminLevel, CalendarLevel};

/// What decided a calendar access.
///
/// ```
/// use permatrix::{Owner, Policy, explain::CalendarReason};
/// let auth = Policy::from_json(r#"{"version":1,"users":{"a":{},"b":{}},
///   "calendar_shares":[{"owner":{"user":"b"},"to":{"user":"a"},"level":"titles"}]}"#)?.compile()?;
/// let (a, b) = (auth.user("a").unwrap(), auth.user("b").unwrap());
/// assert_eq!(auth.explain_calendar(a, Owner::User(b)).reason, CalendarReason::Share(0));
/// # Ok::<(), permatrix::PolicyError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CalendarReason {
    /// An id this authorizer did not issue: no access.
    UnknownId,
    /// The viewer is not active: no access.
    NotActive,
    /// The viewer bypasses data checks: `deputy_full`.
    AdminBypass,
    /// The viewer's own calendar: `deputy_full`.
    OwnCalendar,
    /// The team keeps no calendar, or is inactive: no access.
    NoCalendar,
    /// A member of the owning team: `details`, `edit` with the `create_edit` right,
    /// `deputy_full` with both rights.
    TeamMember {
        /// The member's `create_edit` right.
        create_edit: bool,
        /// The member's `delete` right.
        delete: bool,
    },
    /// The calendar share at this position in `calendar_shares` gave the highest level.
    Share(usize),
    /// Nothing gives the viewer access.
    Nothing,
}

/// [`Authorizer::calendar_access`] with what decided it.
///
/// ```
/// use permatrix::{Owner, Policy, policy::CalendarLevel};
/// let auth = Policy::from_json(r#"{"version":1,"users":{"a":{}},
///   "teams":{"t":{"users":["a"],"calendar":true,"calendar_rights":{"a":{"create_edit":true}}}}}"#)?.compile()?;
/// let e = auth.explain_calendar(auth.user("a").unwrap(), Owner::Team(auth.team("t").unwrap()));
/// assert_eq!(e.level, Some(CalendarLevel::Edit));
/// assert_eq!(e.to_string(), "edit: a member of the owning team (create_edit)");
/// # Ok::<(), permatrix::PolicyError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct CalendarExplanation {
    /// The level, `None` for no access.
    pub level: Option<CalendarLevel>,
    /// What decided it.
    pub reason: CalendarReason,
}

impl Authorizer {
    pub(crate) fn decide_calendar(
        &self,
        viewer: UserId,
        owner: Owner,
    ) -> Result<CalendarExplanation, CheckError> {
        let c = &*self.inner;
        let facts = self.user_facts(viewer)?;
        let of = match owner {
            Owner::User(u) => CalendarOf::User(
                self.user_slot(u)
                    .ok_or(CheckError::stale(IdKind::User, u.index() as u32))?
                    as u32,
            ),
            Owner::Team(t) => CalendarOf::Team(
                self.team_slot(t)
                    .ok_or(CheckError::stale(IdKind::Team, t.index() as u32))?
                    as u32,
            ),
        };
        let decided = |level, reason| Ok(CalendarExplanation { level, reason });
        match self.decided_before_grants(viewer, facts) {
            Some(false) => return decided(None, CalendarReason::NotActive),
            Some(true) => {
                return decided(Some(CalendarLevel::DeputyFull), CalendarReason::AdminBypass);
            }
            None => {}
        }
        let mut best = CalendarExplanation {
            level: None,
            reason: CalendarReason::Nothing,
        };
        match (owner, of) {
            (Owner::User(u), _) if u == viewer => {
                return decided(Some(CalendarLevel::DeputyFull), CalendarReason::OwnCalendar);
            }
            (_, CalendarOf::Team(t)) => {
                let team = c.policy.teams.get_index(t as usize).map(|(_, def)| def);
                let active = c.team_active.get(t as usize).copied().unwrap_or(false);
                let Some(team) = team.filter(|def| def.calendar && active) else {
                    return decided(None, CalendarReason::NoCalendar);
                };
                if self.teams_of_facts(facts).binary_search(&t).is_ok() {
                    let name = self.user_name(viewer).unwrap_or_default();
                    let rights = team.calendar_rights.get(name);
                    let (create_edit, delete) =
                        rights.map_or((false, false), |r| (r.create_edit, r.delete));
                    best.level = Some(match (create_edit, delete) {
                        (true, true) => CalendarLevel::DeputyFull,
                        (true, false) => CalendarLevel::Edit,
                        _ => CalendarLevel::Details,
                    });
                    best.reason = CalendarReason::TeamMember {
                        create_edit,
                        delete,
                    };
                }
            }
            // an owner and its position are of one kind
            _ => {}
        }
        for share in c.calendar_shares.iter().filter(|s| s.owner == of) {
            if best.level.is_none_or(|l| share.level > l) && self.contains(share.to, viewer) {
                best.level = Some(share.level);
                best.reason = CalendarReason::Share(share.index as usize);
            }
        }
        Ok(best)
    }
}

pub(crate) fn calendar_access(
    auth: &Authorizer,
    viewer: UserId,
    owner: Owner,
) -> Option<CalendarLevel> {
    auth.explain_calendar(viewer, owner).level
}

pub(crate) fn try_calendar_access(
    auth: &Authorizer,
    viewer: UserId,
    owner: Owner,
) -> Result<Option<CalendarLevel>, CheckError> {
    auth.decide_calendar(viewer, owner).map(|e| e.level)
}

pub(crate) fn picklist_values<'a>(
    auth: &'a Authorizer,
    user: UserId,
    field: FieldId,
) -> impl Iterator<Item = &'a str> + 'a {
    let c = &*auth.inner;
    let found = (|| {
        let facts = auth.user_facts(user).ok()?;
        let m = auth.module_slot(field.module)?;
        let (_, def) = c.policy.modules.get_index(m)?;
        let f = field.index();
        let (_, field_def) = def.fields.get_index(f)?;
        let list = field_def.picklist.as_ref()?;
        let all = match auth.decided_before_grants(user, facts) {
            Some(false) => return None,
            Some(true) => true,
            None => !list.role_bound,
        };
        let bound = c.picklists.get(&(m as u32, f as u32));
        Some((list, bound, all, facts.row))
    })();
    let (values, bound, all, row) = match found {
        Some((list, bound, all, row)) => (list.values.as_slice(), bound, all, row),
        None => (&[][..], None, false, 0),
    };
    values.iter().enumerate().filter_map(move |(i, value)| {
        let roles = bound.and_then(|b| b.get(i)).map_or(&[][..], Vec::as_slice);
        let visible =
            all || roles.is_empty() || c.matrix.source_roles(row).any(|held| roles.contains(&held));
        visible.then_some(value.value.as_str())
    })
}

pub(crate) fn can_add_picklist_value(auth: &Authorizer, user: UserId, field: FieldId) -> bool {
    let module = field.module;
    let (Ok(facts), Ok(def)) = (auth.user_facts(user), auth.module_def(module)) else {
        return false;
    };
    let open = def
        .fields
        .get_index(field.index())
        .and_then(|(_, f)| f.picklist.as_ref())
        .is_some_and(|list| !list.role_bound);
    open && auth.is_active(user)
        && (matches!(facts.level, AdminLevel::Admin | AdminLevel::CustomerAdmin)
            || super::surface::tool_named(auth, user, module, "create_picklist_values"))
}
