//! The change preview: every answer an authorizer gives that differs in another — who
//! gains and who loses what, and why — before an administrator swaps it in
//! ([administration](crate::doc::semantics#administration)).
//!
//! [`diff`] compares two authorizers user by user (matched by username) on every
//! question they answer:
//! - each decision on a record: the cell of every (module, action), and what the cell
//!   reaches — the user's teams (membership, nesting, a team's active state), the
//!   subordinates a superior owns, the users sharing a direct role, the owners whose
//!   records sharing rules share with the user, the principals record shares may name,
//!   a module gaining or losing owners or its hierarchy;
//! - the active state and the admin bypass;
//! - module access, fields, tools, calendar access, picklist values and adding them;
//! - sign-in (refusal or second factors), the result limit, the admin level and areas,
//!   the teams the user is in and their host key;
//! - and, for the policy as a whole, users, teams, roles and modules added or removed
//!   (records naming a removed one are refused to everyone) and settings that change
//!   answers not tied to one user (`team_inheritance`, `user_deletion`, `licenses`,
//!   `max_admin_sessions`).
//!
//! **An empty diff is a promise**: no question either authorizer answers, for any
//! record that names ids they both know, has a different answer in the other. The
//! property test `suite/tests/diff_promise.rs` holds the comparison to it on random policies
//! and random administration changes, against `can`, fields, tools, calendars,
//! picklists, sign-in and the result limit asked directly. The guards of administration
//! ask this same comparison whether a change widens what an actor may do, so the preview
//! and the guards cannot disagree.

mod change;
pub(crate) mod compare;
mod words;

use serde::Serialize;

pub use change::{
    Change, Direction, Membership, Names, ReachedActions, Reason, SignIn, TeamChange,
};

use crate::checks::Authorizer;
use crate::policy::Action;
use compare::Comparison;

/// Everything one user's answers gain or lose.
///
/// ```
/// use permatrix::{Policy, diff};
/// let old = Policy::from_json(r#"{"version":1,"users":{"a":{}}}"#)?.compile()?;
/// let new = Policy::from_json(r#"{"version":1,"users":{"a":{"status":"inactive"}}}"#)?.compile()?;
/// let d = diff(&old, &new);
/// assert_eq!(d.users[0].user, "a");
/// assert_eq!(d.users[0].changes.len(), 1); // a deactivation is one item
/// # Ok::<(), permatrix::PolicyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserChanges {
    /// The username.
    pub user: String,
    /// What changes for them.
    pub changes: Vec<Change>,
}

/// A setting whose change alters answers that belong to no single user: the teams new
/// records inherit, whether users may be deleted, the licensed seats, the administrator
/// seats.
///
/// ```
/// use permatrix::diff::SettingChange;
/// let s = SettingChange { key: "licenses".into(), before: "5".into(), after: "none".into() };
/// assert_eq!(s.key, "licenses");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SettingChange {
    /// The key under `settings`.
    pub key: String,
    /// Before, in the document's words.
    pub before: String,
    /// After.
    pub after: String,
}

/// Ids that one authorizer knows and the other does not. A record naming one is refused
/// by the authorizer that does not know it; an answer about a field, tool, picklist or
/// value that one side does not declare is that side's "nothing". The per-user changes
/// compare what both sides know (and, for users whose data checks are not bypassed, what
/// the new items give them); these lists name the rest.
///
/// ```
/// use permatrix::{Policy, diff};
/// let old = Policy::from_json(r#"{"version":1,"modules":{"deals":{}}}"#)?.compile()?;
/// let new = Policy::from_json(r#"{"version":1,"modules":{"deals":{"tools":["pdf"]}}}"#)?.compile()?;
/// assert_eq!(diff(&old, &new).added.tools, ["deals.pdf"]);
/// # Ok::<(), permatrix::PolicyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Items {
    /// Usernames.
    pub users: Vec<String>,
    /// Team ids.
    pub teams: Vec<String>,
    /// Role ids.
    pub roles: Vec<String>,
    /// Module ids.
    pub modules: Vec<String>,
    /// Fields, as `module.field`, of modules both sides know.
    pub fields: Vec<String>,
    /// Tools, as `module.tool`, of modules both sides know.
    pub tools: Vec<String>,
    /// Picklists, as `module.field`, of fields both sides know.
    pub picklists: Vec<String>,
    /// Picklist values, as `module.field: value`, of picklists both sides know.
    pub picklist_values: Vec<String>,
}

impl Items {
    /// How many ids are listed.
    ///
    /// ```
    /// assert_eq!(permatrix::diff::Items::default().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.users.len()
            + self.teams.len()
            + self.roles.len()
            + self.modules.len()
            + self.fields.len()
            + self.tools.len()
            + self.picklists.len()
            + self.picklist_values.len()
    }

    /// Nothing listed.
    ///
    /// ```
    /// assert!(permatrix::diff::Items::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The ids in `a` that `b` does not know.
    fn only_in(a: &crate::policy::Policy, b: &crate::policy::Policy) -> Items {
        fn keys<V>(
            a: &indexmap::IndexMap<String, V>,
            b: &indexmap::IndexMap<String, V>,
        ) -> Vec<String> {
            a.keys().filter(|k| !b.contains_key(*k)).cloned().collect()
        }
        let mut items = Items {
            users: keys(&a.users, &b.users),
            teams: keys(&a.teams, &b.teams),
            roles: keys(&a.roles, &b.roles),
            modules: keys(&a.modules, &b.modules),
            ..Items::default()
        };
        for (m, def) in &a.modules {
            let Some(other) = b.modules.get(m) else {
                continue;
            };
            for (f, field) in &def.fields {
                let Some(other_field) = other.fields.get(f) else {
                    items.fields.push(format!("{m}.{f}"));
                    continue;
                };
                let Some(list) = &field.picklist else {
                    continue;
                };
                let Some(other_list) = &other_field.picklist else {
                    items.picklists.push(format!("{m}.{f}"));
                    continue;
                };
                for v in &list.values {
                    if !other_list.values.iter().any(|o| o.value == v.value) {
                        items.picklist_values.push(format!("{m}.{f}: {}", v.value));
                    }
                }
            }
            for t in &def.tools {
                if !other.tools.contains(t) {
                    items.tools.push(format!("{m}.{t}"));
                }
            }
        }
        items
    }
}

/// Everything that differs between two authorizers ([`diff`]).
///
/// ```
/// use permatrix::{Policy, diff};
/// let old = Policy::from_json(r#"{"version":1,"modules":{"m":{}},
///   "profiles":{"p":{"modules":{"m":{"access":"on","actions":{"view":"owner"}}}}},
///   "roles":{"r":{"profiles":["p"]}},"users":{"a":{"roles":["r"]}}}"#)?;
/// let mut new = old.clone();
/// new.profiles["p"].modules["m"].actions.insert(permatrix::Action::View, permatrix::policy::Scope::All);
/// let d = diff(&old.compile()?, &new.compile()?);
/// assert_eq!(d.to_string(), "a: + view on `m`: owner -> all\n");
/// # Ok::<(), permatrix::PolicyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct PolicyDiff {
    /// Users whose answers change, in the new policy's order (then removed users), each
    /// with their changes. A user new to the policy is compared with nobody, so what
    /// they gain is listed; a removed user is listed under `removed`.
    pub users: Vec<UserChanges>,
    /// What only the new policy declares.
    pub added: Items,
    /// What only the old policy declares: records naming a removed user, team, role or
    /// module are refused to everyone.
    pub removed: Items,
    /// Settings whose change alters answers that belong to no single user.
    pub settings: Vec<SettingChange>,
}

impl PolicyDiff {
    /// No answer changes: no user gains or loses anything, nothing is added or removed,
    /// no setting changed.
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

    /// The number of items: every user's changes, every id added or removed, every
    /// setting. `len() == 0` exactly when [`PolicyDiff::is_empty`].
    ///
    /// ```
    /// use permatrix::{Policy, diff};
    /// let old = Policy::new().compile()?;
    /// let new = Policy::from_json(r#"{"version":1,"users":{"b":{"status":"invited"}}}"#)?.compile()?;
    /// assert_eq!(diff(&old, &new).len(), 1); // b is new, with nothing granted yet
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn len(&self) -> usize {
        self.users.iter().map(|u| u.changes.len()).sum::<usize>()
            + self.added.len()
            + self.removed.len()
            + self.settings.len()
    }

    /// The changes of `user`, if any.
    ///
    /// ```
    /// use permatrix::{Policy, diff};
    /// let a = Policy::from_json(r#"{"version":1,"users":{"a":{}}}"#)?.compile()?;
    /// assert!(diff(&a, &a).user("a").is_none());
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn user(&self, user: &str) -> Option<&UserChanges> {
        self.users.iter().find(|u| u.user == user)
    }

    /// Whether decisions of `user` doing `action` on `module`'s records change, and which
    /// way: `Some(Gain)` when some record is allowed that was not, `Some(Loss)` when one
    /// is refused that was allowed, `Some(Mixed)` for both. `None` promises that every
    /// record naming ids both authorizers know gets the same answer.
    ///
    /// # Cost
    /// O(changes of `user`).
    ///
    /// ```
    /// use permatrix::{Action, Policy, diff, diff::Direction};
    /// let old = Policy::from_json(r#"{"version":1,"modules":{"deals":{}},
    ///   "profiles":{"p":{"modules":{"deals":{"access":"on","actions":{"view":"team"}}}}},
    ///   "roles":{"r":{"profiles":["p"]}},"teams":{"north":{}},"users":{"ben":{"roles":["r"]}}}"#)?;
    /// let mut new = old.clone();
    /// new.teams["north"].users.push("ben".into());
    /// let d = diff(&old.compile()?, &new.compile()?);
    /// assert_eq!(d.decisions("ben", "deals", Action::View), Some(Direction::Gain));
    /// assert_eq!(d.decisions("ben", "deals", Action::Create), None);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn decisions(&self, user: &str, module: &str, action: Action) -> Option<Direction> {
        self.user(user)?
            .changes
            .iter()
            .filter_map(|c| c.decides(action, module))
            .reduce(Direction::and)
    }

    /// The diff as Markdown: a heading, then one list item per line of the text form,
    /// a user's changes nested under them. Names stay text: ids are code spans, where
    /// HTML is not markup.
    ///
    /// ```
    /// use permatrix::{Policy, diff};
    /// let a = Policy::new().compile()?;
    /// assert!(diff(&a, &a).to_markdown().contains("nobody gains or loses anything"));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn to_markdown(&self) -> String {
        words::markdown(self)
    }
}

/// Every answer that differs between `old` and `new`, user by user and for the policy
/// as a whole, with the reason ([`PolicyDiff`]); the same comparison the guards of
/// [administration](crate::doc::semantics#administration) judge a change by.
///
/// A deactivation is one item (everything that needs an active user goes with it); an
/// activation lists what the user gains. Users whose data checks are bypassed on both
/// sides have no cell, field or tool items: the bypass answers those.
///
/// # Cost
/// O(U·(A + F + T)/s + P + M + R) for U users, A actions, F fields and T tools per module
/// summed over modules, s users per matrix row (users with the same row are compared
/// once), a policy of size P with M team memberships, and R recipients of the sharing
/// rules that changed; plus, per group of users with the same direct roles, the users
/// whose roles or place in the hierarchy changed beside or below them. `suite/benches/diff.rs`
/// measures it at 10,000 and 100,000 users.
///
/// ```
/// use permatrix::{Policy, diff};
/// let old = Policy::from_json(r#"{"version":1,"users":{"a":{}}}"#)?.compile()?;
/// let new = Policy::from_json(r#"{"version":1,"users":{"a":{"admin":"admin"},"b":{}}}"#)?.compile()?;
/// let d = diff(&old, &new);
/// assert_eq!(d.added.users, vec!["b".to_string()]);
/// assert!(d.to_string().contains("+ now bypasses data checks"));
/// # Ok::<(), permatrix::PolicyError>(())
/// ```
pub fn diff(old: &Authorizer, new: &Authorizer) -> PolicyDiff {
    let (po, pn) = (old.policy(), new.policy());
    let comparison = Comparison::new(old, new);
    let users = pn
        .users
        .keys()
        .chain(po.users.keys().filter(|u| !pn.users.contains_key(*u)))
        .filter_map(|name| {
            let changes = comparison.user(name);
            (!changes.is_empty()).then(|| UserChanges {
                user: name.clone(),
                changes,
            })
        })
        .collect();
    PolicyDiff {
        users,
        added: Items::only_in(pn, po),
        removed: Items::only_in(po, pn),
        settings: settings(po, pn),
    }
}

/// The changes of the users named, by the same comparison as [`diff`] (the guards'
/// question: what does this change do to these users?).
pub(crate) fn users(
    old: &Authorizer,
    new: &Authorizer,
    names: &[&str],
) -> Vec<(String, Vec<Change>)> {
    let comparison = Comparison::new(old, new);
    names
        .iter()
        .map(|name| (name.to_string(), comparison.user(name)))
        .collect()
}

/// Settings whose answers belong to no single user.
fn settings(old: &crate::policy::Policy, new: &crate::policy::Policy) -> Vec<SettingChange> {
    let (a, b) = (&old.settings, &new.settings);
    let mut out = Vec::new();
    let mut push = |key: &str, before: String, after: String| {
        if before != after {
            out.push(SettingChange {
                key: key.to_string(),
                before,
                after,
            });
        }
    };
    let inheritance = |s: &crate::policy::Settings| {
        let mut v: Vec<&str> = s.team_inheritance.iter().map(|t| t.as_str()).collect();
        v.sort_unstable();
        v.dedup();
        v.join(", ")
    };
    push("team_inheritance", inheritance(a), inheritance(b));
    push(
        "user_deletion",
        a.user_deletion.to_string(),
        b.user_deletion.to_string(),
    );
    let count = |n: Option<u64>| n.map_or_else(|| "none".to_string(), |n| n.to_string());
    push("licenses", count(a.licenses), count(b.licenses));
    push(
        "max_admin_sessions",
        count(a.max_admin_sessions),
        count(b.max_admin_sessions),
    );
    out
}
