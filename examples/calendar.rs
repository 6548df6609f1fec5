//! CRM+'s group calendars and role-bound picklists (seed 003, 8.1.4.4 and the note on
//! picklist values): who sees which calendar at which level, and which deal stages each
//! user may pick.
//!
//! Run with `cargo run --example calendar`.

// examples may unwrap and index: a panic is a failed run, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use permatrix::{Owner, Policy};

const POLICY: &str = r#"{
  "version": 1,
  "modules": { "deals": { "tools": ["create_picklist_values"], "fields": {
    "stage":  { "picklist": { "role_bound": true, "values": [
      { "value": "open" }, { "value": "won", "roles": ["manager"] },
      { "value": "lost", "roles": ["manager", "rep"] }, { "value": "archived", "roles": ["director"] } ] } },
    "source": { "picklist": { "values": [ { "value": "web" }, { "value": "fair" } ] } } } } },
  "profiles": { "sales": { "modules": { "deals": { "access": "on", "tools": { "create_picklist_values": true } } } } },
  "roles": { "director": { "profiles": ["sales"] }, "manager": { "parent": "director", "profiles": ["sales"] },
             "rep": { "parent": "manager", "profiles": ["sales"] } },
  "teams": { "support": { "name": "Kundendienst", "calendar": true, "users": ["paul", "nora"],
                          "calendar_rights": { "paul": { "create_edit": true, "delete": true },
                                               "nora": { "create_edit": true } } } },
  "users": { "dora": { "roles": ["director"] }, "mia": { "roles": ["manager"] },
             "nora": { "roles": ["rep"] }, "paul": {}, "sam": { "roles": ["rep"] } },
  "calendar_shares": [
    { "owner": { "user": "mia" }, "to": { "user": "sam" }, "level": "busy" },
    { "owner": { "user": "mia" }, "to": { "role_and_subordinates": "manager" }, "level": "titles" },
    { "owner": { "team": "support" }, "to": { "user": "dora" }, "level": "details" } ]
}"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let auth = Policy::from_json(POLICY)?.compile()?;
    let user = |name: &str| auth.user(name).ok_or(format!("no user `{name}`"));
    println!("== calendars ==");
    let support = auth.team("support").ok_or("no team `support`")?;
    let calendars = [
        ("mia", Owner::User(user("mia")?)),
        ("team support", Owner::Team(support)),
    ];
    for (label, owner) in calendars {
        for viewer in ["dora", "mia", "nora", "paul", "sam"] {
            let e = auth.explain_calendar(user(viewer)?, owner);
            println!("{viewer:>5} on {label:<12}: {e}");
        }
    }
    println!("\n== deal stages each user may pick ==");
    let deals = auth.module("deals").ok_or("no module `deals`")?;
    let stage = auth.field(deals, "stage").ok_or("no field `deals.stage`")?;
    let source = auth
        .field(deals, "source")
        .ok_or("no field `deals.source`")?;
    for name in ["dora", "mia", "sam", "paul"] {
        let u = user(name)?;
        let stages: Vec<&str> = auth.picklist_values(u, stage).collect();
        println!(
            "{name:>5}: {:<24} may add sources: {}",
            stages.join(", "),
            auth.can_add_picklist_value(u, source)
        );
    }
    Ok(())
}
