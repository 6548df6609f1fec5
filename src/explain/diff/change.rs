//! What changes for one user: the items of a [`PolicyDiff`](super::PolicyDiff), each with
//! the direction it goes.

use std::ops::Deref;
use std::sync::Arc;

use serde::{Serialize, Serializer};

use crate::cell::Cell;
use crate::policy::{Access, Action, AdminLevel, CalendarLevel, FieldAccess, HostKey, Principal};

/// Which way a change goes for the user it is about.
///
/// ```
/// use permatrix::diff::Direction;
/// assert_eq!(Direction::Gain.and(Direction::Loss), Direction::Mixed);
/// assert!(Direction::Mixed.gains() && Direction::Mixed.loses());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The user can do, see or reach more, and nothing less.
    Gain,
    /// The user can do, see or reach less, and nothing more.
    Loss,
    /// More in one place and less in another (a `role` cell becoming `team`, a host key
    /// handed to someone else).
    Mixed,
}

impl Direction {
    /// `Gain` if `gain`, `Loss` if `loss`, `Mixed` if both; `None` if neither.
    ///
    /// ```
    /// use permatrix::diff::Direction;
    /// assert_eq!(Direction::of(true, false), Some(Direction::Gain));
    /// assert_eq!(Direction::of(false, false), None);
    /// ```
    pub fn of(gain: bool, loss: bool) -> Option<Direction> {
        match (gain, loss) {
            (true, false) => Some(Direction::Gain),
            (false, true) => Some(Direction::Loss),
            (true, true) => Some(Direction::Mixed),
            (false, false) => None,
        }
    }

    /// The direction of two changes together.
    ///
    /// ```
    /// use permatrix::diff::Direction;
    /// assert_eq!(Direction::Gain.and(Direction::Gain), Direction::Gain);
    /// ```
    #[must_use]
    pub fn and(self, other: Direction) -> Direction {
        Direction::of(self.gains() || other.gains(), self.loses() || other.loses())
            .unwrap_or(Direction::Mixed)
    }

    /// The user can do, see or reach something they could not before.
    ///
    /// ```
    /// assert!(permatrix::diff::Direction::Gain.gains());
    /// ```
    pub fn gains(self) -> bool {
        matches!(self, Direction::Gain | Direction::Mixed)
    }

    /// The user can no longer do, see or reach something they could before.
    ///
    /// ```
    /// assert!(permatrix::diff::Direction::Loss.loses());
    /// ```
    pub fn loses(self) -> bool {
        matches!(self, Direction::Loss | Direction::Mixed)
    }

    /// `+`, `-` or `~`, as the text form prints it.
    ///
    /// ```
    /// assert_eq!(permatrix::diff::Direction::Mixed.sign(), '~');
    /// ```
    pub fn sign(self) -> char {
        match self {
            Direction::Gain => '+',
            Direction::Loss => '-',
            Direction::Mixed => '~',
        }
    }
}

/// A list of names shared between the changes of many users (the subordinates a role's
/// move hands to everyone above it): cloning it copies one pointer.
///
/// ```
/// use permatrix::diff::Names;
/// let names = Names::from(vec!["ann".to_string(), "ben".to_string()]);
/// assert_eq!(names.len(), 2);
/// assert_eq!(serde_json::to_string(&names).unwrap(), r#"["ann","ben"]"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Names(Arc<[String]>);

impl From<Vec<String>> for Names {
    fn from(names: Vec<String>) -> Names {
        Names(names.into())
    }
}

impl Deref for Names {
    type Target = [String];
    fn deref(&self) -> &[String] {
        &self.0
    }
}

impl Serialize for Names {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter())
    }
}

/// How a user came to join or leave a team.
///
/// ```
/// use permatrix::diff::Membership;
/// assert_eq!(Membership::Listed.to_string(), "added to its members");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Membership {
    /// The team's own list of users names (or no longer names) them.
    Listed,
    /// The team was activated or deactivated.
    TeamActivity,
    /// Through a nested team or a role entry of the team.
    Indirect,
}

impl std::fmt::Display for Membership {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Membership::Listed => "added to its members",
            Membership::TeamActivity => "the team's active state changed",
            Membership::Indirect => "through a nested team or a role entry",
        })
    }
}

/// One team a user joined or left, and how.
///
/// ```
/// use permatrix::diff::{Membership, TeamChange};
/// let t = TeamChange { team: "north".into(), how: Membership::Listed };
/// assert_eq!(t.team, "north");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeamChange {
    /// The team.
    pub team: String,
    /// How.
    pub how: Membership,
}

/// Whether a user may sign in, as [`Authorizer::login`](crate::Authorizer::login)
/// answers.
///
/// ```
/// use permatrix::diff::SignIn;
/// let s = SignIn::Refused { code: "not_active".into() };
/// assert!(!s.allowed());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignIn {
    /// Signs in, presenting these second factors.
    Allowed {
        /// The factors, ascending.
        factors: Vec<String>,
    },
    /// Refused, with the refusal's code (`not_active`, `system_account`,
    /// `no_active_team`).
    Refused {
        /// The code.
        code: String,
    },
}

impl SignIn {
    /// Whether the sign-in succeeds.
    ///
    /// ```
    /// assert!(permatrix::diff::SignIn::Allowed { factors: vec![] }.allowed());
    /// ```
    pub fn allowed(&self) -> bool {
        matches!(self, SignIn::Allowed { .. })
    }
}

/// The actions a reach change touches in one module.
///
/// ```
/// use permatrix::{Action, diff::ReachedActions};
/// let r = ReachedActions { module: "deals".into(), gained: vec![Action::View], lost: vec![] };
/// assert!(r.touches(Action::View) && !r.touches(Action::Edit));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReachedActions {
    /// The module.
    pub module: String,
    /// Actions that now reach records they did not.
    pub gained: Vec<Action>,
    /// Actions that no longer reach records they did.
    pub lost: Vec<Action>,
}

impl ReachedActions {
    /// Whether `action` gained or lost reach.
    ///
    /// ```
    /// use permatrix::{Action, diff::ReachedActions};
    /// let r = ReachedActions { module: "m".into(), gained: vec![], lost: vec![Action::Edit] };
    /// assert!(r.touches(Action::Edit));
    /// ```
    pub fn touches(&self, action: Action) -> bool {
        self.gained.contains(&action) || self.lost.contains(&action)
    }

    /// The direction for `action`, if it changed.
    fn direction(&self, action: Action) -> Option<Direction> {
        Direction::of(self.gained.contains(&action), self.lost.contains(&action))
    }
}

/// Why the records a user's grants reach changed while the grants (cells) did not
/// ([administration](crate::doc::semantics#administration), the change preview).
///
/// ```
/// use permatrix::diff::Reason;
/// let r = Reason::Teams { joined: vec!["north".into()], left: vec![] };
/// assert_eq!(r.to_string(), "joined `north`");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Reason {
    /// The user's active teams changed: the records linked to a team, and those a team
    /// owns, follow membership (a join, a nested team, a team activated or deactivated).
    Teams {
        /// Teams joined.
        joined: Vec<String>,
        /// Teams left.
        left: Vec<String>,
    },
    /// The users whose records the user owns as their superior changed (the role
    /// hierarchy, or who holds the roles below the user's).
    Subordinates {
        /// New subordinates.
        gained: Names,
        /// Former subordinates.
        lost: Names,
    },
    /// The users sharing a direct role with the user changed (a `role` scope).
    RoleMates {
        /// Users who now share a role.
        gained: Names,
        /// Users who no longer do.
        lost: Names,
    },
    /// Sharing rules of the module reach the user with more or fewer records: a rule
    /// added, removed or changed, the user joining or leaving a rule's recipients, or a
    /// rule's source gaining or losing members.
    SharingRules {
        /// Owners (`user x`, `team t`) whose records a rule now shares further.
        gained: Names,
        /// Owners whose records a rule now shares less.
        lost: Names,
    },
    /// Record shares addressed to these principals now reach (or no longer reach) the
    /// user.
    SharePrincipals {
        /// Principals that now include the user.
        gained: Vec<Principal>,
        /// Principals that no longer do.
        lost: Vec<Principal>,
    },
    /// The module gained or lost record owners (`owned`): without owners a grant reaches
    /// every record.
    ModuleOwned {
        /// Before.
        before: bool,
        /// After.
        after: bool,
    },
    /// The module's `hierarchy` was switched: superiors act as owners of their
    /// subordinates' records only with it on.
    ModuleHierarchy {
        /// Before.
        before: bool,
        /// After.
        after: bool,
    },
}

/// One item of a user's changes in a [`PolicyDiff`](super::PolicyDiff).
///
/// ```
/// use permatrix::{Action, authorizer::Cell, explain::Change};
/// let c = Change::Cell { module: "deals".into(), action: Action::Edit, before: Cell::OWNER, after: Cell::ALL };
/// assert!(c.is_gain());
/// assert_eq!(c.to_string(), "+ edit on `deals`: owner -> all");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Change {
    /// The user was activated or deactivated. A deactivation is this one item: every
    /// answer that needs an active user is "no" after it.
    Active {
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
    /// The effective admin level changed.
    AdminLevel {
        /// Before.
        before: AdminLevel,
        /// After.
        after: AdminLevel,
    },
    /// Whether the user may administer an area (for `layout_editor`, of one module)
    /// changed. Areas no setting names follow the admin level.
    AdminArea {
        /// The area.
        area: String,
        /// The module, for `layout_editor`.
        module: Option<String>,
        /// Before.
        before: bool,
        /// After.
        after: bool,
    },
    /// Sign-in: refused or allowed, or other second factors.
    SignIn {
        /// Before.
        before: SignIn,
        /// After.
        after: SignIn,
    },
    /// The search-result limit (`None`: unlimited).
    ResultLimit {
        /// Before.
        before: Option<u64>,
        /// After.
        after: Option<u64>,
    },
    /// The active teams the user is a member of.
    Teams {
        /// Teams joined.
        joined: Vec<TeamChange>,
        /// Teams left.
        left: Vec<TeamChange>,
    },
    /// The user's host key: the host's rows it names are theirs.
    HostKey {
        /// Before.
        before: Option<HostKey>,
        /// After.
        after: Option<HostKey>,
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
    /// What the user's grants reach changed, for the reason given, in these modules and
    /// actions, while the cells stayed as they were.
    Reach {
        /// Why.
        reason: Reason,
        /// Where.
        modules: Vec<ReachedActions>,
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
    /// Whether the user may add values to a picklist changed.
    AddPicklistValue {
        /// Module.
        module: String,
        /// Field.
        field: String,
        /// Before.
        before: bool,
        /// After.
        after: bool,
    },
}

/// `role` and `team` do not compare: a change between them gains and loses.
fn cell_direction(before: Cell, after: Cell) -> Direction {
    let gain = before.join(after) != before;
    let loss = before.join(after) != after;
    Direction::of(gain, loss).unwrap_or(Direction::Mixed)
}

fn ordered<T: PartialOrd>(before: T, after: T) -> Direction {
    if after > before {
        Direction::Gain
    } else if after < before {
        Direction::Loss
    } else {
        Direction::Mixed
    }
}

fn switched(after: bool) -> Direction {
    if after {
        Direction::Gain
    } else {
        Direction::Loss
    }
}

impl Change {
    /// Which way this change goes for the user.
    ///
    /// ```
    /// use permatrix::{diff::Direction, explain::Change};
    /// assert_eq!(Change::ResultLimit { before: Some(50), after: None }.direction(), Direction::Gain);
    /// ```
    pub fn direction(&self) -> Direction {
        match self {
            Change::Active { after, .. }
            | Change::Bypass { after, .. }
            | Change::AdminArea { after, .. }
            | Change::Tool { after, .. }
            | Change::PicklistValue { after, .. }
            | Change::AddPicklistValue { after, .. } => switched(*after),
            Change::AdminLevel { before, after } => ordered(before, after),
            Change::Access { before, after, .. } => ordered(before, after),
            Change::Field { before, after, .. } => ordered(before, after),
            Change::Calendar { before, after, .. } => ordered(before, after),
            Change::Cell { before, after, .. } => cell_direction(*before, *after),
            Change::ResultLimit { before, after } => {
                // `None` is unlimited, the most of all
                ordered(before.unwrap_or(u64::MAX), after.unwrap_or(u64::MAX))
            }
            Change::SignIn { before, after } => sign_in_direction(before, after),
            Change::Teams { joined, left } => {
                Direction::of(!joined.is_empty(), !left.is_empty()).unwrap_or(Direction::Mixed)
            }
            Change::HostKey { .. } => Direction::Mixed,
            Change::Reach { modules, .. } => {
                let gain = modules.iter().any(|m| !m.gained.is_empty());
                let loss = modules.iter().any(|m| !m.lost.is_empty());
                Direction::of(gain, loss).unwrap_or(Direction::Mixed)
            }
        }
    }

    /// Whether the user can do, see or reach more after the change (in some respect).
    ///
    /// ```
    /// use permatrix::explain::Change;
    /// assert!(Change::Bypass { before: false, after: true }.is_gain());
    /// ```
    pub fn is_gain(&self) -> bool {
        self.direction().gains()
    }

    /// Whether the user can do, see or reach less after the change (in some respect).
    ///
    /// ```
    /// use permatrix::explain::Change;
    /// assert!(Change::Active { before: true, after: false }.is_loss());
    /// ```
    pub fn is_loss(&self) -> bool {
        self.direction().loses()
    }

    /// The direction this change gives the decisions of `action` on `module`'s records,
    /// if it touches them: a deactivation or the bypass touches every one, a cell its own
    /// (module, action), a reach change the actions it lists.
    ///
    /// ```
    /// use permatrix::{Action, diff::Direction, authorizer::Cell, explain::Change};
    /// let c = Change::Cell { module: "m".into(), action: Action::View, before: Cell::ALL, after: Cell::OWNER };
    /// assert_eq!(c.decides(Action::View, "m"), Some(Direction::Loss));
    /// assert_eq!(c.decides(Action::Edit, "m"), None);
    /// ```
    pub fn decides(&self, action: Action, module: &str) -> Option<Direction> {
        match self {
            Change::Active { .. } | Change::Bypass { .. } => Some(self.direction()),
            Change::Cell {
                module: m,
                action: a,
                ..
            } if m == module && *a == action => Some(self.direction()),
            Change::Reach { modules, .. } => modules
                .iter()
                .filter(|m| m.module == module)
                .find_map(|m| m.direction(action)),
            _ => None,
        }
    }
}

fn sign_in_direction(before: &SignIn, after: &SignIn) -> Direction {
    match (before, after) {
        (SignIn::Refused { .. }, SignIn::Allowed { .. }) => Direction::Gain,
        (SignIn::Allowed { .. }, SignIn::Refused { .. }) => Direction::Loss,
        (SignIn::Allowed { factors: was }, SignIn::Allowed { factors: now }) => {
            // fewer factors to present is lighter: a gain
            let lighter = was.iter().any(|f| !now.contains(f));
            let heavier = now.iter().any(|f| !was.contains(f));
            Direction::of(lighter, heavier).unwrap_or(Direction::Mixed)
        }
        (SignIn::Refused { .. }, SignIn::Refused { .. }) => Direction::Mixed,
    }
}
