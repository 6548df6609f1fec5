//! No input makes the crate panic: arbitrary text, damaged documents, and ids from
//! nowhere all end in an error or a denial.

// tests may unwrap and index: a panic is a failed test, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use permatrix::{
    Action, Owner, Policy, Record, Share, authorizer::PrincipalId, policy::ShareAccess,
};
use proptest::prelude::*;

mod common;
use common::by_name::ByName;
use common::foreign;

const DEMO: &str = include_str!("../../examples/policies/minicrm.json");

fn exercise(text: &str, ids: &[usize]) {
    let Ok(policy) = Policy::from_json(text) else {
        return;
    };
    let _ = policy.to_json().unwrap();
    let Ok(auth) = policy.compile() else { return };
    let id = |i: usize| ids.get(i).copied().unwrap_or(0);
    // an index this authorizer has, or an id of another one
    let f = foreign::foreign();
    let team = |i: usize| auth.team_at(id(i)).unwrap_or(f.team);
    let teams = [team(3), team(4)];
    let shares = [
        Share {
            to: PrincipalId::Role(auth.role_at(id(5)).unwrap_or(f.role)),
            access: ShareAccess::Full,
        },
        Share {
            to: PrincipalId::Team(team(6)),
            access: ShareAccess::Read,
        },
    ];
    let record = Record {
        module: auth.module_at(id(1)).unwrap_or(f.module),
        owner: if id(7) % 2 == 0 {
            Owner::User(auth.user_at(id(2)).unwrap_or(f.user))
        } else {
            Owner::Team(team(2))
        },
        teams: &teams,
        shares: &shares,
    };
    let user = auth.user_at(id(0)).unwrap_or(f.user);
    for action in Action::ALL {
        let allowed = auth.can(user, *action, &record);
        assert_eq!(auth.explain(user, *action, &record).allowed, allowed);
        let _ = auth.try_can(user, *action, &record);
        let _ = auth.can_module(user, *action, record.module);
    }
    let _ = auth.field_named(user, record.module, "name");
    let _ = auth.tool_named(user, record.module, "pdf_export");
    let _ = auth.result_limit(user);
    let _ = auth.merge_order(user, &record, &record);
    if let Ok(m) = auth.matrix(user) {
        let _ = (m.to_text(), m.to_markdown(), m.to_csv(), m.to_json());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,200}", ids in prop::collection::vec(0usize..12, 8)) {
        exercise(&text, &ids);
    }

    #[test]
    fn damaged_documents_never_panic(
        cut in 0usize..DEMO.len(),
        len in 0usize..40,
        insert in "[\\[\\]{}\",:a-z0-9 ]{0,6}",
        ids in prop::collection::vec(0usize..12, 8),
    ) {
        let end = (cut + len).min(DEMO.len());
        let (start, end) = (floor_char(DEMO, cut), floor_char(DEMO, end));
        let damaged = format!("{}{}{}", &DEMO[..start], insert, &DEMO[end..]);
        exercise(&damaged, &ids);
    }

    #[test]
    fn ids_from_nowhere_never_panic(ids in prop::collection::vec(0usize..usize::MAX, 8)) {
        exercise(DEMO, &ids);
    }
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}
