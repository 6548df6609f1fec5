//! The policy store: one policy in the host's own database, shared by every app instance.
//!
//! A [`PolicyStore`] keeps the policy as rows (one per user, role, profile, team and
//! module, one for the settings and one per list), each stamped with the revision that
//! last wrote it, beside a head row with the current revision and an audit table. A
//! [`commit`](PolicyStore::commit) runs one [`Admin`] change, with its level rules, and in
//! one database transaction writes the rows it changed, appends its audit record and bumps
//! the revision — or, when another writer got there first, writes nothing and says
//! `revision_conflict`. A [`Watcher`] on every instance hears of new revisions (LISTEN/NOTIFY
//! on PostgreSQL, a cheap poll on SQLite), reads only the rows changed since its own
//! revision, recompiles and publishes to a [`LiveAuthorizer`].
//!
//! Enable `store-sqlite` (the embedded default) or `store-postgres`, or both. They need
//! Rust 1.94 (sqlx 0.9) and a tokio runtime.
//!
//! ```
//! # #[cfg(feature = "store-sqlite")]
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! use permatrix::store::{Actor, PolicyStore, StoreOptions};
//! use permatrix::{Policy, policy::Team};
//! # let dir = std::env::temp_dir().join(format!("permatrix-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir).unwrap();
//! # let url = format!("sqlite://{}/store.db", dir.display());
//! # let _ = std::fs::remove_file(dir.join("store.db"));
//! let store = PolicyStore::connect(&url, StoreOptions::default()).await?;
//! let policy = Policy::from_json(r#"{"version":1,"users":{"root":{"admin":"admin"}}}"#)?;
//! store.import(policy, 0).await?;
//! let done = store
//!     .commit(Actor::User("root"), 1, |admin| admin.add_team("sales", Team::default()))
//!     .await?;
//! assert_eq!(done.revision, 2);
//! assert!(store.load().await?.teams.contains_key("sales"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```
//!
//! # What is stored
//! One row per user, role, profile, team and module, one for the settings and one per
//! list (sharing rules, calendar shares), each with the revision that last wrote it; a
//! head row with the revision; the commits; the audit trail. The tables carry a prefix
//! the host chooses ([`StoreOptions::table_prefix`], default `permatrix_`), and the store
//! creates and migrates them itself, in one transaction.
//!
//! A [`commit`](PolicyStore::commit) runs one [`Admin`] change with all of
//! its level rules and, in one transaction, writes the rows it changed, appends the audit
//! record and bumps the revision. A writer whose revision is stale gets
//! `revision_conflict` and nothing is written. [`audit`](PolicyStore::audit) reads the
//! trail by time, actor and target.
//!
//! Moving from SQLite to PostgreSQL is a URL (`postgres://user@host/db`) and the
//! `store-postgres` feature, or the host's own pool through [`PolicyStore::postgres`]
//! ([`PolicyStore::sqlite`] likewise). To carry the policy over, [`load`](PolicyStore::load)
//! it from the old store and [`import`](PolicyStore::import) it into the new one.
//!
//! # Propagation and outages
//! Each instance's [`Watcher`] applies every revision in order: it reads all rows written
//! after its own revision in one statement, so no change is missed and none is applied out
//! of order; when several revisions arrive together it publishes their end state once.
//! When the database is unreachable the instance keeps serving its last good authorizer,
//! reconnects with backoff and catches up from its own revision. [`Watcher::staleness`]
//! tells the host how far behind it may be, so it can fail closed past a bound it chooses:
//! within a second of the database going away (heartbeat plus read timeout) it says
//! `connected: false`, gives the error, and reports the lag as unknown; within half a
//! second of its return it reads again ([`Staleness`] gives the bounds).
//!
//! # Repair, retention, contention
//! - [`import`](PolicyStore::import) never parses the stored rows: it mends a store whose
//!   rows do not read (every row it does not write becomes a tombstone). A row that does
//!   not read is named in the error; a reference to a deleted entity names the deleting
//!   row.
//! - [`prune_audit`](PolicyStore::prune_audit) deletes old audit records. Revisions' commit
//!   ids live in a table of their own, so watchers follow the history without them.
//! - [`commit_retrying`](PolicyStore::commit_retrying) runs the change at the locked head:
//!   writers queue, none meets a conflict. [`commit`](PolicyStore::commit) keeps the
//!   optimistic check for callers who base a change on what they read.
//!
//! # Memory
//! Reading a policy whole, applying rows to a copy and compiling happen on one thread of
//! the process, so every copy reuses one allocator arena, and the authorizer shares the
//! store's copy of the policy. An instance at 100,000 users (a 57 MiB policy, a 12 MiB
//! authorizer) serves from 117 MiB and stays near 200 MiB as it catches up
//! (`suite/examples/store_memory.rs`): the rest is the copy a catch-up makes and the compile's
//! scratch, kept by the allocator for the next one.
//!
//! # Choices where the contract is silent
//! - **One change per commit.** A commit runs exactly one administration change; a
//!   closure that makes none or several is refused (`invalid_request`), as is an audit
//!   event naming another actor than the commit's. Every revision has one audit record.
//! - **Restores.** Every commit has a random id, kept in the head, the commits table and
//!   the audit record. A store or watcher whose cached policy's revision is recorded with
//!   another id (or none), or is ahead of the head, reads the policy whole: a database
//!   restored from a backup is served as it is, even at a lower revision, and changes are
//!   judged on it, never on the cache. A cache at the head it was made at reads nothing.
//! - **Coalescing.** A watcher that finds several new revisions at once publishes their
//!   end state; every change is in it, none is applied out of order.
//! - **Deletions** stay as empty rows (tombstones), so an instance catching up from any
//!   revision learns of them; they are a few bytes each and are never compacted.
//! - **Audit times** are the writing instance's clock, in milliseconds.
//! - **Deactivation first.** A user the new rows deactivate or delete is switched off on
//!   the instance before the recompile; if that compile fails, the user stays off until a
//!   policy that compiles says otherwise.

mod audit;
mod cpu;
mod error;
mod rows;
mod sql;
mod watch;

#[cfg(not(any(feature = "store-postgres", feature = "store-sqlite")))]
compile_error!("the policy store needs a database: enable `store-postgres` or `store-sqlite`");

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use sqlx::AssertSqlSafe;

pub use audit::{AuditQuery, AuditRecord};
pub use error::StoreError;
pub use watch::{Staleness, WatchOptions, Watcher};

use crate::admin::{Admin, AuditEvent};
use crate::error::PolicyError;
use crate::live::LiveAuthorizer;
use crate::policy::{Limits, Policy};
use rows::Row;
use sql::{Dialect, Sql};

/// The connection pool of one of the two databases.
#[derive(Debug, Clone)]
pub(crate) enum Pool {
    #[cfg(feature = "store-postgres")]
    Postgres(sqlx::PgPool),
    #[cfg(feature = "store-sqlite")]
    Sqlite(sqlx::SqlitePool),
}

/// Runs the same code on whichever pool the store has: the statements are the same text,
/// only the driver types differ.
macro_rules! on_pool {
    ($pool:expr, $p:ident => $body:expr) => {
        match $pool {
            #[cfg(feature = "store-postgres")]
            Pool::Postgres($p) => $body,
            #[cfg(feature = "store-sqlite")]
            Pool::Sqlite($p) => $body,
        }
    };
}

/// The head and the rows written after `$since`, read in one statement.
macro_rules! changes_since {
    ($ex:expr, $sql:expr, $since:expr) => {
        sqlx::query_as::<_, (String, String, Option<String>, i64, i64, i64)>(AssertSqlSafe(
            $sql.changes_since.clone(),
        ))
        .bind($since)
        .fetch_all($ex)
        .await
        .map_err(StoreError::from)
        .and_then(split)
    };
}

/// What [`PolicyStore::read_changes`] read, for [`PolicyStore::apply_changes`].
pub(crate) struct Changes {
    base: Cached,
    read: Read,
    whole: bool,
}

/// What [`PolicyStore::apply_changes`] made of it.
pub(crate) struct Caught {
    /// The policy at the newest revision.
    pub policy: Arc<Policy>,
    /// The revision the rows were applied to; `None` when the policy was read whole
    /// (the first read, after [`PolicyStore::forget`], or when the store's history is not
    /// the one the cache came from: restored from a backup).
    pub from: Option<u64>,
    /// The users the rows wrote.
    pub users: Vec<String>,
}

/// The newest policy a store has read or written, and the commit id of its revision: a
/// store restored from a backup has other ids for the same revisions, so the cache is
/// known not to continue its history.
#[derive(Debug, Clone)]
struct Cached {
    policy: Arc<Policy>,
    commit: i64,
}

impl Cached {
    fn revision(&self) -> u64 {
        self.policy.revision()
    }

    fn since(&self) -> i64 {
        to_i64(self.revision())
    }

    /// Whether the policy must be read whole rather than advanced by `read` (the rows
    /// after this revision): for an empty cache, and when `read` does not continue this
    /// policy's history.
    fn reads_whole(&self, read: &Read) -> bool {
        if self.revision() == 0 {
            return true;
        }
        // at the head it was made at: nothing to read, whatever the audit trail keeps
        if read.head == self.revision() && read.head_commit == self.commit {
            return false;
        }
        read.head < self.revision() || read.base_commit != Some(self.commit)
    }
}

/// What one `changes_since` statement read.
#[derive(Debug)]
struct Read {
    head: u64,
    head_commit: i64,
    /// The commit id the audit trail records for the revision read from.
    base_commit: Option<i64>,
    rows: Vec<Row>,
}

/// `$base` brought to the head through the executor `$ex`: advanced by the rows written
/// since, or read whole when [`Cached::reads_whole`] says so. Gives the new cache, the
/// read it came from, and whether that was whole.
macro_rules! to_head {
    ($store:expr, $ex:expr, $base:expr, $validate:expr) => {{
        let sql = &$store.inner.sql;
        let read = changes_since!($ex, sql, $base.since())?;
        if $base.reads_whole(&read) {
            let read = if $base.revision() == 0 {
                read
            } else {
                changes_since!($ex, sql, 0i64)?
            };
            ($store.whole(&read)?, read, true)
        } else {
            ($store.advance(&$base, &read, $validate)?, read, false)
        }
    }};
}

/// Who makes a change: a user, held to their admin level, or the host itself.
///
/// ```
/// use permatrix::store::Actor;
/// assert_ne!(Actor::User("root"), Actor::Host);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor<'a> {
    /// The user with this username; the change is checked against their admin level.
    User(&'a str),
    /// The host (set-up, migrations): no actor check, every other rule applies.
    Host,
}

/// How a store names its tables and reads its policy.
///
/// ```
/// use permatrix::store::StoreOptions;
/// let options = StoreOptions { table_prefix: "crm_acl_".into(), ..StoreOptions::default() };
/// assert_eq!(StoreOptions::default().table_prefix, "permatrix_");
/// # let _ = options;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreOptions {
    /// Put before every table, index and the NOTIFY channel: 1 to 40 of `a-z`, `0-9`, `_`,
    /// not starting with a digit. Default `permatrix_`.
    pub table_prefix: String,
    /// The bounds the stored policy is read under.
    pub limits: Limits,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            table_prefix: "permatrix_".to_string(),
            limits: Limits::default(),
        }
    }
}

/// What a successful commit did.
///
/// ```
/// # use permatrix::store::Committed;
/// fn report(c: &Committed) -> String {
///     format!("revision {}: {} ({} rows)", c.revision, c.event.summary(), c.rows_written)
/// }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Committed {
    /// The store's revision now.
    pub revision: u64,
    /// The change's audit event, as stored.
    pub event: AuditEvent,
    /// How many entity rows the change wrote.
    pub rows_written: usize,
}

/// A policy kept in the host's database. Cheap to clone: clones share one pool and one
/// cached copy of the policy. `Send + Sync`.
///
/// # Costs
/// A commit writes O(rows changed) and reads O(rows changed since this store's cached
/// revision); in memory it costs what the [`Admin`] change costs (O(P) for a policy of size
/// P), plus a copy and a validation of the policy.
#[derive(Debug, Clone)]
pub struct PolicyStore {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    pool: Pool,
    sql: Sql,
    limits: Limits,
    /// The newest policy this store has read or written.
    cache: Mutex<Cached>,
}

impl PolicyStore {
    /// Connects to `url` (`postgres://…`, or `sqlite://path` — the file is created if
    /// missing, in WAL mode) and applies the store's migrations.
    ///
    /// # Errors
    /// `database` when the database cannot be reached, `invalid_request` for an unknown
    /// scheme or a bad prefix, `unsupported_version` when the stored schema is newer than
    /// this crate.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// use permatrix::store::{PolicyStore, StoreOptions};
    /// let err = PolicyStore::connect("mysql://db", StoreOptions::default()).await.unwrap_err();
    /// assert_eq!(err.code(), "invalid_request");
    /// # });
    /// ```
    pub async fn connect(url: &str, options: StoreOptions) -> Result<PolicyStore, StoreError> {
        #[cfg(feature = "store-postgres")]
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = sqlx::postgres::PgPoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await?;
            return PolicyStore::postgres(pool, options).await;
        }
        #[cfg(feature = "store-sqlite")]
        if url.starts_with("sqlite:") {
            use std::str::FromStr;
            let connect = sqlx::sqlite::SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(10));
            let pool = sqlx::sqlite::SqlitePoolOptions::new()
                .max_connections(4)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(connect)
                .await?;
            return PolicyStore::sqlite(pool, options).await;
        }
        let scheme = url.split(':').next().unwrap_or_default();
        Err(StoreError::invalid_request(format!(
            "no store for `{scheme}:` URLs; this build has{}{}",
            if cfg!(feature = "store-postgres") {
                " postgres://"
            } else {
                ""
            },
            if cfg!(feature = "store-sqlite") {
                " sqlite://"
            } else {
                ""
            },
        )))
    }

    /// A store on the host's own PostgreSQL pool; applies the migrations.
    ///
    /// # Errors
    /// As [`PolicyStore::connect`].
    ///
    /// ```no_run
    /// # async fn f(pool: sqlx::PgPool) -> Result<(), permatrix::store::StoreError> {
    /// use permatrix::store::{PolicyStore, StoreOptions};
    /// let store = PolicyStore::postgres(pool, StoreOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "store-postgres")]
    pub async fn postgres(
        pool: sqlx::PgPool,
        options: StoreOptions,
    ) -> Result<PolicyStore, StoreError> {
        PolicyStore::open(Pool::Postgres(pool), Dialect::Postgres, options).await
    }

    /// A store on the host's own SQLite pool; applies the migrations. The pool should
    /// set a busy timeout (sqlx's default is 5 s), so that writers queue.
    ///
    /// # Errors
    /// As [`PolicyStore::connect`].
    ///
    /// ```no_run
    /// # async fn f(pool: sqlx::SqlitePool) -> Result<(), permatrix::store::StoreError> {
    /// use permatrix::store::{PolicyStore, StoreOptions};
    /// let store = PolicyStore::sqlite(pool, StoreOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "store-sqlite")]
    pub async fn sqlite(
        pool: sqlx::SqlitePool,
        options: StoreOptions,
    ) -> Result<PolicyStore, StoreError> {
        PolicyStore::open(Pool::Sqlite(pool), Dialect::Sqlite, options).await
    }

    async fn open(
        pool: Pool,
        dialect: Dialect,
        options: StoreOptions,
    ) -> Result<PolicyStore, StoreError> {
        let sql = Sql::new(&options.table_prefix, dialect)?;
        let mut empty = Policy::new();
        empty.set_limits(options.limits.clone());
        let store = PolicyStore {
            inner: Arc::new(Inner {
                pool,
                sql,
                limits: options.limits,
                cache: Mutex::new(Cached {
                    policy: Arc::new(empty),
                    commit: 0,
                }),
            }),
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Brings the schema to this crate's version in one transaction, so that instances
    /// starting together neither race nor see half a schema.
    async fn migrate(&self) -> Result<(), StoreError> {
        let sql = &self.inner.sql;
        let known = MIGRATIONS_KNOWN;
        on_pool!(&self.inner.pool, pool => {
            let mut tx = pool.begin_with(sql.begin_write).await?;
            if sql.dialect == Dialect::Postgres {
                // CREATE TABLE IF NOT EXISTS races on PostgreSQL; a lock per prefix does not
                sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
                    .bind(&sql.prefix)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(AssertSqlSafe(sql.create_migrations.clone())).execute(&mut *tx).await?;
            let version: i64 = sqlx::query_scalar(AssertSqlSafe(sql.migration_version.clone()))
                .fetch_one(&mut *tx)
                .await?;
            if version > known {
                return Err(StoreError::unsupported(format!(
                    "the store's schema is at version {version}; this crate knows up to {known}"
                )));
            }
            for (i, statements) in sql::MIGRATIONS.iter().enumerate() {
                let number = i64::try_from(i).unwrap_or(i64::MAX).saturating_add(1);
                if number <= version {
                    continue;
                }
                for statement in sql.migration(statements) {
                    sqlx::query(AssertSqlSafe(statement)).execute(&mut *tx).await?;
                }
                sqlx::query(AssertSqlSafe(sql.record_migration.clone()))
                    .bind(number)
                    .bind(audit::millis(SystemTime::now()))
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// The store's current revision (0 for a new store).
    ///
    /// # Errors
    /// `database`; `unsupported_version` when the stored document is newer than this crate.
    ///
    /// ```no_run
    /// # async fn f(store: permatrix::store::PolicyStore) -> Result<(), permatrix::store::StoreError> {
    /// let revision = store.revision().await?;
    /// # Ok(()) }
    /// ```
    pub async fn revision(&self) -> Result<u64, StoreError> {
        let sql = &self.inner.sql;
        let (revision, version): (i64, i64) = on_pool!(&self.inner.pool, pool => {
            sqlx::query_as(AssertSqlSafe(sql.head.clone())).fetch_one(pool).await?
        });
        check_document_version(version)?;
        Ok(to_u64(revision))
    }

    /// The stored policy, whole, at the store's current revision
    /// ([`Policy::revision`]). It is read through the document reader and validated, so a
    /// row that does not read is an error naming it, and nothing half-read is returned.
    ///
    /// # Errors
    /// `corrupt_row`, `unsupported_version`, `database`.
    ///
    /// ```no_run
    /// # async fn f(store: permatrix::store::PolicyStore) -> Result<(), permatrix::store::StoreError> {
    /// let policy = store.load().await?;
    /// println!("revision {}: {} users", policy.revision(), policy.users.len());
    /// # Ok(()) }
    /// ```
    pub async fn load(&self) -> Result<Policy, StoreError> {
        let sql = &self.inner.sql;
        let read = on_pool!(&self.inner.pool, pool => changes_since!(pool, sql, 0i64)?);
        let cached = self.whole(&read)?;
        let policy = (*cached.policy).clone();
        self.remember(cached, true);
        Ok(policy)
    }

    /// The rows a catch-up needs, as the database gives them: those written since this
    /// store's cached revision, or all of them when they do not continue the cache's
    /// history (a restore) or there is no cache. Reads only; [`PolicyStore::apply_changes`]
    /// does the work, so a watcher can do it on a thread of its own.
    pub(crate) async fn read_changes(&self) -> Result<Changes, StoreError> {
        let base = self.cached();
        let sql = &self.inner.sql;
        let read = on_pool!(&self.inner.pool, pool => changes_since!(pool, sql, base.since())?);
        if !base.reads_whole(&read) {
            return Ok(Changes {
                base,
                read,
                whole: false,
            });
        }
        let read = if base.revision() == 0 {
            read
        } else {
            on_pool!(&self.inner.pool, pool => changes_since!(pool, sql, 0i64)?)
        };
        Ok(Changes {
            base,
            read,
            whole: true,
        })
    }

    /// The policy at the newest revision, from what [`PolicyStore::read_changes`] read:
    /// the rows applied to the cached policy, or the policy read whole. The watcher
    /// compiles (and so validates) the result; when that fails it calls
    /// [`PolicyStore::forget`], so a mended row is read again.
    ///
    /// # Cost
    /// A copy of the policy and the rows applied to it, or a whole read.
    pub(crate) fn apply_changes(&self, changes: Changes) -> Result<Caught, StoreError> {
        let Changes { base, read, whole } = changes;
        let next = if whole {
            self.whole(&read)?
        } else {
            self.advance(&base, &read, false)?
        };
        let users = read
            .rows
            .iter()
            .filter(|r| r.kind == "users")
            .map(|r| r.name.clone())
            .collect();
        self.remember(next.clone(), whole);
        Ok(Caught {
            policy: next.policy,
            from: (!whole).then(|| base.revision()),
            users,
        })
    }

    /// Drops the cached policy, so the next read is a whole one.
    pub(crate) fn forget(&self) {
        let mut empty = Policy::new();
        empty.set_limits(self.inner.limits.clone());
        *self
            .inner
            .cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Cached {
            policy: Arc::new(empty),
            commit: 0,
        };
    }

    /// The policy of a whole read (all rows, from revision 0), validated.
    fn whole(&self, read: &Read) -> Result<Cached, StoreError> {
        // tombstones too: a reference to a deleted entity blames the deleting row
        let mut policy = rows::policy_from(&read.rows, &self.inner.limits)?;
        policy.set_revision(read.head);
        Ok(Cached {
            policy: Arc::new(policy),
            commit: read.head_commit,
        })
    }

    /// `base` moved to the head by the rows `read` (written after `base`'s revision, in
    /// its history).
    fn advance(&self, base: &Cached, read: &Read, validate: bool) -> Result<Cached, StoreError> {
        if read.head == base.revision() && read.rows.is_empty() {
            return Ok(base.clone());
        }
        let mut next = rows::apply(&base.policy, &read.rows, validate)?;
        next.set_revision(read.head);
        Ok(Cached {
            policy: Arc::new(next),
            commit: read.head_commit,
        })
    }

    fn cached(&self) -> Cached {
        self.inner
            .cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Keeps `cached` unless a newer one is there already; a whole read (`replace`)
    /// replaces whatever is there, since the history it came from may be another.
    fn remember(&self, cached: Cached, replace: bool) {
        let mut cache = self
            .inner
            .cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if replace || cached.revision() >= cache.revision() {
            *cache = cached;
        }
    }

    /// Applies one administration change made by `actor`, based on revision `expected`:
    /// `change` gets an [`Admin`] on the policy at that revision and makes exactly one
    /// change, with all of its level rules. In one database transaction the store then
    /// writes the rows the change altered, appends the audit record and bumps the
    /// revision. On PostgreSQL it notifies every [`Watcher`] as it commits.
    ///
    /// # Errors
    /// - `revision_conflict` when the store is no longer at `expected`; nothing is written.
    ///   [`PolicyStore::commit_retrying`] runs the change at whatever revision the store is
    ///   at instead.
    /// - The change's own refusal (`not_permitted`, `last_admin`, …); nothing is written.
    /// - `invalid_request` when `change` made no change or more than one.
    /// - `database`, `corrupt_row`.
    ///
    /// ```no_run
    /// # async fn f(store: permatrix::store::PolicyStore) -> Result<(), permatrix::store::StoreError> {
    /// use permatrix::store::Actor;
    /// let revision = store.revision().await?;
    /// store.commit(Actor::User("root"), revision, |admin| admin.add_team_member("sales", "bob")).await?;
    /// # Ok(()) }
    /// ```
    pub async fn commit<F>(
        &self,
        actor: Actor<'_>,
        expected: u64,
        change: F,
    ) -> Result<Committed, StoreError>
    where
        F: FnOnce(&mut Admin<'_>) -> Result<AuditEvent, PolicyError> + Send,
    {
        let name = match actor {
            Actor::User(name) => Some(name),
            Actor::Host => None,
        };
        self.write(name, Some(expected), |policy| {
            let mut admin = match actor {
                Actor::User(name) => policy.admin(name),
                Actor::Host => policy.admin_as_host(),
            };
            change(&mut admin)
        })
        .await
    }

    /// [`commit`](PolicyStore::commit) at the store's newest revision, whatever it is when
    /// the commit holds the head: the change is run on the policy at the locked head, so
    /// writers queue on the lock and none meets a `revision_conflict`. `change` is run once
    /// per attempt; an attempt is repeated, up to `attempts` in all, only when the database
    /// fails it for a reason that may pass (a serialization failure or deadlock on
    /// PostgreSQL, a busy SQLite file). Use [`commit`](PolicyStore::commit) to base a
    /// change on a revision you read and have it refused if another writer came first.
    ///
    /// # Errors
    /// As `commit`, but never `revision_conflict`; the database's error when every attempt
    /// failed.
    ///
    /// ```no_run
    /// # async fn f(store: permatrix::store::PolicyStore) -> Result<(), permatrix::store::StoreError> {
    /// use permatrix::store::Actor;
    /// store.commit_retrying(Actor::Host, 5, |admin| admin.deactivate_user("bob")).await?;
    /// # Ok(()) }
    /// ```
    pub async fn commit_retrying<F>(
        &self,
        actor: Actor<'_>,
        attempts: u32,
        mut change: F,
    ) -> Result<Committed, StoreError>
    where
        F: FnMut(&mut Admin<'_>) -> Result<AuditEvent, PolicyError> + Send,
    {
        let name = match actor {
            Actor::User(name) => Some(name),
            Actor::Host => None,
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let outcome = self
                .write(name, None, |policy| {
                    let mut admin = match actor {
                        Actor::User(name) => policy.admin(name),
                        Actor::Host => policy.admin_as_host(),
                    };
                    change(&mut admin)
                })
                .await;
            match outcome {
                Err(e) if attempt < attempts.max(1) && e.may_pass() => {
                    // spread the writers that met each other apart
                    let jitter = new_commit_id().unsigned_abs() % 10 + u64::from(attempt) * 3;
                    tokio::time::sleep(Duration::from_millis(jitter)).await;
                }
                other => return other,
            }
        }
    }

    /// Deletes the audit records committed before `before` (by the writing instance's
    /// clock), and says how many went: the store's audit retention. Revisions, their commit
    /// ids and the policy's rows stay, so no watcher reads the policy whole because records
    /// are gone; a retention job that deletes from the audit table itself is as safe.
    ///
    /// # Errors
    /// `database`.
    ///
    /// ```no_run
    /// # async fn f(store: permatrix::store::PolicyStore) -> Result<(), permatrix::store::StoreError> {
    /// use std::time::{Duration, SystemTime};
    /// let year_ago = SystemTime::now() - Duration::from_secs(365 * 24 * 3600);
    /// let gone = store.prune_audit(year_ago).await?;
    /// # Ok(()) }
    /// ```
    pub async fn prune_audit(&self, before: SystemTime) -> Result<u64, StoreError> {
        let sql = &self.inner.sql;
        let done = on_pool!(&self.inner.pool, pool => {
            sqlx::query(AssertSqlSafe(sql.prune_audit.clone()))
                .bind(audit::millis(before))
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(done)
    }

    /// Replaces the whole stored policy with `policy`, as the host, based on revision
    /// `expected` (0 for a new store): the first import, a restore, or the repair of a store
    /// whose rows do not read. The stored rows are never parsed: every row whose text
    /// differs from `policy`'s is written, and every other row — a deleted entity, a row
    /// of an unknown kind, one that does not read — is made a tombstone. The audit record
    /// names no actor (the host) and the operation `import_policy`.
    ///
    /// # Errors
    /// `revision_conflict`; the policy's validation errors; `database`.
    ///
    /// ```no_run
    /// # async fn f(store: permatrix::store::PolicyStore) -> Result<(), Box<dyn std::error::Error>> {
    /// let policy = permatrix::Policy::from_json(&std::fs::read_to_string("policy.json")?)?;
    /// store.import(policy, 0).await?;
    /// # Ok(()) }
    /// ```
    pub async fn import(&self, policy: Policy, expected: u64) -> Result<Committed, StoreError> {
        // judged under the store's limits, which every later read holds it to
        let mut replacement = policy;
        replacement.set_limits(self.inner.limits.clone());
        replacement.validate()?;
        let sql = &self.inner.sql;
        let (committed, next) = on_pool!(&self.inner.pool, pool => {
            let mut tx = pool.begin_with(sql.begin_write).await?;
            let current: i64 = sqlx::query_scalar(AssertSqlSafe(sql.lock_head.clone()))
                .fetch_one(&mut *tx)
                .await?;
            let current = to_u64(current);
            if current != expected {
                tx.rollback().await?;
                return Err(StoreError::conflicting(expected, current));
            }
            let stored: Vec<Row> = sqlx::query_as::<_, (String, String, Option<String>, i64, i64)>(
                AssertSqlSafe(sql.all_rows.clone()),
            )
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(|(kind, name, body, seq, revision)| Row { kind, name, body, seq, revision })
            .collect();
            let revision = current + 1;
            let written = rows::replacing(&stored, &replacement, to_i64(revision))?;
            // what a whole read will find: the stored rows with the written ones over them
            let mut after: std::collections::HashMap<(String, String), Row> = stored
                .into_iter()
                .map(|r| ((r.kind.clone(), r.name.clone()), r))
                .collect();
            for row in &written {
                let keep_seq = after
                    .get(&(row.kind.clone(), row.name.clone()))
                    .map_or(row.seq, |r| if row.seq == 0 { r.seq } else { row.seq });
                after.insert(
                    (row.kind.clone(), row.name.clone()),
                    Row { seq: keep_seq, ..row.clone() },
                );
            }
            let after: Vec<Row> = after.into_values().collect();
            let mut read = rows::policy_from(&after, &self.inner.limits)?;
            read.set_revision(revision);
            let event = AuditEvent {
                revision,
                actor: None,
                actor_labels: Default::default(),
                operation: "import_policy",
                target: String::new(),
                target_labels: Default::default(),
                before: None,
                after: None,
                transfer: None,
                left_without_team: Vec::new(),
            };
            let commit = self.finish(&mut tx, revision, &written, &event).await?;
            tx.commit().await?;
            (
                Committed { revision, event, rows_written: written.len() },
                Cached { policy: Arc::new(read), commit },
            )
        });
        self.remember(next, true);
        Ok(committed)
    }

    /// The transaction behind every write: lock the head, check the revision (when one is
    /// `expected`), bring the cached policy to it, run `change` on a copy, write what
    /// differs.
    async fn write<F>(
        &self,
        actor: Option<&str>,
        expected: Option<u64>,
        change: F,
    ) -> Result<Committed, StoreError>
    where
        F: FnOnce(&mut Policy) -> Result<AuditEvent, PolicyError> + Send,
    {
        let sql = &self.inner.sql;
        let (committed, next) = on_pool!(&self.inner.pool, pool => {
            let mut tx = pool.begin_with(sql.begin_write).await?;
            let current: i64 = sqlx::query_scalar(AssertSqlSafe(sql.lock_head.clone()))
                .fetch_one(&mut *tx)
                .await?;
            let current = to_u64(current);
            if let Some(expected) = expected.filter(|&e| e != current) {
                tx.rollback().await?;
                return Err(StoreError::conflicting(expected, current));
            }
            // bring the cache to the locked head, reading it whole if the store's history
            // is not the cache's (a restore), so the change is judged on what is stored
            let cached = self.cached();
            let (base, _, _) = to_head!(self, &mut *tx, cached, true);
            if base.revision() != current {
                return Err(StoreError::corrupt(
                    "head",
                    "",
                    to_i64(current),
                    "the head moved while it was locked",
                ));
            }
            let mut next = (*base.policy).clone();
            let event = change(&mut next)?;
            let revision = current + 1;
            if next.revision() != revision || event.revision != revision {
                return Err(StoreError::invalid_request(format!(
                    "a commit makes exactly one administration change; this one moved the revision from {current} to {}",
                    next.revision()
                )));
            }
            if event.actor.as_deref() != actor {
                return Err(StoreError::invalid_request(
                    "the change's audit event names another actor than the commit's".to_string(),
                ));
            }
            let written = rows::changed(&base.policy, &next, to_i64(revision))?;
            let commit = self.finish(&mut tx, revision, &written, &event).await?;
            tx.commit().await?;
            // an administration change lists its entities as a read of its rows does (it
            // appends what it creates and shift-removes what it deletes, as `seq` orders)
            (
                Committed { revision, event, rows_written: written.len() },
                Cached { policy: Arc::new(next), commit },
            )
        });
        self.remember(next, false);
        Ok(committed)
    }

    /// The end of every write, in its transaction: the rows, the audit record, the commit
    /// id, the head, and on PostgreSQL the notification (delivered when, and only if, the
    /// transaction commits). Gives the new commit's id.
    async fn finish<'c, E>(
        &self,
        tx: &mut sqlx::Transaction<'c, E>,
        revision: u64,
        written: &[Row],
        event: &AuditEvent,
    ) -> Result<i64, StoreError>
    where
        E: sqlx::Database,
        for<'e> &'e mut E::Connection: sqlx::Executor<'e, Database = E>,
        for<'q> <E as sqlx::Database>::Arguments: sqlx::IntoArguments<E>,
        String: for<'q> sqlx::Encode<'q, E> + sqlx::Type<E>,
        Option<String>: for<'q> sqlx::Encode<'q, E> + sqlx::Type<E>,
        i64: for<'q> sqlx::Encode<'q, E> + sqlx::Type<E>,
        &'static str: for<'q> sqlx::Encode<'q, E> + sqlx::Type<E>,
    {
        let sql = &self.inner.sql;
        let commit = new_commit_id();
        for chunk in written.chunks(sql::ROWS_PER_INSERT) {
            let statement = sql.upsert(chunk.len());
            let mut query = sqlx::query(AssertSqlSafe(statement));
            for row in chunk {
                query = query
                    .bind(row.kind.clone())
                    .bind(row.name.clone())
                    .bind(row.body.clone())
                    .bind(row.seq)
                    .bind(row.revision);
            }
            query.execute(&mut **tx).await?;
        }
        let event_json = serde_json::to_string(event).map_err(|e| {
            StoreError::invalid_request(format!("the audit event does not serialize: {e}"))
        })?;
        sqlx::query(AssertSqlSafe(sql.insert_audit.clone()))
            .bind(to_i64(revision))
            .bind(audit::millis(SystemTime::now()))
            .bind(event.actor.clone())
            .bind(event.operation)
            .bind(event.target.clone())
            .bind(event_json)
            .bind(commit)
            .execute(&mut **tx)
            .await?;
        sqlx::query(AssertSqlSafe(sql.insert_commit.clone()))
            .bind(to_i64(revision))
            .bind(commit)
            .execute(&mut **tx)
            .await?;
        sqlx::query(AssertSqlSafe(sql.set_head.clone()))
            .bind(to_i64(revision))
            .bind(commit)
            .execute(&mut **tx)
            .await?;
        if sql.dialect == Dialect::Postgres {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(sql.channel.clone())
                .bind(revision.to_string())
                .execute(&mut **tx)
                .await?;
        }
        Ok(commit)
    }

    /// The audit records `query` selects, in revision order.
    ///
    /// # Errors
    /// `database`; `corrupt_row` for a record whose event is not JSON.
    ///
    /// ```no_run
    /// # async fn f(store: permatrix::store::PolicyStore) -> Result<(), permatrix::store::StoreError> {
    /// use permatrix::store::AuditQuery;
    /// for record in store.audit(&AuditQuery::default().target("users.bob")).await? {
    ///     println!("r{} {:?} {}", record.revision, record.actor, record.operation);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn audit(&self, query: &AuditQuery) -> Result<Vec<AuditRecord>, StoreError> {
        let sql = &self.inner.sql;
        type Fetched = (i64, i64, Option<String>, String, String, String);
        let fetched: Vec<Fetched> = on_pool!(&self.inner.pool, pool => {
            sqlx::query_as(AssertSqlSafe(sql.query_audit.clone()))
                .bind(to_i64(query.after_revision))
                .bind(query.since.map_or(i64::MIN, audit::millis))
                .bind(query.until.map_or(i64::MAX, audit::millis))
                .bind(i64::from(query.actor.is_some()))
                .bind(query.actor.clone().unwrap_or_default())
                .bind(i64::from(query.target.is_some()))
                .bind(query.target.clone().unwrap_or_default())
                .bind(i64::from(query.limit))
                .fetch_all(pool)
                .await?
        });
        fetched
            .into_iter()
            .map(|(revision, at, actor, operation, target, event)| {
                let event = serde_json::from_str(&event).map_err(|e| {
                    StoreError::corrupt("audit", &revision.to_string(), revision, e.to_string())
                })?;
                Ok(AuditRecord {
                    revision: to_u64(revision),
                    at: audit::from_millis(at),
                    actor,
                    operation,
                    target,
                    event,
                })
            })
            .collect()
    }

    /// A [`LiveAuthorizer`] serving the store's current policy, for a [`Watcher`] to keep
    /// up to date.
    ///
    /// # Errors
    /// As [`PolicyStore::load`], and the compile's own.
    ///
    /// ```no_run
    /// # async fn f(store: permatrix::store::PolicyStore) -> Result<(), permatrix::store::StoreError> {
    /// let live = store.live().await?;
    /// assert_eq!(live.current().policy().revision(), store.revision().await?);
    /// # Ok(()) }
    /// ```
    pub async fn live(&self) -> Result<Arc<LiveAuthorizer>, StoreError> {
        let sql = &self.inner.sql;
        let read = on_pool!(&self.inner.pool, pool => changes_since!(pool, sql, 0i64)?);
        // on the store's thread, where the watcher's catch-ups will allocate too; the
        // authorizer shares the store's copy of the policy: one copy in memory
        let store = self.clone();
        let compiled = cpu::run(move || {
            let cached = store.whole(&read)?;
            let policy = Arc::clone(&cached.policy);
            store.remember(cached, true);
            crate::checks::Authorizer::compile_shared(policy).map_err(StoreError::from)
        })
        .await
        .ok_or_else(|| StoreError::invalid_request("the store's thread is gone".to_string()))??;
        Ok(Arc::new(LiveAuthorizer::new(compiled)))
    }

    #[cfg_attr(not(feature = "store-postgres"), allow(dead_code))]
    pub(crate) fn pool(&self) -> &Pool {
        &self.inner.pool
    }

    #[cfg_attr(not(feature = "store-postgres"), allow(dead_code))]
    pub(crate) fn sql(&self) -> &Sql {
        &self.inner.sql
    }
}

const MIGRATIONS_KNOWN: i64 = sql::MIGRATIONS.len() as i64;

fn check_document_version(version: i64) -> Result<(), StoreError> {
    if version == 1 {
        Ok(())
    } else {
        Err(StoreError::unsupported(format!(
            "the stored policy is document version {version}; this crate reads version 1"
        )))
    }
}

/// The head row (after checking its document version), the base's commit id and the
/// entity rows of one `changes_since`.
fn split(
    fetched: Vec<(String, String, Option<String>, i64, i64, i64)>,
) -> Result<Read, StoreError> {
    let mut head = None;
    let mut base_commit = None;
    let mut rows = Vec::with_capacity(fetched.len());
    for (kind, name, body, seq, revision, commit) in fetched {
        match kind.as_str() {
            "head" if name.is_empty() && body.is_none() && head.is_none() => {
                check_document_version(seq)?;
                head = Some((to_u64(revision), commit));
            }
            "base" if name.is_empty() && body.is_none() => base_commit = Some(commit),
            _ => rows.push(Row {
                kind,
                name,
                body,
                seq,
                revision,
            }),
        }
    }
    let (head, head_commit) = head.ok_or_else(|| {
        StoreError::corrupt(
            "head",
            "",
            0,
            "the store has no head row; were its tables emptied?",
        )
    })?;
    if let Some(row) = rows.iter().find(|r| to_u64(r.revision) > head) {
        return Err(StoreError::corrupt(
            &row.kind,
            &row.name,
            row.revision,
            format!("written at a revision after the store's head ({head})"),
        ));
    }
    Ok(Read {
        head,
        head_commit,
        base_commit,
        rows,
    })
}

/// A commit's id: random, so a restored store's revisions are told from the originals.
fn new_commit_id() -> i64 {
    use std::hash::{BuildHasher, Hasher};
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    h.write_u128(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    // positive and never the new store's 0
    i64::try_from(h.finish() >> 1).unwrap_or(1) | 1
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
