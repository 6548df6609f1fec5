//! Random policies for the property tests, built from a "choice tape" of numbers that
//! proptest generates and shrinks: a shorter tape or smaller numbers give a smaller policy.

#![allow(dead_code)]

use permatrix::{
    Action, FieldAccess, Policy,
    policy::{
        Access, AdminLevel, CalendarLevel, CalendarOwner, CalendarRights, CalendarShare,
        ExternalAccess, Field, Merge, Module, ModuleGrant, Override, Picklist, PicklistValue,
        Principal, Profile, Role, Scope, ShareAccess, Sharing, SharingRule, Status, Team, User,
        UserKind,
    },
};

pub const MODULES: [&str; 3] = ["m0", "m1", "m2"];
pub const FIELDS: [&str; 3] = ["f0", "f1", "f2"];
pub const TOOLS: [&str; 4] = ["t0", "t1", "merge_duplicates", "create_picklist_values"];

/// Reads choices off the tape; past its end every choice is 0 (the simplest).
pub struct Tape<'a> {
    pub data: &'a [u32],
    pub pos: usize,
}

impl Tape<'_> {
    pub fn below(&mut self, n: usize) -> usize {
        let v = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        if n == 0 { 0 } else { v as usize % n }
    }
    pub fn chance(&mut self, percent: usize) -> bool {
        // 0 on the tape means "no", so shrinking removes features
        let v = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        v != 0 && (v as usize % 100) < percent
    }
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

pub const SCOPES: [Scope; 6] = [
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
pub const SHARE: [ShareAccess; 3] = [ShareAccess::Read, ShareAccess::ReadWrite, ShareAccess::Full];

pub fn random_policy(t: &mut Tape<'_>) -> Policy {
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
            push_new(&mut profiles, profile(t.below(n_profiles)));
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
        // up to five, so that some users keep their roles outside their facts
        for _ in 0..t.below(6) {
            push_new(&mut u.roles, role(t.below(n_roles)));
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
    // calendars and picklists last, so the tape of everything above keeps its meaning
    for module in p.modules.values_mut() {
        for field in module.fields.values_mut() {
            if !t.chance(40) {
                continue;
            }
            let values = (0..1 + t.below(4))
                .map(|v| PicklistValue {
                    value: format!("v{v}"),
                    roles: (0..t.below(3)).fold(Vec::new(), |mut roles, _| {
                        push_new(&mut roles, role(t.below(n_roles)));
                        roles
                    }),
                })
                .collect();
            field.picklist = Some(Picklist {
                role_bound: t.chance(70),
                values,
            });
        }
    }
    for tm in p.teams.values_mut() {
        tm.calendar = t.chance(50);
        for u in 0..n_users {
            if t.chance(20) {
                let rights = CalendarRights {
                    create_edit: t.chance(50),
                    delete: t.chance(50),
                };
                tm.calendar_rights.insert(user(u), rights);
            }
        }
    }
    for _ in 0..t.below(6) {
        let owner = if n_teams > 0 && t.chance(40) {
            CalendarOwner::Team(team(t.below(n_teams)))
        } else {
            CalendarOwner::User(user(t.below(n_users)))
        };
        p.calendar_shares.push(CalendarShare {
            owner,
            to: random_principal(t, n_users, n_teams, n_roles),
            level: t.pick(CalendarLevel::ALL),
        });
    }
    // sign-in last of all: factors everywhere, and teams required now and then
    p.settings.login_requires_active_team = t.chance(25);
    if t.chance(30) {
        p.settings.system_factors.push("totp".into());
    }
    for u in p.users.values_mut() {
        if t.chance(20) {
            u.factors.push(t.pick(&["totp", "sms"]).into());
        }
    }
    for tm in p.teams.values_mut() {
        if t.chance(25) {
            tm.factors.push(t.pick(&["sms", "key"]).into());
        }
    }
    p
}

/// Lists name each id once (SPEC §2: a repeat is `duplicate_key`); the tape is read the
/// same either way.
fn push_new(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
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

pub fn random_principal(t: &mut Tape<'_>, users: usize, teams: usize, roles: usize) -> Principal {
    match t.below(4) {
        1 if teams > 0 => Principal::Team(format!("t{}", t.below(teams))),
        2 => Principal::Role(format!("r{}", t.below(roles))),
        3 => Principal::RoleAndSubordinates(format!("r{}", t.below(roles))),
        _ => Principal::User(format!("u{}", t.below(users))),
    }
}

/// A name from the policy, or now and then one it does not have.
pub fn name(t: &mut Tape<'_>, prefix: &str, n: usize) -> String {
    if n == 0 || t.chance(3) {
        format!("{prefix}_unknown")
    } else {
        format!("{prefix}{}", t.below(n))
    }
}
