//! # The policy document
//!
//! A policy is one JSON object, read by [`Policy::from_json`](crate::Policy::from_json)
//! and written by [`Policy::to_json`](crate::Policy::to_json). Every key but `version`
//! may be left out (it is then empty, or takes the default below). Maps are keyed by id;
//! ids are non-empty strings and keep the order they are written in. A key the reader
//! does not know, a value of the wrong shape, or a key written twice is an error.
//!
//! ```json
//! {
//!   "version": 1,
//!   "settings": { "merge": "additive", "default_role": "staff" },
//!   "modules": { "deals": { "sharing": "private", "fields": { "margin": {} }, "tools": ["pdf_export"] } },
//!   "profiles": { "sales": { "modules": { "deals": { "access": "on",
//!       "actions": { "view": "team", "list": "team", "edit": "owner" },
//!       "fields": { "margin": "hidden" }, "tools": { "pdf_export": true } } } } },
//!   "roles": { "staff": { "profiles": ["sales"] }, "rep": { "parent": "staff", "profiles": ["sales"] } },
//!   "teams": { "north": { "key": 11, "users": ["nils"], "role": "rep" } },
//!   "users": { "nils": { "key": 102, "display_name": "Nils", "roles": ["rep"] } },
//!   "sharing_rules": [ { "module": "deals", "from": { "team": "north" }, "to": { "user": "nils" }, "access": "read" } ]
//! }
//! ```
//!
//! ## Top level
//!
//! | key | holds |
//! |---|---|
//! | `version` | `1`, required: a document without it, or with another number, is refused |
//! | `settings` | the settings below |
//! | `modules` | module id → module |
//! | `profiles` | profile id → profile |
//! | `roles` | role id → role |
//! | `teams` | team id → team |
//! | `users` | username → user (the username never changes) |
//! | `sharing_rules` | a list of sharing rules |
//! | `calendar_shares` | a list of calendar shares |
//!
//! ## Modules
//!
//! | key | default | meaning |
//! |---|---|---|
//! | `name` | none | display name |
//! | `key` | none | the host's key: an integer or a non-empty string, unique among modules |
//! | `sharing` | `private` | organisation-wide default: `private`, `public_read`, `public_read_write`, `public_read_write_delete` |
//! | `hierarchy` | `true` | superiors act as owners of their subordinates' records |
//! | `owned` | `true` | `false`: the module has no owners, a grant reaches every record |
//! | `sharing_locked` | `false` | administration may not change `sharing` (the calendar) |
//! | `fields` | none | field name → `{ "mandatory": bool, "picklist": { "role_bound": bool, "values": [ { "value", "roles": [role ids] } ] } }` |
//! | `tools` | none | the module's tool names, each once |
//!
//! ## Profiles
//!
//! | key | default | meaning |
//! |---|---|---|
//! | `name` | none | display name |
//! | `modules` | none | module id → grant; a module left out is `off` |
//! | `view_all` | `false` | at least `read_only` on every module, `view` and `list` reach everything |
//! | `edit_all` | `false` | `on` everywhere, `view`, `list` and `edit` reach everything; needs `view_all` |
//! | `auto_allow_new_modules` | `false` | modules added later start `on`, `all`, every tool on |
//!
//! A module's grant: `access` (`off`, `read_only`, `on`; default `off`), `actions`
//! (action → scope; an action left out is `none`), `fields` (field → `hidden`,
//! `read_only` or `read_write`; left out is `read_write`), `tools` (tool → bool; left out
//! is off). Actions: `view list create edit delete import export report`. Scopes:
//! `none admin owner role team all`.
//!
//! ## Roles
//!
//! | key | default | meaning |
//! |---|---|---|
//! | `name` | none | display name |
//! | `parent` | none | the role above; parents may not form a cycle |
//! | `profiles` | required | at least one profile id |
//!
//! ## Teams
//!
//! | key | default | meaning |
//! |---|---|---|
//! | `name` | none | display name |
//! | `key` | none | the host's key, unique among teams |
//! | `users` | none | usernames of direct members |
//! | `teams` | none | nested teams whose members belong here too (no cycles) |
//! | `roles` | none | every user with one of these as a direct role is a member |
//! | `roles_and_subordinates` | none | every user with a direct role at or below one of these is a member |
//! | `role` | none | a role every member holds through the team |
//! | `ceiling` | none | a profile bounding what `role` gives through this team |
//! | `active` | `true` | an inactive team has no members for any purpose |
//! | `factors` | none | second factors its members must present |
//! | `admin` | `none` | admin level conferred on members; fixed once the team exists |
//! | `result_limit` | none | most search results for members |
//! | `calendar` | `false` | the team has a calendar |
//! | `calendar_rights` | none | member → `{ "create_edit": bool, "delete": bool }` |
//!
//! ## Users
//!
//! | key | default | meaning |
//! |---|---|---|
//! | `display_name` | none | the name people see; may change |
//! | `key` | none | the host's key, unique among users |
//! | `status` | `active` | `invited`, `active` or `inactive` |
//! | `kind` | `internal` | `internal`, `external`, or `system` (owns records, never signs in, never billable) |
//! | `roles` | none | direct roles (the default role never counts as one) |
//! | `admin` | `none` | `none`, `superuser`, `customer_admin`, `admin` |
//! | `factors` | none | the user's own second factors |
//! | `overrides` | none | module id → any of `access`, `actions`, `fields`, `tools`, replacing the merged value |
//!
//! ## Sharing rules and calendar shares
//!
//! A sharing rule is `{ "module", "from", "to", "access" }` with `access` one of `read`,
//! `read_write`, `full`. A principal is `{ "user": id }`, `{ "team": id }`,
//! `{ "role": id }` or `{ "role_and_subordinates": id }`. A calendar share is
//! `{ "owner": { "user": id } | { "team": id }, "to": principal, "level" }` with `level`
//! one of `busy`, `titles`, `details`, `edit`, `deputy_read_write`, `deputy_full`.
//!
//! ## Settings
//!
//! | key | default | meaning |
//! |---|---|---|
//! | `merge` | `additive` | `additive`: the most any source grants; `subtractive`: the least all grant |
//! | `default_role` | none | a role every user holds implicitly |
//! | `admin_bypass` | `true` | `admin` and `customer_admin` skip data checks |
//! | `external_access` | `read_only` | `read_only` keeps external users to reading; `as_granted` does not |
//! | `login_requires_active_team` | `false` | no active team, no sign-in |
//! | `system_factors` | none | second factors everyone must present |
//! | `licenses` | none | seats for billable users (internal and active); none is unlimited |
//! | `team_inheritance` | `["creator"]` | which teams new records take: any of `creator`, `assignee`, `related`, each once |
//! | `user_deletion` | `with_transfer` | or `forbidden`: users are deactivated and renamed, never deleted |
//! | `admin_areas` | see below | `{ "customer_admin_denied": [areas], "superuser_denied": [areas] }` |
//! | `max_admin_sessions` | none | how many administrators may be signed in at once |
//!
//! `admin_areas` defaults to `customer_admin_denied: ["events"]` and `superuser_denied:
//! ["module_manager", "module_settings", "email_scanner", "customer_portal", "cronjobs",
//! "events", "crm_configurator", "wiki", "webforms", "ftp_backup"]`.
//!
//! ## Refusals
//!
//! A document, or a change to one, is refused with a stable [`ErrorCode`](crate::ErrorCode)
//! and the path of the first offending item found (`roles.rep.parent`,
//! `teams.north.users[2]`). The reader refuses shape (`malformed`,
//! `unsupported_version`, repeated keys) before anything else; validation then walks
//! settings, modules, profiles, roles, teams, users and rules in that order:
//!
//! | code | when |
//! |---|---|
//! | `malformed` | not JSON, not of the document's shape, an unknown key, an empty id, an id with a control or format character |
//! | `unsupported_version` | a `version` other than 1 |
//! | `limit_exceeded` | past one of the policy's [`Limits`](crate::policy::Limits) |
//! | `duplicate_key` | a key written twice, a tool or `team_inheritance` entry repeated, a host key used twice, a list naming the same id twice (a team's users, teams or roles, a user's roles, a role's profiles, a picklist value's roles) |
//! | `ambiguous_id` | two ids of one section that people could mistake for each other ([below](#ids-people-read)) |
//! | `unknown_reference` | a name that is not declared: a role, profile, team, user, module, field or tool |
//! | `edit_all_requires_view_all` | `edit_all` without `view_all` |
//! | `mandatory_field_restricted` | a mandatory field made `hidden` or `read_only` |
//! | `role_without_profile` | a role with no profile |
//! | `role_cycle` | roles that are their own ancestors |
//! | `team_cycle` | teams nested in themselves |
//!
//! Host keys are checked last, after everything above.
//!
//! ## Ids people read
//!
//! Users, teams, roles, profiles and modules are named by ids that administrators read in
//! reports, explanations and audit trails, so no two may look alike. Every section is
//! checked when a document is read, on every administration change (an invite, a copy, a
//! new team, role, profile or module) and on a policy store's import:
//! - an id holding a control or format character (Unicode categories `Cc` and `Cf`: NUL,
//!   line breaks, tabs, bidirectional overrides, zero-width characters) is `malformed`,
//!   and the error's path spells the character as an escape (`users.ro\u{200b}ot`);
//! - two ids that are equal after NFKC normalisation and case folding (`Bob` and `bob`,
//!   `josé` composed and decomposed) are `ambiguous_id`;
//! - so are two ids with the same Unicode confusables skeleton (UTS #39: Latin `root` and
//!   `rооt` with Cyrillic `о`; also `l` and `1`, `O` and `0`, `rn` and `m`);
//! - and, going beyond the two rules above, two ids whose case-folded forms share a
//!   skeleton (`Bob` and `bоb` with a Cyrillic `о`).
//!
//! The error names both ids and sits at the later one's path. The names of a module's
//! fields and tools are checked the same way, within their module. Display names are not
//! ids: two users may both be "Anna Schmidt".
