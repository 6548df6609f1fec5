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

use permatrix::{Action, Policy, Record, Share, authorizer::PrincipalId, policy::ShareAccess};

#[test]
fn checks_do_not_allocate() {
    let mut policy =
        Policy::from_json(include_str!("../../examples/policies/minicrm.json")).unwrap();
    policy.sharing_rules.push(permatrix::policy::SharingRule {
        module: "sales".into(),
        from: permatrix::policy::Principal::RoleAndSubordinates("manager".into()),
        to: permatrix::policy::Principal::Team("sued".into()),
        access: ShareAccess::Read,
    });
    // a team calendar, a share and a role-bound picklist, for the calendar and picklist
    // questions below
    let first_team = policy.teams.keys().next().unwrap().clone();
    let first_user = policy.users.keys().next().unwrap().clone();
    let first_role = policy.roles.keys().next().unwrap().clone();
    policy.teams[&first_team].calendar = true;
    policy
        .calendar_shares
        .push(permatrix::policy::CalendarShare {
            owner: permatrix::policy::CalendarOwner::User(first_user),
            to: permatrix::policy::Principal::Team(first_team),
            level: permatrix::policy::CalendarLevel::Titles,
        });
    let (_, module) = policy.modules.first_mut().unwrap();
    module.fields.insert(
        "stage".into(),
        permatrix::policy::Field {
            mandatory: false,
            picklist: Some(permatrix::policy::Picklist {
                role_bound: true,
                values: vec![
                    permatrix::policy::PicklistValue {
                        value: "open".into(),
                        roles: vec![],
                    },
                    permatrix::policy::PicklistValue {
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
                    allowed += usize::from(auth.cell(u, record.module, *action).is_ok());
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
                // names are looked up once, ids asked many times
                if let Some(f) = auth.field(m, "name") {
                    allowed +=
                        usize::from(auth.field_access(u, f) == permatrix::FieldAccess::ReadWrite);
                }
                if let Some(t) = auth.tool(m, "merge_duplicates") {
                    allowed += usize::from(auth.can_use_tool(u, t));
                }
                if let Some(stage) = auth.field(m, "stage") {
                    allowed += auth.picklist_values(u, stage).count();
                    allowed += usize::from(auth.can_add_picklist_value(u, stage));
                }
                // an unknown name is no id, and looking it up builds nothing
                allowed += usize::from(auth.field(m, "no such field").is_some());
                allowed += usize::from(auth.tool(m, "no such tool").is_some());
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
