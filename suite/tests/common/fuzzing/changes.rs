//! One random administration change of any kind, with arguments mostly taken from the
//! policy's own ids (now and then an unknown one): users, roles, profiles (their module
//! grants, fields and tools included), teams (members, nesting, role entries, activity,
//! calendars, limits, factors), modules, sharing rules, calendar shares, picklists and
//! every setting, both ways. Shared by the administration proptest, the `admin` fuzz
//! target and the diff's promise test.

use permatrix::{
    Action, Admin, AuditEvent, FieldAccess, Policy, PolicyError,
    admin::{ProfileTemplate, TransferTarget},
    policy::{
        Access, AdminLevel, CalendarLevel, CalendarOwner, CalendarRights, CalendarShare,
        ExternalAccess, Merge, Module, Override, Picklist, PicklistValue, Principal, Sharing,
        SharingRule, Status, Team, TeamInheritance, User, UserDeletion, UserKind,
    },
};

use crate::common::generate::{SCOPES, SHARE, Tape};

/// The ids of a policy, taken before a change borrows it.
#[derive(Debug, Clone)]
pub struct Names {
    pub users: Vec<String>,
    pub teams: Vec<String>,
    pub roles: Vec<String>,
    pub profiles: Vec<String>,
    /// Modules with their fields and tools.
    pub modules: Vec<(String, Vec<String>, Vec<String>)>,
    pub rules: usize,
    pub calendar_shares: usize,
}

impl Names {
    pub fn of(p: &Policy) -> Names {
        Names {
            users: p.users.keys().cloned().collect(),
            teams: p.teams.keys().cloned().collect(),
            roles: p.roles.keys().cloned().collect(),
            profiles: p.profiles.keys().cloned().collect(),
            modules: p
                .modules
                .iter()
                .map(|(id, m)| {
                    (
                        id.clone(),
                        m.fields.keys().cloned().collect(),
                        m.tools.iter().cloned().collect(),
                    )
                })
                .collect(),
            rules: p.sharing_rules.len(),
            calendar_shares: p.calendar_shares.len(),
        }
    }
}

/// A name from `list`, or one nobody has about one time in twenty.
fn one(t: &mut Tape<'_>, list: &[String], unknown: &str) -> String {
    if list.is_empty() || t.chance(5) {
        unknown.to_string()
    } else {
        list[t.below(list.len())].clone()
    }
}

fn fresh(t: &mut Tape<'_>, prefix: &str) -> String {
    format!("{prefix}n{}", t.below(4))
}

fn level(t: &mut Tape<'_>) -> AdminLevel {
    t.pick(&[
        AdminLevel::None,
        AdminLevel::Superuser,
        AdminLevel::CustomerAdmin,
        AdminLevel::Admin,
    ])
}

fn principal(t: &mut Tape<'_>, n: &Names) -> Principal {
    match t.below(4) {
        0 => Principal::User(one(t, &n.users, "ghost")),
        1 => Principal::Team(one(t, &n.teams, "ghost_team")),
        2 => Principal::Role(one(t, &n.roles, "ghost_role")),
        _ => Principal::RoleAndSubordinates(one(t, &n.roles, "ghost_role")),
    }
}

/// Adds `item` to `list` if it is not there, else removes it: a list edit that keeps
/// each id once.
fn toggle(list: &mut Vec<String>, item: String) {
    match list.iter().position(|x| *x == item) {
        Some(i) => {
            list.remove(i);
        }
        None => list.push(item),
    }
}

/// One random change through `admin`.
pub fn random_change(
    admin: &mut Admin<'_>,
    n: &Names,
    t: &mut Tape<'_>,
) -> Result<AuditEvent, PolicyError> {
    let user = one(t, &n.users, "ghost");
    let other = one(t, &n.users, "ghost");
    let team = one(t, &n.teams, "ghost_team");
    let role = one(t, &n.roles, "ghost_role");
    let profile = one(t, &n.profiles, "ghost_profile");
    let (module, fields, tools) = if n.modules.is_empty() || t.chance(5) {
        ("ghost_module".to_string(), Vec::new(), Vec::new())
    } else {
        n.modules[t.below(n.modules.len())].clone()
    };
    let field = one(t, &fields, "ghost_field");
    let tool = one(t, &tools, "ghost_tool");
    match t.below(48) {
        // users
        0 => admin.add_user(
            &fresh(t, "u"),
            User {
                admin: level(t),
                kind: t.pick(&[UserKind::Internal, UserKind::External, UserKind::System]),
                roles: if t.chance(50) { vec![role] } else { Vec::new() },
                ..User::default()
            },
        ),
        1 => admin.activate_user(&user),
        2 => admin.deactivate_user(&user),
        3 => admin.activate_user(&user),
        4 => admin.rename_user(&user, "Renamed"),
        5 => admin.copy_user(&user, &fresh(t, "u"), None),
        6 => admin.delete_user(&user, TransferTarget::user(&other)),
        7 => admin.set_user_admin(&user, level(t)),
        8 => admin.update_user(&user, |u| toggle(&mut u.roles, role)),
        9 => admin.update_user(&user, |u| {
            let mut o = Override::default();
            match t.below(4) {
                0 => o.access = Some(t.pick(&[Access::Off, Access::ReadOnly, Access::On])),
                1 => {
                    o.actions.insert(t.pick(Action::ALL), t.pick(&SCOPES));
                }
                2 => {
                    o.fields.insert(
                        field,
                        t.pick(&[
                            FieldAccess::Hidden,
                            FieldAccess::ReadOnly,
                            FieldAccess::ReadWrite,
                        ]),
                    );
                }
                _ => {
                    o.tools.insert(tool, t.chance(50));
                }
            }
            if t.chance(30) {
                u.overrides.shift_remove(&module);
            } else {
                u.overrides.insert(module, o);
            }
        }),
        10 => admin.update_user(&user, |u| {
            if u.factors.is_empty() {
                u.factors.push("totp".into());
            } else {
                u.factors.clear();
            }
        }),
        11 => admin.update_user(&user, |u| {
            u.kind = t.pick(&[UserKind::Internal, UserKind::External, UserKind::System]);
        }),
        12 => admin.update_user(&user, |u| {
            u.status = t.pick(&[Status::Active, Status::Inactive, Status::Invited]);
        }),
        // roles
        13 => admin.add_role(
            &fresh(t, "r"),
            t.chance(50).then_some(role.as_str()),
            &[profile.as_str()],
        ),
        14 => {
            let parent = one(t, &n.roles, "ghost_role");
            admin.move_role(&role, t.chance(70).then_some(parent.as_str()))
        }
        15 => admin.delete_role(&role, TransferTarget::role(&one(t, &n.roles, "ghost_role"))),
        // profiles
        16 => admin.add_profile(
            &fresh(t, "p"),
            t.pick(&[ProfileTemplate::Empty, ProfileTemplate::AllowAll]),
        ),
        17 => admin.copy_profile(&profile, &fresh(t, "p")),
        18 => admin.delete_profile(
            &profile,
            TransferTarget::profile(&one(t, &n.profiles, "ghost_profile")),
        ),
        19 => admin.update_profile(&profile, |p| {
            p.view_all = !p.view_all;
            p.edit_all = p.edit_all && p.view_all;
        }),
        20 => admin.update_profile(&profile, |p| {
            p.modules.entry(module).or_default().access =
                t.pick(&[Access::Off, Access::ReadOnly, Access::On]);
        }),
        21 => admin.update_profile(&profile, |p| {
            p.modules
                .entry(module)
                .or_default()
                .actions
                .insert(t.pick(Action::ALL), t.pick(&SCOPES));
        }),
        22 => admin.update_profile(&profile, |p| {
            let access = t.pick(&[
                FieldAccess::Hidden,
                FieldAccess::ReadOnly,
                FieldAccess::ReadWrite,
            ]);
            let grant = p.modules.entry(module).or_default();
            if t.chance(30) {
                grant.fields.shift_remove(&field);
            } else {
                grant.fields.insert(field, access);
            }
        }),
        23 => admin.update_profile(&profile, |p| {
            let on = t.chance(50);
            p.modules.entry(module).or_default().tools.insert(tool, on);
        }),
        24 => admin.update_profile(&profile, |p| {
            p.auto_allow_new_modules = !p.auto_allow_new_modules
        }),
        // teams
        25 => admin.add_team(
            &fresh(t, "t"),
            Team {
                users: if t.chance(50) { vec![user] } else { Vec::new() },
                role: t.chance(40).then_some(role),
                admin: if t.chance(20) {
                    level(t)
                } else {
                    AdminLevel::None
                },
                ..Team::default()
            },
        ),
        26 => admin.copy_team(&team, &fresh(t, "t")),
        27 => admin.add_team_member(&team, &user),
        28 => admin.remove_team_member(&team, &user),
        29 => {
            let to = if t.chance(50) {
                TransferTarget::Team(one(t, &n.teams, "ghost_team"))
            } else {
                TransferTarget::User(other)
            };
            admin.deactivate_team(&team, to)
        }
        30 => admin.activate_team(&team),
        31 => admin.delete_team(&team, TransferTarget::User(other)),
        32 => admin.set_team_admin(&team, level(t)),
        33 => admin.update_team(&team, |x| {
            toggle(&mut x.teams, one(t, &n.teams, "ghost_team"))
        }),
        34 => admin.update_team(&team, |x| {
            if t.chance(50) {
                toggle(&mut x.roles, role);
            } else {
                toggle(&mut x.roles_and_subordinates, role);
            }
        }),
        35 => admin.update_team(&team, |x| match t.below(4) {
            0 => x.role = if x.role.is_some() { None } else { Some(role) },
            1 => {
                x.ceiling = if x.ceiling.is_some() {
                    None
                } else {
                    Some(profile)
                }
            }
            2 => {
                x.result_limit = if t.chance(30) {
                    None
                } else {
                    Some(t.below(500) as u64)
                }
            }
            _ => toggle(&mut x.factors, "sms".into()),
        }),
        36 => admin.update_team(&team, |x| x.active = !x.active),
        // modules, rules, calendars, picklists
        37 => admin.add_module(&fresh(t, "m"), Module::default()),
        38 => admin.add_tool(&module, &fresh(t, "tool")),
        39 => admin.set_module_sharing(
            &module,
            t.pick(&[
                Sharing::Private,
                Sharing::PublicRead,
                Sharing::PublicReadWrite,
                Sharing::PublicReadWriteDelete,
            ]),
        ),
        40 => admin.add_sharing_rule(SharingRule {
            module,
            from: principal(t, n),
            to: principal(t, n),
            access: t.pick(&SHARE),
        }),
        41 => admin.remove_sharing_rule(t.below(n.rules + 1)),
        42 => admin.add_calendar_share(CalendarShare {
            owner: if t.chance(40) {
                CalendarOwner::Team(team)
            } else {
                CalendarOwner::User(user)
            },
            to: principal(t, n),
            level: t.pick(CalendarLevel::ALL),
        }),
        43 => admin.remove_calendar_share(t.below(n.calendar_shares + 1)),
        44 => {
            if t.chance(50) {
                admin.set_team_calendar(&team, t.chance(60))
            } else {
                let rights = t.chance(70).then(|| CalendarRights {
                    create_edit: t.chance(50),
                    delete: t.chance(50),
                });
                admin.set_calendar_rights(&team, &user, rights)
            }
        }
        45 => {
            let list = t.chance(80).then(|| Picklist {
                role_bound: t.chance(60),
                values: (0..1 + t.below(3))
                    .map(|v| PicklistValue {
                        value: format!("v{v}"),
                        roles: if t.chance(50) {
                            vec![one(t, &n.roles, "ghost_role")]
                        } else {
                            Vec::new()
                        },
                    })
                    .collect(),
            });
            admin.set_picklist(&module, &field, list)
        }
        // settings, every one, both ways
        _ => admin.update_settings(|s| match t.below(12) {
            0 => {
                s.merge = if s.merge == Merge::Additive {
                    Merge::Subtractive
                } else {
                    Merge::Additive
                }
            }
            1 => {
                s.default_role = if s.default_role.is_some() {
                    None
                } else {
                    Some(role)
                }
            }
            2 => s.admin_bypass = !s.admin_bypass,
            3 => {
                s.external_access = if s.external_access == ExternalAccess::ReadOnly {
                    ExternalAccess::AsGranted
                } else {
                    ExternalAccess::ReadOnly
                }
            }
            4 => s.login_requires_active_team = !s.login_requires_active_team,
            5 => {
                if s.system_factors.is_empty() {
                    s.system_factors.push("totp".into());
                } else {
                    s.system_factors.clear();
                }
            }
            6 => {
                let source = t.pick(&[
                    TeamInheritance::Creator,
                    TeamInheritance::Assignee,
                    TeamInheritance::Related,
                ]);
                match s.team_inheritance.iter().position(|x| *x == source) {
                    Some(i) => {
                        s.team_inheritance.remove(i);
                    }
                    None => s.team_inheritance.push(source),
                }
            }
            7 => {
                s.licenses = if s.licenses.is_some() {
                    None
                } else {
                    Some(t.below(8) as u64)
                }
            }
            8 => {
                s.user_deletion = if s.user_deletion == UserDeletion::Forbidden {
                    UserDeletion::WithTransfer
                } else {
                    UserDeletion::Forbidden
                }
            }
            9 => {
                s.max_admin_sessions = if s.max_admin_sessions.is_some() {
                    None
                } else {
                    Some(t.below(3) as u64)
                }
            }
            10 => {
                if s.admin_areas.superuser_denied.is_empty() {
                    s.admin_areas.superuser_denied.push("events".into());
                } else {
                    s.admin_areas.superuser_denied.clear();
                }
            }
            _ => toggle(&mut s.admin_areas.customer_admin_denied, "users".into()),
        }),
    }
}

/// A few edits no administration operation makes, that a host makes to its document:
/// module flags and a role's profiles. `None` when the edit is not possible.
pub fn random_document_edit(p: &mut Policy, t: &mut Tape<'_>) -> Option<()> {
    let n = Names::of(p);
    match t.below(4) {
        0 => {
            let (m, ..) = n.modules.get(t.below(n.modules.len().max(1)))?.clone();
            let module = p.modules.get_mut(&m)?;
            module.owned = !module.owned;
        }
        1 => {
            let (m, ..) = n.modules.get(t.below(n.modules.len().max(1)))?.clone();
            let module = p.modules.get_mut(&m)?;
            module.hierarchy = !module.hierarchy;
        }
        2 => {
            let r = n.roles.get(t.below(n.roles.len().max(1)))?.clone();
            let pr = n.profiles.get(t.below(n.profiles.len().max(1)))?.clone();
            let role = p.roles.get_mut(&r)?;
            if role.profiles.contains(&pr) {
                if role.profiles.len() > 1 {
                    role.profiles.retain(|x| *x != pr);
                }
            } else {
                role.profiles.push(pr);
            }
        }
        _ => {
            let u = n.users.get(t.below(n.users.len().max(1)))?.clone();
            let key = t.below(3) as i64;
            p.users.get_mut(&u)?.key = Some(key.into());
        }
    }
    p.validate().ok()
}
