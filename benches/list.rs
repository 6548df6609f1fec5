//! Listing a module of 100,000 records in SQLite: the permatrix SQL filter in the WHERE
//! clause, against the baseline of fetching every row (with its teams and shares) and
//! calling `can` per row — both measured in the same run. Both return the same ids; the
//! setup checks that before measuring.

use std::collections::HashMap;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use permatrix::{
    Action, Authorizer, Owner, Policy, PrincipalId, Record, Share, ShareAccess, SqlDialect,
    SqlSchema, SqlValue, TeamId, UserId,
};
use rusqlite::Connection;

const RECORDS: usize = 100_000;
const USERS: usize = 500;
const TEAMS: usize = 40;

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

fn database(auth: &Authorizer) -> Connection {
    let mut db = Connection::open_in_memory().unwrap();
    db.execute_batch(
        "CREATE TABLE records (id INTEGER PRIMARY KEY, module TEXT NOT NULL, owner_user TEXT, owner_team TEXT);
         CREATE TABLE record_teams (record_id INTEGER NOT NULL, team_id TEXT NOT NULL);
         CREATE TABLE record_shares (record_id INTEGER NOT NULL, principal_kind TEXT NOT NULL,
                                     principal_id TEXT NOT NULL, access TEXT NOT NULL);
         CREATE INDEX records_module_owner ON records (module, owner_user);
         CREATE INDEX record_teams_record ON record_teams (record_id);
         CREATE INDEX record_teams_team ON record_teams (team_id, record_id);
         CREATE INDEX record_shares_record ON record_shares (record_id);
         CREATE INDEX record_shares_principal ON record_shares (principal_id, record_id);",
    )
    .unwrap();
    let mut rng = Lcg(3);
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
        for id in 1..=RECORDS as i64 {
            rec.execute(rusqlite::params![
                id,
                auth.user_name(auth.user_at(rng.below(USERS)).unwrap())
                    .unwrap()
            ])
            .unwrap();
            for _ in 0..1 + rng.below(2) {
                link.execute(rusqlite::params![id, format!("t{}", rng.below(TEAMS))])
                    .unwrap();
            }
            if rng.below(100) == 0 {
                share
                    .execute(rusqlite::params![id, format!("u{}", rng.below(USERS))])
                    .unwrap();
            }
        }
    }
    tx.commit().unwrap();
    db
}

fn with_filter(db: &Connection, auth: &Authorizer, user: UserId) -> Vec<i64> {
    let filter = auth.filter(user, Action::List, auth.module("deals").unwrap());
    let sql = filter
        .to_sql(SqlDialect::Sqlite, &SqlSchema::default())
        .unwrap();
    let params: Vec<String> = sql
        .params
        .iter()
        .map(|p| match p {
            SqlValue::Text(s) => s.clone(),
            SqlValue::TextArray(v) => v.join(","),
        })
        .collect();
    let mut stmt = db
        .prepare_cached(&format!(
            "SELECT id FROM records WHERE {} ORDER BY id",
            sql.sql
        ))
        .unwrap();
    stmt.query_map(rusqlite::params_from_iter(&params), |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn fetch_all_then_can(db: &Connection, auth: &Authorizer, user: UserId) -> Vec<i64> {
    let deals = auth.module("deals").unwrap();
    let mut teams: HashMap<i64, Vec<TeamId>> = HashMap::new();
    let mut stmt = db
        .prepare_cached("SELECT record_id, team_id FROM record_teams")
        .unwrap();
    for row in stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
        .unwrap()
    {
        let (id, team) = row.unwrap();
        teams.entry(id).or_default().extend(auth.team(&team));
    }
    let mut shares: HashMap<i64, Vec<Share>> = HashMap::new();
    let mut stmt = db
        .prepare_cached("SELECT record_id, principal_id FROM record_shares")
        .unwrap();
    for row in stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
        .unwrap()
    {
        let (id, to) = row.unwrap();
        if let Some(u) = auth.user(&to) {
            shares.entry(id).or_default().push(Share {
                to: PrincipalId::User(u),
                access: ShareAccess::Read,
            });
        }
    }
    let mut stmt = db
        .prepare_cached("SELECT id, owner_user FROM records WHERE module = 'deals' ORDER BY id")
        .unwrap();
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
        .unwrap();
    let mut out = Vec::new();
    for row in rows {
        let (id, owner) = row.unwrap();
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

fn bench_list(c: &mut Criterion) {
    let auth = policy();
    let db = database(&auth);
    let rep = auth.user("u7").unwrap();
    let director = auth.user("u25").unwrap();
    for user in [rep, director] {
        let a = with_filter(&db, &auth, user);
        let b = fetch_all_then_can(&db, &auth, user);
        assert_eq!(a, b, "the SQL filter and can disagree");
        eprintln!(
            "{}: {} of {RECORDS} records listed",
            auth.user_name(user).unwrap(),
            a.len()
        );
    }
    let mut group = c.benchmark_group("list_100k_sqlite");
    group.sample_size(10);
    group.bench_function("rep_baseline_fetch_all_then_can", |b| {
        b.iter(|| black_box(fetch_all_then_can(&db, &auth, rep)))
    });
    group.bench_function("rep_sql_filter", |b| {
        b.iter(|| black_box(with_filter(&db, &auth, rep)))
    });
    group.bench_function("director_baseline_fetch_all_then_can", |b| {
        b.iter(|| black_box(fetch_all_then_can(&db, &auth, director)))
    });
    group.bench_function("director_sql_filter", |b| {
        b.iter(|| black_box(with_filter(&db, &auth, director)))
    });
    group.finish();
}

criterion_group!(benches, bench_list);
criterion_main!(benches);
