//! Upper bounds on what a policy may hold and what compiling it may cost, so that no
//! document — however hostile — makes the crate take time or memory out of proportion to
//! its size. Going past one is the error `limit_exceeded`.

use super::Policy;

/// The bounds a policy is held to when it is read, validated, compiled and changed.
///
/// The defaults fit a CRM of a few million users and stop documents built to exhaust
/// memory. Set by value, read with the `get_` methods:
///
/// ```
/// use permatrix::{Policy, policy::Limits};
/// let limits = Limits::new().users(10).depth(4);
/// assert_eq!(limits.get_users(), 10);
/// let mut policy = Policy::from_json_with_limits(r#"{"version":1,"users":{"a":{}}}"#, &limits)?;
/// assert_eq!(policy.limits().get_depth(), 4);
/// policy.set_limits(Limits::new());
/// # Ok::<(), permatrix::PolicyError>(())
/// ```
///
/// Two budgets grow with the policy's *size* ([`Limits::size_of`]: the number of ids and
/// list entries it holds) rather than being fixed, because what they bound is legitimately
/// larger in a larger policy:
/// - **memberships**: the (user, team) memberships compile works out, counted once for
///   every group of users with the same direct teams and roles (they share their teams),
///   plus the steps taken to find them — at most `membership_factor × size + 1 Mi`;
/// - **matrix**: the bytes of the compiled matrix (a table of modules × (actions +
///   fields + tools) per distinct source — a role with its team ceiling — and per row
///   worked out ahead, plus the rows' lists of sources) — at most
///   `matrix_factor × size + 64 MiB`, and the joins that work rows out at most four
///   times that.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Limits {
    document_bytes: usize,
    users: usize,
    roles: usize,
    teams: usize,
    profiles: usize,
    modules: usize,
    rules: usize,
    depth: usize,
    membership_factor: usize,
    matrix_factor: usize,
    row_cache_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            document_bytes: 256 << 20,
            users: 4_000_000,
            roles: 1_000_000,
            teams: 1_000_000,
            profiles: 1_000_000,
            modules: 10_000,
            rules: 1_000_000,
            depth: 1_000,
            membership_factor: 16,
            matrix_factor: 256,
            row_cache_bytes: 256 << 10,
        }
    }
}

macro_rules! limit {
    ($(#[$doc:meta])* $name:ident, $get:ident) => {
        $(#[$doc])*
        #[must_use]
        pub fn $name(mut self, value: usize) -> Limits {
            self.$name = value;
            self
        }

        #[doc = concat!("The bound set with [`Limits::", stringify!($name), "`].")]
        pub fn $get(&self) -> usize {
            self.$name
        }
    };
}

impl Limits {
    /// The defaults: 256 MiB documents; 4,000,000 users; 1,000,000 roles, teams,
    /// profiles and sharing rules (calendar shares included); 10,000 modules; hierarchies
    /// and team nesting 1,000 deep; membership factor 16; matrix factor 256; 256 KiB of
    /// precomputed rows.
    ///
    /// ```
    /// use permatrix::policy::Limits;
    /// assert_eq!(Limits::new(), Limits::default());
    /// ```
    pub fn new() -> Limits {
        Limits::default()
    }

    /// No bound at all, for trusted documents (tests, migrations).
    ///
    /// ```
    /// use permatrix::policy::Limits;
    /// assert_eq!(Limits::unlimited().get_users(), usize::MAX);
    /// ```
    pub fn unlimited() -> Limits {
        Limits {
            document_bytes: usize::MAX,
            users: usize::MAX,
            roles: usize::MAX,
            teams: usize::MAX,
            profiles: usize::MAX,
            modules: usize::MAX,
            rules: usize::MAX,
            depth: usize::MAX,
            membership_factor: usize::MAX,
            matrix_factor: usize::MAX,
            row_cache_bytes: usize::MAX,
        }
    }

    limit!(
        /// The largest document [`Policy::from_json_with_limits`] reads, in bytes.
        document_bytes,
        get_document_bytes
    );
    limit!(
        /// The most users.
        users,
        get_users
    );
    limit!(
        /// The most roles.
        roles,
        get_roles
    );
    limit!(
        /// The most teams.
        teams,
        get_teams
    );
    limit!(
        /// The most profiles.
        profiles,
        get_profiles
    );
    limit!(
        /// The most modules.
        modules,
        get_modules
    );
    limit!(
        /// The most sharing rules plus calendar shares.
        rules,
        get_rules
    );
    limit!(
        /// The deepest role hierarchy (roles on the longest parent chain) and the deepest
        /// team nesting (teams on the longest chain of nested teams).
        depth,
        get_depth
    );
    limit!(
        /// Memberships worked out per entry of the policy's size (see [`Limits`]).
        membership_factor,
        get_membership_factor
    );
    limit!(
        /// Matrix bytes per entry of the policy's size (see [`Limits`]).
        matrix_factor,
        get_matrix_factor
    );
    limit!(
        /// The most bytes spent on matrix rows worked out ahead of checks. A user's row is
        /// the join (or, under `merge: subtractive`, the meet) of the tables of their
        /// sources — each role they hold, with its team ceiling. When every row with
        /// several sources fits in this many bytes, compile works them all out and a check
        /// reads one cell; otherwise a check joins the row's few source cells, and the
        /// matrix grows with the sources, not with the combinations. Rows with overrides
        /// are always worked out; 0 precomputes no others. The default keeps precomputed
        /// rows within a core's cache: past that, a check that misses the cache costs more
        /// than joining two or three cells that hit it.
        ///
        /// ```
        /// use permatrix::{Policy, policy::Limits};
        /// let mut p = Policy::from_json(r#"{"version":1,"users":{"a":{}}}"#)?;
        /// p.set_limits(Limits::new().row_cache_bytes(0));
        /// assert!(p.compile().is_ok());
        /// # Ok::<(), permatrix::PolicyError>(())
        /// ```
        row_cache_bytes,
        get_row_cache_bytes
    );

    /// The size the budgets are measured against: the number of ids and list entries
    /// in `policy` (every user, team, role, profile, module, field and tool; every role,
    /// member, nested team and factor listed; every profile entry, action, field and
    /// tool setting; every override part, sharing rule, calendar share and picklist
    /// value), at least 1. O(policy size).
    ///
    /// ```
    /// use permatrix::{Policy, policy::Limits};
    /// let p = Policy::from_json(r#"{"version":1,"users":{"a":{"roles":[]},"b":{}}}"#)?;
    /// assert_eq!(Limits::size_of(&p), 2);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn size_of(policy: &Policy) -> usize {
        let p = policy;
        let grants = |g: &super::ModuleGrant| 1 + g.actions.len() + g.fields.len() + g.tools.len();
        let modules: usize = p
            .modules
            .values()
            .map(|m| {
                1 + m.tools.len()
                    + m.fields
                        .values()
                        .map(|f| {
                            1 + f
                                .picklist
                                .as_ref()
                                .map_or(0, |l| l.values.iter().map(|v| 1 + v.roles.len()).sum())
                        })
                        .sum::<usize>()
            })
            .sum();
        let profiles: usize = p
            .profiles
            .values()
            .map(|pr| 1 + pr.modules.values().map(grants).sum::<usize>())
            .sum();
        let roles: usize = p.roles.values().map(|r| 1 + r.profiles.len()).sum();
        let teams: usize = p
            .teams
            .values()
            .map(|t| {
                1 + t.users.len()
                    + t.teams.len()
                    + t.roles.len()
                    + t.roles_and_subordinates.len()
                    + t.factors.len()
                    + t.calendar_rights.len()
            })
            .sum();
        let users: usize = p
            .users
            .values()
            .map(|u| {
                1 + u.roles.len()
                    + u.factors.len()
                    + u.overrides
                        .values()
                        .map(|o| 1 + o.actions.len() + o.fields.len() + o.tools.len())
                        .sum::<usize>()
            })
            .sum();
        (modules
            + profiles
            + roles
            + teams
            + users
            + p.sharing_rules.len()
            + p.calendar_shares.len()
            + p.settings.system_factors.len())
        .max(1)
    }

    /// The membership budget for a policy of `size` (see [`Limits`]).
    pub(crate) fn membership_budget(&self, size: usize) -> usize {
        self.membership_factor
            .saturating_mul(size)
            .saturating_add(1 << 20)
    }

    /// The matrix budget in bytes for a policy of `size` (see [`Limits`]).
    pub(crate) fn matrix_budget(&self, size: usize) -> usize {
        self.matrix_factor
            .saturating_mul(size)
            .saturating_add(64 << 20)
    }
}
