//! What the engine sees of a record: module, owner, teams and shares.

use crate::ids::{ModuleId, PrincipalId, TeamId, UserId};
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
/// use permatrix::{Share, authorizer::PrincipalId, policy::ShareAccess};
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
    /// use permatrix::{Record, Share, authorizer::PrincipalId, policy::ShareAccess};
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

/// A record that owns its team links and shares: what a helper that reads a row returns,
/// since a [`Record`] only borrows them. Check it through [`OwnedRecord::as_record`].
///
/// ```
/// use permatrix::{Action, OwnedRecord, Policy, Share, authorizer::PrincipalId, policy::ShareAccess};
/// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},
///   "profiles":{"p":{"modules":{"m":{"access":"on","actions":{"view":"team"}}}}},
///   "roles":{"r":{"profiles":["p"]}},
///   "users":{"a":{"roles":["r"]},"b":{}},"teams":{"t":{"users":["a"]}}}"#)?.compile()?;
/// let (a, b, m, t) = (auth.user("a").unwrap(), auth.user("b").unwrap(), auth.module("m").unwrap(), auth.team("t").unwrap());
///
/// // a helper can build and return it: nothing is borrowed from its locals
/// fn from_row(m: permatrix::ModuleId, owner: permatrix::UserId, linked: Vec<permatrix::TeamId>) -> OwnedRecord {
///     OwnedRecord::owned_by_user(m, owner).with_teams(linked)
/// }
/// let deal = from_row(m, b, vec![t]);
/// assert!(auth.can(a, Action::View, &deal.as_record()));
/// let shared = OwnedRecord::owned_by_user(m, b)
///     .with_shares(vec![Share { to: PrincipalId::User(a), access: ShareAccess::Read }]);
/// assert_eq!(shared.shares.len(), 1);
/// # Ok::<(), permatrix::PolicyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OwnedRecord {
    /// The record's module.
    pub module: ModuleId,
    /// Its owner.
    pub owner: Owner,
    /// The teams it is linked to.
    pub teams: Vec<TeamId>,
    /// Its shares.
    pub shares: Vec<Share>,
}

impl OwnedRecord {
    /// A record of `module` owned by `owner`, with no team links or shares.
    ///
    /// ```
    /// use permatrix::{OwnedRecord, Owner};
    /// # let auth = permatrix::Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{}}}"#)?.compile()?;
    /// # let (a, m) = (auth.user("a").unwrap(), auth.module("m").unwrap());
    /// let r = OwnedRecord::new(m, Owner::User(a));
    /// assert!(r.teams.is_empty() && r.shares.is_empty());
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn new(module: ModuleId, owner: Owner) -> OwnedRecord {
        OwnedRecord {
            module,
            owner,
            teams: Vec::new(),
            shares: Vec::new(),
        }
    }

    /// A record of `module` owned by the user `owner`.
    ///
    /// ```
    /// use permatrix::{OwnedRecord, Owner};
    /// # let auth = permatrix::Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{}}}"#)?.compile()?;
    /// # let (a, m) = (auth.user("a").unwrap(), auth.module("m").unwrap());
    /// assert_eq!(OwnedRecord::owned_by_user(m, a).owner, Owner::User(a));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn owned_by_user(module: ModuleId, owner: UserId) -> OwnedRecord {
        OwnedRecord::new(module, Owner::User(owner))
    }

    /// A record of `module` owned by the team `owner`.
    ///
    /// ```
    /// use permatrix::{OwnedRecord, Owner};
    /// # let auth = permatrix::Policy::from_json(r#"{"version":1,"modules":{"m":{}},"teams":{"t":{}}}"#)?.compile()?;
    /// # let (t, m) = (auth.team("t").unwrap(), auth.module("m").unwrap());
    /// assert_eq!(OwnedRecord::owned_by_team(m, t).owner, Owner::Team(t));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn owned_by_team(module: ModuleId, owner: TeamId) -> OwnedRecord {
        OwnedRecord::new(module, Owner::Team(owner))
    }

    /// The same record linked to `teams`.
    ///
    /// ```
    /// use permatrix::OwnedRecord;
    /// # let auth = permatrix::Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{}},"teams":{"t":{}}}"#)?.compile()?;
    /// # let (a, m, t) = (auth.user("a").unwrap(), auth.module("m").unwrap(), auth.team("t").unwrap());
    /// assert_eq!(OwnedRecord::owned_by_user(m, a).with_teams(vec![t]).teams, [t]);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn with_teams(self, teams: Vec<TeamId>) -> OwnedRecord {
        OwnedRecord { teams, ..self }
    }

    /// The same record with `shares`.
    ///
    /// ```
    /// use permatrix::{OwnedRecord, Share, authorizer::PrincipalId, policy::ShareAccess};
    /// # let auth = permatrix::Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{},"b":{}}}"#)?.compile()?;
    /// # let (a, b, m) = (auth.user("a").unwrap(), auth.user("b").unwrap(), auth.module("m").unwrap());
    /// let r = OwnedRecord::owned_by_user(m, a).with_shares(vec![Share { to: PrincipalId::User(b), access: ShareAccess::Read }]);
    /// assert_eq!(r.shares[0].access, ShareAccess::Read);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn with_shares(self, shares: Vec<Share>) -> OwnedRecord {
        OwnedRecord { shares, ..self }
    }

    /// The record to check, borrowing this one's lists.
    ///
    /// ```
    /// use permatrix::{Action, OwnedRecord};
    /// # let auth = permatrix::Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{"admin":"admin"}}}"#)?.compile()?;
    /// # let (a, m) = (auth.user("a").unwrap(), auth.module("m").unwrap());
    /// let r = OwnedRecord::owned_by_user(m, a);
    /// assert!(auth.can(a, Action::View, &r.as_record()));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn as_record(&self) -> Record<'_> {
        Record {
            module: self.module,
            owner: self.owner,
            teams: &self.teams,
            shares: &self.shares,
        }
    }
}

impl<'a> From<&'a OwnedRecord> for Record<'a> {
    fn from(r: &'a OwnedRecord) -> Record<'a> {
        r.as_record()
    }
}

impl From<Record<'_>> for OwnedRecord {
    fn from(r: Record<'_>) -> OwnedRecord {
        OwnedRecord {
            module: r.module,
            owner: r.owner,
            teams: r.teams.to_vec(),
            shares: r.shares.to_vec(),
        }
    }
}
