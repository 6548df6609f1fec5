//! Change preview: every (user, module, action) cell, module access, field, tool,
//! calendar level and picklist value that differs between two authorizers, so an
//! administrator sees who gains and who loses what before swapping.

use std::fmt;

use serde::Serialize;

use crate::authorizer::Owner;
use crate::authorizer::{Authorizer, ModuleId, UserId};
use crate::cell::Cell;
use crate::policy::{Access, Action, CalendarLevel, CalendarOwner, FieldAccess};

/// One difference for one user.
///
/// ```
/// use permatrix::{Action, Cell, Change};
/// let c = Change::Cell { module: "deals".into(), action: Action::Edit, before: Cell::OWNER, after: Cell::ALL };
/// assert!(c.is_gain());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// A matrix cell changed.
    Cell {
        /// Module.
        module: String,
        /// Action.
        action: Action,
        /// Before.
        before: Cell,
        /// After.
        after: Cell,
    },
    /// Module access changed.
    Access {
        /// Module.
        module: String,
        /// Before.
        before: Access,
        /// After.
        after: Access,
    },
    /// Field access changed.
    Field {
        /// Module.
        module: String,
        /// Field.
        field: String,
        /// Before.
        before: FieldAccess,
        /// After.
        after: FieldAccess,
    },
    /// A tool was switched on or off.
    Tool {
        /// Module.
        module: String,
        /// Tool.
        tool: String,
        /// Before.
        before: bool,
        /// After.
        after: bool,
    },
    /// The user gained or lost the admin bypass (every data check allowed).
    Bypass {
        /// Before.
        before: bool,
        /// After.
        after: bool,
    },
    /// The user was activated or deactivated.
    Active {
        /// Before.
        before: bool,
        /// After.
        after: bool,
    },
    /// The level at which the user sees a calendar changed (`None`: no access).
    Calendar {
        /// Whose calendar: `user <name>` or `team <id>`.
        owner: String,
        /// Before.
        before: Option<CalendarLevel>,
        /// After.
        after: Option<CalendarLevel>,
    },
    /// A picklist value appeared or disappeared for the user.
    PicklistValue {
        /// Module.
        module: String,
        /// Field.
        field: String,
        /// The value.
        value: String,
        /// Visible before.
        before: bool,
        /// Visible after.
        after: bool,
    },
}

/// Whether `after` reaches at least what `before` did (cells are ordered by what they
/// reach only partly: `role` and `team` are not comparable, so a change between them is
/// both a gain and a loss and counts as neither here).
fn cell_gain(before: Cell, after: Cell) -> bool {
    before.join(after) == after && before != after
}

impl Change {
    /// Whether the user can do more after the change.
    ///
    /// ```
    /// use permatrix::Change;
    /// assert!(Change::Bypass { before: false, after: true }.is_gain());
    /// ```
    pub fn is_gain(&self) -> bool {
        match self {
            Change::Cell { before, after, .. } => cell_gain(*before, *after),
            Change::Access { before, after, .. } => after > before,
            Change::Field { before, after, .. } => after > before,
            Change::Tool { before, after, .. }
            | Change::PicklistValue { before, after, .. }
            | Change::Bypass { before, after }
            | Change::Active { before, after } => *after && !*before,
            Change::Calendar { before, after, .. } => after > before,
        }
    }

    /// Whether the user can do less after the change.
    ///
    /// ```
    /// use permatrix::Change;
    /// assert!(Change::Active { before: true, after: false }.is_loss());
    /// ```
    pub fn is_loss(&self) -> bool {
        match self {
            Change::Cell { before, after, .. } => cell_gain(*after, *before),
            Change::Access { before, after, .. } => after < before,
            Change::Field { before, after, .. } => after < before,
            Change::Tool { before, after, .. }
            | Change::PicklistValue { before, after, .. }
            | Change::Bypass { before, after }
            | Change::Active { before, after } => !*after && *before,
            Change::Calendar { before, after, .. } => after < before,
        }
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.is_gain() {
            '+'
        } else if self.is_loss() {
            '-'
        } else {
            '~'
        };
        match self {
            Change::Cell {
                module,
                action,
                before,
                after,
            } => write!(f, "{sign} {module}.{action}: {before} -> {after}"),
            Change::Access {
                module,
                before,
                after,
            } => write!(f, "{sign} {module} access: {before} -> {after}"),
            Change::Field {
                module,
                field,
                before,
                after,
            } => {
                write!(f, "{sign} {module} field {field}: {before} -> {after}")
            }
            Change::Tool {
                module,
                tool,
                before,
                after,
            } => {
                write!(
                    f,
                    "{sign} {module} tool {tool}: {} -> {}",
                    on_off(*before),
                    on_off(*after)
                )
            }
            Change::Bypass { before, after } => write!(
                f,
                "{sign} admin bypass: {} -> {}",
                on_off(*before),
                on_off(*after)
            ),
            Change::Active { before, after } => write!(f, "{sign} active: {before} -> {after}"),
            Change::Calendar {
                owner,
                before,
                after,
            } => {
                let level = |l: &Option<CalendarLevel>| l.map_or("none", |l| l.as_str());
                write!(
                    f,
                    "{sign} calendar of {owner}: {} -> {}",
                    level(before),
                    level(after)
                )
            }
            Change::PicklistValue {
                module,
                field,
                value,
                before,
                after,
            } => {
                let shown = |b: bool| if b { "shown" } else { "hidden" };
                write!(
                    f,
                    "{sign} {module} {field} value {value}: {} -> {}",
                    shown(*before),
                    shown(*after)
                )
            }
        }
    }
}

fn on_off(b: bool) -> &'static str {
    if b { "on" } else { "off" }
}

/// Everything that differs between two authorizers, per user (matched by username and
/// module id). Users present in only one of them are listed as added or removed.
///
/// ```
/// use permatrix::{Policy, diff};
/// let old = Policy::from_json(r#"{"version":1,"modules":{"m":{}},
///   "profiles":{"p":{"modules":{"m":{"access":"on","actions":{"view":"owner"}}}}},
///   "roles":{"r":{"profiles":["p"]}},"users":{"a":{"roles":["r"]}}}"#)?;
/// let mut new = old.clone();
/// new.profiles.get_mut("p").unwrap().modules.get_mut("m").unwrap().actions.insert(permatrix::Action::View, permatrix::Scope::All);
/// let d = diff(&old.compile()?, &new.compile()?);
/// assert_eq!(d.users.len(), 1);
/// assert_eq!(d.to_string().trim(), "a:\n  + m.view: owner -> all");
/// # Ok::<(), permatrix::PolicyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct PolicyDiff {
    /// Users with changes, in the new policy's order, each with their changes.
    pub users: Vec<(String, Vec<Change>)>,
    /// Users only in the new policy.
    pub added_users: Vec<String>,
    /// Users only in the old policy.
    pub removed_users: Vec<String>,
}

impl PolicyDiff {
    /// Nothing changed: no user gains or loses anything, and no user was added or removed.
    ///
    /// ```
    /// use permatrix::{Policy, diff};
    /// let a = Policy::new().compile()?;
    /// assert!(diff(&a, &a).is_empty());
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The number of changed items over all users, plus one for every user added or
    /// removed (whose grants are listed among the changes too, as from or to nothing).
    /// `len() == 0` exactly when [`PolicyDiff::is_empty`].
    ///
    /// ```
    /// use permatrix::{Policy, diff};
    /// let old = Policy::new().compile()?;
    /// let new = Policy::from_json(r#"{"version":1,"users":{"b":{"status":"invited"}}}"#)?.compile()?;
    /// assert_eq!(diff(&old, &new).len(), 1); // b is new, with nothing granted yet
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn len(&self) -> usize {
        self.users.iter().map(|(_, c)| c.len()).sum::<usize>()
            + self.added_users.len()
            + self.removed_users.len()
    }
}

impl fmt::Display for PolicyDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for user in &self.added_users {
            writeln!(f, "{user}: new user")?;
        }
        for user in &self.removed_users {
            writeln!(f, "{user}: removed")?;
        }
        for (user, changes) in &self.users {
            writeln!(f, "{user}:")?;
            for change in changes {
                writeln!(f, "  {change}")?;
            }
        }
        Ok(())
    }
}

/// Lists every cell, module access, field and tool of every user that differs between
/// `old` and `new` ([administration](crate::doc::semantics#administration)), plus admin-bypass and status changes. A user in only one of
/// them is compared with nothing (inactive, no bypass, every cell `none`), so what a new
/// user gains and a removed user loses is listed too; a module in only one of them
/// likewise.
///
/// # Cost
/// O(users × modules × (actions + fields + tools)), over both policies' users and modules.
///
/// ```
/// use permatrix::{Policy, diff};
/// let old = Policy::from_json(r#"{"version":1,"users":{"a":{}}}"#)?.compile()?;
/// let new = Policy::from_json(r#"{"version":1,"users":{"a":{"admin":"admin"},"b":{}}}"#)?.compile()?;
/// let d = diff(&old, &new);
/// assert_eq!(d.added_users, vec!["b".to_string()]);
/// assert!(d.to_string().contains("+ admin bypass: off -> on"));
/// # Ok::<(), permatrix::PolicyError>(())
/// ```
pub fn diff(old: &Authorizer, new: &Authorizer) -> PolicyDiff {
    let (po, pn) = (old.policy(), new.policy());
    let mut out = PolicyDiff {
        users: Vec::new(),
        added_users: pn
            .users
            .keys()
            .filter(|u| !po.users.contains_key(*u))
            .cloned()
            .collect(),
        removed_users: po
            .users
            .keys()
            .filter(|u| !pn.users.contains_key(*u))
            .cloned()
            .collect(),
    };
    let modules: Vec<&String> = pn
        .modules
        .keys()
        .chain(po.modules.keys().filter(|m| !pn.modules.contains_key(*m)))
        .collect();
    let calendars = shared_calendars(old, new);
    let names = pn.users.keys().chain(out.removed_users.iter());
    for name in names {
        let (uo, un) = (old.user(name), new.user(name));
        let mut changes = user_changes(old, new, uo, un, &modules);
        changes.extend(calendar_and_picklist_changes(old, new, uo, un, &calendars));
        if !changes.is_empty() {
            out.users.push((name.clone(), changes));
        }
    }
    out
}

/// One side of a comparison: a user of one authorizer, or nobody (who has nothing).
struct Side<'a> {
    auth: &'a Authorizer,
    user: Option<UserId>,
}

impl Side<'_> {
    fn active(&self) -> bool {
        self.user
            .and_then(|u| self.auth.user_active(u))
            .unwrap_or(false)
    }
    fn bypass(&self) -> bool {
        self.user.is_some_and(|u| self.auth.bypasses(u))
    }
    fn module(&self, name: &str) -> Option<ModuleId> {
        self.auth.module(name)
    }
    fn access(&self, m: Option<ModuleId>) -> Access {
        match (self.user, m) {
            (Some(u), Some(m)) => self.auth.module_access(u, m).unwrap_or(Access::Off),
            _ => Access::Off,
        }
    }
    fn cell(&self, m: Option<ModuleId>, action: Action) -> Cell {
        match (self.user, m) {
            (Some(u), Some(m)) => self.auth.cell(u, m, action).unwrap_or(Cell::NONE),
            _ => Cell::NONE,
        }
    }
    fn field(&self, m: Option<ModuleId>, field: &str) -> FieldAccess {
        match (self.user, m) {
            (Some(u), Some(m)) => self.auth.field_access(u, m, field),
            _ => FieldAccess::Hidden,
        }
    }
    fn tool(&self, m: Option<ModuleId>, tool: &str) -> bool {
        match (self.user, m) {
            (Some(u), Some(m)) => self.auth.can_use_tool(u, m, tool),
            _ => false,
        }
    }
}

fn user_changes(
    old: &Authorizer,
    new: &Authorizer,
    uo: Option<UserId>,
    un: Option<UserId>,
    modules: &[&String],
) -> Vec<Change> {
    let (o, n) = (
        Side {
            auth: old,
            user: uo,
        },
        Side {
            auth: new,
            user: un,
        },
    );
    let mut changes = Vec::new();
    let (ao, an) = (o.active(), n.active());
    if ao != an {
        changes.push(Change::Active {
            before: ao,
            after: an,
        });
    }
    let (bo, bn) = (o.bypass(), n.bypass());
    if bo != bn {
        changes.push(Change::Bypass {
            before: bo,
            after: bn,
        });
    }
    for &module_name in modules {
        let (mo, mn) = (o.module(module_name), n.module(module_name));
        let (xo, xn) = (o.access(mo), n.access(mn));
        if xo != xn {
            changes.push(Change::Access {
                module: module_name.clone(),
                before: xo,
                after: xn,
            });
        }
        for action in Action::ALL {
            let (co, cn) = (o.cell(mo, *action), n.cell(mn, *action));
            if co != cn {
                changes.push(Change::Cell {
                    module: module_name.clone(),
                    action: *action,
                    before: co,
                    after: cn,
                });
            }
        }
        let declared = |a: &Authorizer| a.policy().modules.get(module_name.as_str()).cloned();
        let (def_old, def_new) = (declared(old), declared(new));
        let fields = def_new.iter().chain(&def_old).flat_map(|d| d.fields.keys());
        let mut seen = std::collections::HashSet::new();
        for field in fields.filter(|f| seen.insert(f.as_str())) {
            let (fo, fnew) = (o.field(mo, field), n.field(mn, field));
            if fo != fnew {
                changes.push(Change::Field {
                    module: module_name.clone(),
                    field: field.clone(),
                    before: fo,
                    after: fnew,
                });
            }
        }
        let tools = def_new.iter().chain(&def_old).flat_map(|d| d.tools.iter());
        let mut seen = std::collections::HashSet::new();
        for tool in tools.filter(|t| seen.insert(t.as_str())) {
            let (to, tn) = (o.tool(mo, tool), n.tool(mn, tool));
            if to != tn {
                changes.push(Change::Tool {
                    module: module_name.clone(),
                    tool: tool.clone(),
                    before: to,
                    after: tn,
                });
            }
        }
    }
    changes
}

/// The calendars whose access can differ from "own calendar only": those a calendar share
/// names and the team calendars, in either authorizer, each once.
///
/// # Cost
/// O(calendar shares + teams).
fn shared_calendars(old: &Authorizer, new: &Authorizer) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for p in [old.policy(), new.policy()] {
        let named = p.calendar_shares.iter().map(|s| match &s.owner {
            CalendarOwner::User(u) => format!("user {u}"),
            CalendarOwner::Team(t) => format!("team {t}"),
        });
        let teams = p
            .teams
            .iter()
            .filter(|(_, t)| t.calendar)
            .map(|(id, _)| format!("team {id}"));
        for label in named.chain(teams) {
            if seen.insert(label.clone()) {
                out.push(label);
            }
        }
    }
    out
}

/// Calendar levels and picklist values that differ for one user.
///
/// # Cost
/// O(calendars × calendar shares + picklist values × roles).
fn calendar_and_picklist_changes(
    old: &Authorizer,
    new: &Authorizer,
    uo: Option<UserId>,
    un: Option<UserId>,
    calendars: &[String],
) -> Vec<Change> {
    let mut changes = Vec::new();
    let level = |auth: &Authorizer, user: Option<UserId>, label: &str| {
        let owner = match label.split_once(' ') {
            Some(("user", name)) => auth.user(name).map(Owner::User),
            Some(("team", id)) => auth.team(id).map(Owner::Team),
            _ => None,
        };
        auth.calendar_access(user?, owner?)
    };
    for label in calendars {
        let (before, after) = (level(old, uo, label), level(new, un, label));
        if before != after {
            changes.push(Change::Calendar {
                owner: label.clone(),
                before,
                after,
            });
        }
    }
    let visible = |auth: &Authorizer, user: Option<UserId>, module: &str, field: &str| match (
        user,
        auth.module(module),
    ) {
        (Some(u), Some(m)) => auth
            .picklist_values(u, m, field)
            .map(str::to_string)
            .collect::<Vec<_>>(),
        _ => Vec::new(),
    };
    let mut seen = std::collections::HashSet::new();
    for p in [new.policy(), old.policy()] {
        for (module, def) in &p.modules {
            for (field, f) in &def.fields {
                if f.picklist.is_none() || !seen.insert((module.clone(), field.clone())) {
                    continue;
                }
                let (before, after) = (
                    visible(old, uo, module, field),
                    visible(new, un, module, field),
                );
                let values = after.iter().chain(&before);
                let mut listed = std::collections::HashSet::new();
                for value in values.filter(|v| listed.insert(v.as_str())) {
                    let (b, a) = (before.contains(value), after.contains(value));
                    if b != a {
                        changes.push(Change::PicklistValue {
                            module: module.clone(),
                            field: field.clone(),
                            value: value.clone(),
                            before: b,
                            after: a,
                        });
                    }
                }
            }
        }
    }
    changes
}
