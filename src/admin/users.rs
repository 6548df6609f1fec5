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
    /// Invites a new user: they are added with status `invited`, whatever `user` says.
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `not_permitted`, `duplicate_key` for a taken username, and any validation error
    /// (`unknown_reference` for an unknown role …).
    ///
    /// ```
    /// use permatrix::{Policy, policy::{Status, User}};
    /// let mut p = Policy::from_json(r#"{"version":1,"users":{"root":{"admin":"admin"}}}"#)?;
    /// p.admin("root").add_user("bob", User::default())?;
    /// assert_eq!(p.users["bob"].status, Status::Invited);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn add_user(&mut self, username: &str, user: User) -> Result<AuditEvent, PolicyError> {
        self.apply(
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

    /// Activates an invited (or inactive) user. A billable user (internal) needs a free
    /// seat when `settings.licenses` is set.
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `license_limit` when every seat is taken; `unknown_reference`; `not_permitted`.
    ///
    /// ```
    /// use permatrix::{ErrorCode, Policy};
    /// let mut p = Policy::from_json(r#"{"version":1,"settings":{"licenses":1},
    ///   "users":{"root":{"admin":"admin"},"bob":{"status":"invited"},"ext":{"kind":"external","status":"invited"}}}"#)?;
    /// assert_eq!(p.admin("root").activate_user("bob").unwrap_err().code(), ErrorCode::LicenseLimit);
    /// p.admin("root").activate_user("ext")?; // external users are not billable
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn activate_user(&mut self, username: &str) -> Result<AuditEvent, PolicyError> {
        self.set_status(username, Status::Active, "user.activate")
    }

    /// Deactivates a user: they are denied everything from then on, and keep everything
    /// they own (nothing is removed). Deactivation frees their seat.
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `last_admin` when they are the last active `admin`; `unknown_reference`;
    /// `not_permitted`.
    ///
    /// ```
    /// use permatrix::{Policy, policy::Status};
    /// let mut p = Policy::from_json(r#"{"version":1,"users":{"root":{"admin":"admin"},"bob":{}}}"#)?;
    /// p.admin("root").deactivate_user("bob")?;
    /// assert_eq!(p.users["bob"].status, Status::Inactive);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn deactivate_user(&mut self, username: &str) -> Result<AuditEvent, PolicyError> {
        self.set_status(username, Status::Inactive, "user.deactivate")
    }

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

    /// Changes a user's display name; the username stays.
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `unknown_reference`; `not_permitted`.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let mut p = Policy::from_json(r#"{"version":1,"users":{"root":{"admin":"admin"},"bob":{}}}"#)?;
    /// p.admin("root").rename_user("bob", "Robert Miller")?;
    /// assert_eq!(p.users["bob"].display_name.as_deref(), Some("Robert Miller"));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn rename_user(
        &mut self,
        username: &str,
        display_name: &str,
    ) -> Result<AuditEvent, PolicyError> {
        self.apply(
            USERS,
            "user.rename",
            Item::User(username.to_string()),
            |p| {
                user_mut(p, username)?.display_name = Some(display_name.to_string());
                Ok(Outcome::default())
            },
        )
    }

    /// Copies a user (CRM+ 8.1.2.6): the new user gets the source's roles, teams (every
    /// team that lists the source directly), overrides, factors and kind, status `invited`,
    /// and no admin level of their own.
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `duplicate_key` for a taken username; `unknown_reference`; `not_permitted`.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let mut p = Policy::from_json(r#"{"version":1,"profiles":{"p":{}},"roles":{"rep":{"profiles":["p"]}},
    ///   "teams":{"north":{"users":["ann"]}},
    ///   "users":{"root":{"admin":"admin"},"ann":{"roles":["rep"]}}}"#)?;
    /// p.admin("root").copy_user("ann", "ben", Some("Ben"))?;
    /// assert_eq!(p.users["ben"].roles, vec!["rep".to_string()]);
    /// assert!(p.teams["north"].users.contains(&"ben".to_string()));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn copy_user(
        &mut self,
        source: &str,
        new_username: &str,
        display_name: Option<&str>,
    ) -> Result<AuditEvent, PolicyError> {
        self.apply(
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

    /// Deletes a user, naming an active user who takes over their records (the host moves
    /// them). The user is removed from teams, calendar rights, sharing rules and calendar
    /// shares that name them.
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `user_deletion_forbidden` when `settings.user_deletion` is `forbidden` (1CRM);
    /// `invalid_transfer` unless `transfer_to` is another, active user (a
    /// [`TransferTarget::User`]); `last_admin`;
    /// `unknown_reference`; `not_permitted`.
    ///
    /// ```
    /// use permatrix::{Policy, admin::TransferTarget};
    /// let mut p = Policy::from_json(r#"{"version":1,"users":{"root":{"admin":"admin"},"bob":{},"cy":{}}}"#)?;
    /// let event = p.admin("root").delete_user("bob", TransferTarget::user("cy"))?;
    /// assert_eq!(event.transfer, Some(TransferTarget::User("cy".into())));
    /// assert!(!p.users.contains_key("bob"));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn delete_user(
        &mut self,
        username: &str,
        transfer_to: TransferTarget,
    ) -> Result<AuditEvent, PolicyError> {
        self.apply(USERS, "user.delete", Item::User(username.to_string()), |p| {
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

    /// Sets a user's own admin level.
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `not_permitted` below `admin` for the levels `customer_admin` and `admin` ([administration](crate::doc::semantics#administration))
    /// and for any level above the actor's own; `last_admin`; `unknown_reference`.
    ///
    /// ```
    /// use permatrix::{ErrorCode, Policy, policy::AdminLevel};
    /// let mut p = Policy::from_json(r#"{"version":1,"users":{"root":{"admin":"admin"},
    ///   "ca":{"admin":"customer_admin"},"bob":{}}}"#)?;
    /// assert_eq!(p.admin("ca").set_user_admin("bob", AdminLevel::CustomerAdmin).unwrap_err().code(), ErrorCode::NotPermitted);
    /// p.admin("ca").set_user_admin("bob", AdminLevel::Superuser)?;
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn set_user_admin(
        &mut self,
        username: &str,
        level: AdminLevel,
    ) -> Result<AuditEvent, PolicyError> {
        self.apply(
            USERS,
            "user.set_admin",
            Item::User(username.to_string()),
            |p| {
                user_mut(p, username)?.admin = level;
                Ok(Outcome::default())
            },
        )
    }

    /// Changes a user with `edit` (roles, overrides, factors, kind …). Status changes made
    /// this way are held to the same seat rule as activation.
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// Any validation error of the result; `license_limit`; `last_admin`; `not_permitted`.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let mut p = Policy::from_json(r#"{"version":1,"profiles":{"p":{}},"roles":{"rep":{"profiles":["p"]}},
    ///   "users":{"root":{"admin":"admin"},"bob":{}}}"#)?;
    /// p.admin("root").update_user("bob", |u| u.roles.push("rep".into()))?;
    /// assert_eq!(p.users["bob"].roles.len(), 1);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn update_user(
        &mut self,
        username: &str,
        edit: impl FnOnce(&mut User),
    ) -> Result<AuditEvent, PolicyError> {
        self.apply(
            USERS,
            "user.update",
            Item::User(username.to_string()),
            |p| {
                edit(user_mut(p, username)?);
                Ok(Outcome::default())
            },
        )
    }
}
