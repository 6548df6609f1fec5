//! Dense ids handed out by an authorizer. Names are resolved once, at the edge.

use std::fmt;

/// Which compile an id belongs to. Every [`Policy::compile`](crate::Policy::compile) takes
/// the next number, so an id kept across a recompile never names anyone in the new
/// authorizer: checks deny it, and the `try_` variants call it stale. `None` once a process
/// has compiled 2³² − 1 authorizers: numbers are never handed out twice, so compiling then
/// fails rather than letting an old id come back to life.
pub(crate) fn next_generation() -> Option<u32> {
    use std::sync::atomic::{AtomicU64, Ordering};
    // 64 bits never wrap; 0 is never handed out
    static NEXT: AtomicU64 = AtomicU64::new(1);
    u32::try_from(NEXT.fetch_add(1, Ordering::Relaxed)).ok()
}

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident, $what:literal) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name {
            pub(crate) index: u32,
            pub(crate) generation: u32,
        }

        impl $name {
            pub(crate) const fn new(index: u32, generation: u32) -> Self {
                $name { index, generation }
            }

            #[doc = concat!("The ", $what, "'s position in the authorizer that issued the id (the")]
            /// policy's insertion order). Positions change when entries are removed, which is
            /// why an id belongs to one authorizer only.
            pub fn index(self) -> usize {
                self.index as usize
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({}@g{})", stringify!($name), self.index, self.generation)
            }
        }

        /// The kind and position (`user #3`). An id has no name of its own: the
        /// authorizer that issued it knows it.
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{} #{}", $what, self.index)
            }
        }

        /// Written as its position. There is no `Deserialize` or `FromStr`: an id belongs
        /// to the authorizer that issued it, so a stored one could name someone else
        /// later. Store names or host keys, and look them up again.
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_u32(self.index)
            }
        }
    };
}

id_type!(
    /// A user of one authorizer; get it with [`Authorizer::user`](crate::Authorizer::user).
    ///
    /// An id belongs to the authorizer that issued it (and to the copies
    /// [`Authorizer::with_user_active`](crate::Authorizer::with_user_active) makes). Kept
    /// across a recompile it names nobody: checks deny it and the `try_` variants return a
    /// `stale_id` error, so a cached id can never name another user.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let mut policy = Policy::from_json(r#"{"version":1,"users":{"ann":{},"bob":{}}}"#)?;
    /// let auth = policy.compile()?;
    /// let bob = auth.user("bob").unwrap();
    /// assert_eq!(auth.user_name(bob), Ok("bob"));
    /// policy.users.shift_remove("ann"); // bob moves to position 0
    /// let next = policy.compile()?;
    /// assert!(next.user_name(bob).is_err()); // the old id names nobody
    /// assert_eq!(next.user_name(next.user("bob").unwrap()), Ok("bob"));
    /// assert_eq!(next.user("bob").unwrap().to_string(), "user #0");
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
    /// assert_eq!(auth.team_at(0), auth.team("north"));
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

macro_rules! member_id_type {
    ($(#[$meta:meta])* $name:ident, $what:literal) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name {
            pub(crate) module: ModuleId,
            pub(crate) index: u32,
        }

        impl $name {
            /// The module it belongs to.
            pub fn module(self) -> ModuleId {
                self.module
            }

            #[doc = concat!("The ", $what, "'s position among its module's ", $what, "s.")]
            pub fn index(self) -> usize {
                self.index as usize
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?}.{})", stringify!($name), self.module, self.index)
            }
        }

        /// The kind, module position and position (`field #1 of module #0`).
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{} #{} of {}", $what, self.index, self.module)
            }
        }
    };
}

member_id_type!(
    /// A field of a module, resolved once with
    /// [`Authorizer::field`](crate::Authorizer::field), so a typo shows when it is
    /// resolved rather than hiding the field on every call. It belongs to the authorizer
    /// that issued its module's id.
    ///
    /// ```
    /// use permatrix::{FieldAccess, Policy};
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{"fields":{"iban":{}}}},"users":{"a":{"admin":"admin"}}}"#)?.compile()?;
    /// let m = auth.module("m").unwrap();
    /// let iban = auth.field(m, "iban").unwrap();
    /// assert!(auth.field(m, "ibna").is_none());
    /// assert_eq!(auth.field_name(iban), Ok("iban"));
    /// assert_eq!(auth.field_access(auth.user("a").unwrap(), iban), FieldAccess::ReadWrite);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    FieldId,
    "field"
);
member_id_type!(
    /// A tool of a module, resolved once with [`Authorizer::tool`](crate::Authorizer::tool).
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{"tools":["pdf_export"]}},"users":{"a":{"admin":"admin"}}}"#)?.compile()?;
    /// let pdf = auth.tool(auth.module("m").unwrap(), "pdf_export").unwrap();
    /// assert!(auth.can_use_tool(auth.user("a").unwrap(), pdf));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    ToolId,
    "tool"
);

/// Who a record share (or a compiled sharing rule) names.
///
/// ```
/// use permatrix::{Policy, authorizer::PrincipalId};
/// let auth = Policy::from_json(r#"{"version":1,"users":{"ann":{}}}"#)?.compile()?;
/// let p = PrincipalId::User(auth.user("ann").unwrap());
/// assert!(matches!(p, PrincipalId::User(_)));
/// # Ok::<(), permatrix::PolicyError>(())
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
