//! The editable policy: modules, profiles, roles, teams, users, sharing rules, settings.
//!
//! A [`Policy`] is plain data in the shape of the JSON document ([the document](crate::doc::document)): edit it in
//! code or read it with [`Policy::from_json`], then [`Policy::compile`] it into an
//! [`Authorizer`](crate::Authorizer). Nothing here is checked until `compile` (or
//! [`Policy::validate`]).

mod document;
mod key;
mod limits;
mod module;
mod profile;
pub(crate) mod readable;
pub(crate) mod resolved;
mod role;
mod serde_util;
mod settings;
mod sharing;
pub(crate) mod strict;
mod team;
mod unique;
mod user;
pub(crate) mod validate;
mod vocabulary;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

pub use key::HostKey;
pub use limits::Limits;
pub use module::{Field, Module, Picklist, PicklistValue};
pub use profile::{ModuleGrant, Override, Profile};
pub use role::Role;
pub use settings::{AdminAreas, Settings};
pub use sharing::{CalendarOwner, CalendarShare, Principal, SharingRule};
pub use team::{CalendarRights, Team};
pub use user::User;
pub use vocabulary::UnknownWordError;
pub use vocabulary::{
    Access, Action, AdminLevel, CalendarLevel, ExternalAccess, FieldAccess, Merge, Scope,
    ShareAccess, Sharing, Status, TeamInheritance, UserDeletion, UserKind,
};

use crate::error::{ErrorCode, PolicyError};
use document::DocumentVersion;
use serde_util::is_default;

/// Everything an administrator configures, keyed by id, in the shape of the JSON document.
///
/// Maps keep their insertion order, which is also the order of ids in a compiled
/// [`Authorizer`](crate::Authorizer) and of rows in rendered matrices.
///
/// ```
/// use permatrix::{Action, Policy, Record};
///
/// let policy = Policy::from_json(r#"{
///   "version": 1,
///   "modules": { "accounts": {} },
///   "profiles": { "rep": { "modules": { "accounts": { "access": "on",
///                   "actions": { "view": "owner", "edit": "owner" } } } } },
///   "roles": { "sales": { "profiles": ["rep"] } },
///   "users": { "alice": { "roles": ["sales"] }, "bob": { "roles": ["sales"] } }
/// }"#)?;
/// let auth = policy.compile()?;
/// let (alice, bob) = (auth.user("alice").unwrap(), auth.user("bob").unwrap());
/// let accounts = auth.module("accounts").unwrap();
/// assert!(auth.can(alice, Action::Edit, &Record::owned_by_user(accounts, alice)));
/// assert!(!auth.can(alice, Action::Edit, &Record::owned_by_user(accounts, bob)));
/// # Ok::<(), permatrix::PolicyError>(())
/// ```
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Policy {
    version: DocumentVersion,
    /// Counts successful administration changes; not part of the document ([the document](crate::doc::document) has
    /// no such key), so the host stores it beside the document if it wants to keep it.
    #[serde(skip)]
    revision: u64,
    /// The bounds this policy is held to; not part of the document.
    #[serde(skip)]
    limits: Limits,
    /// Organisation-wide settings.
    #[serde(
        default,
        deserialize_with = "strict::object",
        skip_serializing_if = "is_default"
    )]
    pub settings: Settings,
    /// Modules by id.
    #[serde(
        default,
        deserialize_with = "unique::map",
        skip_serializing_if = "IndexMap::is_empty"
    )]
    #[cfg_attr(feature = "schema", schemars(extend("propertyNames" = { "minLength": 1 })))]
    pub modules: IndexMap<String, Module>,
    /// Profiles by id.
    #[serde(
        default,
        deserialize_with = "unique::map",
        skip_serializing_if = "IndexMap::is_empty"
    )]
    #[cfg_attr(feature = "schema", schemars(extend("propertyNames" = { "minLength": 1 })))]
    pub profiles: IndexMap<String, Profile>,
    /// Roles by id.
    #[serde(
        default,
        deserialize_with = "unique::map",
        skip_serializing_if = "IndexMap::is_empty"
    )]
    #[cfg_attr(feature = "schema", schemars(extend("propertyNames" = { "minLength": 1 })))]
    pub roles: IndexMap<String, Role>,
    /// Teams by id.
    #[serde(
        default,
        deserialize_with = "unique::map",
        skip_serializing_if = "IndexMap::is_empty"
    )]
    #[cfg_attr(feature = "schema", schemars(extend("propertyNames" = { "minLength": 1 })))]
    pub teams: IndexMap<String, Team>,
    /// Users by username.
    #[serde(
        default,
        deserialize_with = "unique::map",
        skip_serializing_if = "IndexMap::is_empty"
    )]
    #[cfg_attr(feature = "schema", schemars(extend("propertyNames" = { "minLength": 1 })))]
    pub users: IndexMap<String, User>,
    /// Custom sharing rules.
    #[serde(
        default,
        deserialize_with = "strict::objects",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub sharing_rules: Vec<SharingRule>,
    /// Calendar shares ([calendars, picklists and seats](crate::doc::semantics#calendars-picklists-and-seats)).
    #[serde(
        default,
        deserialize_with = "strict::objects",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub calendar_shares: Vec<CalendarShare>,
}

/// Two policies are equal when their documents are: the revision counter is not content.
impl PartialEq for Policy {
    fn eq(&self, other: &Self) -> bool {
        self.settings == other.settings
            && self.modules == other.modules
            && self.profiles == other.profiles
            && self.roles == other.roles
            && self.teams == other.teams
            && self.users == other.users
            && self.sharing_rules == other.sharing_rules
            && self.calendar_shares == other.calendar_shares
    }
}

impl Eq for Policy {}

impl Policy {
    /// How many administration changes have been applied to this policy since it was read
    /// or created (or since [`Policy::set_revision`]). Every successful mutation made
    /// through [`Policy::admin`] or [`Policy::admin_as_host`] adds one.
    ///
    /// ```
    /// use permatrix::Policy;
    /// assert_eq!(Policy::new().revision(), 0);
    /// ```
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Sets the revision counter, for a host that stores it beside the document.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let mut p = Policy::new();
    /// p.set_revision(41);
    /// assert_eq!(p.revision(), 41);
    /// ```
    pub fn set_revision(&mut self, revision: u64) {
        self.revision = revision;
    }

    /// The [`Limits`] this policy is validated, compiled and changed under (the defaults
    /// unless [`Policy::set_limits`] or [`Policy::from_json_with_limits`] said otherwise).
    /// They are not part of the document.
    ///
    /// ```
    /// use permatrix::{Policy, policy::Limits};
    /// assert_eq!(Policy::new().limits(), &Limits::default());
    /// ```
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Sets the [`Limits`] for every later validation, compile and change.
    ///
    /// ```
    /// use permatrix::{ErrorCode, Policy, policy::Limits};
    /// let mut p = Policy::from_json(r#"{"version":1,"users":{"a":{},"b":{}}}"#)?;
    /// p.set_limits(Limits::new().users(1));
    /// assert_eq!(p.compile().unwrap_err().code(), ErrorCode::LimitExceeded);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// An empty policy: no modules, users or roles, default settings.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let p = Policy::new();
    /// assert!(p.users.is_empty());
    /// ```
    pub fn new() -> Self {
        Policy::default()
    }

    /// Reads a policy document ([the document](crate::doc::document)).
    ///
    /// # Errors
    /// `malformed` for invalid JSON, a wrong shape or an unknown key; `duplicate_key` for a
    /// key written twice; `unsupported_version` unless `"version": 1`. References are not
    /// checked here but by [`Policy::validate`] and [`Policy::compile`].
    ///
    /// # Cost
    /// O(document bytes) time; memory proportional to the policy the document describes
    /// (see [`Limits`] for the bounds).
    ///
    /// ```
    /// use permatrix::Policy;
    /// let err = Policy::from_json(r#"{"version": 1, "users": {"a": {}, "a": {}}}"#).unwrap_err();
    /// assert_eq!(err.code().as_str(), "duplicate_key");
    /// assert_eq!(err.path(), "users.a");
    /// ```
    pub fn from_json(json: &str) -> Result<Policy, PolicyError> {
        document::read(json, &Limits::default())
    }

    /// [`Policy::from_json`] under `limits`, which the policy keeps for validation,
    /// compiling and changes.
    ///
    /// # Errors
    /// As [`Policy::from_json`], and `limit_exceeded` for a document longer than
    /// [`Limits::document_bytes`]. The other limits are checked by validation.
    ///
    /// # Cost
    /// O(document bytes), and no more memory than the document's policy needs.
    ///
    /// ```
    /// use permatrix::{ErrorCode, Policy, policy::Limits};
    /// let err = Policy::from_json_with_limits(r#"{"version":1}"#, &Limits::new().document_bytes(4)).unwrap_err();
    /// assert_eq!(err.code(), ErrorCode::LimitExceeded);
    /// ```
    pub fn from_json_with_limits(json: &str, limits: &Limits) -> Result<Policy, PolicyError> {
        document::read(json, limits)
    }

    /// Writes the policy as a document that [`Policy::from_json`] reads back equal.
    /// Values equal to their defaults are left out.
    ///
    /// # Errors
    /// `malformed` if the policy cannot be written as JSON. Every value of the model is a
    /// string-keyed map, a list or a plain scalar, so this does not happen today; it is an
    /// error rather than a fallback so that a host saving the output never saves less than
    /// the policy.
    ///
    /// # Cost
    /// O(policy size).
    ///
    /// ```
    /// use permatrix::Policy;
    /// let p = Policy::from_json(r#"{"version": 1, "users": {"a": {"roles": []}}}"#)?;
    /// assert_eq!(p.to_json()?, r#"{"version":1,"users":{"a":{}}}"#);
    /// assert_eq!(Policy::from_json(&p.to_json()?)?, p);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn to_json(&self) -> Result<String, PolicyError> {
        serde_json::to_string(self).map_err(not_written)
    }

    /// [`Policy::to_json`], indented for people.
    ///
    /// # Errors
    /// As [`Policy::to_json`].
    ///
    /// # Cost
    /// O(policy size).
    ///
    /// ```
    /// use permatrix::Policy;
    /// assert!(Policy::new().to_json_pretty()?.contains("\"version\": 1"));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn to_json_pretty(&self) -> Result<String, PolicyError> {
        serde_json::to_string_pretty(self).map_err(not_written)
    }

    /// Checks every reference and rule of [the policy model](crate::doc::document) without compiling.
    ///
    /// # Errors
    /// The first problem found, with its code and path.
    ///
    /// # Cost
    /// O(P) for a policy of size P ([`Limits::size_of`]): every reference is one hash
    /// lookup, role cycles and depth are one walk up each parent chain that stops at a role
    /// already walked, team cycles and nesting depth one depth-first search.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let p = Policy::from_json(r#"{"version": 1, "users": {"a": {"roles": ["ghost"]}}}"#).unwrap();
    /// let err = p.validate().unwrap_err();
    /// assert_eq!(err.code().as_str(), "unknown_reference");
    /// assert_eq!(err.path(), "users.a.roles[0]");
    /// ```
    pub fn validate(&self) -> Result<(), PolicyError> {
        validate::validate(self).map(drop)
    }

    /// The JSON Schema (draft 2020-12) of [the policy document](crate::doc::document),
    /// generated from the types the document is read into, with their docs as
    /// descriptions: editors validate and complete policy files with it. The crate ships
    /// it as `schema/policy.schema.json`, and `permatrix schema` prints it. A document the
    /// schema accepts may still be refused by [`Policy::validate`] (a reference to a
    /// missing role, a cycle); one it refuses never reads.
    ///
    /// ```
    /// let schema = permatrix::Policy::json_schema();
    /// assert_eq!(schema["title"], "permatrix policy document");
    /// assert_eq!(schema["required"][0], "version");
    /// assert_eq!(schema["$defs"]["DocumentVersion"]["const"], 1);
    /// ```
    #[cfg(feature = "schema")]
    pub fn json_schema() -> serde_json::Value {
        let mut schema = schemars::schema_for!(Policy).to_value();
        tidy_descriptions(&mut schema);
        if let Some(object) = schema.as_object_mut() {
            object.insert("title".into(), "permatrix policy document".into());
        }
        schema
    }
}

/// Editors show a description as plain text: keep the first paragraph of each doc
/// comment, with rustdoc's links reduced to their text.
#[cfg(feature = "schema")]
fn tidy_descriptions(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                match v {
                    serde_json::Value::String(text) if key == "description" => {
                        *text = plain_paragraph(text);
                    }
                    _ => tidy_descriptions(v),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(tidy_descriptions),
        _ => {}
    }
}

/// `text`'s first paragraph, `[words](target)` written as `words`, joined onto one line.
#[cfg(feature = "schema")]
fn plain_paragraph(text: &str) -> String {
    let first = text.split("\n\n").next().unwrap_or_default();
    let mut out = String::with_capacity(first.len());
    let mut rest = first;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match (after.find(']'), after.find("](")) {
            (Some(close), Some(link)) if close == link => {
                out.push_str(&after[..close]);
                let target = &after[close + 2..];
                rest = target.find(')').map_or("", |end| &target[end + 1..]);
            }
            (Some(close), _) => {
                // an intra-doc link without a target: [`Name`]
                out.push_str(&after[..close]);
                rest = &after[close + 1..];
            }
            (None, _) => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn not_written(err: serde_json::Error) -> PolicyError {
    PolicyError::new(
        ErrorCode::Malformed,
        "",
        format!("the policy cannot be written as JSON: {err}"),
    )
}
