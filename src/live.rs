//! Live reload: a handle that request handlers read the current authorizer from, and that
//! administration swaps atomically; deactivation takes effect at once, without a compile.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use arc_swap::ArcSwap;

use crate::authorizer::Authorizer;
use crate::policy::Status;

/// The authorizer in force, shared between request handlers and administration.
///
/// Readers call [`LiveAuthorizer::current`] once per request, resolve the names they need
/// to ids from that snapshot, and answer the whole request from it; a swap never changes a
/// snapshot someone holds. Ids belong to the snapshot that issued them (and to the copies
/// [`LiveAuthorizer::set_active`] makes): after a publish, an id kept from before denies.
/// Administration publishes a newly compiled authorizer with [`LiveAuthorizer::publish`],
/// and (de)activates users at once with [`LiveAuthorizer::set_active`], without waiting
/// for a compile.
///
/// `arc-swap` makes reads lock-free: a read is an atomic load and a reference count.
/// Writers take a short lock, so a deactivation and a publish never undo each other.
///
/// ```
/// use std::sync::Arc;
/// use permatrix::{Action, LiveAuthorizer, Policy, Record};
///
/// let mut policy = Policy::from_json(r#"{"version":1,"modules":{"m":{}},
///   "users":{"root":{"admin":"admin"},"bob":{"admin":"customer_admin"}}}"#)?;
/// let live = Arc::new(LiveAuthorizer::new(policy.compile()?));
///
/// // an administrator deactivates bob: effective for every later check, no compile needed
/// policy.admin("root").deactivate_user("bob")?;
/// live.set_active("bob", false);
/// let now = live.current();
/// let bob = now.user("bob").unwrap();
/// assert!(!now.can(bob, Action::View, &Record::owned_by_user(now.module("m").unwrap(), bob)));
///
/// // later the full recompile is published; ids are resolved again from the new snapshot
/// live.publish(policy.compile()?);
/// let now = live.current();
/// assert_eq!(now.user_active(now.user("bob").unwrap()), Ok(false));
/// assert!(now.user_active(bob).is_err()); // an id of the earlier compile names nobody
/// # Ok::<(), permatrix::PolicyError>(())
/// ```
#[derive(Debug)]
pub struct LiveAuthorizer {
    current: ArcSwap<Authorizer>,
    /// Statuses set with [`LiveAuthorizer::set_active`] that the published policy does
    /// not show yet, by username. Writers (`set_active`, `publish`) take the lock, so
    /// neither loses the other's change; readers never do.
    pending: Mutex<HashMap<String, bool>>,
}

impl LiveAuthorizer {
    /// A handle starting with `authorizer`.
    ///
    /// ```
    /// use permatrix::{LiveAuthorizer, Policy};
    /// let live = LiveAuthorizer::new(Policy::new().compile()?);
    /// assert_eq!(live.current().matrix_rows(), 0);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn new(authorizer: Authorizer) -> LiveAuthorizer {
        LiveAuthorizer {
            current: ArcSwap::from_pointee(authorizer),
            pending: Mutex::new(HashMap::new()),
        }
    }

    /// The authorizer in force now. Lock-free; hold it for the length of one request.
    ///
    /// # Cost
    /// O(1): an atomic load and a reference count.
    ///
    /// ```
    /// use permatrix::{LiveAuthorizer, Policy};
    /// let live = LiveAuthorizer::new(Policy::from_json(r#"{"version":1,"users":{"a":{}}}"#)?.compile()?);
    /// assert!(live.current().user("a").is_some());
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn current(&self) -> Arc<Authorizer> {
        self.current.load_full()
    }

    /// Makes `authorizer` the one in force, atomically for every reader.
    ///
    /// A status set with [`LiveAuthorizer::set_active`] holds in every authorizer
    /// published after it until one whose policy shows the same status for that user: a
    /// compile that started before a deactivation and is published after it cannot make
    /// the user active again.
    ///
    /// # Cost
    /// O(p + users / 64 · p') for the p statuses set and not yet shown by a published
    /// policy, p' of which differ from `authorizer`: an atomic swap otherwise.
    ///
    /// ```
    /// use permatrix::{LiveAuthorizer, Policy};
    /// let live = LiveAuthorizer::new(Policy::new().compile()?);
    /// live.publish(Policy::from_json(r#"{"version":1,"users":{"a":{}}}"#)?.compile()?);
    /// assert!(live.current().user("a").is_some());
    ///
    /// // a deactivation while a compile of the old policy is on its way
    /// let mut policy = Policy::from_json(r#"{"version":1,"users":{"root":{"admin":"admin"},"bob":{}}}"#)?;
    /// live.publish(policy.compile()?);
    /// let in_flight = policy.compile()?;
    /// policy.admin("root").deactivate_user("bob")?;
    /// live.set_active("bob", false);
    /// live.publish(in_flight);
    /// let now = live.current();
    /// assert_eq!(now.user_active(now.user("bob").unwrap()), Ok(false));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn publish(&self, authorizer: Authorizer) {
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        let mut authorizer = authorizer;
        pending.retain(|username, active| {
            let Some(user) = authorizer.user(username) else {
                return false; // gone from the policy: nothing left to hold
            };
            let written = authorizer
                .policy()
                .users
                .get(username)
                .is_some_and(|u| u.status == Status::Active);
            if written == *active {
                return false; // the policy says it now
            }
            match authorizer.with_user_active(user, *active) {
                Ok(next) => {
                    authorizer = next;
                    true
                }
                // the id was looked up in this very authorizer: it cannot be stale
                Err(_) => false,
            }
        });
        self.current.store(Arc::new(authorizer));
    }

    /// (De)activates `username` in the authorizer in force, at once and without a
    /// compile ([administration](crate::doc::semantics#administration): "Deactivation must not wait for a full compile"), and in every
    /// authorizer published later until one whose policy shows the same status. Concurrent
    /// calls do not lose each other's changes. Returns `false` for an unknown user.
    ///
    /// Make the same change in the policy (for example with
    /// [`Admin::deactivate_user`](crate::Admin::deactivate_user)) so that the next
    /// published compile shows it.
    ///
    /// # Cost
    /// O(users / 64): a copy of the status bitset.
    ///
    /// ```
    /// use permatrix::{LiveAuthorizer, Policy};
    /// let live = LiveAuthorizer::new(Policy::from_json(r#"{"version":1,"users":{"a":{}}}"#)?.compile()?);
    /// assert!(live.set_active("a", false));
    /// assert!(!live.set_active("nobody", false));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn set_active(&self, username: &str, active: bool) -> bool {
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        let current = self.current.load_full();
        let Some(user) = current.user(username) else {
            return false;
        };
        let Ok(next) = current.with_user_active(user, active) else {
            return false;
        };
        pending.insert(username.to_string(), active);
        self.current.store(Arc::new(next));
        true
    }
}
