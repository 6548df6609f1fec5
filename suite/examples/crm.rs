//! A small CRM on embedded SQLite, laid out as CRMs usually are: a table per module
//! (`accounts`, `contacts`, `deals`) with integer keys, owners and teams referenced by
//! the host's own integer ids (`users.id`, `teams.id`), which the policy carries as host
//! keys. The database is created and seeded with a few thousand rows on first run; then
//! the example lists what three users may see — each list is one SQL query with the
//! permatrix filter in its WHERE clause, its parameters bound as they are — and explains
//! one denial.
//!
//! Run with `cargo run -p permatrix-suite --example crm` (pass a path to keep the
//! database elsewhere).

// examples may unwrap and index: a panic is a failed run, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;
use std::process::ExitCode;

use permatrix::{
    Action, Authorizer, HostKey, Owner, Policy, Record, SqlDialect, SqlSchema, filter::SqlKeys,
};
use rusqlite::Connection;

const POLICY: &str = include_str!("../../examples/crm.json");
const ROWS_PER_MODULE: usize = 2_000;
const MODULES: [(&str, &str); 3] = [
    ("accounts", "Firma"),
    ("contacts", "Kontakt"),
    ("deals", "Chance"),
];

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("crm: {e}");
            ExitCode::FAILURE
        }
    }
}

/// How the host keeps `module`: its own table, link table and share table
/// (`{module}_teams`, `{module}_shares`, as `for_table` names them), with integer user
/// and team ids.
fn schema(module: &str) -> SqlSchema {
    SqlSchema {
        owner_user: "owner_user_id".into(),
        owner_team: Some("owner_team_id".into()),
        user_keys: SqlKeys::Integer,
        team_keys: SqlKeys::Integer,
        ..SqlSchema::for_table(module)
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let auth = Policy::from_json(POLICY)?.compile()?;
    let path = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("permatrix-crm-tables.sqlite"));
    let fresh = !path.exists();
    let mut db = Connection::open(&path)?;
    if fresh {
        seed(&mut db, &auth)?;
        println!(
            "created {} with {} records",
            path.display(),
            MODULES.len() * ROWS_PER_MODULE
        );
    } else {
        println!("using {}", path.display());
    }

    // the host signs users in by its own id and finds the policy's user by key
    for host_id in [101, 102, 106] {
        let uid = auth
            .user_by_key(&HostKey::from(host_id))
            .ok_or("no user with that key")?;
        let name: String = db.query_row(
            "SELECT display_name FROM users WHERE id = ?1",
            [host_id],
            |r| r.get(0),
        )?;
        println!("\n== {name} (users.id {host_id}) ==");
        for (module, _) in MODULES {
            let filter = auth.filter(
                uid,
                Action::List,
                auth.module(module).ok_or("unknown module")?,
            );
            let sql = filter.to_sql(SqlDialect::Sqlite, &schema(module))?;
            let count: i64 = db.query_row(
                &format!("SELECT count(*) FROM {module} WHERE {}", sql.sql),
                rusqlite::params_from_iter(&sql.params),
                |r| r.get(0),
            )?;
            println!("{module:>9}: {count} of {ROWS_PER_MODULE} visible");
            let mut stmt = db.prepare(&format!(
                "SELECT {module}.id, {module}.name, coalesce(u.display_name, t.name)
                 FROM {module} LEFT JOIN users u ON u.id = {module}.owner_user_id
                               LEFT JOIN teams t ON t.id = {module}.owner_team_id
                 WHERE {} ORDER BY {module}.id LIMIT 3",
                sql.sql
            ))?;
            let rows = stmt.query_map(rusqlite::params_from_iter(&sql.params), |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?;
            for row in rows {
                let (id, name, owner) = row?;
                println!("           #{id:<5} {name:<28} owner: {owner}");
            }
        }
    }

    // One denial, explained: a rep from the north opens a deal of the south team.
    let (nils, sam) = (
        auth.user("nils").ok_or("nils")?,
        auth.user("sam").ok_or("sam")?,
    );
    let deals = auth.module("deals").ok_or("deals")?;
    let south = [auth.team("south").ok_or("south")?];
    let deal = Record {
        module: deals,
        owner: Owner::User(sam),
        teams: &south,
        shares: &[],
    };
    println!(
        "\n== why may Nils not open Sam's deal? ==\n{}",
        auth.explain(nils, Action::View, &deal)
    );
    Ok(())
}

/// Creates the host's tables, with the indexes `SqlSchema`'s docs advise, and a few
/// thousand records.
fn seed(db: &mut Connection, auth: &Authorizer) -> Result<(), Box<dyn std::error::Error>> {
    let policy = auth.policy();
    let key = |k: Option<&HostKey>| {
        k.and_then(HostKey::as_integer)
            .ok_or("a user or team without an integer key")
    };
    let tx = db.transaction()?;
    tx.execute_batch(
        "CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT NOT NULL, display_name TEXT NOT NULL);
         CREATE TABLE teams (id INTEGER PRIMARY KEY, name TEXT NOT NULL);",
    )?;
    let mut users = Vec::new();
    for (username, user) in &policy.users {
        let id = key(user.key.as_ref())?;
        let name = user.display_name.as_deref().unwrap_or(username);
        tx.execute(
            "INSERT INTO users VALUES (?1, ?2, ?3)",
            rusqlite::params![id, username, name],
        )?;
        users.push(id);
    }
    let mut teams = Vec::new();
    for (id, team) in &policy.teams {
        let key = key(team.key.as_ref())?;
        tx.execute(
            "INSERT INTO teams VALUES (?1, ?2)",
            rusqlite::params![key, team.name.as_deref().unwrap_or(id)],
        )?;
        teams.push(key);
    }
    let mut state = 17u64;
    let mut next = move |n: usize| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) as usize) % n
    };
    for (module, noun) in MODULES {
        tx.execute_batch(&format!(
            "CREATE TABLE {module} (id INTEGER PRIMARY KEY, name TEXT NOT NULL,
                                    owner_user_id INTEGER REFERENCES users, owner_team_id INTEGER REFERENCES teams);
             CREATE TABLE {module}_teams (record_id INTEGER NOT NULL REFERENCES {module}, team_id INTEGER NOT NULL);
             CREATE TABLE {module}_shares (record_id INTEGER NOT NULL REFERENCES {module}, principal_kind TEXT NOT NULL,
                                           principal_id TEXT NOT NULL, access TEXT NOT NULL);
             CREATE INDEX {module}_owner_user ON {module} (owner_user_id);
             CREATE INDEX {module}_owner_team ON {module} (owner_team_id);
             CREATE INDEX {module}_teams_team ON {module}_teams (team_id, record_id);
             CREATE INDEX {module}_shares_principal ON {module}_shares (principal_id, principal_kind, record_id);"
        ))?;
        let mut rec = tx.prepare(&format!("INSERT INTO {module} VALUES (?1, ?2, ?3, ?4)"))?;
        let mut link = tx.prepare(&format!("INSERT INTO {module}_teams VALUES (?1, ?2)"))?;
        // the share table's principal column holds every kind, so it is text
        let mut share = tx.prepare(&format!(
            "INSERT INTO {module}_shares VALUES (?1, 'user', ?2, 'read')"
        ))?;
        for i in 1..=ROWS_PER_MODULE as i64 {
            let team_owned = next(20) == 0;
            let owner_user = (!team_owned).then(|| users[next(users.len())]);
            let owner_team = team_owned.then(|| teams[next(teams.len())]);
            rec.execute(rusqlite::params![
                i,
                format!("{noun} {i}"),
                owner_user,
                owner_team
            ])?;
            for _ in 0..1 + next(2) {
                link.execute(rusqlite::params![i, teams[next(teams.len())]])?;
            }
            if next(50) == 0 {
                share.execute(rusqlite::params![i, users[next(users.len())].to_string()])?;
            }
        }
    }
    tx.execute_batch("ANALYZE")?;
    tx.commit()?;
    Ok(())
}
