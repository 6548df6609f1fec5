//! Questions about fields, tools and picklists asked by name, as the tests write them:
//! the crate's own methods take ids ([`Authorizer::field`], [`Authorizer::tool`]), and an
//! unknown name answers here as an unknown id does there (hidden, no, nothing).

use permatrix::{Authorizer, FieldAccess, ModuleId, UserId};

/// By-name forms of the id-taking questions.
pub trait ByName {
    /// `field_access` of the field `name` of `module`; `hidden` for an unknown name.
    fn field_named(&self, user: UserId, module: ModuleId, name: &str) -> FieldAccess;
    /// `can_use_tool` of the tool `name` of `module`; `false` for an unknown name.
    fn tool_named(&self, user: UserId, module: ModuleId, name: &str) -> bool;
    /// `picklist_values` of the field `name`; none for an unknown name.
    fn picklist_named(&self, user: UserId, module: ModuleId, name: &str) -> Vec<&str>;
    /// `can_add_picklist_value` of the field `name`; `false` for an unknown name.
    fn can_add_named(&self, user: UserId, module: ModuleId, name: &str) -> bool;
}

impl ByName for Authorizer {
    fn field_named(&self, user: UserId, module: ModuleId, name: &str) -> FieldAccess {
        self.field(module, name)
            .map_or(FieldAccess::Hidden, |f| self.field_access(user, f))
    }

    fn tool_named(&self, user: UserId, module: ModuleId, name: &str) -> bool {
        self.tool(module, name)
            .is_some_and(|t| self.can_use_tool(user, t))
    }

    fn picklist_named(&self, user: UserId, module: ModuleId, name: &str) -> Vec<&str> {
        self.field(module, name)
            .map_or_else(Vec::new, |f| self.picklist_values(user, f).collect())
    }

    fn can_add_named(&self, user: UserId, module: ModuleId, name: &str) -> bool {
        self.field(module, name)
            .is_some_and(|f| self.can_add_picklist_value(user, f))
    }
}
