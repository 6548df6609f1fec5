//! A small CRM on embedded SQLite: accounts, contacts and deals owned by users and linked
//! to teams. The database is created and seeded with a few thousand rows on first run;
//! then the example lists what three users may see — each list is one SQL query with the
//! permatrix filter in its WHERE clause — and explains one denial.
//!
//! Run with `cargo run --example crm` (pass a path to keep the database elsewhere).

use std::path::PathBuf;
use std::process::ExitCode;

use permatrix::{Action, Authorizer, Owner, Policy, Record, SqlDialect, SqlSchema, SqlValue};
use rusqlite::Connection;

const POLICY: &str = include_str!("crm.json");
const ROWS_PER_MODULE: usize = 2_000;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("crm: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let auth = Policy::from_json(POLICY)?.compile()?;
    let path = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("permatrix-crm.sqlite"));
    let fresh = !path.exists();
    let mut db = Connection::open(&path)?;
    if fresh {
        seed(&mut db, &auth)?;
        println!(
            "created {} with {} records",
            path.display(),
            3 * ROWS_PER_MODULE
        );
    } else {
        println!("using {}", path.display());
    }

    for user in ["dora", "nils", "paul"] {
        let uid = auth.user(user).ok_or("unknown user")?;
        let name = auth.policy().users[user]
            .display_name
            .clone()
            .unwrap_or_else(|| user.to_string());
        println!("\n== {name} ==");
        for module in ["accounts", "contacts", "deals"] {
            let filter = auth.filter(
                uid,
                Action::List,
                auth.module(module).ok_or("unknown module")?,
            );
            let sql = filter.to_sql(SqlDialect::Sqlite, &SqlSchema::default())?;
            let params: Vec<String> = sql
                .params
                .iter()
                .map(|p| match p {
                    SqlValue::Text(s) => s.clone(),
                    SqlValue::TextArray(v) => v.join(","), // PostgreSQL only; not produced here
                })
                .collect();
            let count: i64 = db.query_row(
                &format!("SELECT count(*) FROM records WHERE {}", sql.sql),
                rusqlite::params_from_iter(&params),
                |r| r.get(0),
            )?;
            println!("{module:>9}: {count} of {ROWS_PER_MODULE} visible");
            let mut stmt = db.prepare(&format!(
                "SELECT id, name, coalesce(owner_user, 'team ' || owner_team) FROM records WHERE {} ORDER BY id LIMIT 3",
                sql.sql
            ))?;
            let rows = stmt.query_map(rusqlite::params_from_iter(&params), |r| {
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

/// Creates the schema (permatrix's default names) and a few thousand records.
fn seed(db: &mut Connection, auth: &Authorizer) -> rusqlite::Result<()> {
    db.execute_batch(
        "CREATE TABLE records (id INTEGER PRIMARY KEY, module TEXT NOT NULL, owner_user TEXT, owner_team TEXT, name TEXT);
         CREATE TABLE record_teams (record_id INTEGER NOT NULL, team_id TEXT NOT NULL);
         CREATE TABLE record_shares (record_id INTEGER NOT NULL, principal_kind TEXT NOT NULL,
                                     principal_id TEXT NOT NULL, access TEXT NOT NULL);
         CREATE INDEX records_module ON records (module, owner_user);
         CREATE INDEX record_teams_record ON record_teams (record_id);
         CREATE INDEX record_teams_team ON record_teams (team_id, record_id);
         CREATE INDEX record_shares_record ON record_shares (record_id);
         CREATE INDEX record_shares_principal ON record_shares (principal_id, record_id);",
    )?;
    let users: Vec<&String> = auth.policy().users.keys().collect();
    let teams: Vec<&String> = auth.policy().teams.keys().collect();
    let tx = db.transaction()?;
    {
        let mut rec = tx.prepare("INSERT INTO records (id, module, owner_user, owner_team, name) VALUES (?1, ?2, ?3, ?4, ?5)")?;
        let mut link = tx.prepare("INSERT INTO record_teams VALUES (?1, ?2)")?;
        let mut share = tx.prepare("INSERT INTO record_shares VALUES (?1, 'user', ?2, 'read')")?;
        let mut id = 0i64;
        let mut state = 17u64;
        let mut next = move |n: usize| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) as usize) % n
        };
        for (module, noun) in [
            ("accounts", "Firma"),
            ("contacts", "Kontakt"),
            ("deals", "Chance"),
        ] {
            for i in 0..ROWS_PER_MODULE {
                id += 1;
                let team_owned = next(20) == 0;
                let owner_user = (!team_owned).then(|| users[next(users.len())].as_str());
                let owner_team = team_owned.then(|| teams[next(teams.len())].as_str());
                rec.execute(rusqlite::params![
                    id,
                    module,
                    owner_user,
                    owner_team,
                    format!("{noun} {i}")
                ])?;
                for _ in 0..1 + next(2) {
                    link.execute(rusqlite::params![id, teams[next(teams.len())]])?;
                }
                if next(50) == 0 {
                    share.execute(rusqlite::params![id, users[next(users.len())]])?;
                }
            }
        }
    }
    tx.commit()
}
