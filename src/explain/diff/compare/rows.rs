//! What one matrix row answers — cells, access, fields, tools, picklists — compared once
//! per pair of rows; and the administration areas.

use std::collections::HashSet;
use std::rc::Rc;

use super::{Comparison, Gate};
use crate::cell::Cell;
use crate::checks::Authorizer;
use crate::checks::entry::areas;
use crate::explain::diff::change::Change;
use crate::ids::{ModuleId, UserId};
use crate::policy::{Access, Action, AdminLevel, FieldAccess, Module};

/// Everything the row answers depend on: the rows, the gates, external capping and the
/// levels (adding picklist values), on each side.
pub(super) type RowKey = (
    Option<u32>,
    Option<u32>,
    Gate,
    Gate,
    bool,
    bool,
    AdminLevel,
    AdminLevel,
);

/// A module by name, with its id on each side that has it.
pub(super) type BothModules = Vec<(String, (Option<ModuleId>, Option<ModuleId>))>;

/// What matrix rows are built from, as far as it is the same on both sides: with these,
/// a user whose row has the same sources (by name), overrides, external cap and admin
/// scope on both sides has the same cells, access, fields, tools and picklist values.
#[derive(Debug, Default)]
pub(super) struct Grants {
    /// Modules (their fields, tools, picklists, sharing) and the settings rows read
    /// (`merge`, `external_access`) are the same.
    pub same: bool,
    /// Per new role position: its profiles, by name and content, are the same.
    pub roles: Vec<bool>,
    /// Per new profile position: the same profile exists on the old side.
    pub profiles: Vec<bool>,
}

/// One user's side of a row question.
type Side<'s> = Option<(&'s Authorizer, UserId, ModuleId)>;

/// The names of two lists (either may be absent), new order first, each once.
fn names_of_both<'n>(
    old: Option<impl Iterator<Item = &'n String>>,
    new: Option<impl Iterator<Item = &'n String>>,
) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for name in new.into_iter().flatten().chain(old.into_iter().flatten()) {
        if seen.insert(name.as_str()) {
            out.push(name.clone());
        }
    }
    out
}

impl<'a> Comparison<'a> {
    /// What rows are built from that is the same on both sides. O(policy size).
    ///
    /// A shortcut only: "not the same" makes the rows be compared, never skipped, so
    /// reporting less here costs time and no answer. `rows_may_differ` asks the external
    /// cap itself, and a module one side lacks reaches no row unless a profile names it
    /// (and so changed): cargo-mutants' mutants of the last three tests are equivalent.
    pub(super) fn unchanged_grants(&self) -> Grants {
        let (po, pn) = (self.old.policy(), self.new.policy());
        let (a, b) = (&po.settings, &pn.settings);
        let same = a.merge == b.merge
            && a.external_access == b.external_access
            && po.modules.len() == pn.modules.len()
            && po.modules.iter().zip(&pn.modules).all(|(x, y)| x == y);
        let profiles: Vec<bool> = pn
            .profiles
            .iter()
            .map(|(id, p)| po.profiles.get(id) == Some(p))
            .collect();
        let roles = pn
            .roles
            .iter()
            .map(|(id, r)| {
                po.roles
                    .get(id)
                    .is_some_and(|was| was.profiles == r.profiles)
                    && r.profiles.iter().all(|p| {
                        pn.profiles
                            .get_index_of(p)
                            .is_some_and(|i| profiles.get(i).copied().unwrap_or(false))
                    })
            })
            .collect();
        Grants {
            same,
            roles,
            profiles,
        }
    }

    /// Whether the row answers of the user can differ: not when both sides decide by the
    /// same grants — unchanged modules and settings, the same sources by name, each
    /// unchanged, and the same overrides, external cap and admin scope.
    ///
    /// A shortcut like [`Comparison::unchanged_grants`]: `true` only costs time. A gate
    /// that changes has an item of its own (`Active`, `Bypass`) covering every row, the
    /// admin scope is asked twice (level, then sources) and a count of sources again by
    /// the mapped list, so cargo-mutants' mutants of those tests are equivalent; the
    /// overrides and the mapped sources are not (`suite/tests/diff_reasons.rs`).
    ///
    /// # Cost
    /// O(sources of the user's rows).
    pub(super) fn rows_may_differ(
        &self,
        uo: Option<UserId>,
        un: Option<UserId>,
        go: Gate,
        gn: Gate,
    ) -> bool {
        let (Some(o), Some(n)) = (uo, un) else {
            return true;
        };
        if go != gn || !self.grants.same {
            return true;
        }
        let (po, pn) = (self.old.policy(), self.new.policy());
        let def =
            |p: &'a crate::policy::Policy, u: UserId| p.users.get_index(u.index()).map(|(_, d)| d);
        let (Some(du), Some(dn)) = (def(po, o), def(pn, n)) else {
            return true;
        };
        if du.overrides != dn.overrides
            || self.old.is_external_capped(o) != self.new.is_external_capped(n)
            || self.old.admin_level(o) != self.new.admin_level(n)
        {
            return true;
        }
        let (so, admin_o) = self.old.row_sources(o);
        let (sn, admin_n) = self.new.row_sources(n);
        if admin_o != admin_n || so.len() != sn.len() {
            return true;
        }
        let profile_of_old = |c: u32| {
            po.profiles
                .get_index(c as usize)
                .and_then(|(k, _)| pn.profiles.get_index_of(k))
                .map(|i| i as u32)
        };
        let mut mapped: Vec<(Option<u32>, Option<Option<u32>>)> = so
            .iter()
            .map(|&(r, c)| {
                (
                    self.roles.new_of(r),
                    c.map(profile_of_old).map_or(Some(None), |c| c.map(Some)),
                )
            })
            .collect();
        mapped.sort_unstable();
        let now: Vec<(Option<u32>, Option<Option<u32>>)> =
            sn.iter().map(|&(r, c)| (Some(r), Some(c))).collect();
        if mapped != now {
            return true;
        }
        let unchanged = |&(r, c): &(u32, Option<u32>)| {
            self.grants.roles.get(r as usize).copied().unwrap_or(false)
                && c.is_none_or(|c| {
                    self.grants
                        .profiles
                        .get(c as usize)
                        .copied()
                        .unwrap_or(false)
                })
        };
        !sn.iter().all(unchanged)
    }

    /// The areas compared besides the layout editor: the crate's and those either
    /// policy's settings name. An area nothing names follows the level, which has its
    /// own item.
    pub(super) fn area_names(&self) -> Vec<String> {
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
        ]
        .iter()
        .map(|a| a.to_string())
        .collect();
        for auth in [self.old, self.new] {
            let denied = &auth.policy().settings.admin_areas;
            names.extend(denied.customer_admin_denied.iter().cloned());
            names.extend(denied.superuser_denied.iter().cloned());
        }
        names.retain(|a| a != areas::LAYOUT_EDITOR);
        names.sort_unstable();
        names.dedup();
        names
    }

    /// Areas the user may administer, and the layout editor of each module both sides
    /// have, that changed.
    pub(super) fn areas(&self, uo: Option<UserId>, un: Option<UserId>, out: &mut Vec<Change>) {
        let can = |auth: &Authorizer, u: Option<UserId>, area: &str, m: Option<ModuleId>| {
            u.is_some_and(|u| auth.can_admin(u, area, m))
        };
        for area in &self.areas {
            let (b, a) = (can(self.old, uo, area, None), can(self.new, un, area, None));
            if b != a {
                out.push(Change::AdminArea {
                    area: area.clone(),
                    module: None,
                    before: b,
                    after: a,
                });
            }
        }
        // the layout editor of a module one side lacks is no answer about the user: the
        // module is the diff's added or removed item
        for (name, (mo, mn)) in &self.modules_both {
            if mo.is_none() || mn.is_none() {
                continue;
            }
            let b = can(self.old, uo, areas::LAYOUT_EDITOR, *mo);
            let a = can(self.new, un, areas::LAYOUT_EDITOR, *mn);
            if b != a {
                out.push(Change::AdminArea {
                    area: areas::LAYOUT_EDITOR.to_string(),
                    module: Some(name.clone()),
                    before: b,
                    after: a,
                });
            }
        }
    }

    /// Every module of either authorizer, by name, new order first.
    pub(super) fn both_modules(&self) -> BothModules {
        let (po, pn) = (self.old.policy(), self.new.policy());
        pn.modules
            .keys()
            .chain(po.modules.keys().filter(|m| !pn.modules.contains_key(*m)))
            .map(|name| (name.clone(), (self.old.module(name), self.new.module(name))))
            .collect()
    }

    /// Cells, access, fields, tools and picklists: the same for every pair of users with
    /// the same rows, gates and levels.
    pub(super) fn rows(
        &self,
        uo: Option<UserId>,
        un: Option<UserId>,
        go: Gate,
        gn: Gate,
    ) -> Rc<Vec<Change>> {
        let row = |auth: &Authorizer, u: Option<UserId>| u.and_then(|u| auth.row_of(u));
        let capped =
            |auth: &Authorizer, u: Option<UserId>| u.is_some_and(|u| auth.is_external_capped(u));
        let level = |auth: &Authorizer, u: Option<UserId>| {
            u.and_then(|u| auth.admin_level(u).ok()).unwrap_or_default()
        };
        let key: RowKey = (
            row(self.old, uo),
            row(self.new, un),
            go,
            gn,
            capped(self.old, uo),
            capped(self.new, un),
            level(self.old, uo),
            level(self.new, un),
        );
        if let Some(found) = self.rows.borrow().get(&key) {
            return Rc::clone(found);
        }
        let changes = Rc::new(self.row_changes(uo, un, go, gn));
        self.rows.borrow_mut().insert(key, Rc::clone(&changes));
        changes
    }

    fn row_changes(
        &self,
        uo: Option<UserId>,
        un: Option<UserId>,
        go: Gate,
        gn: Gate,
    ) -> Vec<Change> {
        let (old, new) = (self.old, self.new);
        let mut out = Vec::new();
        // data answers are settled by a bypass on either side (the bypass item says so)
        let data = go != Gate::Bypass && gn != Gate::Bypass;
        for (name, (mo, mn)) in self.modules_both.iter().map(|(n, m)| (n, *m)) {
            let side = |auth: &'a Authorizer, m: Option<ModuleId>, u: Option<UserId>| {
                u.zip(m).map(|(u, m)| (auth, u, m))
            };
            let (so, sn): (Side<'a>, Side<'a>) = (side(old, mo, uo), side(new, mn, un));
            let def =
                |auth: &'a Authorizer, m: Option<ModuleId>| m.and_then(|m| auth.module_def(m).ok());
            let (dold, dnew) = (def(old, mo), def(new, mn));
            let fields =
                names_of_both(dold.map(|d| d.fields.keys()), dnew.map(|d| d.fields.keys()));
            if data {
                self.module_grants(name, (so, sn), (dold, dnew), &fields, &mut out);
            }
            for field in &fields {
                if data {
                    picklist_values(name, field, (so, sn), &mut out);
                }
                // a picklist declared on one side only is in the diff's added or removed
                // lists; adding to it is an answer about what both declare
                let declared = |d: Option<&Module>| {
                    d.and_then(|d| d.fields.get(field))
                        .is_some_and(|f| f.picklist.is_some())
                };
                if !(declared(dold) && declared(dnew)) {
                    continue;
                }
                let adds = |s: Side<'_>| {
                    s.is_some_and(|(a, u, m)| {
                        a.field(m, field)
                            .is_some_and(|f| a.can_add_picklist_value(u, f))
                    })
                };
                let (ao, an) = (adds(so), adds(sn));
                if ao != an {
                    out.push(Change::AddPicklistValue {
                        module: name.clone(),
                        field: field.clone(),
                        before: ao,
                        after: an,
                    });
                }
            }
        }
        out
    }

    /// Access, cells, fields and tools of one module.
    fn module_grants(
        &self,
        name: &str,
        (so, sn): (Side<'a>, Side<'a>),
        (dold, dnew): (Option<&Module>, Option<&Module>),
        fields: &[String],
        out: &mut Vec<Change>,
    ) {
        let access = |s: Side<'_>| {
            s.and_then(|(a, u, m)| a.module_access(u, m).ok())
                .unwrap_or(Access::Off)
        };
        let (xo, xn) = (access(so), access(sn));
        if xo != xn {
            out.push(Change::Access {
                module: name.to_string(),
                before: xo,
                after: xn,
            });
        }
        for &action in Action::ALL {
            let cell = |s: Side<'_>| {
                s.and_then(|(a, u, m)| a.cell(u, m, action).ok())
                    .unwrap_or(Cell::NONE)
            };
            let (co, cn) = (cell(so), cell(sn));
            if co != cn {
                out.push(Change::Cell {
                    module: name.to_string(),
                    action,
                    before: co,
                    after: cn,
                });
            }
        }
        for field in fields {
            let access = |s: Side<'_>| {
                s.and_then(|(a, u, m)| a.field(m, field).map(|f| a.field_access(u, f)))
                    .unwrap_or(FieldAccess::Hidden)
            };
            let (fo, fnew) = (access(so), access(sn));
            if fo != fnew {
                out.push(Change::Field {
                    module: name.to_string(),
                    field: field.clone(),
                    before: fo,
                    after: fnew,
                });
            }
        }
        let tools = names_of_both(dold.map(|d| d.tools.iter()), dnew.map(|d| d.tools.iter()));
        for tool in tools {
            let on = |s: Side<'_>| {
                s.is_some_and(|(a, u, m)| a.tool(m, &tool).is_some_and(|t| a.can_use_tool(u, t)))
            };
            let (to, tn) = (on(so), on(sn));
            if to != tn {
                out.push(Change::Tool {
                    module: name.to_string(),
                    tool,
                    before: to,
                    after: tn,
                });
            }
        }
    }
}

/// The values of one picklist shown before and after.
fn picklist_values(
    module: &str,
    field: &str,
    (so, sn): (Side<'_>, Side<'_>),
    out: &mut Vec<Change>,
) {
    let values = |s: Side<'_>| -> Vec<String> {
        s.and_then(|(a, u, m)| a.field(m, field).map(|f| (a, u, f)))
            .map_or_else(Vec::new, |(a, u, f)| {
                a.picklist_values(u, f).map(str::to_string).collect()
            })
    };
    let (vo, vn) = (values(so), values(sn));
    let mut seen = HashSet::new();
    for value in vn.iter().chain(&vo).filter(|v| seen.insert(v.as_str())) {
        let (b, a) = (vo.contains(value), vn.contains(value));
        if b != a {
            out.push(Change::PicklistValue {
                module: module.to_string(),
                field: field.to_string(),
                value: value.clone(),
                before: b,
                after: a,
            });
        }
    }
}
