//! How fast a committed change reaches every app instance, and how many commits four
//! writers get through, on PostgreSQL (when `PERMATRIX_PG_URL` names a server, as
//! `bash scripts/test.sh` sets it) and on an SQLite file.
//!
//! Three instances (each its own pool, `Watcher` and `LiveAuthorizer`), then one, serve
//! the CRM workload's 10,000-user policy. One writer commits changes one after another; for each,
//! the time from the commit's return to the moment every instance serves its revision
//! is one sample, reported as p50, p99 and max. Then four writers, each with its own
//! store, commit 25 changes each at once with `commit_retrying(…, 5, …)`: the changes that
//! landed, those that failed, and the commits per second are reported.
//!
//! `cargo bench -p permatrix-suite --bench propagation`. Under `cargo test` (no `--bench`
//! argument) it runs on 300 users and a few changes, so CI checks that it works.

// benches may unwrap and index: a panic is a failed run, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use permatrix_suite::workload;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use permatrix::LiveAuthorizer;
use permatrix::store::{Actor, PolicyStore, StoreOptions, WatchOptions, Watcher};
use workload::{Shape, user_name};

struct Sizes {
    users: usize,
    samples: usize,
    per_writer: usize,
}

struct Instance {
    live: Arc<LiveAuthorizer>,
    watcher: Watcher,
}

async fn open(url: &str, prefix: &str) -> PolicyStore {
    PolicyStore::connect(
        url,
        StoreOptions {
            table_prefix: prefix.to_string(),
            ..StoreOptions::default()
        },
    )
    .await
    .unwrap_or_else(|e| panic!("cannot open a store at {url}: {e}"))
}

/// The `i`-th change: a user into or out of a team, or off and on again, with
/// `commit_retrying(…, ATTEMPTS, …)`, as the docs' example writes it.
async fn change(store: &PolicyStore, shape: Shape, i: usize) -> u64 {
    try_change(store, shape, i)
        .await
        .unwrap_or_else(|e| panic!("change {i} failed: {e}"))
}

/// The attempts each change is given: the docs' example.
const ATTEMPTS: u32 = 5;

async fn try_change(
    store: &PolicyStore,
    shape: Shape,
    i: usize,
) -> Result<u64, permatrix::store::StoreError> {
    let user = user_name((i * 7919) % shape.users);
    let team = format!("t{}", (i / 4) % shape.teams);
    let done = match i % 4 {
        0 => {
            store
                .commit_retrying(Actor::Host, ATTEMPTS, |a| a.add_team_member(&team, &user))
                .await
        }
        1 => {
            store
                .commit_retrying(Actor::Host, ATTEMPTS, |a| {
                    a.remove_team_member(&team, &user)
                })
                .await
        }
        2 => {
            store
                .commit_retrying(Actor::Host, ATTEMPTS, |a| a.deactivate_user(&user))
                .await
        }
        _ => {
            store
                .commit_retrying(Actor::Host, ATTEMPTS, |a| a.activate_user(&user))
                .await
        }
    };
    done.map(|c| c.revision)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

async fn measure(database: &str, url: &str, sizes: &Sizes, count: usize) {
    let stamp = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_millis() % 1_000_000_000)
        .unwrap_or(0);
    let prefix = format!("bench{stamp}_");
    let shape = Shape::crm(sizes.users);
    let policy = workload::policy(shape);
    let writer = open(url, &prefix).await;
    let started = Instant::now();
    writer.import(policy, 0).await.unwrap();
    let import = started.elapsed();

    let poll = if database == "SQLite" {
        Duration::from_millis(5)
    } else {
        WatchOptions::default().poll_interval
    };
    let mut instances = Vec::new();
    for n in 0..count {
        let store = open(url, &prefix).await;
        let live = store.live().await.unwrap();
        let watcher = Watcher::start(
            store,
            live.clone(),
            WatchOptions {
                poll_interval: poll,
                application_name: format!("{prefix}{n}"),
                ..WatchOptions::default()
            },
        )
        .await
        .unwrap();
        instances.push(Instance { live, watcher });
    }

    let mut samples = Vec::with_capacity(sizes.samples);
    for i in 0..sizes.samples {
        let revision = change(&writer, shape, i).await;
        let committed = Instant::now();
        for inst in &instances {
            assert!(
                inst.watcher
                    .wait_for(revision, Duration::from_secs(30))
                    .await,
                "an instance did not reach revision {revision}: {:?}",
                inst.watcher.staleness()
            );
        }
        samples.push(committed.elapsed());
    }
    samples.sort_unstable();

    let writers: Vec<PolicyStore> = {
        let mut v = Vec::new();
        for _ in 0..4 {
            v.push(open(url, &prefix).await);
        }
        v
    };
    let before = writer.revision().await.unwrap();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (w, store) in writers.into_iter().enumerate() {
        let per_writer = sizes.per_writer;
        tasks.push(tokio::spawn(async move {
            let mut failed = Vec::new();
            for i in 0..per_writer {
                if let Err(e) = try_change(&store, shape, 10_000 + w * per_writer + i).await {
                    failed.push(e.code().as_str());
                }
            }
            failed
        }));
    }
    let mut failed = Vec::new();
    for t in tasks {
        failed.extend(t.await.unwrap());
    }
    let elapsed = started.elapsed();
    let commits = writer.revision().await.unwrap() - before;
    let head = writer.revision().await.unwrap();
    for inst in &instances {
        assert!(inst.watcher.wait_for(head, Duration::from_secs(60)).await);
        assert_eq!(inst.live.current().policy().revision(), head);
    }

    println!(
        "{database}, {} users, {count} instance(s): import {:.0?}; propagation over {} commits: p50 {:.1?}, p99 {:.1?}, max {:.1?}; \
         4 writers × {} with commit_retrying({ATTEMPTS}): {commits} landed, {} failed {failed:?}, in {:.2?} = {:.0} commits/s",
        sizes.users,
        import,
        samples.len(),
        percentile(&samples, 0.50),
        percentile(&samples, 0.99),
        samples.last().copied().unwrap_or_default(),
        sizes.per_writer,
        failed.len(),
        elapsed,
        commits as f64 / elapsed.as_secs_f64()
    );
    for inst in instances {
        inst.watcher.stop().await;
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let sizes = if full {
        Sizes {
            users: 10_000,
            samples: 200,
            per_writer: 25,
        }
    } else {
        Sizes {
            users: 300,
            samples: 8,
            per_writer: 3,
        }
    };
    let dir = std::env::temp_dir().join(format!("permatrix-propagation-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("store.db");
    // three instances share this machine's cores with the writer and the database; one
    // instance shows what each costs when it has a core of its own, as on separate hosts
    for count in [3, 1] {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        measure(
            "SQLite",
            &format!("sqlite://{}", file.display()),
            &sizes,
            count,
        )
        .await;
        match std::env::var("PERMATRIX_PG_URL") {
            Ok(url) => measure("PostgreSQL", &url, &sizes, count).await,
            Err(_) => println!("PostgreSQL: skipped, PERMATRIX_PG_URL is not set"),
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
