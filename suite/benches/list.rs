//! Listing a module through the permatrix SQL filter, against the baseline of fetching
//! every row (with its teams and shares) and calling `can` per row, both measured in the
//! same run: 100,000 records in SQLite, and 1,000,000 in PostgreSQL when
//! `PERMATRIX_PG_URL` names a server (`bash scripts/test.sh` shows how to start one).
//! Both ways must return the same ids; the setup checks that before measuring, and prints
//! each query with the plan the database chose for it.
//!
//! Run it with the crate's `rusqlite` and `postgres` features, through which the
//! parameters bind: `cargo bench -p permatrix-suite --bench list`.
//!
//! The tables carry the indexes that `SqlSchema`'s docs advise, plus an index on
//! `(module, owner_user)` of the kind a host may well have, which the filter must not let
//! the planner prefer. Under `cargo test` (no `--bench` argument) the tables are small, so
//! CI still checks that the filter and `can` agree on both databases.

// benches may unwrap and index: a panic is a failed run, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::HashMap;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use permatrix::{
    Action, Authorizer, Owner, Policy, Record, Share, SqlDialect, SqlSchema, TeamId, UserId,
    authorizer::PrincipalId, filter::SqlValue, policy::ShareAccess,
};
use rusqlite::Connection;

const USERS: usize = 500;
const TEAMS: usize = 40;

/// Full size under `cargo bench`, a small one under `cargo test`.
fn records(full: usize) -> usize {
    if std::env::args().any(|a| a == "--bench") {
        full
    } else {
        5_000
    }
}

const INDEXES: &str = "
    CREATE INDEX records_owner_user ON records (owner_user);
    CREATE INDEX records_owner_team ON records (owner_team);
    CREATE INDEX records_module_owner ON records (module, owner_user);
    CREATE INDEX record_teams_team ON record_teams (team_id, record_id);
    CREATE INDEX record_shares_principal ON record_shares (principal_id, principal_kind, record_id);";

struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

fn policy() -> Authorizer {
    let mut users = serde_json::Map::new();
    for u in 0..USERS {
        let role = match u {
            _ if u % 25 == 0 => "director",
            _ if u % 2 == 1 => "rep",
            _ => "rep_elsewhere",
        };
        users.insert(format!("u{u}"), serde_json::json!({ "roles": [role] }));
    }
    let mut teams = serde_json::Map::new();
    for t in 0..TEAMS {
        let members: Vec<String> = (0..USERS)
            .filter(|u| u % TEAMS == t)
            .map(|u| format!("u{u}"))
            .collect();
        teams.insert(format!("t{t}"), serde_json::json!({ "users": members }));
    }
    let doc = serde_json::json!({
        "version": 1,
        "modules": { "deals": {} },
        "profiles": {
            "rep": { "modules": { "deals": { "access": "on", "actions": { "list": "team", "view": "team" } } } },
            "director": { "modules": { "deals": { "access": "on", "actions": { "list": "owner", "view": "owner" } } } }
        },
        "roles": { "director": { "profiles": ["director"] }, "rep": { "parent": "director", "profiles": ["rep"] },
                   "rep_elsewhere": { "profiles": ["rep"] } },
        "teams": teams,
        "users": users
    });
    Policy::from_json(&doc.to_string())
        .unwrap()
        .compile()
        .unwrap()
}

/// One generated record: its owner, linked teams and the user it is shared with.
struct Row {
    id: i64,
    owner: String,
    teams: Vec<String>,
    share: Option<String>,
}

fn rows(n: usize) -> impl Iterator<Item = Row> {
    let mut rng = Lcg(3);
    (1..=n as i64).map(move |id| Row {
        id,
        owner: format!("u{}", rng.below(USERS)),
        teams: (0..1 + rng.below(2))
            .map(|_| format!("t{}", rng.below(TEAMS)))
            .collect(),
        share: (rng.below(100) == 0).then(|| format!("u{}", rng.below(USERS))),
    })
}

/// The listing query and its parameters as text (ids are names here, so every parameter
/// is text or a list of text).
fn listing(auth: &Authorizer, user: UserId, dialect: SqlDialect) -> (String, Vec<SqlValue>) {
    let filter = auth.filter(user, Action::List, auth.module("deals").unwrap());
    let sql = filter.to_sql(dialect, &SqlSchema::default()).unwrap();
    (
        format!("SELECT id FROM records WHERE {} ORDER BY id", sql.sql),
        sql.params,
    )
}

/// What a host that does not push the filter down does: fetch every record of the module
/// with its team links and shares, and call `can` on each.
fn can_each(
    auth: &Authorizer,
    user: UserId,
    links: impl Iterator<Item = (i64, String)>,
    shared: impl Iterator<Item = (i64, String)>,
    records: impl Iterator<Item = (i64, String)>,
) -> Vec<i64> {
    let deals = auth.module("deals").unwrap();
    let mut teams: HashMap<i64, Vec<TeamId>> = HashMap::new();
    for (id, team) in links {
        teams.entry(id).or_default().extend(auth.team(&team));
    }
    let mut shares: HashMap<i64, Vec<Share>> = HashMap::new();
    for (id, to) in shared {
        if let Some(u) = auth.user(&to) {
            shares.entry(id).or_default().push(Share {
                to: PrincipalId::User(u),
                access: ShareAccess::Read,
            });
        }
    }
    let mut out = Vec::new();
    for (id, owner) in records {
        let Some(owner) = auth.user(&owner) else {
            continue;
        };
        let record = Record {
            module: deals,
            owner: Owner::User(owner),
            teams: teams.get(&id).map(Vec::as_slice).unwrap_or(&[]),
            shares: shares.get(&id).map(Vec::as_slice).unwrap_or(&[]),
        };
        if auth.can(user, Action::List, &record) {
            out.push(id);
        }
    }
    out
}

const BASELINE_QUERIES: [&str; 3] = [
    "SELECT record_id, team_id FROM record_teams",
    "SELECT record_id, principal_id FROM record_shares",
    "SELECT id, owner_user FROM records WHERE module = 'deals' ORDER BY id",
];

mod sqlite {
    use super::*;

    pub fn database(n: usize) -> Connection {
        let mut db = Connection::open_in_memory().unwrap();
        db.execute_batch(
            "CREATE TABLE records (id INTEGER PRIMARY KEY, module TEXT NOT NULL, owner_user TEXT, owner_team TEXT);
             CREATE TABLE record_teams (record_id INTEGER NOT NULL, team_id TEXT NOT NULL);
             CREATE TABLE record_shares (record_id INTEGER NOT NULL, principal_kind TEXT NOT NULL,
                                         principal_id TEXT NOT NULL, access TEXT NOT NULL);",
        )
        .unwrap();
        db.execute_batch(INDEXES).unwrap();
        let tx = db.transaction().unwrap();
        {
            let mut rec = tx
                .prepare("INSERT INTO records VALUES (?1, 'deals', ?2, NULL)")
                .unwrap();
            let mut link = tx
                .prepare("INSERT INTO record_teams VALUES (?1, ?2)")
                .unwrap();
            let mut share = tx
                .prepare("INSERT INTO record_shares VALUES (?1, 'user', ?2, 'read')")
                .unwrap();
            for row in rows(n) {
                rec.execute(rusqlite::params![row.id, row.owner]).unwrap();
                for t in &row.teams {
                    link.execute(rusqlite::params![row.id, t]).unwrap();
                }
                if let Some(to) = &row.share {
                    share.execute(rusqlite::params![row.id, to]).unwrap();
                }
            }
        }
        tx.commit().unwrap();
        db
    }

    /// The plan SQLite picks for the listing query, indented by depth.
    pub fn plan(db: &Connection, auth: &Authorizer, user: UserId) -> String {
        let (sql, values) = listing(auth, user, SqlDialect::Sqlite);
        let mut stmt = db.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = stmt
            .query_map(rusqlite::params_from_iter(&values), |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(3)?,
                ))
            })
            .unwrap();
        let mut depth: HashMap<i64, usize> = HashMap::new();
        let mut out = String::new();
        for row in rows {
            let (id, parent, detail) = row.unwrap();
            let d = depth.get(&parent).map_or(0, |d| d + 1);
            depth.insert(id, d);
            out.push_str(&format!("    {}{detail}\n", "  ".repeat(d)));
        }
        out
    }

    pub fn with_filter(db: &Connection, auth: &Authorizer, user: UserId) -> Vec<i64> {
        let (sql, values) = listing(auth, user, SqlDialect::Sqlite);
        let mut stmt = db.prepare_cached(&sql).unwrap();
        stmt.query_map(rusqlite::params_from_iter(&values), |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    fn pairs(db: &Connection, sql: &str) -> Vec<(i64, String)> {
        let mut stmt = db.prepare_cached(sql).unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    pub fn fetch_all_then_can(db: &Connection, auth: &Authorizer, user: UserId) -> Vec<i64> {
        let [links, shares, records] = BASELINE_QUERIES.map(|q| pairs(db, q));
        can_each(
            auth,
            user,
            links.into_iter(),
            shares.into_iter(),
            records.into_iter(),
        )
    }
}

mod pg {
    use super::*;
    use postgres::types::ToSql;

    pub const SCHEMA: &str = "permatrix_list_bench";

    pub fn database(url: &str, n: usize) -> postgres::Client {
        let mut db = postgres::Client::connect(url, postgres::NoTls)
            .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at PERMATRIX_PG_URL=`{url}`: {e}"));
        db.batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}; SET search_path TO {SCHEMA};
             CREATE TABLE records (id BIGINT PRIMARY KEY, module TEXT NOT NULL, owner_user TEXT, owner_team TEXT);
             CREATE TABLE record_teams (record_id BIGINT NOT NULL, team_id TEXT NOT NULL);
             CREATE TABLE record_shares (record_id BIGINT NOT NULL, principal_kind TEXT NOT NULL,
                                         principal_id TEXT NOT NULL, access TEXT NOT NULL);"
        ))
        .unwrap();
        // COPY in text form: a million rows in seconds rather than minutes of INSERTs
        let mut copy = |table: &str, lines: &mut dyn Iterator<Item = String>| {
            use std::io::Write;
            let mut w = db.copy_in(&format!("COPY {table} FROM STDIN")).unwrap();
            let mut buf = String::new();
            for line in lines {
                buf.push_str(&line);
                buf.push('\n');
                if buf.len() > 1 << 20 {
                    w.write_all(buf.as_bytes()).unwrap();
                    buf.clear();
                }
            }
            w.write_all(buf.as_bytes()).unwrap();
            w.finish().unwrap();
        };
        copy(
            "records",
            &mut rows(n).map(|r| format!("{}\tdeals\t{}\t\\N", r.id, r.owner)),
        );
        copy(
            "record_teams",
            &mut rows(n).flat_map(|r| r.teams.into_iter().map(move |t| format!("{}\t{t}", r.id))),
        );
        copy(
            "record_shares",
            &mut rows(n).filter_map(|r| r.share.map(|to| format!("{}\tuser\t{to}\tread", r.id))),
        );
        db.batch_execute(INDEXES).unwrap();
        db.batch_execute("ANALYZE").unwrap();
        db
    }

    fn query(db: &mut postgres::Client, sql: &str, values: &[SqlValue]) -> Vec<postgres::Row> {
        let refs: Vec<&(dyn ToSql + Sync)> =
            values.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        db.query(sql, &refs).unwrap()
    }

    pub fn plan(db: &mut postgres::Client, auth: &Authorizer, user: UserId) -> String {
        let (sql, values) = listing(auth, user, SqlDialect::Postgres);
        query(db, &format!("EXPLAIN {sql}"), &values)
            .iter()
            .map(|r| format!("    {}\n", r.get::<_, String>(0)))
            .collect()
    }

    pub fn with_filter(db: &mut postgres::Client, auth: &Authorizer, user: UserId) -> Vec<i64> {
        let (sql, values) = listing(auth, user, SqlDialect::Postgres);
        query(db, &sql, &values).iter().map(|r| r.get(0)).collect()
    }

    pub fn fetch_all_then_can(
        db: &mut postgres::Client,
        auth: &Authorizer,
        user: UserId,
    ) -> Vec<i64> {
        let [links, shares, records] = BASELINE_QUERIES.map(|q| {
            query(db, q, &[])
                .iter()
                .map(|r| (r.get::<_, i64>(0), r.get::<_, String>(1)))
                .collect::<Vec<_>>()
        });
        can_each(
            auth,
            user,
            links.into_iter(),
            shares.into_iter(),
            records.into_iter(),
        )
    }
}

fn show(name: &str, listed: usize, total: usize, sql: &str, plan: &str) {
    eprintln!(
        "{name}: {listed} of {total} records listed ({:.1}%)\n  {sql}\n  plan:\n{plan}",
        100.0 * listed as f64 / total as f64
    );
}

fn bench_list(c: &mut Criterion) {
    let auth = policy();
    // a rep sees their team's records (a few percent); a director the records of the
    // reps below them (about half)
    let rep = auth.user("u7").unwrap();
    let director = auth.user("u25").unwrap();

    let n = records(100_000);
    let db = sqlite::database(n);
    for user in [rep, director] {
        let a = sqlite::with_filter(&db, &auth, user);
        let b = sqlite::fetch_all_then_can(&db, &auth, user);
        assert_eq!(a, b, "SQLite: the SQL filter and can disagree");
        let name = format!("SQLite, {}", auth.user_name(user).unwrap());
        let (sql, _) = listing(&auth, user, SqlDialect::Sqlite);
        show(&name, a.len(), n, &sql, &sqlite::plan(&db, &auth, user));
    }
    let mut group = c.benchmark_group(format!("list_{n}_sqlite"));
    group.sample_size(10);
    for (who, user) in [("rep", rep), ("director", director)] {
        group.bench_function(format!("{who}_baseline_fetch_all_then_can"), |b| {
            b.iter(|| black_box(sqlite::fetch_all_then_can(&db, &auth, user)))
        });
        group.bench_function(format!("{who}_sql_filter"), |b| {
            b.iter(|| black_box(sqlite::with_filter(&db, &auth, user)))
        });
    }
    group.finish();
    drop(db);

    let Ok(url) = std::env::var("PERMATRIX_PG_URL") else {
        eprintln!("PERMATRIX_PG_URL is not set: the PostgreSQL half is skipped");
        return;
    };
    let n = records(1_000_000);
    let mut db = pg::database(&url, n);
    for user in [rep, director] {
        let a = pg::with_filter(&mut db, &auth, user);
        let b = pg::fetch_all_then_can(&mut db, &auth, user);
        assert_eq!(a, b, "PostgreSQL: the SQL filter and can disagree");
        let name = format!("PostgreSQL, {}", auth.user_name(user).unwrap());
        let (sql, _) = listing(&auth, user, SqlDialect::Postgres);
        show(&name, a.len(), n, &sql, &pg::plan(&mut db, &auth, user));
    }
    let mut group = c.benchmark_group(format!("list_{n}_postgres"));
    group.sample_size(10);
    for (who, user) in [("rep", rep), ("director", director)] {
        group.bench_function(format!("{who}_baseline_fetch_all_then_can"), |b| {
            b.iter(|| black_box(pg::fetch_all_then_can(&mut db, &auth, user)))
        });
        group.bench_function(format!("{who}_sql_filter"), |b| {
            b.iter(|| black_box(pg::with_filter(&mut db, &auth, user)))
        });
    }
    group.finish();
    db.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", pg::SCHEMA))
        .unwrap();
}

criterion_group!(benches, bench_list);
criterion_main!(benches);
