//! SQL filters against real databases (SPEC §6): for random policies and at least 2,000
//! random records loaded into SQLite and into PostgreSQL, the rows each filter's SQL
//! returns are exactly the records for which `can` is true.
//!
//! PostgreSQL is reached through `PERMATRIX_PG_URL` (a libpq-style connection string),
//! which the README's test command sets after starting a server on loopback. Without it,
//! or when the server cannot be reached, the PostgreSQL test fails and says why.

// tests may unwrap and index: a panic is a failed test, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::generate;

use std::collections::BTreeSet;

use generate::{MODULES, SHARE, Tape, random_policy, random_principal};
use permatrix::HostKey;
use permatrix::filter::{LinkTable, RecordTeams, ShareTable};
use permatrix::filter::{StoredRecord, StoredShare};
use permatrix::{
    Action, Authorizer, Owner, Policy, Record, Share, SqlDialect, SqlSchema, TeamId, UserId,
    authorizer::PrincipalId,
    filter::{SqlKeys, SqlValue},
    policy::{Principal, ShareAccess},
};
use proptest::prelude::*;

const RECORDS: usize = 2_000;
const QUERIES_PER_POLICY: usize = 40;

/// A record as stored in the database: names, not ids.
struct Row {
    id: i64,
    module: &'static str,
    owner: Result<String, String>, // Ok(user) or Err(team)
    teams: Vec<String>,
    shares: Vec<(Principal, ShareAccess)>,
}

fn random_rows(policy: &Policy, t: &mut Tape<'_>) -> Vec<Row> {
    let (users, teams, roles) = (policy.users.len(), policy.teams.len(), policy.roles.len());
    (0..RECORDS)
        .map(|i| {
            let owner = if teams > 0 && t.chance(15) {
                Err(format!("t{}", t.below(teams)))
            } else {
                Ok(format!("u{}", t.below(users)))
            };
            let linked = if teams == 0 {
                Vec::new()
            } else {
                (0..t.below(3))
                    .map(|_| format!("t{}", t.below(teams)))
                    .collect()
            };
            let shares = (0..t.below(3))
                .map(|_| (random_principal(t, users, teams, roles), t.pick(&SHARE)))
                .collect();
            Row {
                id: i as i64 + 1,
                module: MODULES[t.below(MODULES.len())],
                owner,
                teams: linked,
                shares,
            }
        })
        .collect()
}

fn principal_parts(p: &Principal) -> (&'static str, &str) {
    match p {
        Principal::User(x) => ("user", x),
        Principal::Team(x) => ("team", x),
        Principal::Role(x) => ("role", x),
        Principal::RoleAndSubordinates(x) => ("role_and_subordinates", x),
    }
}

/// The ids of the rows `can` allows.
fn expected(
    auth: &Authorizer,
    rows: &[Row],
    user: UserId,
    action: Action,
    module: &str,
) -> BTreeSet<i64> {
    rows.iter()
        .filter(|row| row.module == module)
        .filter(|row| {
            let teams: Vec<TeamId> = row.teams.iter().filter_map(|t| auth.team(t)).collect();
            let shares: Vec<Share> = row
                .shares
                .iter()
                .map(|(p, access)| Share {
                    to: match p {
                        Principal::User(x) => PrincipalId::User(auth.user(x).unwrap()),
                        Principal::Team(x) => PrincipalId::Team(auth.team(x).unwrap()),
                        Principal::Role(x) => PrincipalId::Role(auth.role(x).unwrap()),
                        Principal::RoleAndSubordinates(x) => {
                            PrincipalId::RoleAndSubordinates(auth.role(x).unwrap())
                        }
                    },
                    access: *access,
                })
                .collect();
            let owner = match &row.owner {
                Ok(u) => Owner::User(auth.user(u).unwrap()),
                Err(t) => Owner::Team(auth.team(t).unwrap()),
            };
            let record = Record {
                module: auth.module(module).unwrap(),
                owner,
                teams: &teams,
                shares: &shares,
            };
            auth.can(user, action, &record)
        })
        .map(|row| row.id)
        .collect()
}

const SCHEMA: &str = "
    CREATE TABLE records (id BIGINT PRIMARY KEY, module TEXT NOT NULL, owner_user TEXT, owner_team TEXT);
    CREATE TABLE record_teams (record_id BIGINT NOT NULL, team_id TEXT NOT NULL);
    CREATE TABLE record_shares (record_id BIGINT NOT NULL, principal_kind TEXT NOT NULL,
                                principal_id TEXT NOT NULL, access TEXT NOT NULL);
    CREATE INDEX record_teams_record ON record_teams (record_id);
    CREATE INDEX record_teams_team ON record_teams (team_id, record_id);
    CREATE INDEX record_shares_record ON record_shares (record_id);
    CREATE INDEX record_shares_principal ON record_shares (principal_id, record_id);
";

/// Runs `QUERIES_PER_POLICY` random (user, action, module) queries through `query` and
/// compares each answer with `can`. Returns the number of queries compared.
fn compare_queries(
    auth: &Authorizer,
    rows: &[Row],
    t: &mut Tape<'_>,
    dialect: SqlDialect,
    query: impl FnMut(&str, &[SqlValue]) -> Result<BTreeSet<i64>, String>,
) -> Result<usize, TestCaseError> {
    compare_queries_in(auth, rows, t, dialect, &shared_table, query)
}

/// The shared `records` table, named by its alias every other time, as a host's join
/// would.
fn shared_table(_module: &str, t: &mut Tape<'_>) -> (SqlSchema, String) {
    if t.below(2) == 0 {
        (SqlSchema::default(), "records".to_string())
    } else {
        let aliased = SqlSchema {
            records: "r".into(),
            records_table: Some("records".into()),
            ..SqlSchema::default()
        };
        (aliased, "records AS r".to_string())
    }
}

/// A table per module (`m0_records`, `m0_teams`, `m0_shares`), with integer keys for
/// users and teams.
fn per_module_table(module: &str, _t: &mut Tape<'_>) -> (SqlSchema, String) {
    let schema = SqlSchema {
        user_keys: SqlKeys::Integer,
        team_keys: SqlKeys::Integer,
        record_teams: RecordTeams::Links(LinkTable::named(&format!("{module}_teams"))),
        record_shares: Some(ShareTable::named(&format!("{module}_shares"))),
        ..SqlSchema::for_table(&format!("{module}_records"))
    };
    (schema, format!("{module}_records"))
}

type Layout = dyn Fn(&str, &mut Tape<'_>) -> (SqlSchema, String);

fn compare_queries_in(
    auth: &Authorizer,
    rows: &[Row],
    t: &mut Tape<'_>,
    dialect: SqlDialect,
    layout: &Layout,
    mut query: impl FnMut(&str, &[SqlValue]) -> Result<BTreeSet<i64>, String>,
) -> Result<usize, TestCaseError> {
    let users = auth.policy().users.len();
    for _ in 0..QUERIES_PER_POLICY {
        let user = auth.user(&format!("u{}", t.below(users))).unwrap();
        let action = t.pick(Action::ALL);
        let module = MODULES[t.below(MODULES.len())];
        let filter = auth.filter(user, action, auth.module(module).unwrap());
        let (schema, from) = layout(module, t);
        let sql = filter.to_sql(dialect, &schema).unwrap();
        let text = format!("SELECT id FROM {from} WHERE {} ORDER BY id", sql.sql);
        let got =
            query(&text, &sql.params).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let want = expected(auth, rows, user, action, module);
        prop_assert_eq!(
            &got,
            &want,
            "{:?} {} {}: the SQL returned {} rows, can allows {}\nsql: {}\nparams: {:?}\ncondition: {:?}",
            dialect,
            action,
            module,
            got.len(),
            want.len(),
            text,
            sql.params,
            filter.condition()
        );
    }
    Ok(QUERIES_PER_POLICY)
}

fn sqlite_load(rows: &[Row]) -> rusqlite::Connection {
    let mut db = rusqlite::Connection::open_in_memory().unwrap();
    db.execute_batch(SCHEMA).unwrap();
    let tx = db.transaction().unwrap();
    {
        let mut rec = tx
            .prepare("INSERT INTO records VALUES (?1, ?2, ?3, ?4)")
            .unwrap();
        let mut team = tx
            .prepare("INSERT INTO record_teams VALUES (?1, ?2)")
            .unwrap();
        let mut share = tx
            .prepare("INSERT INTO record_shares VALUES (?1, ?2, ?3, ?4)")
            .unwrap();
        for row in rows {
            rec.execute(rusqlite::params![
                row.id,
                row.module,
                row.owner.as_ref().ok(),
                row.owner.as_ref().err()
            ])
            .unwrap();
            for t in &row.teams {
                team.execute(rusqlite::params![row.id, t]).unwrap();
            }
            for (p, access) in &row.shares {
                let (kind, name) = principal_parts(p);
                share
                    .execute(rusqlite::params![row.id, kind, name, access.as_str()])
                    .unwrap();
            }
        }
    }
    tx.commit().unwrap();
    db
}

fn sqlite_query(
    db: &rusqlite::Connection,
    sql: &str,
    params: &[SqlValue],
) -> Result<BTreeSet<i64>, String> {
    if params
        .iter()
        .any(|p| matches!(p, SqlValue::TextArray(_) | SqlValue::IntegerArray(_)))
    {
        return Err("an array parameter in SQLite SQL".to_string());
    }
    // the parameters bind as they are (the crate's `rusqlite` feature)
    let mut stmt = db.prepare(sql).map_err(|e| e.to_string())?;
    let ids = stmt
        .query_map(rusqlite::params_from_iter(params), |r| r.get::<_, i64>(0))
        .map_err(|e| e.to_string())?
        .collect::<Result<BTreeSet<i64>, _>>()
        .map_err(|e| e.to_string())?;
    Ok(ids)
}

fn pg_connect() -> postgres::Client {
    let url = std::env::var("PERMATRIX_PG_URL").unwrap_or_else(|_| {
        panic!(
            "PERMATRIX_PG_URL is not set: the PostgreSQL filter test needs a server. Run the README's test \
             command (bash scripts/test.sh), which installs and starts one on loopback, or point \
             PERMATRIX_PG_URL at a server of your own"
        )
    });
    postgres::Client::connect(&url, postgres::NoTls)
        .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at PERMATRIX_PG_URL=`{url}`: {e}"))
}

fn pg_load(db: &mut postgres::Client, schema: &str, rows: &[Row]) {
    let mut tx = db.transaction().unwrap();
    tx.batch_execute(&format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}; SET LOCAL search_path TO {schema};"
    ))
    .unwrap();
    tx.batch_execute(SCHEMA).unwrap();
    // multi-row inserts keep a 2,000-record load to a handful of round trips
    for chunk in rows.chunks(500) {
        let mut sql = String::from("INSERT INTO records VALUES ");
        let mut params: Vec<Box<dyn postgres::types::ToSql + Sync>> = Vec::new();
        for (i, row) in chunk.iter().enumerate() {
            let n = i * 4;
            sql.push_str(&format!(
                "{}(${}, ${}, ${}, ${})",
                if i > 0 { "," } else { "" },
                n + 1,
                n + 2,
                n + 3,
                n + 4
            ));
            params.push(Box::new(row.id));
            params.push(Box::new(row.module.to_string()));
            params.push(Box::new(row.owner.as_ref().ok().cloned()));
            params.push(Box::new(row.owner.as_ref().err().cloned()));
        }
        let refs: Vec<&(dyn postgres::types::ToSql + Sync)> =
            params.iter().map(|p| p.as_ref()).collect();
        tx.execute(&sql, &refs).unwrap();
    }
    let links: Vec<(i64, &String)> = rows
        .iter()
        .flat_map(|r| r.teams.iter().map(move |t| (r.id, t)))
        .collect();
    if !links.is_empty() {
        let ids: Vec<i64> = links.iter().map(|l| l.0).collect();
        let teams: Vec<String> = links.iter().map(|l| l.1.clone()).collect();
        tx.execute(
            "INSERT INTO record_teams SELECT * FROM unnest($1::bigint[], $2::text[])",
            &[&ids, &teams],
        )
        .unwrap();
    }
    let shares: Vec<(i64, &'static str, String, &'static str)> = rows
        .iter()
        .flat_map(|r| {
            r.shares.iter().map(move |(p, a)| {
                let (kind, name) = principal_parts(p);
                (r.id, kind, name.to_string(), a.as_str())
            })
        })
        .collect();
    if !shares.is_empty() {
        let ids: Vec<i64> = shares.iter().map(|s| s.0).collect();
        let kinds: Vec<&str> = shares.iter().map(|s| s.1).collect();
        let names: Vec<&str> = shares.iter().map(|s| s.2.as_str()).collect();
        let levels: Vec<&str> = shares.iter().map(|s| s.3).collect();
        tx.execute(
            "INSERT INTO record_shares SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[])",
            &[&ids, &kinds, &names, &levels],
        )
        .unwrap();
    }
    tx.commit().unwrap();
}

fn pg_query(
    db: &mut postgres::Client,
    schema: &str,
    sql: &str,
    params: &[SqlValue],
) -> Result<BTreeSet<i64>, String> {
    // the parameters bind as they are (the crate's `postgres` feature)
    let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = params
        .iter()
        .map(|p| p as &(dyn postgres::types::ToSql + Sync))
        .collect();
    let mut tx = db.transaction().map_err(|e| e.to_string())?;
    tx.batch_execute(&format!("SET LOCAL search_path TO {schema}"))
        .map_err(|e| e.to_string())?;
    let rows = tx.query(sql, &refs).map_err(|e| e.to_string())?;
    tx.commit().map_err(|e| e.to_string())?;
    Ok(rows.iter().map(|r| r.get::<_, i64>(0)).collect())
}

fn cases(default: u32) -> u32 {
    std::env::var("PERMATRIX_SQL_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(48), max_shrink_iters: 256, ..ProptestConfig::default() })]

    #[test]
    fn sqlite_rows_equal_can(
        policy_tape in prop::collection::vec(any::<u32>(), 1500),
        record_tape in prop::collection::vec(any::<u32>(), RECORDS * 12),
        query_tape in prop::collection::vec(any::<u32>(), QUERIES_PER_POLICY * 4),
    ) {
        let policy = random_policy(&mut Tape { data: &policy_tape, pos: 0 });
        let auth = policy.compile().unwrap();
        let rows = random_rows(&policy, &mut Tape { data: &record_tape, pos: 0 });
        let db = sqlite_load(&rows);
        compare_queries(&auth, &rows, &mut Tape { data: &query_tape, pos: 0 }, SqlDialect::Sqlite, |sql, params| {
            sqlite_query(&db, sql, params)
        })?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(12), max_shrink_iters: 64, ..ProptestConfig::default() })]

    #[test]
    fn postgres_rows_equal_can(
        policy_tape in prop::collection::vec(any::<u32>(), 1500),
        record_tape in prop::collection::vec(any::<u32>(), RECORDS * 12),
        query_tape in prop::collection::vec(any::<u32>(), QUERIES_PER_POLICY * 4),
    ) {
        let mut db = pg_connect();
        let schema = format!("permatrix_test_{}", std::process::id());
        let policy = random_policy(&mut Tape { data: &policy_tape, pos: 0 });
        let auth = policy.compile().unwrap();
        let rows = random_rows(&policy, &mut Tape { data: &record_tape, pos: 0 });
        pg_load(&mut db, &schema, &rows);
        let result = compare_queries(&auth, &rows, &mut Tape { data: &query_tape, pos: 0 }, SqlDialect::Postgres, |sql, params| {
            pg_query(&mut db, &schema, sql, params)
        });
        db.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).unwrap();
        result?;
    }
}

/// A policy whose filters name long lists (60 users sharing a role, 30 teams), so the
/// list forms for long lists (SQLite `json_each`, PostgreSQL `= ANY`) are exercised too.
fn wide_policy() -> Policy {
    let mut users = serde_json::Map::new();
    for u in 0..60 {
        users.insert(
            format!("u{u}"),
            serde_json::json!({ "roles": [if u < 50 { "r0" } else { "r1" }] }),
        );
    }
    let mut teams = serde_json::Map::new();
    for t in 0..30 {
        let members: Vec<String> = (0..60)
            .filter(|u| u % 30 == t || *u == 0)
            .map(|u| format!("u{u}"))
            .collect();
        teams.insert(format!("t{t}"), serde_json::json!({ "users": members }));
    }
    let doc = serde_json::json!({
        "version": 1,
        "modules": { "m0": {}, "m1": {}, "m2": {} },
        "profiles": { "p": { "modules": {
            "m0": { "access": "on", "actions": { "view": "role", "list": "role", "edit": "team" } }
        } } },
        "roles": { "r0": { "profiles": ["p"] }, "r1": { "parent": "r0", "profiles": ["p"] } },
        "teams": teams,
        "users": users
    });
    let mut policy = Policy::from_json(&doc.to_string()).unwrap();
    for m in ["m1", "m2"] {
        let grant = policy.profiles["p"].modules["m0"].clone();
        policy
            .profiles
            .get_mut("p")
            .unwrap()
            .modules
            .insert(m.to_string(), grant);
    }
    policy
}

#[test]
fn long_lists_in_both_databases() {
    let policy = wide_policy();
    let auth = policy.compile().unwrap();
    let data: Vec<u32> = (0..RECORDS as u32 * 12)
        .map(|i| i.wrapping_mul(2_654_435_761) >> 7)
        .collect();
    let rows = random_rows(
        &policy,
        &mut Tape {
            data: &data,
            pos: 0,
        },
    );
    // u0 is in every team and shares r0 with 49 others; r0 is above r1's 10 users
    let u0 = auth.user("u0").unwrap();
    for action in [Action::List, Action::Edit] {
        let filter = auth.filter(u0, action, auth.module("m0").unwrap());
        let sqlite = filter
            .to_sql(SqlDialect::Sqlite, &SqlSchema::default())
            .unwrap();
        assert!(sqlite.sql.contains("json_each"), "{}", sqlite.sql);
        let postgres = filter
            .to_sql(SqlDialect::Postgres, &SqlSchema::default())
            .unwrap();
        assert!(
            postgres
                .params
                .iter()
                .any(|p| matches!(p, SqlValue::TextArray(v) if v.len() > 16))
        );
    }
    let queries: Vec<u32> = (0..QUERIES_PER_POLICY as u32 * 4)
        .map(|i| i * 7919)
        .collect();
    let db = sqlite_load(&rows);
    compare_queries(
        &auth,
        &rows,
        &mut Tape {
            data: &queries,
            pos: 0,
        },
        SqlDialect::Sqlite,
        |sql, params| sqlite_query(&db, sql, params),
    )
    .unwrap();
    let mut pg = pg_connect();
    let schema = format!("permatrix_wide_{}", std::process::id());
    pg_load(&mut pg, &schema, &rows);
    let result = compare_queries(
        &auth,
        &rows,
        &mut Tape {
            data: &queries,
            pos: 0,
        },
        SqlDialect::Postgres,
        |sql, params| pg_query(&mut pg, &schema, sql, params),
    );
    pg.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .unwrap();
    result.unwrap();

    // the same with a table per module and integer keys: long lists of integers, as a
    // JSON array of numbers (SQLite) and a `bigint[]` (PostgreSQL)
    let keyed = with_integer_keys(policy);
    let auth = keyed.compile().unwrap();
    let u0 = auth.user("u0").unwrap();
    let filter = auth.filter(u0, Action::List, auth.module("m0").unwrap());
    let (schema_m0, _) = per_module_table("m0", &mut Tape { data: &[], pos: 0 });
    let postgres = filter.to_sql(SqlDialect::Postgres, &schema_m0).unwrap();
    assert!(
        postgres
            .params
            .iter()
            .any(|p| matches!(p, SqlValue::IntegerArray(v) if v.len() > 16)),
        "{:?}",
        postgres.params
    );
    let db = sqlite_load_per_module(&keyed, &rows);
    compare_queries_in(
        &auth,
        &rows,
        &mut Tape {
            data: &queries,
            pos: 0,
        },
        SqlDialect::Sqlite,
        &per_module_table,
        |sql, params| sqlite_query(&db, sql, params),
    )
    .unwrap();
    let schema = format!("permatrix_wide_keyed_{}", std::process::id());
    pg_load_per_module(&mut pg, &schema, &keyed, &rows);
    let result = compare_queries_in(
        &auth,
        &rows,
        &mut Tape {
            data: &queries,
            pos: 0,
        },
        SqlDialect::Postgres,
        &per_module_table,
        |sql, params| pg_query(&mut pg, &schema, sql, params),
    );
    pg.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .unwrap();
    result.unwrap();
}

/// Gives every user and team an integer host key, spaced so that no key is a position.
fn with_integer_keys(mut policy: Policy) -> Policy {
    for (i, user) in policy.users.values_mut().enumerate() {
        user.key = Some((1_000 + 7 * i as i64).into());
    }
    for (i, team) in policy.teams.values_mut().enumerate() {
        team.key = Some((500 + 3 * i as i64).into());
    }
    policy
}

/// A module's rows as a host with a table per module and integer keys keeps them.
struct KeyedRows {
    records: Vec<(i64, Option<i64>, Option<i64>)>,
    links: Vec<(i64, i64)>,
    shares: Vec<(i64, &'static str, String, &'static str)>,
}

fn keyed_rows(policy: &Policy, rows: &[Row], module: &str) -> KeyedRows {
    let user_key = |u: &str| policy.users[u].key.as_ref().and_then(|k| k.as_integer());
    let team_key = |t: &str| policy.teams[t].key.as_ref().and_then(|k| k.as_integer());
    let mut out = KeyedRows {
        records: Vec::new(),
        links: Vec::new(),
        shares: Vec::new(),
    };
    for row in rows.iter().filter(|r| r.module == module) {
        let (owner_user, owner_team) = match &row.owner {
            Ok(u) => (user_key(u), None),
            Err(t) => (None, team_key(t)),
        };
        out.records.push((row.id, owner_user, owner_team));
        out.links.extend(
            row.teams
                .iter()
                .filter_map(|t| Some((row.id, team_key(t)?))),
        );
        for (p, access) in &row.shares {
            let (kind, name) = principal_parts(p);
            let id = match p {
                Principal::User(u) => user_key(u).map(|k| k.to_string()),
                Principal::Team(t) => team_key(t).map(|k| k.to_string()),
                _ => Some(name.to_string()),
            };
            if let Some(id) = id {
                out.shares.push((row.id, kind, id, access.as_str()));
            }
        }
    }
    out
}

fn per_module_ddl(module: &str) -> String {
    format!(
        "CREATE TABLE {module}_records (id BIGINT PRIMARY KEY, owner_user BIGINT, owner_team INTEGER);
         CREATE TABLE {module}_teams (record_id BIGINT NOT NULL, team_id INTEGER NOT NULL);
         CREATE TABLE {module}_shares (record_id BIGINT NOT NULL, principal_kind TEXT NOT NULL,
                                       principal_id TEXT NOT NULL, access TEXT NOT NULL);
         CREATE INDEX {module}_records_owner_user ON {module}_records (owner_user);
         CREATE INDEX {module}_records_owner_team ON {module}_records (owner_team);
         CREATE INDEX {module}_teams_team ON {module}_teams (team_id, record_id);
         CREATE INDEX {module}_shares_principal ON {module}_shares (principal_id, principal_kind, record_id);"
    )
}

fn sqlite_load_per_module(policy: &Policy, rows: &[Row]) -> rusqlite::Connection {
    let mut db = rusqlite::Connection::open_in_memory().unwrap();
    let tx = db.transaction().unwrap();
    for module in MODULES {
        tx.execute_batch(&per_module_ddl(module)).unwrap();
        let keyed = keyed_rows(policy, rows, module);
        let mut rec = tx
            .prepare(&format!("INSERT INTO {module}_records VALUES (?1, ?2, ?3)"))
            .unwrap();
        for r in &keyed.records {
            rec.execute(rusqlite::params![r.0, r.1, r.2]).unwrap();
        }
        let mut link = tx
            .prepare(&format!("INSERT INTO {module}_teams VALUES (?1, ?2)"))
            .unwrap();
        for l in &keyed.links {
            link.execute(rusqlite::params![l.0, l.1]).unwrap();
        }
        let mut share = tx
            .prepare(&format!(
                "INSERT INTO {module}_shares VALUES (?1, ?2, ?3, ?4)"
            ))
            .unwrap();
        for s in &keyed.shares {
            share
                .execute(rusqlite::params![s.0, s.1, s.2, s.3])
                .unwrap();
        }
    }
    tx.commit().unwrap();
    db
}

fn pg_load_per_module(db: &mut postgres::Client, schema: &str, policy: &Policy, rows: &[Row]) {
    let mut tx = db.transaction().unwrap();
    tx.batch_execute(&format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}; SET LOCAL search_path TO {schema};"
    ))
    .unwrap();
    for module in MODULES {
        tx.batch_execute(&per_module_ddl(module)).unwrap();
        let keyed = keyed_rows(policy, rows, module);
        let ids: Vec<i64> = keyed.records.iter().map(|r| r.0).collect();
        let users: Vec<Option<i64>> = keyed.records.iter().map(|r| r.1).collect();
        let teams: Vec<Option<i32>> = keyed
            .records
            .iter()
            .map(|r| r.2.map(|t| t as i32))
            .collect();
        tx.execute(
            &format!("INSERT INTO {module}_records SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::int[])"),
            &[&ids, &users, &teams],
        )
        .unwrap();
        let ids: Vec<i64> = keyed.links.iter().map(|l| l.0).collect();
        let teams: Vec<i32> = keyed.links.iter().map(|l| l.1 as i32).collect();
        tx.execute(
            &format!("INSERT INTO {module}_teams SELECT * FROM unnest($1::bigint[], $2::int[])"),
            &[&ids, &teams],
        )
        .unwrap();
        let ids: Vec<i64> = keyed.shares.iter().map(|s| s.0).collect();
        let kinds: Vec<&str> = keyed.shares.iter().map(|s| s.1).collect();
        let names: Vec<&str> = keyed.shares.iter().map(|s| s.2.as_str()).collect();
        let levels: Vec<&str> = keyed.shares.iter().map(|s| s.3).collect();
        tx.execute(
            &format!("INSERT INTO {module}_shares SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[])"),
            &[&ids, &kinds, &names, &levels],
        )
        .unwrap();
    }
    tx.commit().unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(24), max_shrink_iters: 256, ..ProptestConfig::default() })]

    /// A table per module, `BIGINT` owners and `INTEGER` teams holding host keys: the
    /// filter's typed parameters find exactly the records `can` allows.
    #[test]
    fn sqlite_per_module_tables_with_integer_keys(
        policy_tape in prop::collection::vec(any::<u32>(), 1500),
        record_tape in prop::collection::vec(any::<u32>(), RECORDS * 12),
        query_tape in prop::collection::vec(any::<u32>(), QUERIES_PER_POLICY * 4),
    ) {
        let policy = with_integer_keys(random_policy(&mut Tape { data: &policy_tape, pos: 0 }));
        let auth = policy.compile().unwrap();
        let rows = random_rows(&policy, &mut Tape { data: &record_tape, pos: 0 });
        let db = sqlite_load_per_module(&policy, &rows);
        compare_queries_in(&auth, &rows, &mut Tape { data: &query_tape, pos: 0 }, SqlDialect::Sqlite, &per_module_table, |sql, params| {
            sqlite_query(&db, sql, params)
        })?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(8), max_shrink_iters: 64, ..ProptestConfig::default() })]

    #[test]
    fn postgres_per_module_tables_with_integer_keys(
        policy_tape in prop::collection::vec(any::<u32>(), 1500),
        record_tape in prop::collection::vec(any::<u32>(), RECORDS * 12),
        query_tape in prop::collection::vec(any::<u32>(), QUERIES_PER_POLICY * 4),
    ) {
        let mut db = pg_connect();
        let schema = format!("permatrix_keyed_{}", std::process::id());
        let policy = with_integer_keys(random_policy(&mut Tape { data: &policy_tape, pos: 0 }));
        let auth = policy.compile().unwrap();
        let rows = random_rows(&policy, &mut Tape { data: &record_tape, pos: 0 });
        pg_load_per_module(&mut db, &schema, &policy, &rows);
        let result = compare_queries_in(&auth, &rows, &mut Tape { data: &query_tape, pos: 0 }, SqlDialect::Postgres, &per_module_table, |sql, params| {
            pg_query(&mut db, &schema, sql, params)
        });
        db.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).unwrap();
        result?;
    }
}

/// UUID host keys: PostgreSQL `uuid` columns compared through the fragment's casts,
/// SQLite text columns compared as text, every record checked against `can`.
#[test]
fn uuid_keys_in_both_databases() {
    let uuid = |i: u32| format!("00000000-0000-4000-8000-{i:012}");
    let policy = wide_policy();
    let mut policy = policy;
    for (i, user) in policy.users.values_mut().enumerate() {
        user.key = Some(uuid(i as u32 + 1).into());
    }
    for (i, team) in policy.teams.values_mut().enumerate() {
        team.key = Some(uuid(i as u32 + 1000).into());
    }
    let auth = policy.compile().unwrap();
    let data: Vec<u32> = (0..RECORDS as u32 * 12)
        .map(|i| i.wrapping_mul(2_246_822_519) >> 5)
        .collect();
    let rows = random_rows(
        &policy,
        &mut Tape {
            data: &data,
            pos: 0,
        },
    );
    let key = |k: Option<&permatrix::HostKey>| k.and_then(|k| k.as_text()).map(str::to_string);
    let user_key = |u: &str| key(policy.users[u].key.as_ref());
    let team_key = |t: &str| key(policy.teams[t].key.as_ref());
    let schema = |module: &str| SqlSchema {
        user_keys: SqlKeys::Uuid,
        team_keys: SqlKeys::Uuid,
        record_teams: RecordTeams::Links(LinkTable::named(&format!("{module}_teams"))),
        record_shares: Some(ShareTable::named(&format!("{module}_shares"))),
        ..SqlSchema::for_table(&format!("{module}_records"))
    };
    let ddl = |module: &str, id: &str| {
        format!(
            "CREATE TABLE {module}_records (id BIGINT PRIMARY KEY, owner_user {id}, owner_team {id});
             CREATE TABLE {module}_teams (record_id BIGINT NOT NULL, team_id {id} NOT NULL);
             CREATE TABLE {module}_shares (record_id BIGINT NOT NULL, principal_kind TEXT NOT NULL,
                                           principal_id TEXT NOT NULL, access TEXT NOT NULL);"
        )
    };
    let share_id = |p: &Principal| match p {
        Principal::User(u) => user_key(u).unwrap_or_default(),
        Principal::Team(t) => team_key(t).unwrap_or_default(),
        _ => principal_parts(p).1.to_string(),
    };

    let db = rusqlite::Connection::open_in_memory().unwrap();
    let mut pg = pg_connect();
    let pg_schema = format!("permatrix_uuid_{}", std::process::id());
    pg.batch_execute(&format!(
        "DROP SCHEMA IF EXISTS {pg_schema} CASCADE; CREATE SCHEMA {pg_schema}; SET search_path TO {pg_schema};"
    ))
    .unwrap();
    for module in MODULES {
        db.execute_batch(&ddl(module, "TEXT")).unwrap();
        pg.batch_execute(&ddl(module, "UUID")).unwrap();
        for row in rows.iter().filter(|r| r.module == module) {
            let (owner_user, owner_team) = match &row.owner {
                Ok(u) => (user_key(u), None),
                Err(t) => (None, team_key(t)),
            };
            let insert = format!("INSERT INTO {module}_records VALUES ($1, $2, $3)");
            db.execute(
                &insert.replace('$', "?"),
                rusqlite::params![row.id, owner_user, owner_team],
            )
            .unwrap();
            pg.execute(
                &format!(
                    "INSERT INTO {module}_records VALUES ($1, $2::text::uuid, $3::text::uuid)"
                ),
                &[&row.id, &owner_user, &owner_team],
            )
            .unwrap();
            for t in &row.teams {
                let t = team_key(t);
                db.execute(
                    &format!("INSERT INTO {module}_teams VALUES (?1, ?2)"),
                    rusqlite::params![row.id, t],
                )
                .unwrap();
                pg.execute(
                    &format!("INSERT INTO {module}_teams VALUES ($1, $2::text::uuid)"),
                    &[&row.id, &t],
                )
                .unwrap();
            }
            for (p, access) in &row.shares {
                let (kind, id, level) = (principal_parts(p).0, share_id(p), access.as_str());
                db.execute(
                    &format!("INSERT INTO {module}_shares VALUES (?1, ?2, ?3, ?4)"),
                    rusqlite::params![row.id, kind, id, level],
                )
                .unwrap();
                pg.execute(
                    &format!("INSERT INTO {module}_shares VALUES ($1, $2, $3, $4)"),
                    &[&row.id, &kind, &id, &level],
                )
                .unwrap();
            }
        }
    }
    let (compared, _) = compare_everyone(&auth, &rows, &schema, &db, &mut pg, &pg_schema);
    pg.batch_execute(&format!("DROP SCHEMA IF EXISTS {pg_schema} CASCADE"))
        .unwrap();
    assert!(compared > 300);
}

/// Tables per module that number their records from 1 each, sharing one link table and
/// one share table with a module column: a link or share of one module's record 7 must
/// never count for another module's record 7.
#[test]
fn shared_link_and_share_tables_keep_to_their_module() {
    let policy = with_integer_keys(wide_policy());
    let auth = policy.compile().unwrap();
    let data: Vec<u32> = (0..RECORDS as u32 * 12)
        .map(|i| i.wrapping_mul(3_266_489_917) >> 3)
        .collect();
    let mut rows = random_rows(
        &policy,
        &mut Tape {
            data: &data,
            pos: 0,
        },
    );
    // number each module's records from 1, so ids repeat across modules
    let mut next = std::collections::HashMap::new();
    for row in &mut rows {
        let n = next.entry(row.module).or_insert(0i64);
        *n += 1;
        row.id = *n;
    }
    let schema = |module: &str| SqlSchema {
        record_teams: RecordTeams::Links(LinkTable {
            module: Some("module".into()),
            ..LinkTable::named("links")
        }),
        record_shares: Some(ShareTable {
            module: Some("module".into()),
            ..ShareTable::named("shares")
        }),
        user_keys: SqlKeys::Integer,
        team_keys: SqlKeys::Integer,
        ..SqlSchema::for_table(&format!("{module}_records"))
    };
    let mut sql = String::from(
        "CREATE TABLE links (record_id BIGINT NOT NULL, module TEXT NOT NULL, team_id BIGINT NOT NULL);
         CREATE TABLE shares (record_id BIGINT NOT NULL, module TEXT NOT NULL, principal_kind TEXT NOT NULL,
                              principal_id TEXT NOT NULL, access TEXT NOT NULL);",
    );
    for module in MODULES {
        sql.push_str(&format!(
            "CREATE TABLE {module}_records (id BIGINT PRIMARY KEY, owner_user BIGINT, owner_team BIGINT);"
        ));
    }
    let mut inserts = Vec::new();
    for module in MODULES {
        let keyed = keyed_rows(&policy, &rows, module);
        for (id, user, team) in &keyed.records {
            let n = |v: &Option<i64>| v.map_or("NULL".to_string(), |v| v.to_string());
            inserts.push(format!(
                "INSERT INTO {module}_records VALUES ({id}, {}, {})",
                n(user),
                n(team)
            ));
        }
        for (id, team) in &keyed.links {
            inserts.push(format!(
                "INSERT INTO links VALUES ({id}, '{module}', {team})"
            ));
        }
        for (id, kind, principal, access) in &keyed.shares {
            inserts.push(format!(
                "INSERT INTO shares VALUES ({id}, '{module}', '{kind}', '{principal}', '{access}')"
            ));
        }
    }
    let db = rusqlite::Connection::open_in_memory().unwrap();
    db.execute_batch(&sql).unwrap();
    db.execute_batch(&format!("BEGIN; {}; COMMIT;", inserts.join(";")))
        .unwrap();
    let mut pg = pg_connect();
    let pg_schema = format!("permatrix_shared_links_{}", std::process::id());
    pg.batch_execute(&format!(
        "DROP SCHEMA IF EXISTS {pg_schema} CASCADE; CREATE SCHEMA {pg_schema}; SET search_path TO {pg_schema}; {sql} {};",
        inserts.join(";")
    ))
    .unwrap();
    let (_, nonempty) = compare_everyone(&auth, &rows, &schema, &db, &mut pg, &pg_schema);
    pg.batch_execute(&format!("DROP SCHEMA IF EXISTS {pg_schema} CASCADE"))
        .unwrap();
    assert!(
        nonempty > 20,
        "too few listings to prove anything: {nonempty}"
    );
}

/// Every user's `list` and `edit` filter of every module, run in SQLite and PostgreSQL
/// over `schema`, against `can`. Returns how many queries were compared and how many
/// listings were not empty.
fn compare_everyone(
    auth: &Authorizer,
    rows: &[Row],
    schema: &dyn Fn(&str) -> SqlSchema,
    db: &rusqlite::Connection,
    pg: &mut postgres::Client,
    pg_schema: &str,
) -> (usize, usize) {
    let (mut compared, mut nonempty) = (0, 0);
    for u in 0..auth.policy().users.len() {
        let user = auth.user_at(u).unwrap();
        for action in [Action::List, Action::Edit] {
            for module in MODULES {
                let filter = auth.filter(user, action, auth.module(module).unwrap());
                let want = expected(auth, rows, user, action, module);
                nonempty += usize::from(!want.is_empty());
                for dialect in [SqlDialect::Sqlite, SqlDialect::Postgres] {
                    let sql = filter.to_sql(dialect, &schema(module)).unwrap();
                    let text = format!(
                        "SELECT id FROM {module}_records WHERE {} ORDER BY id",
                        sql.sql
                    );
                    let got = match dialect {
                        SqlDialect::Sqlite => sqlite_query(db, &text, &sql.params),
                        SqlDialect::Postgres => pg_query(pg, pg_schema, &text, &sql.params),
                    }
                    .unwrap_or_else(|e| panic!("{e}\n{text}"));
                    assert_eq!(got, want, "{dialect:?} {action} {module}: {text}");
                    compared += 1;
                }
            }
        }
    }
    (compared, nonempty)
}

/// The places a host's schema may leave out (`SqlSchema`'s forms), with the tables each
/// needs.
#[derive(Debug, Clone, Copy)]
enum Form {
    /// `{m}_records(id, owner_id, team_id)`: a user owner, at most one team, no shares.
    TeamColumn,
    /// `{m}_records(id, owner_id)`: a user owner, nothing else.
    OwnerOnly,
    /// `{m}_records(id, owner_user, owner_team)` and `{m}_teams`: no shares.
    NoShares,
}

impl Form {
    /// The schema of `module`'s table in this form.
    fn schema(self, module: &str) -> SqlSchema {
        let table = SqlSchema::for_table(&format!("{module}_records"));
        match self {
            Form::TeamColumn => SqlSchema {
                owner_user: "owner_id".into(),
                owner_team: None,
                record_teams: RecordTeams::Column("team_id".into()),
                record_shares: None,
                ..table
            },
            Form::OwnerOnly => SqlSchema {
                owner_user: "owner_id".into(),
                owner_team: None,
                record_teams: RecordTeams::None,
                record_shares: None,
                ..table
            },
            Form::NoShares => SqlSchema {
                record_teams: RecordTeams::Links(LinkTable::named(&format!("{module}_teams"))),
                record_shares: None,
                ..table
            },
        }
    }

    /// `rows` as this form can hold them: what it has no place for is dropped, and a
    /// team owner becomes a user owner where only users own.
    fn restrict(self, rows: &[Row], users: usize) -> Vec<Row> {
        rows.iter()
            .map(|row| {
                let user_owner = match &row.owner {
                    Ok(u) => Ok(u.clone()),
                    Err(_) => Ok(format!("u{}", row.id as usize % users)),
                };
                let (owner, teams) = match self {
                    Form::TeamColumn => (user_owner, row.teams.iter().take(1).cloned().collect()),
                    Form::OwnerOnly => (user_owner, Vec::new()),
                    Form::NoShares => (row.owner.clone(), row.teams.clone()),
                };
                Row {
                    id: row.id,
                    module: row.module,
                    owner,
                    teams,
                    shares: Vec::new(),
                }
            })
            .collect()
    }

    /// The tables and rows of this form, as SQL both databases read.
    fn sql(self, rows: &[Row]) -> String {
        let text = |v: Option<&String>| v.map_or("NULL".to_string(), |v| format!("'{v}'"));
        let mut sql = String::new();
        for module in MODULES {
            sql.push_str(&match self {
                Form::TeamColumn => format!(
                    "CREATE TABLE {module}_records (id BIGINT PRIMARY KEY, owner_id TEXT NOT NULL, team_id TEXT);"
                ),
                Form::OwnerOnly => format!(
                    "CREATE TABLE {module}_records (id BIGINT PRIMARY KEY, owner_id TEXT NOT NULL);"
                ),
                Form::NoShares => format!(
                    "CREATE TABLE {module}_records (id BIGINT PRIMARY KEY, owner_user TEXT, owner_team TEXT);
                     CREATE TABLE {module}_teams (record_id BIGINT NOT NULL, team_id TEXT NOT NULL);"
                ),
            });
        }
        for row in rows {
            let (module, id) = (row.module, row.id);
            let (user, team) = (row.owner.as_ref().ok(), row.owner.as_ref().err());
            sql.push_str(&match self {
                Form::TeamColumn => format!(
                    "INSERT INTO {module}_records VALUES ({id}, {}, {});",
                    text(user),
                    text(row.teams.first())
                ),
                Form::OwnerOnly => {
                    format!(
                        "INSERT INTO {module}_records VALUES ({id}, {});",
                        text(user)
                    )
                }
                Form::NoShares => format!(
                    "INSERT INTO {module}_records VALUES ({id}, {}, {});",
                    text(user),
                    text(team)
                ),
            });
            if let Form::NoShares = self {
                for t in &row.teams {
                    sql.push_str(&format!("INSERT INTO {module}_teams VALUES ({id}, '{t}');"));
                }
            }
        }
        sql
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(8), max_shrink_iters: 32, ..ProptestConfig::default() })]

    /// Schemas without a share table, without an owning team, with one team column on
    /// the record or with no teams at all (the newcomer's `accounts(id, owner_id,
    /// team_id)`): over records those tables can hold, the rows each filter selects in
    /// SQLite and in PostgreSQL are exactly the records `can` allows.
    #[test]
    fn smaller_schemas_equal_can_in_both_databases(
        policy_tape in prop::collection::vec(any::<u32>(), 1500),
        record_tape in prop::collection::vec(any::<u32>(), RECORDS * 12),
        query_tape in prop::collection::vec(any::<u32>(), QUERIES_PER_POLICY * 4),
    ) {
        let policy = random_policy(&mut Tape { data: &policy_tape, pos: 0 });
        let auth = policy.compile().unwrap();
        let all = random_rows(&policy, &mut Tape { data: &record_tape, pos: 0 });
        let mut pg = pg_connect();
        for form in [Form::TeamColumn, Form::OwnerOnly, Form::NoShares] {
            let rows = form.restrict(&all, policy.users.len());
            let sql = form.sql(&rows);
            let db = rusqlite::Connection::open_in_memory().unwrap();
            db.execute_batch(&format!("BEGIN; {sql} COMMIT;")).unwrap();
            let layout = move |module: &str, _: &mut Tape<'_>| {
                (form.schema(module), format!("{module}_records"))
            };
            compare_queries_in(&auth, &rows, &mut Tape { data: &query_tape, pos: 0 }, SqlDialect::Sqlite, &layout, |sql, params| {
                sqlite_query(&db, sql, params)
            })?;
            let pg_schema = format!("permatrix_form_{}", std::process::id());
            pg.batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {pg_schema} CASCADE; CREATE SCHEMA {pg_schema}; SET search_path TO {pg_schema}; {sql}"
            ))
            .unwrap();
            let result = compare_queries_in(&auth, &rows, &mut Tape { data: &query_tape, pos: 0 }, SqlDialect::Postgres, &layout, |sql, params| {
                pg_query(&mut pg, &pg_schema, sql, params)
            });
            pg.batch_execute(&format!("DROP SCHEMA IF EXISTS {pg_schema} CASCADE")).unwrap();
            result?;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(16), max_shrink_iters: 64, ..ProptestConfig::default() })]

    /// `record_from_row` reads a host's row (integer keys; links and shares as the tables
    /// hold them) into the record `can` would get from the row's names: every user's
    /// answer on it is the same, for every action.
    #[test]
    fn a_record_from_the_hosts_keys_answers_as_its_names(
        policy_tape in prop::collection::vec(any::<u32>(), 1500),
        record_tape in prop::collection::vec(any::<u32>(), RECORDS * 12),
    ) {
        let policy = with_integer_keys(random_policy(&mut Tape { data: &policy_tape, pos: 0 }));
        let auth = policy.compile().unwrap();
        let rows = random_rows(&policy, &mut Tape { data: &record_tape, pos: 0 });
        for module in MODULES {
            let m = auth.module(module).unwrap();
            let keyed = keyed_rows(&policy, &rows, module);
            let (schema, _) = per_module_table(module, &mut Tape { data: &[], pos: 0 });
            for row in rows.iter().filter(|r| r.module == module).take(200) {
                let (_, owner_user, owner_team) = keyed.records.iter().find(|r| r.0 == row.id).unwrap();
                let stored = StoredRecord {
                    owner_user: owner_user.map(HostKey::from),
                    owner_team: owner_team.map(HostKey::from),
                    teams: keyed.links.iter().filter(|l| l.0 == row.id).map(|l| HostKey::from(l.1)).collect(),
                    shares: keyed.shares.iter().filter(|s| s.0 == row.id).map(|s| StoredShare {
                        kind: s.1.to_string(),
                        principal: s.2.clone(),
                        access: s.3.to_string(),
                    }).collect(),
                };
                let record = auth.record_from_row(m, &schema, &stored).unwrap();
                for u in 0..policy.users.len() {
                    let user = auth.user_at(u).unwrap();
                    for action in Action::ALL {
                        let by_names = expected(&auth, std::slice::from_ref(row), user, *action, module);
                        prop_assert_eq!(
                            auth.can(user, *action, &record.as_record()),
                            !by_names.is_empty(),
                            "{} {} record {}: {:?}", user, action, row.id, stored
                        );
                    }
                }
            }
        }
    }
}
