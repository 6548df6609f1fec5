//! Users ([administration](crate::doc::semantics#administration)): add, activate, deactivate, rename, copy, delete.

use super::audit::{AuditEvent, TransferTarget};
use super::change::{Admin, Item, Outcome, check_new_id, refuse};
use crate::authorizer::areas::USERS;
use crate::error::{ErrorCode, PolicyError};
use crate::policy::{AdminLevel, Policy, Principal, Status, User, UserDeletion};

fn user_mut<'a>(p: &'a mut Policy, username: &str) -> Result<&'a mut User, PolicyError> {
    p.users.get_mut(username).ok_or_else(|| {
        refuse(
            ErrorCode::UnknownReference,
            format!("users.{username}"),
            format!("no user `{username}`"),
        )
    })
}

impl Admin<'_> {
    fn set_status(
        &mut self,
        username: &str,
        status: Status,
        operation: &'static str,
    ) -> Result<AuditEvent, PolicyError> {
        self.apply(USERS, operation, Item::User(username.to_string()), |p| {
            user_mut(p, username)?.status = status;
            Ok(Outcome::default())
        })
    }
}

pub(super) fn add_user(
    admin: &mut Admin<'_>,
    username: &str,
    user: User,
) -> Result<AuditEvent, PolicyError> {
    admin.apply(
        USERS,
        "user.invite",
        Item::User(username.to_string()),
        |p| {
            check_new_id(&p.users, "users", username)?;
            p.users.insert(
                username.to_string(),
                User {
                    status: Status::Invited,
                    ..user
                },
            );
            Ok(Outcome::default())
        },
    )
}

pub(super) fn activate_user(
    admin: &mut Admin<'_>,
    username: &str,
) -> Result<AuditEvent, PolicyError> {
    admin.set_status(username, Status::Active, "user.activate")
}

pub(super) fn deactivate_user(
    admin: &mut Admin<'_>,
    username: &str,
) -> Result<AuditEvent, PolicyError> {
    admin.set_status(username, Status::Inactive, "user.deactivate")
}

pub(super) fn rename_user(
    admin: &mut Admin<'_>,
    username: &str,
    display_name: &str,
) -> Result<AuditEvent, PolicyError> {
    admin.apply(
        USERS,
        "user.rename",
        Item::User(username.to_string()),
        |p| {
            user_mut(p, username)?.display_name = Some(display_name.to_string());
            Ok(Outcome::default())
        },
    )
}

pub(super) fn copy_user(
    admin: &mut Admin<'_>,
    source: &str,
    new_username: &str,
    display_name: Option<&str>,
) -> Result<AuditEvent, PolicyError> {
    admin.apply(
        USERS,
        "user.copy",
        Item::User(new_username.to_string()),
        |p| {
            check_new_id(&p.users, "users", new_username)?;
            let src = user_mut(p, source)?.clone();
            let copy = User {
                display_name: display_name.map(str::to_string),
                // keys are unique: the host gives the copy its own
                key: None,
                status: Status::Invited,
                kind: src.kind,
                roles: src.roles,
                admin: AdminLevel::None,
                factors: src.factors,
                overrides: src.overrides,
            };
            p.users.insert(new_username.to_string(), copy);
            for team in p.teams.values_mut() {
                if team.users.iter().any(|u| u == source) {
                    team.users.push(new_username.to_string());
                }
            }
            Ok(Outcome::default())
        },
    )
}

pub(super) fn delete_user(
    admin: &mut Admin<'_>,
    username: &str,
    transfer_to: TransferTarget,
) -> Result<AuditEvent, PolicyError> {
    admin.apply(USERS, "user.delete", Item::User(username.to_string()), |p| {
        let transfer_to = transfer_to.named("user")?;
        user_mut(p, username)?;
        if p.settings.user_deletion == UserDeletion::Forbidden {
            return Err(refuse(
                ErrorCode::UserDeletionForbidden,
                format!("users.{username}"),
                "users cannot be deleted here, only deactivated and renamed",
            ));
        }
        let target_ok = transfer_to != username
            && p.users.get(transfer_to).is_some_and(|u| u.status == Status::Active);
        if !target_ok {
            return Err(refuse(
                ErrorCode::InvalidTransfer,
                format!("users.{transfer_to}"),
                format!("`{transfer_to}` must be another, active user to take over `{username}`'s records"),
            ));
        }
        p.users.shift_remove(username);
        for team in p.teams.values_mut() {
            team.users.retain(|u| u != username);
            team.calendar_rights.shift_remove(username);
        }
        let names_user = |pr: &Principal| matches!(pr, Principal::User(u) if u == username);
        p.sharing_rules.retain(|r| !names_user(&r.from) && !names_user(&r.to));
        p.calendar_shares.retain(|s| {
            !names_user(&s.to) && !matches!(&s.owner, crate::policy::CalendarOwner::User(u) if u == username)
        });
        Ok(Outcome { transfer: Some(TransferTarget::User(transfer_to.to_string())) })
    })
}

pub(super) fn set_user_admin(
    admin: &mut Admin<'_>,
    username: &str,
    level: AdminLevel,
) -> Result<AuditEvent, PolicyError> {
    admin.apply(
        USERS,
        "user.set_admin",
        Item::User(username.to_string()),
        |p| {
            user_mut(p, username)?.admin = level;
            Ok(Outcome::default())
        },
    )
}

pub(super) fn update_user(
    admin: &mut Admin<'_>,
    username: &str,
    edit: impl FnOnce(&mut User),
) -> Result<AuditEvent, PolicyError> {
    admin.apply(
        USERS,
        "user.update",
        Item::User(username.to_string()),
        |p| {
            edit(user_mut(p, username)?);
            Ok(Outcome::default())
        },
    )
}
