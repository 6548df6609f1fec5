//! The scaling table of BENCHMARKS.md: for each shape of the CRM workload
//! (`benches/workload`), the document's size, parse and compile times, the authorizer's
//! `memory_usage`, `Authorizer::recompile` after one role's profiles change and after one
//! team gains a member, one administration change (the host adds that member), the peak heap
//! during compile (counting allocator, the policy itself
//! excluded), and the median time of a random `can`. Compile is `Policy::into_authorizer`,
//! which hands the parsed policy over rather than copying it.
//!
//! ```text
//! cargo run --release -p permatrix-suite --example scale             # BENCHMARKS.md's table
//! cargo run --release -p permatrix-suite --example scale -- quick    # up to 100k users
//! cargo run --release -p permatrix-suite --example scale -- 1000000  # one row, 1M users, CRM shape
//! ```

// examples may unwrap and index: a panic is a failed run, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use permatrix_suite::workload;

use std::hint::black_box;
use std::time::{Duration, Instant};

use permatrix::{Authorizer, Policy};
use workload::{Queries, Shape};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let shapes: Vec<Shape> = match args.first().map(String::as_str) {
        None => table(true),
        Some("quick") => table(false),
        Some(_) => args
            .iter()
            .map(|a| Shape::crm(a.parse().expect("a number of users")))
            .collect(),
    };
    println!(
        "| users | roles | teams | depth | document | parse | compile | recompile, one role changed | recompile, one team changed | admin change (add a team member) | peak heap in compile | `memory_usage` | rows | `can` |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for shape in shapes {
        row(shape);
    }
}

/// Users 1k → 1M, then roles, teams and depth each varied on 10k users.
fn table(with_million: bool) -> Vec<Shape> {
    let mut shapes: Vec<Shape> = [1_000, 10_000, 100_000]
        .into_iter()
        .map(Shape::crm)
        .collect();
    if with_million {
        shapes.push(Shape::crm(1_000_000));
    }
    let base = Shape::crm(10_000);
    for roles in [10, 1_000, 10_000] {
        shapes.push(Shape { roles, ..base });
    }
    for teams in [10, 1_000, 10_000] {
        shapes.push(Shape { teams, ..base });
    }
    for depth in [10, 100, 1_000] {
        shapes.push(Shape {
            roles: 1_000,
            depth,
            ..base
        });
    }
    shapes
}

fn row(shape: Shape) {
    let policy = workload::policy(shape);
    let json = policy.to_json().expect("the workload serialises");
    drop(policy);
    let started = Instant::now();
    let mut policy = Policy::from_json(&json).expect("the workload parses");
    let parse = started.elapsed();
    if let Some(bytes) = std::env::var("SCALE_ROW_CACHE")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        policy.set_limits(policy.limits().clone().row_cache_bytes(bytes));
    }
    let mut auth: Option<Authorizer> = None;
    let started = Instant::now();
    let heap = allocation_counter::measure(|| {
        auth = Some(policy.into_authorizer().expect("the workload compiles"));
    });
    let compile = started.elapsed();
    let auth = auth.expect("compiled");
    let queries = Queries::new(&auth, shape, 1 << 16, 1 << 16);
    let allowed = queries
        .queries
        .iter()
        .filter(|q| auth.can(q.user, q.action, &queries.record(&auth, q.record)))
        .count();
    let can = median_ns(&auth, &queries);
    // one role's grants change: role r0 takes role r1's profile instead of its own
    let mut changed = auth.policy().clone();
    if let (Some(role), Some(profile)) =
        (changed.roles.get_mut("r0"), changed.profiles.keys().nth(1))
    {
        role.profiles = vec![profile.clone()];
    }
    let started = Instant::now();
    let recompiled = auth
        .recompile(changed)
        .expect("the changed workload compiles");
    let recompile = started.elapsed();
    drop(recompiled);
    // one team's members change: the last user joins team t0
    let mut changed = auth.policy().clone();
    let last = format!("u{}", shape.users - 1);
    if let Some(team) = changed.teams.get_mut("t0")
        && !team.users.contains(&last)
    {
        team.users.push(last.clone());
    }
    let started = Instant::now();
    let recompiled = auth
        .recompile(changed)
        .expect("the changed workload compiles");
    let recompile_team = started.elapsed();
    drop(recompiled);
    // one administration change, made as the host: the same user joins the same team
    let mut admin_policy = auth.policy().clone();
    let started = Instant::now();
    admin_policy
        .admin_as_host()
        .add_team_member("t0", &last)
        .expect("the host may add a member");
    let admin_change = started.elapsed();
    drop(admin_policy);
    println!(
        "| {} | {} | {} | {} | {:.1} MB | {} | {} | {} | {} | {} | {:.0} MiB | {:.1} MiB | {} | {:.0} ns |",
        shape.users,
        shape.roles,
        shape.teams,
        shape.depth,
        json.len() as f64 / 1e6,
        show(parse),
        show(compile),
        show(recompile),
        show(recompile_team),
        show(admin_change),
        heap.bytes_max as f64 / (1 << 20) as f64,
        auth.memory_usage() as f64 / (1 << 20) as f64,
        auth.matrix_rows(),
        can,
    );
    eprintln!(
        "  ({} of {} queries allowed)",
        allowed,
        queries.queries.len()
    );
}

/// Median over 51 rounds of the mean time of one `can` over every query, records built
/// beforehand so that only the check is timed.
fn median_ns(auth: &Authorizer, queries: &Queries) -> f64 {
    // each query's record with its teams laid out in query order, as a host would have
    // the record it just read at hand
    let teams: Vec<Vec<permatrix::TeamId>> = queries
        .queries
        .iter()
        .map(|q| queries.team_sets[q.record].clone())
        .collect();
    let flat: Vec<permatrix::TeamId> = teams.iter().flatten().copied().collect();
    let mut at = 0;
    let records: Vec<_> = queries
        .queries
        .iter()
        .zip(&teams)
        .map(|(q, t)| {
            let (module, owner) = queries.owners[q.record];
            let r =
                permatrix::Record::owned_by_user(auth.module_at(module).expect("a module"), owner)
                    .with_teams(&flat[at..at + t.len()]);
            at += t.len();
            r
        })
        .collect();
    let mut rounds: Vec<f64> = (0..51)
        .map(|_| {
            let started = Instant::now();
            let mut allowed = 0usize;
            for (q, r) in queries.queries.iter().zip(&records) {
                allowed += usize::from(auth.can(black_box(q.user), q.action, r));
            }
            black_box(allowed);
            started.elapsed().as_nanos() as f64 / queries.queries.len() as f64
        })
        .collect();
    rounds.sort_by(f64::total_cmp);
    rounds[rounds.len() / 2]
}

fn show(d: Duration) -> String {
    if d.as_secs_f64() >= 1.0 {
        format!("{:.2} s", d.as_secs_f64())
    } else {
        format!("{:.0} ms", d.as_secs_f64() * 1e3)
    }
}
