//! `can` on a generated policy of CRM size: 10k users, 200 roles in a tree, 500 teams
//! (some nested, some conferring roles), 50 modules, records linked to 1–2 teams.
//!
//! The baseline, measured in the same run, is a lookup in a `HashMap<(user, module,
//! action), bool>`: the cheapest thing a host could do with a precomputed yes/no table
//! that ignores records altogether. Report `can` as a ratio to it.

// benches may unwrap and index: a panic is a failed run, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use permatrix::{
    Action, Authorizer, LiveAuthorizer, Policy, Record, TeamId, UserId,
    policy::{Access, Module, ModuleGrant, Profile, Role, Scope, Team, User},
};

const USERS: usize = 10_000;
const ROLES: usize = 200;
const TEAMS: usize = 500;
const MODULES: usize = 50;
const PROFILES: usize = 40;

/// splitmix64: deterministic, so every run measures the same policy.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn generated_policy() -> Policy {
    let mut rng = Rng(42);
    let mut p = Policy::new();
    for m in 0..MODULES {
        p.modules.insert(format!("module{m}"), Module::default());
    }
    let scopes = [
        Scope::None,
        Scope::Owner,
        Scope::Owner,
        Scope::Role,
        Scope::Team,
        Scope::Team,
        Scope::All,
    ];
    for i in 0..PROFILES {
        let mut profile = Profile::default();
        for m in 0..MODULES {
            if rng.below(3) == 0 {
                continue;
            }
            let mut grant = ModuleGrant {
                access: [Access::ReadOnly, Access::On, Access::On][rng.below(3)],
                ..ModuleGrant::default()
            };
            for a in Action::ALL {
                grant.actions.insert(*a, scopes[rng.below(scopes.len())]);
            }
            profile.modules.insert(format!("module{m}"), grant);
        }
        p.profiles.insert(format!("profile{i}"), profile);
    }
    for r in 0..ROLES {
        // a 4-ary tree: role 0 at the top
        let parent = (r > 0).then(|| format!("role{}", (r - 1) / 4));
        let mut profiles = vec![format!("profile{}", rng.below(PROFILES))];
        let second = format!("profile{}", rng.below(PROFILES));
        if rng.below(2) == 0 && !profiles.contains(&second) {
            profiles.push(second);
        }
        p.roles.insert(
            format!("role{r}"),
            Role {
                name: None,
                parent,
                profiles,
            },
        );
    }
    for u in 0..USERS {
        let mut user = User {
            roles: vec![format!("role{}", rng.below(ROLES))],
            ..User::default()
        };
        let second = format!("role{}", rng.below(ROLES));
        if rng.below(4) == 0 && !user.roles.contains(&second) {
            user.roles.push(second);
        }
        p.users.insert(format!("user{u}"), user);
    }
    for t in 0..TEAMS {
        let mut team = Team::default();
        for _ in 0..40 {
            let member = format!("user{}", rng.below(USERS));
            if !team.users.contains(&member) {
                team.users.push(member);
            }
        }
        if t + 1 < TEAMS && rng.below(5) == 0 {
            team.teams
                .push(format!("team{}", t + 1 + rng.below(TEAMS - t - 1)));
        }
        if rng.below(10) == 0 {
            team.role = Some(format!("role{}", rng.below(ROLES)));
        }
        p.teams.insert(format!("team{t}"), team);
    }
    p
}

struct Check {
    user: UserId,
    action: Action,
    record: usize,
}

fn bench_can(c: &mut Criterion) {
    let policy = generated_policy();
    let started = std::time::Instant::now();
    let auth: Authorizer = policy.compile().expect("the generated policy is valid");
    eprintln!(
        "compiled {USERS} users, {ROLES} roles, {TEAMS} teams, {MODULES} modules in {:?}: {} matrix rows, {} bytes ({:.1} MiB)",
        started.elapsed(),
        auth.matrix_rows(),
        auth.memory_usage(),
        auth.memory_usage() as f64 / (1024.0 * 1024.0)
    );

    let mut rng = Rng(7);
    let team_sets: Vec<Vec<TeamId>> = (0..4096)
        .map(|_| {
            (0..1 + rng.below(2))
                .map(|_| auth.team_at(rng.below(TEAMS)).unwrap())
                .collect()
        })
        .collect();
    let records: Vec<Record<'_>> = team_sets
        .iter()
        .map(|teams| {
            Record::owned_by_user(
                auth.module_at(rng.below(MODULES)).unwrap(),
                auth.user_at(rng.below(USERS)).unwrap(),
            )
            .with_teams(teams)
        })
        .collect();
    let record_actions = [
        Action::View,
        Action::List,
        Action::Edit,
        Action::Delete,
        Action::Export,
        Action::Report,
    ];
    let checks: Vec<Check> = (0..8192)
        .map(|_| Check {
            user: auth.user_at(rng.below(USERS)).unwrap(),
            action: record_actions[rng.below(record_actions.len())],
            record: rng.below(records.len()),
        })
        .collect();
    let allowed = checks
        .iter()
        .filter(|k| auth.can(k.user, k.action, &records[k.record]))
        .count();
    eprintln!("{allowed} of {} sampled checks allowed", checks.len());

    // Baseline: a yes/no table keyed by (user, module, action), ignoring the record.
    let table: HashMap<(u32, u32, u8), bool> = checks
        .iter()
        .map(|k| {
            let r = &records[k.record];
            (
                (
                    k.user.index() as u32,
                    r.module.index() as u32,
                    k.action.index() as u8,
                ),
                auth.can(k.user, k.action, r),
            )
        })
        .collect();

    let mut group = c.benchmark_group("can");
    let mut i = 0usize;
    group.bench_function("baseline_hashmap_lookup", |b| {
        b.iter(|| {
            i = (i + 1) & (checks.len() - 1);
            let k = &checks[i];
            let r = &records[k.record];
            black_box(
                table
                    .get(&(
                        k.user.index() as u32,
                        r.module.index() as u32,
                        k.action.index() as u8,
                    ))
                    .copied(),
            )
        })
    });
    group.bench_function("can_mixed_records", |b| {
        b.iter(|| {
            i = (i + 1) & (checks.len() - 1);
            let k = &checks[i];
            black_box(auth.can(black_box(k.user), k.action, &records[k.record]))
        })
    });
    group.bench_function("can_module_create", |b| {
        b.iter(|| {
            i = (i + 1) & (checks.len() - 1);
            let k = &checks[i];
            black_box(auth.can_module(black_box(k.user), Action::Create, records[k.record].module))
        })
    });
    group.finish();

    c.bench_function("compile_10k_users", |b| {
        b.iter(|| black_box(policy.compile().map(|a| a.matrix_rows())))
    });

    // Deactivation without a compile: the time set_active takes, and the time from its
    // call until a reader spinning on checks first sees the denial.
    let live = Arc::new(LiveAuthorizer::new(auth.clone()));
    let victim = checks
        .iter()
        .find(|k| auth.can(k.user, k.action, &records[k.record]))
        .expect("an allowed check");
    let (user, action) = (victim.user, victim.action);
    let (module, owner) = (records[victim.record].module, records[victim.record].owner);
    let teams: Vec<TeamId> = records[victim.record].teams.to_vec();
    let name = auth.user_name(user).unwrap().to_string();
    let mut latencies = Vec::new();
    for _ in 0..200 {
        live.set_active(&name, true);
        let stop = Arc::new(AtomicBool::new(false));
        let denied_at = {
            let (live, stop, teams) = (Arc::clone(&live), Arc::clone(&stop), teams.clone());
            std::thread::spawn(move || {
                let record = Record {
                    module,
                    owner,
                    teams: &teams,
                    shares: &[],
                };
                while !stop.load(Ordering::Relaxed) {
                    if !live.current().can(user, action, &record) {
                        return Some(Instant::now());
                    }
                }
                None
            })
        };
        std::thread::sleep(Duration::from_micros(200));
        let started = Instant::now();
        live.set_active(&name, false);
        std::thread::sleep(Duration::from_millis(1));
        stop.store(true, Ordering::Relaxed);
        latencies.extend(
            denied_at
                .join()
                .unwrap()
                .map(|t| t.saturating_duration_since(started)),
        );
    }
    latencies.sort();
    if !latencies.is_empty() {
        eprintln!(
            "deactivate -> first denied check (10k users, {} runs): median {:?}, p90 {:?}, max {:?}",
            latencies.len(),
            latencies[latencies.len() / 2],
            latencies[latencies.len() * 9 / 10],
            latencies[latencies.len() - 1]
        );
    }
    // One administration change on the same policy: copy, validate, standing before and
    // after, invariants (the transaction every change goes through).
    let mut admin_policy = policy.clone();
    let mut n = 0usize;
    let mut group = c.benchmark_group("admin");
    group.sample_size(10);
    group.bench_function("rename_user_10k_users", |b| {
        b.iter(|| {
            n += 1;
            black_box(
                admin_policy
                    .admin_as_host()
                    .rename_user("user7", &format!("User {n}"))
                    .is_ok(),
            )
        })
    });
    // the same change by a superuser: the SPEC §7 guards compare the teams that list each
    // user and the actor's reach before and after, on top of the host's work
    admin_policy
        .admin_as_host()
        .add_user(
            "su",
            permatrix::policy::User {
                admin: permatrix::policy::AdminLevel::Superuser,
                ..permatrix::policy::User::default()
            },
        )
        .and_then(|_| admin_policy.admin_as_host().activate_user("su"))
        .expect("a superuser joins");
    assert!(
        admin_policy.admin("su").rename_user("user7", "x").is_ok(),
        "the superuser may rename a plain user"
    );
    group.bench_function("rename_user_10k_users_by_superuser", |b| {
        b.iter(|| {
            n += 1;
            black_box(
                admin_policy
                    .admin("su")
                    .rename_user("user7", &format!("User {n}"))
                    .is_ok(),
            )
        })
    });
    group.finish();

    let mut flip = false;
    c.bench_function("set_active_10k_users", |b| {
        b.iter(|| {
            flip = !flip;
            black_box(live.set_active(&name, flip))
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench_can
}
criterion_main!(benches);
