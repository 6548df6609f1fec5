//! Live reload (SPEC §7 "Recompute"): a handle that request handlers read the current
//! authorizer from, and that administration swaps atomically.

use std::sync::Arc;

use arc_swap::ArcSwap;

use crate::authorizer::Authorizer;

/// The authorizer in force, shared between request handlers and administration.
///
/// Readers call [`LiveAuthorizer::current`] once per request, resolve the names they need
/// to ids from that snapshot, and answer the whole request from it; a swap never changes a
/// snapshot someone holds. Ids belong to the snapshot that issued them (and to the copies
/// [`LiveAuthorizer::set_active`] makes): after a publish, an id kept from before denies. Administration
/// publishes a newly compiled authorizer with [`LiveAuthorizer::publish`], and
/// (de)activates users at once with [`LiveAuthorizer::set_active`], without waiting for a
/// compile.
///
/// `arc-swap` makes both sides lock-free: a read is an atomic load and a reference count.
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
/// assert_eq!(now.user_active(now.user("bob").unwrap()), Some(false));
/// assert_eq!(now.user_active(bob), None); // an id of the earlier compile names nobody
/// # Ok::<(), permatrix::PolicyError>(())
/// ```
#[derive(Debug)]
pub struct LiveAuthorizer {
    current: ArcSwap<Authorizer>,
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
    /// # Cost
    /// O(1): an atomic swap; the old authorizer is freed when its last reader lets go.
    ///
    /// ```
    /// use permatrix::{LiveAuthorizer, Policy};
    /// let live = LiveAuthorizer::new(Policy::new().compile()?);
    /// live.publish(Policy::from_json(r#"{"version":1,"users":{"a":{}}}"#)?.compile()?);
    /// assert!(live.current().user("a").is_some());
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn publish(&self, authorizer: Authorizer) {
        self.current.store(Arc::new(authorizer));
    }

    /// (De)activates `username` in the authorizer in force, at once and without a
    /// compile (SPEC §7: "Deactivation must not wait for a full compile"). Concurrent
    /// calls do not lose each other's changes. Returns `false` for an unknown user.
    ///
    /// Make the same change in the policy (for example with
    /// [`Admin::deactivate_user`](crate::Admin::deactivate_user)) so that the next
    /// published compile keeps it.
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
        let mut known = false;
        self.current.rcu(|current| match current.user(username) {
            Some(user) => {
                known = true;
                Arc::new(current.with_user_active(user, active))
            }
            None => {
                known = false;
                Arc::clone(current)
            }
        });
        known
    }
}
