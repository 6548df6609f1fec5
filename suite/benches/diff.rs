//! The change preview at scale: `diff` between the CRM workload (`benches/workload`, roles
//! three levels deep) and the same policy after one administration change, at 10,000 and
//! 100,000 users. The changes: a user joins a team, a role moves in the hierarchy, a
//! sharing rule is added, a user is deactivated, a profile grants one more module (the
//! cells of everyone holding it change). A full compile of the same policy is measured in
//! the same run as the baseline the figures are read against.
//!
//! `cargo bench -p permatrix-suite --bench diff`. Under `cargo test` (no `--bench` argument) it runs on 500
//! users, so CI checks that it works.

// benches may unwrap and index: a panic is a failed run, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use permatrix_suite::workload;

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use permatrix::{
    Action, Policy, diff,
    policy::{Access, ModuleGrant, Principal, Scope, ShareAccess, SharingRule, Status},
};
use workload::{Shape, user_name};

fn sizes() -> Vec<usize> {
    if std::env::args().any(|a| a == "--bench") {
        vec![10_000, 100_000]
    } else {
        vec![500]
    }
}

/// An administration change, as an edit of the policy.
type Edit = Box<dyn Fn(&mut Policy)>;

/// The changes measured, each a name and an edit of the policy.
fn changes(shape: Shape) -> Vec<(&'static str, Edit)> {
    let last = user_name(shape.users - 1);
    vec![
        (
            "team join",
            Box::new(move |p: &mut Policy| {
                if let Some(team) = p.teams.get_mut("t0")
                    && !team.users.contains(&last)
                {
                    team.users.push(last.clone());
                }
            }),
        ),
        (
            "role moved",
            Box::new(move |p: &mut Policy| {
                // a role of the deepest level moves under another parent of the level above
                let role = format!("r{}", shape.roles - 1);
                let parent = format!("r{}", shape.roles / 3);
                if let Some(r) = p.roles.get_mut(&role) {
                    r.parent = Some(parent);
                }
            }),
        ),
        (
            "sharing rule added",
            Box::new(|p: &mut Policy| {
                // on a module where someone of `t2` sees less than all records, so that
                // the rule widens at every size
                let module = narrow_module(p, "t2");
                p.sharing_rules.push(SharingRule {
                    module,
                    from: Principal::Team("t1".into()),
                    to: Principal::Team("t2".into()),
                    access: ShareAccess::ReadWrite,
                });
            }),
        ),
        (
            "user deactivated",
            Box::new(|p: &mut Policy| {
                if let Some(u) = p.users.get_mut("u0") {
                    u.status = Status::Inactive;
                }
            }),
        ),
        (
            "profile widened",
            Box::new(|p: &mut Policy| {
                if let Some(profile) = p.profiles.get_mut("p0") {
                    let mut grant = ModuleGrant {
                        access: Access::On,
                        ..ModuleGrant::default()
                    };
                    grant.actions.insert(Action::View, Scope::All);
                    profile.modules.insert("m99".into(), grant);
                }
            }),
        ),
    ]
}

/// The first module on which a member of `team` may view only some records (his own or
/// his team's), through a profile of one of his roles.
fn narrow_module(p: &Policy, team: &str) -> String {
    let members = p
        .teams
        .get(team)
        .map(|t| t.users.as_slice())
        .unwrap_or_default();
    let narrow = |module: &str| {
        members.iter().filter_map(|u| p.users.get(u)).any(|user| {
            user.roles
                .iter()
                .filter_map(|r| p.roles.get(r))
                .flat_map(|role| role.profiles.iter())
                .filter_map(|name| p.profiles.get(name))
                .filter_map(|profile| profile.modules.get(module))
                .any(|grant| {
                    matches!(
                        grant.actions.get(&Action::View),
                        Some(Scope::Owner | Scope::Team)
                    )
                })
        })
    };
    p.modules
        .keys()
        .find(|m| narrow(m))
        .cloned()
        .expect("someone of the team sees only some records of a module")
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("diff");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(8));
    for users in sizes() {
        let shape = Shape {
            depth: 3,
            ..Shape::crm(users)
        };
        let policy = workload::policy(shape);
        let old = policy.compile().expect("the workload compiles");
        group.bench_function(format!("{users} users: compile (baseline)"), |b| {
            b.iter(|| black_box(policy.compile().expect("the workload compiles")));
        });
        for (name, change) in changes(shape) {
            let mut changed = policy.clone();
            change(&mut changed);
            let new = changed.compile().expect("the changed workload compiles");
            let d = diff(&old, &new);
            assert!(!d.is_empty(), "{name}: the change changes nothing");
            group.bench_function(format!("{users} users: {name}"), |b| {
                b.iter(|| black_box(diff(&old, &new)));
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
