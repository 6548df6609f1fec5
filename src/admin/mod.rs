//! Administration: safe, audited changes to a policy made as an actor, each checked
//! against what the actor's admin level allows and applied atomically
//! ([administration](crate::doc::semantics#administration) gives the rules).
//!
//! This file is administration's one public face: [`Policy::admin`],
//! [`Policy::admin_as_host`] and every method of [`Admin`], one verb per kind of act
//! (`add_…`, `copy_…`, `update_…`, `delete_…`, `activate_…`/`deactivate_…`, `set_…`),
//! grouped by what they change. Each delegates to the file of its kind (users, teams,
//! roles, profiles, modules, calendars, settings); every change runs through one
//! transaction ([`Admin`]'s cost) and the guards, which judge it by its effect.

mod audit;
mod calendars;
mod change;
mod guard;
mod modules;
mod profiles;
mod roles;
mod settings;
mod standing;
mod teams;
mod users;

pub use audit::{AuditEvent, Labels, TransferTarget};
pub use change::Admin;
pub use profiles::ProfileTemplate;

use crate::error::PolicyError;
use crate::policy::{
    AdminLevel, CalendarRights, CalendarShare, Module, Picklist, Policy, Profile, Settings,
    Sharing, SharingRule, Team, User,
};

impl Policy {
    /// Changes made by the user `actor`, each first checked against what the actor's
    /// effective admin level allows ([administration](crate::doc::semantics#administration)).
    ///
    /// ```
    /// use permatrix::{Policy, policy::User};
    /// let mut policy = Policy::from_json(r#"{"version":1,"users":{"root":{"admin":"admin"}}}"#)?;
    /// policy.admin("root").add_user("bob", User::default())?;
    /// assert!(policy.users.contains_key("bob"));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn admin(&mut self, actor: &str) -> Admin<'_> {
        Admin {
            policy: self,
            actor: Some(actor.to_string()),
        }
    }

    /// Changes made by the host itself (set-up, migrations): no actor check, every other
    /// rule applies.
    ///
    /// ```
    /// use permatrix::{Policy, policy::User};
    /// let mut policy = Policy::new();
    /// policy.admin_as_host().add_user("first", User::default())?;
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn admin_as_host(&mut self) -> Admin<'_> {
        Admin {
            policy: self,
            actor: None,
        }
    }
}

impl Admin<'_> {
    // --- Users ---

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
        users::add_user(self, username, user)
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
        users::activate_user(self, username)
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
        users::deactivate_user(self, username)
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
        users::rename_user(self, username, display_name)
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
        users::copy_user(self, source, new_username, display_name)
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
        users::delete_user(self, username, transfer_to)
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
        users::set_user_admin(self, username, level)
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
        users::update_user(self, username, edit)
    }

    // --- Teams ---

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
        teams::add_team(self, id, team)
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
        teams::copy_team(self, source, new_id)
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
        teams::add_team_member(self, team, user)
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
        teams::remove_team_member(self, team, user)
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
        teams::deactivate_team(self, id, transfer_to)
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
        teams::activate_team(self, id)
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
        teams::delete_team(self, id, transfer_to)
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
        teams::set_team_admin(self, id, level)
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
        teams::update_team(self, id, edit)
    }

    // --- Roles ---

    /// Adds a role under `parent` (or at the top), holding `profiles` (at least one).
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `duplicate_key`, `role_without_profile`, `unknown_reference`, `not_permitted`.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let mut p = Policy::from_json(r#"{"version":1,"profiles":{"p":{}},"roles":{"boss":{"profiles":["p"]}},
    ///   "users":{"root":{"admin":"admin"}}}"#)?;
    /// p.admin("root").add_role("rep", Some("boss"), &["p"])?;
    /// assert_eq!(p.roles["rep"].parent.as_deref(), Some("boss"));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn add_role(
        &mut self,
        id: &str,
        parent: Option<&str>,
        profiles: &[&str],
    ) -> Result<AuditEvent, PolicyError> {
        roles::add_role(self, id, parent, profiles)
    }

    /// Moves a role under another parent (or to the top).
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `role_cycle` when `parent` lies inside the role's own subtree; `unknown_reference`;
    /// `not_permitted`.
    ///
    /// ```
    /// use permatrix::{ErrorCode, Policy};
    /// let mut p = Policy::from_json(r#"{"version":1,"profiles":{"p":{}},
    ///   "roles":{"a":{"profiles":["p"]},"b":{"parent":"a","profiles":["p"]}},"users":{"root":{"admin":"admin"}}}"#)?;
    /// assert_eq!(p.admin("root").move_role("a", Some("b")).unwrap_err().code(), ErrorCode::RoleCycle);
    /// p.admin("root").move_role("b", None)?;
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn move_role(&mut self, id: &str, parent: Option<&str>) -> Result<AuditEvent, PolicyError> {
        roles::move_role(self, id, parent)
    }

    /// Deletes a role: its users, team entries, rules and picklist bindings pass to
    /// `transfer_to`, and its child roles move up to its parent (CRM+ 8.1.6.5).
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `invalid_transfer` when `transfer_to` is no role, or is the role itself or lies in
    /// its subtree; `unknown_reference`; `not_permitted`.
    ///
    /// ```
    /// use permatrix::{Policy, admin::TransferTarget};
    /// let mut p = Policy::from_json(r#"{"version":1,"profiles":{"p":{}},
    ///   "roles":{"top":{"profiles":["p"]},"mid":{"parent":"top","profiles":["p"]},"low":{"parent":"mid","profiles":["p"]}},
    ///   "users":{"root":{"admin":"admin"},"u":{"roles":["mid"]}}}"#)?;
    /// p.admin("root").delete_role("mid", TransferTarget::role("top"))?;
    /// assert_eq!(p.roles["low"].parent.as_deref(), Some("top"));
    /// assert_eq!(p.users["u"].roles, vec!["top".to_string()]);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn delete_role(
        &mut self,
        id: &str,
        transfer_to: TransferTarget,
    ) -> Result<AuditEvent, PolicyError> {
        roles::delete_role(self, id, transfer_to)
    }

    // --- Profiles ---

    /// Creates a profile, empty or from the "allow all" template.
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `duplicate_key`; `not_permitted`.
    ///
    /// ```
    /// use permatrix::{Policy, policy::Access, admin::ProfileTemplate};
    /// let mut p = Policy::from_json(r#"{"version":1,"modules":{"m":{"tools":["pdf"]}},"users":{"root":{"admin":"admin"}}}"#)?;
    /// p.admin("root").add_profile("all", ProfileTemplate::AllowAll)?;
    /// assert_eq!(p.profiles["all"].modules["m"].access, Access::On);
    /// assert_eq!(p.profiles["all"].modules["m"].tools["pdf"], true);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn add_profile(
        &mut self,
        id: &str,
        template: ProfileTemplate,
    ) -> Result<AuditEvent, PolicyError> {
        profiles::add_profile(self, id, template)
    }

    /// Copies a profile with everything it allows and denies.
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `duplicate_key`; `unknown_reference`; `not_permitted`.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let mut p = Policy::from_json(r#"{"version":1,"profiles":{"sales":{"view_all":true}},"users":{"root":{"admin":"admin"}}}"#)?;
    /// p.admin("root").copy_profile("sales", "sales_2")?;
    /// assert!(p.profiles["sales_2"].view_all);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn copy_profile(&mut self, source: &str, new_id: &str) -> Result<AuditEvent, PolicyError> {
        profiles::copy_profile(self, source, new_id)
    }

    /// Deletes a profile; `replacement` takes its place in every role and as every team
    /// ceiling (CRM+ 8.1.5.3).
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `invalid_transfer` when `replacement` is no profile, or the profile itself; `unknown_reference`;
    /// `not_permitted`.
    ///
    /// ```
    /// use permatrix::{Policy, admin::TransferTarget};
    /// let mut p = Policy::from_json(r#"{"version":1,"profiles":{"old":{},"new":{}},
    ///   "roles":{"r":{"profiles":["old","new"]}},"users":{"root":{"admin":"admin"}}}"#)?;
    /// p.admin("root").delete_profile("old", TransferTarget::profile("new"))?;
    /// assert_eq!(p.roles["r"].profiles, vec!["new".to_string()]);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn delete_profile(
        &mut self,
        id: &str,
        replacement: TransferTarget,
    ) -> Result<AuditEvent, PolicyError> {
        profiles::delete_profile(self, id, replacement)
    }

    /// Changes a profile with `edit`.
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// Any validation error of the result; `not_permitted`.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let mut p = Policy::from_json(r#"{"version":1,"profiles":{"p":{}},"users":{"root":{"admin":"admin"}}}"#)?;
    /// p.admin("root").update_profile("p", |pr| pr.view_all = true)?;
    /// assert!(p.profiles["p"].view_all);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn update_profile(
        &mut self,
        id: &str,
        edit: impl FnOnce(&mut Profile),
    ) -> Result<AuditEvent, PolicyError> {
        profiles::update_profile(self, id, edit)
    }

    // --- Modules and sharing rules ---

    /// Adds a module. Profiles with `auto_allow_new_modules` get full access to it (`on`,
    /// every scope `all`, every tool on); all others have it `off` (Salesware).
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `duplicate_key`; `not_permitted` (area `module_manager`).
    ///
    /// ```
    /// use permatrix::{Policy, policy::{Access, Module}};
    /// let mut p = Policy::from_json(r#"{"version":1,"profiles":{"auto":{"auto_allow_new_modules":true},"plain":{}},
    ///   "users":{"root":{"admin":"admin"}}}"#)?;
    /// p.admin("root").add_module("invoices", Module::default())?;
    /// assert_eq!(p.profiles["auto"].modules["invoices"].access, Access::On);
    /// assert!(!p.profiles["plain"].modules.contains_key("invoices"));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn add_module(&mut self, id: &str, module: Module) -> Result<AuditEvent, PolicyError> {
        modules::add_module(self, id, module)
    }

    /// Declares a tool on a module and enables it in every profile with
    /// `auto_allow_new_modules` ([administration](crate::doc::semantics#administration)). A profile that does not list the module gets an
    /// entry for it with the tool on; the tool still needs access to the module to be used.
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `duplicate_key` for a tool already declared; `unknown_reference`; `not_permitted`.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let mut p = Policy::from_json(r#"{"version":1,"modules":{"m":{}},
    ///   "profiles":{"auto":{"auto_allow_new_modules":true,"modules":{"m":{"access":"on"}}},
    ///               "later":{"auto_allow_new_modules":true}},
    ///   "users":{"root":{"admin":"admin"}}}"#)?;
    /// p.admin("root").add_tool("m", "pdf_export")?;
    /// assert_eq!(p.profiles["auto"].modules["m"].tools["pdf_export"], true);
    /// assert_eq!(p.profiles["later"].modules["m"].tools["pdf_export"], true);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn add_tool(&mut self, module: &str, tool: &str) -> Result<AuditEvent, PolicyError> {
        modules::add_tool(self, module, tool)
    }

    /// Sets a module's organisation-wide default.
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `sharing_locked` for a module whose default is locked (the calendar);
    /// `unknown_reference`; `not_permitted` (area `module_settings`).
    ///
    /// ```
    /// use permatrix::{ErrorCode, Policy, policy::Sharing};
    /// let mut p = Policy::from_json(r#"{"version":1,"modules":{"calendar":{"sharing_locked":true},"leads":{}},
    ///   "users":{"root":{"admin":"admin"}}}"#)?;
    /// assert_eq!(p.admin("root").set_module_sharing("calendar", Sharing::PublicRead).unwrap_err().code(), ErrorCode::SharingLocked);
    /// p.admin("root").set_module_sharing("leads", Sharing::PublicRead)?;
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn set_module_sharing(
        &mut self,
        module: &str,
        sharing: Sharing,
    ) -> Result<AuditEvent, PolicyError> {
        modules::set_module_sharing(self, module, sharing)
    }

    /// Adds a custom sharing rule.
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `unknown_reference`; `not_permitted` (area `sharing_rules`).
    ///
    /// ```
    /// use permatrix::{Policy, policy::{Principal, ShareAccess, SharingRule}};
    /// let mut p = Policy::from_json(r#"{"version":1,"modules":{"leads":{}},"users":{"root":{"admin":"admin"},"a":{}}}"#)?;
    /// p.admin("root").add_sharing_rule(SharingRule {
    ///     module: "leads".into(), from: Principal::User("a".into()), to: Principal::User("root".into()),
    ///     access: ShareAccess::Read,
    /// })?;
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn add_sharing_rule(&mut self, rule: SharingRule) -> Result<AuditEvent, PolicyError> {
        modules::add_sharing_rule(self, rule)
    }

    /// Removes the sharing rule at `index`.
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
    /// assert!(p.admin("root").remove_sharing_rule(0).is_err());
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn remove_sharing_rule(&mut self, index: usize) -> Result<AuditEvent, PolicyError> {
        modules::remove_sharing_rule(self, index)
    }

    // --- Calendars and picklists ---

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
        calendars::add_calendar_share(self, share)
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
        calendars::remove_calendar_share(self, index)
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
        calendars::set_team_calendar(self, team, calendar)
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
        calendars::set_calendar_rights(self, team, user, rights)
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
        calendars::set_picklist(self, module, field, picklist)
    }

    // --- Settings ---

    /// Changes the organisation-wide settings with `edit`.
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// Any validation error; `license_limit` never (seats may shrink below the billable
    /// users: activation is what refuses); `not_permitted` (area `settings`).
    ///
    /// ```
    /// use permatrix::{Policy, policy::Merge};
    /// let mut p = Policy::from_json(r#"{"version":1,"users":{"root":{"admin":"admin"}}}"#)?;
    /// p.admin("root").update_settings(|s| s.merge = Merge::Subtractive)?;
    /// assert_eq!(p.settings.merge, Merge::Subtractive);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn update_settings(
        &mut self,
        edit: impl FnOnce(&mut Settings),
    ) -> Result<AuditEvent, PolicyError> {
        settings::update_settings(self, edit)
    }
}
