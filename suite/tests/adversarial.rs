//! Adversarial shapes (issue 7): long chains, wide fan-outs, many roles per user, every
//! user in every team, many rules, big records. Each shape is a document built here; it
//! must either be refused with its specific code and path, or be read, compiled and
//! checked within a time bound and with a peak of heap memory of at most
//! `PEAK_FACTOR × document bytes + PEAK_FLOOR`, measured by a counting allocator.
//!
//! The time bounds are generous (debug build, shared 2-core machine): a shape that went
//! quadratic again would take minutes, not seconds. Run with `--nocapture` to see the
//! figures.

// tests may unwrap and index: a panic is a failed test, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::{Duration, Instant};

use permatrix::{
    Action, Authorizer, ErrorCode, Policy, Record, Share,
    authorizer::PrincipalId,
    policy::{Limits, ShareAccess},
};

/// Peak heap while reading and compiling is at most this many times the document's bytes
/// (plus [`PEAK_FLOOR`]). The policy itself takes most of it: parsed, a document's ids
/// and lists live in maps and vectors several times the size of their JSON, and the
/// authorizer keeps its own copy for explanations.
const PEAK_FACTOR: u64 = 48;
/// Fixed allowance for small documents.
const PEAK_FLOOR: u64 = 32 << 20;

/// What a shape must do.
enum Expect {
    /// Compile, then run the shape's checks; all within `secs`.
    Ok { secs: u64 },
    /// Be refused with this code at this path (under the default limits).
    Refused(ErrorCode, &'static str),
}

struct Shape {
    name: &'static str,
    doc: String,
    limits: Limits,
    expect: Expect,
    /// Checks to run on the compiled authorizer (inside the time and memory bound).
    checks: fn(&Authorizer),
}

fn no_checks(_: &Authorizer) {}

/// Joins `n` items built by `item` with commas.
fn list(n: usize, item: impl Fn(usize) -> String) -> String {
    let mut s = String::new();
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&item(i));
    }
    s
}

fn chain_of_roles(n: usize) -> String {
    list(n, |i| match i {
        0 => r#""r0":{"profiles":["p"]}"#.to_string(),
        _ => format!(r#""r{i}":{{"parent":"r{}","profiles":["p"]}}"#, i - 1),
    })
}

const DEALS: &str = r#""modules":{"deals":{}},"profiles":{"p":{"modules":{"deals":{"access":"on","actions":{"view":"role","list":"team","edit":"owner"}}}}}"#;

fn shapes() -> Vec<Shape> {
    let deep = Limits::new().depth(1 << 20);
    vec![
        Shape {
            name: "role chain of 30k (depth limit raised)",
            doc: format!(
                r#"{{"version":1,{DEALS},"roles":{{{}}},"users":{{"top":{{"roles":["r0"]}},"low":{{"roles":["r29999"]}}}}}}"#,
                chain_of_roles(30_000)
            ),
            limits: deep.clone(),
            expect: Expect::Ok { secs: 20 },
            checks: |auth| {
                let (top, low, deals) = ids(auth, "top", "low");
                // the top of the chain is the superior of its bottom, not the other way
                assert!(auth.can(top, Action::Edit, &Record::owned_by_user(deals, low)));
                assert!(!auth.can(low, Action::Edit, &Record::owned_by_user(deals, top)));
            },
        },
        Shape {
            name: "role chain of 30k (default limits)",
            doc: format!(
                r#"{{"version":1,"profiles":{{"p":{{}}}},"roles":{{{}}}}}"#,
                chain_of_roles(30_000)
            ),
            limits: Limits::new(),
            expect: Expect::Refused(ErrorCode::LimitExceeded, "roles.r1000.parent"),
            checks: no_checks,
        },
        Shape {
            name: "one user holding every role of a 20k chain",
            doc: format!(
                r#"{{"version":1,{DEALS},"roles":{{{}}},"users":{{"all":{{"roles":[{}]}},"other":{{"roles":["r19999"]}}}}}}"#,
                chain_of_roles(20_000),
                list(20_000, |i| format!(r#""r{i}""#))
            ),
            limits: deep.clone(),
            expect: Expect::Ok { secs: 20 },
            checks: |auth| {
                let (all, other, deals) = ids(auth, "all", "other");
                for action in [Action::List, Action::View, Action::Edit] {
                    let f = auth.filter(all, action, deals);
                    let r = Record::owned_by_user(deals, other);
                    assert_eq!(f.matches(&r), auth.can(all, action, &r));
                    let _ = auth.explain(all, action, &r).to_string();
                }
            },
        },
        Shape {
            name: "two users with 10k flat roles each",
            doc: format!(
                r#"{{"version":1,{DEALS},"roles":{{{}}},"users":{{"a":{{"roles":[{}]}},"b":{{"roles":[{}]}}}}}}"#,
                list(20_000, |i| format!(r#""r{i}":{{"profiles":["p"]}}"#)),
                list(10_000, |i| format!(r#""r{i}""#)),
                list(10_000, |i| format!(r#""r{}""#, i + 10_000))
            ),
            limits: Limits::new(),
            expect: Expect::Ok { secs: 20 },
            checks: |auth| {
                let (a, b, deals) = ids(auth, "a", "b");
                let r = Record::owned_by_user(deals, b);
                let start = Instant::now();
                for _ in 0..1_000 {
                    assert!(!auth.can(a, Action::View, &r));
                }
                // 1,000 checks, each once O(roles²) = 10⁸ steps
                assert!(
                    start.elapsed() < Duration::from_secs(5),
                    "{:?}",
                    start.elapsed()
                );
            },
        },
        Shape {
            name: "20k chained teams, each taking one role's 20k users",
            doc: format!(
                r#"{{"version":1,{DEALS},"roles":{{"r":{{"profiles":["p"]}}}},"teams":{{{}}},"users":{{{}}}}}"#,
                list(20_000, |i| match i {
                    0 => r#""t0":{"roles":["r"]}"#.to_string(),
                    _ => format!(r#""t{i}":{{"teams":["t{}"],"roles":["r"]}}"#, i - 1),
                }),
                list(20_000, |i| format!(r#""u{i}":{{"roles":["r"]}}"#))
            ),
            limits: deep.clone(),
            expect: Expect::Ok { secs: 30 },
            checks: |auth| {
                let (a, b, deals) = ids(auth, "u0", "u19999");
                let t = [auth.team("t19999").unwrap()];
                assert!(auth.can(
                    a,
                    Action::List,
                    &Record::owned_by_user(deals, b).with_teams(&t)
                ));
                assert_eq!(auth.teams_of(a).map_or(0, |t| t.len()), 20_000);
            },
        },
        Shape {
            name: "900 chained teams with a user of its own each (half a million memberships)",
            doc: format!(
                r#"{{"version":1,{DEALS},"teams":{{{}}},"users":{{{}}}}}"#,
                list(900, |i| match i {
                    0 => r#""t0":{"users":["u0"]}"#.to_string(),
                    _ => format!(r#""t{i}":{{"teams":["t{}"],"users":["u{i}"]}}"#, i - 1),
                }),
                list(900, |i| format!(r#""u{i}":{{}}"#))
            ),
            limits: Limits::new(),
            expect: Expect::Ok { secs: 20 },
            checks: |auth| {
                let (first, last, _) = ids(auth, "u0", "u899");
                assert_eq!(auth.teams_of(first).map_or(0, |t| t.len()), 900);
                assert_eq!(auth.teams_of(last).map_or(0, |t| t.len()), 1);
            },
        },
        Shape {
            name: "20k chained teams with a user of its own each (depth limit raised)",
            doc: format!(
                r#"{{"version":1,"teams":{{{}}},"users":{{{}}}}}"#,
                list(20_000, |i| match i {
                    0 => r#""t0":{"users":["u0"]}"#.to_string(),
                    _ => format!(r#""t{i}":{{"teams":["t{}"],"users":["u{i}"]}}"#, i - 1),
                }),
                list(20_000, |i| format!(r#""u{i}":{{}}"#))
            ),
            limits: deep.clone(),
            // 2·10⁸ memberships from a 0.7 MB document: past the membership budget
            expect: Expect::Refused(ErrorCode::LimitExceeded, "teams"),
            checks: no_checks,
        },
        Shape {
            name: "every one of 2k users in every one of 2k teams, by role subtree",
            doc: format!(
                r#"{{"version":1,"profiles":{{"p":{{}}}},"roles":{{"top":{{"profiles":["p"]}},{}}},"teams":{{{}}},"users":{{{}}}}}"#,
                list(2_000, |i| format!(
                    r#""r{i}":{{"parent":"top","profiles":["p"]}}"#
                )),
                list(2_000, |i| format!(
                    r#""t{i}":{{"roles_and_subordinates":["top"]}}"#
                )),
                list(2_000, |i| format!(r#""u{i}":{{"roles":["r{i}"]}}"#))
            ),
            limits: Limits::new(),
            // 4·10⁶ memberships that 2k users with distinct roles cannot share
            expect: Expect::Refused(ErrorCode::LimitExceeded, "teams"),
            checks: no_checks,
        },
        Shape {
            name: "every one of 300 users in every one of 300 teams, listed",
            doc: format!(
                r#"{{"version":1,{DEALS},"teams":{{{}}},"users":{{{}}}}}"#,
                list(300, |i| format!(
                    r#""t{i}":{{"users":[{}]}}"#,
                    list(300, |u| format!(r#""u{u}""#))
                )),
                list(300, |i| format!(r#""u{i}":{{}}"#))
            ),
            limits: Limits::new(),
            expect: Expect::Ok { secs: 20 },
            checks: |auth| {
                let (a, _, _) = ids(auth, "u0", "u299");
                assert_eq!(auth.teams_of(a).map_or(0, |t| t.len()), 300);
            },
        },
        Shape {
            name: "200k users in 200k teams, one each",
            doc: format!(
                r#"{{"version":1,"teams":{{{}}},"users":{{{}}}}}"#,
                list(200_000, |i| format!(r#""t{i}":{{"users":["u{i}"]}}"#)),
                list(200_000, |i| format!(r#""u{i}":{{}}"#))
            ),
            limits: Limits::new(),
            expect: Expect::Ok { secs: 60 },
            checks: no_checks,
        },
        Shape {
            name: "one team nesting 50k teams (wide fan-out)",
            doc: format!(
                r#"{{"version":1,{DEALS},"teams":{{"all":{{"teams":[{}]}},{}}},"users":{{{}}}}}"#,
                list(50_000, |i| format!(r#""t{i}""#)),
                list(50_000, |i| format!(r#""t{i}":{{"users":["u{i}"]}}"#)),
                list(50_000, |i| format!(r#""u{i}":{{}}"#))
            ),
            limits: Limits::new(),
            expect: Expect::Ok { secs: 30 },
            checks: |auth| {
                let (a, _, _) = ids(auth, "u0", "u1");
                assert_eq!(auth.teams_of(a).map_or(0, |t| t.len()), 2);
            },
        },
        Shape {
            name: "50k sharing rules on one module",
            doc: format!(
                r#"{{"version":1,{DEALS},"roles":{{"r":{{"profiles":["p"]}}}},"users":{{"a":{{"roles":["r"]}},"b":{{}},{}}},"sharing_rules":[{}]}}"#,
                list(1_000, |i| format!(r#""x{i}":{{}}"#)),
                list(50_000, |i| format!(
                    r#"{{"module":"deals","from":{{"user":"x{}"}},"to":{{"user":"a"}},"access":"read"}}"#,
                    i % 1_000
                ))
            ),
            limits: Limits::new(),
            expect: Expect::Ok { secs: 30 },
            checks: |auth| {
                let (a, b, deals) = ids(auth, "a", "b");
                let r = Record::owned_by_user(deals, b);
                for _ in 0..20 {
                    assert!(!auth.can(a, Action::View, &r)); // every rule looked at, none matches
                }
                let f = auth.filter(a, Action::View, deals);
                assert!(!f.matches(&r));
            },
        },
        Shape {
            name: "a record with 100k teams and 100k shares",
            doc: format!(
                r#"{{"version":1,{DEALS},"roles":{{"r":{{"profiles":["p"]}}}},"teams":{{{}}},"users":{{"a":{{"roles":["r"]}},"b":{{}}}}}}"#,
                list(1_000, |i| format!(r#""t{i}":{{}}"#))
            ),
            limits: Limits::new(),
            expect: Expect::Ok { secs: 20 },
            checks: |auth| {
                let (a, b, deals) = ids(auth, "a", "b");
                let teams: Vec<_> = (0..100_000)
                    .map(|i| auth.team_at(i % 1_000).unwrap())
                    .collect();
                let shares: Vec<_> = (0..100_000)
                    .map(|i| Share {
                        to: PrincipalId::Team(auth.team_at(i % 1_000).unwrap()),
                        access: ShareAccess::Full,
                    })
                    .collect();
                let r = Record::owned_by_user(deals, b)
                    .with_teams(&teams)
                    .with_shares(&shares);
                assert!(!auth.can(a, Action::Delete, &r));
                assert!(!auth.explain(a, Action::Delete, &r).allowed);
                assert!(!auth.filter(a, Action::Delete, deals).matches(&r));
            },
        },
        Shape {
            // the rows are joins of 200 shared role tables, not 20k tables of their own
            name: "2k modules × 20k distinct role pairs",
            doc: format!(
                r#"{{"version":1,"modules":{{{}}},"profiles":{{"p":{{"view_all":true}}}},"roles":{{{}}},"users":{{{}}}}}"#,
                list(2_000, |i| format!(r#""m{i}":{{}}"#)),
                list(200, |i| format!(r#""r{i}":{{"profiles":["p"]}}"#)),
                // two different roles each, a different pair for every user
                list(20_000, |i| format!(
                    r#""u{i}":{{"roles":["r{}","r{}"]}}"#,
                    i % 200,
                    (i % 200 + 1 + i / 200) % 200
                ))
            ),
            limits: Limits::new(),
            expect: Expect::Ok { secs: 20 },
            checks: |auth| {
                let u = auth.user("u19999").unwrap();
                let m = auth.module("m1999").unwrap();
                let other = auth.user("u0").unwrap();
                let r = Record::owned_by_user(m, other);
                assert!(auth.can(u, Action::View, &r));
                assert!(!auth.can(u, Action::Edit, &r));
                assert_eq!(auth.explain(u, Action::View, &r).sources.len(), 2);
            },
        },
        Shape {
            name: "20k distinct roles × 2k modules (matrix budget)",
            doc: format!(
                r#"{{"version":1,"modules":{{{}}},"profiles":{{"p":{{"view_all":true}}}},"roles":{{{}}},"users":{{{}}}}}"#,
                list(2_000, |i| format!(r#""m{i}":{{}}"#)),
                list(20_000, |i| format!(r#""r{i}":{{"profiles":["p"]}}"#)),
                list(20_000, |i| format!(r#""u{i}":{{"roles":["r{i}"]}}"#))
            ),
            limits: Limits::new(),
            expect: Expect::Refused(ErrorCode::LimitExceeded, "users"),
            checks: no_checks,
        },
        Shape {
            name: "a document past the byte limit",
            doc: format!(
                r#"{{"version":1,"users":{{{}}}}}"#,
                list(20_000, |i| format!(r#""u{i}":{{}}"#))
            ),
            limits: Limits::new().document_bytes(100_000),
            expect: Expect::Refused(ErrorCode::LimitExceeded, ""),
            checks: no_checks,
        },
        Shape {
            name: "more users than the limit",
            doc: format!(
                r#"{{"version":1,"users":{{{}}}}}"#,
                list(2_000, |i| format!(r#""u{i}":{{}}"#))
            ),
            limits: Limits::new().users(1_000),
            expect: Expect::Refused(ErrorCode::LimitExceeded, "users"),
            checks: no_checks,
        },
        Shape {
            name: "arrays nested 100k deep",
            doc: format!(
                r#"{{"version":1,"users":{}{}}}"#,
                "[".repeat(100_000),
                "]".repeat(100_000)
            ),
            limits: Limits::new(),
            expect: Expect::Refused(ErrorCode::Malformed, "users"),
            checks: no_checks,
        },
    ]
}

fn ids(
    auth: &Authorizer,
    a: &str,
    b: &str,
) -> (permatrix::UserId, permatrix::UserId, permatrix::ModuleId) {
    (
        auth.user(a).unwrap(),
        auth.user(b).unwrap(),
        auth.module("deals").unwrap(),
    )
}

#[test]
fn every_shape_is_refused_or_bounded() {
    let mut failures = Vec::new();
    for shape in shapes() {
        let bytes = shape.doc.len() as u64;
        let start = Instant::now();
        let mut outcome: Result<(), permatrix::PolicyError> = Ok(());
        let memory = allocation_counter::measure(|| {
            outcome = Policy::from_json_with_limits(&shape.doc, &shape.limits)
                .and_then(|p| p.compile())
                .map(|auth| (shape.checks)(&auth));
        });
        let took = start.elapsed();
        let peak = memory.bytes_max;
        let bound = PEAK_FACTOR * bytes + PEAK_FLOOR;
        println!(
            "{:<70} {:>9} B doc  {:>8.1} ms  peak {:>11} B ({:.1}× doc)",
            shape.name,
            bytes,
            took.as_secs_f64() * 1e3,
            peak,
            peak as f64 / bytes as f64
        );
        if peak > bound {
            failures.push(format!("{}: peak {peak} B > {bound} B", shape.name));
        }
        match (shape.expect, outcome) {
            (Expect::Ok { secs }, Ok(())) => {
                if took > Duration::from_secs(secs) {
                    failures.push(format!("{}: took {took:?}, bound {secs} s", shape.name));
                }
            }
            (Expect::Refused(code, path), Err(e)) => {
                if (e.code(), e.path()) != (code, path) {
                    failures.push(format!(
                        "{}: refused with {} at `{}`, expected {code} at `{path}`",
                        shape.name,
                        e.code(),
                        e.path()
                    ));
                }
                if took > Duration::from_secs(10) {
                    failures.push(format!("{}: took {took:?} to refuse", shape.name));
                }
            }
            (Expect::Ok { .. }, Err(e)) => failures.push(format!("{}: refused: {e}", shape.name)),
            (Expect::Refused(code, _), Ok(())) => {
                failures.push(format!("{}: accepted, expected {code}", shape.name))
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Compile kept one cached grant per (source role, module) and computed one per
/// (matrix row, source, module); neither was held to a budget (the matrix budget counted
/// rows x modules only). One user with T flat roles and M empty modules: a document of
/// ~45 kB cost T x M = 1 million cached grants and 281 MB.
#[test]
fn many_roles_times_many_modules_compile_within_bounds() {
    let (t, m) = (1_000, 1_000);
    let list = |n: usize, f: &dyn Fn(usize) -> String| (0..n).map(f).collect::<Vec<_>>().join(",");
    let doc = format!(
        r#"{{"version":1,"modules":{{{}}},"profiles":{{"p":{{}}}},"roles":{{{}}},"users":{{"u":{{"roles":[{}]}}}}}}"#,
        list(m, &|i| format!(r#""m{i}":{{}}"#)),
        list(t, &|i| format!(r#""r{i}":{{"profiles":["p"]}}"#)),
        list(t, &|i| format!(r#""r{i}""#)),
    );
    let bytes = doc.len() as u64;
    let start = std::time::Instant::now();
    let mut outcome = None;
    let memory = allocation_counter::measure(|| {
        outcome = Some(Policy::from_json(&doc).unwrap().compile().map(drop));
    });
    let took = start.elapsed();
    let peak = memory.bytes_max;
    println!(
        "doc {bytes} B, compile {took:?}, peak heap {peak} B ({}x doc)",
        peak / bytes
    );
    // the matrix keeps one table per source role (1,000 x 1,000 modules x 9 bytes), which
    // its budget admits, and no longer one grant per (row, source, module)
    assert!(outcome.unwrap().is_ok(), "refused");
    assert!(took < std::time::Duration::from_secs(60), "took {took:?}");
    // tests/adversarial.rs holds every shape to 48 x document bytes + 32 MiB
    assert!(
        peak <= 48 * bytes + (32 << 20),
        "peak {peak} B for a {bytes} B document"
    );
}
