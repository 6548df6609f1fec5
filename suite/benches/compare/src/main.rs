//! permatrix side by side with casbin-rs and cedar-policy on one CRM workload (issue 8,
//! item 3). One run builds each engine, verifies every engine against permatrix query by
//! query, then times the query loop and prints one Markdown table. README.md beside
//! Cargo.toml describes the encodings; `-- --dump DIR` writes them out for the small size.

mod casbin_side;
mod cedar_side;
mod dump;
mod permatrix_side;
mod queries;
mod report;
mod timing;
mod workload;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use casbin_side::CasbinSide;
use cedar_side::CedarSide;
use permatrix_side::PermatrixSide;
use report::{Row, SizeNotes};
use timing::{Checker, Verified};
use workload::{Shape, Workload, names};

const QUERIES: usize = 100_000;
/// Timed passes per engine, at least; the median is reported. A fast engine gets more
/// passes (up to [`MAX_ROUNDS`]) within [`ROUND_BUDGET`] in all, so that a moment of
/// other work on a shared machine cannot move its median.
pub const ROUNDS: usize = 7;
pub const MAX_ROUNDS: usize = 51;
/// An engine is verified on every query unless that would take longer than this; then
/// on as many (whole hundreds) as fit, and it is timed on those only.
const VERIFY_BUDGET: Duration = Duration::from_secs(45);
/// A timed pass of a slow engine is cut to about this long, so that the run stays
/// within minutes; fast engines run all verified queries in every pass.
pub const ROUND_BUDGET: Duration = Duration::from_secs(3);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, dir] = args.as_slice()
        && flag == "--dump"
    {
        return match dump::dump(std::path::Path::new(dir)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let load_before = report::load_average();
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    for shape in [Shape::SMALL, Shape::LARGE] {
        match run(shape) {
            Ok((r, n)) => {
                rows.extend(r);
                notes.push(n);
            }
            Err(e) => {
                eprintln!("error, {} size: {e}", shape.name);
                return ExitCode::FAILURE;
            }
        }
    }
    let load = (load_before, report::load_average());
    print!("{}", report::render(&rows, &notes, load));
    ExitCode::SUCCESS
}

/// Progress goes to stderr; stdout carries only the report.
fn progress(shape: Shape, what: &str, started: Instant) {
    eprintln!("[{}] {what} in {:.1?}", shape.name, started.elapsed());
}

/// Builds, verifies and times every engine on one size.
fn run(shape: Shape) -> Result<(Vec<Row>, SizeNotes), String> {
    let started = Instant::now();
    let w = Workload::generate(shape);
    let mut pm = PermatrixSide::build(&w);
    progress(shape, "workload generated, permatrix compiled", started);

    let started = Instant::now();
    let queries = queries::generate(&w, QUERIES, |q| pm.decide(q));
    let expected: Vec<bool> = queries.iter().map(|q| pm.decide(q)).collect();
    let mut notes = SizeNotes {
        shape,
        grants: w.grants.len(),
        allowed: expected.iter().filter(|a| **a).count(),
        queries: queries.len(),
        reasons: pm.reasons(&queries),
        setup: Vec::new(),
        cedar_policies: (0, 0),
    };
    progress(shape, "queries generated", started);

    use casbin_side::Encoding as Casbin;
    use cedar_side::Encoding as Cedar;
    let mut casbin_plain = built(&mut notes, "casbin straightforward", || {
        CasbinSide::build(&w, Casbin::Straightforward)
    })?;
    let mut casbin_expert = built(&mut notes, "casbin expert", || {
        CasbinSide::build(&w, Casbin::Expert)
    })?;
    let mut cedar_plain = built(&mut notes, "cedar straightforward", || {
        CedarSide::build(&w, Cedar::Straightforward)
    })?;
    let mut cedar_expert = built(&mut notes, "cedar expert", || {
        CedarSide::build(&w, Cedar::Expert)
    })?;
    notes.cedar_policies = (cedar_plain.policy_count(), cedar_expert.policy_count());

    pm.prepare(&w, &queries);
    casbin_plain.prepare(&w, &queries);
    casbin_expert.prepare(&w, &queries);
    cedar_plain.prepare(&w, &queries);
    cedar_expert.prepare(&w, &queries);

    // Verify everything before timing anything: a disagreement aborts the run.
    let describe = |i: usize| {
        let q = &queries[i];
        let r = &w.records[q.record];
        let teams: Vec<String> = r.teams.iter().map(|&t| names::team(t)).collect();
        format!(
            "{} {} {} of {} owned by {} in teams {}",
            names::user(q.user),
            q.act.name(),
            names::record(q.record),
            names::module(r.module),
            names::user(r.owner),
            teams.join(",")
        )
    };
    let engines: [(&str, &dyn Checker); 5] = [
        ("permatrix", &pm),
        ("casbin-rs, straightforward", &casbin_plain),
        ("casbin-rs, expert", &casbin_expert),
        ("cedar-policy, straightforward", &cedar_plain),
        ("cedar-policy, expert", &cedar_expert),
    ];
    let mut verified = Vec::new();
    for (name, engine) in engines {
        let started = Instant::now();
        let v = timing::verify(engine, &expected, VERIFY_BUDGET, describe)
            .map_err(|e| format!("{name} disagrees with permatrix on {e}"))?;
        progress(
            shape,
            &format!("{name} agrees on {} queries", v.queries),
            started,
        );
        verified.push((name, plan(&v), v.queries));
    }

    // Timing is generic over each engine's type: no dynamic dispatch in the loop.
    let started = Instant::now();
    let (count, rounds) = (|i: usize| verified[i].1.0, |i: usize| verified[i].1.1);
    let times = [
        timing::time(&pm, count(0), rounds(0)),
        timing::time(&casbin_plain, count(1), rounds(1)),
        timing::time(&casbin_expert, count(2), rounds(2)),
        timing::time(&cedar_plain, count(3), rounds(3)),
        timing::time(&cedar_expert, count(4), rounds(4)),
    ];
    progress(shape, "timed", started);
    let rows = verified
        .iter()
        .zip(times)
        .map(|(&(name, (n, _), checked), ns)| Row::new(shape, name, (n, checked), ns, times[0]))
        .collect();
    Ok((rows, notes))
}

/// Builds one engine, noting how long its setup took (never part of the timing).
fn built<T, E: std::fmt::Display>(
    notes: &mut SizeNotes,
    name: &str,
    build: impl FnOnce() -> Result<T, E>,
) -> Result<T, String> {
    let started = Instant::now();
    let engine = build().map_err(|e| format!("{name}: {e}"))?;
    notes.setup.push((name.to_string(), started.elapsed()));
    progress(notes.shape, &format!("{name} built"), started);
    Ok(engine)
}

/// How many queries to time and in how many passes: all verified queries, or for a
/// slow engine the first hundreds that fit a pass of [`ROUND_BUDGET`]; and as many
/// passes as fit that budget again, within [`ROUNDS`]..=[`MAX_ROUNDS`].
fn plan(v: &Verified) -> (usize, usize) {
    let per_check = v.estimate.as_nanos().max(1);
    let fit = (ROUND_BUDGET.as_nanos() / per_check) as usize / 100 * 100;
    let count = v.queries.min(fit.max(100));
    let pass = (per_check * count as u128).max(1);
    let rounds = (ROUND_BUDGET.as_nanos() / pass) as usize;
    (count, rounds.clamp(ROUNDS, MAX_ROUNDS))
}
