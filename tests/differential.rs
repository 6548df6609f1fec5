//! Differential test: the compiled authorizer against the reference evaluator (written
//! straight from SPEC.md, see `tests/reference`) on random policies and random checks.
//!
//! Policies are built from a "choice tape" of random numbers that proptest generates and
//! shrinks: a shorter tape or smaller numbers give a smaller policy, so a failure shrinks
//! to a small example. By default 256 policies × 200 checks; set
//! `PERMATRIX_PROPTEST_CASES` to run more policies.

mod foreign;
mod generate;
mod reference;

use generate::{FIELDS, MODULES, SHARE, TOOLS, Tape, name, random_policy, random_principal};
use permatrix::{
    Action, Condition, Owner, Policy, Principal, PrincipalId, Record, Share, ShareAccess, TeamId,
};
use proptest::prelude::*;
use reference::{RefOwner, RefRecord, Reference};

const CHECKS_PER_POLICY: usize = 200;
fn run_checks(policy: &Policy, t: &mut Tape<'_>) -> Result<(), TestCaseError> {
    let auth = policy
        .compile()
        .map_err(|e| TestCaseError::fail(format!("generated policy rejected: {e}")))?;
    let reference = Reference::new(policy);
    let foreign = foreign::foreign();
    let (n_users, n_teams, n_roles) = (policy.users.len(), policy.teams.len(), policy.roles.len());
    let uid = |name: &str| auth.user(name).unwrap_or(foreign.user);
    let tid = |name: &str| auth.team(name).unwrap_or(foreign.team);
    let rid = |name: &str| auth.role(name).unwrap_or(foreign.role);
    for _ in 0..CHECKS_PER_POLICY {
        let user = name(t, "u", n_users);
        let module = MODULES[t.below(MODULES.len())];
        let mid = auth.module(module).unwrap_or(foreign.module);
        match t.below(10) {
            0 => {
                let field = FIELDS[t.below(FIELDS.len())];
                let got = auth.field_access(uid(&user), mid, field);
                let want = reference.field_access(&user, module, field);
                prop_assert_eq!(
                    got,
                    want,
                    "field_access({}, {}, {})\n{}",
                    user,
                    module,
                    field,
                    policy.to_json().unwrap()
                );
            }
            1 => {
                let tool = TOOLS[t.below(TOOLS.len())];
                let got = auth.can_use_tool(uid(&user), mid, tool);
                let want = reference.can_use_tool(&user, module, tool);
                prop_assert_eq!(
                    got,
                    want,
                    "can_use_tool({}, {}, {})\n{}",
                    user,
                    module,
                    tool,
                    policy.to_json().unwrap()
                );
            }
            2 => {
                let action = t.pick(Action::ALL);
                let got = auth.can_module(uid(&user), action, mid);
                let want = reference.can(&user, action, module, None);
                if action.is_module_level() {
                    let filter = auth.filter(uid(&user), action, mid);
                    prop_assert_eq!(
                        *filter.condition() == Condition::True,
                        got,
                        "module-level filter {:?}",
                        filter.condition()
                    );
                }
                prop_assert_eq!(
                    got,
                    want,
                    "can_module({}, {}, {})\n{}",
                    user,
                    action,
                    module,
                    policy.to_json().unwrap()
                );
            }
            3 => {
                let got = auth.result_limit(uid(&user));
                let want = reference.result_limit(&user);
                prop_assert_eq!(
                    got,
                    want,
                    "result_limit({})\n{}",
                    user,
                    policy.to_json().unwrap()
                );
            }
            _ => {
                let action = t.pick(Action::ALL);
                let owner = if n_teams > 0 && t.chance(20) {
                    RefOwner::Team(name(t, "t", n_teams))
                } else {
                    RefOwner::User(name(t, "u", n_users))
                };
                let teams: Vec<String> = (0..t.below(3)).map(|_| name(t, "t", n_teams)).collect();
                let shares: Vec<(Principal, ShareAccess)> = (0..t.below(3))
                    .map(|_| {
                        let p = random_principal(t, n_users, n_teams, n_roles);
                        (p, t.pick(&SHARE))
                    })
                    .collect();
                let team_ids: Vec<TeamId> = teams.iter().map(|n| tid(n)).collect();
                let share_ids: Vec<Share> = shares
                    .iter()
                    .map(|(p, access)| Share {
                        to: match p {
                            Principal::User(u) => PrincipalId::User(uid(u)),
                            Principal::Team(x) => PrincipalId::Team(tid(x)),
                            Principal::Role(r) => PrincipalId::Role(rid(r)),
                            Principal::RoleAndSubordinates(r) => {
                                PrincipalId::RoleAndSubordinates(rid(r))
                            }
                        },
                        access: *access,
                    })
                    .collect();
                let record = Record {
                    module: mid,
                    owner: match &owner {
                        RefOwner::User(u) => Owner::User(uid(u)),
                        RefOwner::Team(x) => Owner::Team(tid(x)),
                    },
                    teams: &team_ids,
                    shares: &share_ids,
                };
                let reference_record = RefRecord {
                    module: module.to_string(),
                    owner,
                    teams,
                    shares,
                };
                let got = auth.can(uid(&user), action, &record);
                let want = reference.can(&user, action, module, Some(&reference_record));
                prop_assert_eq!(
                    got,
                    want,
                    "can({}, {}, {:?})\nexplain: {}\npolicy: {}",
                    user,
                    action,
                    reference_record,
                    auth.explain(uid(&user), action, &record),
                    policy.to_json().unwrap()
                );
                let filter = auth.filter(uid(&user), action, mid);
                prop_assert_eq!(
                    filter.matches(&record),
                    got,
                    "filter {:?} disagrees with can({}, {}, {:?})\npolicy: {}",
                    filter.condition(),
                    user,
                    action,
                    reference_record,
                    policy.to_json().unwrap()
                );
                // explain must agree with can, and try_can with both
                prop_assert_eq!(auth.explain(uid(&user), action, &record).allowed, got);
                prop_assert_eq!(
                    auth.try_can(uid(&user), action, &record).unwrap_or(false),
                    got
                );
                if t.chance(20) {
                    let other = reference_record.clone();
                    let got_merge = auth.merge_order(uid(&user), &record, &record).is_some();
                    let want_merge = reference
                        .merge_order(&user, &reference_record, &other)
                        .is_some();
                    prop_assert_eq!(got_merge, want_merge);
                }
            }
        }
    }
    Ok(())
}

fn cases() -> u32 {
    std::env::var("PERMATRIX_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 4096, ..ProptestConfig::default() })]

    #[test]
    fn authorizer_equals_reference(
        policy_tape in prop::collection::vec(any::<u32>(), 1500),
        check_tape in prop::collection::vec(any::<u32>(), CHECKS_PER_POLICY * 30),
    ) {
        let policy = random_policy(&mut Tape { data: &policy_tape, pos: 0 });
        // the document form must round-trip too
        let reread = Policy::from_json(&policy.to_json().unwrap());
        prop_assert_eq!(reread.as_ref(), Ok(&policy));
        run_checks(&policy, &mut Tape { data: &check_tape, pos: 0 })?;
    }
}
