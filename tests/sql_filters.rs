//! SQL filters against real databases (SPEC §6): for random policies and at least 2,000
//! random records loaded into SQLite and into PostgreSQL, the rows each filter's SQL
//! returns are exactly the records for which `can` is true.
//!
//! PostgreSQL is reached through `PERMATRIX_PG_URL` (a libpq-style connection string),
//! which the README's test command sets after starting a server on loopback. Without it,
//! or when the server cannot be reached, the PostgreSQL test fails and says why.

mod generate;

use std::collections::BTreeSet;

use generate::{MODULES, SHARE, Tape, random_policy, random_principal};
use permatrix::{
    Action, Authorizer, Owner, Policy, Principal, PrincipalId, Record, Share, ShareAccess,
    SqlDialect, SqlSchema, SqlValue, TeamId, UserId,
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
    mut query: impl FnMut(&str, &[SqlValue]) -> Result<BTreeSet<i64>, String>,
) -> Result<usize, TestCaseError> {
    let users = auth.policy().users.len();
    for _ in 0..QUERIES_PER_POLICY {
        let user = auth.user(&format!("u{}", t.below(users))).unwrap();
        let action = t.pick(Action::ALL);
        let module = MODULES[t.below(MODULES.len())];
        let filter = auth.filter(user, action, auth.module(module).unwrap());
        // every other query names the table by an alias, as a host's join would
        let (schema, from) = if t.below(2) == 0 {
            (SqlSchema::default(), "records")
        } else {
            let aliased = SqlSchema {
                records: "r".into(),
                records_table: Some("records".into()),
                ..SqlSchema::default()
            };
            (aliased, "records AS r")
        };
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
    let values: Vec<rusqlite::types::Value> = params
        .iter()
        .map(|p| match p {
            SqlValue::Text(s) => Ok(rusqlite::types::Value::Text(s.clone())),
            SqlValue::TextArray(_) => Err("an array parameter in SQLite SQL".to_string()),
        })
        .collect::<Result<_, _>>()?;
    let mut stmt = db.prepare(sql).map_err(|e| e.to_string())?;
    let ids = stmt
        .query_map(rusqlite::params_from_iter(values), |r| r.get::<_, i64>(0))
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
    let boxed: Vec<Box<dyn postgres::types::ToSql + Sync>> = params
        .iter()
        .map(|p| -> Box<dyn postgres::types::ToSql + Sync> {
            match p {
                SqlValue::Text(s) => Box::new(s.clone()),
                SqlValue::TextArray(v) => Box::new(v.clone()),
            }
        })
        .collect();
    let refs: Vec<&(dyn postgres::types::ToSql + Sync)> =
        boxed.iter().map(|p| p.as_ref()).collect();
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
}
