//! What a policy store reports when it cannot do what it was asked.

use crate::error::{ErrorCode, PolicyError};

/// Why a [`PolicyStore`](super::PolicyStore) or [`Watcher`](super::Watcher) call failed.
/// Every variant has a stable [`code`](StoreError::code).
///
/// ```
/// use permatrix::ErrorCode;
/// use permatrix::store::StoreError;
/// let err = StoreError::Conflict { expected: 4, current: 6 };
/// assert_eq!(err.code(), ErrorCode::RevisionConflict);
/// assert_eq!(err.to_string(), "revision_conflict: expected revision 4, the store is at 6; reload and try again");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Another writer committed first: the store is at `current`, not `expected`.
    /// Nothing was written. [`PolicyStore::commit_retrying`](super::PolicyStore::commit_retrying)
    /// reloads and tries again.
    #[error(
        "revision_conflict: expected revision {expected}, the store is at {current}; reload and try again"
    )]
    Conflict {
        /// The revision the writer based its change on.
        expected: u64,
        /// The store's revision.
        current: u64,
    },
    /// The change itself was refused (its level rules, validation, invariants), with the
    /// policy's own code; nothing was written.
    #[error("{}: {}: {}", .0.code(), .0.path(), .0.message())]
    Policy(PolicyError),
    /// A stored row does not read: `kind` and `name` name it (`users`, `bob`), `revision`
    /// is the one that wrote it.
    #[error("corrupt_row: {kind} `{name}` (revision {revision}): {message}")]
    CorruptRow {
        /// The kind of row: a document key such as `users` or `settings`.
        kind: String,
        /// The entity's name; empty for `settings` and the lists.
        name: String,
        /// The revision that wrote the row.
        revision: u64,
        /// What is wrong with it.
        message: String,
    },
    /// The stored schema or document is newer than this crate reads.
    #[error("unsupported_version: {0}")]
    Unsupported(String),
    /// The request itself cannot be done: a bad table prefix, or a commit that made no
    /// change or more than one.
    #[error("invalid_request: {0}")]
    InvalidRequest(String),
    /// The database failed the statement or the connection.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    /// The stable code: the policy's own for [`StoreError::Policy`].
    ///
    /// ```
    /// use permatrix::ErrorCode;
    /// use permatrix::store::StoreError;
    /// let err = StoreError::InvalidRequest("prefix".into());
    /// assert_eq!(err.code(), "invalid_request");
    /// ```
    pub fn code(&self) -> ErrorCode {
        match self {
            StoreError::Conflict { .. } => ErrorCode::RevisionConflict,
            StoreError::Policy(e) => e.code(),
            StoreError::CorruptRow { .. } => ErrorCode::CorruptRow,
            StoreError::Unsupported(_) => ErrorCode::UnsupportedVersion,
            StoreError::InvalidRequest(_) => ErrorCode::InvalidRequest,
            StoreError::Database(_) => ErrorCode::Database,
        }
    }

    /// Whether trying again may succeed: a transient failure of the database (a
    /// serialization failure or deadlock on PostgreSQL, a busy or locked SQLite file, a
    /// pool that timed out or a connection that broke), not a refusal.
    pub(crate) fn may_pass(&self) -> bool {
        match self {
            StoreError::Database(sqlx::Error::Database(db)) => {
                let code = db.code().unwrap_or_default();
                // PostgreSQL: serialization_failure, deadlock_detected; SQLite: BUSY, LOCKED
                matches!(code.as_ref(), "40001" | "40P01" | "5" | "6" | "261" | "517")
            }
            StoreError::Database(sqlx::Error::PoolTimedOut | sqlx::Error::Io(_)) => true,
            _ => false,
        }
    }

    pub(crate) fn corrupt(
        kind: &str,
        name: &str,
        revision: i64,
        message: impl Into<String>,
    ) -> Self {
        StoreError::CorruptRow {
            kind: kind.to_string(),
            name: name.to_string(),
            revision: u64::try_from(revision).unwrap_or(0),
            message: message.into(),
        }
    }
}

impl From<PolicyError> for StoreError {
    fn from(e: PolicyError) -> Self {
        StoreError::Policy(e)
    }
}
