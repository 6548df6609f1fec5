//! The condition language of filters and its simplification.

use crate::checks::record::{Owner, Record};
use crate::ids::{PrincipalId, TeamId, UserId};
use crate::policy::ShareAccess;

/// A boolean condition over a record's columns. In a condition built by
/// [`Authorizer::filter`](crate::Authorizer::filter), id lists are ascending and without
/// repeats, and an empty list never appears (it would be `False`); a condition built by
/// hand may list ids in any order ([`Condition::simplified`] sorts them).
///
/// ```
/// use permatrix::filter::Condition;
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
    /// Lists may be in any order.
    ///
    /// # Cost
    /// O(ids listed in the condition × the record's teams and shares).
    ///
    /// ```
    /// use permatrix::{Policy, Record, filter::Condition};
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{},"b":{}},"teams":{"t":{}}}"#)?.compile()?;
    /// let (a, b, m, t) = (auth.user("a").unwrap(), auth.user("b").unwrap(), auth.module("m").unwrap(), auth.team("t").unwrap());
    /// let linked = [t];
    /// let r = Record::owned_by_user(m, a).with_teams(&linked);
    /// assert!(Condition::LinkedToTeam(vec![t]).matches(&r));
    /// assert!(!Condition::OwnerUserIn(vec![b]).matches(&r));
    /// assert!(Condition::OwnerUserIn(vec![b, a]).matches(&r)); // any order
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn matches(&self, record: &Record<'_>) -> bool {
        self.eval(record, false)
    }

    /// [`Condition::matches`] for a condition whose lists are ascending, as
    /// [`Condition::simplified`] leaves them: binary searches instead of scans.
    pub(crate) fn matches_simplified(&self, record: &Record<'_>) -> bool {
        self.eval(record, true)
    }

    fn eval(&self, record: &Record<'_>, sorted: bool) -> bool {
        fn has<T: Ord>(list: &[T], x: &T, sorted: bool) -> bool {
            if sorted {
                list.binary_search(x).is_ok()
            } else {
                list.contains(x)
            }
        }
        match self {
            Condition::True => true,
            Condition::False => false,
            Condition::OwnerUserIn(users) => {
                matches!(record.owner, Owner::User(u) if has(users, &u, sorted))
            }
            Condition::OwnerTeamIn(teams) => {
                matches!(record.owner, Owner::Team(t) if has(teams, &t, sorted))
            }
            Condition::LinkedToTeam(teams) => record.teams.iter().any(|t| has(teams, t, sorted)),
            Condition::SharedWith { to, at_least } => record
                .shares
                .iter()
                .any(|s| s.access >= *at_least && has(to, &s.to, sorted)),
            Condition::All(all) => all.iter().all(|c| c.eval(record, sorted)),
            Condition::Any(any) => any.iter().any(|c| c.eval(record, sorted)),
        }
    }

    /// The same condition, simplified: nested `Any`/`All` flattened, `True` and `False`
    /// collapsed, sets of one kind under an `Any` merged, lists sorted without repeats,
    /// empty sets dropped.
    ///
    /// ```
    /// use permatrix::{Policy, filter::Condition};
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;

    fn ids() -> (crate::checks::Authorizer, Vec<crate::ids::UserId>) {
        let auth = Policy::from_json(r#"{"version":1,"users":{"a":{},"b":{},"c":{}}}"#)
            .unwrap()
            .compile()
            .unwrap();
        let users = (0..3).filter_map(|i| auth.user_at(i)).collect();
        (auth, users)
    }

    /// Empty and one-part `All` and `Any` collapse to what they mean.
    #[test]
    fn one_part_and_no_part_collapse() {
        let (_auth, u) = ids();
        let one = || Condition::OwnerUserIn(vec![u[0]]);
        assert_eq!(Condition::All(vec![]).simplified(), Condition::True);
        assert_eq!(Condition::Any(vec![]).simplified(), Condition::False);
        assert_eq!(Condition::All(vec![one()]).simplified(), one());
        assert_eq!(Condition::Any(vec![one()]).simplified(), one());
        assert_eq!(
            Condition::All(vec![one(), Condition::True]).simplified(),
            one()
        );
    }

    /// Shares asked at two levels stay apart: read shares do not open a delete.
    #[test]
    fn shares_at_different_levels_are_not_merged() {
        let (_auth, u) = ids();
        let c = Condition::Any(vec![
            Condition::SharedWith {
                to: vec![PrincipalId::User(u[0])],
                at_least: ShareAccess::Read,
            },
            Condition::SharedWith {
                to: vec![PrincipalId::User(u[1])],
                at_least: ShareAccess::Full,
            },
        ])
        .simplified();
        let Condition::Any(parts) = &c else {
            panic!("{c:?}")
        };
        assert_eq!(parts.len(), 2, "{c:?}");
    }

    /// `matches` reads lists in any order; the simplified form's sorted lists agree.
    #[test]
    fn matches_in_any_order() {
        let (auth, u) = ids();
        let m = crate::ids::ModuleId::new(0, auth.inner.generation);
        let record = crate::checks::record::Record::owned_by_user(m, u[0]);
        let unsorted = Condition::OwnerUserIn(vec![u[2], u[0]]);
        assert!(unsorted.matches(&record));
        assert!(!Condition::OwnerUserIn(vec![u[2], u[1]]).matches(&record));
        assert!(unsorted.clone().simplified().matches_simplified(&record));
        assert!(!Condition::False.matches(&record) && Condition::True.matches(&record));
    }
}
