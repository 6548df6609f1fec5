//! Modules and sharing rules ([administration](crate::doc::semantics#administration)).

use super::audit::AuditEvent;
use super::change::{Admin, Item, Outcome, check_new_id, refuse};
use super::profiles::allow_all;
use crate::authorizer::areas::{MODULE_MANAGER, MODULE_SETTINGS, SHARING_RULES};
use crate::error::{ErrorCode, PolicyError};
use crate::policy::{Module, Policy, Sharing, SharingRule};

fn module_mut<'a>(p: &'a mut Policy, id: &str) -> Result<&'a mut Module, PolicyError> {
    p.modules.get_mut(id).ok_or_else(|| {
        refuse(
            ErrorCode::UnknownReference,
            format!("modules.{id}"),
            format!("no module `{id}`"),
        )
    })
}

pub(super) fn add_module(
    admin: &mut Admin<'_>,
    id: &str,
    module: Module,
) -> Result<AuditEvent, PolicyError> {
    admin.apply(
        MODULE_MANAGER,
        "module.add",
        Item::Module(id.to_string()),
        |p| {
            check_new_id(&p.modules, "modules", id)?;
            for profile in p
                .profiles
                .values_mut()
                .filter(|pr| pr.auto_allow_new_modules)
            {
                profile.modules.insert(id.to_string(), allow_all(&module));
            }
            p.modules.insert(id.to_string(), module);
            Ok(Outcome::default())
        },
    )
}

pub(super) fn add_tool(
    admin: &mut Admin<'_>,
    module: &str,
    tool: &str,
) -> Result<AuditEvent, PolicyError> {
    admin.apply(
        MODULE_MANAGER,
        "module.add_tool",
        Item::Module(module.to_string()),
        |p| {
            if tool.is_empty() {
                return Err(refuse(
                    ErrorCode::Malformed,
                    format!("modules.{module}.tools"),
                    "tool names are non-empty strings",
                ));
            }
            let def = module_mut(p, module)?;
            if !def.tools.insert(tool.to_string()) {
                return Err(refuse(
                    ErrorCode::DuplicateKey,
                    format!("modules.{module}.tools.{tool}"),
                    format!("`{module}` already has the tool `{tool}`"),
                ));
            }
            for profile in p
                .profiles
                .values_mut()
                .filter(|pr| pr.auto_allow_new_modules)
            {
                profile
                    .modules
                    .entry(module.to_string())
                    .or_default()
                    .tools
                    .insert(tool.to_string(), true);
            }
            Ok(Outcome::default())
        },
    )
}

pub(super) fn set_module_sharing(
    admin: &mut Admin<'_>,
    module: &str,
    sharing: Sharing,
) -> Result<AuditEvent, PolicyError> {
    admin.apply(
        MODULE_SETTINGS,
        "module.set_sharing",
        Item::Module(module.to_string()),
        |p| {
            let def = module_mut(p, module)?;
            if def.sharing_locked && def.sharing != sharing {
                return Err(refuse(
                    ErrorCode::SharingLocked,
                    format!("modules.{module}.sharing"),
                    format!("the organisation-wide default of `{module}` is locked"),
                ));
            }
            def.sharing = sharing;
            Ok(Outcome::default())
        },
    )
}

pub(super) fn add_sharing_rule(
    admin: &mut Admin<'_>,
    rule: SharingRule,
) -> Result<AuditEvent, PolicyError> {
    let index = admin.policy.sharing_rules.len();
    admin.apply(
        SHARING_RULES,
        "sharing_rule.add",
        Item::SharingRule(index),
        |p| {
            p.sharing_rules.push(rule);
            Ok(Outcome::default())
        },
    )
}

pub(super) fn remove_sharing_rule(
    admin: &mut Admin<'_>,
    index: usize,
) -> Result<AuditEvent, PolicyError> {
    admin.apply(
        SHARING_RULES,
        "sharing_rule.remove",
        Item::SharingRule(index),
        |p| {
            if index >= p.sharing_rules.len() {
                return Err(refuse(
                    ErrorCode::UnknownReference,
                    format!("sharing_rules[{index}]"),
                    "no such sharing rule",
                ));
            }
            p.sharing_rules.remove(index);
            Ok(Outcome::default())
        },
    )
}
