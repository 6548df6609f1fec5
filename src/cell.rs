//! The seven-value cell lattice of [grants](crate::doc::semantics#grants).
//!
//! A cell is one byte: bit 0 is "the owner is reached", bits 1–4 are a truth table over
//! (role match, team match). The seven legal values are exactly the monotone functions of
//! (owner, role, team) in which ownership implies any non-empty grant, so join is bitwise
//! OR and meet bitwise AND, and both stay inside the seven.

use std::fmt;
use std::ops::{Index, IndexMut};

use crate::policy::{Action, Scope};

const OWNER: u8 = 1;
const NEITHER: u8 = 1 << 1; // reached with no role match and no team match
const ROLE_ONLY: u8 = 1 << 2;
const TEAM_ONLY: u8 = 1 << 3;
const BOTH: u8 = 1 << 4;

/// The effective grant of one user for one (module, action).
///
/// ```
/// use permatrix::authorizer::Cell;
/// assert_eq!(Cell::ROLE.join(Cell::TEAM), Cell::ROLE_OR_TEAM);
/// assert_eq!(Cell::ROLE.meet(Cell::TEAM), Cell::ROLE_AND_TEAM);
/// assert_eq!(Cell::ALL.meet(Cell::NONE), Cell::NONE);
/// assert!(Cell::OWNER.allows(true, false, false));
/// assert!(!Cell::ROLE_AND_TEAM.allows(false, true, false));
/// ```
///
/// Cells are ordered by what they reach, which is a lattice, not a line: `role` and `team`
/// are incomparable. So `Cell` is `PartialOrd` (`a <= b` exactly when `a.join(b) == b`)
/// and not `Ord`; use [`Cell::join`] and [`Cell::meet`] for the highest and lowest of two.
///
/// ```
/// use permatrix::authorizer::Cell;
/// assert!(Cell::OWNER < Cell::ROLE && Cell::ROLE < Cell::ROLE_OR_TEAM);
/// assert_eq!(Cell::ROLE.partial_cmp(&Cell::TEAM), None);
/// assert!(!(Cell::ROLE <= Cell::TEAM) && !(Cell::TEAM <= Cell::ROLE));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Cell(u8);

impl PartialOrd for Cell {
    fn partial_cmp(&self, other: &Cell) -> Option<std::cmp::Ordering> {
        use std::cmp::Ordering;
        let join = self.join(*other);
        if self == other {
            Some(Ordering::Equal)
        } else if join == *other {
            Some(Ordering::Less)
        } else if join == *self {
            Some(Ordering::Greater)
        } else {
            None
        }
    }
}

impl Cell {
    /// Nothing, not even the user's own records.
    pub const NONE: Cell = Cell(0);
    /// Only records the user owns.
    pub const OWNER: Cell = Cell(OWNER);
    /// Owned records, and records whose owner shares a direct role with the user and that
    /// are linked to one of the user's teams.
    pub const ROLE_AND_TEAM: Cell = Cell(OWNER | BOTH);
    /// Owned records, and records whose owner shares a direct role with the user.
    pub const ROLE: Cell = Cell(OWNER | ROLE_ONLY | BOTH);
    /// Owned records, and records linked to one of the user's teams.
    pub const TEAM: Cell = Cell(OWNER | TEAM_ONLY | BOTH);
    /// Owned records, and records reached by role or by team.
    pub const ROLE_OR_TEAM: Cell = Cell(OWNER | ROLE_ONLY | TEAM_ONLY | BOTH);
    /// Every record of the module.
    pub const ALL: Cell = Cell(OWNER | NEITHER | ROLE_ONLY | TEAM_ONLY | BOTH);

    /// The seven values, from `none` to `all`.
    pub const VALUES: [Cell; 7] = [
        Cell::NONE,
        Cell::OWNER,
        Cell::ROLE_AND_TEAM,
        Cell::ROLE,
        Cell::TEAM,
        Cell::ROLE_OR_TEAM,
        Cell::ALL,
    ];

    /// The cell a scope gives; `admin` is `all` for users whose effective admin level is
    /// `admin` or `customer_admin` (`admin_scope_reaches`), `none` otherwise.
    ///
    /// ```
    /// use permatrix::{authorizer::Cell, policy::Scope};
    /// assert_eq!(Cell::from_scope(Scope::Admin, true), Cell::ALL);
    /// assert_eq!(Cell::from_scope(Scope::Admin, false), Cell::NONE);
    /// assert_eq!(Cell::from_scope(Scope::Team, false), Cell::TEAM);
    /// ```
    pub fn from_scope(scope: Scope, admin_scope_reaches: bool) -> Cell {
        match scope {
            Scope::None => Cell::NONE,
            Scope::Admin if admin_scope_reaches => Cell::ALL,
            Scope::Admin => Cell::NONE,
            Scope::Owner => Cell::OWNER,
            Scope::Role => Cell::ROLE,
            Scope::Team => Cell::TEAM,
            Scope::All => Cell::ALL,
        }
    }

    /// Either grants (additive merge, union of profiles).
    ///
    /// ```
    /// use permatrix::authorizer::Cell;
    /// assert_eq!(Cell::OWNER.join(Cell::ALL), Cell::ALL);
    /// ```
    #[must_use]
    pub const fn join(self, other: Cell) -> Cell {
        Cell(self.0 | other.0)
    }

    /// Both grant (subtractive merge, ceilings).
    ///
    /// ```
    /// use permatrix::authorizer::Cell;
    /// assert_eq!(Cell::OWNER.meet(Cell::ALL), Cell::OWNER);
    /// ```
    #[must_use]
    pub const fn meet(self, other: Cell) -> Cell {
        Cell(self.0 & other.0)
    }

    /// `true` for `none`.
    ///
    /// ```
    /// use permatrix::authorizer::Cell;
    /// assert!(Cell::NONE.is_none() && !Cell::OWNER.is_none());
    /// ```
    pub const fn is_none(self) -> bool {
        self.0 == 0
    }

    /// Whether the cell reaches a record with these three facts ([decision step 6](crate::doc::semantics#decision-steps)).
    ///
    /// ```
    /// use permatrix::authorizer::Cell;
    /// assert!(Cell::TEAM.allows(false, false, true));
    /// assert!(!Cell::TEAM.allows(false, true, false));
    /// assert!(!Cell::NONE.allows(true, true, true));
    /// ```
    pub const fn allows(self, owner: bool, role_match: bool, team_match: bool) -> bool {
        if owner {
            return self.0 & OWNER != 0;
        }
        let bit = match (role_match, team_match) {
            (false, false) => NEITHER,
            (true, false) => ROLE_ONLY,
            (false, true) => TEAM_ONLY,
            (true, true) => BOTH,
        };
        self.0 & bit != 0
    }

    /// Whether a role match can change this cell's answer for some team fact, so that
    /// `can` only looks for one where it matters.
    pub(crate) const fn wants_role(self) -> bool {
        let b = self.0;
        ((b & ROLE_ONLY != 0) != (b & NEITHER != 0)) || ((b & BOTH != 0) != (b & TEAM_ONLY != 0))
    }

    /// The name [grants](crate::doc::semantics#grants) gives the value: `none owner role∧team role team role∨team all`.
    ///
    /// ```
    /// use permatrix::authorizer::Cell;
    /// assert_eq!(Cell::ROLE_AND_TEAM.name(), "role∧team");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Cell::NONE => "none",
            Cell::OWNER => "owner",
            Cell::ROLE_AND_TEAM => "role∧team",
            Cell::ROLE => "role",
            Cell::TEAM => "team",
            Cell::ROLE_OR_TEAM => "role∨team",
            Cell::ALL => "all",
            // Cells are only built from the constants above with join and meet, which
            // keep to the seven; name anything else honestly rather than panic.
            _ => "invalid",
        }
    }

    /// Parses a name written by [`Cell::name`] (`role_and_team` and `role_or_team` are
    /// accepted too).
    ///
    /// ```
    /// use permatrix::authorizer::Cell;
    /// assert_eq!(Cell::parse("role∨team"), Some(Cell::ROLE_OR_TEAM));
    /// assert_eq!(Cell::parse("role_or_team"), Some(Cell::ROLE_OR_TEAM));
    /// ```
    pub fn parse(name: &str) -> Option<Cell> {
        match name {
            "role_and_team" => return Some(Cell::ROLE_AND_TEAM),
            "role_or_team" => return Some(Cell::ROLE_OR_TEAM),
            _ => {}
        }
        Cell::VALUES.into_iter().find(|c| c.name() == name)
    }
}

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// A cell's name, as [`Cell::parse`] reads it.
///
/// ```
/// use permatrix::authorizer::Cell;
/// assert_eq!("team".parse::<Cell>(), Ok(Cell::TEAM));
/// assert_eq!(
///     "most".parse::<Cell>().unwrap_err().to_string(),
///     "`most` is not a cell: one of none, owner, role∧team, role, team, role∨team, all"
/// );
/// ```
impl std::str::FromStr for Cell {
    type Err = crate::policy::UnknownWordError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Cell::parse(name).ok_or_else(|| {
            crate::policy::UnknownWordError::new("Cell", name, &Cell::VALUES.map(Cell::name))
        })
    }
}

/// Written as its name (`"role∨team"`).
impl serde::Serialize for Cell {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// Read from any name [`Cell::parse`] accepts.
///
/// ```
/// use permatrix::authorizer::Cell;
/// let c: Cell = serde_json::from_str(r#""role_or_team""#).unwrap();
/// assert_eq!(c, Cell::ROLE_OR_TEAM);
/// assert_eq!(serde_json::to_string(&Cell::OWNER).unwrap(), r#""owner""#);
/// ```
impl<'de> serde::Deserialize<'de> for Cell {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

impl fmt::Debug for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cell({})", self.name())
    }
}

/// One cell per action, indexed by the action itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) struct ActionCells(pub [Cell; Action::COUNT]);

impl ActionCells {
    /// Every action `none`.
    pub const NONE: ActionCells = ActionCells([Cell::NONE; Action::COUNT]);

    /// The cells, in the order of [`Action::ALL`].
    pub fn iter(&self) -> impl Iterator<Item = Cell> + '_ {
        self.0.iter().copied()
    }

    /// The cells, mutably, in the order of [`Action::ALL`].
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Cell> {
        self.0.iter_mut()
    }
}

impl Index<Action> for ActionCells {
    type Output = Cell;

    #[allow(
        clippy::indexing_slicing,
        reason = "an action's index is below Action::COUNT, the array's length"
    )]
    fn index(&self, action: Action) -> &Cell {
        &self.0[action.index()]
    }
}

impl IndexMut<Action> for ActionCells {
    #[allow(
        clippy::indexing_slicing,
        reason = "an action's index is below Action::COUNT, the array's length"
    )]
    fn index_mut(&mut self, action: Action) -> &mut Cell {
        &mut self.0[action.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_and_meet_are_closed_over_the_seven() {
        for a in Cell::VALUES {
            for b in Cell::VALUES {
                assert!(Cell::VALUES.contains(&a.join(b)), "{a} join {b}");
                assert!(Cell::VALUES.contains(&a.meet(b)), "{a} meet {b}");
            }
        }
    }

    #[test]
    fn every_value_is_monotone_and_owner_implies_any_grant() {
        for c in Cell::VALUES {
            for (r, t) in [(false, false), (true, false), (false, true), (true, true)] {
                if c.allows(false, r, t) {
                    assert!(c.allows(false, true, t) && c.allows(false, r, true), "{c}");
                    assert!(c.allows(true, r, t), "{c}: owner must be reached");
                }
            }
            assert_eq!(c.allows(true, false, false), !c.is_none(), "{c}");
        }
    }

    #[test]
    fn the_order_is_the_lattice_order() {
        for a in Cell::VALUES {
            for b in Cell::VALUES {
                let reaches_less = [true, false].iter().all(|&o| {
                    [(false, false), (true, false), (false, true), (true, true)]
                        .iter()
                        .all(|&(r, t)| !a.allows(o, r, t) || b.allows(o, r, t))
                });
                assert_eq!(a <= b, reaches_less, "{a} <= {b}");
            }
        }
        assert!(Cell::NONE < Cell::OWNER && Cell::ROLE_AND_TEAM < Cell::TEAM);
        assert!(Cell::ROLE_OR_TEAM < Cell::ALL);
    }

    #[test]
    fn wants_role_is_exact() {
        for c in Cell::VALUES {
            let matters = [false, true]
                .iter()
                .any(|&t| c.allows(false, true, t) != c.allows(false, false, t));
            assert_eq!(c.wants_role(), matters, "{c}");
        }
    }

    #[test]
    fn wants_reports_only_deciding_facts() {
        assert!(!Cell::ALL.wants_role() && !Cell::TEAM.wants_role());
        assert!(Cell::ROLE.wants_role() && Cell::ROLE_AND_TEAM.wants_role());
        assert!(!Cell::OWNER.wants_role());
    }
}
