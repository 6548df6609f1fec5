//! Administrator seats: how many administrators may be signed in at once
//! (`settings.max_admin_sessions`, Salesware). A thread-safe register the host keeps
//! beside its sessions.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Mutex, PoisonError};

use crate::authorizer::{Authorizer, LoginError};
use crate::error::ErrorCode;
use crate::ids::UserId;
use crate::policy::AdminLevel;

/// The seats of signed-in administrators: users whose effective level is `admin` or
/// `customer_admin` take one when they sign in and give it back when they sign out; others
/// need none. With every seat taken a sign-in is refused, naming who holds the seats,
/// unless it is forced, which signs out whoever has held a seat longest.
///
/// Seats are kept by username, so they outlive recompiles. The register is `Send + Sync`:
/// share one per process (or per limit) between request handlers.
///
/// ```
/// use permatrix::{Policy, seats::{AdminSeats, SeatTaken}};
/// let auth = Policy::from_json(r#"{"version":1,"settings":{"max_admin_sessions":1},
///   "users":{"root":{"admin":"admin"},"ca":{"admin":"customer_admin"},"bob":{}}}"#)?.compile()?;
/// let seats = AdminSeats::for_policy(auth.policy());
/// let (root, ca, bob) = (auth.user("root").unwrap(), auth.user("ca").unwrap(), auth.user("bob").unwrap());
/// assert_eq!(seats.sign_in(&auth, root), Ok(SeatTaken::Taken));
/// assert_eq!(seats.sign_in(&auth, bob), Ok(SeatTaken::NotNeeded));
/// let full = seats.sign_in(&auth, ca).unwrap_err();
/// assert_eq!(full.holders(), ["root"]);
/// assert_eq!(seats.sign_in_forced(&auth, ca), Ok((SeatTaken::Taken, Some("root".to_string()))));
/// assert_eq!(seats.holders(), ["ca"]);
/// # Ok::<(), permatrix::PolicyError>(())
/// ```
#[derive(Debug)]
pub struct AdminSeats {
    limit: Option<u64>,
    /// Holders, longest-held first.
    held: Mutex<VecDeque<String>>,
}

/// How a sign-in went with the seats.
///
/// ```
/// use permatrix::seats::SeatTaken;
/// assert_ne!(SeatTaken::Taken, SeatTaken::NotNeeded);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SeatTaken {
    /// The user took a seat.
    Taken,
    /// The user already held one; nothing changed.
    AlreadyHeld,
    /// The user is no administrator (or no limit is set for them): no seat needed.
    NotNeeded,
}

/// A sign-in refused by the seat register: `seats_taken` (every seat is taken;
/// [`SeatError::holders`] says by whom), the sign-in's own code when
/// [`Authorizer::login`] refuses the user (`not_active`, `system_account`,
/// `no_active_team`: only a user whose sign-in succeeds takes a seat, and a refused one
/// signs no one out), or `stale_id` for an id the authorizer did not issue.
///
/// ```
/// use permatrix::{ErrorCode, Policy, seats::AdminSeats};
/// let auth = Policy::from_json(r#"{"version":1,"settings":{"max_admin_sessions":0},"users":{"root":{"admin":"admin"}}}"#)?.compile()?;
/// let err = AdminSeats::for_policy(auth.policy()).sign_in(&auth, auth.user("root").unwrap()).unwrap_err();
/// assert_eq!(err.code(), ErrorCode::SeatsTaken);
/// assert_eq!(err.to_string(), "all 0 administrator seats are taken (by nobody)");
/// # Ok::<(), permatrix::PolicyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatError {
    code: ErrorCode,
    /// The seat limit, when every seat is taken.
    limit: u64,
    holders: Vec<String>,
    login: Option<LoginError>,
}

impl fmt::Display for SeatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.login {
            Some(login) => write!(f, "sign-in refused: {login}"),
            None if self.code == ErrorCode::SeatsTaken => write!(
                f,
                "all {} administrator seats are taken (by {})",
                self.limit,
                holders_text(&self.holders)
            ),
            None => f.write_str("the user id was not issued by this authorizer"),
        }
    }
}

impl std::error::Error for SeatError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.login
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl SeatError {
    fn full(limit: u64, holders: Vec<String>) -> SeatError {
        SeatError {
            code: ErrorCode::SeatsTaken,
            limit,
            holders,
            login: None,
        }
    }

    fn stale() -> SeatError {
        SeatError {
            code: ErrorCode::StaleId,
            limit: 0,
            holders: Vec::new(),
            login: None,
        }
    }

    fn sign_in_refused(login: LoginError) -> SeatError {
        SeatError {
            code: login.code(),
            limit: 0,
            holders: Vec::new(),
            login: Some(login),
        }
    }
}

fn holders_text(holders: &[String]) -> String {
    if holders.is_empty() {
        "nobody".to_string()
    } else {
        holders.join(", ")
    }
}

impl SeatError {
    /// What was refused, in words: [`Display`](std::fmt::Display)'s text.
    ///
    /// ```
    /// use permatrix::{Policy, seats::AdminSeats};
    /// let auth = Policy::from_json(r#"{"version":1,"users":{"a":{"admin":"admin"},"b":{"admin":"admin"}}}"#)?.compile()?;
    /// let seats = AdminSeats::new(Some(1));
    /// seats.sign_in(&auth, auth.user("a").unwrap()).unwrap();
    /// let err = seats.sign_in(&auth, auth.user("b").unwrap()).unwrap_err();
    /// assert_eq!(err.message(), "all 1 administrator seats are taken (by a)");
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn message(&self) -> String {
        self.to_string()
    }

    /// `seats_taken`, `stale_id` for an unknown user, or the sign-in refusal's own code
    /// (`not_active`, `system_account`, `no_active_team`).
    ///
    /// ```
    /// use permatrix::{ErrorCode, Policy, seats::AdminSeats};
    /// let auth = Policy::from_json(r#"{"version":1,"users":{"shop":{"kind":"system","admin":"admin"},"root":{"admin":"admin"}}}"#)?.compile()?;
    /// let seats = AdminSeats::for_policy(auth.policy());
    /// assert_eq!(seats.sign_in(&auth, auth.user("shop").unwrap()).unwrap_err().code(), ErrorCode::SystemAccount);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// Who holds the seats (empty unless every seat is taken), longest-held first.
    ///
    /// ```
    /// use permatrix::{Policy, seats::AdminSeats};
    /// let auth = Policy::from_json(r#"{"version":1,"settings":{"max_admin_sessions":0},"users":{"root":{"admin":"admin"}}}"#)?.compile()?;
    /// let err = AdminSeats::for_policy(auth.policy()).sign_in(&auth, auth.user("root").unwrap()).unwrap_err();
    /// assert!(err.holders().is_empty());
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn holders(&self) -> &[String] {
        &self.holders
    }
}

impl fmt::Display for SeatTaken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SeatTaken::Taken => "seat taken",
            SeatTaken::AlreadyHeld => "seat already held",
            SeatTaken::NotNeeded => "no seat needed",
        })
    }
}

impl AdminSeats {
    /// A register with `limit` seats; `None` counts holders without ever refusing.
    ///
    /// ```
    /// let seats = permatrix::seats::AdminSeats::new(Some(2));
    /// assert_eq!(seats.limit(), Some(2));
    /// ```
    pub fn new(limit: Option<u64>) -> AdminSeats {
        AdminSeats {
            limit,
            held: Mutex::new(VecDeque::new()),
        }
    }

    /// A register with the policy's `settings.max_admin_sessions`.
    ///
    /// ```
    /// use permatrix::{Policy, seats::AdminSeats};
    /// let p = Policy::from_json(r#"{"version":1,"settings":{"max_admin_sessions":3}}"#)?;
    /// assert_eq!(AdminSeats::for_policy(&p).limit(), Some(3));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn for_policy(policy: &crate::policy::Policy) -> AdminSeats {
        AdminSeats::new(policy.settings.max_admin_sessions)
    }

    /// The number of seats, `None` for no limit.
    pub fn limit(&self) -> Option<u64> {
        self.limit
    }

    /// Who holds a seat, longest-held first.
    ///
    /// # Cost
    /// O(holders): one copy of the list.
    pub fn holders(&self) -> Vec<String> {
        self.lock().iter().cloned().collect()
    }

    /// Signs `user` in: an administrator (effective level `admin` or `customer_admin`)
    /// takes a free seat, or is refused with the holders named when all are taken. A user
    /// whose sign-in [`Authorizer::login`] refuses (not active, a system account, no active
    /// team where one is required) takes no seat, administrator or not.
    ///
    /// # Errors
    /// [`SeatError`]: `seats_taken` with every seat taken; the sign-in's own code for a
    /// user who may not sign in; `stale_id` for an id `auth` did not issue.
    ///
    /// # Cost
    /// O(holders) under one lock.
    pub fn sign_in(&self, auth: &Authorizer, user: UserId) -> Result<SeatTaken, SeatError> {
        self.take(auth, user, false).map(|(taken, _)| taken)
    }

    /// [`AdminSeats::sign_in`], signing out whoever has held a seat longest when all are
    /// taken; returns who that was. A user who may not sign in is refused before any seat
    /// is touched, so a forced sign-in by them evicts no one.
    ///
    /// # Errors
    /// [`SeatError`]: `stale_id` for an id `auth` did not issue; the sign-in's own code
    /// for a user who may not sign in; with no seat at all (a limit of 0),
    /// `seats_taken`.
    ///
    /// # Cost
    /// O(holders) under one lock.
    pub fn sign_in_forced(
        &self,
        auth: &Authorizer,
        user: UserId,
    ) -> Result<(SeatTaken, Option<String>), SeatError> {
        self.take(auth, user, true)
    }

    /// Gives `username`'s seat back; `false` when they held none.
    ///
    /// # Cost
    /// O(holders) under one lock.
    ///
    /// ```
    /// let seats = permatrix::seats::AdminSeats::new(None);
    /// assert!(!seats.sign_out("nobody"));
    /// ```
    pub fn sign_out(&self, username: &str) -> bool {
        let mut held = self.lock();
        let before = held.len();
        held.retain(|h| h != username);
        held.len() != before
    }

    fn take(
        &self,
        auth: &Authorizer,
        user: UserId,
        force: bool,
    ) -> Result<(SeatTaken, Option<String>), SeatError> {
        let name = auth.user_name(user).map_err(|_| SeatError::stale())?;
        let level = auth.admin_level(user).map_err(|_| SeatError::stale())?;
        // SPEC §12: only a user whose sign-in succeeds takes (or takes away) a seat
        auth.login(user).map_err(SeatError::sign_in_refused)?;
        if !matches!(level, AdminLevel::Admin | AdminLevel::CustomerAdmin) {
            return Ok((SeatTaken::NotNeeded, None));
        }
        let mut held = self.lock();
        if held.iter().any(|h| h == name) {
            return Ok((SeatTaken::AlreadyHeld, None));
        }
        let full = self.limit.is_some_and(|limit| held.len() as u64 >= limit);
        let mut signed_out = None;
        if full {
            let limit = self.limit.unwrap_or(0);
            if !force || limit == 0 {
                return Err(SeatError::full(limit, held.iter().cloned().collect()));
            }
            signed_out = held.pop_front();
        }
        held.push_back(name.to_string());
        Ok((SeatTaken::Taken, signed_out))
    }

    /// The holders; a panic elsewhere while holding the lock left the list whole (every
    /// change is one push, pop or retain), so a poisoned lock is used as it is.
    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<String>> {
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
