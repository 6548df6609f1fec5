//! Differential test: the compiled authorizer against the reference evaluator (written
//! straight from SPEC.md, see `tests/reference`) on random policies and random checks.
//!
//! Policies are built from a "choice tape" of random numbers that proptest generates and
//! shrinks: a shorter tape or smaller numbers give a smaller policy, so a failure shrinks
//! to a small example. By default 256 policies × 200 checks; set
//! `PERMATRIX_PROPTEST_CASES` to run more policies.

mod reference;

use permatrix::{
    Access, Action, AdminLevel, Condition, ExternalAccess, Field, FieldAccess, Merge, Module,
    ModuleGrant, ModuleId, Override, Owner, Policy, Principal, PrincipalId, Profile, Record, Role,
    RoleId, Scope, Share, ShareAccess, Sharing, SharingRule, Status, Team, TeamId, User, UserId,
    UserKind,
};
use proptest::prelude::*;
use reference::{RefOwner, RefRecord, Reference};

const CHECKS_PER_POLICY: usize = 200;
const MODULES: [&str; 3] = ["m0", "m1", "m2"];
const FIELDS: [&str; 3] = ["f0", "f1", "f2"];
const TOOLS: [&str; 3] = ["t0", "t1", "merge_duplicates"];

/// Reads choices off the tape; past its end every choice is 0 (the simplest).
struct Tape<'a> {
    data: &'a [u32],
    pos: usize,
}

impl Tape<'_> {
    fn below(&mut self, n: usize) -> usize {
        let v = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        if n == 0 { 0 } else { v as usize % n }
    }
    fn chance(&mut self, percent: usize) -> bool {
        // 0 on the tape means "no", so shrinking removes features
        let v = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        v != 0 && (v as usize % 100) < percent
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

const SCOPES: [Scope; 6] = [
    Scope::None,
    Scope::Admin,
    Scope::Owner,
    Scope::Role,
    Scope::Team,
    Scope::All,
];
const ACCESS: [Access; 4] = [Access::Off, Access::ReadOnly, Access::On, Access::On];
const FIELD_ACCESS: [FieldAccess; 3] = [
    FieldAccess::Hidden,
    FieldAccess::ReadOnly,
    FieldAccess::ReadWrite,
];
const LEVELS: [AdminLevel; 4] = [
    AdminLevel::None,
    AdminLevel::Superuser,
    AdminLevel::CustomerAdmin,
    AdminLevel::Admin,
];
const SHARE: [ShareAccess; 3] = [ShareAccess::Read, ShareAccess::ReadWrite, ShareAccess::Full];

fn random_policy(t: &mut Tape<'_>) -> Policy {
    let mut p = Policy::new();
    let n_roles = 1 + t.below(8);
    let n_profiles = 1 + t.below(5);
    let n_users = 1 + t.below(10);
    let n_teams = t.below(7);
    let role = |i: usize| format!("r{i}");
    let profile = |i: usize| format!("p{i}");
    let user = |i: usize| format!("u{i}");
    let team = |i: usize| format!("t{i}");

    for name in MODULES {
        let mut m = Module {
            sharing: t.pick(&[
                Sharing::Private,
                Sharing::Private,
                Sharing::PublicRead,
                Sharing::PublicReadWrite,
                Sharing::PublicReadWriteDelete,
            ]),
            hierarchy: !t.chance(25),
            owned: !t.chance(15),
            sharing_locked: t.chance(10),
            ..Module::default()
        };
        for f in FIELDS {
            m.fields.insert(
                f.to_string(),
                Field {
                    mandatory: t.chance(30),
                    picklist: None,
                },
            );
        }
        for tool in TOOLS {
            m.tools.insert(tool.to_string());
        }
        p.modules.insert(name.to_string(), m);
    }
    for i in 0..n_profiles {
        let view_all = t.chance(12);
        let mut pr = Profile {
            view_all,
            edit_all: view_all && t.chance(50),
            ..Profile::default()
        };
        for name in MODULES {
            if !t.chance(75) {
                continue;
            }
            pr.modules
                .insert(name.to_string(), random_grant(t, &p.modules[name]));
        }
        p.profiles.insert(profile(i), pr);
    }
    for i in 0..n_roles {
        let parent = (i > 0 && t.chance(60)).then(|| role(t.below(i)));
        let mut profiles = vec![profile(t.below(n_profiles))];
        if t.chance(30) {
            profiles.push(profile(t.below(n_profiles)));
        }
        p.roles.insert(
            role(i),
            Role {
                name: None,
                parent,
                profiles,
            },
        );
    }
    for i in 0..n_users {
        let mut u = User {
            status: t.pick(&[
                Status::Active,
                Status::Active,
                Status::Active,
                Status::Active,
                Status::Inactive,
                Status::Invited,
            ]),
            kind: t.pick(&[
                UserKind::Internal,
                UserKind::Internal,
                UserKind::Internal,
                UserKind::External,
                UserKind::System,
            ]),
            admin: if t.chance(10) {
                t.pick(&LEVELS)
            } else {
                AdminLevel::None
            },
            ..User::default()
        };
        for _ in 0..t.below(3) {
            u.roles.push(role(t.below(n_roles)));
        }
        if t.chance(20) {
            for name in MODULES {
                if t.chance(50) {
                    u.overrides
                        .insert(name.to_string(), random_override(t, &p.modules[name]));
                }
            }
        }
        p.users.insert(user(i), u);
    }
    for i in 0..n_teams {
        let mut tm = Team {
            active: !t.chance(15),
            admin: if t.chance(8) {
                t.pick(&LEVELS)
            } else {
                AdminLevel::None
            },
            result_limit: t.chance(30).then(|| t.below(500) as u64),
            ceiling: t.chance(25).then(|| profile(t.below(n_profiles))),
            role: t.chance(50).then(|| role(t.below(n_roles))),
            ..Team::default()
        };
        for u in 0..n_users {
            if t.chance(25) {
                tm.users.push(user(u));
            }
        }
        // only later teams nest inside earlier ones: acyclic by construction
        for j in i + 1..n_teams {
            if t.chance(20) {
                tm.teams.push(team(j));
            }
        }
        for r in 0..n_roles {
            if t.chance(12) {
                tm.roles.push(role(r));
            }
            if t.chance(8) {
                tm.roles_and_subordinates.push(role(r));
            }
        }
        p.teams.insert(team(i), tm);
    }
    for _ in 0..t.below(5) {
        let module = MODULES[t.below(MODULES.len())].to_string();
        let from = random_principal(t, n_users, n_teams, n_roles);
        let to = random_principal(t, n_users, n_teams, n_roles);
        p.sharing_rules.push(SharingRule {
            module,
            from,
            to,
            access: t.pick(&SHARE),
        });
    }
    p.settings.merge = if t.chance(30) {
        Merge::Subtractive
    } else {
        Merge::Additive
    };
    p.settings.default_role = t.chance(30).then(|| role(t.below(n_roles)));
    p.settings.admin_bypass = !t.chance(20);
    p.settings.external_access = if t.chance(30) {
        ExternalAccess::AsGranted
    } else {
        ExternalAccess::ReadOnly
    };
    p
}

fn random_grant(t: &mut Tape<'_>, module: &Module) -> ModuleGrant {
    let mut g = ModuleGrant {
        access: t.pick(&ACCESS),
        ..ModuleGrant::default()
    };
    for action in Action::ALL {
        if t.chance(70) {
            g.actions.insert(*action, t.pick(&SCOPES));
        }
    }
    for (name, def) in &module.fields {
        if t.chance(40) {
            let access = if def.mandatory {
                FieldAccess::ReadWrite
            } else {
                t.pick(&FIELD_ACCESS)
            };
            g.fields.insert(name.clone(), access);
        }
    }
    for tool in &module.tools {
        if t.chance(50) {
            g.tools.insert(tool.clone(), t.chance(60));
        }
    }
    g
}

fn random_override(t: &mut Tape<'_>, module: &Module) -> Override {
    let mut o = Override {
        access: t.chance(50).then(|| t.pick(&ACCESS)),
        ..Override::default()
    };
    for _ in 0..t.below(3) {
        o.actions.insert(t.pick(Action::ALL), t.pick(&SCOPES));
    }
    for (name, def) in &module.fields {
        if t.chance(25) {
            let access = if def.mandatory {
                FieldAccess::ReadWrite
            } else {
                t.pick(&FIELD_ACCESS)
            };
            o.fields.insert(name.clone(), access);
        }
    }
    for tool in &module.tools {
        if t.chance(25) {
            o.tools.insert(tool.clone(), t.chance(50));
        }
    }
    o
}

fn random_principal(t: &mut Tape<'_>, users: usize, teams: usize, roles: usize) -> Principal {
    match t.below(4) {
        1 if teams > 0 => Principal::Team(format!("t{}", t.below(teams))),
        2 => Principal::Role(format!("r{}", t.below(roles))),
        3 => Principal::RoleAndSubordinates(format!("r{}", t.below(roles))),
        _ => Principal::User(format!("u{}", t.below(users))),
    }
}

/// A name from the policy, or now and then one it does not have.
fn name(t: &mut Tape<'_>, prefix: &str, n: usize) -> String {
    if n == 0 || t.chance(3) {
        format!("{prefix}_unknown")
    } else {
        format!("{prefix}{}", t.below(n))
    }
}

fn run_checks(policy: &Policy, t: &mut Tape<'_>) -> Result<(), TestCaseError> {
    let auth = policy
        .compile()
        .map_err(|e| TestCaseError::fail(format!("generated policy rejected: {e}")))?;
    let reference = Reference::new(policy);
    let (n_users, n_teams, n_roles) = (policy.users.len(), policy.teams.len(), policy.roles.len());
    let uid = |name: &str| auth.user(name).unwrap_or(UserId::from_index(usize::MAX));
    let tid = |name: &str| auth.team(name).unwrap_or(TeamId::from_index(usize::MAX));
    let rid = |name: &str| auth.role(name).unwrap_or(RoleId::from_index(usize::MAX));
    for _ in 0..CHECKS_PER_POLICY {
        let user = name(t, "u", n_users);
        let module = MODULES[t.below(MODULES.len())];
        let mid = auth
            .module(module)
            .unwrap_or(ModuleId::from_index(usize::MAX));
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
                    policy.to_json()
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
                    policy.to_json()
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
                    policy.to_json()
                );
            }
            3 => {
                let got = auth.result_limit(uid(&user));
                let want = reference.result_limit(&user);
                prop_assert_eq!(got, want, "result_limit({})\n{}", user, policy.to_json());
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
                    policy.to_json()
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
                    policy.to_json()
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
        let reread = Policy::from_json(&policy.to_json());
        prop_assert_eq!(reread.as_ref(), Ok(&policy));
        run_checks(&policy, &mut Tape { data: &check_tape, pos: 0 })?;
    }
}
