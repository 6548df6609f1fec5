//! The policy store's watchers through an outage: a PostgreSQL server of the test's own
//! (initdb into a temporary folder, as the README's test command does) stopped for five
//! seconds and started again, and an SQLite file whose tables go away for as long. An idle watcher and a busy one (a writer commits every 30 ms) must each report
//! the outage within about a second — `connected: false`, a `last_error`, and a lag that
//! is unknown rather than 0 — and be back, caught up, within about a second of the
//! database's return. For SQLite the outage is the store's tables going away under every
//! connection (a file swapped or restored in place). Every wait is bounded; the timeline
//! is printed.
//!
//! The PostgreSQL part needs the server's programs: `PERMATRIX_PG_BIN`, or the newest
//! `/usr/lib/postgresql/*/bin` (which the test command installs).

// tests may unwrap and index: a panic is a failed test, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use permatrix::store::{Actor, PolicyStore, StoreOptions, WatchOptions, Watcher};
use permatrix::{LiveAuthorizer, Policy, policy::Team};

/// How long the database is gone.
const OUTAGE: Duration = Duration::from_secs(5);
/// The bound the watchers are held to, with room for a loaded CI machine (the documented
/// bound is heartbeat + read timeout: 1 s; alone this machine reports in 0.9 s, under the
/// whole suite on 2 cores it once took over 2.5 s).
const NOTICE: Duration = Duration::from_millis(4000);

static NEXT: AtomicUsize = AtomicUsize::new(0);

fn policy() -> Policy {
    Policy::from_json(
        r#"{"version":1,"modules":{"deals":{}},
        "profiles":{"p":{"modules":{"deals":{"access":"on","actions":{"view":"owner"}}}}},
        "roles":{"r":{"profiles":["p"]}},
        "users":{"root":{"admin":"admin"},"ann":{"roles":["r"]}}}"#,
    )
    .unwrap()
}

/// A PostgreSQL server of the test's own, stopped and removed when dropped.
struct Server {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    /// As root, the server runs as `postgres`, which refuses root.
    as_postgres: bool,
}

impl Server {
    fn bin() -> PathBuf {
        if let Ok(bin) = std::env::var("PERMATRIX_PG_BIN") {
            return PathBuf::from(bin);
        }
        let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .map(|d| d.flatten().map(|e| e.path().join("bin")).collect())
            .unwrap_or_default();
        found.sort();
        found.pop().unwrap_or_else(|| {
            panic!("no PostgreSQL programs: set PERMATRIX_PG_BIN or run the README's test command, which installs them")
        })
    }

    fn new() -> Server {
        let root = running_as_root();
        let dir = std::env::temp_dir().join(format!(
            "permatrix-outage-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        if root {
            assert!(
                Command::new("chown")
                    .arg("postgres")
                    .arg(&dir)
                    .status()
                    .unwrap()
                    .success()
            );
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let server = Server {
            bin: Server::bin(),
            dir,
            port,
            as_postgres: root,
        };
        server.run(
            "initdb",
            &[
                "-D",
                "data",
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        server.start();
        server
    }

    /// Runs one of the server's programs in its folder (as `postgres` when root).
    fn run(&self, program: &str, args: &[&str]) {
        let path = self.bin.join(program);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&path);
            c
        } else {
            Command::new(&path)
        };
        let out = cmd.args(args).current_dir(&self.dir).output().unwrap();
        assert!(
            out.status.success(),
            "{program} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn start(&self) {
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {} -c fsync=off",
            self.port,
            self.dir.display()
        );
        self.run(
            "pg_ctl",
            &[
                "-D",
                "data",
                "-l",
                "server.log",
                "-w",
                "-o",
                &options,
                "start",
            ],
        );
    }

    fn stop(&self) {
        self.run("pg_ctl", &["-D", "data", "-m", "fast", "-w", "stop"]);
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let path = self.bin.join("pg_ctl");
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&path);
            c
        } else {
            Command::new(&path)
        };
        let _ = cmd
            .args(["-D", "data", "-m", "immediate", "-w", "stop"])
            .current_dir(&self.dir)
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Whether the test runs as root, as `id -u` says.
fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

struct Instance {
    live: Arc<LiveAuthorizer>,
    watcher: Watcher,
}

async fn instance(url: &str, name: &str, poll: Duration) -> Instance {
    let store = PolicyStore::connect(url, StoreOptions::default())
        .await
        .unwrap();
    let live = store.live().await.unwrap();
    let watcher = Watcher::start(
        store,
        live.clone(),
        WatchOptions {
            poll_interval: poll,
            application_name: name.to_string(),
            ..WatchOptions::default()
        },
    )
    .await
    .unwrap();
    Instance { live, watcher }
}

/// Waits until `ok` holds for every watcher, at most `bound`; how long it took.
async fn until(
    watchers: &[&Watcher],
    bound: Duration,
    ok: impl Fn(&Watcher) -> bool,
) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < bound {
        if watchers.iter().all(|w| ok(w)) {
            return Some(start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    None
}

/// A writer committing every 30 ms until told to stop, ignoring the outage's failures.
fn busy_writer(url: String, stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<usize> {
    tokio::spawn(async move {
        let store = PolicyStore::connect(&url, StoreOptions::default())
            .await
            .unwrap();
        let mut landed = 0;
        let mut i = 0;
        while !stop.load(Ordering::Relaxed) {
            i += 1;
            let id = format!("busy{i}");
            let attempt = tokio::time::timeout(
                Duration::from_millis(400),
                store.commit_retrying(Actor::Host, 1, |a| a.add_team(&id, Team::default())),
            )
            .await;
            if matches!(attempt, Ok(Ok(_))) {
                landed += 1;
            }
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
        landed
    })
}

/// The outage and the return, for an idle and a busy watcher: `go_away` and `come_back`
/// take the database away and give it back.
async fn through_an_outage(
    name: &str,
    url: &str,
    poll: Duration,
    go_away: impl FnOnce(),
    come_back: impl FnOnce(),
) {
    let importer = PolicyStore::connect(url, StoreOptions::default())
        .await
        .unwrap();
    importer.import(policy(), 0).await.unwrap();
    let idle = instance(url, &format!("{name}_idle"), poll).await;
    let busy = instance(url, &format!("{name}_busy"), poll).await;
    let stop = Arc::new(AtomicBool::new(false));
    let writer = busy_writer(url.to_string(), stop.clone());
    tokio::time::sleep(Duration::from_millis(600)).await;
    let both = [&idle.watcher, &busy.watcher];
    assert!(
        until(&both, NOTICE, |w| w.staleness().connected)
            .await
            .is_some(),
        "{name}: the watchers start connected"
    );

    let gone = Instant::now();
    go_away();
    let noticed = until(&both, NOTICE, |w| {
        let s = w.staleness();
        !s.connected && s.last_error.is_some() && s.lag().is_none()
    })
    .await;
    let states: Vec<_> = both.iter().map(|w| w.staleness()).collect();
    assert!(
        noticed.is_some(),
        "{name}: the outage went unreported: {states:?}"
    );
    eprintln!(
        "{name}: outage reported after {:?} (since the database went: {:?}); idle: {:?}; busy: {:?}",
        noticed.unwrap_or_default(),
        gone.elapsed(),
        states[0].last_error,
        states[1].last_error
    );
    // it stays reported while the database is gone
    tokio::time::sleep(OUTAGE.saturating_sub(gone.elapsed())).await;
    for w in both {
        let s = w.staleness();
        assert!(!s.connected && s.lag().is_none(), "{name}: {s:?}");
        assert!(s.since_heard >= Duration::from_secs(3), "{name}: {s:?}");
    }

    let back = Instant::now();
    come_back();
    let caught_up = until(&both, NOTICE, |w| {
        let s = w.staleness();
        s.connected && s.last_error.is_none() && s.lag() == Some(0)
    })
    .await;
    let states: Vec<_> = both.iter().map(|w| w.staleness()).collect();
    assert!(caught_up.is_some(), "{name}: not back: {states:?}");
    eprintln!(
        "{name}: back and caught up {:?} after the database returned",
        caught_up.unwrap_or_default()
    );
    // and new commits reach both again
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    let landed = writer.await.unwrap();
    let head = importer.revision().await.unwrap();
    for (w, inst) in [(&idle.watcher, &idle), (&busy.watcher, &busy)] {
        assert!(
            w.wait_for(head, NOTICE).await,
            "{name}: r{head} not served: {:?}",
            w.staleness()
        );
        assert_eq!(inst.live.current().policy().revision(), head);
    }
    eprintln!(
        "{name}: the busy writer landed {landed} commits around the outage; both serve r{head}"
    );
    let _ = back;
    idle.watcher.stop().await;
    busy.watcher.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_watchers_report_a_stopped_server_and_come_back() {
    let server = Arc::new(Server::new());
    let url = server.url();
    let (down, up) = (server.clone(), server.clone());
    through_an_outage(
        "postgres",
        &url,
        WatchOptions::default().poll_interval,
        move || down.stop(),
        move || up.start(),
    )
    .await;
}

/// Runs `statement` on the SQLite file at `url`, from a thread of its own.
fn sqlite_statement(url: &str, statement: &'static str) {
    let url = url.to_string();
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(async {
                let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
                sqlx::query(statement).execute(&pool).await.unwrap();
                pool.close().await;
            })
    })
    .join()
    .unwrap();
}

/// For an SQLite file, the outage is its tables going away under every connection (a
/// restore in progress, a file swapped out): every read fails until they are back.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_watchers_report_a_file_gone_wrong_and_come_back() {
    let dir = std::env::temp_dir().join(format!("permatrix-outage-sqlite-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("store.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
    let url = format!("sqlite://{}", file.display());
    let (away, back) = (url.clone(), url.clone());
    through_an_outage(
        "sqlite",
        &url,
        Duration::from_millis(25),
        move || {
            sqlite_statement(
                &away,
                "ALTER TABLE permatrix_head RENAME TO permatrix_head_away",
            )
        },
        move || {
            sqlite_statement(
                &back,
                "ALTER TABLE permatrix_head_away RENAME TO permatrix_head",
            )
        },
    )
    .await;
    let _ = std::fs::remove_dir_all(&dir);
}
