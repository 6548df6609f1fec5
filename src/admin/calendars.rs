//! Calendar shares, team calendars and picklists: changed like everything else, checked
//! against the actor's level and judged by what they do.

use super::audit::AuditEvent;
use super::change::{Admin, Item, Outcome, refuse};
use crate::authorizer::areas::{MODULE_SETTINGS, SHARING_RULES, TEAMS};
use crate::error::{ErrorCode, PolicyError};
use crate::policy::{CalendarRights, CalendarShare, Picklist};

impl Admin<'_> {
    /// Adds a calendar share (area `sharing_rules`). Below `admin`, a share whose
    /// recipient includes the actor is refused, like any grant to oneself.
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `unknown_reference` for an unknown owner or recipient; `not_permitted`.
    ///
    /// ```
    /// use permatrix::{Policy, policy::{CalendarLevel, CalendarOwner, CalendarShare, Principal}};
    /// let mut p = Policy::from_json(r#"{"version":1,"users":{"root":{"admin":"admin"},"ann":{},"bob":{}}}"#)?;
    /// let event = p.admin("root").add_calendar_share(CalendarShare {
    ///     owner: CalendarOwner::User("bob".into()), to: Principal::User("ann".into()), level: CalendarLevel::Titles,
    /// })?;
    /// assert_eq!(event.target, "calendar_shares[0]");
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn add_calendar_share(&mut self, share: CalendarShare) -> Result<AuditEvent, PolicyError> {
        let index = self.policy.calendar_shares.len();
        self.apply(
            SHARING_RULES,
            "calendar_share.add",
            Item::CalendarShare(index),
            |p| {
                p.calendar_shares.push(share);
                Ok(Outcome::default())
            },
        )
    }

    /// Removes the calendar share at `index` (area `sharing_rules`).
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `unknown_reference` for an index past the end; `not_permitted`.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let mut p = Policy::from_json(r#"{"version":1,"users":{"root":{"admin":"admin"}}}"#)?;
    /// assert!(p.admin("root").remove_calendar_share(0).is_err());
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn remove_calendar_share(&mut self, index: usize) -> Result<AuditEvent, PolicyError> {
        self.apply(
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

    /// Gives team `team` a calendar, or takes it away (area `teams`, CRM+'s
    /// "Gruppenkalender").
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `unknown_reference`; `not_permitted`.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let mut p = Policy::from_json(r#"{"version":1,"teams":{"support":{}},"users":{"root":{"admin":"admin"}}}"#)?;
    /// p.admin("root").set_team_calendar("support", true)?;
    /// assert!(p.teams["support"].calendar);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn set_team_calendar(
        &mut self,
        team: &str,
        calendar: bool,
    ) -> Result<AuditEvent, PolicyError> {
        self.apply(TEAMS, "team.calendar", Item::Team(team.to_string()), |p| {
            team_of(p, team)?.calendar = calendar;
            Ok(Outcome::default())
        })
    }

    /// Sets (or, with `None`, clears) a member's rights on a team calendar (area `teams`).
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `unknown_reference` for an unknown team or user; `not_permitted`.
    ///
    /// ```
    /// use permatrix::{Policy, policy::CalendarRights};
    /// let mut p = Policy::from_json(r#"{"version":1,"teams":{"support":{"calendar":true,"users":["ann"]}},
    ///   "users":{"root":{"admin":"admin"},"ann":{}}}"#)?;
    /// p.admin("root").set_calendar_rights("support", "ann", Some(CalendarRights { create_edit: true, delete: false }))?;
    /// assert!(p.teams["support"].calendar_rights["ann"].create_edit);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn set_calendar_rights(
        &mut self,
        team: &str,
        user: &str,
        rights: Option<CalendarRights>,
    ) -> Result<AuditEvent, PolicyError> {
        self.apply(
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

    /// Sets (or, with `None`, removes) the picklist of `field` in `module` (area
    /// `module_settings`). Below `admin`, binding values so that the actor sees more of
    /// them is refused, like any widening of their own reach.
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `unknown_reference` for an unknown module, field or role; `not_permitted`.
    ///
    /// ```
    /// use permatrix::{Policy, policy::{Picklist, PicklistValue}};
    /// let mut p = Policy::from_json(r#"{"version":1,"modules":{"deals":{"fields":{"stage":{}}}},
    ///   "users":{"root":{"admin":"admin"}}}"#)?;
    /// let list = Picklist { role_bound: false, values: vec![PicklistValue { value: "open".into(), roles: vec![] }] };
    /// p.admin("root").set_picklist("deals", "stage", Some(list))?;
    /// assert!(p.modules["deals"].fields["stage"].picklist.is_some());
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn set_picklist(
        &mut self,
        module: &str,
        field: &str,
        picklist: Option<Picklist>,
    ) -> Result<AuditEvent, PolicyError> {
        self.apply(
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
