//! Two app instances sharing one policy in an embedded SQLite file: an administrator
//! changes a role on instance A, and instance B serves the change moments later.
//!
//! Run with `cargo run -p permatrix-suite --example instances`; pass a path to keep
//! the database file (`-- /tmp/crm-policy.db`), otherwise a fresh one is made in the
//! temporary directory. The same code runs on PostgreSQL with a `postgres://` URL and the
//! `store-postgres` feature: there the instances hear of changes by LISTEN/NOTIFY instead
//! of polling.

// examples may unwrap and index: a panic is a failed run, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use permatrix::store::{Actor, AuditQuery, PolicyStore, StoreOptions, WatchOptions, Watcher};
use permatrix::{Action, Authorizer, LiveAuthorizer, Policy, Record};

const POLICY: &str = include_str!("../../examples/policies/minicrm.json");

/// One app instance: its own connection pool, watcher and live authorizer.
struct Instance {
    name: &'static str,
    store: PolicyStore,
    live: Arc<LiveAuthorizer>,
    watcher: Watcher,
}

async fn start(name: &'static str, url: &str) -> Result<Instance, Box<dyn std::error::Error>> {
    let store = PolicyStore::connect(url, StoreOptions::default()).await?;
    let live = store.live().await?;
    let watcher = Watcher::start(store.clone(), live.clone(), WatchOptions::default()).await?;
    println!(
        "instance {name}: serving revision {}",
        live.current().policy().revision()
    );
    Ok(Instance {
        name,
        store,
        live,
        watcher,
    })
}

/// May Mia (manager) delete a sales record that Ben (her subordinate) owns?
fn mia_deletes_bens_deal(auth: &Authorizer) -> String {
    let (Some(mia), Some(ben), Some(sales)) =
        (auth.user("mia"), auth.user("ben"), auth.module("sales"))
    else {
        return "(the policy has no mia, ben or sales)".to_string();
    };
    let record = Record::owned_by_user(sales, ben);
    let verdict = if auth.can(mia, Action::Delete, &record) {
        "yes"
    } else {
        "no"
    };
    let why = auth.explain(mia, Action::Delete, &record).to_string();
    format!("{verdict} — {why}")
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let path = match std::env::args().nth(1) {
        Some(path) => std::path::PathBuf::from(path),
        None => {
            let path =
                std::env::temp_dir().join(format!("permatrix-instances-{}.db", std::process::id()));
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
            path
        }
    };
    let url = format!("sqlite://{}", path.display());
    println!("policy store: {url}\n");

    // the first start imports the built-in MiniCRM policy
    let setup = PolicyStore::connect(&url, StoreOptions::default()).await?;
    if setup.revision().await? == 0 {
        setup.import(Policy::from_json(POLICY)?, 0).await?;
        println!("imported the MiniCRM policy as revision 1");
    }

    let a = start("A", &url).await?;
    let b = start("B", &url).await?;
    println!(
        "\non B, may Mia delete Ben's deal? {}",
        mia_deletes_bens_deal(&b.live.current())
    );

    // the owner, on instance A, takes the `user` role out from under `manager`
    let revision = a.store.revision().await?;
    let parent = a
        .store
        .load()
        .await?
        .roles
        .get("user")
        .and_then(|r| r.parent.clone());
    let new_parent = if parent.is_some() {
        None
    } else {
        Some("manager")
    };
    println!(
        "\non A, the owner moves role `user` {} (revision {revision} -> {})",
        match new_parent {
            Some(p) => format!("under `{p}`"),
            None => "to the top of the hierarchy".to_string(),
        },
        revision + 1
    );
    let committed = a
        .store
        .commit(Actor::User("owner"), revision, |admin| {
            admin.move_role("user", new_parent)
        })
        .await?;
    let started = Instant::now();
    for instance in [&a, &b] {
        if !instance
            .watcher
            .wait_for(committed.revision, Duration::from_secs(10))
            .await
        {
            return Err(format!("instance {} did not catch up", instance.name).into());
        }
        println!(
            "instance {} serves revision {} after {:?}",
            instance.name,
            committed.revision,
            started.elapsed()
        );
    }
    println!(
        "\non B, may Mia delete Ben's deal? {}",
        mia_deletes_bens_deal(&b.live.current())
    );

    // a second writer still at the old revision is told so, and nothing is written
    let stale = b
        .store
        .commit(Actor::User("owner"), revision, |admin| {
            admin.move_role("user", None)
        })
        .await;
    if let Err(e) = stale {
        println!("\na writer still at revision {revision}: {e}");
    }

    println!("\naudit trail:");
    for record in b.store.audit(&AuditQuery::default()).await? {
        println!(
            "  r{} {} {} {}",
            record.revision,
            record.actor.as_deref().unwrap_or("(host)"),
            record.operation,
            record.target
        );
    }
    let staleness = b.watcher.staleness();
    println!(
        "\nB: revision {}, {} behind, last heard from the database {:?} ago",
        staleness.revision,
        staleness
            .lag()
            .map_or_else(|| "unknown".to_string(), |l| l.to_string()),
        staleness.since_heard
    );
    a.watcher.stop().await;
    b.watcher.stop().await;
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("instances: {e}");
            ExitCode::FAILURE
        }
    }
}
