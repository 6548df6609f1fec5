//! Errors, each with a stable [`ErrorCode`] that callers can match on
//! ([the document](crate::doc::document#refusals) lists when each is given).

use std::fmt;

/// The stable codes of [the policy model](crate::doc::document). New codes may be added; match with a wildcard arm.
///
/// ```
/// use permatrix::ErrorCode;
/// assert_eq!(ErrorCode::RoleCycle.as_str(), "role_cycle");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The document is not valid JSON, or not of the policy's shape (unknown keys included).
    Malformed,
    /// The document's `version` is not one this crate reads.
    UnsupportedVersion,
    /// A name refers to something that does not exist (or a tool/field not declared).
    UnknownReference,
    /// The same key is written twice, or a list names the same id twice.
    DuplicateKey,
    /// Two ids of one section could be mistaken for each other: equal after Unicode
    /// normalisation and case folding, or alike under the Unicode confusables skeleton.
    AmbiguousId,
    /// The role hierarchy has a cycle.
    RoleCycle,
    /// Team nesting has a cycle.
    TeamCycle,
    /// A role lists no profile.
    RoleWithoutProfile,
    /// A profile sets `edit_all` without `view_all`.
    EditAllRequiresViewAll,
    /// A mandatory field is set to `hidden` or `read_only`.
    MandatoryFieldRestricted,
    /// The acting administrator may not make this change ([administration](crate::doc::semantics#administration)).
    NotPermitted,
    /// Activating the user would exceed the licensed seats.
    LicenseLimit,
    /// Users may not be deleted (`settings.user_deletion = forbidden`).
    UserDeletionForbidden,
    /// The transfer target of a deletion is not acceptable.
    InvalidTransfer,
    /// The change would leave no active user with the `admin` level.
    LastAdmin,
    /// The team is the last active team conferring `admin`.
    LastAdminTeam,
    /// The module's organisation-wide default is locked (the calendar).
    SharingLocked,
    /// Usernames and a team's conferred admin level never change.
    Immutable,
    /// An id from another authorizer (one compiled before or from another policy) was
    /// used in a check: ids belong to the authorizer that issued them.
    StaleId,
    /// The policy, or what compiling it would take, goes past one of its
    /// [`Limits`](crate::policy::Limits).
    LimitExceeded,
    /// A table or column name in [`SqlSchema`](crate::SqlSchema) is not a plain SQL
    /// identifier.
    InvalidIdentifier,
    /// Sign-in refused: the user is not active (invited or deactivated), or unknown.
    NotActive,
    /// Sign-in refused: system accounts never sign in.
    SystemAccount,
    /// Sign-in refused: `login_requires_active_team` is set and the user is in no active
    /// team.
    NoActiveTeam,
    /// Every administrator seat (`max_admin_sessions`) is taken.
    SeatsTaken,
    /// A policy store's commit expected a revision that is no longer the newest: another
    /// writer got there first, and nothing was written.
    RevisionConflict,
    /// A policy store's row does not read as its entity, or the policy it belongs to does
    /// not validate; the store keeps serving nothing half-read.
    CorruptRow,
    /// The host's database refused or lost a policy store's statement.
    Database,
    /// A policy store was asked for something it does not do: a table prefix that is not a
    /// plain SQL name, or a commit that made no change or more than one.
    InvalidRequest,
}

impl ErrorCode {
    /// The code as written in [the policy model](crate::doc::document) and in conformance cases.
    ///
    /// ```
    /// use permatrix::ErrorCode;
    /// assert_eq!(ErrorCode::Malformed.as_str(), "malformed");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Malformed => "malformed",
            ErrorCode::UnsupportedVersion => "unsupported_version",
            ErrorCode::UnknownReference => "unknown_reference",
            ErrorCode::DuplicateKey => "duplicate_key",
            ErrorCode::AmbiguousId => "ambiguous_id",
            ErrorCode::RoleCycle => "role_cycle",
            ErrorCode::TeamCycle => "team_cycle",
            ErrorCode::RoleWithoutProfile => "role_without_profile",
            ErrorCode::EditAllRequiresViewAll => "edit_all_requires_view_all",
            ErrorCode::MandatoryFieldRestricted => "mandatory_field_restricted",
            ErrorCode::NotPermitted => "not_permitted",
            ErrorCode::LicenseLimit => "license_limit",
            ErrorCode::UserDeletionForbidden => "user_deletion_forbidden",
            ErrorCode::InvalidTransfer => "invalid_transfer",
            ErrorCode::LastAdmin => "last_admin",
            ErrorCode::LastAdminTeam => "last_admin_team",
            ErrorCode::SharingLocked => "sharing_locked",
            ErrorCode::Immutable => "immutable",
            ErrorCode::StaleId => "stale_id",
            ErrorCode::LimitExceeded => "limit_exceeded",
            ErrorCode::InvalidIdentifier => "invalid_identifier",
            ErrorCode::NotActive => "not_active",
            ErrorCode::SystemAccount => "system_account",
            ErrorCode::NoActiveTeam => "no_active_team",
            ErrorCode::SeatsTaken => "seats_taken",
            ErrorCode::RevisionConflict => "revision_conflict",
            ErrorCode::CorruptRow => "corrupt_row",
            ErrorCode::Database => "database",
            ErrorCode::InvalidRequest => "invalid_request",
        }
    }

    /// Every code, in declaration order.
    ///
    /// ```
    /// use permatrix::ErrorCode;
    /// assert!(ErrorCode::ALL.contains(&ErrorCode::StaleId));
    /// ```
    pub const ALL: [ErrorCode; 29] = [
        ErrorCode::Malformed,
        ErrorCode::UnsupportedVersion,
        ErrorCode::UnknownReference,
        ErrorCode::DuplicateKey,
        ErrorCode::AmbiguousId,
        ErrorCode::RoleCycle,
        ErrorCode::TeamCycle,
        ErrorCode::RoleWithoutProfile,
        ErrorCode::EditAllRequiresViewAll,
        ErrorCode::MandatoryFieldRestricted,
        ErrorCode::NotPermitted,
        ErrorCode::LicenseLimit,
        ErrorCode::UserDeletionForbidden,
        ErrorCode::InvalidTransfer,
        ErrorCode::LastAdmin,
        ErrorCode::LastAdminTeam,
        ErrorCode::SharingLocked,
        ErrorCode::Immutable,
        ErrorCode::StaleId,
        ErrorCode::LimitExceeded,
        ErrorCode::InvalidIdentifier,
        ErrorCode::NotActive,
        ErrorCode::SystemAccount,
        ErrorCode::NoActiveTeam,
        ErrorCode::SeatsTaken,
        ErrorCode::RevisionConflict,
        ErrorCode::CorruptRow,
        ErrorCode::Database,
        ErrorCode::InvalidRequest,
    ];
}

/// A code compares equal to its text, so `assert_eq!(err.code(), "stale_id")` reads as
/// the conformance cases do.
///
/// ```
/// use permatrix::ErrorCode;
/// assert_eq!(ErrorCode::RoleCycle, "role_cycle");
/// ```
impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for ErrorCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

/// The code its text names.
///
/// ```
/// use permatrix::ErrorCode;
/// assert_eq!("stale_id".parse::<ErrorCode>(), Ok(ErrorCode::StaleId));
/// assert!("nope".parse::<ErrorCode>().is_err());
/// ```
impl std::str::FromStr for ErrorCode {
    type Err = UnknownCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ErrorCode::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownCodeError(shorten(s, MAX_MESSAGE)))
    }
}

/// Text that names no [`ErrorCode`].
///
/// ```
/// use permatrix::ErrorCode;
/// let err = "nope".parse::<ErrorCode>().unwrap_err();
/// assert_eq!(err.to_string(), "`nope` is not an error code");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an error code")]
pub struct UnknownCodeError(String);

impl UnknownCodeError {
    /// The text that is no error code, in words: [`Display`](std::fmt::Display)'s text.
    ///
    /// ```
    /// use permatrix::ErrorCode;
    /// let err = "no_such_code".parse::<ErrorCode>().unwrap_err();
    /// assert!(err.message().contains("no_such_code"));
    /// ```
    pub fn message(&self) -> String {
        self.to_string()
    }

    /// Always [`ErrorCode::Malformed`]: the text is no word of the vocabulary.
    ///
    /// ```
    /// use permatrix::ErrorCode;
    /// assert_eq!("nope".parse::<ErrorCode>().unwrap_err().code(), ErrorCode::Malformed);
    /// ```
    pub fn code(&self) -> ErrorCode {
        ErrorCode::Malformed
    }
}

impl serde::Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for ErrorCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A policy that cannot be read or compiled, or a change to it that was refused: the code,
/// the path of the offending item
/// (`roles.sales.parent`, `teams.north.users[2]`) and a message for people.
///
/// ```
/// use permatrix::Policy;
/// let err = Policy::from_json(r#"{"version": 1, "roles": {"rep": {"profiles": []}}}"#)
///     .unwrap()
///     .compile()
///     .unwrap_err();
/// assert_eq!(err.code().as_str(), "role_without_profile");
/// assert_eq!(err.path(), "roles.rep.profiles");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at `{path}`, {code})")]
pub struct PolicyError {
    code: ErrorCode,
    path: String,
    message: String,
}

impl PolicyError {
    /// Long ids are cut in the path and message (see [`shorten`]), so a hostile document
    /// cannot make an error as large as itself.
    pub(crate) fn new(
        code: ErrorCode,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        PolicyError {
            code,
            path: shorten(&path.into(), MAX_PATH),
            message: shorten(&message.into(), MAX_MESSAGE),
        }
    }

    /// The stable code.
    ///
    /// ```
    /// use permatrix::{ErrorCode, Policy};
    /// let err = Policy::from_json("{").unwrap_err();
    /// assert_eq!(err.code(), ErrorCode::Malformed);
    /// ```
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// Dotted path of the offending item; empty for the document as a whole.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let err = Policy::from_json(r#"{"version": 1, "users": {"a": {"colour": 1}}}"#).unwrap_err();
    /// assert_eq!(err.path(), "users.a.colour");
    /// ```
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Human-readable description.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let err = Policy::from_json(r#"{"version": 2}"#).unwrap_err();
    /// assert!(err.message().contains("version"));
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// A check named something the authorizer does not know ([decision step 1](crate::doc::semantics#decision-steps)): an id it did not
/// issue (`stale_id`: kept from an earlier compile, or from another authorizer) or a field
/// or tool name the module does not declare (`unknown_reference`). `can` denies in that
/// case; the `try_` variants return this error.
///
/// ```
/// use permatrix::{Action, Policy, Record};
/// let auth = Policy::from_json(r#"{"version": 1, "users": {"a": {}}, "modules": {"m": {}}}"#)
///     .unwrap().compile().unwrap();
/// let other = Policy::from_json(r#"{"version": 1, "users": {"a": {}, "b": {}}, "modules": {"m": {}}}"#)
///     .unwrap().compile().unwrap();
/// let stranger = other.user("b").unwrap();
/// let a = auth.user("a").unwrap();
/// let record = Record::owned_by_user(auth.module("m").unwrap(), stranger);
/// let err = auth.try_can(a, Action::View, &record).unwrap_err();
/// assert_eq!(err.code(), "stale_id");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.describe())]
pub struct CheckError {
    kind: IdKind,
    index: u32,
    stale: bool,
    /// The unknown name, and the module it was looked up in.
    name: Option<Box<(String, String)>>,
    /// For a host's row: what of the row names nothing the policy knows.
    row: Option<&'static str>,
}

impl CheckError {
    /// What was unknown, in words: [`Display`](std::fmt::Display)'s text.
    ///
    /// ```
    /// use permatrix::{Action, Policy, Record};
    /// let policy = Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{}}}"#)?;
    /// let (before, now) = (policy.compile()?, policy.compile()?);
    /// let a = now.user("a").unwrap();
    /// let err = now.try_can(a, Action::View, &Record::owned_by_user(before.module("m").unwrap(), a)).unwrap_err();
    /// assert_eq!(err.message(), err.to_string());
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn message(&self) -> String {
        self.to_string()
    }

    /// A value of a host's row (`what`: "owner", "share kind", "share access") that names
    /// nothing the policy knows, or no word of the document.
    pub(crate) fn unknown_in_row(kind: IdKind, what: &'static str, text: &str) -> Self {
        CheckError {
            kind,
            index: u32::MAX,
            stale: false,
            name: Some(Box::new((shorten(text, MAX_PATH), String::new()))),
            row: Some(what),
        }
    }

    /// An id this authorizer did not issue.
    pub(crate) fn stale(kind: IdKind, index: u32) -> Self {
        CheckError {
            kind,
            index,
            stale: true,
            name: None,
            row: None,
        }
    }

    fn describe(&self) -> String {
        if let (Some(what), Some(named)) = (self.row, &self.name) {
            return match self.kind {
                IdKind::Share => format!(
                    "the row's {what} `{}` is not a word of the document",
                    named.0
                ),
                kind => format!(
                    "the row's {what} `{}` names no {kind} of the policy",
                    named.0
                ),
            };
        }
        match (&self.name, self.stale) {
            (_, true) => format!(
                "{} #{} was not issued by this authorizer (kept from an earlier compile?): resolve names to ids again",
                self.kind, self.index
            ),
            (Some(named), false) => format!(
                "module `{}` declares no {} `{}`",
                named.1, self.kind, named.0
            ),
            (None, false) => format!("unknown {}", self.kind),
        }
    }

    /// The text of a host's row that names nothing the policy knows, when that is what
    /// the error is about ([`Authorizer::record_from_row`](crate::Authorizer::record_from_row)).
    ///
    /// ```
    /// use permatrix::{HostKey, Policy, SqlSchema};
    /// use permatrix::filter::StoredRecord;
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{}}}"#)?.compile()?;
    /// let row = StoredRecord { owner_user: Some(HostKey::from("zed")), ..StoredRecord::default() };
    /// let err = auth.record_from_row(auth.module("m").unwrap(), &SqlSchema::for_table("m"), &row).unwrap_err();
    /// assert_eq!(err.name(), Some("zed"));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn name(&self) -> Option<&str> {
        self.name.as_ref().map(|n| n.0.as_str())
    }

    /// `stale_id` for an id this authorizer did not issue, `unknown_reference` for a field
    /// or tool name the module does not declare.
    ///
    /// ```
    /// use permatrix::{Action, Policy};
    /// let old = Policy::from_json(r#"{"version": 1, "modules": {"m": {}}, "users": {"a": {}}}"#)?.compile()?;
    /// let new = Policy::from_json(r#"{"version": 1, "modules": {"m": {}}, "users": {"a": {}}}"#)?.compile()?;
    /// let (a, m) = (new.user("a").unwrap(), old.module("m").unwrap());
    /// let err = new.try_can_module(a, Action::Create, m).unwrap_err();
    /// assert_eq!(err.code(), permatrix::ErrorCode::StaleId);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn code(&self) -> ErrorCode {
        if self.stale {
            ErrorCode::StaleId
        } else {
            ErrorCode::UnknownReference
        }
    }

    /// Which kind of id was unknown.
    ///
    /// ```
    /// use permatrix::error::IdKind;
    /// assert_eq!(IdKind::User.to_string(), "user");
    /// ```
    pub fn kind(&self) -> IdKind {
        self.kind
    }
}

/// The kinds of ids an authorizer hands out.
///
/// ```
/// use permatrix::error::IdKind;
/// assert_eq!(IdKind::Team.to_string(), "team");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdKind {
    /// A [`UserId`](crate::UserId).
    User,
    /// A [`TeamId`](crate::TeamId).
    Team,
    /// A [`RoleId`](crate::authorizer::RoleId).
    Role,
    /// A [`ModuleId`](crate::ModuleId).
    Module,
    /// A field name of a module.
    Field,
    /// A tool name of a module.
    Tool,
    /// A share of a record, as a host's share row gives it.
    Share,
}

impl fmt::Display for IdKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IdKind::User => "user",
            IdKind::Team => "team",
            IdKind::Role => "role",
            IdKind::Module => "module",
            IdKind::Field => "field",
            IdKind::Tool => "tool",
            IdKind::Share => "share",
        })
    }
}

/// The longest id an error shows whole, in bytes; longer ones keep their start.
const MAX_ID: usize = 64;
/// The longest path an error keeps, in bytes.
const MAX_PATH: usize = 512;
/// The longest message an error keeps, in bytes.
const MAX_MESSAGE: usize = 1024;

/// `text` with every id longer than [`MAX_ID`] cut to its start, and the whole cut to
/// `max` bytes. Ids are the runs between backticks in messages, and the runs between `.`,
/// `[` and `]` in paths; a cut id ends in `…` and says how long it was.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    if text.len() <= MAX_ID {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len().min(max + 16));
    let mut run = String::new();
    let mut quoted = false;
    let flush = |run: &mut String, out: &mut String| {
        if run.len() > MAX_ID {
            let keep = floor_char_boundary(run, MAX_ID / 2);
            out.push_str(&run[..keep]);
            out.push_str(&format!("…({} bytes)", run.len()));
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        let separator = if c == '`' {
            quoted = !quoted;
            true
        } else {
            !quoted && (c == '.' || c == '[' || c == ']' || c == ' ')
        };
        if separator {
            flush(&mut run, &mut out);
            out.push(c);
        } else {
            run.push(c);
        }
        if out.len() > max {
            break;
        }
    }
    flush(&mut run, &mut out);
    if out.len() > max {
        let keep = floor_char_boundary(&out, max);
        out.truncate(keep);
        out.push('…');
    }
    out
}

/// The largest char boundary of `s` at or below `i`.
fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_ids_are_cut_and_short_text_is_kept() {
        assert_eq!(shorten("no role `rep`", MAX_MESSAGE), "no role `rep`");
        let long = "ü".repeat(600_000);
        let message = shorten(&format!("no role `{long}` for `bob`"), MAX_MESSAGE);
        assert!(message.len() < 200, "{message}");
        assert!(
            message.starts_with("no role `üü") && message.ends_with("(1200000 bytes)` for `bob`")
        );
        let path = shorten(&format!("users.{long}.roles[0]"), MAX_PATH);
        assert!(path.len() < 100 && path.ends_with(".roles[0]"), "{path}");
        let unquoted = shorten(&"x".repeat(5000), MAX_MESSAGE);
        assert!(unquoted.len() <= MAX_MESSAGE + 32, "{}", unquoted.len());
    }
}
