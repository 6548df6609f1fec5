//! The one Markdown report a run prints: the table, then what it was measured on.

use std::time::Duration;

use crate::workload::Shape;

/// One line of the table.
pub struct Row {
    size: &'static str,
    engine: &'static str,
    queries: usize,
    verified: usize,
    ns: f64,
    ratio: f64,
}

impl Row {
    /// `queries` timed of `verified` checked against permatrix.
    pub fn new(
        shape: Shape,
        engine: &'static str,
        (queries, verified): (usize, usize),
        ns: f64,
        permatrix_ns: f64,
    ) -> Row {
        Row {
            size: shape.name,
            engine,
            queries,
            verified,
            ns,
            ratio: ns / permatrix_ns,
        }
    }
}

/// What a reader needs to judge one size's rows.
pub struct SizeNotes {
    pub shape: Shape,
    pub grants: usize,
    pub queries: usize,
    pub allowed: usize,
    /// How permatrix allowed the allowed queries, most frequent first.
    pub reasons: Vec<(String, usize)>,
    pub setup: Vec<(String, Duration)>,
    /// Cedar policies in the straightforward and the expert encoding.
    pub cedar_policies: (usize, usize),
}

/// The command that produces this report, from the crate's root.
pub const COMMAND: &str = "CARGO_TARGET_DIR=suite/benches/compare/target cargo run --release -j 1 --manifest-path suite/benches/compare/Cargo.toml";

/// `load` is the 1-minute load average before and after the run, where Linux tells it.
pub fn render(rows: &[Row], notes: &[SizeNotes], load: (Option<f64>, Option<f64>)) -> String {
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line("## permatrix, casbin-rs and cedar-policy on one CRM workload".into());
    line(String::new());
    line("| size | engine, encoding | queries timed | ns per check | ratio to permatrix |".into());
    line("|---|---|--:|--:|--:|".into());
    for r in rows {
        line(format!(
            "| {} | {} | {} | {} | {} |",
            r.size,
            r.engine,
            thousands(r.queries as f64),
            number(r.ns),
            number(r.ratio)
        ));
    }
    line(String::new());
    let load = match load {
        (Some(before), Some(after)) => {
            format!(
                "; 1-minute load average {before:.2} before the run, {after:.2} after (other work on the machine shows here)"
            )
        }
        _ => String::new(),
    };
    line(format!("- machine: {}{load}", machine()));
    line(format!("- versions: {}", versions()));
    line(format!("- command (from the crate's root): `{COMMAND}`"));
    let all = notes.first().map_or(0, |n| n.queries);
    line(format!(
        "- ns per check: median of {}–{} timed passes (more for faster engines) over the query \
         loop alone; engines and requests are built before. A pass of a slow engine covers only \
         the first queries that fit about {:?} (the column \"queries timed\"). Ratio = engine ns \
         / permatrix ns on the same size; permatrix always runs all {} queries.",
        crate::ROUNDS,
        crate::MAX_ROUNDS,
        crate::ROUND_BUDGET,
        thousands(all as f64)
    ));
    let partial: Vec<String> = rows
        .iter()
        .filter(|r| r.verified < all)
        .map(|r| {
            format!(
                "{} {} on the first {}",
                r.size,
                r.engine,
                thousands(r.verified as f64)
            )
        })
        .collect();
    let partial = if partial.is_empty() {
        String::new()
    } else {
        format!(
            ", except (too slow to check all within minutes): {}",
            partial.join("; ")
        )
    };
    line(format!(
        "- verified before anything was timed: every engine agreed with permatrix on all {} \
         queries{partial}. The queries alternate allowed and denied, so any prefix has the same mix.",
        thousands(all as f64)
    ));
    for n in notes {
        let s = n.shape;
        line(format!(
            "- {}: {} users, {} roles (a forest of two trees), {} teams, {} modules, {} records, {} grants, \
             {} sharing rules; Cedar policies: {} straightforward, {} expert. {} queries, {:.1}% allowed; \
             permatrix allowed them by: {}. Setup (not timed): {}.",
            s.name,
            thousands(s.users as f64),
            s.roles,
            s.teams,
            s.modules,
            thousands(s.records as f64),
            thousands(n.grants as f64),
            s.sharing_rules,
            thousands(n.cedar_policies.0 as f64),
            n.cedar_policies.1,
            thousands(n.queries as f64),
            100.0 * n.allowed as f64 / n.queries as f64,
            n.reasons
                .iter()
                .map(|(why, count)| format!("{why} {}", thousands(*count as f64)))
                .collect::<Vec<_>>()
                .join(", "),
            n.setup
                .iter()
                .map(|(what, took)| format!("{what} {:.1?}", took))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    out
}

/// Cores as the process sees them, and the processor's name where Linux tells it.
fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, name)| name.trim().to_string())
        })
        .unwrap_or_else(|| "processor unknown".into());
    format!(
        "{cores} cores, {cpu}; {} {}",
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}

/// The 1-minute load average: timings on a shared machine are only as quiet as it is.
pub fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// The peers' versions, read from this package's lock file at build time.
fn versions() -> String {
    let lock = include_str!("../Cargo.lock");
    let version = |name: &str| {
        let key = format!("name = \"{name}\"\nversion = \"");
        lock.find(&key)
            .map(|at| &lock[at + key.len()..])
            .and_then(|rest| rest.split('"').next())
            .unwrap_or("?")
            .to_string()
    };
    format!(
        "casbin {}, cedar-policy {}, permatrix {} (this checkout)",
        version("casbin"),
        version("cedar-policy"),
        version("permatrix")
    )
}

/// 12.3 below 100, whole numbers with thousands separators above.
fn number(x: f64) -> String {
    if x < 100.0 {
        format!("{x:.1}")
    } else {
        thousands(x)
    }
}

fn thousands(x: f64) -> String {
    let digits = format!("{:.0}", x);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
