//! The permission matrix: one row per distinct combination of a user's inputs, so memory
//! grows with the number of combinations, not with the number of users.

use crate::policy::{Access, Action, FieldAccess, Merge, Module, Policy};

use super::cell::Cell;
use super::grant::Grant;

/// Everything a matrix row depends on (SPEC §3 steps 3–6, but for status). Users with
/// equal keys share a row. Status is not part of the row: it is a bit per user that
/// checks read first, so (de)activation needs no recompile.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct SourceKey {
    /// (role, ceiling profile) pairs: the default role, direct roles and team-conferred
    /// roles, ascending and without repeats.
    pub sources: Vec<(u32, Option<u32>)>,
    /// The user's overrides in canonical JSON (empty for none).
    pub overrides: String,
    /// The `admin` scope reaches every record (effective level `admin`/`customer_admin`).
    pub admin_scope: bool,
    /// External user under `external_access = read_only`.
    pub external_capped: bool,
}

/// Flat arrays, row-major: `cells[(row * modules + module) * 8 + action]`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Matrix {
    rows: usize,
    modules: usize,
    cells: Vec<Cell>,
    access: Vec<Access>,
    /// Per row, every module's fields back to back; `field_offsets[m]` is module m's start.
    fields: Vec<FieldAccess>,
    field_offsets: Vec<usize>,
    fields_per_row: usize,
    tools: Vec<bool>,
    tool_offsets: Vec<usize>,
    tools_per_row: usize,
}

impl Matrix {
    pub fn build(p: &Policy, keys: &[SourceKey], representatives: &[usize]) -> Matrix {
        let modules = p.modules.len();
        let mut field_offsets = Vec::with_capacity(modules);
        let mut tool_offsets = Vec::with_capacity(modules);
        let (mut fields_per_row, mut tools_per_row) = (0, 0);
        for module in p.modules.values() {
            field_offsets.push(fields_per_row);
            tool_offsets.push(tools_per_row);
            fields_per_row += module.fields.len();
            tools_per_row += module.tools.len();
        }
        let mut m = Matrix {
            rows: keys.len(),
            modules,
            cells: Vec::with_capacity(keys.len() * modules * Action::COUNT),
            access: Vec::with_capacity(keys.len() * modules),
            fields: Vec::with_capacity(keys.len() * fields_per_row),
            field_offsets,
            fields_per_row,
            tools: Vec::with_capacity(keys.len() * tools_per_row),
            tool_offsets,
            tools_per_row,
        };
        let mut roles = RoleGrants::new();
        for (key, &user) in keys.iter().zip(representatives) {
            let overrides = p.users.get_index(user).map(|(_, u)| &u.overrides);
            for (module_index, module_id) in p.modules.keys().enumerate() {
                let ov = overrides.and_then(|o| o.get(module_id));
                let grant = user_grant(p, &mut roles, key, module_index, ov);
                m.cells.extend_from_slice(&grant.cells.0);
                m.access.push(grant.access);
                m.fields.extend_from_slice(&grant.fields);
                m.tools.extend_from_slice(&grant.tools);
            }
        }
        m
    }

    #[inline]
    pub fn cell(&self, row: u32, module: usize, action: Action) -> Cell {
        self.cells
            .get((row as usize * self.modules + module) * Action::COUNT + action.index())
            .copied()
            .unwrap_or(Cell::NONE)
    }

    pub fn access(&self, row: u32, module: usize) -> Access {
        self.access
            .get(row as usize * self.modules + module)
            .copied()
            .unwrap_or(Access::Off)
    }

    pub fn field(&self, row: u32, module: usize, field: usize) -> FieldAccess {
        let at = row as usize * self.fields_per_row
            + self.field_offsets.get(module).copied().unwrap_or(0)
            + field;
        self.fields.get(at).copied().unwrap_or(FieldAccess::Hidden)
    }

    pub fn tool(&self, row: u32, module: usize, tool: usize) -> bool {
        let at = row as usize * self.tools_per_row
            + self.tool_offsets.get(module).copied().unwrap_or(0)
            + tool;
        self.tools.get(at).copied().unwrap_or(false)
    }

    /// Number of distinct rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn memory_usage(&self) -> usize {
        use std::mem::size_of;
        self.cells.capacity() * size_of::<Cell>()
            + self.access.capacity() * size_of::<Access>()
            + self.fields.capacity() * size_of::<FieldAccess>()
            + self.tools.capacity()
            + (self.field_offsets.capacity() + self.tool_offsets.capacity()) * size_of::<usize>()
    }
}

/// SPEC §3 steps 3–7 for one user (represented by its key) and module.
pub(crate) fn user_grant(
    p: &Policy,
    roles: &mut RoleGrants,
    key: &SourceKey,
    module_index: usize,
    ov: Option<&crate::policy::Override>,
) -> Grant {
    let Some((_, module)) = p.modules.get_index(module_index) else {
        return Grant::nothing(&Module::default());
    };
    let mut merged: Option<Grant> = None;
    for &(role, ceiling) in &key.sources {
        let source = roles.source(p, role, ceiling, module_index, key.admin_scope);
        merged = Some(match merged {
            None => source,
            Some(mut acc) => {
                match p.settings.merge {
                    Merge::Additive => acc.join(&source),
                    Merge::Subtractive => acc.meet(&source),
                }
                acc
            }
        });
    }
    let mut grant = merged.unwrap_or_else(|| Grant::nothing(module));
    if let Some(ov) = ov {
        grant.apply_override(module, ov, key.admin_scope);
    }
    if key.external_capped {
        grant.cap_writes();
    }
    for action in Action::ALL {
        let cell = &mut grant.cells[*action];
        if !cell.is_none() && module.sharing.grants(*action) {
            *cell = Cell::ALL;
        }
    }
    grant
}

/// Role grants per (role, ceiling, module, admin scope), computed once and reused by every
/// row that has the source.
pub(crate) struct RoleGrants {
    cache: std::collections::HashMap<(u32, Option<u32>, usize, bool), Grant>,
}

impl RoleGrants {
    pub fn new() -> RoleGrants {
        RoleGrants {
            cache: std::collections::HashMap::new(),
        }
    }

    /// Step 2 (union of the role's profiles), then step 3's ceiling.
    pub fn source(
        &mut self,
        p: &Policy,
        role: u32,
        ceiling: Option<u32>,
        module: usize,
        admin: bool,
    ) -> Grant {
        if let Some(g) = self.cache.get(&(role, ceiling, module, admin)) {
            return g.clone();
        }
        let grant = source_grant(p, role, ceiling, module, admin);
        self.cache
            .insert((role, ceiling, module, admin), grant.clone());
        grant
    }
}

/// A role's grant on a module (join of its profiles), met with a team ceiling if any.
pub(crate) fn source_grant(
    p: &Policy,
    role: u32,
    ceiling: Option<u32>,
    module: usize,
    admin: bool,
) -> Grant {
    let Some((module_id, module_def)) = p.modules.get_index(module) else {
        return Grant::nothing(&Module::default());
    };
    let mut grant: Option<Grant> = None;
    if let Some((_, role_def)) = p.roles.get_index(role as usize) {
        for profile in role_def.profiles.iter().filter_map(|id| p.profiles.get(id)) {
            let g = Grant::of_profile(profile, module_id, module_def, admin);
            match &mut grant {
                None => grant = Some(g),
                Some(acc) => acc.join(&g),
            }
        }
    }
    let mut grant = grant.unwrap_or_else(|| Grant::nothing(module_def));
    if let Some((_, ceiling)) = ceiling.and_then(|c| p.profiles.get_index(c as usize)) {
        grant.meet(&Grant::of_profile(ceiling, module_id, module_def, admin));
    }
    grant
}
