//! The permission matrix: one row per distinct combination of a user's inputs, each the
//! join (or meet) of a few shared per-source tables, so memory grows with the number of
//! sources and combinations, not with the number of users.

use std::mem::size_of;

use smallvec::SmallVec;

use crate::error::{ErrorCode, PolicyError};
use crate::policy::{Access, Action, FieldAccess, Limits, Merge, Module, Policy};

use super::grant::Grant;
use crate::cell::Cell;

/// Everything a matrix row depends on ([grant step 3–6](crate::doc::semantics#grants), but for status). Users with
/// equal keys share a row. Status is not part of the row: it is a bit per user that
/// checks read first, so (de)activation needs no recompile.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct SourceKey {
    /// (role, ceiling profile) pairs: the default role, direct roles and team-conferred
    /// roles, ascending and without repeats.
    pub sources: Vec<(u32, Option<u32>)>,
    /// The user's overrides (empty for none).
    pub overrides: super::OverridesKey,
    /// The `admin` scope reaches every record (effective level `admin`/`customer_admin`).
    pub admin_scope: bool,
    /// External user under `external_access = read_only`.
    pub external_capped: bool,
}

/// The source a table of the matrix was built from: a role with its team ceiling, the
/// admin scope, and the external cap ([grant step 2–3](crate::doc::semantics#grants), 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct TableKey {
    pub role: u32,
    pub ceiling: Option<u32>,
    pub admin_scope: bool,
    pub external_capped: bool,
}

/// Where a row's grants are: one table (a single source, or a row worked out in full),
/// or the join (or meet) of its sources' tables, taken at check time.
#[derive(Debug, Clone, Copy)]
struct RowRef {
    /// The table holding the whole row, or [`COMBINED`].
    table: u32,
    /// Start of the row's sources in [`Matrix::row_sources`]; they end where the next
    /// row's start.
    sources: u32,
}

const COMBINED: u32 = u32::MAX;

/// The tables a row is read from, kept in the user's facts so that a check finds them
/// without another load: up to three, folded; or [`RowTables::VIA_ROW`], read through the
/// row.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RowTables {
    ids: [u32; 3],
    len: u8,
}

impl RowTables {
    const VIA_ROW: u8 = u8::MAX;
}

/// The permission matrix, factored. A *table* is a complete grant over every module
/// (cells, access, fields, tools), with the external cap and `sharing` already applied;
/// those commute with join and meet, so a row is exactly the join (additive merge) or meet
/// (subtractive) of the tables of its sources — the roles it holds, each with its team
/// ceiling. Rows with overrides, and all rows while they fit in the policy's
/// [`Limits::get_row_cache_bytes`], get a table of their own.
///
/// Tables are flat arrays: `cells[(table * modules + module) * Action::COUNT + action]`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Matrix {
    modules: usize,
    merge: Merge,
    /// The first `source_keys.len()` tables are the sources' tables.
    source_keys: Vec<TableKey>,
    tables: usize,
    cells: Vec<Cell>,
    access: Vec<Access>,
    /// Per table, every module's fields back to back; `field_offsets[m]` is module m's start.
    fields: Vec<FieldAccess>,
    field_offsets: Vec<usize>,
    fields_per_row: usize,
    tools: Vec<bool>,
    tool_offsets: Vec<usize>,
    tools_per_row: usize,
    /// One per row, and one past the last, whose `sources` ends the last row's.
    rows: Vec<RowRef>,
    /// Per row, its sources' tables.
    row_sources: Vec<u32>,
    /// Per row, the user it was built for (whose overrides it applies), and
    /// [`ADMIN_SCOPE`], [`EXTERNAL_CAPPED`] and [`OVERRIDES`]: with the sources, what
    /// [`Matrix::rebuild`] needs to build the same rows from changed grants.
    representatives: Vec<u32>,
    flags: Vec<u8>,
    /// What the matrix budget was held against: its bytes, and the bytes of joins.
    bytes: usize,
    work: usize,
}

const ADMIN_SCOPE: u8 = 1;
const EXTERNAL_CAPPED: u8 = 2;
const OVERRIDES: u8 = 4;

/// What [`Matrix::build`] is asked for: the row's key and a user it stands for, whose
/// overrides it is built with.
pub(crate) struct RowInput<'k> {
    pub key: &'k SourceKey,
    pub representative: usize,
}

impl Matrix {
    /// Builds the tables and rows.
    ///
    /// # Errors
    /// `limit_exceeded` when the tables, or the work of building them, would pass the
    /// policy's matrix budget.
    ///
    /// # Cost
    /// O(distinct sources × modules × (actions + fields + tools + profiles of the role)
    /// + rows × sources + tables worked out in full × their sources × the same per module).
    pub fn build(p: &Policy, rows: &[RowInput<'_>]) -> Result<Matrix, PolicyError> {
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
        let table_bytes = modules * (Action::COUNT * size_of::<Cell>() + size_of::<Access>())
            + fields_per_row
            + tools_per_row;

        // intern the sources' tables, and list each row's
        let mut interned: foldhash::HashMap<TableKey, u32> = foldhash::HashMap::default();
        let mut source_keys = Vec::new();
        let mut row_sources = Vec::with_capacity(rows.len() * 2);
        let mut refs = Vec::with_capacity(rows.len() + 1);
        let (mut full, mut full_work, mut multi, mut multi_work) = (0usize, 0usize, 0usize, 0usize);
        for row in rows {
            let start = row_sources.len() as u32;
            for &(role, ceiling) in &row.key.sources {
                let key = TableKey {
                    role,
                    ceiling,
                    admin_scope: row.key.admin_scope,
                    external_capped: row.key.external_capped,
                };
                let id = *interned.entry(key).or_insert_with(|| {
                    source_keys.push(key);
                    (source_keys.len() - 1) as u32
                });
                row_sources.push(id);
            }
            let count = row.key.sources.len();
            let table = if !row.key.overrides.is_empty() {
                full += 1;
                full_work = full_work.saturating_add(count + 1);
                COMBINED // replaced below, once the sources' tables are counted
            } else if count == 1 {
                row_sources.last().copied().unwrap_or(COMBINED)
            } else {
                if count > 1 {
                    multi += 1;
                    multi_work = multi_work.saturating_add(count);
                }
                COMBINED
            };
            refs.push(RowRef {
                table,
                sources: start,
            });
        }
        let materialize_all = multi.saturating_mul(table_bytes) <= p.limits().get_row_cache_bytes();
        if materialize_all {
            full += multi;
            full_work = full_work.saturating_add(multi_work);
        }
        let tables = source_keys.len().saturating_add(full);
        let bytes = tables
            .saturating_mul(table_bytes)
            .saturating_add(rows.len().saturating_mul(size_of::<RowRef>()))
            .saturating_add(row_sources.len().saturating_mul(4));
        let work = full_work.saturating_mul(table_bytes);
        let budget = p.limits().matrix_budget(Limits::size_of(p));
        if bytes > budget || work > budget.saturating_mul(4) {
            return Err(PolicyError::new(
                ErrorCode::LimitExceeded,
                "users",
                format!(
                    "the matrix would take {bytes} bytes ({} tables of {table_bytes} bytes: {} role sources and {full} combinations worked out in full, and {} rows) and {work} bytes of joins; the budget is {budget} ({} × the policy size of {} + 64 MiB)",
                    tables,
                    source_keys.len(),
                    rows.len(),
                    p.limits().get_matrix_factor(),
                    Limits::size_of(p),
                ),
            ));
        }

        let mut m = Matrix {
            modules,
            merge: p.settings.merge,
            tables: 0,
            cells: Vec::with_capacity(tables * modules * Action::COUNT),
            access: Vec::with_capacity(tables * modules),
            fields: Vec::with_capacity(tables * fields_per_row),
            field_offsets,
            fields_per_row,
            tools: Vec::with_capacity(tables * tools_per_row),
            tool_offsets,
            tools_per_row,
            source_keys: Vec::new(),
            rows: Vec::new(),
            bytes,
            work,
            row_sources,
            representatives: rows.iter().map(|r| r.representative as u32).collect(),
            flags: rows
                .iter()
                .map(|r| {
                    let flag = |on: bool, bit: u8| if on { bit } else { 0 };
                    flag(r.key.admin_scope, ADMIN_SCOPE)
                        | flag(r.key.external_capped, EXTERNAL_CAPPED)
                        | flag(!r.key.overrides.is_empty(), OVERRIDES)
                })
                .collect(),
        };
        m.source_keys = source_keys;
        m.push_source_tables(p, None);
        m.rows = refs;
        let mut grants = RoleGrants::new();
        for r in 0..rows.len() {
            let (Some(row), Some(&at)) = (rows.get(r), m.rows.get(r)) else {
                continue;
            };
            let count = row.key.sources.len();
            let table = if !row.key.overrides.is_empty() {
                m.push_user_table(p, &mut grants, row.key, row.representative);
                m.tables += 1;
                (m.tables - 1) as u32
            } else if count > 1 && materialize_all {
                m.push_combined(at.sources as usize..at.sources as usize + count);
                m.tables += 1;
                (m.tables - 1) as u32
            } else {
                continue;
            };
            if let Some(slot) = m.rows.get_mut(r) {
                slot.table = table;
            }
        }
        m.rows.push(RowRef {
            table: COMBINED,
            sources: m.row_sources.len() as u32,
        });
        Ok(m)
    }

    /// Appends a table per source, in [`Matrix::source_keys`]' order. With `old` (a
    /// matrix of the same sources), a source's table is copied from it where `changed`
    /// says the source's grants are the same.
    fn push_source_tables(&mut self, p: &Policy, old: Option<(&Matrix, Changed<'_>)>) {
        let keys = std::mem::take(&mut self.source_keys);
        let per_cells = self.modules * Action::COUNT;
        for (k, key) in keys.iter().enumerate() {
            let copied = old.is_some_and(|(old, changed)| {
                !changed(key)
                    && copy_table(&mut self.cells, &old.cells, k, per_cells)
                    && copy_table(&mut self.access, &old.access, k, self.modules)
                    && copy_table(&mut self.fields, &old.fields, k, self.fields_per_row)
                    && copy_table(&mut self.tools, &old.tools, k, self.tools_per_row)
            });
            if !copied {
                // nothing to copy (or, which cannot happen, an old table cut short)
                self.cells.truncate(k * per_cells);
                self.access.truncate(k * self.modules);
                self.fields.truncate(k * self.fields_per_row);
                self.tools.truncate(k * self.tools_per_row);
                for (module_index, (_, module)) in p.modules.iter().enumerate() {
                    let mut grant =
                        source_grant(p, key.role, key.ceiling, module_index, key.admin_scope);
                    finish(&mut grant, module, key.external_capped);
                    self.push(&grant);
                }
            }
            self.tables += 1;
        }
        self.source_keys = keys;
    }

    /// The key row `r` was built from, with `p`'s users.
    fn key_of(&self, p: &Policy, r: usize) -> SourceKey {
        let flags = self.flags.get(r).copied().unwrap_or(0);
        let user = self
            .representatives
            .get(r)
            .and_then(|&u| p.users.get_index(u as usize))
            .map(|(_, u)| u);
        SourceKey {
            sources: self.sources(r as u32).0,
            overrides: match user {
                Some(user) if flags & OVERRIDES != 0 => super::overrides_key(user),
                _ => super::OverridesKey::default(),
            },
            admin_scope: flags & ADMIN_SCOPE != 0,
            external_capped: flags & EXTERNAL_CAPPED != 0,
        }
    }

    /// The same rows, built from `p`'s grants: `p` must differ from the policy this matrix
    /// was built from in nothing but its profiles' contents and its roles' profile lists,
    /// so that every row keeps its sources, overrides and users, and every table its
    /// place. Only the tables are worked out again: a source's table is copied when
    /// `changed` says its grants are the same. `size` is `Limits::size_of(p)`.
    ///
    /// # Errors
    /// As [`Matrix::build`].
    ///
    /// # Cost
    /// O(distinct sources × modules × (actions + fields + tools + profiles of the role)
    /// plus tables worked out in full × their sources × the same per module), and a copy
    /// of the rows.
    pub fn rebuild(
        &self,
        p: &Policy,
        size: usize,
        changed: &dyn Fn(&TableKey) -> bool,
    ) -> Result<Matrix, PolicyError> {
        let budget = p.limits().matrix_budget(size);
        if self.bytes > budget || self.work > budget.saturating_mul(4) {
            // refused: let a build say so, in its words
            return self.build_again(p);
        }
        let mut m = Matrix {
            modules: self.modules,
            merge: p.settings.merge,
            source_keys: self.source_keys.clone(),
            tables: 0,
            cells: Vec::with_capacity(self.cells.len()),
            access: Vec::with_capacity(self.access.len()),
            fields: Vec::with_capacity(self.fields.len()),
            field_offsets: self.field_offsets.clone(),
            fields_per_row: self.fields_per_row,
            tools: Vec::with_capacity(self.tools.len()),
            tool_offsets: self.tool_offsets.clone(),
            tools_per_row: self.tools_per_row,
            rows: self.rows.clone(),
            row_sources: self.row_sources.clone(),
            representatives: self.representatives.clone(),
            flags: self.flags.clone(),
            bytes: self.bytes,
            work: self.work,
        };
        m.push_source_tables(p, Some((self, changed)));
        let sources = self.source_keys.len();
        let mut grants = RoleGrants::new();
        for r in 0..self.rows() {
            let (Some(at), Some(next)) = (self.rows.get(r), self.rows.get(r + 1)) else {
                continue;
            };
            if at.table == COMBINED || (at.table as usize) < sources {
                continue; // read from its sources' tables
            }
            if self.flags.get(r).is_some_and(|f| f & OVERRIDES != 0) {
                let key = self.key_of(p, r);
                let user = self.representatives.get(r).copied().unwrap_or(u32::MAX);
                m.push_user_table(p, &mut grants, &key, user as usize);
            } else {
                m.push_combined(at.sources as usize..next.sources as usize);
            }
            m.tables += 1;
        }
        Ok(m)
    }

    /// [`Matrix::build`] from this matrix's rows, for `p`.
    fn build_again(&self, p: &Policy) -> Result<Matrix, PolicyError> {
        let keys: Vec<SourceKey> = (0..self.rows()).map(|r| self.key_of(p, r)).collect();
        let inputs: Vec<RowInput<'_>> = keys
            .iter()
            .zip(&self.representatives)
            .map(|(key, &representative)| RowInput {
                key,
                representative: representative as usize,
            })
            .collect();
        Matrix::build(p, &inputs)
    }

    /// Appends the table of a row with overrides: `key`'s sources with user `user`'s
    /// overrides, worked out in full.
    fn push_user_table(
        &mut self,
        p: &Policy,
        grants: &mut RoleGrants,
        key: &SourceKey,
        user: usize,
    ) {
        let user = p.users.get_index(user).map(|(_, u)| u);
        for (module_index, module_id) in p.modules.keys().enumerate() {
            let ov = user.and_then(|u| u.overrides.get(module_id));
            let grant = user_grant(p, grants, key, module_index, ov);
            self.push(&grant);
        }
    }

    /// Appends one module's grant to the table being built.
    fn push(&mut self, grant: &Grant) {
        self.cells.extend_from_slice(&grant.cells.0);
        self.access.push(grant.access);
        self.fields.extend_from_slice(&grant.fields);
        self.tools.extend_from_slice(&grant.tools);
    }

    /// Appends a table folding the source tables at `sources` of `row_sources`.
    fn push_combined(&mut self, sources: std::ops::Range<usize>) {
        let ids: SmallVec<[usize; 8]> = self
            .row_sources
            .get(sources)
            .unwrap_or(&[])
            .iter()
            .map(|&t| t as usize)
            .collect();
        let cells_per = self.modules * Action::COUNT;
        for i in 0..cells_per {
            let cell = fold(
                self.merge,
                ids.iter().map(|t| {
                    self.cells
                        .get(t * cells_per + i)
                        .copied()
                        .unwrap_or(Cell::NONE)
                }),
                Cell::join,
                Cell::meet,
            );
            self.cells.push(cell.unwrap_or(Cell::NONE));
        }
        for i in 0..self.modules {
            let access = fold(
                self.merge,
                ids.iter().map(|t| {
                    self.access
                        .get(t * self.modules + i)
                        .copied()
                        .unwrap_or(Access::Off)
                }),
                Access::max,
                Access::min,
            );
            self.access.push(access.unwrap_or(Access::Off));
        }
        for i in 0..self.fields_per_row {
            let field = fold(
                self.merge,
                ids.iter().map(|t| {
                    self.fields
                        .get(t * self.fields_per_row + i)
                        .copied()
                        .unwrap_or(FieldAccess::Hidden)
                }),
                FieldAccess::max,
                FieldAccess::min,
            );
            self.fields.push(field.unwrap_or(FieldAccess::Hidden));
        }
        for i in 0..self.tools_per_row {
            let tool = fold(
                self.merge,
                ids.iter().map(|t| {
                    self.tools
                        .get(t * self.tools_per_row + i)
                        .copied()
                        .unwrap_or(false)
                }),
                |a, b| a | b,
                |a, b| a & b,
            );
            self.tools.push(tool.unwrap_or(false));
        }
    }

    /// The tables `row` is read from, to keep beside the user.
    pub fn tables_of(&self, row: u32) -> RowTables {
        match self.row_tables(row) {
            Tables::One(t) => RowTables {
                ids: [t as u32, 0, 0],
                len: 1,
            },
            Tables::Fold(ids) if ids.len() <= 3 => {
                let mut out = RowTables {
                    ids: [0; 3],
                    len: ids.len() as u8,
                };
                out.ids.iter_mut().zip(ids).for_each(|(slot, &t)| *slot = t);
                out
            }
            Tables::Fold(_) => RowTables {
                ids: [0; 3],
                len: RowTables::VIA_ROW,
            },
        }
    }

    /// The cell of a row whose tables are `tables`: the hot path of every check.
    #[inline]
    pub fn cell_in(&self, tables: &RowTables, row: u32, module: usize, action: Action) -> Cell {
        let per = self.modules * Action::COUNT;
        let offset = module * Action::COUNT + action.index();
        let at = |t: u32| {
            self.cells
                .get(t as usize * per + offset)
                .copied()
                .unwrap_or(Cell::NONE)
        };
        let [a, b, c] = tables.ids;
        match (tables.len, self.merge) {
            (0, _) => Cell::NONE,
            (1, _) => at(a),
            (2, Merge::Additive) => at(a).join(at(b)),
            (2, Merge::Subtractive) => at(a).meet(at(b)),
            (3, Merge::Additive) => at(a).join(at(b)).join(at(c)),
            (3, Merge::Subtractive) => at(a).meet(at(b)).meet(at(c)),
            _ => self.cell(row, module, action),
        }
    }

    /// The tables a row is read from: one, or its sources' to fold.
    #[inline]
    fn row_tables(&self, row: u32) -> Tables<'_> {
        let row = row as usize;
        match (self.rows.get(row), self.rows.get(row + 1)) {
            (Some(at), _) if at.table != COMBINED => Tables::One(at.table as usize),
            (Some(at), Some(next)) => Tables::Fold(
                self.row_sources
                    .get(at.sources as usize..next.sources as usize)
                    .unwrap_or(&[]),
            ),
            _ => Tables::Fold(&[]),
        }
    }

    /// Reads `at(table)` for the row's tables and folds them by the merge: the row's value.
    #[inline]
    fn read<T: Copy>(
        &self,
        row: u32,
        none: T,
        at: impl Fn(usize) -> Option<T>,
        join: impl Fn(T, T) -> T,
        meet: impl Fn(T, T) -> T,
    ) -> T {
        match self.row_tables(row) {
            Tables::One(t) => at(t).unwrap_or(none),
            Tables::Fold(ids) => fold(
                self.merge,
                ids.iter().map(|&t| at(t as usize).unwrap_or(none)),
                join,
                meet,
            )
            .unwrap_or(none),
        }
    }

    #[inline]
    pub fn cell(&self, row: u32, module: usize, action: Action) -> Cell {
        let per = self.modules * Action::COUNT;
        let offset = module * Action::COUNT + action.index();
        self.read(
            row,
            Cell::NONE,
            |t| self.cells.get(t * per + offset).copied(),
            Cell::join,
            Cell::meet,
        )
    }

    pub fn access(&self, row: u32, module: usize) -> Access {
        self.read(
            row,
            Access::Off,
            |t| self.access.get(t * self.modules + module).copied(),
            Access::max,
            Access::min,
        )
    }

    pub fn field(&self, row: u32, module: usize, field: usize) -> FieldAccess {
        let offset = self.field_offsets.get(module).copied().unwrap_or(0) + field;
        self.read(
            row,
            FieldAccess::Hidden,
            |t| self.fields.get(t * self.fields_per_row + offset).copied(),
            FieldAccess::max,
            FieldAccess::min,
        )
    }

    pub fn tool(&self, row: u32, module: usize, tool: usize) -> bool {
        let offset = self.tool_offsets.get(module).copied().unwrap_or(0) + tool;
        self.read(
            row,
            false,
            |t| self.tools.get(t * self.tools_per_row + offset).copied(),
            |a, b| a | b,
            |a, b| a & b,
        )
    }

    /// The sources a row joins (or meets): (role, ceiling) pairs, ascending, and whether
    /// the admin scope reaches every record.
    pub fn sources(&self, row: u32) -> (Vec<(u32, Option<u32>)>, bool) {
        let row = row as usize;
        let (Some(at), Some(next)) = (self.rows.get(row), self.rows.get(row + 1)) else {
            return (Vec::new(), false);
        };
        let keys: Vec<TableKey> = self
            .row_sources
            .get(at.sources as usize..next.sources as usize)
            .unwrap_or(&[])
            .iter()
            .filter_map(|&t| self.source_keys.get(t as usize).copied())
            .collect();
        let admin = keys.first().is_some_and(|k| k.admin_scope);
        (keys.iter().map(|k| (k.role, k.ceiling)).collect(), admin)
    }

    /// The roles of the sources of `row` (the default role, direct roles and roles
    /// conferred by teams), without allocating; a role may repeat.
    pub fn source_roles(&self, row: u32) -> impl Iterator<Item = u32> + '_ {
        let row = row as usize;
        let range = match (self.rows.get(row), self.rows.get(row + 1)) {
            (Some(at), Some(next)) => at.sources as usize..next.sources as usize,
            _ => 0..0,
        };
        self.row_sources
            .get(range)
            .unwrap_or(&[])
            .iter()
            .filter_map(|&t| self.source_keys.get(t as usize).map(|k| k.role))
    }

    /// Number of distinct rows.
    pub fn rows(&self) -> usize {
        self.rows.len().saturating_sub(1)
    }

    pub fn memory_usage(&self) -> usize {
        self.cells.capacity() * size_of::<Cell>()
            + self.access.capacity() * size_of::<Access>()
            + self.fields.capacity() * size_of::<FieldAccess>()
            + self.tools.capacity()
            + (self.field_offsets.capacity() + self.tool_offsets.capacity()) * size_of::<usize>()
            + self.source_keys.capacity() * size_of::<TableKey>()
            + self.rows.capacity() * size_of::<RowRef>()
            + self.row_sources.capacity() * size_of::<u32>()
            + self.representatives.capacity() * size_of::<u32>()
            + self.flags.capacity()
    }
}

enum Tables<'a> {
    One(usize),
    Fold(&'a [u32]),
}

/// Whether a source's grants changed since an earlier matrix was built.
type Changed<'a> = &'a dyn Fn(&TableKey) -> bool;

/// Appends table `k` of `old` (tables of `per` values each) to `out`; false if `old` has
/// no such table.
fn copy_table<T: Copy>(out: &mut Vec<T>, old: &[T], k: usize, per: usize) -> bool {
    match old.get(k * per..(k + 1) * per) {
        Some(table) => {
            out.extend_from_slice(table);
            true
        }
        None => false,
    }
}

/// Joins (additive) or meets (subtractive) `values`; `None` for none.
#[inline]
fn fold<T>(
    merge: Merge,
    mut values: impl Iterator<Item = T>,
    join: impl Fn(T, T) -> T,
    meet: impl Fn(T, T) -> T,
) -> Option<T> {
    let first = values.next()?;
    Some(match merge {
        Merge::Additive => values.fold(first, join),
        Merge::Subtractive => values.fold(first, meet),
    })
}

/// The per-user steps that commute with join and meet ([grant step 6](crate::doc::semantics#grants), §4 `sharing`):
/// the external cap, then `sharing` widening any grant to every record.
fn finish(grant: &mut Grant, module: &Module, external_capped: bool) {
    if external_capped {
        grant.cap_writes();
    }
    for action in Action::ALL {
        let cell = &mut grant.cells[*action];
        if !cell.is_none() && module.sharing.grants(*action) {
            *cell = Cell::ALL;
        }
    }
}

/// [grant step 3–7](crate::doc::semantics#grants) for one user (represented by its key) and module.
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
    finish(&mut grant, module, key.external_capped);
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
