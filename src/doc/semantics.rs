//! # Semantics: what every decision means
//!
//! ## Words
//!
//! | word | what it is |
//! |---|---|
//! | module | a kind of record: accounts, contacts, deals, the calendar … |
//! | record | one row of a module; permatrix sees only its module, owner, linked teams and shares ([`Record`](crate::Record)) |
//! | action | `view`, `list`, `create`, `edit`, `delete`, `import`, `export`, `report` ([`Action`](crate::Action)) |
//! | tool | a named function of a module that is on or off for a user (`merge_duplicates`, `pdf_export` …) |
//! | scope | how far a granted action reaches: `all`, `team`, `role`, `owner`, `admin`, `none` ([`Scope`](crate::policy::Scope)) |
//! | profile | a reusable set of permissions: per module an access level, a scope per action, field access and tools |
//! | role | a named position holding one or more profiles, optionally below a parent role |
//! | team | a set of users that records link to; it may confer a role, an admin level and sign-in factors |
//! | policy | all of the above with users, sharing rules and settings ([`Policy`](crate::Policy)) |
//! | authorizer | the compiled, immutable snapshot that answers questions ([`Authorizer`](crate::Authorizer)) |
//! | cell | one user's grant for one module and action, worked out when compiling ([`Cell`](crate::authorizer::Cell)) |
//!
//! Read actions are `view list export report`; write actions are
//! `create edit delete import`. `create` and `import` concern no existing record and are
//! asked with [`can_module`](crate::Authorizer::can_module); the other six concern one
//! record. Each action stands alone: a grant of `edit` does not need `view`.
//!
//! ## Team membership
//!
//! A team's members are its listed users, the members of the active teams nested in it,
//! every user whose *direct* roles include one of its `roles`, and every user with a direct
//! role at or below one of its `roles_and_subordinates`, all worked out transitively.
//! An inactive team has no members at all: it confers nothing, matches no record, and a
//! rule naming it matches nobody.
//!
//! A user's effective admin level is the highest of their own `admin` and the levels their
//! active teams confer: `none` < `superuser` < `customer_admin` < `admin`.
//!
//! ## Grants
//!
//! A cell takes one of seven values. For the record's owner every value but `none`
//! reaches the record; for anyone else:
//!
//! | cell | reaches |
//! |---|---|
//! | `none` | nothing, not even the user's own records |
//! | `owner` | only the user's own records |
//! | `role∧team` | records whose owning user shares a direct role with the user *and* that are linked to one of the user's teams |
//! | `role` | records whose owning user shares a direct role with the user |
//! | `team` | records linked to a team the user is a member of |
//! | `role∨team` | either of the two above |
//! | `all` | every record of the module |
//!
//! Scopes become cells by name, except `admin`, which is `all` for users whose effective
//! level is `admin` or `customer_admin` and `none` for everyone else. The seven values
//! form a lattice: combining two grants with *join* keeps whatever either reaches, with
//! *meet* only what both reach.
//!
//! A user's cell for a module and action is worked out in these **grant steps**:
//!
//! 1. **Each profile.** Take the module's entry (a module missing from a profile is
//!    `off`). `view_all` raises every module's access to at least `read_only`, `edit_all`
//!    to `on`. Then the access caps the entry: `off` makes every cell `none`, every field
//!    `hidden` and every tool off; `read_only` makes `create edit delete import` `none`
//!    and fields at most `read_only`. Last, `view_all` sets `view` and `list` to `all`, and
//!    `edit_all` sets `view`, `list` and `edit` to `all`.
//! 2. **Each role** is the join of its profiles: the highest access, cell, field access
//!    and tool of any of them, whatever the merge setting.
//! 3. **Sources.** The user's sources are the default role, their direct roles, and the
//!    roles their active teams confer; a role conferred by a team with a `ceiling` is
//!    first met with the ceiling profile. A role reached in two ways counts twice.
//! 4. **Merge** the sources: `additive` joins them (the most any source grants),
//!    `subtractive` meets them (the least every source grants). No source at all leaves
//!    everything denied.
//! 5. **Overrides** on the user replace what they name (access, cells, fields, tools);
//!    the access then caps the result again as in step 1.
//! 6. **Caps.** An external user under `external_access: read_only` loses the write
//!    actions and keeps fields at most `read_only`. A user who is not `active` is denied
//!    everything (checked at decision step 2, so (de)activation needs no compile).
//! 7. **Organisation-wide default.** When the cell is not `none` and the module's
//!    `sharing` grants the action (`public_read`: the read actions; `public_read_write`:
//!    also `create` and `edit`; `public_read_write_delete`: also `delete`), the cell
//!    becomes `all`.
//!
//! ## Decision steps
//!
//! [`can`](crate::Authorizer::can) denies unless a step allows; the first step that decides
//! is the answer, and [`explain`](crate::Authorizer::explain) names it by number
//! ([`Step`](crate::explain::Step)):
//!
//! 1. **Unknown id.** An id this authorizer did not issue — the user, the module, the
//!    owner, a linked team or a share's principal — denies (the `try_` forms return the
//!    error).
//! 2. **Not active.** A user who is `invited` or `inactive` is denied.
//! 3. **Admin bypass.** With `admin_bypass` on, a user whose effective level is `admin`
//!    or `customer_admin` is allowed.
//! 4. **No grant.** The cell is `none`: deny.
//! 5. **Module-wide.** A module without owners (`owned: false`) or a module-level action
//!    (`create`, `import`): allow; the record is not looked at.
//! 6. **The cell reaches the record**, judged by three facts: *owner* (the user owns it,
//!    is a member of the owning team, or — when the module has `hierarchy` — one of their
//!    direct roles is above one of the owning user's direct roles); *role match* (the
//!    owning user shares a direct role with them); *team match* (they are a member of one
//!    of the record's teams). Allow when the cell reaches the record with these facts.
//! 7. **Sharing.** A sharing rule of the module whose `from` matches the record and whose
//!    `to` includes the user, or a share on the record whose principal includes the user,
//!    at a level that reaches the action (`read`: read actions; `read_write`: also `edit`;
//!    `full`: also `delete`): allow.
//! 8. **Not reached:** deny.
//!
//! A rule's `from` matches a record whose owning user is one of the principal's users, or
//! whose owning team is that very team (not one nested in it).
//!
//! ## Fields, tools and limits
//!
//! - [`field_access`](crate::Authorizer::field_access): `hidden` for a user who is not
//!   active; `read_write` for a bypassing admin; `hidden` on an `off` module; at most
//!   `read_only` on a `read_only` module; a mandatory field is `read_write` wherever the
//!   module is `on` (`read_only` for a capped external user); otherwise the merged value.
//!   Editing a field takes both `edit` on the record and `read_write` on the field.
//! - [`can_use_tool`](crate::Authorizer::can_use_tool): an active user, the tool on in
//!   the merged grants, the module not `off`; bypassing admins may use every tool.
//! - [`result_limit`](crate::Authorizer::result_limit): over the user's active teams that
//!   set one, the largest (`additive`) or smallest (`subtractive`); none set means no
//!   limit.
//! - [`merge_order`](crate::Authorizer::merge_order): which of two duplicates survives. The
//!   user must be able to `edit` the one kept and `delete` the other; the first order that
//!   works wins. [`offers_merge`](crate::Authorizer::offers_merge) says whether to show the
//!   function at all: an `edit` grant that is not `none`, and the `merge_duplicates` tool
//!   when the module declares it.
//!
//! ## List filters
//!
//! [`filter`](crate::Authorizer::filter) turns "which records of this module may the
//! user `list`?" into a condition on the record's owner, linked teams and shares that
//! holds exactly for the records [`can`](crate::Authorizer::can) allows, and
//! [`Filter::to_sql`](crate::Filter::to_sql) into a parameterised `WHERE` fragment for
//! SQLite or PostgreSQL ([`SqlSchema`](crate::SqlSchema) describes the host's tables).
//!
//! ## Administration
//!
//! Every change goes through [`Policy::admin`](crate::Policy::admin) (or
//! [`admin_as_host`](crate::Policy::admin_as_host)) and is atomic: it is validated and
//! applied whole, or refused with a code and nothing changes. Each success returns an
//! [`AuditEvent`](crate::AuditEvent).
//!
//! - **Levels.** `admin` may do everything. `customer_admin` may do everything except
//!   the areas in `settings.admin_areas.customer_admin_denied` (by default `events`).
//!   `superuser` is further denied `superuser_denied` (by default `module_manager`,
//!   `module_settings`, `email_scanner`, `customer_portal`, `cronjobs`, `events`,
//!   `crm_configurator`, `wiki`, `webforms`, `ftp_backup`), and enters the
//!   `layout_editor` only for modules where their own access is `on`. Nobody confers a
//!   level above their own. Areas are the host's strings ([`areas`](crate::authorizer::areas) names
//!   the built-in ones).
//! - **Guards below `admin`.** A `customer_admin` or `superuser` is refused
//!   (`not_permitted`) any change that, compared before and after: touches a setting that
//!   bounds administrators (`admin_areas`, `admin_bypass`, `licenses`,
//!   `max_admin_sessions`, `system_factors`, `login_requires_active_team`,
//!   `external_access`, `user_deletion`); touches a user at or above `customer_admin` —
//!   their record, memberships, sign-in, or a team or role that makes them a member; grants
//!   the actor anything of their own — their record (beyond their display name, a lower
//!   level, or deactivating themselves), their memberships, the roles and profiles they
//!   hold, a team they belong to, a rule or share to them; sets or changes a host key; or
//!   names as the heir of a deletion someone whose records they reach further than the
//!   deleted owner's.
//! - **Judged by effect, on every answer.** Beside those rules, both policies are compiled
//!   and compared answer by answer, by the same comparison as [`diff`](crate::diff()): no
//!   answer about the actor may widen (a decision on any record, module access, a field
//!   or tool, calendar access — dormant shares that wake included —, picklist values and
//!   adding to them, the result limit, admin level and areas, sign-in and its factors, team
//!   memberships), whether or not their data checks are bypassed (the bypass settles data
//!   answers, not the result limit, sign-in or areas); and no answer about a user at or
//!   above `customer_admin` may change at all. A change of a setting that is not admin-only
//!   (`merge`, `team_inheritance`, the default role), of a team's or calendar's active
//!   state, or of a picklist binding is judged like any other.
//! - **Other refusals.** `license_limit` (activating a billable user with every seat
//!   taken), `user_deletion_forbidden`, `invalid_transfer`, `last_admin` (no active
//!   `admin` would be left), `last_admin_team`, `sharing_locked`, `immutable` (usernames,
//!   a team's conferred level), and every validation code.
//! - **Users** are invited (`invited`), activated, deactivated, reactivated, renamed
//!   (display name), copied (roles, teams, overrides, factors; not the host key) and
//!   deleted with an heir who takes over their records (unless deletion is forbidden).
//! - **Roles** are added at the top or below a parent, moved, and deleted with a role that
//!   takes over their users; their children move up.
//! - **Profiles** start empty or from the "allow all" template, are copied, and are
//!   deleted with a replacement that takes their place everywhere.
//! - **Teams** are copied ("… - Copy", same members and settings), deactivated or deleted
//!   (not the last active team conferring `admin`); the event lists users left without an
//!   active team.
//! - **Modules** added later are `on` with `all` scopes and every tool in profiles with
//!   `auto_allow_new_modules`, `off` elsewhere.
//!
//! ## Sign-in and new records
//!
//! [`login`](crate::Authorizer::login) refuses, in this order, a user who is not active,
//! a system account, and — with `login_requires_active_team` — a user in no active team;
//! otherwise it names the second factors needed: the system's, the user's own and their
//! active teams'. [`new_record_teams`](crate::Authorizer::new_record_teams) gives the teams
//! a new record is linked to: the union of the sources `team_inheritance` names — the
//! creator's active teams, the assignee's, the related record's teams.
//!
//! ## Explanations and matrices
//!
//! [`explain`](crate::Authorizer::explain) gives the decision, its step, the cell, each
//! source with what its profiles gave, and the facts about the record (its owner, teams,
//! the role path of a superior). [`matrix`](crate::Authorizer::matrix) renders a user's
//! modules × actions as text, Markdown, CSV or JSON.
//!
//! [`diff`](crate::diff()) is the change preview: for every user, every (module, action)
//! whose decision changes on some record, and why — the cell, the teams they are in
//! (membership, nesting, a team's active state), the subordinates they own as a superior,
//! the users sharing a direct role, the owners sharing rules share with them, the
//! principals record shares may name, a module gaining or losing owners or hierarchy —
//! and every change in the active state and bypass, module access, fields, tools,
//! calendar access, picklist values and adding them, sign-in, the result limit, the admin
//! level and areas, team memberships and host keys; plus the ids and settings added,
//! removed or changed for the policy as a whole. A deactivation is one line. An empty diff
//! is a promise: no answer differs, for any record naming ids both policies know.
//! Records naming an id one side lacks are refused by that side, and the id is listed as
//! added or removed; a field, tool, picklist or value one side lacks is listed the same
//! way, and for a user whose data checks are bypassed on both sides it is all the diff
//! says of it.
//!
//! ## Calendars, picklists and seats
//!
//! - **Calendars.** [`calendar_access`](crate::Authorizer::calendar_access) gives the
//!   level at which a user sees a user's or a team's calendar. Levels, lowest first:
//!   `busy` (date and time), `titles` (and title and place), `details` (everything, read
//!   only), `edit`, `deputy_read_write`, `deputy_full`
//!   ([`CalendarLevel`](crate::policy::CalendarLevel) says what each allows). A user has
//!   `deputy_full` on their own calendar. A team keeps a calendar when it has
//!   `calendar: true` and is active; each member sees it at `details`, at `edit` with the
//!   `create_edit` right and at `deputy_full` with both rights. Calendar shares raise the
//!   level to the highest share whose recipient includes the viewer. Bypassing admins have
//!   `deputy_full` everywhere, users who are not active nothing.
//!   [`explain_calendar`](crate::Authorizer::explain_calendar) names the share or right
//!   that decided. Calendar access is its own question: `can` on calendar records never
//!   reads calendar shares.
//! - **Picklists.** [`picklist_values`](crate::Authorizer::picklist_values) gives the
//!   values a user may pick, in declared order: the unbound ones and those bound to a role
//!   they hold (direct, default or conferred by an active team). A list that is not
//!   `role_bound` shows every value, as do bypassing admins; inactive users see none.
//!   [`can_add_picklist_value`](crate::Authorizer::can_add_picklist_value): an active
//!   user, a list that is not `role_bound`, and the `create_picklist_values` tool or an
//!   effective level of `admin` or `customer_admin`.
//! - **Administrator seats.** [`AdminSeats`](crate::seats::AdminSeats), a thread-safe register
//!   sized by `max_admin_sessions`: administrators (effective level `admin` or
//!   `customer_admin`) take a seat when they sign in; with every seat taken a sign-in is
//!   refused (`seats_taken`) naming the holders, unless forced, which signs out whoever
//!   has held a seat longest and names them. Only a user whose `login` succeeds takes a
//!   seat: anyone else is refused with the sign-in's reason, forced or not, and signs no
//!   one out.
//!
//! ## Rules that surprise
//!
//! - **The role hierarchy is global.** "Above" is judged on roles alone: a sales director
//!   is above every sales rep's role, whichever team either is in.
//! - **Only direct roles match.** The default role and roles conferred by teams never
//!   count as a shared role, for team membership by role, or as role principals.
//! - **`none` denies even the owner.** A user whose cell is `none` cannot open their own
//!   records; `owner` is the least grant that can.
//! - **Sharing widens records, never actions.** Rules and shares only run when the cell
//!   is not `none`.
//! - **Actions stand alone.** `edit` without `view` is possible; write profiles so if you
//!   want one to imply the other.
//! - **An inactive team is no team.** Deactivating a team removes everything it gives, at
//!   once, including the records it owns for anyone reaching them through it.
//! - **`subtractive` is strict.** Every source must grant: one role without the module
//!   leaves the user without it.
//! - **Deactivation is immediate.** [`Authorizer::with_user_active`](crate::Authorizer::with_user_active)
//!   and `LiveAuthorizer::set_active` need no compile; everything else waits for a new
//!   authorizer.
//! - **Ids belong to one authorizer.** Kept across a recompile they name nobody: checks
//!   deny them and `try_` forms report `stale_id`.
