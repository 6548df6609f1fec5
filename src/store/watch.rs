//! Keeping every instance's [`LiveAuthorizer`] at the store's newest revision.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::{PolicyStore, StoreError};
use crate::authorizer::Authorizer;
use crate::live::LiveAuthorizer;
use crate::policy::{Policy, Status};

/// How a [`Watcher`] waits for new revisions.
///
/// ```
/// use permatrix::store::WatchOptions;
/// use std::time::Duration;
/// let options = WatchOptions { poll_interval: Duration::from_millis(20), ..WatchOptions::default() };
/// assert_eq!(WatchOptions::default().backoff_max, Duration::from_millis(500));
/// # let _ = options;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchOptions {
    /// How often to read the head revision: on SQLite this is how changes are heard of
    /// (default 25 ms); on PostgreSQL, where NOTIFY brings them, it is the safety net and
    /// the heartbeat behind [`Staleness::since_heard`] and `connected` (there at least
    /// every 500 ms).
    pub poll_interval: Duration,
    /// The first wait after a failed read or a lost connection; it doubles on each failure
    /// in a row, up to `backoff_max`.
    pub backoff_min: Duration,
    /// The longest wait between two tries (default 500 ms): once the database is back, the
    /// watcher is reading from it again within this long.
    pub backoff_max: Duration,
    /// How long one read may take before the watcher counts the database as gone (default
    /// 500 ms): a pool waiting on a refused connection, or a server that stopped answering,
    /// shows in [`Staleness`] after this long, not after the pool's own timeouts.
    pub read_timeout: Duration,
    /// PostgreSQL's `application_name` for the listening connection, so an operator can
    /// find it in `pg_stat_activity`.
    pub application_name: String,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions {
            poll_interval: Duration::from_millis(25),
            backoff_min: Duration::from_millis(50),
            backoff_max: Duration::from_millis(500),
            read_timeout: Duration::from_millis(500),
            application_name: "permatrix_watcher".to_string(),
        }
    }
}

/// How far behind a [`Watcher`]'s instance may be, so the host can fail closed past a
/// bound it chooses.
///
/// # Outages
/// A watcher asks the database at least every heartbeat (the poll interval on SQLite,
/// at least every 500 ms on PostgreSQL), and gives a read up to
/// [`WatchOptions::read_timeout`] (500 ms). So within heartbeat + read timeout (1 s with
/// the defaults on PostgreSQL) of the database going away — stopped, killed, or refusing
/// connections — `connected` is `false` and `last_error` says why, whether the watcher was
/// idle or busy; and [`Staleness::lag`] is `None`, since the head cannot be known. Once the
/// database answers again the watcher retries within [`WatchOptions::backoff_max`]
/// (500 ms), reconnects its listener and catches up from its own revision.
///
/// ```
/// # use permatrix::store::Staleness;
/// use std::time::Duration;
/// fn fresh_enough(s: &Staleness) -> bool {
///     s.connected && s.lag() == Some(0) && s.since_heard < Duration::from_secs(2)
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staleness {
    /// The revision the instance serves.
    pub revision: u64,
    /// The newest revision the instance has heard of.
    pub newest_known: u64,
    /// Time since the database last answered.
    pub since_heard: Duration,
    /// Whether the last read succeeded (and, on PostgreSQL, the listener is connected).
    pub connected: bool,
    /// Why the last try failed, while it keeps failing.
    pub last_error: Option<String>,
    /// How many times the watcher read the policy whole rather than the rows changed since
    /// its revision: once at start, then only after a restore from a backup or a compile
    /// that failed. A count that keeps growing points at a store whose history it cannot
    /// follow.
    pub whole_reads: u64,
}

impl Staleness {
    /// Revisions known to exist but not yet served; `None` while the database does not
    /// answer, when there is no telling how many there are.
    ///
    /// ```
    /// # use permatrix::store::Staleness;
    /// # use std::time::Duration;
    /// let mut s = Staleness { revision: 5, newest_known: 7, since_heard: Duration::ZERO,
    ///                         connected: true, last_error: None, whole_reads: 1 };
    /// assert_eq!(s.lag(), Some(2));
    /// s.connected = false;
    /// assert_eq!(s.lag(), None);
    /// ```
    pub fn lag(&self) -> Option<u64> {
        self.connected
            .then(|| self.newest_known.saturating_sub(self.revision))
    }
}

#[derive(Debug)]
struct State {
    newest_known: u64,
    heard: Instant,
    connected: bool,
    last_error: Option<String>,
    whole_reads: u64,
}

/// Feeds one instance's [`LiveAuthorizer`] with every new revision of a [`PolicyStore`]:
/// it hears of them (LISTEN/NOTIFY on PostgreSQL, a poll of the head on SQLite), reads
/// only the rows changed since its own revision, applies them, recompiles and publishes.
/// A user deactivated by a change is switched off with
/// [`LiveAuthorizer::set_active`] before the recompile.
///
/// It never skips or reorders a change: each step reads every row written after the
/// served revision in one statement and publishes the state at the head it read. While the
/// database cannot be reached it keeps the last good authorizer, retries with backoff and
/// then catches up from its own revision, so a notification lost in the outage loses
/// nothing. Stopped by [`Watcher::stop`], or when dropped.
///
/// ```no_run
/// # async fn f(store: permatrix::store::PolicyStore) -> Result<(), permatrix::store::StoreError> {
/// use permatrix::store::{WatchOptions, Watcher};
/// let live = store.live().await?;
/// let watcher = Watcher::start(store.clone(), live.clone(), WatchOptions::default()).await?;
/// // request handlers read `live.current()`; administrators commit through `store`
/// if watcher.staleness().since_heard > std::time::Duration::from_secs(30) {
///     // the host's choice: refuse, or serve the last good policy
/// }
/// watcher.stop().await;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Watcher {
    state: Arc<Mutex<State>>,
    served: watch::Receiver<u64>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl Watcher {
    /// Starts watching `store` for `live`, from the revision `live` serves. Needs a tokio
    /// runtime.
    ///
    /// # Errors
    /// None today beyond the runtime's; the first catch-up runs in the background.
    pub async fn start(
        store: PolicyStore,
        live: Arc<LiveAuthorizer>,
        options: WatchOptions,
    ) -> Result<Watcher, StoreError> {
        let revision = live.current().policy().revision();
        let state = Arc::new(Mutex::new(State {
            newest_known: revision,
            heard: Instant::now(),
            connected: true,
            last_error: None,
            whole_reads: 0,
        }));
        let (served_tx, served) = watch::channel(revision);
        let (stop, stop_rx) = watch::channel(false);
        let worker = Worker {
            store,
            live,
            options,
            state: state.clone(),
            served: served_tx,
            stop: stop_rx,
            failures: 0,
            switched: Vec::new(),
        };
        let task = tokio::spawn(worker.run());
        Ok(Watcher {
            state,
            served,
            stop,
            task: Some(task),
        })
    }

    /// How far behind this instance may be.
    ///
    /// ```no_run
    /// # fn f(w: &permatrix::store::Watcher) {
    /// let s = w.staleness();
    /// println!("serving r{} of r{}, heard {:?} ago", s.revision, s.newest_known, s.since_heard);
    /// # }
    /// ```
    pub fn staleness(&self) -> Staleness {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let revision = *self.served.borrow();
        Staleness {
            revision,
            newest_known: state.newest_known.max(revision),
            since_heard: state.heard.elapsed(),
            connected: state.connected,
            last_error: state.last_error.clone(),
            whole_reads: state.whole_reads,
        }
    }

    /// Waits until the instance serves `revision` or newer; `false` if `timeout` passed
    /// first.
    ///
    /// ```no_run
    /// # async fn f(w: &permatrix::store::Watcher) {
    /// assert!(w.wait_for(7, std::time::Duration::from_secs(5)).await);
    /// # }
    /// ```
    pub async fn wait_for(&self, revision: u64, timeout: Duration) -> bool {
        let mut served = self.served.clone();
        tokio::time::timeout(timeout, served.wait_for(|r| *r >= revision))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// Stops watching and waits for the background task to end.
    ///
    /// ```no_run
    /// # async fn f(w: permatrix::store::Watcher) {
    /// w.stop().await;
    /// # }
    /// ```
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// The longest a catch-up (reading and applying the rows since the served revision) may
/// take: far longer than a read of the head, since a whole policy of a million users is
/// many rows.
const CATCH_UP_TIMEOUT: Duration = Duration::from_secs(60);

struct Worker {
    store: PolicyStore,
    live: Arc<LiveAuthorizer>,
    options: WatchOptions,
    state: Arc<Mutex<State>>,
    served: watch::Sender<u64>,
    stop: watch::Receiver<bool>,
    failures: u32,
    /// Users this watcher switched off ahead of a compile that has not been published.
    switched: Vec<String>,
}

impl Worker {
    async fn run(mut self) {
        #[cfg(feature = "store-postgres")]
        #[allow(irrefutable_let_patterns)] // when SQLite is not built in
        if let super::Pool::Postgres(pool) = self.store.pool() {
            let pool = pool.clone();
            self.listen(pool).await;
            return;
        }
        self.poll().await;
    }

    /// SQLite (and any store without notifications): read the head every
    /// `poll_interval`, catch up when it moved.
    async fn poll(&mut self) {
        loop {
            let wait = match self.step().await {
                Ok(()) => self.options.poll_interval,
                Err(()) => self.backoff(),
            };
            if self.stopped(wait).await {
                return;
            }
        }
    }

    /// PostgreSQL: a dedicated connection LISTENs on the store's channel. After every
    /// (re)connect the worker catches up, since notifications sent while it was away are
    /// gone; a quiet `poll_interval` (at least 1 s) reads the head anyway.
    #[cfg(feature = "store-postgres")]
    async fn listen(&mut self, pool: sqlx::PgPool) {
        use sqlx::postgres::{PgListener, PgPoolOptions};
        let heartbeat = self.options.poll_interval.max(Duration::from_millis(500));
        loop {
            let options = (*pool.connect_options())
                .clone()
                .application_name(&self.options.application_name);
            let listener_pool = PgPoolOptions::new()
                .max_connections(1)
                .acquire_timeout(Duration::from_secs(5))
                .connect_lazy_with(options);
            let channel = self.store.sql().channel.clone();
            let connecting = async {
                let mut l = PgListener::connect_with(&listener_pool).await?;
                l.listen(&channel).await?;
                Ok::<_, sqlx::Error>(l)
            };
            let mut listener = match self.bounded(connecting, self.options.read_timeout).await {
                Ok(l) => l,
                Err(e) => {
                    self.failed(&e);
                    listener_pool.close().await;
                    if self.stopped(self.backoff()).await {
                        return;
                    }
                    continue;
                }
            };
            // hear what was missed while not listening
            if self.step().await.is_err() {
                if self.stopped(self.backoff()).await {
                    return;
                }
                continue;
            }
            loop {
                let stop = self.stop.clone();
                tokio::select! {
                    received = listener.try_recv() => match received {
                        Ok(Some(_)) => {
                            // drain what else has arrived: one catch-up covers it all
                            while listener.next_buffered().is_some() {}
                            if self.step().await.is_err() {
                                break;
                            }
                        }
                        Ok(None) => {
                            self.failed("the listening connection was lost");
                            break;
                        }
                        Err(e) => {
                            self.failed(&e.to_string());
                            break;
                        }
                    },
                    () = tokio::time::sleep(heartbeat) => {
                        if self.step().await.is_err() {
                            break;
                        }
                    }
                    () = until_stopped(stop) => return,
                }
            }
            drop(listener);
            listener_pool.close().await;
            if self.stopped(self.backoff()).await {
                return;
            }
        }
    }

    /// One catch-up: read the rows changed since the served revision, switch off any
    /// user they deactivate or delete, recompile and publish. On failure the served
    /// authorizer stays as it was.
    async fn step(&mut self) -> Result<(), ()> {
        let store = self.store.clone();
        // first the head, within the read timeout: how the watcher tells that the database
        // is there, however long a catch-up of many rows may then take
        match self
            .bounded(store.revision(), self.options.read_timeout)
            .await
        {
            Ok(head) => self.heard(head, false),
            Err(e) => {
                self.failed(&e);
                return Err(());
            }
        }
        let changes = match self.bounded(store.read_changes(), CATCH_UP_TIMEOUT).await {
            Ok(changes) => changes,
            Err(e) => {
                self.failed(&e);
                return Err(());
            }
        };
        let caught = match super::cpu::run(move || store.apply_changes(changes)).await {
            Some(Ok(caught)) => caught,
            Some(Err(e)) => {
                // a row that does not read: the database answers, and the lag shows what
                // is not served
                self.refused(&e.to_string());
                return Err(());
            }
            None => {
                self.refused("the store's thread is gone");
                return Err(());
            }
        };
        let policy = caught.policy;
        let whole = caught.from.is_none();
        self.heard(policy.revision(), whole);
        if whole {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            state.whole_reads = state.whole_reads.saturating_add(1);
        }
        let current = self.live.current();
        let served = current.policy();
        // a whole read may be of another history (a restore): serve it if it differs at
        // all, even at a lower revision; otherwise only a newer revision is news
        let news = if whole {
            policy.revision() != served.revision() || *policy != *served
        } else {
            policy.revision() > served.revision()
        };
        if !news {
            self.succeeded();
            return Ok(());
        }
        // the rows name the users that changed, when they were read on top of what this
        // instance serves; otherwise every user is compared
        let candidates: Vec<&str> = match caught.from {
            Some(from) if from == served.revision() => {
                caught.users.iter().map(String::as_str).collect()
            }
            _ => served.users.keys().map(String::as_str).collect(),
        };
        for name in switched_off(served, &policy, &candidates) {
            if self.live.set_active(name, false) {
                self.switched.push(name.to_string());
            }
        }
        let (base, shared) = (current.clone(), Arc::clone(&policy));
        let compiled = super::cpu::run(move || recompile(&base, &shared))
            .await
            .unwrap_or_else(|| {
                Err(StoreError::invalid_request(
                    "the store's thread is gone".to_string(),
                ))
            });
        match compiled {
            Ok(next) => {
                let revision = next.policy().revision();
                self.live.publish(next);
                // a user switched off ahead of a compile that failed, and active again in
                // what is now served, is switched back on (`publish` keeps a switch until
                // a policy shows it)
                for name in std::mem::take(&mut self.switched) {
                    let active = policy
                        .users
                        .get(&name)
                        .is_some_and(|u| u.status == Status::Active);
                    if active {
                        self.live.set_active(&name, true);
                    }
                }
                self.served.send_replace(revision);
                self.succeeded();
                Ok(())
            }
            Err(e) => {
                // read it whole next time: a row may be mended without a new revision
                self.store.forget();
                self.refused(&e.to_string());
                Err(())
            }
        }
    }

    /// `read`, given up after `limit`: a database that does not answer in time is as
    /// good as gone, whatever the pool would wait.
    async fn bounded<T, E: std::fmt::Display>(
        &self,
        read: impl std::future::Future<Output = Result<T, E>>,
        limit: Duration,
    ) -> Result<T, String> {
        match tokio::time::timeout(limit, read).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err(format!(
                "the database did not answer within {} ms",
                limit.as_millis()
            )),
        }
    }

    /// The database answered.
    fn heard(&mut self, newest: u64, whole: bool) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.heard = Instant::now();
        state.newest_known = if whole {
            newest
        } else {
            state.newest_known.max(newest)
        };
    }

    /// The instance serves the newest revision it read.
    fn succeeded(&mut self) {
        self.failures = 0;
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.connected = true;
        state.last_error = None;
    }

    /// The database could not be reached (or did not answer in time).
    fn failed(&mut self, why: &str) {
        self.fell_short(why, false);
    }

    /// The database answered, but what it holds could not be served (a row that does not
    /// read, a policy that does not compile): `connected` stays true, and the lag shows
    /// what is not served.
    fn refused(&mut self, why: &str) {
        self.fell_short(why, true);
    }

    fn fell_short(&mut self, why: &str, connected: bool) {
        self.failures = self.failures.saturating_add(1);
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.connected = connected;
        state.last_error = Some(why.to_string());
    }

    /// `backoff_min` doubled for each failure in a row, at most `backoff_max`.
    fn backoff(&self) -> Duration {
        let doublings = self.failures.saturating_sub(1).min(16);
        self.options
            .backoff_min
            .saturating_mul(1u32 << doublings)
            .min(self.options.backoff_max)
    }

    /// Sleeps for `wait`, or less if asked to stop; whether it was.
    async fn stopped(&mut self, wait: Duration) -> bool {
        if *self.stop.borrow() {
            return true;
        }
        let stop = self.stop.clone();
        tokio::select! {
            () = tokio::time::sleep(wait) => *self.stop.borrow(),
            () = until_stopped(stop) => true,
        }
    }
}

/// Returns once a stop is asked for (or the watcher is gone).
async fn until_stopped(mut stop: watch::Receiver<bool>) {
    let asked = stop.wait_for(|s| *s).await.is_ok();
    if !asked {
        // the `Watcher` is gone without asking; its drop aborts the task
        std::future::pending::<()>().await;
    }
}

/// Those of `candidates` active in `before` and inactive or gone in `after`.
fn switched_off<'a>(before: &Policy, after: &Policy, candidates: &[&'a str]) -> Vec<&'a str> {
    candidates
        .iter()
        .copied()
        .filter(|name| {
            before
                .users
                .get(*name)
                .is_some_and(|u| u.status == Status::Active)
        })
        .filter(|name| {
            after
                .users
                .get(*name)
                .is_none_or(|u| u.status != Status::Active)
        })
        .collect()
}

/// The next authorizer, sharing the store's copy of the policy rather than making one.
fn recompile(current: &Authorizer, policy: &Arc<Policy>) -> Result<Authorizer, StoreError> {
    current
        .recompile_shared(Arc::clone(policy))
        .map_err(StoreError::from)
}
