//! [fields, tools and limits](crate::doc::semantics#fields-tools-and-limits): fields, tools, result limits and the merge-duplicates order.

use super::Authorizer;
use super::record::Record;
use crate::compile::effective_field;
use crate::error::{CheckError, IdKind};
use crate::ids::{FieldId, ModuleId, ToolId, UserId};
use crate::policy::{Access, Action, FieldAccess, Merge};

impl Authorizer {
    /// The policy's definition of `module`, or the step-1 error.
    pub(crate) fn module_def(
        &self,
        module: ModuleId,
    ) -> Result<&crate::policy::Module, CheckError> {
        self.module_slot(module)
            .and_then(|m| self.inner.policy.modules.get_index(m))
            .map(|(_, def)| def)
            .ok_or(CheckError::stale(IdKind::Module, module.index))
    }

    fn external_capped(&self, user: UserId) -> bool {
        let p = &self.inner.policy;
        self.user_slot(user)
            .and_then(|u| p.users.get_index(u))
            .is_some_and(|(_, u)| p.settings.caps_external(u))
    }
}

pub(crate) fn visible_fields(
    auth: &Authorizer,
    user: UserId,
    module: ModuleId,
) -> Vec<(&str, FieldAccess)> {
    let Ok(def) = auth.module_def(module) else {
        return Vec::new();
    };
    def.fields
        .keys()
        .enumerate()
        .filter_map(|(index, name)| {
            // the position is the id: no need to look the name up again
            let field = FieldId {
                module,
                index: index as u32,
            };
            let access = auth.try_field_access(user, field).ok()?;
            (access != FieldAccess::Hidden).then_some((name.as_str(), access))
        })
        .collect()
}

pub(crate) fn allowed_modules(auth: &Authorizer, user: UserId, action: Action) -> Vec<ModuleId> {
    let Ok(facts) = auth.user_facts(user) else {
        return Vec::new();
    };
    (0..auth.inner.modules.len() as u32)
        .map(|m| auth.module_id(m))
        .filter(|&module| {
            // steps 2–4 decide on their own when the user is inactive, bypasses, or
            // has no grant; past them the cell reaches at least the user's own records
            match auth.gate(user, facts, module, action) {
                Ok(_) => true,
                Err(step) => step.allows(),
            }
        })
        .collect()
}

pub(crate) fn can_many(
    auth: &Authorizer,
    user: UserId,
    action: Action,
    records: &[Record<'_>],
) -> Vec<bool> {
    records
        .iter()
        .map(|record| auth.can(user, action, record))
        .collect()
}

pub(crate) fn field(auth: &Authorizer, module: ModuleId, name: &str) -> Option<FieldId> {
    let index = auth.module_def(module).ok()?.fields.get_index_of(name)?;
    Some(FieldId {
        module,
        index: index as u32,
    })
}

pub(crate) fn field_name(auth: &Authorizer, field: FieldId) -> Option<&str> {
    let def = auth.module_def(field.module).ok()?;
    def.fields.get_index(field.index()).map(|(k, _)| k.as_str())
}

pub(crate) fn field_access(auth: &Authorizer, user: UserId, field: FieldId) -> FieldAccess {
    auth.try_field_access(user, field)
        .unwrap_or(FieldAccess::Hidden)
}

pub(crate) fn try_field_access(
    auth: &Authorizer,
    user: UserId,
    field: FieldId,
) -> Result<FieldAccess, CheckError> {
    let c = &*auth.inner;
    let facts = auth.user_facts(user)?;
    let module = field.module;
    let def = auth.module_def(module)?;
    let (_, field_def) = def
        .fields
        .get_index(field.index())
        .ok_or(CheckError::stale(IdKind::Field, field.index))?;
    match auth.decided_before_grants(user, facts) {
        Some(false) => return Ok(FieldAccess::Hidden),
        Some(true) => return Ok(FieldAccess::ReadWrite),
        None => {}
    }
    Ok(effective_field(
        c.matrix.access(facts.row, module.index()),
        c.matrix.field(facts.row, module.index(), field.index()),
        field_def.mandatory,
        auth.external_capped(user),
    ))
}

pub(crate) fn tool(auth: &Authorizer, module: ModuleId, name: &str) -> Option<ToolId> {
    let index = auth.module_def(module).ok()?.tools.get_index_of(name)?;
    Some(ToolId {
        module,
        index: index as u32,
    })
}

pub(crate) fn tool_name(auth: &Authorizer, tool: ToolId) -> Option<&str> {
    let def = auth.module_def(tool.module).ok()?;
    def.tools.get_index(tool.index()).map(String::as_str)
}

pub(crate) fn can_use_tool(auth: &Authorizer, user: UserId, tool: ToolId) -> bool {
    auth.try_can_use_tool(user, tool).unwrap_or(false)
}

pub(crate) fn try_can_use_tool(
    auth: &Authorizer,
    user: UserId,
    tool: ToolId,
) -> Result<bool, CheckError> {
    let c = &*auth.inner;
    let facts = auth.user_facts(user)?;
    let module = tool.module;
    let def = auth.module_def(module)?;
    if tool.index() >= def.tools.len() {
        return Err(CheckError::stale(IdKind::Tool, tool.index));
    }
    if let Some(decided) = auth.decided_before_grants(user, facts) {
        return Ok(decided);
    }
    Ok(c.matrix.access(facts.row, module.index()) != Access::Off
        && c.matrix.tool(facts.row, module.index(), tool.index()))
}

pub(crate) fn result_limit(auth: &Authorizer, user: UserId) -> Option<u64> {
    auth.try_result_limit(user).unwrap_or(Some(0))
}

pub(crate) fn try_result_limit(auth: &Authorizer, user: UserId) -> Result<Option<u64>, CheckError> {
    auth.user_facts(user)?;
    let p = &auth.inner.policy;
    let limits = auth
        .user_team_slice(user)
        .iter()
        .filter_map(|&t| p.teams.get_index(t as usize))
        .filter_map(|(_, team)| team.result_limit);
    Ok(match p.settings.merge {
        Merge::Additive => limits.max(),
        Merge::Subtractive => limits.min(),
    })
}

pub(crate) fn merge_order<'r>(
    auth: &Authorizer,
    user: UserId,
    a: &Record<'r>,
    b: &Record<'r>,
) -> Option<(Record<'r>, Record<'r>)> {
    if auth.can(user, Action::Edit, a) && auth.can(user, Action::Delete, b) {
        Some((*a, *b))
    } else if auth.can(user, Action::Edit, b) && auth.can(user, Action::Delete, a) {
        Some((*b, *a))
    } else {
        None
    }
}

pub(crate) fn offers_merge(auth: &Authorizer, user: UserId, module: ModuleId) -> bool {
    let c = &*auth.inner;
    let (Ok(facts), Ok(def)) = (auth.user_facts(user), auth.module_def(module)) else {
        return false;
    };
    if let Some(decided) = auth.decided_before_grants(user, facts) {
        return decided;
    }
    let edit = !c
        .matrix
        .cell(facts.row, module.index(), Action::Edit)
        .is_none();
    edit && (!def.tools.contains("merge_duplicates")
        || tool_named(auth, user, module, "merge_duplicates"))
}

/// May `user` use the tool `name` of `module`: for the crate's own tools
/// (`merge_duplicates`, `create_picklist_values`), which hosts do not look up.
pub(crate) fn tool_named(auth: &Authorizer, user: UserId, module: ModuleId, name: &str) -> bool {
    auth.tool(module, name)
        .is_some_and(|t| auth.can_use_tool(user, t))
}
