//! Embedding permatrix in a web service: an axum app whose handlers check `can` for one
//! record, list records through the SQL filter (the database does the work), and leave
//! out the fields a user may not see. The policy is MiniCRM's; the deals live in an
//! in-memory SQLite table laid out as a host keeps them (`sales`, `sales_teams`,
//! `sales_shares`), owners by username.
//!
//! `cargo run -p permatrix-suite --example web_service` sends a few requests
//! through the router in-process and prints the answers; add `-- --serve` to listen on
//! 127.0.0.1:3000 instead and try `curl -H 'x-user: ben' localhost:3000/sales`.
//! The `x-user` header stands in for the host's session.
//!
//! A refused deal answers in one of the two common styles, chosen by [`DENIAL`]: `404`,
//! as if the deal did not exist (nobody learns which ids exist), or `403` with the
//! reason. Either way the server logs why through `tracing`, so that an administrator
//! can answer "why can't Ben see deal 2?" from the log.

// examples may unwrap and index: a panic is a failed run, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Request, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use permatrix::filter::{StoredRecord, StoredShare};
use permatrix::{
    Action, Authorizer, FieldAccess, HostKey, LiveAuthorizer, ModuleId, Policy, SqlDialect,
    SqlSchema, UserId,
};
use rusqlite::Connection;
use serde_json::{Map, Value};
use tower::ServiceExt;

const POLICY: &str = include_str!("../../examples/policies/minicrm.json");

/// How a refused deal answers. The one line to change for the other style.
const DENIAL: Denial = Denial::Hide;

/// The two common ways a web API refuses a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Denial {
    /// `404 Not Found`, the same answer as for a deal that does not exist: the user
    /// learns nothing about which ids exist. The usual choice for records.
    #[allow(dead_code)] // one of the two is chosen above
    Hide,
    /// `403 Forbidden` with the reason: clearer for the user, and it tells them the
    /// deal exists.
    #[allow(dead_code)]
    Explain,
}

impl Denial {
    /// The refusal of deal `id` for the reason `why` (an explanation's first line).
    fn refuse(self, id: i64, why: &str) -> Refused {
        match self {
            Denial::Hide => Refused(StatusCode::NOT_FOUND, format!("no deal {id}")),
            Denial::Explain => Refused(StatusCode::FORBIDDEN, format!("deal {id}: {why}")),
        }
    }
}

/// What every handler shares: the authorizer in force (swapped by administration, see
/// `LiveAuthorizer`) and the database.
#[derive(Clone)]
struct App {
    live: Arc<LiveAuthorizer>,
    db: Arc<Mutex<Connection>>,
}

/// A refusal, as the host's API reports it.
struct Refused(StatusCode, String);

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        (self.0, Json(serde_json::json!({ "error": self.1 }))).into_response()
    }
}

/// The signed-in user, from the session (here: the `x-user` header).
fn signed_in(auth: &Authorizer, headers: &HeaderMap) -> Result<UserId, Refused> {
    let name = headers
        .get("x-user")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| Refused(StatusCode::UNAUTHORIZED, "not signed in".into()))?;
    auth.user(name)
        .ok_or_else(|| Refused(StatusCode::UNAUTHORIZED, format!("no user `{name}`")))
}

fn sales(auth: &Authorizer) -> Result<ModuleId, Refused> {
    auth.module("sales").ok_or_else(|| {
        Refused(
            StatusCode::INTERNAL_SERVER_ERROR,
            "no module `sales`".into(),
        )
    })
}

/// The database failed: logged for the operator, not told to the client.
fn db_error(e: rusqlite::Error) -> Refused {
    eprintln!("web_service: database: {e}");
    Refused(StatusCode::INTERNAL_SERVER_ERROR, "internal error".into())
}

/// The deal's columns, without the fields `user` may not see.
fn visible(auth: &Authorizer, user: UserId, module: ModuleId, deal: Map<String, Value>) -> Value {
    let kept = deal
        .into_iter()
        .filter(|(column, _)| {
            // columns that name no field (id, owner) are the record's own
            match auth.field(module, column) {
                None => true,
                Some(field) => auth.field_access(user, field) != FieldAccess::Hidden,
            }
        })
        .collect();
    Value::Object(kept)
}

fn deal_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Map<String, Value>> {
    let mut deal = Map::new();
    deal.insert("id".into(), row.get::<_, i64>(0)?.into());
    deal.insert("title".into(), row.get::<_, String>(1)?.into());
    deal.insert("amount".into(), row.get::<_, i64>(2)?.into());
    deal.insert("margin".into(), row.get::<_, i64>(3)?.into());
    // a deal is owned by a user or by a team
    deal.insert("owner".into(), row.get::<_, Option<String>>(4)?.into());
    deal.insert("owner_team".into(), row.get::<_, Option<String>>(5)?.into());
    Ok(deal)
}

/// `GET /sales`: the deals the user may list, in one query with the filter in its WHERE
/// clause, fields they may not see left out.
async fn list(State(app): State<App>, headers: HeaderMap) -> Result<Json<Vec<Value>>, Refused> {
    let auth = app.live.current();
    let user = signed_in(&auth, &headers)?;
    let module = sales(&auth)?;
    let filter = auth.filter(user, Action::List, module);
    if matches!(filter.condition(), permatrix::filter::Condition::False) {
        // an empty list is an answer, not an error; the log says why it is empty
        let why = auth.explain_module(user, Action::List, module);
        tracing::info!(target: "web_service", "GET /sales lists nothing: {why}");
    }
    let sql = filter
        .to_sql(SqlDialect::Sqlite, &SqlSchema::for_table("sales"))
        .map_err(|e| Refused(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let db = app
        .db
        .lock()
        .map_err(|_| Refused(StatusCode::INTERNAL_SERVER_ERROR, "database lock".into()))?;
    let mut statement = db
        .prepare(&format!(
            "SELECT id, title, amount, margin, owner_user, owner_team FROM sales WHERE {} ORDER BY id",
            sql.sql
        ))
        .map_err(db_error)?;
    let deals = statement
        .query_map(rusqlite::params_from_iter(sql.params.iter()), deal_row)
        .map_err(db_error)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(db_error)?;
    Ok(Json(
        deals
            .into_iter()
            .map(|d| visible(&auth, user, module, d))
            .collect(),
    ))
}

/// `GET /sales/{id}`: one deal, if `can` allows the user to view it.
async fn show(
    State(app): State<App>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Json<Value>, Refused> {
    let auth = app.live.current();
    let user = signed_in(&auth, &headers)?;
    let module = sales(&auth)?;
    let db = app
        .db
        .lock()
        .map_err(|_| Refused(StatusCode::INTERNAL_SERVER_ERROR, "database lock".into()))?;
    let not_found = || Refused(StatusCode::NOT_FOUND, format!("no deal {id}"));
    let deal = db
        .query_row(
            "SELECT id, title, amount, margin, owner_user, owner_team FROM sales WHERE id = ?1",
            [id],
            deal_row,
        )
        .map_err(|_| not_found())?;
    // the row as the engine reads it: owner, linked teams and shares, by the schema's keys
    let text = |column: &str| deal[column].as_str().map(HostKey::from);
    let mut row = StoredRecord {
        owner_user: text("owner"),
        owner_team: text("owner_team"),
        ..StoredRecord::default()
    };
    let mut links = db
        .prepare("SELECT team_id FROM sales_teams WHERE record_id = ?1")
        .map_err(db_error)?;
    for team in links
        .query_map([id], |r| r.get::<_, String>(0))
        .map_err(db_error)?
    {
        row.teams
            .push(HostKey::from(team.map_err(db_error)?.as_str()));
    }
    let mut shares = db
        .prepare(
            "SELECT principal_kind, principal_id, access FROM sales_shares WHERE record_id = ?1",
        )
        .map_err(db_error)?;
    for share in shares
        .query_map([id], |r| {
            Ok(StoredShare {
                kind: r.get(0)?,
                principal: r.get(1)?,
                access: r.get(2)?,
            })
        })
        .map_err(db_error)?
    {
        row.shares.push(share.map_err(db_error)?);
    }
    let record = match auth.record_from_row(module, &SqlSchema::for_table("sales"), &row) {
        Ok(record) => record,
        // an owner gone from the policy: in this example only those who see every deal
        // (a cell of `all`, whose filter is TRUE) are shown such a row, as the list does
        Err(_) => {
            let everything = matches!(
                auth.filter(user, Action::View, module).condition(),
                permatrix::filter::Condition::True
            );
            return if everything {
                Ok(Json(visible(&auth, user, module, deal)))
            } else {
                Err(not_found())
            };
        }
    };
    if !auth.can(user, Action::View, &record.as_record()) {
        let why = auth.explain(user, Action::View, &record.as_record());
        tracing::info!(target: "web_service", "GET /sales/{id} refused: {why}");
        let first = why.to_string();
        return Err(DENIAL.refuse(id, first.lines().next().unwrap_or("denied")));
    }
    Ok(Json(visible(&auth, user, module, deal)))
}

fn router(app: App) -> Router {
    Router::new()
        .route("/sales", get(list))
        .route("/sales/{id}", get(show))
        .with_state(app)
}

/// The host's tables and a few deals of Ben's, Lea's and Mia's.
fn database() -> rusqlite::Result<Connection> {
    let db = Connection::open_in_memory()?;
    db.execute_batch(
        "CREATE TABLE sales (id INTEGER PRIMARY KEY, title TEXT NOT NULL, amount INTEGER NOT NULL,
                             margin INTEGER NOT NULL, owner_user TEXT, owner_team TEXT);
         CREATE TABLE sales_teams (record_id INTEGER NOT NULL, team_id TEXT NOT NULL);
         CREATE TABLE sales_shares (record_id INTEGER NOT NULL, principal_kind TEXT NOT NULL,
                                    principal_id TEXT NOT NULL, access TEXT NOT NULL);
         CREATE INDEX sales_owner_user ON sales (owner_user);
         CREATE INDEX sales_teams_team ON sales_teams (team_id, record_id);
         CREATE INDEX sales_shares_principal ON sales_shares (principal_id, principal_kind, record_id);
         INSERT INTO sales (id, title, amount, margin, owner_user) VALUES
           (1, 'Stadtwerke: Wartungsvertrag', 48000, 9600, 'ben'),
           (2, 'Bäckerei Krume: Kasse',       3200,  640,  'lea'),
           (3, 'Klinikum: Rahmenvertrag',     250000, 41000, 'mia'),
           (4, 'Autohaus Nord: Flotte',       76000, 11400, 'lea');
         INSERT INTO sales (id, title, amount, margin, owner_team) VALUES
           (5, 'Messe Hannover: Stand',       18000, 2700, 'nord');
         INSERT INTO sales_shares VALUES (4, 'user', 'ben', 'read');",
    )?;
    Ok(db)
}

async fn request(app: &Router, user: &str, path: &str) -> Result<(), Box<dyn std::error::Error>> {
    let response = app
        .clone()
        .oneshot(
            Request::get(path)
                .header("x-user", user)
                .body(axum::body::Body::empty())?,
        )
        .await?;
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), 1 << 20).await?;
    println!(
        "{user:>4} GET {path:<10} {status}  {}",
        String::from_utf8_lossy(&body)
    );
    Ok(())
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    // the host's server log: where the explanations of refusals go
    tracing_subscriber::fmt()
        .with_target(false)
        .without_time()
        .with_max_level(tracing::Level::INFO)
        .init();
    let auth = Policy::from_json(POLICY)?.into_authorizer()?;
    let app = App {
        live: Arc::new(LiveAuthorizer::new(auth)),
        db: Arc::new(Mutex::new(database()?)),
    };
    let router = router(app);
    if std::env::args().any(|a| a == "--serve") {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
        println!(
            "listening on http://127.0.0.1:3000 (try: curl -H 'x-user: ben' localhost:3000/sales)"
        );
        axum::serve(listener, router).await?;
        return Ok(());
    }
    // Ben lists his own deal and the one Lea shared with him, margins hidden; Mia, the
    // manager, sees everything; Ben may not open Lea's unshared deal
    request(&router, "ben", "/sales").await?;
    request(&router, "mia", "/sales").await?;
    request(&router, "ben", "/sales/1").await?;
    request(&router, "ben", "/sales/4").await?;
    request(&router, "ben", "/sales/2").await?;
    request(&router, "mia", "/sales/2").await?;
    request(&router, "ben", "/sales/5").await?;
    // Tom is inactive: his list is empty, and the log says why
    request(&router, "tom", "/sales").await?;
    request(&router, "nobody", "/sales").await?;
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("web_service: {e}");
            ExitCode::FAILURE
        }
    }
}
