//! What a policy store reports when it cannot do what it was asked.

use crate::error::{ErrorCode, PolicyError};

/// Why a [`PolicyStore`](super::PolicyStore) or [`Watcher`](super::Watcher) call failed:
/// a stable [`code`](StoreError::code), a message, the path of what it concerns where
/// there is one, and the database driver's error as its
/// [`source`](std::error::Error::source) when the database failed.
///
/// | code | when |
/// |---|---|
/// | `revision_conflict` | another writer committed first; [`StoreError::conflict`] gives the revisions |
/// | the policy's own | the change was refused (level rules, validation); [`StoreError::policy_error`] |
/// | `corrupt_row` | a stored row does not read; [`StoreError::path`] names it (`users.bob`) |
/// | `unsupported_version` | the stored schema or document is newer than this crate reads |
/// | `invalid_request` | a bad table prefix, or a commit that made no change or more than one |
/// | `database` | the database failed the statement or the connection |
///
/// ```
/// use permatrix::ErrorCode;
/// use permatrix::store::StoreError;
/// # fn refused() -> StoreError { StoreError::from(permatrix::Policy::from_json("{").unwrap_err()) }
/// let err = refused();
/// assert_eq!(err.code(), ErrorCode::Malformed);
/// assert!(err.policy_error().is_some() && err.conflict().is_none());
/// ```
#[derive(Debug)]
pub struct StoreError(Box<Inner>);

/// Boxed, so that a `Result` carrying the error stays small on the success path.
#[derive(Debug)]
struct Inner {
    code: ErrorCode,
    message: String,
    path: String,
    conflict: Option<(u64, u64)>,
    policy: Option<PolicyError>,
    source: Option<sqlx::Error>,
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.0.code, self.0.message)
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0
            .source
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl StoreError {
    fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        StoreError::from_inner(Inner {
            code,
            message: message.into(),
            path: String::new(),
            conflict: None,
            policy: None,
            source: None,
        })
    }

    fn from_inner(inner: Inner) -> Self {
        StoreError(Box::new(inner))
    }

    /// Another writer committed first: the store is at `current`, not `expected`.
    pub(crate) fn conflicting(expected: u64, current: u64) -> Self {
        let mut e = StoreError::new(
            ErrorCode::RevisionConflict,
            format!(
                "expected revision {expected}, the store is at {current}; reload and try again"
            ),
        );
        e.0.conflict = Some((expected, current));
        e
    }

    /// The stored schema or document is newer than this crate reads.
    pub(crate) fn unsupported(message: impl Into<String>) -> Self {
        StoreError::new(ErrorCode::UnsupportedVersion, message)
    }

    /// The request itself cannot be done.
    pub(crate) fn invalid_request(message: impl Into<String>) -> Self {
        StoreError::new(ErrorCode::InvalidRequest, message)
    }

    /// The stable code: the policy's own for a refused change.
    ///
    /// ```
    /// use permatrix::store::StoreError;
    /// # let err = StoreError::from(permatrix::Policy::from_json("{").unwrap_err());
    /// assert_eq!(err.code(), "malformed");
    /// ```
    pub fn code(&self) -> ErrorCode {
        self.0.code
    }

    /// What went wrong, for people.
    ///
    /// ```
    /// # let err = permatrix::store::StoreError::from(permatrix::Policy::from_json("{").unwrap_err());
    /// assert!(!err.message().is_empty());
    /// ```
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The path of what the error concerns: a corrupt row (`users.bob`), or the path of a
    /// refused change's [`PolicyError`]; empty where there is none.
    ///
    /// ```
    /// # let err = permatrix::store::StoreError::from(permatrix::Policy::from_json(r#"{"version":1,"users":{"a":{"colour":1}}}"#).unwrap_err());
    /// assert_eq!(err.path(), "users.a.colour");
    /// ```
    pub fn path(&self) -> &str {
        &self.0.path
    }

    /// For `revision_conflict`: the revision the writer based its change on, and the
    /// store's. Nothing was written; [`PolicyStore::commit_retrying`](super::PolicyStore::commit_retrying)
    /// reloads and tries again.
    ///
    /// ```
    /// # let err = permatrix::store::StoreError::from(permatrix::Policy::from_json("{").unwrap_err());
    /// assert_eq!(err.conflict(), None);
    /// ```
    pub fn conflict(&self) -> Option<(u64, u64)> {
        self.0.conflict
    }

    /// For a refused change: the policy's error, with its own code and path.
    ///
    /// ```
    /// # let err = permatrix::store::StoreError::from(permatrix::Policy::from_json("{").unwrap_err());
    /// assert_eq!(err.policy_error().map(|e| e.code()), Some(permatrix::ErrorCode::Malformed));
    /// ```
    pub fn policy_error(&self) -> Option<&PolicyError> {
        self.0.policy.as_ref()
    }

    /// Whether trying again may succeed: a transient failure of the database (a
    /// serialization failure or deadlock on PostgreSQL, a busy or locked SQLite file, a
    /// pool that timed out or a connection that broke), not a refusal.
    pub(crate) fn may_pass(&self) -> bool {
        match &self.0.source {
            Some(sqlx::Error::Database(db)) => {
                let code = db.code().unwrap_or_default();
                // PostgreSQL: serialization_failure, deadlock_detected; SQLite: BUSY, LOCKED
                matches!(code.as_ref(), "40001" | "40P01" | "5" | "6" | "261" | "517")
            }
            Some(sqlx::Error::PoolTimedOut | sqlx::Error::Io(_)) => true,
            _ => false,
        }
    }

    pub(crate) fn corrupt(
        kind: &str,
        name: &str,
        revision: i64,
        message: impl Into<String>,
    ) -> Self {
        let revision = u64::try_from(revision).unwrap_or(0);
        let path = if name.is_empty() {
            kind.to_string()
        } else {
            format!("{kind}.{name}")
        };
        let mut e = StoreError::new(
            ErrorCode::CorruptRow,
            format!("{kind} `{name}` (revision {revision}): {}", message.into()),
        );
        e.0.path = path;
        e
    }
}

/// A refused change, with the policy's own code and path.
impl From<PolicyError> for StoreError {
    fn from(e: PolicyError) -> Self {
        StoreError::from_inner(Inner {
            code: e.code(),
            message: format!("{}: {}", e.path(), e.message()),
            path: e.path().to_string(),
            conflict: None,
            policy: Some(e),
            source: None,
        })
    }
}

/// The database failed the statement or the connection; the driver's error is the source.
impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        let mut err = StoreError::new(ErrorCode::Database, e.to_string());
        err.0.source = Some(e);
        err
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    /// The driver's error is the source, not a field: the code says `database`, the
    /// message repeats the driver's words, and a timed-out pool may pass on a retry.
    #[test]
    fn the_drivers_error_is_the_source() {
        let err = StoreError::from(sqlx::Error::PoolTimedOut);
        assert_eq!(err.code(), ErrorCode::Database);
        assert_eq!(err.message(), sqlx::Error::PoolTimedOut.to_string());
        assert!(err.source().is_some_and(|s| s.is::<sqlx::Error>()));
        assert!(err.may_pass());
        let conflict = StoreError::conflicting(4, 6);
        assert_eq!(
            conflict.to_string(),
            "revision_conflict: expected revision 4, the store is at 6; reload and try again"
        );
        assert!(conflict.source().is_none() && !conflict.may_pass());
        let row = StoreError::corrupt("users", "bob", 3, "not JSON");
        assert_eq!(
            (row.code(), row.path()),
            (ErrorCode::CorruptRow, "users.bob")
        );
        assert_eq!(
            row.to_string(),
            "corrupt_row: users `bob` (revision 3): not JSON"
        );
        let settings = StoreError::corrupt("settings", "", 1, "x");
        assert_eq!(settings.path(), "settings");
    }
}
