//! # Concepts: the words of the CRM products, and permatrix's
//!
//! permatrix was drawn from four CRM products' help pages (German): MiniCRM, 1CRM (a
//! SugarCRM descendant), CRM+ (a vtiger descendant) and Salesware. An administrator of
//! one of them finds their screens here under these names.
//!
//! ## Words
//!
//! | on the product's screens | in permatrix |
//! |---|---|
//! | Modul, Entität | a module ([`Module`](crate::policy::Module)) |
//! | Datensatz | a record: its module, owner, linked teams and shares ([`Record`](crate::Record)) |
//! | Anzeigen, Listen, Erstellen, Bearbeiten, Löschen, Importieren, Exportieren, Berichte | the actions `view list create edit delete import export report` ([`Action`](crate::Action)) |
//! | Alles, Team, Rolle, Besitzer, Admin, Nichts | the scopes `all team role owner admin none` ([`Scope`](crate::policy::Scope)) |
//! | Werkzeuge, Funktionen | a module's tools (`merge_duplicates`, `pdf_export` …) |
//! | Profil, Berechtigungsmatrix | a profile ([`Profile`](crate::policy::Profile)); a user's matrix is [`Authorizer::matrix`](crate::Authorizer::matrix) |
//! | Rolle | a role ([`Role`](crate::policy::Role)), optionally below a parent |
//! | Team, Gruppe, Benutzergruppe | a team ([`Team`](crate::policy::Team)) |
//! | Rechte neu berechnen | compile a new authorizer and swap it in ([`LiveAuthorizer`](crate::LiveAuthorizer)) |
//!
//! ## MiniCRM
//!
//! | MiniCRM | permatrix |
//! |---|---|
//! | Owner/Admin | a user with `admin: admin` |
//! | Manager, sees every record | a role whose profile grants `all` |
//! | User, sees their own and what is shared with them | a role granting `owner`, plus record shares |
//! | External | a user with `kind: external` (reading only, unless `external_access: as_granted`) |
//! | custom permissions per user | the user's `overrides` |
//! | deactivate (keeps the data, frees a seat), reactivate | `status`, `licenses`, [`Admin::deactivate_user`](crate::Admin::deactivate_user) |
//!
//! ## 1CRM
//!
//! | 1CRM | permatrix |
//! |---|---|
//! | access Off / Restricted / On | a profile's module `access`: `off`, `read_only`, `on` |
//! | scopes All / Team / Role / Owner / Admin / None | action scopes |
//! | the Standard role | `settings.default_role` |
//! | additive or subtractive rights | `settings.merge` |
//! | a team that carries a role | a team's `role` |
//! | teams of new records (creator, assignee, related record) | `settings.team_inheritance`, [`Authorizer::new_record_teams`](crate::Authorizer::new_record_teams) |
//! | merge duplicates | [`Authorizer::merge_order`](crate::Authorizer::merge_order), [`Authorizer::offers_merge`](crate::Authorizer::offers_merge) |
//! | users are never deleted, only deactivated and renamed | `settings.user_deletion: forbidden` |
//! | info-only accounts (an online shop) | `kind: system` |
//!
//! ## CRM+ (vtiger)
//!
//! | CRM+ | permatrix |
//! |---|---|
//! | Admin, CustomerAdmin, Superuser | the admin levels `admin`, `customer_admin`, `superuser`, with `settings.admin_areas` |
//! | delete a user with a transfer; the username never changes; copy a user | [`Admin::delete_user`](crate::Admin::delete_user), [`Admin::copy_user`](crate::Admin::copy_user) |
//! | organisation-wide defaults; the calendar is always private; modules without owners | a module's `sharing`, `sharing_locked`, `owned` |
//! | custom sharing rules | `sharing_rules` |
//! | groups nested, by role, by role and subordinates | a team's `teams`, `roles`, `roles_and_subordinates` |
//! | profiles: view all, edit all, fields, tools, the union of several profiles | `view_all`, `edit_all`, field access, tools; a role joins its profiles |
//! | role hierarchy; move and delete roles with a transfer | a role's `parent`; [`Admin::move_role`](crate::Admin::move_role), [`Admin::delete_role`](crate::Admin::delete_role) |
//! | Gruppenkalender, Gruppenkalenderrechte, Kalenderfreigaben | a team's `calendar` and `calendar_rights`, `calendar_shares`; [`Authorizer::calendar_access`](crate::Authorizer::calendar_access) |
//! | rollengebundene Auswahllisten | a field's `picklist` with `role_bound`; [`Authorizer::picklist_values`](crate::Authorizer::picklist_values) |
//!
//! ## Salesware
//!
//! | Salesware | permatrix |
//! |---|---|
//! | user groups carry the permissions | a team's `role` (and `ceiling`) |
//! | at least one active group to sign in | `settings.login_requires_active_team`, [`Authorizer::login`](crate::Authorizer::login) |
//! | second factor per group, overriding the user's | a team's `factors` |
//! | result set limit | a team's `result_limit` |
//! | Administrator and CRM permission structures, fixed once set | a team's `admin` and `role`, `ceiling`, `admin_bypass: false` |
//! | a group's structure bounds what its members may receive | a team's `ceiling` |
//! | the last administrator group cannot be deleted or deactivated | the `last_admin_team` refusal |
//! | copy a group | [`Admin::copy_team`](crate::Admin::copy_team) |
//! | new entities allowed automatically | a profile's `auto_allow_new_modules` |
//! | how many administrators may be signed in at once | `settings.max_admin_sessions`, [`AdminSeats`](crate::seats::AdminSeats) |
