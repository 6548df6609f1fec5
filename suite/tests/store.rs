//! The policy store against real databases: SQLite files, and the PostgreSQL server the
//! README's test command starts (`PERMATRIX_PG_URL`, a `postgres://` URL). Every wait is
//! bounded in time and every loop in count.

// tests may unwrap and index: a panic is a failed test, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use permatrix::store::{
    Actor, AuditQuery, PolicyStore, StoreError, StoreOptions, WatchOptions, Watcher,
};
use permatrix::{
    LiveAuthorizer, Policy, diff,
    policy::{AdminLevel, Team, User},
};

const SETTLE: Duration = Duration::from_secs(60);

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A fresh place to keep a store: a new SQLite file, or new tables on PostgreSQL.
#[derive(Debug, Clone)]
struct Place {
    url: String,
    prefix: String,
}

fn sqlite_place() -> Place {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("permatrix-store-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("store-{n}.db"));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
    Place {
        url: format!("sqlite://{}", file.display()),
        prefix: "permatrix_".to_string(),
    }
}

fn pg_place() -> Place {
    let url = std::env::var("PERMATRIX_PG_URL").unwrap_or_else(|_| {
        panic!(
            "PERMATRIX_PG_URL is not set: the PostgreSQL store tests need a server. Run the README's test \
             command (bash scripts/test.sh), which starts one, or point PERMATRIX_PG_URL at a \
             postgres:// URL of your own"
        )
    });
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let stamp = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_millis()
        % 1_000_000_000;
    Place {
        url,
        prefix: format!("t{stamp}_{}_{n}_", std::process::id()),
    }
}

async fn open(place: &Place) -> PolicyStore {
    PolicyStore::connect(
        &place.url,
        StoreOptions {
            table_prefix: place.prefix.clone(),
            ..StoreOptions::default()
        },
    )
    .await
    .unwrap_or_else(|e| panic!("cannot open the store at {}: {e}", place.url))
}

/// A small CRM: an administrator, a superuser, four writers' worth of users and teams.
fn start_policy() -> Policy {
    let mut users = String::from(
        r#""root": {"admin": "admin", "roles": ["boss"]}, "sue": {"admin": "superuser", "roles": ["rep"]}"#,
    );
    for w in 0..4 {
        for u in 0..5 {
            users.push_str(&format!(r#", "u{w}_{u}": {{"roles": ["rep"]}}"#));
        }
    }
    Policy::from_json(&format!(
        r#"{{
        "version": 1,
        "modules": {{"accounts": {{}}, "deals": {{}}}},
        "profiles": {{
            "sales": {{"modules": {{"accounts": {{"access": "on", "actions": {{"view": "team", "edit": "owner"}}}}, "deals": {{"access": "on", "actions": {{"view": "owner"}}}}}}}},
            "all": {{"modules": {{"accounts": {{"access": "on", "actions": {{"view": "all", "edit": "all"}}}}, "deals": {{"access": "on", "actions": {{"view": "all"}}}}}}}}
        }},
        "roles": {{"boss": {{"profiles": ["all"]}}, "rep": {{"parent": "boss", "profiles": ["sales"]}}}},
        "teams": {{"w0": {{}}, "w1": {{}}, "w2": {{}}, "w3": {{}}}},
        "users": {{{users}}}
    }}"#
    ))
    .unwrap()
}

/// One instance of the app: its own pool, watcher and live authorizer.
struct Instance {
    store: PolicyStore,
    live: Arc<LiveAuthorizer>,
    watcher: Watcher,
}

async fn instance(place: &Place, name: &str) -> Instance {
    instance_polling(place, name, Duration::from_millis(10)).await
}

/// An instance whose watcher reads the head every `poll` (on PostgreSQL, at least every
/// second as a heartbeat besides NOTIFY).
async fn instance_polling(place: &Place, name: &str, poll: Duration) -> Instance {
    let store = open(place).await;
    let live = store.live().await.unwrap();
    let watcher = Watcher::start(
        store.clone(),
        live.clone(),
        WatchOptions {
            poll_interval: poll,
            backoff_min: Duration::from_millis(20),
            backoff_max: Duration::from_millis(500),
            application_name: name.to_string(),
            ..WatchOptions::default()
        },
    )
    .await
    .unwrap();
    Instance {
        store,
        live,
        watcher,
    }
}

/// Writer `w`'s `i`-th change: team memberships, user status, team admins and new teams,
/// all as `root`, so that every change passes the level rules.
async fn change(store: &PolicyStore, w: usize, i: usize) -> Result<u64, StoreError> {
    let user = format!("u{w}_{}", i % 5);
    let team = format!("w{w}");
    let done = match i % 5 {
        0 => {
            store
                .commit_retrying(Actor::User("root"), 200, |a| {
                    a.add_team_member(&team, &user)
                })
                .await?
        }
        1 => {
            store
                .commit_retrying(Actor::User("root"), 200, |a| a.deactivate_user(&user))
                .await?
        }
        2 => {
            store
                .commit_retrying(Actor::User("root"), 200, |a| a.activate_user(&user))
                .await?
        }
        3 => {
            let id = format!("t{w}_{i}");
            store
                .commit_retrying(Actor::User("root"), 200, |a| {
                    a.add_team(&id, Team::default())
                })
                .await?
        }
        _ => {
            store
                .commit_retrying(Actor::User("root"), 200, |a| {
                    a.remove_team_member(&team, &user)
                })
                .await?
        }
    };
    Ok(done.revision)
}

/// Four writers making 50 changes each through three instances, then every check of the
/// issue: each commit once in the audit trail, contiguous revisions, every instance at the
/// newest revision and equal to a fresh compile of the stored policy.
async fn four_writers_three_instances(place: Place, fault: bool) {
    let first = open(&place).await;
    first.import(start_policy(), 0).await.unwrap();
    let mut instances = Vec::new();
    // in the fault test no heartbeat comes within the test's time: only NOTIFY and the
    // catch-up after each reconnect can bring the instances along
    let poll = if fault {
        Duration::from_secs(600)
    } else {
        Duration::from_millis(10)
    };
    for i in 0..3 {
        let name = format!("{}inst{i}", place.prefix);
        instances.push(instance_polling(&place, &name, poll).await);
    }
    let stores: Vec<PolicyStore> = instances.iter().map(|i| i.store.clone()).collect();
    let mut writers = Vec::new();
    for w in 0..4 {
        let store = stores[w % stores.len()].clone();
        writers.push(tokio::spawn(async move {
            let mut revisions = Vec::new();
            for i in 0..50 {
                revisions.push(change(&store, w, i).await.unwrap());
                if fault {
                    // keep writing through all of the cuts
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
            revisions
        }));
    }
    let mut kills = 0;
    if fault {
        // cut every instance's listening connection, several times, while writers go on
        for _ in 0..4 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            kills += terminate_listeners(&place.url, &place.prefix).await;
        }
        let at_last_cut = first.revision().await.unwrap();
        assert!(
            at_last_cut < 150,
            "the writers went on after the cuts (at r{at_last_cut})"
        );
        eprintln!("fault test: {kills} listening connections cut, the last at r{at_last_cut}");
    }
    let mut committed = Vec::new();
    for w in writers {
        committed.extend(w.await.unwrap());
    }
    committed.sort_unstable();
    let head = first.revision().await.unwrap();
    assert_eq!(head, 201, "the import and 200 changes");
    assert_eq!(
        committed,
        (2..=201).collect::<Vec<u64>>(),
        "each commit has its own revision"
    );

    let trail = first
        .audit(&AuditQuery::default().limit(10_000))
        .await
        .unwrap();
    let revisions: Vec<u64> = trail.iter().map(|r| r.revision).collect();
    assert_eq!(
        revisions,
        (1..=201).collect::<Vec<u64>>(),
        "contiguous, each once"
    );
    assert_eq!(trail[0].operation, "import_policy");
    assert!(
        trail[1..]
            .iter()
            .all(|r| r.actor.as_deref() == Some("root"))
    );

    let stored = first.load().await.unwrap().into_authorizer().unwrap();
    for (n, inst) in instances.iter().enumerate() {
        assert!(
            inst.watcher.wait_for(head, SETTLE).await,
            "instance {n} did not reach revision {head}: {:?}",
            inst.watcher.staleness()
        );
        let served = inst.live.current();
        assert_eq!(served.policy().revision(), head);
        let d = diff(&stored, &served);
        assert!(
            d.is_empty(),
            "instance {n} differs from the stored policy: {d:?}"
        );
        assert_eq!(served.policy(), stored.policy());
        let staleness = inst.watcher.staleness();
        assert_eq!(staleness.lag(), Some(0));
        assert!(staleness.connected, "{staleness:?}");
    }
    if fault {
        assert!(kills >= 3, "the fault test cut {kills} connections");
    }
    for inst in instances {
        inst.watcher.stop().await;
    }
}

/// Terminates every listening connection of the store with `prefix`; how many.
async fn terminate_listeners(url: &str, prefix: &str) -> usize {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .unwrap();
    let killed: Vec<(bool,)> = sqlx::query_as(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE $1 || '%'",
    )
    .bind(prefix)
    .fetch_all(&pool)
    .await
    .unwrap();
    pool.close().await;
    killed.iter().filter(|(k,)| *k).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_four_writers_three_instances_converge() {
    four_writers_three_instances(sqlite_place(), false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_four_writers_three_instances_converge() {
    four_writers_three_instances(pg_place(), false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_watchers_recover_from_terminated_connections() {
    four_writers_three_instances(pg_place(), true).await;
}

/// Conflicts, refusals and malformed commits write nothing; the audit trail answers by
/// actor, target and time.
async fn commits_are_all_or_nothing(place: Place) {
    let store = open(&place).await;
    assert_eq!(store.revision().await.unwrap(), 0);
    store.import(start_policy(), 0).await.unwrap();
    let done = store
        .commit(Actor::User("root"), 1, |a| a.add_team_member("w0", "u0_0"))
        .await
        .unwrap();
    assert_eq!((done.revision, done.rows_written), (2, 1), "one team row");
    assert_eq!(done.event.operation, "team.add_member");

    // a writer still at revision 1
    let stale = store
        .commit(Actor::User("root"), 1, |a| a.add_team_member("w1", "u1_0"))
        .await
        .unwrap_err();
    assert_eq!(stale.conflict(), Some((1, 2)), "{stale}");
    assert_eq!(stale.code(), "revision_conflict");

    // the level rules hold: a superuser may not make themselves an administrator
    let refused = store
        .commit(Actor::User("sue"), 2, |a| {
            a.set_user_admin("sue", AdminLevel::Admin)
        })
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "not_permitted", "{refused}");

    // one commit, one change
    let two = store
        .commit(Actor::Host, 2, |a| {
            a.add_team("x", Team::default())?;
            a.add_team("y", Team::default())
        })
        .await
        .unwrap_err();
    assert_eq!(two.code(), "invalid_request", "{two}");

    assert_eq!(store.revision().await.unwrap(), 2);
    let policy = store.load().await.unwrap();
    assert!(!policy.teams.contains_key("x"));
    assert_eq!(policy.users["sue"].admin, AdminLevel::Superuser);

    // a retrying writer gets through whatever revision it started from
    let retried = store
        .commit_retrying(Actor::User("root"), 3, |a| {
            a.add_user("newbie", User::default())
        })
        .await
        .unwrap();
    assert_eq!(retried.revision, 3);

    let all = store.audit(&AuditQuery::default()).await.unwrap();
    assert_eq!(all.len(), 3);
    let by_target = store
        .audit(&AuditQuery::default().target("teams.w0"))
        .await
        .unwrap();
    assert_eq!(by_target.len(), 1);
    assert_eq!(by_target[0].event["after"]["users"][0], "u0_0");
    let by_actor = store
        .audit(&AuditQuery::default().actor("root"))
        .await
        .unwrap();
    assert_eq!(
        by_actor.iter().map(|r| r.revision).collect::<Vec<_>>(),
        vec![2, 3]
    );
    let future = SystemTime::now() + Duration::from_secs(3600);
    let none = store
        .audit(&AuditQuery::default().between(future, future + Duration::from_secs(1)))
        .await
        .unwrap();
    assert!(none.is_empty());
    let paged = store
        .audit(&AuditQuery {
            after_revision: 1,
            limit: 1,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(
        paged.iter().map(|r| r.revision).collect::<Vec<_>>(),
        vec![2]
    );
}

#[tokio::test]
async fn sqlite_commits_are_all_or_nothing() {
    commits_are_all_or_nothing(sqlite_place()).await;
}

#[tokio::test]
async fn postgres_commits_are_all_or_nothing() {
    commits_are_all_or_nothing(pg_place()).await;
}

/// Dropping every store and watcher and opening them again gives the same policy and the
/// same audit trail; migrations run again as a no-op.
async fn a_restart_loses_nothing(place: Place) {
    let (policy, trail) = {
        let inst = instance(&place, &format!("{}restart", place.prefix)).await;
        inst.store.import(start_policy(), 0).await.unwrap();
        for i in 0..10 {
            change(&inst.store, i % 4, i).await.unwrap();
        }
        assert!(inst.watcher.wait_for(11, SETTLE).await);
        let policy = inst.live.current().policy().clone();
        let trail = inst.store.audit(&AuditQuery::default()).await.unwrap();
        inst.watcher.stop().await;
        (policy, trail)
    };
    let reopened = instance(&place, &format!("{}restart", place.prefix)).await;
    assert_eq!(reopened.store.revision().await.unwrap(), 11);
    let served = reopened.live.current();
    assert_eq!(served.policy(), &policy);
    assert_eq!(served.policy().revision(), 11);
    assert_eq!(
        reopened.store.audit(&AuditQuery::default()).await.unwrap(),
        trail
    );
    // and it goes on from there
    change(&reopened.store, 0, 3).await.unwrap();
    assert!(reopened.watcher.wait_for(12, SETTLE).await);
    reopened.watcher.stop().await;
}

#[tokio::test]
async fn sqlite_a_restart_loses_nothing() {
    a_restart_loses_nothing(sqlite_place()).await;
}

#[tokio::test]
async fn postgres_a_restart_loses_nothing() {
    a_restart_loses_nothing(pg_place()).await;
}

/// Runs `statements` (with the store's prefix for `{p}`) straight on the database, in
/// one transaction, so a watcher sees all of them or none.
async fn tamper(place: &Place, statements: &[&str]) {
    let statements: Vec<String> = statements
        .iter()
        .map(|s| s.replace("{p}", &place.prefix))
        .collect();
    // the same statements on either driver's pool; SQLite takes its write lock at once
    macro_rules! run {
        ($pool:expr, $begin:expr) => {{
            let pool = $pool;
            let mut tx = pool.begin_with($begin).await.unwrap();
            for statement in statements {
                sqlx::query(sqlx::AssertSqlSafe(statement))
                    .execute(&mut *tx)
                    .await
                    .unwrap();
            }
            tx.commit().await.unwrap();
            pool.close().await;
        }};
    }
    if place.url.starts_with("sqlite:") {
        run!(
            sqlx::SqlitePool::connect(&place.url).await.unwrap(),
            "BEGIN IMMEDIATE"
        );
    } else {
        run!(sqlx::PgPool::connect(&place.url).await.unwrap(), "BEGIN");
    }
}

/// A corrupted row, a dangling reference, a newer document or schema: a clear error on
/// load, and an instance that keeps serving its last good policy.
async fn bad_rows_are_refused_whole(place: Place) {
    let inst = instance(&place, &format!("{}bad", place.prefix)).await;
    inst.store.import(start_policy(), 0).await.unwrap();
    assert!(inst.watcher.wait_for(1, SETTLE).await);

    tamper(&place, &["UPDATE {p}entities SET body = 'not json', revision = 2 WHERE kind = 'users' AND name = 'u1_1'", "UPDATE {p}head SET revision = 2"]).await;
    let err = inst.store.load().await.unwrap_err();
    assert_eq!(err.code(), "corrupt_row", "{err}");
    assert!(err.to_string().contains("users `u1_1`"), "{err}");

    tamper(&place, &[r#"UPDATE {p}entities SET body = '{"roles": ["nobody"]}' WHERE kind = 'users' AND name = 'u1_1'"#]).await;
    let err = inst.store.load().await.unwrap_err();
    assert_eq!(err.code(), "corrupt_row", "{err}");
    assert!(err.to_string().contains("unknown_reference"), "{err}");

    tamper(&place, &[r#"UPDATE {p}entities SET body = '{"roles": ["rep"], "colour": 1}' WHERE kind = 'users' AND name = 'u1_1'"#]).await;
    let err = inst.store.load().await.unwrap_err();
    assert_eq!(err.code(), "corrupt_row", "{err}");

    // the instance heard of revision 2, could not read it, and serves revision 1 still
    let deadline = tokio::time::Instant::now() + SETTLE;
    let mut staleness = inst.watcher.staleness();
    while !staleness
        .last_error
        .as_deref()
        .unwrap_or_default()
        .contains("corrupt_row")
        && tokio::time::Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
        staleness = inst.watcher.staleness();
    }
    assert!(
        staleness
            .last_error
            .as_deref()
            .unwrap_or_default()
            .contains("corrupt_row"),
        "{staleness:?}"
    );
    assert_eq!(staleness.revision, 1, "{staleness:?}");
    assert!(
        staleness.connected && staleness.lag() >= Some(1),
        "{staleness:?}"
    );
    assert_eq!(inst.live.current().policy().revision(), 1);

    // mended, it catches up
    tamper(&place, &[r#"UPDATE {p}entities SET body = '{"roles": ["boss"]}' WHERE kind = 'users' AND name = 'u1_1'"#]).await;
    assert!(inst.watcher.wait_for(2, SETTLE).await);
    assert_eq!(
        inst.live.current().policy().users["u1_1"].roles,
        vec!["boss".to_string()]
    );

    tamper(&place, &["UPDATE {p}head SET document_version = 2"]).await;
    let err = inst.store.load().await.unwrap_err();
    assert_eq!(err.code(), "unsupported_version", "{err}");
    tamper(&place, &["UPDATE {p}head SET document_version = 1"]).await;

    tamper(
        &place,
        &["INSERT INTO {p}migrations (version, applied_at_ms) VALUES (99, 0)"],
    )
    .await;
    let err = PolicyStore::connect(
        &place.url,
        StoreOptions {
            table_prefix: place.prefix.clone(),
            ..StoreOptions::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "unsupported_version", "{err}");
    inst.watcher.stop().await;
}

#[tokio::test]
async fn sqlite_bad_rows_are_refused_whole() {
    bad_rows_are_refused_whole(sqlite_place()).await;
}

#[tokio::test]
async fn postgres_bad_rows_are_refused_whole() {
    bad_rows_are_refused_whole(pg_place()).await;
}

/// A change writes only what it changed.
#[tokio::test]
async fn a_change_writes_only_its_rows() {
    let place = sqlite_place();
    let store = open(&place).await;
    let first = store.import(start_policy(), 0).await.unwrap();
    assert!(
        first.rows_written >= 22 + 4 + 2 + 2 + 2,
        "{}",
        first.rows_written
    );
    let added = store
        .commit(Actor::User("root"), 1, |a| a.add_team("x", Team::default()))
        .await
        .unwrap();
    assert_eq!(added.rows_written, 1);
    let off = store
        .commit(Actor::User("root"), 2, |a| a.deactivate_user("u2_2"))
        .await
        .unwrap();
    assert_eq!(off.rows_written, 1);
    // the import puts back only what differs: the team's tombstone and the user
    let again = store.import(start_policy(), 3).await.unwrap();
    assert_eq!(again.rows_written, 2);
    let policy = store.load().await.unwrap();
    assert!(!policy.teams.contains_key("x"));
    assert_eq!(policy, start_policy());
    // a team made again comes last, as it would in the document
    store
        .commit(Actor::User("root"), 4, |a| a.add_team("x", Team::default()))
        .await
        .unwrap();
    let teams: Vec<String> = store.load().await.unwrap().teams.keys().cloned().collect();
    assert_eq!(teams, ["w0", "w1", "w2", "w3", "x"]);
}

/// Ids people read (SPEC §2) hold for the store's import and its commits too: a policy
/// with look-alike ids is refused whole, and nothing is written.
#[tokio::test]
async fn imports_and_commits_refuse_ids_that_look_alike() {
    let place = sqlite_place();
    let store = open(&place).await;
    store.import(start_policy(), 0).await.unwrap();
    let mut alike = start_policy();
    alike.users.insert("R\u{43e}OT".into(), User::default());
    alike.users.insert("root".into(), User::default());
    let err = store.import(alike, 1).await.unwrap_err();
    assert_eq!(err.code(), "ambiguous_id", "{err}");
    let err = store
        .commit(Actor::User("root"), 1, |a| {
            a.add_user("Root", User::default())
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), "ambiguous_id", "{err}");
    let err = store
        .commit(Actor::User("root"), 1, |a| {
            a.add_user("ro\u{200b}ot", User::default())
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), "malformed", "{err}");
    assert_eq!(store.load().await.unwrap(), start_policy());
}

#[tokio::test]
async fn bad_prefixes_and_urls_are_refused() {
    let err = PolicyStore::connect(
        &sqlite_place().url,
        StoreOptions {
            table_prefix: "x; DROP TABLE users; --".into(),
            ..StoreOptions::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "invalid_request");
    let err = PolicyStore::connect("mysql://localhost/db", StoreOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_request");
}

/// Waits until `inst` serves exactly what the store holds, as read by `checker` (a store
/// of its own, so that reading does not touch the instance's cache).
async fn serves_the_store(inst: &Instance, checker: &PolicyStore) -> bool {
    let deadline = tokio::time::Instant::now() + SETTLE;
    loop {
        let stored = checker.load().await.unwrap();
        let served = inst.live.current();
        if served.policy().revision() == stored.revision() && served.policy() == &stored {
            return true;
        }
        if tokio::time::Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A store restored from a backup: an instance whose cache is from the lost history
/// serves the restored one — at a lower revision, and at the same revision with other
/// commits — and a writer is judged on what is stored, not on its stale cache.
async fn a_restored_history_replaces_the_cached_one(place: Place) {
    let inst = instance(&place, &format!("{}restore", place.prefix)).await;
    inst.store.import(start_policy(), 0).await.unwrap();
    for (i, team) in ["a", "b"].iter().enumerate() {
        inst.store
            .commit(Actor::User("root"), 1 + i as u64, |a| {
                a.add_team(team, Team::default())
            })
            .await
            .unwrap();
    }
    for table in ["head", "entities", "audit", "commits"] {
        tamper(
            &place,
            &[&format!(
                "CREATE TABLE {{p}}backup_{table} AS SELECT * FROM {{p}}{table}"
            )],
        )
        .await;
    }
    // the lost history: sue becomes an administrator at r4, a team x at r5
    inst.store
        .commit(Actor::User("root"), 3, |a| {
            a.set_user_admin("sue", AdminLevel::Admin)
        })
        .await
        .unwrap();
    inst.store
        .commit(Actor::User("root"), 4, |a| a.add_team("x", Team::default()))
        .await
        .unwrap();
    assert!(inst.watcher.wait_for(5, SETTLE).await);
    // a writer whose cache holds the lost history
    let stale = open(&place).await;
    assert_eq!(
        stale.load().await.unwrap().users["sue"].admin,
        AdminLevel::Admin
    );
    let checker = open(&place).await;

    // the restore: back to r3
    let mut restore = Vec::new();
    for table in ["head", "entities", "audit", "commits"] {
        restore.push(format!("DELETE FROM {{p}}{table}"));
        restore.push(format!(
            "INSERT INTO {{p}}{table} SELECT * FROM {{p}}backup_{table}"
        ));
    }
    let restore: Vec<&str> = restore.iter().map(String::as_str).collect();
    tamper(&place, &restore).await;
    assert!(
        serves_the_store(&inst, &checker).await,
        "the instance went back to r3"
    );
    assert_eq!(inst.live.current().policy().revision(), 3);
    assert_eq!(inst.watcher.staleness().lag(), Some(0));

    // another history reaches r5 again, through a store that never saw the lost one
    let other = open(&place).await;
    other
        .commit(Actor::User("root"), 3, |a| a.add_team("y", Team::default()))
        .await
        .unwrap();
    other
        .commit(Actor::User("root"), 4, |a| a.add_team("z", Team::default()))
        .await
        .unwrap();
    assert!(
        serves_the_store(&inst, &checker).await,
        "the instance serves the new r5"
    );
    let served = inst.live.current();
    assert!(served.policy().teams.contains_key("z") && !served.policy().teams.contains_key("x"));
    assert_eq!(served.policy().users["sue"].admin, AdminLevel::Superuser);

    // sue is no administrator in what is stored, whatever a stale cache remembers
    let refused = stale
        .commit(Actor::User("sue"), 5, |a| {
            a.set_user_admin("u0_0", AdminLevel::Admin)
        })
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "not_permitted", "{refused}");
    inst.watcher.stop().await;
}

#[tokio::test]
async fn sqlite_a_restored_history_replaces_the_cached_one() {
    a_restored_history_replaces_the_cached_one(sqlite_place()).await;
}

#[tokio::test]
async fn postgres_a_restored_history_replaces_the_cached_one() {
    a_restored_history_replaces_the_cached_one(pg_place()).await;
}

/// A user switched off ahead of a compile that fails, then active again in the policy
/// that compiles, is served active; the deactivation itself reaches the instance first.
#[tokio::test]
async fn a_deactivation_ahead_of_a_failed_compile_is_undone_when_mended() {
    let place = sqlite_place();
    let inst = instance(&place, "switch").await;
    inst.store.import(start_policy(), 0).await.unwrap();
    assert!(inst.watcher.wait_for(1, SETTLE).await);
    let owns = |auth: &permatrix::Authorizer, name: &str| {
        let user = auth.user(name).unwrap();
        let accounts = auth.module("accounts").unwrap();
        auth.can(
            user,
            permatrix::Action::View,
            &permatrix::Record::owned_by_user(accounts, user),
        )
    };
    assert!(owns(&inst.live.current(), "u1_1"));

    // r2, written behind the store's back: u1_1 off, and u2_2 with a role that is not there
    tamper(&place, &[
        r#"UPDATE {p}entities SET body = '{"roles": ["rep"], "status": "inactive"}', revision = 2 WHERE kind = 'users' AND name = 'u1_1'"#,
        r#"UPDATE {p}entities SET body = '{"roles": ["nobody"]}', revision = 2 WHERE kind = 'users' AND name = 'u2_2'"#,
        "UPDATE {p}head SET revision = 2",
    ]).await;
    let deadline = tokio::time::Instant::now() + SETTLE;
    while owns(&inst.live.current(), "u1_1") && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        !owns(&inst.live.current(), "u1_1"),
        "switched off ahead of the compile"
    );
    assert_eq!(
        inst.live.current().policy().revision(),
        1,
        "r2 does not compile"
    );

    // r3 mends both, and u1_1 is active again
    tamper(&place, &[
        r#"UPDATE {p}entities SET body = '{"roles": ["rep"]}', revision = 3 WHERE kind = 'users' AND name IN ('u1_1', 'u2_2')"#,
        "UPDATE {p}head SET revision = 3",
    ]).await;
    assert!(
        inst.watcher.wait_for(3, SETTLE).await,
        "{:?}",
        inst.watcher.staleness()
    );
    let served = inst.live.current();
    assert!(owns(&served, "u1_1"), "active again");
    let fresh = inst.store.load().await.unwrap().into_authorizer().unwrap();
    assert!(diff(&fresh, &served).is_empty());
    inst.watcher.stop().await;
}

/// An import is judged under the store's limits, which every later read holds it to.
#[tokio::test]
async fn an_import_is_held_to_the_stores_limits() {
    let place = sqlite_place();
    let store = PolicyStore::connect(
        &place.url,
        StoreOptions {
            limits: permatrix::policy::Limits::default().users(10),
            ..StoreOptions::default()
        },
    )
    .await
    .unwrap();
    let err = store.import(start_policy(), 0).await.unwrap_err();
    assert_eq!(err.code(), "limit_exceeded", "{err}");
    assert_eq!(store.revision().await.unwrap(), 0);
}

/// A store whose rows do not read — a user row that is not JSON, a role row emptied to a
/// tombstone, a row of a kind no policy has — cannot be loaded, and the error names the
/// row that is bad. `import` mends it without reading it: as the host, audited, and every
/// instance starts again.
async fn an_import_mends_a_store_whose_rows_do_not_read(place: Place) {
    let store = open(&place).await;
    store.import(start_policy(), 0).await.unwrap();
    tamper(
        &place,
        &[
            "UPDATE {p}entities SET body = NULL, revision = 2 WHERE kind = 'roles' AND name = 'rep'",
            "UPDATE {p}head SET revision = 2",
        ],
    )
    .await;
    let err = open(&place).await.load().await.unwrap_err();
    assert_eq!(err.code(), "corrupt_row", "{err}");
    assert!(
        err.to_string().contains("roles `rep` (revision 2)"),
        "the row to blame: {err}"
    );
    tamper(
        &place,
        &[
            "UPDATE {p}entities SET body = 'nope', revision = 2 WHERE kind = 'users' AND name = 'u0_0'",
            "INSERT INTO {p}entities (kind, name, body, seq, revision) VALUES ('gadgets', 'g', '{}', 1, 2)",
        ],
    )
    .await;
    let broken = open(&place).await;
    assert_eq!(broken.load().await.unwrap_err().code(), "corrupt_row");
    assert!(broken.live().await.is_err(), "no instance starts on it");
    assert_eq!(
        broken
            .commit(Actor::User("root"), 2, |a| a.add_team("n", Team::default()))
            .await
            .unwrap_err()
            .code(),
        "corrupt_row"
    );
    // the repair
    let mended = broken.import(start_policy(), 2).await.unwrap();
    assert_eq!(mended.revision, 3);
    assert!(mended.rows_written >= 3, "{}", mended.rows_written);
    let fresh = open(&place).await;
    assert_eq!(fresh.load().await.unwrap(), start_policy());
    let live = fresh.live().await.unwrap();
    assert_eq!(live.current().policy().revision(), 3);
    let audit = fresh.audit(&AuditQuery::default()).await.unwrap();
    let last = audit.last().unwrap();
    assert_eq!(
        (
            last.revision,
            last.actor.as_deref(),
            last.operation.as_str()
        ),
        (3, None, "import_policy")
    );
    // and it goes on as a store does
    fresh
        .commit(Actor::User("root"), 3, |a| a.add_team("n", Team::default()))
        .await
        .unwrap();
}

#[tokio::test]
async fn sqlite_an_import_mends_a_store_whose_rows_do_not_read() {
    an_import_mends_a_store_whose_rows_do_not_read(sqlite_place()).await;
}

#[tokio::test]
async fn postgres_an_import_mends_a_store_whose_rows_do_not_read() {
    an_import_mends_a_store_whose_rows_do_not_read(pg_place()).await;
}

/// Audit retention: pruned through the store or deleted by the host's own job, the audit
/// trail's records are gone and no watcher reads the policy whole because of it; changes
/// after it are read row by row.
async fn audit_retention_keeps_watchers_incremental(place: Place) {
    let first = open(&place).await;
    first.import(start_policy(), 0).await.unwrap();
    let inst = instance(&place, &format!("{}prune", place.prefix)).await;
    for i in 0..3u64 {
        first
            .commit(Actor::User("root"), 1 + i, |a| {
                a.add_team(&format!("p{i}"), Team::default())
            })
            .await
            .unwrap();
    }
    assert!(inst.watcher.wait_for(4, SETTLE).await);
    let reads = inst.watcher.staleness().whole_reads;
    let gone = first
        .prune_audit(SystemTime::now() + Duration::from_secs(1))
        .await
        .unwrap();
    assert_eq!(gone, 4);
    assert!(
        first
            .audit(&AuditQuery::default())
            .await
            .unwrap()
            .is_empty()
    );
    tokio::time::sleep(Duration::from_millis(600)).await;
    first
        .commit(Actor::User("root"), 4, |a| {
            a.add_team("after_prune", Team::default())
        })
        .await
        .unwrap();
    assert!(inst.watcher.wait_for(5, SETTLE).await);
    tamper(&place, &["DELETE FROM {p}audit"]).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    first
        .commit(Actor::User("root"), 5, |a| {
            a.add_team("after_delete", Team::default())
        })
        .await
        .unwrap();
    assert!(inst.watcher.wait_for(6, SETTLE).await);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let staleness = inst.watcher.staleness();
    assert_eq!(staleness.whole_reads, reads, "{staleness:?}");
    assert_eq!(staleness.lag(), Some(0));
    assert!(
        inst.live
            .current()
            .policy()
            .teams
            .contains_key("after_delete")
    );
    inst.watcher.stop().await;
}

#[tokio::test]
async fn sqlite_audit_retention_keeps_watchers_incremental() {
    audit_retention_keeps_watchers_incremental(sqlite_place()).await;
}

#[tokio::test]
async fn postgres_audit_retention_keeps_watchers_incremental() {
    audit_retention_keeps_watchers_incremental(pg_place()).await;
}

/// Four writers, each with its own store, each making 25 changes with
/// `commit_retrying(…, 5, …)`: every change lands, none meets a `revision_conflict`.
async fn retrying_writers_all_land(place: Place) {
    open(&place).await.import(start_policy(), 0).await.unwrap();
    let mut writers = Vec::new();
    for w in 0..4usize {
        let place = place.clone();
        writers.push(tokio::spawn(async move {
            let store = open(&place).await;
            let mut landed = 0;
            for i in 0..25usize {
                let user = format!("u{w}_{}", i % 5);
                let team = format!("w{w}");
                let outcome = if i % 2 == 0 {
                    store
                        .commit_retrying(Actor::User("root"), 5, |a| {
                            a.add_team_member(&team, &user)
                        })
                        .await
                } else {
                    store
                        .commit_retrying(Actor::User("root"), 5, |a| {
                            a.remove_team_member(&team, &user)
                        })
                        .await
                };
                outcome.unwrap_or_else(|e| panic!("writer {w}, change {i}: {e}"));
                landed += 1;
            }
            landed
        }));
    }
    let mut landed = 0;
    for w in writers {
        landed += w.await.unwrap();
    }
    assert_eq!(landed, 100);
    assert_eq!(open(&place).await.revision().await.unwrap(), 101);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_retrying_writers_all_land() {
    retrying_writers_all_land(sqlite_place()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_retrying_writers_all_land() {
    retrying_writers_all_land(pg_place()).await;
}
