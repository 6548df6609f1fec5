//! Calendars and role-bound picklist values: who sees which calendar at which level, and
//! which values of a picklist a user may pick or add.

use std::fmt;

use serde::Serialize;

use super::{Authorizer, Owner};
use crate::compile::CalendarOf;
use crate::error::{CheckError, IdKind};
use crate::ids::{ModuleId, UserId};
use crate::policy::{AdminLevel, CalendarLevel};

/// What decided a calendar access.
///
/// ```
/// use permatrix::{CalendarReason, Owner, Policy};
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
/// use permatrix::{CalendarLevel, Owner, Policy};
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

impl Authorizer {
    /// The level at which `viewer` sees the calendar of `owner` (a user or a team), `None`
    /// for no access:
    /// - `None` for an unknown id or a viewer who is not active;
    /// - `deputy_full` for a viewer who bypasses data checks, and on their own calendar;
    /// - on a team's calendar (the team must keep one, `calendar: true`, and be active):
    ///   `details` for every member, `edit` with the member's `create_edit` right,
    ///   `deputy_full` with both rights;
    /// - raised to the highest calendar share of that calendar whose recipient includes
    ///   the viewer.
    ///
    /// Calendar access is its own question: `can` on calendar records does not read it.
    ///
    /// # Cost
    /// O(calendar shares + log m), no allocation.
    ///
    /// ```
    /// use permatrix::{CalendarLevel, Owner, Policy};
    /// let auth = Policy::from_json(r#"{"version":1,"users":{"ann":{},"bob":{},"cy":{}},
    ///   "calendar_shares":[{"owner":{"user":"bob"},"to":{"user":"ann"},"level":"titles"}]}"#)?.compile()?;
    /// let (ann, bob, cy) = (auth.user("ann").unwrap(), auth.user("bob").unwrap(), auth.user("cy").unwrap());
    /// assert_eq!(auth.calendar_access(ann, Owner::User(bob)), Some(CalendarLevel::Titles));
    /// assert_eq!(auth.calendar_access(cy, Owner::User(bob)), None);
    /// assert_eq!(auth.calendar_access(bob, Owner::User(bob)), Some(CalendarLevel::DeputyFull));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn calendar_access(&self, viewer: UserId, owner: Owner) -> Option<CalendarLevel> {
        self.explain_calendar(viewer, owner).level
    }

    /// [`Authorizer::calendar_access`], with an unknown id reported as an error.
    ///
    /// # Errors
    /// [`CheckError`] (`stale_id`) naming the viewer or owner this authorizer did not
    /// issue.
    ///
    /// # Cost
    /// As [`Authorizer::calendar_access`].
    ///
    /// ```
    /// use permatrix::{Owner, Policy};
    /// let policy = Policy::from_json(r#"{"version":1,"users":{"a":{}}}"#)?;
    /// let (old, new) = (policy.compile()?, policy.compile()?);
    /// let a = new.user("a").unwrap();
    /// assert!(new.try_calendar_access(a, Owner::User(old.user("a").unwrap())).is_err());
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn try_calendar_access(
        &self,
        viewer: UserId,
        owner: Owner,
    ) -> Result<Option<CalendarLevel>, CheckError> {
        self.decide_calendar(viewer, owner).map(|e| e.level)
    }

    /// [`Authorizer::calendar_access`] with the share or team right that decided it.
    ///
    /// # Cost
    /// As [`Authorizer::calendar_access`].
    ///
    /// ```
    /// use permatrix::{CalendarReason, Owner, Policy};
    /// let auth = Policy::from_json(r#"{"version":1,"users":{"a":{"admin":"admin"},"b":{}}}"#)?.compile()?;
    /// let (a, b) = (auth.user("a").unwrap(), auth.user("b").unwrap());
    /// assert_eq!(auth.explain_calendar(a, Owner::User(b)).reason, CalendarReason::AdminBypass);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn explain_calendar(&self, viewer: UserId, owner: Owner) -> CalendarExplanation {
        self.decide_calendar(viewer, owner)
            .unwrap_or(CalendarExplanation {
                level: None,
                reason: CalendarReason::UnknownId,
            })
    }

    fn decide_calendar(
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

    /// The values of the picklist of `field` in `module` that `user` may pick, in their
    /// declared order: the unbound values (no `roles`) and those bound to a role the user
    /// holds (direct, default or conferred by an active team). Every value when the list
    /// is not `role_bound` or the user bypasses data checks; none for a user who is not
    /// active, an unknown id, or a field without a picklist.
    ///
    /// # Cost
    /// O(values × (their roles + the user's roles)), lazily; no allocation.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,
    ///   "modules":{"deals":{"fields":{"stage":{"picklist":{"role_bound":true,"values":[
    ///     {"value":"open"},{"value":"won","roles":["manager"]},{"value":"lost","roles":["rep"]}]}}}}},
    ///   "profiles":{"p":{}}, "roles":{"rep":{"profiles":["p"]},"manager":{"profiles":["p"]}},
    ///   "users":{"ann":{"roles":["rep"]}}}"#)?.compile()?;
    /// let (ann, deals) = (auth.user("ann").unwrap(), auth.module("deals").unwrap());
    /// assert_eq!(auth.picklist_values(ann, deals, "stage").collect::<Vec<_>>(), ["open", "lost"]);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn picklist_values<'a>(
        &'a self,
        user: UserId,
        module: ModuleId,
        field: &str,
    ) -> impl Iterator<Item = &'a str> + 'a {
        let c = &*self.inner;
        let found = (|| {
            let facts = self.user_facts(user).ok()?;
            let m = self.module_slot(module)?;
            let (_, def) = c.policy.modules.get_index(m)?;
            let (f, _, field_def) = def.fields.get_full(field)?;
            let list = field_def.picklist.as_ref()?;
            let all = match self.decided_before_grants(user, facts) {
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
            let visible = all
                || roles.is_empty()
                || c.matrix.source_roles(row).any(|held| roles.contains(&held));
            visible.then_some(value.value.as_str())
        })
    }

    /// Whether `user` may add a value to the picklist of `field` in `module`: an active
    /// user, a field with a picklist that is not `role_bound`, and either the tool
    /// `create_picklist_values` enabled for them on the module or an effective level of
    /// `admin` or `customer_admin` (whatever their profiles say). `false` for unknown ids.
    ///
    /// # Cost
    /// O(1) look-ups; no allocation.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,
    ///   "modules":{"deals":{"tools":["create_picklist_values"],
    ///     "fields":{"stage":{"picklist":{"values":[{"value":"open"}]}}}}},
    ///   "profiles":{"p":{"modules":{"deals":{"access":"on","tools":{"create_picklist_values":true}}}}},
    ///   "roles":{"r":{"profiles":["p"]}}, "users":{"ann":{"roles":["r"]},"bob":{}}}"#)?.compile()?;
    /// let deals = auth.module("deals").unwrap();
    /// assert!(auth.can_add_picklist_value(auth.user("ann").unwrap(), deals, "stage"));
    /// assert!(!auth.can_add_picklist_value(auth.user("bob").unwrap(), deals, "stage"));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn can_add_picklist_value(&self, user: UserId, module: ModuleId, field: &str) -> bool {
        let (Ok(facts), Ok(def)) = (self.user_facts(user), self.module_def(module)) else {
            return false;
        };
        let open = def
            .fields
            .get(field)
            .and_then(|f| f.picklist.as_ref())
            .is_some_and(|list| !list.role_bound);
        open && self.is_active(user)
            && (matches!(facts.level, AdminLevel::Admin | AdminLevel::CustomerAdmin)
                || self.can_use_tool(user, module, "create_picklist_values"))
    }
}
