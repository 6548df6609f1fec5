//! What the engine sees of a record: module, owner, teams and shares.

use super::ids::{ModuleId, PrincipalId, TeamId, UserId};
use crate::policy::ShareAccess;

/// Who owns a record: a user, or a team.
///
/// ```
/// use permatrix::{Owner, UserId};
/// let o = Owner::User(UserId::from_index(0));
/// assert!(matches!(o, Owner::User(_)));
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
/// use permatrix::{PrincipalId, Share, ShareAccess, UserId};
/// let s = Share { to: PrincipalId::User(UserId::from_index(1)), access: ShareAccess::Read };
/// assert_eq!(s.access, ShareAccess::Read);
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
    /// use permatrix::{ModuleId, Owner, Record, UserId};
    /// let r = Record::new(ModuleId::from_index(0), Owner::User(UserId::from_index(0)));
    /// assert!(r.teams.is_empty() && r.shares.is_empty());
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
    /// use permatrix::{ModuleId, Owner, Record, UserId};
    /// let r = Record::owned_by_user(ModuleId::from_index(0), UserId::from_index(2));
    /// assert_eq!(r.owner, Owner::User(UserId::from_index(2)));
    /// ```
    pub fn owned_by_user(module: ModuleId, owner: UserId) -> Record<'static> {
        Record::new(module, Owner::User(owner))
    }

    /// A record of `module` owned by team `owner`.
    ///
    /// ```
    /// use permatrix::{ModuleId, Owner, Record, TeamId};
    /// let r = Record::owned_by_team(ModuleId::from_index(0), TeamId::from_index(1));
    /// assert_eq!(r.owner, Owner::Team(TeamId::from_index(1)));
    /// ```
    pub fn owned_by_team(module: ModuleId, owner: TeamId) -> Record<'static> {
        Record::new(module, Owner::Team(owner))
    }

    /// The same record linked to `teams`.
    ///
    /// ```
    /// use permatrix::{ModuleId, Record, TeamId, UserId};
    /// let teams = [TeamId::from_index(0)];
    /// let r = Record::owned_by_user(ModuleId::from_index(0), UserId::from_index(0)).with_teams(&teams);
    /// assert_eq!(r.teams, &teams);
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
    /// use permatrix::{ModuleId, PrincipalId, Record, Share, ShareAccess, UserId};
    /// let shares = [Share { to: PrincipalId::User(UserId::from_index(1)), access: ShareAccess::Full }];
    /// let r = Record::owned_by_user(ModuleId::from_index(0), UserId::from_index(0)).with_shares(&shares);
    /// assert_eq!(r.shares.len(), 1);
    /// ```
    pub fn with_shares<'b>(self, shares: &'b [Share]) -> Record<'b>
    where
        'a: 'b,
    {
        Record { shares, ..self }
    }
}
