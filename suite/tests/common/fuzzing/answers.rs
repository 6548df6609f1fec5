//! Every answer two authorizers give about one user, asked directly and compared: the
//! decisions on a set of records, fields, tools, calendars, picklists, sign-in, the
//! result limit, the admin level and areas, module access and cells, and the teams of new
//! records. Written against the public API alone, apart from the diff it checks: the diff's
//! promise test and the guards' invariant in the administration fuzz target both ask it.

use crate::common::by_name::ByName;
use permatrix::diff::Direction;
use permatrix::{
    Action, Authorizer, HostKey, OwnedRecord, Owner, Share,
    authorizer::{Cell, PrincipalId, areas},
    explain::{Change, PolicyDiff},
    policy::{Principal, ShareAccess},
};

use crate::common::generate::Tape;

/// A record by names.
#[derive(Debug, Clone)]
pub struct Rec {
    pub module: String,
    /// `Ok(user)` or `Err(team)`.
    pub owner: Result<String, String>,
    pub teams: Vec<String>,
    pub shares: Vec<(Principal, ShareAccess)>,
}

impl Rec {
    /// The record in `auth`'s ids, if it names only ids `auth` knows.
    pub fn resolve(&self, auth: &Authorizer) -> Option<OwnedRecord> {
        let module = auth.module(&self.module)?;
        let owner = match &self.owner {
            Ok(u) => Owner::User(auth.user(u)?),
            Err(t) => Owner::Team(auth.team(t)?),
        };
        let teams = self
            .teams
            .iter()
            .map(|t| auth.team(t))
            .collect::<Option<Vec<_>>>()?;
        let shares = self
            .shares
            .iter()
            .map(|(p, access)| {
                let to = match p {
                    Principal::User(u) => PrincipalId::User(auth.user(u)?),
                    Principal::Team(t) => PrincipalId::Team(auth.team(t)?),
                    Principal::Role(r) => PrincipalId::Role(auth.role(r)?),
                    Principal::RoleAndSubordinates(r) => {
                        PrincipalId::RoleAndSubordinates(auth.role(r)?)
                    }
                };
                Some(Share {
                    to,
                    access: *access,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(
            OwnedRecord::new(module, owner)
                .with_teams(teams)
                .with_shares(shares),
        )
    }
}

/// Ids of one section both authorizers know.
fn common(
    a: impl Iterator<Item = String>,
    b: &Authorizer,
    known: impl Fn(&Authorizer, &str) -> bool,
) -> Vec<String> {
    a.filter(|x| known(b, x)).collect()
}

/// Records over ids both authorizers know: for every module and owner a plain record, one
/// linked to each team and one shared with each principal at each access, then `extra`
/// random combinations from the tape.
pub fn records(was: &Authorizer, now: &Authorizer, t: &mut Tape<'_>, extra: usize) -> Vec<Rec> {
    let (po, _) = (was.policy(), now.policy());
    let users = common(po.users.keys().cloned(), now, |a, x| a.user(x).is_some());
    let teams = common(po.teams.keys().cloned(), now, |a, x| a.team(x).is_some());
    let roles = common(po.roles.keys().cloned(), now, |a, x| a.role(x).is_some());
    let modules = common(po.modules.keys().cloned(), now, |a, x| {
        a.module(x).is_some()
    });
    let owners: Vec<Result<String, String>> = users
        .iter()
        .cloned()
        .map(Ok)
        .chain(teams.iter().cloned().map(Err))
        .collect();
    let mut principals: Vec<Principal> = Vec::new();
    principals.extend(users.iter().cloned().map(Principal::User));
    principals.extend(teams.iter().cloned().map(Principal::Team));
    principals.extend(roles.iter().cloned().map(Principal::Role));
    principals.extend(roles.iter().cloned().map(Principal::RoleAndSubordinates));
    let mut out = Vec::new();
    for module in &modules {
        // the plain record of each owner, once linked to each team, once shared
        for owner in &owners {
            out.push(Rec {
                module: module.clone(),
                owner: owner.clone(),
                teams: Vec::new(),
                shares: Vec::new(),
            });
        }
        // a team's record where there is one: owned by nobody it is checked for
        let Some(first) = owners.last() else { continue };
        for team in &teams {
            out.push(Rec {
                module: module.clone(),
                owner: first.clone(),
                teams: vec![team.clone()],
                shares: Vec::new(),
            });
        }
        for p in &principals {
            for access in [ShareAccess::Read, ShareAccess::Full] {
                out.push(Rec {
                    module: module.clone(),
                    owner: first.clone(),
                    teams: Vec::new(),
                    shares: vec![(p.clone(), access)],
                });
            }
        }
    }
    if owners.is_empty() || modules.is_empty() {
        return out;
    }
    for _ in 0..extra {
        let module = modules[t.below(modules.len())].clone();
        let owner = owners[t.below(owners.len())].clone();
        let mut linked = Vec::new();
        for _ in 0..t.below(3) {
            if !teams.is_empty() {
                linked.push(teams[t.below(teams.len())].clone());
            }
        }
        let mut shares = Vec::new();
        for _ in 0..t.below(3) {
            if !principals.is_empty() {
                let p = principals[t.below(principals.len())].clone();
                let access =
                    t.pick(&[ShareAccess::Read, ShareAccess::ReadWrite, ShareAccess::Full]);
                shares.push((p, access));
            }
        }
        out.push(Rec {
            module,
            owner,
            teams: linked,
            shares,
        });
    }
    out
}

/// One answer about a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Surface {
    Decision {
        module: String,
        action: Action,
    },
    Access {
        module: String,
    },
    Cell {
        module: String,
        action: Action,
    },
    Field {
        module: String,
        field: String,
    },
    Tool {
        module: String,
        tool: String,
    },
    Calendar {
        owner: String,
    },
    Picklist {
        module: String,
        field: String,
        value: String,
    },
    AddPicklist {
        module: String,
        field: String,
    },
    SignIn,
    ResultLimit,
    AdminLevel,
    AdminArea {
        area: String,
        module: Option<String>,
    },
    NewRecordTeams,
    HostKey,
}

/// An answer that differs, and whether the user can do (see, reach) more or less.
#[derive(Debug, Clone)]
pub struct Difference {
    pub surface: Surface,
    pub gain: bool,
    pub loss: bool,
    pub detail: String,
}

fn diff_of<T: PartialOrd + std::fmt::Debug>(
    surface: Surface,
    before: T,
    after: T,
    out: &mut Vec<Difference>,
) {
    if before != after {
        out.push(Difference {
            detail: format!("{before:?} -> {after:?}"),
            gain: after > before,
            loss: after < before,
            surface,
        });
    }
}

fn flag(surface: Surface, before: bool, after: bool, out: &mut Vec<Difference>) {
    diff_of(surface, before, after, out);
}

/// The areas worth asking: the crate's, the settings' lists, and one nobody names.
fn area_names(was: &Authorizer, now: &Authorizer) -> Vec<String> {
    let mut names: Vec<String> = [
        areas::USERS,
        areas::ROLES,
        areas::PROFILES,
        areas::TEAMS,
        areas::SHARING_RULES,
        areas::SETTINGS,
        areas::MODULE_MANAGER,
        areas::MODULE_SETTINGS,
        areas::EVENTS,
        "wiki",
        "some_host_area",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for a in [was, now] {
        let d = &a.policy().settings.admin_areas;
        names.extend(d.customer_admin_denied.iter().cloned());
        names.extend(d.superuser_denied.iter().cloned());
    }
    names.sort();
    names.dedup();
    names
}

/// Every answer about `user` (a name both authorizers know) that differs between `was`
/// and `now`, over `records` for the decisions. Cells and module access of a user whose
/// data checks are bypassed on both sides are not answers: the bypass answers for them.
pub fn differences(
    was: &Authorizer,
    now: &Authorizer,
    user: &str,
    records: &[Rec],
) -> Vec<Difference> {
    let mut out = Vec::new();
    let (Some(a), Some(b)) = (was.user(user), now.user(user)) else {
        return out;
    };
    for rec in records {
        let (Some(ra), Some(rb)) = (rec.resolve(was), rec.resolve(now)) else {
            continue;
        };
        for &action in Action::ALL {
            let (x, y) = if action.is_module_level() {
                (
                    was.can_module(a, action, ra.module),
                    now.can_module(b, action, rb.module),
                )
            } else {
                (
                    was.can(a, action, &ra.as_record()),
                    now.can(b, action, &rb.as_record()),
                )
            };
            if x != y {
                out.push(Difference {
                    surface: Surface::Decision {
                        module: rec.module.clone(),
                        action,
                    },
                    gain: y,
                    loss: x,
                    detail: format!("{rec:?}"),
                });
            }
        }
    }
    let bypassed = was.bypasses(a) && now.bypasses(b);
    for (module, def) in &now.policy().modules {
        let (Some(ma), Some(mb)) = (was.module(module), now.module(module)) else {
            continue;
        };
        // a bypass on either side settles every data answer on that side, so the
        // compiled access and cells, which no decision there reads, follow the bypass
        // item's direction rather than their own
        if !(was.bypasses(a) || now.bypasses(b)) {
            diff_of(
                Surface::Access {
                    module: module.clone(),
                },
                was.module_access(a, ma).ok(),
                now.module_access(b, mb).ok(),
                &mut out,
            );
            for &action in Action::ALL {
                let (x, y) = (
                    was.cell(a, ma, action).unwrap_or(Cell::NONE),
                    now.cell(b, mb, action).unwrap_or(Cell::NONE),
                );
                if x != y {
                    out.push(Difference {
                        surface: Surface::Cell {
                            module: module.clone(),
                            action,
                        },
                        gain: x.join(y) != x,
                        loss: x.join(y) != y,
                        detail: format!("{x} -> {y}"),
                    });
                }
            }
        }
        let old_def = was.policy().modules.get(module);
        // what one side does not declare is the diff's added or removed item; for a
        // user whose bypass answers everything, nothing else is said about it
        let both_field = |f: &str| {
            def.fields.contains_key(f) && old_def.is_some_and(|d| d.fields.contains_key(f))
        };
        let both_tool =
            |t: &String| def.tools.contains(t) && old_def.is_some_and(|d| d.tools.contains(t));
        let picklist = |d: Option<&permatrix::policy::Module>, f: &str| {
            d.and_then(|d| d.fields.get(f))
                .and_then(|f| f.picklist.as_ref())
                .is_some()
        };
        let mut fields: Vec<&String> = def.fields.keys().collect();
        fields.extend(old_def.into_iter().flat_map(|d| d.fields.keys()));
        fields.sort();
        fields.dedup();
        fields.retain(|f| !bypassed || both_field(f));
        for field in fields {
            diff_of(
                Surface::Field {
                    module: module.clone(),
                    field: field.clone(),
                },
                was.field_named(a, ma, field),
                now.field_named(b, mb, field),
                &mut out,
            );
            let (va, vb): (Vec<&str>, Vec<&str>) = (
                was.picklist_named(a, ma, field),
                now.picklist_named(b, mb, field),
            );
            for value in va.iter().chain(&vb) {
                let declared = |d: Option<&permatrix::policy::Module>| {
                    d.and_then(|d| d.fields.get(field.as_str()))
                        .and_then(|f| f.picklist.as_ref())
                        .is_some_and(|l| l.values.iter().any(|v| v.value == *value))
                };
                if bypassed && !(declared(Some(def)) && declared(old_def)) {
                    continue;
                }
                flag(
                    Surface::Picklist {
                        module: module.clone(),
                        field: field.clone(),
                        value: value.to_string(),
                    },
                    va.contains(value),
                    vb.contains(value),
                    &mut out,
                );
            }
            if !(picklist(Some(def), field) && picklist(old_def, field)) {
                continue;
            }
            flag(
                Surface::AddPicklist {
                    module: module.clone(),
                    field: field.clone(),
                },
                was.can_add_named(a, ma, field),
                now.can_add_named(b, mb, field),
                &mut out,
            );
        }
        let mut tools: Vec<&String> = def.tools.iter().collect();
        tools.extend(old_def.into_iter().flat_map(|d| d.tools.iter()));
        tools.sort();
        tools.dedup();
        tools.retain(|t| !bypassed || both_tool(t));
        for tool in tools {
            flag(
                Surface::Tool {
                    module: module.clone(),
                    tool: tool.clone(),
                },
                was.tool_named(a, ma, tool),
                now.tool_named(b, mb, tool),
                &mut out,
            );
        }
        flag(
            Surface::AdminArea {
                area: areas::LAYOUT_EDITOR.to_string(),
                module: Some(module.clone()),
            },
            was.can_admin(a, areas::LAYOUT_EDITOR, Some(ma)),
            now.can_admin(b, areas::LAYOUT_EDITOR, Some(mb)),
            &mut out,
        );
    }
    // calendars of every user and team both know
    let owners: Vec<(String, Option<Owner>, Option<Owner>)> = now
        .policy()
        .users
        .keys()
        .map(|u| {
            (
                format!("user {u}"),
                was.user(u).map(Owner::User),
                now.user(u).map(Owner::User),
            )
        })
        .chain(now.policy().teams.keys().map(|t| {
            (
                format!("team {t}"),
                was.team(t).map(Owner::Team),
                now.team(t).map(Owner::Team),
            )
        }))
        .collect();
    for (label, oa, ob) in owners {
        let (Some(oa), Some(ob)) = (oa, ob) else {
            continue;
        };
        diff_of(
            Surface::Calendar { owner: label },
            was.calendar_access(a, oa),
            now.calendar_access(b, ob),
            &mut out,
        );
    }
    // sign-in: refused < allowed; fewer factors is lighter
    let (la, lb) = (was.login(a), now.login(b));
    if la != lb {
        let (gain, loss) = match (&la, &lb) {
            (Err(_), Ok(_)) => (true, false),
            (Ok(_), Err(_)) => (false, true),
            (Ok(x), Ok(y)) => (
                x.0.iter().any(|f| !y.0.contains(f)),
                y.0.iter().any(|f| !x.0.contains(f)),
            ),
            (Err(_), Err(_)) => (false, false),
        };
        out.push(Difference {
            surface: Surface::SignIn,
            gain,
            loss,
            detail: format!("{la:?} -> {lb:?}"),
        });
    }
    let unlimited = |l: Option<u64>| l.unwrap_or(u64::MAX);
    diff_of(
        Surface::ResultLimit,
        unlimited(was.result_limit(a)),
        unlimited(now.result_limit(b)),
        &mut out,
    );
    diff_of(
        Surface::AdminLevel,
        was.admin_level(a).ok(),
        now.admin_level(b).ok(),
        &mut out,
    );
    for area in area_names(was, now) {
        flag(
            Surface::AdminArea {
                area: area.clone(),
                module: None,
            },
            was.can_admin(a, &area, None),
            now.can_admin(b, &area, None),
            &mut out,
        );
    }
    let team_names =
        |auth: &Authorizer, teams: Result<Vec<permatrix::TeamId>, permatrix::CheckError>| {
            let mut names: Vec<String> = teams
                .unwrap_or_default()
                .into_iter()
                .filter_map(|t| auth.team_name(t).ok().map(str::to_string))
                .collect();
            names.sort();
            names
        };
    let (ta, tb) = (
        team_names(was, was.new_record_teams(a, None, &[])),
        team_names(now, now.new_record_teams(b, None, &[])),
    );
    if ta != tb {
        out.push(Difference {
            surface: Surface::NewRecordTeams,
            gain: false,
            loss: false,
            detail: format!("{ta:?} -> {tb:?}"),
        });
    }
    let key = |auth: &Authorizer, u| auth.user_key(u).ok().flatten().cloned();
    let (ka, kb): (Option<HostKey>, Option<HostKey>) = (key(was, a), key(now, b));
    if ka != kb {
        out.push(Difference {
            surface: Surface::HostKey,
            gain: true,
            loss: true,
            detail: format!("{ka:?} -> {kb:?}"),
        });
    }
    out
}

/// Whether `dir` goes the way `d` does.
pub fn agrees(dir: Direction, d: &Difference) -> bool {
    (!d.gain || dir.gains()) && (!d.loss || dir.loses())
}

/// The diff's items about `user` that answer for `d`, with their direction.
pub fn covering(diff: &PolicyDiff, user: &str, d: &Difference) -> Option<Direction> {
    let changes = diff.user(user).map_or(&[][..], |u| &u.changes[..]);
    let data = matches!(
        d.surface,
        Surface::Decision { .. }
            | Surface::Access { .. }
            | Surface::Cell { .. }
            | Surface::Field { .. }
            | Surface::Tool { .. }
            | Surface::Calendar { .. }
            | Surface::Picklist { .. }
    );
    let mut found: Option<Direction> = None;
    let mut note = |dir: Direction| found = Some(found.map_or(dir, |f| f.and(dir)));
    for c in changes {
        let hit = match (c, &d.surface) {
            (Change::Active { .. }, _) => true,
            (Change::Bypass { .. }, _) if data => true,
            (_, Surface::Decision { module, action }) => c.decides(*action, module).is_some(),
            (Change::Access { module, .. }, Surface::Access { module: m }) => module == m,
            (
                Change::Cell { module, action, .. },
                Surface::Cell {
                    module: m,
                    action: a,
                },
            ) => module == m && action == a,
            (
                Change::Field { module, field, .. },
                Surface::Field {
                    module: m,
                    field: f,
                },
            ) => module == m && field == f,
            (Change::Tool { module, tool, .. }, Surface::Tool { module: m, tool: t }) => {
                module == m && tool == t
            }
            (Change::Calendar { owner, .. }, Surface::Calendar { owner: o }) => owner == o,
            (
                Change::PicklistValue {
                    module,
                    field,
                    value,
                    ..
                },
                Surface::Picklist {
                    module: m,
                    field: f,
                    value: v,
                },
            ) => module == m && field == f && value == v,
            (
                Change::AddPicklistValue { module, field, .. },
                Surface::AddPicklist {
                    module: m,
                    field: f,
                },
            ) => module == m && field == f,
            (Change::SignIn { .. }, Surface::SignIn) => true,
            (Change::ResultLimit { .. }, Surface::ResultLimit) => true,
            (Change::AdminLevel { .. }, Surface::AdminLevel | Surface::AdminArea { .. }) => true,
            (Change::AdminArea { area, module, .. }, Surface::AdminArea { area: a, module: m }) => {
                area == a && module == m
            }
            (Change::Teams { .. }, Surface::NewRecordTeams) => true,
            (Change::HostKey { .. }, Surface::HostKey) => true,
            _ => false,
        };
        if hit {
            let dir = match (c, &d.surface) {
                (Change::Active { .. } | Change::Bypass { .. }, _) => c.direction(),
                (_, Surface::Decision { module, action }) => c.decides(*action, module)?,
                _ => c.direction(),
            };
            note(dir);
        }
    }
    // an answer about a field, tool, picklist or value one side does not declare is in
    // the diff's lists of what was added or removed
    let listed = |items: &permatrix::diff::Items| match &d.surface {
        Surface::Field { module, field } | Surface::AddPicklist { module, field } => {
            items.fields.contains(&format!("{module}.{field}"))
                || items.picklists.contains(&format!("{module}.{field}"))
        }
        Surface::Tool { module, tool } => items.tools.contains(&format!("{module}.{tool}")),
        Surface::Picklist {
            module,
            field,
            value,
        } => {
            items.fields.contains(&format!("{module}.{field}"))
                || items.picklists.contains(&format!("{module}.{field}"))
                || items
                    .picklist_values
                    .contains(&format!("{module}.{field}: {value}"))
        }
        _ => false,
    };
    if listed(&diff.added) || listed(&diff.removed) {
        note(Direction::Mixed);
    }
    if matches!(d.surface, Surface::NewRecordTeams)
        && (diff.settings.iter().any(|s| s.key == "team_inheritance")
            || !diff.added.teams.is_empty()
            || !diff.removed.teams.is_empty())
    {
        note(Direction::Mixed);
    }
    found
}
