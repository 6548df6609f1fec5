//! Modules: the kinds of records (accounts, contacts, calendar …).

use indexmap::{IndexMap, IndexSet};
use serde::{Deserialize, Serialize};

use super::serde_util::{is_default, is_true, yes};
use super::{HostKey, Sharing, unique};

/// A kind of record, with its organisation-wide default, fields and tools.
///
/// ```
/// use permatrix::policy::{Module, Sharing};
/// let mut deals = Module::default();
/// deals.sharing = Sharing::PublicRead;
/// deals.tools.insert("merge_duplicates".to_string());
/// assert!(deals.owned && deals.hierarchy);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Module {
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The host application's own key for this module, unique among modules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<HostKey>,
    /// Organisation-wide default for the module's records.
    #[serde(default, skip_serializing_if = "is_default")]
    pub sharing: Sharing,
    /// Superiors in the role hierarchy act as owners of their subordinates' records.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub hierarchy: bool,
    /// `false` for modules without ownership: a grant reaches every record.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub owned: bool,
    /// Administration may not change `sharing` (the calendar). No other effect.
    #[serde(default, skip_serializing_if = "is_default")]
    pub sharing_locked: bool,
    /// Declared fields, by name.
    #[serde(
        default,
        deserialize_with = "unique::map",
        skip_serializing_if = "IndexMap::is_empty"
    )]
    pub fields: IndexMap<String, Field>,
    /// Declared tools (`merge_duplicates`, `pdf_export` …).
    #[serde(
        default,
        deserialize_with = "unique::set",
        skip_serializing_if = "IndexSet::is_empty"
    )]
    pub tools: IndexSet<String>,
}

impl Default for Module {
    fn default() -> Self {
        Module {
            name: None,
            key: None,
            sharing: Sharing::Private,
            hierarchy: true,
            owned: true,
            sharing_locked: false,
            fields: IndexMap::new(),
            tools: IndexSet::new(),
        }
    }
}

/// A declared field of a module.
///
/// ```
/// use permatrix::policy::Field;
/// let name = Field { mandatory: true, ..Field::default() };
/// assert!(name.picklist.is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// Mandatory fields are always writable where the module is `on` and can never be
    /// restricted in a profile or override.
    #[serde(default, skip_serializing_if = "is_default")]
    pub mandatory: bool,
    /// Picklist values, possibly bound to roles ([calendars, picklists and seats](crate::doc::semantics#calendars-picklists-and-seats)).
    #[serde(
        default,
        deserialize_with = "super::strict::optional_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub picklist: Option<Picklist>,
}

/// The values of a picklist field ([calendars, picklists and seats](crate::doc::semantics#calendars-picklists-and-seats)).
///
/// ```
/// use permatrix::policy::{Picklist, PicklistValue};
/// let stage = Picklist {
///     role_bound: true,
///     values: vec![PicklistValue { value: "won".into(), roles: vec!["sales".into()] }],
/// };
/// assert_eq!(stage.values.len(), 1);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Picklist {
    /// When false, the values' `roles` are ignored.
    #[serde(default, skip_serializing_if = "is_default")]
    pub role_bound: bool,
    /// Values in declared order.
    #[serde(
        default,
        deserialize_with = "super::strict::objects",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub values: Vec<PicklistValue>,
}

/// One picklist value and the roles it is bound to (empty: unbound).
///
/// ```
/// use permatrix::policy::PicklistValue;
/// let lost = PicklistValue { value: "lost".into(), roles: vec![] };
/// assert!(lost.roles.is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PicklistValue {
    /// The value.
    pub value: String,
    /// Roles that see it when the picklist is role-bound.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "schema", schemars(extend("uniqueItems" = true)))]
    pub roles: Vec<String>,
}
