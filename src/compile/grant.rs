//! What a profile, a role, or a user's merged sources grant on one module ([grants](crate::doc::semantics#grants)
//! steps 1–5), before the per-user caps.

use crate::policy::{Access, Action, FieldAccess, Module, ModuleGrant, Override, Profile};

use crate::cell::{ActionCells, Cell};

/// Access, cells, fields and tools on one module. Fields and tools are indexed in the
/// module's declaration order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Grant {
    pub access: Access,
    pub cells: ActionCells,
    pub fields: Vec<FieldAccess>,
    pub tools: Vec<bool>,
}

impl Grant {
    /// Nothing: access `off`, every cell `none`, fields hidden, tools off.
    pub fn nothing(module: &Module) -> Grant {
        Grant {
            access: Access::Off,
            cells: ActionCells::NONE,
            fields: vec![FieldAccess::Hidden; module.fields.len()],
            tools: vec![false; module.tools.len()],
        }
    }

    /// Step 1 for one profile and module.
    pub fn of_profile(profile: &Profile, module_id: &str, module: &Module, admin: bool) -> Grant {
        let entry = profile.modules.get(module_id);
        let default_entry = ModuleGrant::default();
        let entry = entry.unwrap_or(&default_entry);
        // (a) the entry as written
        let mut access = entry.access;
        let mut cells = ActionCells::NONE;
        for (action, scope) in &entry.actions {
            cells[*action] = Cell::from_scope(*scope, admin);
        }
        let fields = module
            .fields
            .keys()
            .map(|f| {
                entry
                    .fields
                    .get(f)
                    .copied()
                    .unwrap_or(FieldAccess::ReadWrite)
            })
            .collect();
        let tools = module
            .tools
            .iter()
            .map(|t| entry.tools.get(t).copied().unwrap_or(false))
            .collect();
        // (b) view_all / edit_all raise access on every module
        if profile.view_all {
            access = access.max(Access::ReadOnly);
        }
        if profile.edit_all {
            access = Access::On;
        }
        let mut grant = Grant {
            access,
            cells,
            fields,
            tools,
        };
        // (c) the access caps
        grant.cap_by_access();
        // (d) view_all / edit_all reach every record
        if profile.view_all || profile.edit_all {
            grant.cells[Action::View] = Cell::ALL;
            grant.cells[Action::List] = Cell::ALL;
        }
        if profile.edit_all {
            grant.cells[Action::Edit] = Cell::ALL;
        }
        grant
    }

    /// Step 1 (c): what the module access allows at most.
    pub fn cap_by_access(&mut self) {
        match self.access {
            Access::Off => {
                self.cells = ActionCells::NONE;
                self.fields
                    .iter_mut()
                    .for_each(|f| *f = FieldAccess::Hidden);
                self.tools.iter_mut().for_each(|t| *t = false);
            }
            Access::ReadOnly => self.cap_writes(),
            Access::On => {}
        }
    }

    /// Write actions `none`, fields at most `read_only` (read-only access, external users).
    pub fn cap_writes(&mut self) {
        for action in Action::ALL {
            if action.is_write() {
                self.cells[*action] = Cell::NONE;
            }
        }
        self.fields
            .iter_mut()
            .for_each(|f| *f = (*f).min(FieldAccess::ReadOnly));
    }

    /// The most permissive of both (union of profiles, additive merge).
    pub fn join(&mut self, other: &Grant) {
        self.access = self.access.max(other.access);
        for (a, b) in self.cells.iter_mut().zip(other.cells.iter()) {
            *a = a.join(b);
        }
        for (a, b) in self.fields.iter_mut().zip(&other.fields) {
            *a = (*a).max(*b);
        }
        for (a, b) in self.tools.iter_mut().zip(&other.tools) {
            *a |= *b;
        }
    }

    /// The least permissive of both (subtractive merge, team ceilings).
    pub fn meet(&mut self, other: &Grant) {
        self.access = self.access.min(other.access);
        for (a, b) in self.cells.iter_mut().zip(other.cells.iter()) {
            *a = a.meet(b);
        }
        for (a, b) in self.fields.iter_mut().zip(&other.fields) {
            *a = (*a).min(*b);
        }
        for (a, b) in self.tools.iter_mut().zip(&other.tools) {
            *a &= *b;
        }
    }

    /// Step 5: the override replaces what it names, then the access caps again.
    pub fn apply_override(&mut self, module: &Module, ov: &Override, admin: bool) {
        if let Some(access) = ov.access {
            self.access = access;
        }
        for (action, scope) in &ov.actions {
            self.cells[*action] = Cell::from_scope(*scope, admin);
        }
        for (field, access) in &ov.fields {
            if let Some(slot) = module
                .fields
                .get_index_of(field)
                .and_then(|i| self.fields.get_mut(i))
            {
                *slot = *access;
            }
        }
        for (tool, on) in &ov.tools {
            if let Some(slot) = module
                .tools
                .get_index_of(tool)
                .and_then(|i| self.tools.get_mut(i))
            {
                *slot = *on;
            }
        }
        self.cap_by_access();
    }
}

/// [fields, tools and limits](crate::doc::semantics#fields-tools-and-limits): what a user may do with a field, from the module access and the merged field
/// access of their row (the user is active and does not bypass).
pub(crate) fn effective_field(
    access: Access,
    merged: FieldAccess,
    mandatory: bool,
    external_capped: bool,
) -> FieldAccess {
    match access {
        Access::Off => FieldAccess::Hidden,
        Access::ReadOnly => merged.min(FieldAccess::ReadOnly),
        Access::On if mandatory && external_capped => FieldAccess::ReadOnly,
        Access::On if mandatory => FieldAccess::ReadWrite,
        Access::On => merged,
    }
}
