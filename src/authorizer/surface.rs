//! [fields, tools and limits](crate::doc::semantics#fields-tools-and-limits): fields, tools, result limits and the merge-duplicates order.

use super::Authorizer;
use super::record::Record;
use crate::compile::grant::effective_field;
use crate::error::{CheckError, IdKind};
use crate::ids::{FieldId, ModuleId, ToolId, UserId};
use crate::policy::{Access, Action, FieldAccess, Merge};

impl Authorizer {
    /// The fields of `module` that `user` sees, with what they may do with each, in the
    /// module's order; hidden fields are left out. Empty for unknown ids.
    ///
    /// # Cost
    /// O(fields of the module), one [`Authorizer::field_access`] each.
    ///
    /// ```
    /// use permatrix::{FieldAccess, Policy};
    /// let auth = Policy::from_json(r#"{"version":1,
    ///   "modules":{"m":{"fields":{"iban":{},"name":{},"notes":{}}}},
    ///   "profiles":{"p":{"modules":{"m":{"access":"on","fields":{"iban":"hidden","notes":"read_only"}}}}},
    ///   "roles":{"r":{"profiles":["p"]}}, "users":{"a":{"roles":["r"]}}}"#)?.compile()?;
    /// let (a, m) = (auth.user("a").unwrap(), auth.module("m").unwrap());
    /// assert_eq!(auth.visible_fields(a, m), [("name", FieldAccess::ReadWrite), ("notes", FieldAccess::ReadOnly)]);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn visible_fields(&self, user: UserId, module: ModuleId) -> Vec<(&str, FieldAccess)> {
        let Ok(def) = self.module_def(module) else {
            return Vec::new();
        };
        def.fields
            .keys()
            .filter_map(|name| {
                let access = self.try_field_access(user, module, name).ok()?;
                (access != FieldAccess::Hidden).then_some((name.as_str(), access))
            })
            .collect()
    }

    /// The modules on which `user` may `action` at least some records: the cell is not
    /// `none` (so at least their own records), the module has no owners or the action is
    /// module-level and granted, or they bypass data checks. Sharing never opens a module
    /// on its own: rules and shares only widen a grant that is there. In the policy's
    /// order; empty for an unknown user.
    ///
    /// # Cost
    /// O(modules) look-ups; one allocation for the result.
    ///
    /// ```
    /// use permatrix::{Action, Policy};
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"a":{},"b":{},"c":{}},
    ///   "profiles":{"p":{"modules":{"a":{"access":"on","actions":{"view":"owner"}},
    ///                               "b":{"access":"on","actions":{"edit":"all"}}}}},
    ///   "roles":{"r":{"profiles":["p"]}}, "users":{"u":{"roles":["r"]}}}"#)?.compile()?;
    /// let u = auth.user("u").unwrap();
    /// let names = |ms: Vec<permatrix::ModuleId>| ms.into_iter().map(|m| auth.module_name(m).unwrap()).collect::<Vec<_>>();
    /// assert_eq!(names(auth.allowed_modules(u, Action::View)), ["a"]);
    /// assert_eq!(names(auth.allowed_modules(u, Action::Edit)), ["b"]);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn allowed_modules(&self, user: UserId, action: Action) -> Vec<ModuleId> {
        let Ok(facts) = self.user_facts(user) else {
            return Vec::new();
        };
        (0..self.inner.modules.len() as u32)
            .map(|m| self.module_id(m))
            .filter(|&module| {
                // steps 2–4 decide on their own when the user is inactive, bypasses, or
                // has no grant; past them the cell reaches at least the user's own records
                match self.gate(user, facts, module, action) {
                    Ok(_) => true,
                    Err(step) => step.allows(),
                }
            })
            .collect()
    }

    /// [`Authorizer::can`] for many records at once, in order: one allocation for the
    /// answers, none per record.
    ///
    /// # Cost
    /// As many [`Authorizer::can`]s.
    ///
    /// ```
    /// use permatrix::{Action, Policy, Record};
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},
    ///   "profiles":{"p":{"modules":{"m":{"access":"on","actions":{"view":"owner"}}}}},
    ///   "roles":{"r":{"profiles":["p"]}}, "users":{"a":{"roles":["r"]},"b":{}}}"#)?.compile()?;
    /// let (a, b, m) = (auth.user("a").unwrap(), auth.user("b").unwrap(), auth.module("m").unwrap());
    /// let rows = [Record::owned_by_user(m, a), Record::owned_by_user(m, b)];
    /// assert_eq!(auth.can_many(a, Action::View, &rows), [true, false]);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn can_many(&self, user: UserId, action: Action, records: &[Record<'_>]) -> Vec<bool> {
        records
            .iter()
            .map(|record| self.can(user, action, record))
            .collect()
    }

    /// What `user` may do with `field` of `module` ([fields, tools and limits](crate::doc::semantics#fields-tools-and-limits)): `hidden` for an inactive
    /// user, `read_write` for a bypassing admin, `hidden` on an `off` module, at most
    /// `read_only` on a `read_only` module, `read_write` for mandatory fields on an `on`
    /// module (`read_only` for capped external users), otherwise the merged value.
    /// Unknown ids and fields are `hidden`.
    ///
    /// # Cost
    /// O(1): one hash lookup of the field's name; no allocation.
    ///
    /// ```
    /// use permatrix::{FieldAccess, Policy};
    /// let auth = Policy::from_json(r#"{"version":1,
    ///   "modules":{"m":{"fields":{"iban":{},"name":{"mandatory":true}}}},
    ///   "profiles":{"p":{"modules":{"m":{"access":"on","fields":{"iban":"hidden"}}}}},
    ///   "roles":{"r":{"profiles":["p"]}}, "users":{"a":{"roles":["r"]}}}"#)?.compile()?;
    /// let (a, m) = (auth.user("a").unwrap(), auth.module("m").unwrap());
    /// assert_eq!(auth.field_access(a, m, "iban"), FieldAccess::Hidden);
    /// assert_eq!(auth.field_access(a, m, "name"), FieldAccess::ReadWrite);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn field_access(&self, user: UserId, module: ModuleId, field: &str) -> FieldAccess {
        // no error is built for an unknown name: the plain form allocates nothing
        self.field(module, field)
            .map_or(FieldAccess::Hidden, |f| self.field_access_by_id(user, f))
    }

    /// [`Authorizer::field_access`], with unknown ids and fields reported as errors.
    ///
    /// # Errors
    /// [`CheckError`] for an unknown user, module or field.
    ///
    /// # Cost
    /// O(1), as [`Authorizer::field_access`].
    ///
    /// ```
    /// use permatrix::{IdKind, Policy};
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{}}}"#)?.compile()?;
    /// let err = auth.try_field_access(auth.user("a").unwrap(), auth.module("m").unwrap(), "nope").unwrap_err();
    /// assert_eq!(err.kind(), IdKind::Field);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn try_field_access(
        &self,
        user: UserId,
        module: ModuleId,
        field: &str,
    ) -> Result<FieldAccess, CheckError> {
        let def = self.module_def(module)?;
        let index = def.fields.get_index_of(field).ok_or_else(|| {
            CheckError::unknown(
                IdKind::Field,
                field,
                self.module_name(module).unwrap_or_default(),
            )
        })?;
        self.try_field_access_by_id(
            user,
            FieldId {
                module,
                index: index as u32,
            },
        )
    }

    /// The field `name` of `module`, resolved once for [`Authorizer::field_access_by_id`];
    /// `None` when the module declares no such field or the module id is not this
    /// authorizer's. O(1).
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{"fields":{"iban":{}}}}}"#)?.compile()?;
    /// let m = auth.module("m").unwrap();
    /// assert_eq!(auth.field(m, "iban").map(|f| f.index()), Some(0));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn field(&self, module: ModuleId, name: &str) -> Option<FieldId> {
        let index = self.module_def(module).ok()?.fields.get_index_of(name)?;
        Some(FieldId {
            module,
            index: index as u32,
        })
    }

    /// The name of `field`, if its module is this authorizer's. O(1).
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{"fields":{"iban":{}}}}}"#)?.compile()?;
    /// let iban = auth.field(auth.module("m").unwrap(), "iban").unwrap();
    /// assert_eq!(auth.field_name(iban), Some("iban"));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn field_name(&self, field: FieldId) -> Option<&str> {
        let def = self.module_def(field.module).ok()?;
        def.fields.get_index(field.index()).map(|(k, _)| k.as_str())
    }

    /// [`Authorizer::field_access`] for a field resolved with [`Authorizer::field`]: no
    /// name to look up. `hidden` for unknown ids.
    ///
    /// # Cost
    /// O(1); no allocation.
    ///
    /// ```
    /// use permatrix::{FieldAccess, Policy};
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{"fields":{"iban":{}}}},
    ///   "profiles":{"p":{"modules":{"m":{"access":"on","fields":{"iban":"read_only"}}}}},
    ///   "roles":{"r":{"profiles":["p"]}}, "users":{"a":{"roles":["r"]}}}"#)?.compile()?;
    /// let iban = auth.field(auth.module("m").unwrap(), "iban").unwrap();
    /// assert_eq!(auth.field_access_by_id(auth.user("a").unwrap(), iban), FieldAccess::ReadOnly);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn field_access_by_id(&self, user: UserId, field: FieldId) -> FieldAccess {
        self.try_field_access_by_id(user, field)
            .unwrap_or(FieldAccess::Hidden)
    }

    /// [`Authorizer::field_access_by_id`], with unknown ids reported as errors.
    ///
    /// # Errors
    /// [`CheckError`] (`stale_id`) for a user or field of another authorizer.
    ///
    /// # Cost
    /// O(1).
    ///
    /// ```
    /// use permatrix::Policy;
    /// let policy = Policy::from_json(r#"{"version":1,"modules":{"m":{"fields":{"f":{}}}},"users":{"a":{}}}"#)?;
    /// let (old, new) = (policy.compile()?, policy.compile()?);
    /// let f = old.field(old.module("m").unwrap(), "f").unwrap();
    /// assert_eq!(new.try_field_access_by_id(new.user("a").unwrap(), f).unwrap_err().code(), "stale_id");
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn try_field_access_by_id(
        &self,
        user: UserId,
        field: FieldId,
    ) -> Result<FieldAccess, CheckError> {
        let c = &*self.inner;
        let facts = self.user_facts(user)?;
        let module = field.module;
        let def = self.module_def(module)?;
        let (_, field_def) = def
            .fields
            .get_index(field.index())
            .ok_or(CheckError::stale(IdKind::Field, field.index))?;
        match self.decided_before_grants(user, facts) {
            Some(false) => return Ok(FieldAccess::Hidden),
            Some(true) => return Ok(FieldAccess::ReadWrite),
            None => {}
        }
        Ok(effective_field(
            c.matrix.access(facts.row, module.index()),
            c.matrix.field(facts.row, module.index(), field.index()),
            field_def.mandatory,
            self.external_capped(user),
        ))
    }

    /// Whether `user` may use `tool` of `module` ([fields, tools and limits](crate::doc::semantics#fields-tools-and-limits)): active, the tool enabled in the
    /// merged profiles (after overrides) and the module not `off`; bypassing admins may use
    /// every declared tool. Unknown ids and tools are `false`.
    ///
    /// # Cost
    /// O(1) (a hash lookup of the name); no allocation.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,
    ///   "modules":{"m":{"tools":["pdf_export","merge_duplicates"]}},
    ///   "profiles":{"p":{"modules":{"m":{"access":"on","tools":{"pdf_export":true}}}}},
    ///   "roles":{"r":{"profiles":["p"]}}, "users":{"a":{"roles":["r"]}}}"#)?.compile()?;
    /// let (a, m) = (auth.user("a").unwrap(), auth.module("m").unwrap());
    /// assert!(auth.can_use_tool(a, m, "pdf_export"));
    /// assert!(!auth.can_use_tool(a, m, "merge_duplicates"));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn can_use_tool(&self, user: UserId, module: ModuleId, tool: &str) -> bool {
        // no error is built for an unknown name: the plain form allocates nothing
        self.tool(module, tool)
            .is_some_and(|t| self.can_use_tool_by_id(user, t))
    }

    /// [`Authorizer::can_use_tool`], with unknown ids and tools reported as errors.
    ///
    /// # Errors
    /// [`CheckError`] for an unknown user, module or tool.
    ///
    /// # Cost
    /// O(1), as [`Authorizer::can_use_tool`].
    ///
    /// ```
    /// use permatrix::{IdKind, Policy};
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{}}}"#)?.compile()?;
    /// let err = auth.try_can_use_tool(auth.user("a").unwrap(), auth.module("m").unwrap(), "x").unwrap_err();
    /// assert_eq!(err.kind(), IdKind::Tool);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn try_can_use_tool(
        &self,
        user: UserId,
        module: ModuleId,
        tool: &str,
    ) -> Result<bool, CheckError> {
        let def = self.module_def(module)?;
        let index = def.tools.get_index_of(tool).ok_or_else(|| {
            CheckError::unknown(
                IdKind::Tool,
                tool,
                self.module_name(module).unwrap_or_default(),
            )
        })?;
        self.try_can_use_tool_by_id(
            user,
            ToolId {
                module,
                index: index as u32,
            },
        )
    }

    /// The tool `name` of `module`, resolved once for [`Authorizer::can_use_tool_by_id`];
    /// `None` when the module declares no such tool or the module id is not this
    /// authorizer's. O(1).
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{"tools":["pdf_export"]}}}"#)?.compile()?;
    /// let m = auth.module("m").unwrap();
    /// assert!(auth.tool(m, "pdf_export").is_some() && auth.tool(m, "fax").is_none());
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn tool(&self, module: ModuleId, name: &str) -> Option<ToolId> {
        let index = self.module_def(module).ok()?.tools.get_index_of(name)?;
        Some(ToolId {
            module,
            index: index as u32,
        })
    }

    /// The name of `tool`, if its module is this authorizer's. O(1).
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{"tools":["pdf_export"]}}}"#)?.compile()?;
    /// let pdf = auth.tool(auth.module("m").unwrap(), "pdf_export").unwrap();
    /// assert_eq!(auth.tool_name(pdf), Some("pdf_export"));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn tool_name(&self, tool: ToolId) -> Option<&str> {
        let def = self.module_def(tool.module).ok()?;
        def.tools.get_index(tool.index()).map(String::as_str)
    }

    /// [`Authorizer::can_use_tool`] for a tool resolved with [`Authorizer::tool`].
    /// `false` for unknown ids.
    ///
    /// # Cost
    /// O(1); no allocation.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{"tools":["pdf_export"]}},
    ///   "profiles":{"p":{"modules":{"m":{"access":"on","tools":{"pdf_export":true}}}}},
    ///   "roles":{"r":{"profiles":["p"]}}, "users":{"a":{"roles":["r"]}}}"#)?.compile()?;
    /// let pdf = auth.tool(auth.module("m").unwrap(), "pdf_export").unwrap();
    /// assert!(auth.can_use_tool_by_id(auth.user("a").unwrap(), pdf));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn can_use_tool_by_id(&self, user: UserId, tool: ToolId) -> bool {
        self.try_can_use_tool_by_id(user, tool).unwrap_or(false)
    }

    /// [`Authorizer::can_use_tool_by_id`], with unknown ids reported as errors.
    ///
    /// # Errors
    /// [`CheckError`] (`stale_id`) for a user or tool of another authorizer.
    ///
    /// # Cost
    /// O(1).
    ///
    /// ```
    /// use permatrix::Policy;
    /// let policy = Policy::from_json(r#"{"version":1,"modules":{"m":{"tools":["t"]}},"users":{"a":{}}}"#)?;
    /// let (old, new) = (policy.compile()?, policy.compile()?);
    /// let t = old.tool(old.module("m").unwrap(), "t").unwrap();
    /// assert_eq!(new.try_can_use_tool_by_id(new.user("a").unwrap(), t).unwrap_err().code(), "stale_id");
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn try_can_use_tool_by_id(&self, user: UserId, tool: ToolId) -> Result<bool, CheckError> {
        let c = &*self.inner;
        let facts = self.user_facts(user)?;
        let module = tool.module;
        let def = self.module_def(module)?;
        if tool.index() >= def.tools.len() {
            return Err(CheckError::stale(IdKind::Tool, tool.index));
        }
        if let Some(decided) = self.decided_before_grants(user, facts) {
            return Ok(decided);
        }
        Ok(c.matrix.access(facts.row, module.index()) != Access::Off
            && c.matrix.tool(facts.row, module.index(), tool.index()))
    }

    /// The maximum number of search results for `user` ([fields, tools and limits](crate::doc::semantics#fields-tools-and-limits)): over the user's active
    /// teams that set a limit, the max (additive merge) or min (subtractive). `None` means
    /// unlimited. An id this authorizer did not issue gets `Some(0)`: no results, rather
    /// than the unlimited answer of `None` ([`Authorizer::try_result_limit`] says why).
    ///
    /// # Cost
    /// O(teams of the user).
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"users":{"a":{}},
    ///   "teams":{"x":{"users":["a"],"result_limit":50},"y":{"users":["a"],"result_limit":200}}}"#)?.compile()?;
    /// assert_eq!(auth.result_limit(auth.user("a").unwrap()), Some(200));
    /// let stale = auth.policy().compile()?.user("a").unwrap();
    /// assert_eq!(auth.result_limit(stale), Some(0));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn result_limit(&self, user: UserId) -> Option<u64> {
        self.try_result_limit(user).unwrap_or(Some(0))
    }

    /// [`Authorizer::result_limit`], with an id of another authorizer reported as an
    /// error.
    ///
    /// # Errors
    /// [`CheckError`] (`stale_id`) for an id this authorizer did not issue.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"users":{"a":{}}}"#)?.compile()?;
    /// assert_eq!(auth.try_result_limit(auth.user("a").unwrap()), Ok(None));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn try_result_limit(&self, user: UserId) -> Result<Option<u64>, CheckError> {
        self.user_facts(user)?;
        let p = &self.inner.policy;
        let limits = self
            .user_team_slice(user)
            .iter()
            .filter_map(|&t| p.teams.get_index(t as usize))
            .filter_map(|(_, team)| team.result_limit);
        Ok(match p.settings.merge {
            Merge::Additive => limits.max(),
            Merge::Subtractive => limits.min(),
        })
    }

    /// Which of two duplicates survives a merge ([fields, tools and limits](crate::doc::semantics#fields-tools-and-limits), 1CRM): `Some((a, b))` when the
    /// user can `edit` `a` and `delete` `b` (`a` stays, `b` is deleted); otherwise
    /// `Some((b, a))` when the user can `edit` `b` and `delete` `a`; otherwise `None`.
    ///
    /// # Cost
    /// Four [`Authorizer::can`] at most.
    ///
    /// ```
    /// use permatrix::{Policy, Record};
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},
    ///   "profiles":{"p":{"modules":{"m":{"access":"on","actions":{"edit":"all","delete":"owner"}}}}},
    ///   "roles":{"r":{"profiles":["p"]}}, "users":{"a":{"roles":["r"]},"b":{}}}"#)?.compile()?;
    /// let (a, b, m) = (auth.user("a").unwrap(), auth.user("b").unwrap(), auth.module("m").unwrap());
    /// let theirs = Record::owned_by_user(m, b);
    /// let mine = Record::owned_by_user(m, a);
    /// // a may delete only their own record, so theirs stays and mine is merged into it
    /// assert_eq!(auth.merge_order(a, &mine, &theirs), Some((theirs, mine)));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn merge_order<'r>(
        &self,
        user: UserId,
        a: &Record<'r>,
        b: &Record<'r>,
    ) -> Option<(Record<'r>, Record<'r>)> {
        if self.can(user, Action::Edit, a) && self.can(user, Action::Delete, b) {
            Some((*a, *b))
        } else if self.can(user, Action::Edit, b) && self.can(user, Action::Delete, a) {
            Some((*b, *a))
        } else {
            None
        }
    }

    /// Whether "merge duplicates" is offered to `user` on `module` at all ([fields, tools and limits](crate::doc::semantics#fields-tools-and-limits)): the
    /// `edit` cell is not `none`, and the tool `merge_duplicates`, if the module declares
    /// it, is enabled. Bypassing admins: always.
    ///
    /// # Cost
    /// O(1).
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},
    ///   "profiles":{"p":{"modules":{"m":{"access":"on","actions":{"edit":"owner"}}}}},
    ///   "roles":{"r":{"profiles":["p"]}}, "users":{"a":{"roles":["r"]}}}"#)?.compile()?;
    /// assert!(auth.offers_merge(auth.user("a").unwrap(), auth.module("m").unwrap()));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn offers_merge(&self, user: UserId, module: ModuleId) -> bool {
        let c = &*self.inner;
        let (Ok(facts), Ok(def)) = (self.user_facts(user), self.module_def(module)) else {
            return false;
        };
        if let Some(decided) = self.decided_before_grants(user, facts) {
            return decided;
        }
        let edit = !c
            .matrix
            .cell(facts.row, module.index(), Action::Edit)
            .is_none();
        edit && (!def.tools.contains("merge_duplicates")
            || self.can_use_tool(user, module, "merge_duplicates"))
    }

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
