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

impl Admin<'_> {
    /// Adds a module. Profiles with `auto_allow_new_modules` get full access to it (`on`,
    /// every scope `all`, every tool on); all others have it `off` (Salesware).
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `duplicate_key`; `not_permitted` (area `module_manager`).
    ///
    /// ```
    /// use permatrix::{Policy, policy::{Access, Module}};
    /// let mut p = Policy::from_json(r#"{"version":1,"profiles":{"auto":{"auto_allow_new_modules":true},"plain":{}},
    ///   "users":{"root":{"admin":"admin"}}}"#)?;
    /// p.admin("root").add_module("invoices", Module::default())?;
    /// assert_eq!(p.profiles["auto"].modules["invoices"].access, Access::On);
    /// assert!(!p.profiles["plain"].modules.contains_key("invoices"));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn add_module(&mut self, id: &str, module: Module) -> Result<AuditEvent, PolicyError> {
        self.apply(
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

    /// Declares a tool on a module and enables it in every profile with
    /// `auto_allow_new_modules` ([administration](crate::doc::semantics#administration)). A profile that does not list the module gets an
    /// entry for it with the tool on; the tool still needs access to the module to be used.
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `duplicate_key` for a tool already declared; `unknown_reference`; `not_permitted`.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let mut p = Policy::from_json(r#"{"version":1,"modules":{"m":{}},
    ///   "profiles":{"auto":{"auto_allow_new_modules":true,"modules":{"m":{"access":"on"}}},
    ///               "later":{"auto_allow_new_modules":true}},
    ///   "users":{"root":{"admin":"admin"}}}"#)?;
    /// p.admin("root").add_tool("m", "pdf_export")?;
    /// assert_eq!(p.profiles["auto"].modules["m"].tools["pdf_export"], true);
    /// assert_eq!(p.profiles["later"].modules["m"].tools["pdf_export"], true);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn add_tool(&mut self, module: &str, tool: &str) -> Result<AuditEvent, PolicyError> {
        self.apply(
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

    /// Sets a module's organisation-wide default.
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `sharing_locked` for a module whose default is locked (the calendar);
    /// `unknown_reference`; `not_permitted` (area `module_settings`).
    ///
    /// ```
    /// use permatrix::{ErrorCode, Policy, policy::Sharing};
    /// let mut p = Policy::from_json(r#"{"version":1,"modules":{"calendar":{"sharing_locked":true},"leads":{}},
    ///   "users":{"root":{"admin":"admin"}}}"#)?;
    /// assert_eq!(p.admin("root").set_module_sharing("calendar", Sharing::PublicRead).unwrap_err().code(), ErrorCode::SharingLocked);
    /// p.admin("root").set_module_sharing("leads", Sharing::PublicRead)?;
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn set_module_sharing(
        &mut self,
        module: &str,
        sharing: Sharing,
    ) -> Result<AuditEvent, PolicyError> {
        self.apply(
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

    /// Adds a custom sharing rule.
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `unknown_reference`; `not_permitted` (area `sharing_rules`).
    ///
    /// ```
    /// use permatrix::{Policy, policy::{Principal, ShareAccess, SharingRule}};
    /// let mut p = Policy::from_json(r#"{"version":1,"modules":{"leads":{}},"users":{"root":{"admin":"admin"},"a":{}}}"#)?;
    /// p.admin("root").add_sharing_rule(SharingRule {
    ///     module: "leads".into(), from: Principal::User("a".into()), to: Principal::User("root".into()),
    ///     access: ShareAccess::Read,
    /// })?;
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn add_sharing_rule(&mut self, rule: SharingRule) -> Result<AuditEvent, PolicyError> {
        let index = self.policy.sharing_rules.len();
        self.apply(
            SHARING_RULES,
            "sharing_rule.add",
            Item::SharingRule(index),
            |p| {
                p.sharing_rules.push(rule);
                Ok(Outcome::default())
            },
        )
    }

    /// Removes the sharing rule at `index`.
    ///
    /// # Cost
    /// One change: O(policy size + memberships), as every change (see [`Admin`]).
    ///
    /// # Errors
    /// `unknown_reference` for an index past the end; `not_permitted`.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let mut p = Policy::from_json(r#"{"version":1,"users":{"root":{"admin":"admin"}}}"#)?;
    /// assert!(p.admin("root").remove_sharing_rule(0).is_err());
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn remove_sharing_rule(&mut self, index: usize) -> Result<AuditEvent, PolicyError> {
        self.apply(
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
}
