//! `Authorizer::recompile` equals a full compile: on random policies, change the grants
//! (a profile's entry, its `view_all`, a role's profiles) or a user's status — the changes
//! it takes a shortcut for — or something else (which it compiles in full), then compare every user's matrix,
//! fields, tools and checks on records of every owner against `Policy::compile`, and the
//! error when the change makes the policy invalid.

// tests may unwrap and index: a panic is a failed test, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use generate::{FIELDS, MODULES, SCOPES, TOOLS, Tape, random_policy};
use permatrix::{Action, Authorizer, Policy, Record};
use proptest::prelude::*;

mod common;
use common::by_name::ByName;
use common::generate;

/// One change to `p`, chosen by the tape.
fn change(p: &mut Policy, t: &mut Tape<'_>) {
    let profiles: Vec<String> = p.profiles.keys().cloned().collect();
    let roles: Vec<String> = p.roles.keys().cloned().collect();
    // the profiles teams cap their roles with, which a change must reach too
    let ceilings: Vec<String> = p.teams.values().filter_map(|t| t.ceiling.clone()).collect();
    match t.below(7) {
        0 | 1 | 6 if !profiles.is_empty() => {
            let profile = match ceilings.first() {
                Some(ceiling) if t.chance(50) => ceiling,
                _ => &profiles[t.below(profiles.len())],
            };
            let module = MODULES[t.below(MODULES.len())];
            let action = t.pick(Action::ALL);
            let scope = t.pick(&SCOPES);
            let entry = p.profiles[profile]
                .modules
                .entry(module.to_string())
                .or_default();
            entry.access = t.pick(&[
                permatrix::policy::Access::Off,
                permatrix::policy::Access::ReadOnly,
                permatrix::policy::Access::On,
            ]);
            entry.actions.insert(action, scope);
        }
        2 if !profiles.is_empty() => {
            let profile = &profiles[t.below(profiles.len())];
            let on = t.chance(50);
            p.profiles[profile].view_all = on;
            if !on {
                p.profiles[profile].edit_all = false;
            }
        }
        3 if !roles.is_empty() && !profiles.is_empty() => {
            let role = &roles[t.below(roles.len())];
            // sometimes none at all, which the policy must refuse as a full compile does
            let n = t.below(3);
            p.roles[role].profiles = (0..n)
                .map(|_| profiles[t.below(profiles.len())].clone())
                .collect();
        }
        4 if !roles.is_empty() && !p.users.is_empty() => {
            // not a grant: a user's roles
            let user = t.below(p.users.len());
            let role = roles[t.below(roles.len())].clone();
            p.users[user].roles.push(role);
        }
        5 if !p.users.is_empty() => {
            // a user's status, which the shortcut takes too
            let user = t.below(p.users.len());
            p.users[user].status = t.pick(&[
                permatrix::policy::Status::Active,
                permatrix::policy::Status::Inactive,
                permatrix::policy::Status::Invited,
            ]);
        }
        _ => {
            // not a grant either: a module's sharing
            if let Some(module) = p.modules.values_mut().next() {
                module.sharing = t.pick(&[
                    permatrix::policy::Sharing::Private,
                    permatrix::policy::Sharing::PublicRead,
                ]);
            }
        }
    }
}

/// Everything a user's decisions are made of, by name, so that two authorizers (with
/// ids of their own) can be compared.
fn decisions(auth: &Authorizer) -> Vec<String> {
    let mut out = Vec::new();
    let users: Vec<_> = (0..).map_while(|i| auth.user_at(i)).collect();
    let teams: Vec<_> = (0..).map_while(|i| auth.team_at(i)).collect();
    for &user in &users {
        out.push(format!("{:?}", auth.matrix(user).map(|m| m.to_json())));
        for module in (0..).map_while(|i| auth.module_at(i)) {
            for field in FIELDS {
                out.push(format!("{:?}", auth.field_named(user, module, field)));
            }
            for tool in TOOLS {
                out.push(format!("{}", auth.tool_named(user, module, tool)));
            }
            for &owner in &users {
                for team in [None, teams.first().copied()] {
                    let linked: Vec<_> = team.into_iter().collect();
                    let record = Record::owned_by_user(module, owner).with_teams(&linked);
                    for &action in Action::ALL {
                        out.push(format!("{}", auth.can(user, action, &record)));
                    }
                }
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn recompile_equals_a_full_compile(
        policy_tape in prop::collection::vec(any::<u32>(), 1500),
        change_tape in prop::collection::vec(any::<u32>(), 40),
    ) {
        let before = random_policy(&mut Tape { data: &policy_tape, pos: 0 });
        let old = before.compile().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut after = before.clone();
        let mut t = Tape { data: &change_tape, pos: 0 };
        for _ in 0..1 + t.below(3) {
            change(&mut after, &mut t);
        }
        let full = after.compile();
        let quick = old.recompile(after.clone());
        match (full, quick) {
            (Ok(full), Ok(quick)) => {
                prop_assert_eq!(quick.policy(), &after);
                prop_assert_eq!(quick.matrix_rows(), full.matrix_rows());
                prop_assert_eq!(decisions(&quick), decisions(&full));
                // the old ids are stale in the new authorizer
                if let Some(u) = old.user_at(0) {
                    prop_assert!(quick.try_can_module(u, Action::Create, quick.module_at(0).unwrap()).is_err());
                }
            }
            (Err(full), Err(quick)) => {
                prop_assert_eq!((full.code(), full.path()), (quick.code(), quick.path()));
            }
            (full, quick) => {
                prop_assert!(false, "full compile {:?}, recompile {:?}", full.map(drop), quick.map(drop));
            }
        }
    }
}
