//! How much memory one app instance of the policy store takes: a process that opens the
//! store, serves its policy through a `LiveAuthorizer` and keeps it current with a
//! `Watcher`, measured against what the policy and the authorizer themselves need.
//!
//! ```text
//! cargo run --release -p permatrix-suite --example store_memory            # 100,000 users
//! cargo run --release -p permatrix-suite --example store_memory -- 10000
//! ```
//!
//! The parent builds the CRM workload (`benches/workload`), measures the policy's heap
//! (a counting allocator, on one thread) and the authorizer's `memory_usage`, imports the
//! policy into an SQLite file and starts a child process that is only the instance. The
//! child reports its resident memory (`VmRSS`, and the peak `VmHWM`) once it serves the
//! policy and again after the parent has committed 50 changes (team members added or
//! removed) and the watcher has caught up with them.
//!
//! Then the parent prunes the whole audit trail (`prune_audit(now)`) and commits 10 more
//! changes; the child reports the CPU time it spent (user + system, `/proc/self/stat`)
//! idle for 5 s after the prune and while catching up with those changes, and how often
//! its watcher read the policy whole (`Staleness::whole_reads`): pruned audit records
//! must not make a watcher reread everything.

// examples may unwrap and index: a panic is a failed run, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use permatrix_suite::workload;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use permatrix::store::{Actor, PolicyStore, StoreOptions, WatchOptions, Watcher};
use permatrix::{LiveAuthorizer, Policy};
use workload::{Shape, user_name};

/// The changes the parent commits while the instance watches.
const COMMITS: usize = 50;

/// The changes committed after the audit trail is pruned.
const AFTER_PRUNE: usize = 10;

/// The CPU time this process has used, user and system, from `/proc/self/stat`.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // the fields after the command name, which is in parentheses and may hold spaces
    let rest = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name; the
    // kernel counts them in clock ticks of 1/100 s on Linux
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

/// The `VmRSS` and `VmHWM` lines of this process, in MiB.
fn resident() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// The child: one instance, reporting its memory on stdout, told when to look again on
/// stdin.
async fn instance(url: &str) {
    let store = PolicyStore::connect(url, StoreOptions::default())
        .await
        .expect("the store opens");
    let (rss, _) = resident();
    println!("connected, nothing loaded: RSS {rss:.1} MiB");
    let live: Arc<LiveAuthorizer> = store.live().await.expect("the policy loads");
    let watcher = Watcher::start(store, live.clone(), WatchOptions::default())
        .await
        .expect("the watcher starts");
    let (rss, peak) = resident();
    println!(
        "serving r{}: RSS {rss:.1} MiB, peak {peak:.1} MiB",
        live.current().policy().revision()
    );
    std::io::stdout().flush().ok();
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).ok();
    let wanted: u64 = line.trim().parse().unwrap_or(0);
    assert!(watcher.wait_for(wanted, Duration::from_secs(120)).await);
    let (rss, peak) = resident();
    println!("caught up with r{wanted}: RSS {rss:.1} MiB, peak {peak:.1} MiB");
    std::io::stdout().flush().ok();
    // the parent prunes the audit trail, then says so
    line.clear();
    std::io::stdin().read_line(&mut line).ok();
    let before = cpu_time();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let idle = cpu_time() - before;
    println!("audit pruned, 5 s idle: CPU {idle:.2?}");
    std::io::stdout().flush().ok();
    line.clear();
    std::io::stdin().read_line(&mut line).ok();
    let wanted: u64 = line.trim().parse().unwrap_or(0);
    let before = cpu_time();
    assert!(watcher.wait_for(wanted, Duration::from_secs(120)).await);
    let busy = cpu_time() - before;
    let staleness = watcher.staleness();
    println!(
        "caught up with r{wanted} after the prune: CPU {busy:.2?}; policy read whole {} time(s) since the start",
        staleness.whole_reads
    );
    watcher.stop().await;
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    if args.get(1).map(String::as_str) == Some("--instance") {
        runtime.block_on(instance(&args[2]));
        return;
    }
    let users: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let shape = Shape::crm(users);
    let doc = workload::policy(shape)
        .to_json()
        .expect("the workload writes");
    let mut policy = None;
    let heap = allocation_counter::measure(|| {
        policy = Some(Policy::from_json(&doc).expect("the workload reads"));
    });
    let policy = policy.expect("read");
    let authorizer = policy
        .clone()
        .into_authorizer()
        .expect("the workload compiles");
    println!(
        "{users} users: document {:.1} MiB, policy in memory {:.1} MiB, authorizer memory_usage {:.1} MiB",
        mib(doc.len() as u64),
        mib(heap.bytes_current.max(0) as u64),
        mib(authorizer.memory_usage() as u64)
    );
    drop(authorizer);
    let dir = std::env::temp_dir().join(format!("permatrix-store-memory-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a folder");
    let url = format!("sqlite://{}/store.db", dir.display());
    let store = runtime.block_on(async {
        let store = PolicyStore::connect(&url, StoreOptions::default())
            .await
            .expect("the store opens");
        store.import(policy, 0).await.expect("the import");
        store
    });
    let mut child = Command::new(&args[0])
        .args(["--instance", &url])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the instance starts");
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    for _ in 0..2 {
        line.clear();
        out.read_line(&mut line).ok();
        print!("instance {line}");
    }
    let head = runtime.block_on(async {
        let mut head = 1;
        for i in 0..COMMITS {
            let (team, user) = (format!("t{}", i % 7), user_name(i * 7919 % users));
            // in the team already: out of it instead
            let mut done = store
                .commit_retrying(Actor::Host, 5, |a| a.add_team_member(&team, &user))
                .await;
            if done.is_err() {
                done = store
                    .commit_retrying(Actor::Host, 5, |a| a.remove_team_member(&team, &user))
                    .await;
            }
            if let Ok(done) = done {
                head = done.revision;
            }
        }
        head
    });
    let mut stdin = child.stdin.take().expect("stdin");
    writeln!(stdin, "{head}").ok();
    line.clear();
    out.read_line(&mut line).ok();
    print!("instance {line}");
    let pruned = runtime
        .block_on(store.prune_audit(std::time::SystemTime::now()))
        .expect("the audit prunes");
    println!("pruned {pruned} audit record(s)");
    writeln!(stdin, "pruned").ok();
    line.clear();
    out.read_line(&mut line).ok();
    print!("instance {line}");
    let head = runtime.block_on(async {
        let mut head = head;
        for i in 0..AFTER_PRUNE {
            let user = user_name((COMMITS + i) * 7919 % users);
            let done = store
                .commit_retrying(Actor::Host, 5, |a| a.deactivate_user(&user))
                .await;
            if let Ok(done) = done {
                head = done.revision;
            }
        }
        head
    });
    writeln!(stdin, "{head}").ok();
    line.clear();
    out.read_line(&mut line).ok();
    print!("instance {line}");
    child.wait().ok();
    let _ = std::fs::remove_dir_all(&dir);
}
