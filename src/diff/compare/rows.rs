//! What one matrix row answers — cells, access, fields, tools, picklists — compared once
//! per pair of rows; and the administration areas.

use std::collections::HashSet;
use std::rc::Rc;

use super::{Comparison, Gate};
use crate::authorizer::{Authorizer, ModuleId, UserId, areas};
use crate::cell::Cell;
use crate::diff::change::Change;
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
type BothModules = Vec<(String, (Option<ModuleId>, Option<ModuleId>))>;

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
    /// Areas the user may administer: the crate's, those either policy's settings name,
    /// and the layout editor of each module both sides have. An area nothing names
    /// follows the level, which has its own item.
    pub(super) fn areas(&self, uo: Option<UserId>, un: Option<UserId>, out: &mut Vec<Change>) {
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
        let can = |auth: &Authorizer, u: Option<UserId>, area: &str, m: Option<ModuleId>| {
            u.is_some_and(|u| auth.can_admin(u, area, m))
        };
        for area in names {
            let (b, a) = (
                can(self.old, uo, &area, None),
                can(self.new, un, &area, None),
            );
            if b != a {
                out.push(Change::AdminArea {
                    area,
                    module: None,
                    before: b,
                    after: a,
                });
            }
        }
        // the layout editor of a module one side lacks is no answer about the user: the
        // module is the diff's added or removed item
        for (name, (mo, mn)) in self.both_modules() {
            if mo.is_none() || mn.is_none() {
                continue;
            }
            let b = can(self.old, uo, areas::LAYOUT_EDITOR, mo);
            let a = can(self.new, un, areas::LAYOUT_EDITOR, mn);
            if b != a {
                out.push(Change::AdminArea {
                    area: areas::LAYOUT_EDITOR.to_string(),
                    module: Some(name),
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
            u.and_then(|u| auth.admin_level(u)).unwrap_or_default()
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
        for (name, (mo, mn)) in self.both_modules() {
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
                self.grants(&name, (so, sn), (dold, dnew), &fields, &mut out);
            }
            for field in &fields {
                if data {
                    picklist_values(&name, field, (so, sn), &mut out);
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
                let adds =
                    |s: Side<'_>| s.is_some_and(|(a, u, m)| a.can_add_picklist_value(u, m, field));
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
    fn grants(
        &self,
        name: &str,
        (so, sn): (Side<'a>, Side<'a>),
        (dold, dnew): (Option<&Module>, Option<&Module>),
        fields: &[String],
        out: &mut Vec<Change>,
    ) {
        let access = |s: Side<'_>| {
            s.and_then(|(a, u, m)| a.module_access(u, m))
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
                s.and_then(|(a, u, m)| a.cell(u, m, action))
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
                s.map_or(FieldAccess::Hidden, |(a, u, m)| a.field_access(u, m, field))
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
            let on = |s: Side<'_>| s.is_some_and(|(a, u, m)| a.can_use_tool(u, m, &tool));
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
        s.map_or_else(Vec::new, |(a, u, m)| {
            a.picklist_values(u, m, field).map(str::to_string).collect()
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
