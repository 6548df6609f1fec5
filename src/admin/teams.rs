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

pub(super) fn add_team(
    admin: &mut Admin<'_>,
    id: &str,
    team: Team,
) -> Result<AuditEvent, PolicyError> {
    admin.apply(TEAMS, "team.add", Item::Team(id.to_string()), |p| {
        check_new_id(&p.teams, "teams", id)?;
        p.teams.insert(id.to_string(), team);
        Ok(Outcome::default())
    })
}

pub(super) fn copy_team(
    admin: &mut Admin<'_>,
    source: &str,
    new_id: &str,
) -> Result<AuditEvent, PolicyError> {
    admin.apply(TEAMS, "team.copy", Item::Team(new_id.to_string()), |p| {
        let mut copy = team_mut(p, source)?.clone();
        check_new_id(&p.teams, "teams", new_id)?;
        copy.name = Some(format!("{} - Copy", copy.name.as_deref().unwrap_or(source)));
        // keys are unique: the host gives the copy its own
        copy.key = None;
        p.teams.insert(new_id.to_string(), copy);
        Ok(Outcome::default())
    })
}

pub(super) fn add_team_member(
    admin: &mut Admin<'_>,
    team: &str,
    user: &str,
) -> Result<AuditEvent, PolicyError> {
    admin.apply(
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

pub(super) fn remove_team_member(
    admin: &mut Admin<'_>,
    team: &str,
    user: &str,
) -> Result<AuditEvent, PolicyError> {
    admin.apply(
        TEAMS,
        "team.remove_member",
        Item::Team(team.to_string()),
        |p| {
            team_mut(p, team)?.users.retain(|u| u != user);
            Ok(Outcome::default())
        },
    )
}

pub(super) fn deactivate_team(
    admin: &mut Admin<'_>,
    id: &str,
    transfer_to: TransferTarget,
) -> Result<AuditEvent, PolicyError> {
    admin.apply(TEAMS, "team.deactivate", Item::Team(id.to_string()), |p| {
        team_mut(p, id)?;
        not_last_admin_team(p, id)?;
        valid_team_heir(p, id, &transfer_to)?;
        team_mut(p, id)?.active = false;
        Ok(Outcome {
            transfer: Some(transfer_to),
        })
    })
}

pub(super) fn activate_team(admin: &mut Admin<'_>, id: &str) -> Result<AuditEvent, PolicyError> {
    admin.apply(TEAMS, "team.activate", Item::Team(id.to_string()), |p| {
        team_mut(p, id)?.active = true;
        Ok(Outcome::default())
    })
}

pub(super) fn delete_team(
    admin: &mut Admin<'_>,
    id: &str,
    transfer_to: TransferTarget,
) -> Result<AuditEvent, PolicyError> {
    admin.apply(TEAMS, "team.delete", Item::Team(id.to_string()), |p| {
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

pub(super) fn set_team_admin(
    admin: &mut Admin<'_>,
    id: &str,
    level: AdminLevel,
) -> Result<AuditEvent, PolicyError> {
    admin.apply(TEAMS, "team.set_admin", Item::Team(id.to_string()), |p| {
        let current = team_mut(p, id)?.admin;
        Err(refuse(
            ErrorCode::Immutable,
            format!("teams.{id}.admin"),
            format!("a team's conferred level never changes (it is `{current}`, asked `{level}`)"),
        ))
    })
}

pub(super) fn update_team(
    admin: &mut Admin<'_>,
    id: &str,
    edit: impl FnOnce(&mut Team),
) -> Result<AuditEvent, PolicyError> {
    admin.apply(TEAMS, "team.update", Item::Team(id.to_string()), |p| {
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
