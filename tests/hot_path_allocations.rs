//! The hot path allocates nothing: `can`, `can_module`, `try_can`, `cell`, `field_access`,
//! `can_use_tool`, `calendar_access` and `picklist_values` are measured with a counting
//! allocator.

// tests may unwrap and index: a panic is a failed test, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use permatrix::{Action, Policy, PrincipalId, Record, Share, ShareAccess};

#[test]
fn checks_do_not_allocate() {
    let mut policy = Policy::from_json(include_str!("../examples/policies/minicrm.json")).unwrap();
    policy.sharing_rules.push(permatrix::SharingRule {
        module: "sales".into(),
        from: permatrix::Principal::RoleAndSubordinates("manager".into()),
        to: permatrix::Principal::Team("sued".into()),
        access: ShareAccess::Read,
    });
    // a team calendar, a share and a role-bound picklist, for the calendar and picklist
    // questions below
    let first_team = policy.teams.keys().next().unwrap().clone();
    let first_user = policy.users.keys().next().unwrap().clone();
    let first_role = policy.roles.keys().next().unwrap().clone();
    policy.teams[&first_team].calendar = true;
    policy.calendar_shares.push(permatrix::CalendarShare {
        owner: permatrix::CalendarOwner::User(first_user),
        to: permatrix::Principal::Team(first_team),
        level: permatrix::CalendarLevel::Titles,
    });
    let (_, module) = policy.modules.first_mut().unwrap();
    module.fields.insert(
        "stage".into(),
        permatrix::Field {
            mandatory: false,
            picklist: Some(permatrix::Picklist {
                role_bound: true,
                values: vec![
                    permatrix::PicklistValue {
                        value: "open".into(),
                        roles: vec![],
                    },
                    permatrix::PicklistValue {
                        value: "won".into(),
                        roles: vec![first_role],
                    },
                ],
            }),
        },
    );
    let auth = policy.compile().unwrap();
    let users: Vec<_> = auth
        .policy()
        .users
        .keys()
        .map(|u| auth.user(u).unwrap())
        .collect();
    let modules: Vec<_> = auth
        .policy()
        .modules
        .keys()
        .map(|m| auth.module(m).unwrap())
        .collect();
    let teams: Vec<_> = auth
        .policy()
        .teams
        .keys()
        .map(|t| auth.team(t).unwrap())
        .collect();
    let shares = [
        Share {
            to: PrincipalId::Team(teams[0]),
            access: ShareAccess::ReadWrite,
        },
        Share {
            to: PrincipalId::Role(auth.role("user").unwrap()),
            access: ShareAccess::Read,
        },
    ];
    let mut records = Vec::new();
    for &m in &modules {
        for &owner in &users {
            records.push(Record::owned_by_user(m, owner));
            records.push(
                Record::owned_by_user(m, owner)
                    .with_teams(&teams[..2])
                    .with_shares(&shares),
            );
        }
        records.push(Record::owned_by_team(m, teams[1]).with_teams(&teams[2..]));
    }
    let mut allowed = 0usize;
    let info = allocation_counter::measure(|| {
        for &u in &users {
            for record in &records {
                for action in Action::ALL {
                    allowed += usize::from(auth.can(u, *action, record));
                    allowed += usize::from(auth.try_can(u, *action, record).unwrap_or(false));
                    allowed += usize::from(auth.can_module(u, *action, record.module));
                    allowed += usize::from(auth.cell(u, record.module, *action).is_some());
                }
            }
            for &owner in &users {
                let level = auth.calendar_access(u, permatrix::Owner::User(owner));
                allowed += usize::from(level.is_some());
            }
            for &team in &teams {
                let level = auth.calendar_access(u, permatrix::Owner::Team(team));
                allowed += usize::from(level.is_some());
            }
            for &m in &modules {
                allowed += usize::from(
                    auth.field_access(u, m, "name") == permatrix::FieldAccess::ReadWrite,
                );
                allowed += usize::from(auth.can_use_tool(u, m, "merge_duplicates"));
                allowed += auth.picklist_values(u, m, "stage").count();
                allowed += usize::from(auth.can_add_picklist_value(u, m, "stage"));
                // unknown names are denied without building an error
                allowed += usize::from(
                    auth.field_access(u, m, "no such field") != permatrix::FieldAccess::Hidden,
                );
                allowed += usize::from(auth.can_use_tool(u, m, "no such tool"));
                if let Some(f) = auth.field(m, "name") {
                    allowed += usize::from(
                        auth.field_access_by_id(u, f) == permatrix::FieldAccess::ReadWrite,
                    );
                }
            }
        }
    });
    assert!(
        allowed > 0,
        "the measured checks allowed nothing; the test would prove little"
    );
    assert_eq!(
        info.count_total, 0,
        "checks allocated {} times ({} bytes)",
        info.count_total, info.bytes_total
    );
}
