//! Live reload under load: two readers check in a loop while a writer applies over a
//! thousand changes and swaps. Every answer must be the answer of the snapshot its reader
//! held — computed from that same snapshot's own policy and status bits — so no torn
//! state can appear; snapshots never go back in revision. The test ends by itself.

// tests may unwrap and index: a panic is a failed test, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use permatrix::{Action, Authorizer, LiveAuthorizer, Policy, Record};

const CHANGES: usize = 1_200;

fn policy() -> Policy {
    Policy::from_json(
        r#"{"version":1,
        "modules":{"deals":{}},
        "profiles":{"viewer":{"modules":{"deals":{"access":"on","actions":{"view":"all"}}}},
                    "nothing":{}},
        "roles":{"viewer":{"profiles":["viewer"]},"nothing":{"profiles":["nothing"]}},
        "users":{"root":{"admin":"admin"},"bob":{"roles":["viewer"]},"owner":{}}}"#,
    )
    .unwrap()
}

/// What `bob` may do on owner's deal, read off the snapshot's own policy and status bit.
fn expected(snapshot: &Authorizer) -> bool {
    let bob = snapshot.user("bob").unwrap();
    snapshot.user_active(bob) == Ok(true) && snapshot.policy().users["bob"].roles == ["viewer"]
}

#[test]
fn readers_never_see_torn_state() {
    let mut policy = policy();
    let live = Arc::new(LiveAuthorizer::new(policy.compile().unwrap()));
    let done = Arc::new(AtomicBool::new(false));
    let checks = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs(120);

    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (live, done, checks) = (Arc::clone(&live), Arc::clone(&done), Arc::clone(&checks));
            thread::spawn(move || {
                let mut last_revision = 0;
                let mut seen = (0usize, 0usize);
                while !done.load(Ordering::Acquire) && Instant::now() < deadline {
                    let snapshot = live.current();
                    let revision = snapshot.policy().revision();
                    assert!(
                        revision >= last_revision,
                        "a reader went back from r{last_revision} to r{revision}"
                    );
                    last_revision = revision;
                    let (bob, owner) = (
                        snapshot.user("bob").unwrap(),
                        snapshot.user("owner").unwrap(),
                    );
                    let deal = Record::owned_by_user(snapshot.module("deals").unwrap(), owner);
                    let answer = snapshot.can(bob, Action::View, &deal);
                    assert_eq!(answer, expected(&snapshot), "torn state at r{revision}");
                    assert_eq!(snapshot.explain(bob, Action::View, &deal).allowed, answer);
                    if answer {
                        seen.0 += 1
                    } else {
                        seen.1 += 1
                    }
                    checks.fetch_add(1, Ordering::Relaxed);
                }
                seen
            })
        })
        .collect();

    let writer = {
        let live = Arc::clone(&live);
        let done = Arc::clone(&done);
        thread::spawn(move || {
            for i in 0..CHANGES {
                if i % 3 == 0 {
                    // the fast path: (de)activation without a compile, then the policy
                    let active = i % 2 == 0;
                    live.set_active("bob", active);
                    let mut admin = policy.admin("root");
                    if active {
                        admin.activate_user("bob").unwrap()
                    } else {
                        admin.deactivate_user("bob").unwrap()
                    };
                } else {
                    let role = if i % 2 == 0 { "viewer" } else { "nothing" };
                    policy
                        .admin("root")
                        .update_user("bob", |u| u.roles = vec![role.to_string()])
                        .unwrap();
                    live.publish(policy.compile().unwrap());
                }
            }
            done.store(true, Ordering::Release);
            policy.revision()
        })
    };

    let revision = writer.join().unwrap();
    let seen: Vec<(usize, usize)> = readers.into_iter().map(|r| r.join().unwrap()).collect();
    assert!(
        revision >= CHANGES as u64,
        "the writer applied {revision} changes"
    );
    assert!(Instant::now() < deadline, "the test ran out of time");
    let total = checks.load(Ordering::Relaxed);
    assert!(total > 0);
    // both answers were seen, so the readers really ran across swaps
    assert!(
        seen.iter().map(|s| s.0).sum::<usize>() > 0 && seen.iter().map(|s| s.1).sum::<usize>() > 0,
        "{seen:?}"
    );
}
