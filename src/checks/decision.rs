//! The steps of [the decision steps](crate::doc::semantics#decision-steps), as values: `can` computes one and answers whether it allows;
//! `explain` dresses it with names.

use crate::cell::Cell;
use crate::ids::{RoleId, TeamId};

/// The step of [the decision steps](crate::doc::semantics#decision-steps) that decided a check.
///
/// ```
/// use permatrix::explain::Step;
/// assert!(Step::AdminBypass.allows());
/// assert!(!Step::NoGrant.allows());
/// assert_eq!(Step::NotActive.number(), 2);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Step {
    /// 1: an id the authorizer does not know: deny.
    UnknownId,
    /// 2: the user is not `active`: deny.
    NotActive,
    /// 3: `admin_bypass` and an effective level of `admin` or `customer_admin`: allow.
    AdminBypass,
    /// 4: the matrix cell is `none`: deny.
    NoGrant,
    /// 5: the module has no owners, or the action concerns no record: allow.
    ModuleWide,
    /// 6: the cell reaches the record through these facts: allow.
    Cell(Cell, Facts),
    /// 7: a sharing rule (its position in `sharing_rules`) reaches the record: allow.
    SharingRule(usize),
    /// 7: a share on the record (its position in `record.shares`) reaches it: allow.
    RecordShare(usize),
    /// 8: the cell is not `none` but reaches neither the record nor a share does: deny.
    NotReached(Cell, Facts),
}

impl Step {
    /// Whether this step allows.
    ///
    /// ```
    /// use permatrix::explain::Step;
    /// assert!(Step::ModuleWide.allows() && !Step::UnknownId.allows());
    /// ```
    pub fn allows(self) -> bool {
        matches!(
            self,
            Step::AdminBypass
                | Step::ModuleWide
                | Step::Cell(..)
                | Step::SharingRule(_)
                | Step::RecordShare(_)
        )
    }

    /// The step's number in [the decision steps](crate::doc::semantics#decision-steps).
    ///
    /// ```
    /// use permatrix::explain::Step;
    /// assert_eq!(Step::SharingRule(0).number(), 7);
    /// ```
    pub fn number(self) -> u8 {
        match self {
            Step::UnknownId => 1,
            Step::NotActive => 2,
            Step::AdminBypass => 3,
            Step::NoGrant => 4,
            Step::ModuleWide => 5,
            Step::Cell(..) => 6,
            Step::SharingRule(_) | Step::RecordShare(_) => 7,
            Step::NotReached(..) => 8,
        }
    }
}

/// The three facts of [decision step 6](crate::doc::semantics#decision-steps), with what established each. A fact that was not
/// needed to decide may be left `None` (it was not computed).
///
/// ```
/// use permatrix::explain::Facts;
/// let f = Facts::default();
/// assert!(f.owner.is_none() && f.role_match.is_none() && f.team_match.is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Facts {
    /// How the user counts as the owner.
    pub owner: Option<OwnerFact>,
    /// A direct role the user shares with the owning user.
    pub role_match: Option<RoleId>,
    /// A team of the record the user is a member of.
    pub team_match: Option<TeamId>,
}

/// Why a user counts as a record's owner.
///
/// ```
/// use permatrix::explain::OwnerFact;
/// assert_ne!(OwnerFact::Itself, OwnerFact::MemberOfOwningTeam);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnerFact {
    /// The user owns the record.
    Itself,
    /// The record is owned by a team the user is a member of.
    MemberOfOwningTeam,
    /// The user's direct role `superior` is above the owner's direct role `subordinate`.
    Superior {
        /// The user's role.
        superior: RoleId,
        /// The owning user's role.
        subordinate: RoleId,
    },
}
