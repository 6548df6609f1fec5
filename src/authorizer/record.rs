//! What the engine sees of a record: module, owner, teams and shares.

use super::ids::{ModuleId, PrincipalId, TeamId, UserId};
use crate::policy::ShareAccess;

/// Who owns a record: a user, or a team.
///
/// ```
/// use permatrix::Owner;
/// # let auth = permatrix::Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{},"b":{}},"teams":{"t":{}}}"#)?.compile()?;
/// # let (a, b, m, t) = (auth.user("a").unwrap(), auth.user("b").unwrap(), auth.module("m").unwrap(), auth.team("t").unwrap());
/// let o = Owner::User(a);
/// assert!(matches!(o, Owner::User(_)));
/// # Ok::<(), permatrix::PolicyError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Owner {
    /// Owned (assigned to) a user.
    User(UserId),
    /// Owned by a team (CRM+ "zuständig: Gruppe").
    Team(TeamId),
}

/// A share of one record with a principal (MiniCRM's "explicitly shared").
///
/// ```
/// use permatrix::{PrincipalId, Share, ShareAccess};
/// # let auth = permatrix::Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{},"b":{}},"teams":{"t":{}}}"#)?.compile()?;
/// # let (a, b, m, t) = (auth.user("a").unwrap(), auth.user("b").unwrap(), auth.module("m").unwrap(), auth.team("t").unwrap());
/// let s = Share { to: PrincipalId::User(b), access: ShareAccess::Read };
/// assert_eq!(s.access, ShareAccess::Read);
/// # Ok::<(), permatrix::PolicyError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Share {
    /// Who receives access.
    pub to: PrincipalId,
    /// How much.
    pub access: ShareAccess,
}

/// One record as the engine sees it. Borrowing slices keeps checks allocation-free.
///
/// ```
/// use permatrix::{Policy, Record};
/// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"u":{}},"teams":{"t":{}}}"#)?
///     .compile()?;
/// let teams = [auth.team("t").unwrap()];
/// let r = Record::owned_by_user(auth.module("m").unwrap(), auth.user("u").unwrap()).with_teams(&teams);
/// assert_eq!(r.teams.len(), 1);
/// # Ok::<(), permatrix::PolicyError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Record<'a> {
    /// The record's module.
    pub module: ModuleId,
    /// The owner.
    pub owner: Owner,
    /// Teams the record is linked to.
    pub teams: &'a [TeamId],
    /// Shares of this record.
    pub shares: &'a [Share],
}

impl<'a> Record<'a> {
    /// A record of `module` owned by `owner`, with no teams or shares.
    ///
    /// ```
    /// use permatrix::{Owner, Record};
    /// # let auth = permatrix::Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{},"b":{}},"teams":{"t":{}}}"#)?.compile()?;
    /// # let (a, b, m, t) = (auth.user("a").unwrap(), auth.user("b").unwrap(), auth.module("m").unwrap(), auth.team("t").unwrap());
    /// let r = Record::new(m, Owner::User(a));
    /// assert!(r.teams.is_empty() && r.shares.is_empty());
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn new(module: ModuleId, owner: Owner) -> Record<'static> {
        Record {
            module,
            owner,
            teams: &[],
            shares: &[],
        }
    }

    /// A record of `module` owned by user `owner`.
    ///
    /// ```
    /// use permatrix::{Owner, Record};
    /// # let auth = permatrix::Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{},"b":{}},"teams":{"t":{}}}"#)?.compile()?;
    /// # let (a, b, m, t) = (auth.user("a").unwrap(), auth.user("b").unwrap(), auth.module("m").unwrap(), auth.team("t").unwrap());
    /// let r = Record::owned_by_user(m, b);
    /// assert_eq!(r.owner, Owner::User(b));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn owned_by_user(module: ModuleId, owner: UserId) -> Record<'static> {
        Record::new(module, Owner::User(owner))
    }

    /// A record of `module` owned by team `owner`.
    ///
    /// ```
    /// use permatrix::{Owner, Record};
    /// # let auth = permatrix::Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{},"b":{}},"teams":{"t":{}}}"#)?.compile()?;
    /// # let (a, b, m, t) = (auth.user("a").unwrap(), auth.user("b").unwrap(), auth.module("m").unwrap(), auth.team("t").unwrap());
    /// let r = Record::owned_by_team(m, t);
    /// assert_eq!(r.owner, Owner::Team(t));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn owned_by_team(module: ModuleId, owner: TeamId) -> Record<'static> {
        Record::new(module, Owner::Team(owner))
    }

    /// The same record linked to `teams`.
    ///
    /// ```
    /// use permatrix::Record;
    /// # let auth = permatrix::Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{},"b":{}},"teams":{"t":{}}}"#)?.compile()?;
    /// # let (a, b, m, t) = (auth.user("a").unwrap(), auth.user("b").unwrap(), auth.module("m").unwrap(), auth.team("t").unwrap());
    /// let teams = [t];
    /// let r = Record::owned_by_user(m, a).with_teams(&teams);
    /// assert_eq!(r.teams, &teams);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn with_teams<'b>(self, teams: &'b [TeamId]) -> Record<'b>
    where
        'a: 'b,
    {
        Record { teams, ..self }
    }

    /// The same record with `shares`.
    ///
    /// ```
    /// use permatrix::{PrincipalId, Record, Share, ShareAccess};
    /// # let auth = permatrix::Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{},"b":{}},"teams":{"t":{}}}"#)?.compile()?;
    /// # let (a, b, m, t) = (auth.user("a").unwrap(), auth.user("b").unwrap(), auth.module("m").unwrap(), auth.team("t").unwrap());
    /// let shares = [Share { to: PrincipalId::User(b), access: ShareAccess::Full }];
    /// let r = Record::owned_by_user(m, a).with_shares(&shares);
    /// assert_eq!(r.shares.len(), 1);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn with_shares<'b>(self, shares: &'b [Share]) -> Record<'b>
    where
        'a: 'b,
    {
        Record { shares, ..self }
    }
}
