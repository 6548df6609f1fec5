//! Explanations ([explanations](crate::doc::semantics#explanations-and-matrices)): the decision, the step that made it, and the roles, profiles,
//! teams, rule or share involved, in words an administrator reads.

use std::collections::{HashMap, HashSet};
use std::fmt;

use crate::cell::Cell;
use crate::checks::Authorizer;
use crate::checks::decision::{Facts, OwnerFact, Step};
use crate::checks::record::Record;
use crate::compile::{Grant, source_grant};
use crate::error::CheckError;
use crate::ids::UserId;
use crate::policy::{Action, AdminLevel, HostKey, Merge, Policy, Principal, Sharing};
use serde::Serialize;

/// Why a check was decided as it was.
///
/// ```
/// use permatrix::{Action, Policy, Record, explain::Step};
/// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},
///   "profiles":{"p":{"modules":{"m":{"access":"on","actions":{"view":"owner"}}}}},
///   "roles":{"r":{"profiles":["p"]}}, "users":{"a":{"roles":["r"]},"b":{}}}"#)?.compile()?;
/// let (a, b, m) = (auth.user("a").unwrap(), auth.user("b").unwrap(), auth.module("m").unwrap());
/// let e = auth.explain(a, Action::View, &Record::owned_by_user(m, b));
/// assert!(!e.allowed);
/// assert_eq!(e.step.number(), 8);
/// assert_eq!(e.sources[0].role, "r");
/// assert!(e.to_string().contains("does not reach"));
/// # Ok::<(), permatrix::PolicyError>(())
/// ```
///
/// It serialises (serde) with the step as its number and an error as its code and
/// message, for logs and audit trails:
///
/// ```
/// # use permatrix::{Action, Policy, Record};
/// # let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{"key":7}}}"#)?.compile()?;
/// # let (a, m) = (auth.user("a").unwrap(), auth.module("m").unwrap());
/// let json = serde_json::to_value(auth.explain(a, Action::View, &Record::owned_by_user(m, a))).unwrap();
/// assert_eq!(json["step"], 4);
/// assert_eq!(json["user_key"], 7);
/// assert_eq!(json["owner"]["id"], "a");
/// # Ok::<(), permatrix::PolicyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// The decision.
    pub allowed: bool,
    /// The step that made it (1–8, see [`Step`]).
    #[serde(serialize_with = "step_number")]
    pub step: Step,
    /// Set when an id was unknown (step 1).
    #[serde(serialize_with = "error_code_and_message")]
    pub error: Option<CheckError>,
    /// The user's name (empty when unknown).
    pub user: String,
    /// The user's display name, if they have one.
    pub user_display_name: Option<String>,
    /// The user's host key, if they have one.
    pub user_key: Option<HostKey>,
    /// The record's owner (`None` for a module-level question or an unknown owner).
    pub owner: Option<Named>,
    /// The teams the record is linked to (unknown ids left out).
    pub record_teams: Vec<Named>,
    /// When a superior's role decided it, the roles from the user's role down to the
    /// owner's, both included.
    pub hierarchy: Vec<String>,
    /// The action checked.
    pub action: Action,
    /// The module's name (empty when unknown).
    pub module: String,
    /// The user's effective admin level.
    pub admin_level: AdminLevel,
    /// The matrix cell, when the check got that far.
    pub cell: Option<Cell>,
    /// How the user's sources granted this (module, action), before overrides and caps.
    pub sources: Vec<SourceGrant>,
    /// How the sources were merged.
    pub merge: Merge,
    /// The user has an override for this module.
    pub overridden: bool,
    /// The module's organisation-wide default widened the cell to `all`.
    pub widened_by_sharing: bool,
    /// The user is external under `external_access = read_only` and the action writes.
    pub external_cap: bool,
    /// Human-readable lines describing the deciding facts.
    pub details: Vec<String>,
}

/// One source of a user's grant: a role, reached directly, as the default role or through
/// teams, with what each of its profiles gave.
///
/// ```
/// use permatrix::{Action, Policy, Record, authorizer::Cell};
/// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},
///   "profiles":{"p":{"modules":{"m":{"access":"on","actions":{"view":"all"}}}}},
///   "roles":{"r":{"profiles":["p"]}}, "teams":{"t":{"users":["a"],"role":"r"}}, "users":{"a":{}}}"#)?.compile()?;
/// let (a, m) = (auth.user("a").unwrap(), auth.module("m").unwrap());
/// let e = auth.explain(a, Action::View, &Record::owned_by_user(m, a));
/// assert_eq!(e.sources[0].via_teams, vec!["t".to_string()]);
/// assert_eq!(e.sources[0].cell, Cell::ALL);
/// # Ok::<(), permatrix::PolicyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceGrant {
    /// The role.
    pub role: String,
    /// It is the default role.
    pub default_role: bool,
    /// It is one of the user's direct roles.
    pub direct: bool,
    /// Active teams conferring it.
    pub via_teams: Vec<String>,
    /// Ceiling profile it was bounded by.
    pub ceiling: Option<String>,
    /// Each profile of the role and the cell it gives.
    pub profiles: Vec<(String, Cell)>,
    /// The role's cell (union of its profiles, met with the ceiling).
    pub cell: Cell,
}

/// A user or team as an explanation names it: id, display name and host key.
///
/// ```
/// use permatrix::{HostKey, explain::Named};
/// let sam = Named { kind: "user", id: "sam".into(), display_name: Some("Sam Süd".into()), key: Some(HostKey::from(104)) };
/// assert_eq!(sam.to_string(), "user `sam` (Sam Süd, key 104)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Named {
    /// `user` or `team`.
    pub kind: &'static str,
    /// The id in the policy (username or team id).
    pub id: String,
    /// The display name, if any.
    pub display_name: Option<String>,
    /// The host key, if any.
    pub key: Option<HostKey>,
}

impl fmt::Display for Named {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} `{}`", self.kind, self.id)?;
        match (&self.display_name, &self.key) {
            (Some(name), Some(key)) => write!(f, " ({name}, key {key})"),
            (Some(name), None) => write!(f, " ({name})"),
            (None, Some(key)) => write!(f, " (key {key})"),
            (None, None) => Ok(()),
        }
    }
}

fn step_number<S: serde::Serializer>(step: &Step, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u8(step.number())
}

fn error_code_and_message<S: serde::Serializer>(
    error: &Option<CheckError>,
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    match error {
        None => s.serialize_none(),
        Some(e) => {
            let mut map = s.serialize_map(Some(2))?;
            map.serialize_entry("code", &e.code())?;
            map.serialize_entry("message", &e.to_string())?;
            map.end()
        }
    }
}

impl Authorizer {
    /// A user as explanations name them.
    fn named_user(&self, user: UserId) -> Option<Named> {
        let (id, def) = self
            .user_slot(user)
            .and_then(|u| self.inner.policy.users.get_index(u))?;
        Some(Named {
            kind: "user",
            id: id.clone(),
            display_name: def.display_name.clone(),
            key: def.key.clone(),
        })
    }

    /// A team as explanations name it.
    fn named_team(&self, team: crate::ids::TeamId) -> Option<Named> {
        let (id, def) = self
            .team_slot(team)
            .and_then(|t| self.inner.policy.teams.get_index(t))?;
        Some(Named {
            kind: "team",
            id: id.clone(),
            display_name: def.name.clone(),
            key: def.key.clone(),
        })
    }

    /// The roles from `superior` down to `subordinate` along parents, both included.
    ///
    /// # Cost
    /// O(depth of the hierarchy).
    fn hierarchy_path(
        &self,
        superior: crate::ids::RoleId,
        subordinate: crate::ids::RoleId,
    ) -> Vec<String> {
        let (Some(top), Some(bottom)) = (self.role_slot(superior), self.role_slot(subordinate))
        else {
            return Vec::new();
        };
        let mut path: Vec<String> = Vec::new();
        for r in self.inner.roles.ancestors(bottom as u32) {
            path.extend(self.role_name(self.role_id(r)).map(str::to_string));
            if r as usize == top {
                path.reverse();
                return path;
            }
        }
        Vec::new()
    }

    fn explained(
        &self,
        user: UserId,
        action: Action,
        module: crate::ids::ModuleId,
        decided: Result<Step, CheckError>,
        record: Option<&Record<'_>>,
    ) -> Explanation {
        let mut e = self.explanation_frame(user, action, module);
        match decided {
            Err(err) => {
                e.step = Step::UnknownId;
                e.details.push(format!("{err}"));
                e.error = Some(err);
            }
            Ok(step) => {
                e.allowed = step.allows();
                e.step = step;
                self.describe(&mut e, record, step);
            }
        }
        e
    }

    fn explanation_frame(
        &self,
        user: UserId,
        action: Action,
        module: crate::ids::ModuleId,
    ) -> Explanation {
        let c = &*self.inner;
        let p = &c.policy;
        let module = self.module_slot(module);
        let named = self.named_user(user);
        let mut e = Explanation {
            allowed: false,
            step: Step::UnknownId,
            error: None,
            user: named.as_ref().map(|n| n.id.clone()).unwrap_or_default(),
            user_display_name: named.as_ref().and_then(|n| n.display_name.clone()),
            user_key: named.and_then(|n| n.key),
            owner: None,
            record_teams: Vec::new(),
            hierarchy: Vec::new(),
            action,
            module: module
                .and_then(|m| p.modules.get_index(m))
                .map(|(k, _)| k.clone())
                .unwrap_or_default(),
            admin_level: self.user_facts(user).map(|f| f.level).unwrap_or_default(),
            cell: None,
            sources: Vec::new(),
            merge: p.settings.merge,
            overridden: false,
            widened_by_sharing: false,
            external_cap: false,
            details: Vec::new(),
        };
        let (Ok(facts), Some(u), Some(module)) =
            (self.user_facts(user), self.user_slot(user), module)
        else {
            return e;
        };
        let (Some((_, user_def)), Some((module_id, module_def))) =
            (p.users.get_index(u), p.modules.get_index(module))
        else {
            return e;
        };
        let cell = c.matrix.cell(facts.row, module, action);
        e.cell = Some(cell);
        e.overridden = user_def.overrides.contains_key(module_id);
        e.external_cap = action.is_write() && p.settings.caps_external(user_def);
        e.widened_by_sharing = cell == Cell::ALL
            && module_def.sharing != Sharing::Private
            && module_def.sharing.grants(action);
        let (sources, admin_scope) = c.matrix.sources(facts.row);
        e.sources = self.source_grants(p, user, &sources, admin_scope, module, action);
        e
    }

    fn source_grants(
        &self,
        p: &Policy,
        user: UserId,
        sources: &[(u32, Option<u32>)],
        admin_scope: bool,
        module: usize,
        action: Action,
    ) -> Vec<SourceGrant> {
        let (module_id, module_def) = match p.modules.get_index(module) {
            Some(m) => m,
            None => return Vec::new(),
        };
        let Some((_, u)) = self.user_slot(user).and_then(|u| p.users.get_index(u)) else {
            return Vec::new();
        };
        // which teams confer each (role, ceiling), and which roles are direct: looked up
        // per source, so the whole is linear in the user's sources and teams
        let mut via: HashMap<(&str, Option<&str>), Vec<String>> = HashMap::new();
        for (name, team) in self
            .user_team_slice(user)
            .iter()
            .filter_map(|&t| p.teams.get_index(t as usize))
        {
            if let Some(role) = team.role.as_deref() {
                via.entry((role, team.ceiling.as_deref()))
                    .or_default()
                    .push(name.clone());
            }
        }
        let direct: HashSet<&str> = u.roles.iter().map(String::as_str).collect();
        sources
            .iter()
            .map(|&(role, ceiling)| {
                let (role_id, role_def) = p
                    .roles
                    .get_index(role as usize)
                    .map(|(k, v)| (k.clone(), Some(v)))
                    .unwrap_or_default();
                let ceiling_id = ceiling
                    .and_then(|c| p.profiles.get_index(c as usize))
                    .map(|(k, _)| k.clone());
                let via_teams = via
                    .get(&(role_id.as_str(), ceiling_id.as_deref()))
                    .cloned()
                    .unwrap_or_default();
                let profiles = role_def
                    .map(|r| {
                        r.profiles
                            .iter()
                            .filter_map(|id| p.profiles.get(id).map(|pr| (id, pr)))
                            .map(|(id, pr)| {
                                let g = Grant::of_profile(pr, module_id, module_def, admin_scope);
                                (id.clone(), g.cells[action])
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let cell = source_grant(p, role, ceiling, module, admin_scope).cells[action];
                SourceGrant {
                    default_role: p.settings.default_role.as_deref() == Some(role_id.as_str()),
                    direct: ceiling.is_none()
                        && direct.contains(role_id.as_str())
                        && p.settings.default_role.as_deref() != Some(role_id.as_str()),
                    role: role_id,
                    via_teams,
                    ceiling: ceiling_id,
                    profiles,
                    cell,
                }
            })
            .collect()
    }

    fn describe(&self, e: &mut Explanation, record: Option<&Record<'_>>, step: Step) {
        let p = &self.inner.policy;
        match step {
            Step::UnknownId => {}
            Step::NotActive => e.details.push("the user is not active".into()),
            Step::AdminBypass => e.details.push(format!(
                "effective admin level `{}` skips data checks (admin_bypass)",
                e.admin_level
            )),
            Step::NoGrant => e.details.push(format!(
                "the cell for `{}` on `{}` is `none`",
                e.action, e.module
            )),
            Step::ModuleWide => e.details.push(if e.action.is_module_level() {
                format!(
                    "`{}` is a module-level action and the cell is `{}`",
                    e.action,
                    e.cell.unwrap_or_default()
                )
            } else {
                format!(
                    "module `{}` has no owners; the cell `{}` reaches every record",
                    e.module,
                    e.cell.unwrap_or_default()
                )
            }),
            Step::Cell(cell, facts) => {
                e.details
                    .push(format!("the cell `{cell}` reaches this record"));
                self.describe_facts(e, facts);
            }
            Step::NotReached(..) if record.is_none() => e
                .details
                .push("a record-level action on an owned module needs a record".into()),
            Step::NotReached(cell, facts) => {
                e.details.push(format!(
                    "the cell `{cell}` does not reach this record, and no rule or share does"
                ));
                self.describe_facts(e, facts);
            }
            Step::SharingRule(i) => {
                if let Some(rule) = p.sharing_rules.get(i) {
                    e.details.push(format!(
                        "sharing rule #{i} shares `{}` records of {} with {} at `{}`",
                        rule.module,
                        principal_words(&rule.from),
                        principal_words(&rule.to),
                        rule.access
                    ));
                }
            }
            Step::RecordShare(i) => {
                if let Some(share) = record.and_then(|r| r.shares.get(i)) {
                    e.details.push(format!(
                        "share #{i} on the record grants `{}` to {}",
                        share.access,
                        self.principal_words(share.to)
                    ));
                }
            }
        }
    }

    fn principal_words(&self, p: crate::ids::PrincipalId) -> String {
        use crate::ids::PrincipalId;
        match p {
            PrincipalId::User(u) => format!("user `{}`", self.user_name(u).unwrap_or("?")),
            PrincipalId::Team(t) => format!("team `{}`", self.team_name(t).unwrap_or("?")),
            PrincipalId::Role(r) => format!("role `{}`", self.role_name(r).unwrap_or("?")),
            PrincipalId::RoleAndSubordinates(r) => {
                format!(
                    "role `{}` and subordinates",
                    self.role_name(r).unwrap_or("?")
                )
            }
        }
    }

    fn describe_facts(&self, e: &mut Explanation, facts: Facts) {
        match facts.owner {
            Some(OwnerFact::Itself) => e.details.push("the user owns the record".into()),
            Some(OwnerFact::MemberOfOwningTeam) => e
                .details
                .push("the record is owned by a team the user is in".into()),
            Some(OwnerFact::Superior {
                superior,
                subordinate,
            }) => {
                e.hierarchy = self.hierarchy_path(superior, subordinate);
                e.details.push(format!(
                    "role `{}` is above the owner's role `{}` (hierarchy: {})",
                    self.role_name(superior).unwrap_or("?"),
                    self.role_name(subordinate).unwrap_or("?"),
                    e.hierarchy.join(" > ")
                ));
            }
            None => {}
        }
        if let Some(role) = facts.role_match {
            e.details.push(format!(
                "shares the direct role `{}` with the owner",
                self.role_name(role).unwrap_or("?")
            ));
        }
        if let Some(team) = facts.team_match {
            e.details.push(format!(
                "is a member of the record's team `{}`",
                self.team_name(team).unwrap_or("?")
            ));
        }
    }
}

pub(crate) fn explain(
    auth: &Authorizer,
    user: UserId,
    action: Action,
    record: &Record<'_>,
) -> Explanation {
    let decided = auth.decide(user, action, record);
    let mut e = auth.explained(user, action, record.module, decided, Some(record));
    e.owner = match record.owner {
        crate::checks::record::Owner::User(u) => auth.named_user(u),
        crate::checks::record::Owner::Team(t) => auth.named_team(t),
    };
    e.record_teams = record
        .teams
        .iter()
        .filter_map(|&t| auth.named_team(t))
        .collect();
    e
}

pub(crate) fn explain_module(
    auth: &Authorizer,
    user: UserId,
    action: Action,
    module: crate::ids::ModuleId,
) -> Explanation {
    let decided = auth.decide_module(user, action, module);
    auth.explained(user, action, module, decided, None)
}

fn principal_words(p: &Principal) -> String {
    p.to_string()
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.allowed { "ALLOW" } else { "DENY" };
        if self.user.is_empty() {
            write!(f, "{verdict} an unknown user")?;
        } else {
            let user = Named {
                kind: "user",
                id: self.user.clone(),
                display_name: self.user_display_name.clone(),
                key: self.user_key.clone(),
            };
            // "user `x` (…)" reads as "`x` (…)" in the header
            write!(
                f,
                "{verdict} {}",
                user.to_string().trim_start_matches("user ")
            )?;
        }
        if self.module.is_empty() {
            writeln!(
                f,
                " {} on an unknown module (step {})",
                self.action,
                self.step.number()
            )?;
        } else {
            writeln!(
                f,
                " {} on `{}` (step {})",
                self.action,
                self.module,
                self.step.number()
            )?;
        }
        if let Some(owner) = &self.owner {
            write!(f, "  record owned by {owner}")?;
            if !self.record_teams.is_empty() {
                let teams: Vec<String> = self.record_teams.iter().map(Named::to_string).collect();
                write!(f, ", linked to {}", teams.join(", "))?;
            }
            writeln!(f)?;
        }
        for line in &self.details {
            writeln!(f, "  - {line}")?;
        }
        let grant_matters = !matches!(
            self.step,
            Step::UnknownId | Step::NotActive | Step::AdminBypass
        );
        if let (Some(cell), true) = (self.cell, grant_matters) {
            let mut notes = Vec::new();
            if self.external_cap {
                notes.push("external users are capped to reading");
            }
            if self.overridden {
                notes.push("user override on this module");
            }
            if self.widened_by_sharing {
                notes.push("widened to `all` by the module's organisation-wide default");
            }
            let merge = match self.merge {
                Merge::Additive => "additive",
                Merge::Subtractive => "subtractive",
            };
            write!(f, "  grant `{cell}` ({merge} merge")?;
            for n in notes {
                write!(f, "; {n}")?;
            }
            writeln!(f, ")")?;
            for s in &self.sources {
                let mut how = Vec::new();
                if s.default_role {
                    how.push("default role".to_string());
                }
                if s.direct {
                    how.push("direct".to_string());
                }
                for t in &s.via_teams {
                    how.push(format!("via team `{t}`"));
                }
                if let Some(c) = &s.ceiling {
                    how.push(format!("ceiling `{c}`"));
                }
                let profiles: Vec<String> = s
                    .profiles
                    .iter()
                    .map(|(p, c)| format!("{p}: {c}"))
                    .collect();
                writeln!(
                    f,
                    "    role `{}` ({}): `{}` from profiles [{}]",
                    s.role,
                    how.join(", "),
                    s.cell,
                    profiles.join(", ")
                )?;
            }
        }
        Ok(())
    }
}
