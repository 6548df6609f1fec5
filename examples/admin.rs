//! An administrator's day with permatrix: preview a change (who gains and loses what),
//! apply it, swap the authorizer in force for every request handler, deactivate a user at
//! once, see a refused change leave everything as it was, and print the audit trail.
//!
//! Run with `cargo run --example admin`.

// examples may unwrap and index: a panic is a failed run, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::process::ExitCode;

use permatrix::{
    Action, AuditEvent, LiveAuthorizer, Policy, diff,
    policy::{Access, Scope},
};

const POLICY: &str = include_str!("policies/minicrm.json");

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("admin: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut policy = Policy::from_json(POLICY)?;
    let live = LiveAuthorizer::new(policy.compile()?);
    let mut trail: Vec<AuditEvent> = Vec::new();

    // 1. Stage a change on a copy: field staff may read their team's invoices, and Ben
    //    joins Team Süd.
    let mut staged = policy.clone();
    let mut admin = staged.admin("owner");
    let staged_events = vec![
        admin.update_profile("user", |p| {
            let invoices = p.modules.entry("invoices".into()).or_default();
            invoices.access = Access::ReadOnly;
            invoices.actions.insert(Action::View, Scope::Team);
            invoices.actions.insert(Action::List, Scope::Team);
        })?,
        admin.add_team_member("sued", "ben")?,
    ];

    // 2. Preview: who gains and who loses what.
    let preview = diff(&live.current(), &staged.compile()?);
    println!(
        "== preview: {} changes for {} users ==\n{preview}",
        preview.len(),
        preview.users.len()
    );

    // 3. Apply and swap: every request from now on sees the new policy.
    policy = staged;
    trail.extend(staged_events);
    live.publish(policy.compile()?);
    println!(
        "== applied; revision {} is in force ==\n",
        policy.revision()
    );

    // 4. Deactivate the external partner at once, before any recompile.
    let now = live.current();
    let ext = now.user("ext").ok_or("the demo policy names `ext`")?;
    let projects = now
        .module("projects")
        .ok_or("the demo policy names `projects`")?;
    let alpha = [now
        .team("partner_alpha")
        .ok_or("the demo policy names `partner_alpha`")?];
    let ben = now.user("ben").ok_or("the demo policy names `ben`")?;
    let project = permatrix::Record::owned_by_user(projects, ben).with_teams(&alpha);
    println!(
        "before deactivation, ext may view the Alpha project: {}",
        now.can(ext, Action::View, &project)
    );
    trail.push(policy.admin("owner").deactivate_user("ext")?);
    live.set_active("ext", false);
    println!(
        "after deactivation:  {}\n",
        live.current().can(ext, Action::View, &project)
    );

    // 5. A refused change: Mia manages sales but administers nothing.
    let before = policy.to_json()?;
    let refused = policy.admin("mia").activate_user("tom").unwrap_err();
    println!(
        "mia reactivates tom: refused, {} ({})",
        refused.code(),
        refused.message()
    );
    println!("policy unchanged: {}\n", policy.to_json()? == before);

    // 6. The audit trail the host stores.
    println!("== audit trail ==");
    for event in &trail {
        println!("{}", event.summary());
    }
    if let Some(last) = trail.last() {
        println!(
            "\nlast event as stored:\n{}",
            serde_json::to_string_pretty(last).unwrap_or_default()
        );
    }
    Ok(())
}
