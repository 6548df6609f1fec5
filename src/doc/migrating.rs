//! # Coming from casbin-rs or Cedar
//!
//! Both are general engines: you write the model (casbin) or the policies (Cedar) that say
//! what ownership, teams and role hierarchies mean. permatrix has those meanings built in,
//! as CRM administrators know them, so a policy names only who holds what. The same rules
//! in each:
//!
//! > Sales reps may view the deals linked to one of their teams and edit their own deals.
//! > Their managers may do both with their reps' deals too.
//!
//! ## casbin-rs
//!
//! A model with roles, and the record's owner, its teams and the owner's manager passed in
//! the request, since casbin knows nothing of records:
//!
//! ```text
//! [request_definition]
//! r = sub, act, owner, team, owner_boss
//! [policy_definition]
//! p = role, act, scope
//! [role_definition]
//! g = _, _
//! [policy_effect]
//! e = some(where (p.eft == allow))
//! [matchers]
//! m = g(r.sub, p.role) && r.act == p.act && (r.owner == r.sub || r.owner_boss == r.sub \
//!     || (p.scope == "team" && g(r.sub, r.team)))
//! ```
//!
//! ```text
//! p, rep, view, team
//! p, rep, edit, owner
//! g, sam, rep
//! g, sam, north        # team membership, as another role edge
//! g, mia, rep          # the manager holds the rep's grants…
//! ```
//!
//! The host works out `owner_boss` (and every other fact) before each call.
//!
//! ## Cedar
//!
//! Policies over entities the host loads: users in teams and roles, deals with an owner and
//! teams.
//!
//! ```text
//! permit (principal in Role::"rep", action == Action::"view", resource is Deal)
//!   when { resource.teams.containsAny(principal.teams) || resource.owner == principal };
//! permit (principal in Role::"rep", action == Action::"edit", resource is Deal)
//!   when { resource.owner == principal };
//! permit (principal in Role::"manager", action in [Action::"view", Action::"edit"], resource is Deal)
//!   when { resource.owner in principal.reports };
//! ```
//!
//! The host keeps `principal.reports` (the manager's subordinates) up to date itself.
//!
//! ## permatrix
//!
//! Scopes say how far a grant reaches (`owner`, `team`, `role`, `all`), and the role
//! hierarchy makes a manager the owner of their reps' records, so the document only says
//! who holds what:
//!
//! ```
//! use permatrix::{Action, Policy, Record};
//! let auth = Policy::from_json(r#"{
//!   "version": 1,
//!   "modules":  { "deals": {} },
//!   "profiles": { "sales": { "modules": { "deals": { "access": "on",
//!                   "actions": { "view": "team", "edit": "owner" } } } } },
//!   "roles":    { "manager": { "profiles": ["sales"] },
//!                 "rep": { "parent": "manager", "profiles": ["sales"] } },
//!   "teams":    { "north": { "users": ["sam", "nils"] } },
//!   "users":    { "mia": { "roles": ["manager"] }, "sam": { "roles": ["rep"] },
//!                 "nils": { "roles": ["rep"] } }
//! }"#)?.compile()?;
//! let (mia, sam, nils) = (auth.user("mia").unwrap(), auth.user("sam").unwrap(), auth.user("nils").unwrap());
//! let deals = auth.module("deals").unwrap();
//! let north = [auth.team("north").unwrap()];
//! let sams_deal = Record::owned_by_user(deals, sam).with_teams(&north);
//! assert!(auth.can(nils, Action::View, &sams_deal));  // same team
//! assert!(!auth.can(nils, Action::Edit, &sams_deal)); // not his
//! assert!(auth.can(sam, Action::Edit, &sams_deal));   // his own
//! assert!(auth.can(mia, Action::Edit, &sams_deal));   // above his role
//! # Ok::<(), permatrix::PolicyError>(())
//! ```
//!
//! ## What maps to what
//!
//! | casbin-rs / Cedar | permatrix |
//! |---|---|
//! | a role edge `g, user, role` / `principal in Role::"…"` | a user's `roles`, a team's `role` |
//! | group membership as another edge / entity parents | a team's `users`, `teams`, `roles`, `roles_and_subordinates` |
//! | a matcher or `when` on the owner | the scope `owner` (and the role hierarchy, on by default per module) |
//! | a matcher or `when` on the record's teams | the scope `team` |
//! | `forbid` | deny by default; narrow with `merge: subtractive`, a team's `ceiling` or a user's `overrides` |
//! | resource attributes loaded per call | [`Record`](crate::Record): owner, teams, shares, nothing else |
//! | evaluating a query per row to list records | [`Authorizer::filter`](crate::Authorizer::filter) and [`Filter::to_sql`](crate::Filter::to_sql) |
//!
//! `suite/benches/compare/` in the repository encodes one CRM workload in all three, twice for
//! each peer, and checks every engine against permatrix query by query; its README
//! explains both encodings.
