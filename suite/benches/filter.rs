//! Building a list filter (`Authorizer::filter`) for a user with 10 roles and 20 teams on
//! the CRM workload of `benches/workload` at 10k users (flat roles, 100 modules), for
//! each record action on a module where the user's cell is `all`, `team` and `owner`.
//! The baseline, measured in the same run, is `can` on one record for the same user.

// benches may unwrap and index: a panic is a failed run, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use permatrix_suite::workload;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use permatrix::{Action, Record, SqlDialect, SqlSchema, policy::User};
use workload::Shape;

fn bench_filter(c: &mut Criterion) {
    let shape = Shape::crm(10_000);
    let mut policy = workload::policy(shape);
    let wide = User {
        roles: (0..10).map(|r| format!("r{}", r * 7)).collect(),
        ..User::default()
    };
    policy.users.insert("wide".into(), wide);
    for t in 0..20 {
        if let Some(team) = policy.teams.get_mut(&format!("t{}", t * 9)) {
            team.users.push("wide".into());
        }
    }
    let auth = policy.into_authorizer().expect("the workload compiles");
    let user = auth.user("wide").expect("wide");
    let owner = auth.user_at(0).expect("a user");
    let modules: Vec<_> = (0..shape.modules)
        .filter_map(|m| auth.module_at(m))
        .collect();
    let mut group = c.benchmark_group("filter");
    group.bench_function("baseline_can_one_record", |b| {
        let mut i = 0usize;
        b.iter(|| {
            i = (i + 1) % modules.len();
            let record = Record::owned_by_user(modules[i], owner);
            black_box(auth.can(black_box(user), Action::View, &record))
        })
    });
    for action in [Action::View, Action::Edit, Action::Delete] {
        let sizes: Vec<usize> = modules
            .iter()
            .map(|&m| {
                let sql = auth
                    .filter(user, action, m)
                    .to_sql(SqlDialect::Sqlite, &SqlSchema::default())
                    .expect("the default schema");
                sql.params.len()
            })
            .collect();
        eprintln!(
            "{action}: {}..{} SQL parameters over {} modules",
            sizes.iter().min().unwrap_or(&0),
            sizes.iter().max().unwrap_or(&0),
            sizes.len()
        );
        group.bench_function(format!("filter_10_roles_20_teams_{action}"), |b| {
            let mut i = 0usize;
            b.iter(|| {
                i = (i + 1) % modules.len();
                black_box(auth.filter(black_box(user), action, modules[i]))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_filter);
criterion_main!(benches);
