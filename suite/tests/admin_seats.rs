//! The administrator seat register under load: many threads sign in and out at once, and
//! no more seats than the limit are ever held, none twice, none lost.

// tests may unwrap and index: a panic is a failed test, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use permatrix::{
    ErrorCode, Policy,
    seats::{AdminSeats, SeatTaken},
};

const THREADS: usize = 8;
const ROUNDS: usize = 400;
const LIMIT: u64 = 3;

#[test]
fn seats_hold_under_contention() {
    let mut users = serde_json::Map::new();
    for i in 0..THREADS {
        let level = if i % 2 == 0 {
            "admin"
        } else {
            "customer_admin"
        };
        users.insert(format!("a{i}"), serde_json::json!({ "admin": level }));
    }
    users.insert("clerk".into(), serde_json::json!({}));
    let doc = serde_json::json!({
        "version": 1,
        "settings": { "max_admin_sessions": LIMIT },
        "users": users,
    });
    let auth = Arc::new(
        Policy::from_json(&doc.to_string())
            .unwrap()
            .compile()
            .unwrap(),
    );
    let seats = Arc::new(AdminSeats::for_policy(auth.policy()));
    let (taken, evicted, released, refused) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
    );
    let start = Arc::new(std::sync::Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|i| {
            let (auth, seats, start) = (Arc::clone(&auth), Arc::clone(&seats), Arc::clone(&start));
            let (taken, evicted, released, refused) = (
                Arc::clone(&taken),
                Arc::clone(&evicted),
                Arc::clone(&released),
                Arc::clone(&refused),
            );
            std::thread::spawn(move || {
                let me = auth.user(&format!("a{i}")).unwrap();
                let clerk = auth.user("clerk").unwrap();
                start.wait();
                for round in 0..ROUNDS {
                    std::thread::yield_now();
                    assert_eq!(seats.sign_in(&auth, clerk), Ok(SeatTaken::NotNeeded));
                    let outcome = if round % 5 == 0 {
                        seats.sign_in_forced(&auth, me).map(|(t, out)| {
                            if out.is_some() {
                                evicted.fetch_add(1, Ordering::SeqCst);
                            }
                            t
                        })
                    } else {
                        seats.sign_in(&auth, me)
                    };
                    match outcome {
                        Ok(SeatTaken::Taken) => {
                            taken.fetch_add(1, Ordering::SeqCst);
                        }
                        // still holding the seat from an earlier round
                        Ok(SeatTaken::AlreadyHeld) => {}
                        Ok(other) => panic!("a{i}: unexpected {other}"),
                        Err(e) if e.code() == ErrorCode::SeatsTaken => {
                            assert_eq!(e.holders().len() as u64, LIMIT, "refused below the limit");
                            refused.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(e) => panic!("a{i}: {e}"),
                    }
                    let now = seats.holders();
                    assert!(
                        now.len() as u64 <= LIMIT,
                        "{} seats held: {now:?}",
                        now.len()
                    );
                    let unique: HashSet<&String> = now.iter().collect();
                    assert_eq!(unique.len(), now.len(), "a seat held twice: {now:?}");
                    // hold the seat for a few rounds, so that the seats fill up
                    if round % 10 == 9 && seats.sign_out(&format!("a{i}")) {
                        released.fetch_add(1, Ordering::SeqCst);
                    }
                }
                if seats.sign_out(&format!("a{i}")) {
                    released.fetch_add(1, Ordering::SeqCst);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert!(
        seats.holders().is_empty(),
        "left over: {:?}",
        seats.holders()
    );
    let (taken, evicted, released) = (
        taken.load(Ordering::SeqCst),
        evicted.load(Ordering::SeqCst),
        released.load(Ordering::SeqCst),
    );
    // every seat taken was given back once, by its holder or by a forced sign-in
    assert_eq!(
        taken,
        evicted + released,
        "taken {taken}, evicted {evicted}, released {released}"
    );
    // each thread takes a seat at least every ten rounds unless refused, so even a run
    // the scheduler serialises takes THREADS × ROUNDS / 10; half of that is the floor
    assert!(
        taken >= THREADS * ROUNDS / 20,
        "the run took too few seats to prove anything: {taken}"
    );
    // how often the limit was met depends on the scheduler; the deterministic test below
    // refuses for certain
    eprintln!(
        "seats: {taken} taken, {evicted} forced out, {released} released, {} refused",
        refused.load(Ordering::SeqCst)
    );
}

#[test]
fn refusals_forced_sign_ins_and_no_limit() {
    let auth = Policy::from_json(
        r#"{"version":1,"settings":{"max_admin_sessions":2},
        "users":{"a":{"admin":"admin"},"b":{"admin":"customer_admin"},"c":{"admin":"admin"},
                 "su":{"admin":"superuser"},"t":{}},
        "teams":{"ops":{"users":["t"],"admin":"admin"}}}"#,
    )
    .unwrap()
    .compile()
    .unwrap();
    let id = |n: &str| auth.user(n).unwrap();
    let seats = AdminSeats::for_policy(auth.policy());
    assert_eq!(seats.sign_in(&auth, id("a")), Ok(SeatTaken::Taken));
    assert_eq!(seats.sign_in(&auth, id("a")), Ok(SeatTaken::AlreadyHeld));
    // a level conferred by a team counts too
    assert_eq!(seats.sign_in(&auth, id("t")), Ok(SeatTaken::Taken));
    assert_eq!(seats.sign_in(&auth, id("su")), Ok(SeatTaken::NotNeeded));
    let refused = seats.sign_in(&auth, id("b")).unwrap_err();
    assert_eq!(refused.holders(), ["a", "t"]);
    assert_eq!(refused.code(), "seats_taken");
    assert_eq!(
        seats.sign_in_forced(&auth, id("b")),
        Ok((SeatTaken::Taken, Some("a".to_string())))
    );
    assert_eq!(
        seats.sign_in_forced(&auth, id("c")),
        Ok((SeatTaken::Taken, Some("t".to_string())))
    );
    assert_eq!(seats.holders(), ["b", "c"]);
    assert!(seats.sign_out("b") && !seats.sign_out("b"));
    assert_eq!(seats.sign_in(&auth, id("a")), Ok(SeatTaken::Taken));
    let stale = auth.policy().compile().unwrap().user("a").unwrap();
    assert_eq!(
        seats.sign_in(&auth, stale).unwrap_err().code(),
        ErrorCode::StaleId
    );

    // no limit: every administrator takes a seat, nobody is refused
    let open = AdminSeats::new(None);
    for n in ["a", "b", "c", "t"] {
        assert_eq!(open.sign_in(&auth, id(n)), Ok(SeatTaken::Taken));
    }
    assert_eq!(open.holders().len(), 4);
    // no seat at all: even a forced sign-in is refused
    let none = AdminSeats::new(Some(0));
    assert!(none.sign_in_forced(&auth, id("a")).is_err());
}

/// SPEC §12: only a user whose sign-in succeeds takes a seat. An inactive administrator,
/// a system account with an administrator level, or one without the active team sign-in
/// requires are refused with that reason, forced or not, and the holder keeps the seat.
#[test]
fn users_who_may_not_sign_in_take_no_seat_and_evict_no_one() {
    let auth = Policy::from_json(
        r#"{"version":1,"settings":{"max_admin_sessions":1,"login_requires_active_team":true},
        "users":{"root":{"admin":"admin"},"gone":{"admin":"admin","status":"inactive"},
                 "shop":{"admin":"customer_admin","kind":"system"},
                 "loner":{"admin":"admin"},"clerk":{"status":"invited"}},
        "teams":{"ops":{"users":["root","gone","shop"]}}}"#,
    )
    .unwrap()
    .compile()
    .unwrap();
    let id = |n: &str| auth.user(n).unwrap();
    let seats = AdminSeats::for_policy(auth.policy());
    assert_eq!(seats.sign_in(&auth, id("root")), Ok(SeatTaken::Taken));
    for (user, code) in [
        ("gone", "not_active"),
        ("shop", "system_account"),
        ("loner", "no_active_team"),
        ("clerk", "not_active"),
    ] {
        let plain = seats.sign_in(&auth, id(user)).unwrap_err();
        assert_eq!(plain.code(), code, "{user}");
        // the sign-in's refusal is the source, and the message says so
        assert!(std::error::Error::source(&plain).is_some(), "{user}");
        assert!(
            plain.to_string().starts_with("sign-in refused: "),
            "{plain}"
        );
        let forced = seats.sign_in_forced(&auth, id(user)).unwrap_err();
        assert_eq!(forced.code(), code, "{user}, forced");
        assert!(forced.holders().is_empty());
        assert_eq!(seats.holders(), ["root"], "{user} evicted the holder");
    }
    assert!(
        seats
            .sign_in(&auth, id("shop"))
            .unwrap_err()
            .to_string()
            .contains("system accounts do not sign in")
    );
}
