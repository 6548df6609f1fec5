//! The authorizer against the reference evaluator (written straight from SPEC.md, see
//! `tests/common/reference`) on one policy and a tape of checks: the body of the differential
//! proptest and of the `differential` fuzz target.

use crate::common::by_name::ByName;
use crate::common::foreign;
use crate::common::generate::{FIELDS, MODULES, SHARE, TOOLS, Tape, name, random_principal};
use crate::common::reference::{RefOwner, RefRecord, Reference};
use permatrix::{
    Action, Owner, Policy, Record, Share, TeamId,
    authorizer::PrincipalId,
    filter::Condition,
    policy::{Principal, ShareAccess},
};

/// `Err` with both values and a message unless they are equal.
macro_rules! ensure_eq {
    ($got:expr, $want:expr $(,)?) => {
        ensure_eq!($got, $want, "values differ")
    };
    ($got:expr, $want:expr, $($fmt:tt)+) => {{
        let (got, want) = (&$got, &$want);
        if got != want {
            return Err(format!("{}\n  got:  {:?}\n  want: {:?}", format!($($fmt)+), got, want));
        }
    }};
}

pub const CHECKS_PER_POLICY: usize = 200;
pub fn run_checks(policy: &Policy, t: &mut Tape<'_>) -> Result<(), String> {
    // half the time, rows with several sources are joined at check time rather than
    // precomputed, so both ways of reading the matrix meet the reference
    let mut compiled = policy.clone();
    if t.below(2) == 0 {
        compiled.set_limits(policy.limits().clone().row_cache_bytes(0));
    }
    let auth = compiled
        .compile()
        .map_err(|e| format!("generated policy rejected: {e}"))?;
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
        match t.below(14) {
            0 => {
                let field = FIELDS[t.below(FIELDS.len())];
                let got = auth.field_named(uid(&user), mid, field);
                let want = reference.field_access(&user, module, field);
                ensure_eq!(
                    got,
                    want,
                    "field_access({}, {}, {})\n{}",
                    user,
                    module,
                    field,
                    policy.to_json().unwrap_or_default()
                );
            }
            1 => {
                let tool = TOOLS[t.below(TOOLS.len())];
                let got = auth.tool_named(uid(&user), mid, tool);
                let want = reference.can_use_tool(&user, module, tool);
                ensure_eq!(
                    got,
                    want,
                    "can_use_tool({}, {}, {})\n{}",
                    user,
                    module,
                    tool,
                    policy.to_json().unwrap_or_default()
                );
            }
            2 => {
                let action = t.pick(Action::ALL);
                let got = auth.can_module(uid(&user), action, mid);
                let want = reference.can(&user, action, module, None);
                if action.is_module_level() {
                    let filter = auth.filter(uid(&user), action, mid);
                    ensure_eq!(
                        *filter.condition() == Condition::True,
                        got,
                        "module-level filter {:?}",
                        filter.condition()
                    );
                }
                ensure_eq!(
                    got,
                    want,
                    "can_module({}, {}, {})\n{}",
                    user,
                    action,
                    module,
                    policy.to_json().unwrap_or_default()
                );
            }
            3 => {
                let got = auth.result_limit(uid(&user));
                let want = reference.result_limit(&user);
                ensure_eq!(
                    got,
                    want,
                    "result_limit({})\n{}",
                    user,
                    policy.to_json().unwrap_or_default()
                );
            }
            4 => {
                let got = auth
                    .login(uid(&user))
                    .map(|f| f.0)
                    .map_err(|d| d.code().as_str());
                ensure_eq!(
                    got,
                    reference.login(&user),
                    "login({})\n{}",
                    user,
                    policy.to_json().unwrap_or_default()
                );
            }
            5 => {
                let area = t.pick(&[
                    "users",
                    "settings",
                    "events",
                    "module_manager",
                    "layout_editor",
                    "wiki",
                    "a_host_area",
                ]);
                let with_module = t.chance(60);
                let got = auth.can_admin(uid(&user), area, with_module.then_some(mid));
                let want = reference.can_admin(&user, area, with_module.then_some(module));
                ensure_eq!(
                    got,
                    want,
                    "can_admin({}, {}, {:?})\n{}",
                    user,
                    area,
                    with_module.then_some(module),
                    policy.to_json().unwrap_or_default()
                );
            }
            6 => {
                let assignee = t.chance(50).then(|| name(t, "u", n_users));
                let related: Vec<String> = (0..t.below(3)).map(|_| name(t, "t", n_teams)).collect();
                let related_ids: Vec<TeamId> = related.iter().map(|r| tid(r)).collect();
                let got = auth
                    .new_record_teams(uid(&user), assignee.as_deref().map(uid), &related_ids)
                    .ok()
                    .map(|teams| {
                        let mut names: Vec<String> = teams
                            .into_iter()
                            .filter_map(|t| auth.team_name(t).ok().map(str::to_string))
                            .collect();
                        names.sort();
                        names
                    });
                ensure_eq!(
                    got,
                    reference.new_record_teams(&user, assignee.as_deref(), &related),
                    "new_record_teams({}, {:?}, {:?})\n{}",
                    user,
                    assignee,
                    related,
                    policy.to_json().unwrap_or_default()
                );
            }
            7 => {
                let field = FIELDS[t.below(FIELDS.len())];
                ensure_eq!(
                    auth.can_add_named(uid(&user), mid, field),
                    reference.can_add_picklist_value(&user, module, field),
                    "can_add_picklist_value({}, {}, {})\n{}",
                    user,
                    module,
                    field,
                    policy.to_json().unwrap_or_default()
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
                ensure_eq!(
                    got,
                    want,
                    "can({}, {}, {:?})\nexplain: {}\npolicy: {}",
                    user,
                    action,
                    reference_record,
                    auth.explain(uid(&user), action, &record),
                    policy.to_json().unwrap_or_default()
                );
                let filter = auth.filter(uid(&user), action, mid);
                // the condition alone, as a host evaluating it in memory would
                let linked_known = record.teams.iter().all(|t| auth.team_name(*t).is_ok());
                if mid == record.module
                    && linked_known
                    && auth.module_name(mid).is_ok()
                    && auth.try_can(uid(&user), action, &record).is_ok()
                {
                    ensure_eq!(
                        filter.condition().matches(&record),
                        got,
                        "Condition::matches {:?}",
                        filter.condition()
                    );
                }
                ensure_eq!(
                    filter.matches(&record),
                    got,
                    "filter {:?} disagrees with can({}, {}, {:?})\npolicy: {}",
                    filter.condition(),
                    user,
                    action,
                    reference_record,
                    policy.to_json().unwrap_or_default()
                );
                // explain must agree with can, and try_can with both
                ensure_eq!(auth.explain(uid(&user), action, &record).allowed, got);
                ensure_eq!(
                    auth.try_can(uid(&user), action, &record).unwrap_or(false),
                    got
                );
                if t.chance(20) {
                    let other = reference_record.clone();
                    let got_merge = auth.merge_order(uid(&user), &record, &record).is_some();
                    let want_merge = reference
                        .merge_order(&user, &reference_record, &other)
                        .is_some();
                    ensure_eq!(got_merge, want_merge);
                }
            }
        }
    }
    // every calendar and picklist of the policy, for every user and one unknown name
    let viewers: Vec<String> = (0..=n_users).map(|u| format!("u{u}")).collect();
    let owners: Vec<RefOwner> = (0..=n_users)
        .map(|u| RefOwner::User(format!("u{u}")))
        .chain((0..=n_teams).map(|t| RefOwner::Team(format!("t{t}"))))
        .collect();
    for viewer in &viewers {
        for owner in &owners {
            let owner_id = match owner {
                RefOwner::User(u) => Owner::User(uid(u)),
                RefOwner::Team(t) => Owner::Team(tid(t)),
            };
            ensure_eq!(
                auth.calendar_access(uid(viewer), owner_id),
                reference.calendar_access(viewer, owner),
                "calendar_access({}, {:?})\n{}",
                viewer,
                owner,
                policy.to_json().unwrap_or_default()
            );
        }
        for module in MODULES {
            let mid = auth.module(module).unwrap_or(foreign.module);
            for field in FIELDS {
                let got: Vec<&str> = auth.picklist_named(uid(viewer), mid, field);
                ensure_eq!(
                    got,
                    reference.picklist_values(viewer, module, field),
                    "picklist_values({}, {}, {})\n{}",
                    viewer,
                    module,
                    field,
                    policy.to_json().unwrap_or_default()
                );
            }
        }
    }
    Ok(())
}

/// The `differential` fuzz target: a policy from the input's first choices, then checks
/// from the rest, each compared with the reference evaluator.
pub fn run(data: &[u8]) {
    let (policy_tape, rest) = super::tape_and_rest(data, 1500);
    let policy = crate::common::generate::random_policy(&mut Tape {
        data: &policy_tape,
        pos: 0,
    });
    let checks: Vec<u32> = rest
        .chunks(4)
        .map(|c| c.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b)))
        .collect();
    if let Err(disagreement) = run_checks(
        &policy,
        &mut Tape {
            data: &checks,
            pos: 0,
        },
    ) {
        panic!("{disagreement}");
    }
}
