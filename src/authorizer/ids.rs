//! Dense ids handed out by an authorizer. Names are resolved once, at the edge.

use std::fmt;

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident, $what:literal) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub(crate) u32);

        impl $name {
            #[doc = concat!("The ", $what, "'s position in the policy (its insertion order).")]
            ///
            /// Ids are positions: they stay meaningful for any authorizer compiled from a
            /// policy whose entries were not reordered or removed. An id beyond the end is
            /// not an error for `can`: it is an unknown id and is denied.
            pub fn index(self) -> usize {
                self.0 as usize
            }

            #[doc = concat!("The ", $what, " at `index`, for hosts that keep positions.")]
            ///
            /// An index that does not exist in an authorizer is treated as unknown there.
            pub fn from_index(index: usize) -> Self {
                $name(u32::try_from(index).unwrap_or(u32::MAX))
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }
    };
}

id_type!(
    /// A user of one authorizer; get it with [`Authorizer::user`](crate::Authorizer::user).
    ///
    /// ```
    /// use permatrix::{Policy, UserId};
    /// let auth = Policy::from_json(r#"{"version":1,"users":{"ann":{}}}"#)?.compile()?;
    /// assert_eq!(auth.user("ann"), Some(UserId::from_index(0)));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    UserId,
    "user"
);
id_type!(
    /// A team of one authorizer; get it with [`Authorizer::team`](crate::Authorizer::team).
    ///
    /// ```
    /// use permatrix::{Policy, TeamId};
    /// let auth = Policy::from_json(r#"{"version":1,"teams":{"north":{}}}"#)?.compile()?;
    /// assert_eq!(auth.team("north").map(TeamId::index), Some(0));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    TeamId,
    "team"
);
id_type!(
    /// A role of one authorizer; get it with [`Authorizer::role`](crate::Authorizer::role).
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"profiles":{"p":{}},"roles":{"rep":{"profiles":["p"]}}}"#)?.compile()?;
    /// assert!(auth.role("rep").is_some());
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    RoleId,
    "role"
);
id_type!(
    /// A module of one authorizer; get it with [`Authorizer::module`](crate::Authorizer::module).
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"deals":{}}}"#)?.compile()?;
    /// assert!(auth.module("deals").is_some() && auth.module("quotes").is_none());
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    ModuleId,
    "module"
);

/// Who a record share (or a compiled sharing rule) names.
///
/// ```
/// use permatrix::{PrincipalId, UserId};
/// let p = PrincipalId::User(UserId::from_index(3));
/// assert!(matches!(p, PrincipalId::User(_)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PrincipalId {
    /// One user.
    User(UserId),
    /// The members of a team.
    Team(TeamId),
    /// The users whose direct roles include the role.
    Role(RoleId),
    /// The users with a direct role in the role's subtree.
    RoleAndSubordinates(RoleId),
}

impl PrincipalId {
    pub(crate) fn user(i: u32) -> Self {
        PrincipalId::User(UserId(i))
    }
    pub(crate) fn team(i: u32) -> Self {
        PrincipalId::Team(TeamId(i))
    }
    pub(crate) fn role(i: u32) -> Self {
        PrincipalId::Role(RoleId(i))
    }
    pub(crate) fn role_and_subordinates(i: u32) -> Self {
        PrincipalId::RoleAndSubordinates(RoleId(i))
    }
}
