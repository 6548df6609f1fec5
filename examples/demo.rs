//! The permatrix demo: a MiniCRM-style policy (Owner/Admin, Manager, User, External over a
//! handful of modules), two users' matrices and a few explained decisions.
//!
//! Run with `cargo run --example demo`, or pass a policy document of your own:
//! `cargo run --example demo -- path/to/policy.json`.

// examples may unwrap and index: a panic is a failed run, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::process::ExitCode;

use permatrix::{
    Action, Authorizer, Policy, Record, Share, authorizer::PrincipalId, policy::ShareAccess,
};

/// The built-in default policy, modelled on MiniCRM's roles (seeds/000).
const DEFAULT_POLICY: &str = include_str!("policies/minicrm.json");

fn main() -> ExitCode {
    let text = match std::env::args().nth(1) {
        Some(path) => match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("cannot read {path}: {e}");
                return ExitCode::FAILURE;
            }
        },
        None => DEFAULT_POLICY.to_string(),
    };
    let auth = match Policy::from_json(&text).and_then(|p| p.compile()) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("the policy was rejected: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "compiled {} users into {} matrix rows ({} bytes)\n",
        auth.policy().users.len(),
        auth.matrix_rows(),
        auth.memory_usage()
    );
    let users: Vec<&str> = auth.policy().users.keys().map(String::as_str).collect();
    for name in ["mia", "ben"]
        .into_iter()
        .filter(|n| users.contains(n))
        .chain(users.iter().copied().take(2))
        .take(2)
    {
        if let Some(matrix) = auth.user(name).and_then(|u| auth.matrix(u).ok()) {
            println!("{}", matrix.to_text());
        }
    }
    if auth.user("ben").is_some() && auth.module("sales").is_some() {
        explain_examples(&auth);
    }
    ExitCode::SUCCESS
}

fn explain_examples(auth: &Authorizer) {
    let id = |name: &str| auth.user(name);
    let (Some(mia), Some(ben), Some(lea), Some(ext), Some(owner), Some(tom)) = (
        id("mia"),
        id("ben"),
        id("lea"),
        id("ext"),
        id("owner"),
        id("tom"),
    ) else {
        return;
    };
    let (Some(sales), Some(contacts), Some(projects)) = (
        auth.module("sales"),
        auth.module("contacts"),
        auth.module("projects"),
    ) else {
        return;
    };
    let nord: Vec<_> = auth.team("nord").into_iter().collect();
    let alpha: Vec<_> = auth.team("partner_alpha").into_iter().collect();
    let share_with_ben = [Share {
        to: PrincipalId::User(ben),
        access: ShareAccess::Read,
    }];

    let leas_deal = Record::owned_by_user(sales, lea);
    let shared_deal = Record::owned_by_user(sales, lea).with_shares(&share_with_ben);
    let mias_contact = Record::owned_by_user(contacts, mia).with_teams(&nord);
    let project = Record::owned_by_user(projects, ben).with_teams(&alpha);

    let examples = [
        (
            "Ben opens Lea's deal",
            auth.explain(ben, Action::View, &leas_deal),
        ),
        (
            "Ben opens Lea's deal that she shared with him",
            auth.explain(ben, Action::View, &shared_deal),
        ),
        (
            "Mia (manager) deletes Lea's deal",
            auth.explain(mia, Action::Delete, &leas_deal),
        ),
        (
            "Ben sees a contact of Team Nord",
            auth.explain(ben, Action::View, &mias_contact),
        ),
        (
            "The external partner edits the Alpha project",
            auth.explain(ext, Action::Edit, &project),
        ),
        (
            "The owner deletes a contact",
            auth.explain(owner, Action::Delete, &mias_contact),
        ),
        (
            "Tom, deactivated, opens his old deal",
            auth.explain(tom, Action::View, &Record::owned_by_user(sales, tom)),
        ),
    ];
    for (title, explanation) in examples {
        println!("# {title}\n{explanation}");
    }
}
