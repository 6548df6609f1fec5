//! The condition language of filters and its simplification.

use crate::authorizer::{Owner, PrincipalId, Record, TeamId, UserId};
use crate::policy::ShareAccess;

/// A boolean condition over a record's columns. Id lists are ascending and without
/// repeats; an empty list never appears (it would be `False`).
///
/// ```
/// use permatrix::Condition;
/// # let auth = permatrix::Policy::from_json(r#"{"version":1,"users":{"a":{},"b":{}},"teams":{"t1":{},"t2":{},"t3":{}}}"#)?.compile()?;
/// # let (a, b) = (auth.user("a").unwrap(), auth.user("b").unwrap());
/// let c = Condition::Any(vec![Condition::False, Condition::OwnerUserIn(vec![b])]);
/// assert_eq!(c.simplified(), Condition::OwnerUserIn(vec![b]));
/// # Ok::<(), permatrix::PolicyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Condition {
    /// Every record of the module.
    True,
    /// No record.
    False,
    /// The record is owned by one of these users.
    OwnerUserIn(Vec<UserId>),
    /// The record is owned by one of these teams.
    OwnerTeamIn(Vec<TeamId>),
    /// The record is linked to at least one of these teams.
    LinkedToTeam(Vec<TeamId>),
    /// The record has a share to one of these principals at `at_least` or more.
    SharedWith {
        /// Principals, ascending.
        to: Vec<PrincipalId>,
        /// The lowest share level that counts.
        at_least: ShareAccess,
    },
    /// Every condition holds.
    All(Vec<Condition>),
    /// At least one condition holds.
    Any(Vec<Condition>),
}

impl Condition {
    /// Evaluates the condition on a record's columns (the record's module is not looked at).
    ///
    /// ```
    /// use permatrix::{Condition, Policy, Record};
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{},"b":{}},"teams":{"t":{}}}"#)?.compile()?;
    /// let (a, b, m, t) = (auth.user("a").unwrap(), auth.user("b").unwrap(), auth.module("m").unwrap(), auth.team("t").unwrap());
    /// let linked = [t];
    /// let r = Record::owned_by_user(m, a).with_teams(&linked);
    /// assert!(Condition::LinkedToTeam(vec![t]).matches(&r));
    /// assert!(!Condition::OwnerUserIn(vec![b]).matches(&r));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn matches(&self, record: &Record<'_>) -> bool {
        match self {
            Condition::True => true,
            Condition::False => false,
            Condition::OwnerUserIn(users) => {
                matches!(record.owner, Owner::User(u) if users.binary_search(&u).is_ok())
            }
            Condition::OwnerTeamIn(teams) => {
                matches!(record.owner, Owner::Team(t) if teams.binary_search(&t).is_ok())
            }
            Condition::LinkedToTeam(teams) => {
                record.teams.iter().any(|t| teams.binary_search(t).is_ok())
            }
            Condition::SharedWith { to, at_least } => record
                .shares
                .iter()
                .any(|s| s.access >= *at_least && to.binary_search(&s.to).is_ok()),
            Condition::All(all) => all.iter().all(|c| c.matches(record)),
            Condition::Any(any) => any.iter().any(|c| c.matches(record)),
        }
    }

    /// The same condition, simplified: nested `Any`/`All` flattened, `True` and `False`
    /// collapsed, sets of one kind under an `Any` merged, lists sorted without repeats,
    /// empty sets dropped.
    ///
    /// ```
    /// use permatrix::{Condition, Policy};
    /// let auth = Policy::from_json(r#"{"version":1,"teams":{"t0":{},"t1":{},"t2":{},"t3":{}}}"#)?.compile()?;
    /// let t = |i| auth.team_at(i).unwrap();
    /// let c = Condition::Any(vec![
    ///     Condition::LinkedToTeam(vec![t(3), t(1)]),
    ///     Condition::Any(vec![Condition::LinkedToTeam(vec![t(1), t(2)])]),
    /// ]);
    /// assert_eq!(c.simplified(), Condition::LinkedToTeam(vec![t(1), t(2), t(3)]));
    /// assert_eq!(Condition::All(vec![Condition::True, Condition::False]).simplified(), Condition::False);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    #[must_use]
    pub fn simplified(self) -> Condition {
        match self {
            Condition::OwnerUserIn(v) => leaf(v, Condition::OwnerUserIn),
            Condition::OwnerTeamIn(v) => leaf(v, Condition::OwnerTeamIn),
            Condition::LinkedToTeam(v) => leaf(v, Condition::LinkedToTeam),
            Condition::SharedWith { to, at_least } => {
                leaf(to, |to| Condition::SharedWith { to, at_least })
            }
            Condition::All(parts) => {
                let mut out = Vec::new();
                for part in parts.into_iter().map(Condition::simplified) {
                    match part {
                        Condition::True => {}
                        Condition::False => return Condition::False,
                        Condition::All(inner) => out.extend(inner),
                        other => out.push(other),
                    }
                }
                out.dedup();
                match out.len() {
                    0 => Condition::True,
                    1 => out.pop().unwrap_or(Condition::True),
                    _ => Condition::All(out),
                }
            }
            Condition::Any(parts) => {
                let mut flat = Vec::new();
                for part in parts.into_iter().map(Condition::simplified) {
                    match part {
                        Condition::False => {}
                        Condition::True => return Condition::True,
                        Condition::Any(inner) => flat.extend(inner),
                        other => flat.push(other),
                    }
                }
                let (mut users, mut owner_teams, mut linked) = (Vec::new(), Vec::new(), Vec::new());
                let mut shared: Vec<(ShareAccess, Vec<PrincipalId>)> = Vec::new();
                let mut rest = Vec::new();
                for part in flat {
                    match part {
                        Condition::OwnerUserIn(v) => users.extend(v),
                        Condition::OwnerTeamIn(v) => owner_teams.extend(v),
                        Condition::LinkedToTeam(v) => linked.extend(v),
                        Condition::SharedWith { to, at_least } => {
                            match shared.iter_mut().find(|(level, _)| *level == at_least) {
                                Some((_, list)) => list.extend(to),
                                None => shared.push((at_least, to)),
                            }
                        }
                        other => rest.push(other),
                    }
                }
                let mut out = Vec::new();
                for merged in [
                    Condition::OwnerUserIn(users).simplified(),
                    Condition::OwnerTeamIn(owner_teams).simplified(),
                    Condition::LinkedToTeam(linked).simplified(),
                ]
                .into_iter()
                .chain(
                    shared
                        .into_iter()
                        .map(|(at_least, to)| Condition::SharedWith { to, at_least }.simplified()),
                ) {
                    if merged != Condition::False {
                        out.push(merged);
                    }
                }
                rest.dedup();
                out.extend(rest);
                match out.len() {
                    0 => Condition::False,
                    1 => out.pop().unwrap_or(Condition::False),
                    _ => Condition::Any(out),
                }
            }
            other => other,
        }
    }
}

fn leaf<T: Ord>(mut ids: Vec<T>, make: impl FnOnce(Vec<T>) -> Condition) -> Condition {
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        Condition::False
    } else {
        make(ids)
    }
}
