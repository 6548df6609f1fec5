//! Teams ([administration](crate::doc::semantics#administration)): add, copy, members, deactivate, delete.

use super::audit::{AuditEvent, TransferTarget};
use super::change::{Admin, Item, Outcome, check_new_id, refuse};
use crate::authorizer::areas::TEAMS;
use crate::error::{ErrorCode, PolicyError};
use crate::policy::{AdminLevel, CalendarOwner, Policy, Principal, Status, Team};

fn team_mut<'a>(p: &'a mut Policy, id: &str) -> Result<&'a mut Team, PolicyError> {
    p.teams.get_mut(id).ok_or_else(|| {
        refuse(
            ErrorCode::UnknownReference,
            format!("teams.{id}"),
            format!("no team `{id}`"),
        )
    })
}

/// Refuses to remove the last active team that confers `admin` (Salesware).
fn not_last_admin_team(p: &Policy, id: &str) -> Result<(), PolicyError> {
    let confers = |t: &Team| t.active && t.admin == AdminLevel::Admin;
    if p.teams.get(id).is_some_and(confers)
        && !p.teams.iter().any(|(other, t)| other != id && confers(t))
    {
        return Err(refuse(
            ErrorCode::LastAdminTeam,
            format!("teams.{id}"),
            format!("`{id}` is the last active team conferring `admin`"),
        ));
    }
    Ok(())
}

impl Admin<'_> {
    /// Adds a team.
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `duplicate_key`; any validation error; `not_permitted` (below `admin`, for a team
    /// conferring `customer_admin` or `admin`).
    ///
    /// ```
    /// use permatrix::{Policy, policy::Team};
    /// let mut p = Policy::from_json(r#"{"version":1,"users":{"root":{"admin":"admin"},"bob":{}}}"#)?;
    /// p.admin("root").add_team("north", Team { users: vec!["bob".into()], ..Team::default() })?;
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn add_team(&mut self, id: &str, team: Team) -> Result<AuditEvent, PolicyError> {
        self.apply(TEAMS, "team.add", Item::Team(id.to_string()), |p| {
            check_new_id(&p.teams, "teams", id)?;
            p.teams.insert(id.to_string(), team);
            Ok(Outcome::default())
        })
    }

    /// Copies a team (Salesware "Benutzergruppe kopieren"): same members and settings,
    /// named after the original with " - Copy", as active as the original.
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `duplicate_key`; `unknown_reference`; `not_permitted`.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let mut p = Policy::from_json(r#"{"version":1,"teams":{"north":{"name":"Team Nord","users":["root"]}},
    ///   "users":{"root":{"admin":"admin"}}}"#)?;
    /// p.admin("root").copy_team("north", "north2")?;
    /// assert_eq!(p.teams["north2"].name.as_deref(), Some("Team Nord - Copy"));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn copy_team(&mut self, source: &str, new_id: &str) -> Result<AuditEvent, PolicyError> {
        self.apply(TEAMS, "team.copy", Item::Team(new_id.to_string()), |p| {
            let mut copy = team_mut(p, source)?.clone();
            check_new_id(&p.teams, "teams", new_id)?;
            copy.name = Some(format!("{} - Copy", copy.name.as_deref().unwrap_or(source)));
            // keys are unique: the host gives the copy its own
            copy.key = None;
            p.teams.insert(new_id.to_string(), copy);
            Ok(Outcome::default())
        })
    }

    /// Adds a user to a team's direct members.
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `unknown_reference`; `license_limit` never; `not_permitted` (below `admin`, for a
    /// team conferring an administrator level or a user who is an administrator).
    ///
    /// ```
    /// use permatrix::Policy;
    /// let mut p = Policy::from_json(r#"{"version":1,"teams":{"t":{}},"users":{"root":{"admin":"admin"},"bob":{}}}"#)?;
    /// p.admin("root").add_team_member("t", "bob")?;
    /// assert_eq!(p.teams["t"].users, vec!["bob".to_string()]);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn add_team_member(&mut self, team: &str, user: &str) -> Result<AuditEvent, PolicyError> {
        self.apply(
            TEAMS,
            "team.add_member",
            Item::Team(team.to_string()),
            |p| {
                let t = team_mut(p, team)?;
                if !t.users.iter().any(|u| u == user) {
                    t.users.push(user.to_string());
                }
                Ok(Outcome::default())
            },
        )
    }

    /// Removes a user from a team's direct members.
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `unknown_reference`; `last_admin`; `not_permitted`.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let mut p = Policy::from_json(r#"{"version":1,"teams":{"t":{"users":["bob"]}},"users":{"root":{"admin":"admin"},"bob":{}}}"#)?;
    /// let event = p.admin("root").remove_team_member("t", "bob")?;
    /// assert_eq!(event.left_without_team, vec!["bob".to_string()]);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn remove_team_member(
        &mut self,
        team: &str,
        user: &str,
    ) -> Result<AuditEvent, PolicyError> {
        self.apply(
            TEAMS,
            "team.remove_member",
            Item::Team(team.to_string()),
            |p| {
                team_mut(p, team)?.users.retain(|u| u != user);
                Ok(Outcome::default())
            },
        )
    }

    /// Deactivates a team: it has no members for any purpose from then on, and the team or
    /// active user `transfer_to` takes over its records (the host moves them), as for a
    /// deletion. The event names the heir and lists the users left without an active team.
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `last_admin_team`; `invalid_transfer` as for [`Admin::delete_team`]; `last_admin`;
    /// `unknown_reference`; `not_permitted`.
    ///
    /// ```
    /// use permatrix::{ErrorCode, Policy, admin::TransferTarget};
    /// let mut p = Policy::from_json(r#"{"version":1,"teams":{"admins":{"users":["root"],"admin":"admin"},"old":{}},
    ///   "users":{"root":{}}}"#)?;
    /// let heir = || TransferTarget::User("root".into());
    /// assert_eq!(p.admin("root").deactivate_team("admins", heir()).unwrap_err().code(), ErrorCode::LastAdminTeam);
    /// let event = p.admin("root").deactivate_team("old", heir())?;
    /// assert_eq!(event.transfer, Some(heir()));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn deactivate_team(
        &mut self,
        id: &str,
        transfer_to: TransferTarget,
    ) -> Result<AuditEvent, PolicyError> {
        self.apply(TEAMS, "team.deactivate", Item::Team(id.to_string()), |p| {
            team_mut(p, id)?;
            not_last_admin_team(p, id)?;
            valid_team_heir(p, id, &transfer_to)?;
            team_mut(p, id)?.active = false;
            Ok(Outcome {
                transfer: Some(transfer_to),
            })
        })
    }

    /// Activates a team again.
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `unknown_reference`; `not_permitted`.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let mut p = Policy::from_json(r#"{"version":1,"teams":{"t":{"active":false}},"users":{"root":{"admin":"admin"}}}"#)?;
    /// p.admin("root").activate_team("t")?;
    /// assert!(p.teams["t"].active);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn activate_team(&mut self, id: &str) -> Result<AuditEvent, PolicyError> {
        self.apply(TEAMS, "team.activate", Item::Team(id.to_string()), |p| {
            team_mut(p, id)?.active = true;
            Ok(Outcome::default())
        })
    }

    /// Deletes a team, naming the team or active user that takes over its records (the
    /// host moves them, CRM+ 8.1.4.3). The team is removed from nesting lists, sharing
    /// rules and calendar shares. The event lists the users left without an active team.
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `last_admin_team`; `invalid_transfer` for the team itself, an unknown or inactive
    /// team, or a user who is not active; `last_admin`; `unknown_reference`; `not_permitted`.
    ///
    /// ```
    /// use permatrix::{Policy, admin::TransferTarget};
    /// let mut p = Policy::from_json(r#"{"version":1,"teams":{"old":{"users":["bob"]},"new":{}},
    ///   "users":{"root":{"admin":"admin"},"bob":{}}}"#)?;
    /// let event = p.admin("root").delete_team("old", TransferTarget::Team("new".into()))?;
    /// assert_eq!(event.left_without_team, vec!["bob".to_string()]);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn delete_team(
        &mut self,
        id: &str,
        transfer_to: TransferTarget,
    ) -> Result<AuditEvent, PolicyError> {
        self.apply(TEAMS, "team.delete", Item::Team(id.to_string()), |p| {
            team_mut(p, id)?;
            not_last_admin_team(p, id)?;
            valid_team_heir(p, id, &transfer_to)?;
            p.teams.shift_remove(id);
            for team in p.teams.values_mut() {
                team.teams.retain(|t| t != id);
            }
            let names_team = |pr: &Principal| matches!(pr, Principal::Team(t) if t == id);
            p.sharing_rules
                .retain(|r| !names_team(&r.from) && !names_team(&r.to));
            p.calendar_shares.retain(|s| {
                !names_team(&s.to) && !matches!(&s.owner, CalendarOwner::Team(t) if t == id)
            });
            Ok(Outcome {
                transfer: Some(transfer_to),
            })
        })
    }

    /// A team's conferred admin level never changes after creation (Salesware: "Die
    /// Berechtigungsstruktur lässt sich im Nachhinein nicht ändern"): this always refuses.
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// Always `immutable` (or `unknown_reference`).
    ///
    /// ```
    /// use permatrix::{ErrorCode, Policy, policy::AdminLevel};
    /// let mut p = Policy::from_json(r#"{"version":1,"teams":{"t":{}},"users":{"root":{"admin":"admin"}}}"#)?;
    /// assert_eq!(p.admin("root").set_team_admin("t", AdminLevel::Admin).unwrap_err().code(), ErrorCode::Immutable);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn set_team_admin(
        &mut self,
        id: &str,
        level: AdminLevel,
    ) -> Result<AuditEvent, PolicyError> {
        self.apply(TEAMS, "team.set_admin", Item::Team(id.to_string()), |p| {
            let current = team_mut(p, id)?.admin;
            Err(refuse(
                ErrorCode::Immutable,
                format!("teams.{id}.admin"),
                format!(
                    "a team's conferred level never changes (it is `{current}`, asked `{level}`)"
                ),
            ))
        })
    }

    /// Changes a team with `edit` (members, role, ceiling, factors …); the conferred admin
    /// level must stay as it is.
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `immutable` when `edit` changes the admin level; any validation error;
    /// `last_admin_team` when it deactivates the last team conferring `admin`;
    /// `last_admin`; `not_permitted`.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let mut p = Policy::from_json(r#"{"version":1,"teams":{"t":{}},"users":{"root":{"admin":"admin"}}}"#)?;
    /// p.admin("root").update_team("t", |t| t.result_limit = Some(50))?;
    /// assert_eq!(p.teams["t"].result_limit, Some(50));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn update_team(
        &mut self,
        id: &str,
        edit: impl FnOnce(&mut Team),
    ) -> Result<AuditEvent, PolicyError> {
        self.apply(TEAMS, "team.update", Item::Team(id.to_string()), |p| {
            let before = team_mut(p, id)?.clone();
            let team = team_mut(p, id)?;
            edit(team);
            if team.admin != before.admin {
                return Err(refuse(
                    ErrorCode::Immutable,
                    format!("teams.{id}.admin"),
                    "a team's conferred level never changes",
                ));
            }
            if before.active && !team.active {
                let mut check = p.clone();
                if let Some(t) = check.teams.get_mut(id) {
                    t.active = true;
                }
                not_last_admin_team(&check, id)?;
            }
            Ok(Outcome::default())
        })
    }
}

/// A team's records go to another active team or an active user (a deactivated team
/// owns nothing anyone can reach through it, so its records need an heir as much as a
/// deleted team's).
fn valid_team_heir(p: &Policy, id: &str, heir: &TransferTarget) -> Result<(), PolicyError> {
    let valid = match heir {
        TransferTarget::Team(t) => t != id && p.teams.get(t).is_some_and(|x| x.active),
        TransferTarget::User(u) => p.users.get(u).is_some_and(|x| x.status == Status::Active),
        TransferTarget::Role(_) | TransferTarget::Profile(_) => false,
    };
    if valid {
        Ok(())
    } else {
        Err(refuse(
            ErrorCode::InvalidTransfer,
            format!("teams.{id}"),
            "a team's records go to another active team or an active user",
        ))
    }
}
