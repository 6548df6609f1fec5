//! The batch and listing queries agree with the single checks they summarise:
//! `can_many` with `can`, `visible_fields` with `field_access`, and `allowed_modules`
//! with every record a user may reach without a record share; and the `try_` forms and
//! `bypasses` say what the plain checks say.

// tests may unwrap and index: a panic is a failed test, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use generate::{FIELDS, MODULES, Tape, random_policy};
use permatrix::{Action, FieldAccess, Owner, Record};
use proptest::prelude::*;

mod common;
use common::by_name::ByName;
use common::generate;

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn batch_queries_agree_with_single_checks(
        policy_tape in prop::collection::vec(any::<u32>(), 1500),
        query_tape in prop::collection::vec(any::<u32>(), 600),
    ) {
        let policy = random_policy(&mut Tape { data: &policy_tape, pos: 0 });
        let auth = policy.compile().unwrap();
        let t = &mut Tape { data: &query_tape, pos: 0 };
        let users = policy.users.len();
        let teams: Vec<_> = (0..policy.teams.len()).filter_map(|i| auth.team_at(i)).collect();
        for _ in 0..8 {
            let user = auth.user_at(t.below(users)).unwrap();
            let action = t.pick(Action::ALL);
            let allowed = auth.allowed_modules(user, action);
            // and the other way: an allowed module lets the user act on their own record
            for &m in &allowed {
                let own = Record::owned_by_user(m, user);
                prop_assert!(
                    auth.can(user, action, &own) || (action.is_module_level() && auth.can_module(user, action, m)),
                    "{:?} {} {:?}", user, action, m
                );
            }
            let mut records = Vec::new();
            for _ in 0..24 {
                let module = auth.module(MODULES[t.below(MODULES.len())]).unwrap();
                let owner = if !teams.is_empty() && t.chance(20) {
                    Owner::Team(teams[t.below(teams.len())])
                } else {
                    Owner::User(auth.user_at(t.below(users)).unwrap())
                };
                let linked: Vec<_> = if teams.is_empty() { Vec::new() } else {
                    (0..t.below(3)).map(|_| teams[t.below(teams.len())]).collect()
                };
                records.push((module, owner, linked));
            }
            let as_records: Vec<Record<'_>> = records
                .iter()
                .map(|(m, o, l)| Record { module: *m, owner: *o, teams: l, shares: &[] })
                .collect();
            let batch = auth.can_many(user, action, &as_records);
            // the `try_` forms and the bypass say what the plain checks say
            let bypass = auth.user_active(user) == Ok(true)
                && policy.settings.admin_bypass
                && matches!(auth.admin_level(user), Ok(permatrix::policy::AdminLevel::Admin | permatrix::policy::AdminLevel::CustomerAdmin));
            prop_assert_eq!(auth.bypasses(user), bypass);
            for m in (0..MODULES.len()).filter_map(|i| auth.module_at(i)) {
                prop_assert_eq!(auth.try_can_module(user, action, m), Ok(auth.can_module(user, action, m)));
            }
            for (record, answer) in as_records.iter().zip(&batch) {
                prop_assert_eq!(*answer, auth.can(user, action, record));
                prop_assert_eq!(auth.try_can(user, action, record), Ok(*answer));
                // a record reached without a share of its own opens its module
                if *answer {
                    prop_assert!(allowed.contains(&record.module), "{:?} {} {:?}", user, action, record);
                }
            }
            for name in MODULES {
                let module = auth.module(name).unwrap();
                let visible = auth.visible_fields(user, module);
                let want: Vec<(&str, FieldAccess)> = FIELDS
                    .iter()
                    .filter(|f| policy.modules[name].fields.contains_key(**f))
                    .map(|f| (*f, auth.field_named(user, module, f)))
                    .filter(|(_, a)| *a != FieldAccess::Hidden)
                    .collect();
                let mut got = visible.clone();
                got.sort();
                let mut want = want;
                want.sort();
                prop_assert_eq!(got, want);
            }
        }
    }
}
