//! The persisted audit trail: one record per committed revision.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// One committed change as the store keeps it: who made it, when, to what, and the full
/// [`AuditEvent`](crate::AuditEvent) as JSON (`before`, `after`, labels, transfer).
///
/// ```
/// # use permatrix::store::AuditRecord;
/// fn line(r: &AuditRecord) -> String {
///     format!("r{} {} {} {}", r.revision, r.actor.as_deref().unwrap_or("(host)"), r.operation, r.target)
/// }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    /// The revision the change made; every revision has exactly one record.
    pub revision: u64,
    /// When the writing instance committed it, by its clock.
    pub at: SystemTime,
    /// The acting user; `None` for the host.
    pub actor: Option<String>,
    /// The administration operation, such as `add_team_member`.
    pub operation: String,
    /// The changed item's path, such as `teams.sales`.
    pub target: String,
    /// The whole event, as [`AuditEvent`](crate::AuditEvent) serializes.
    pub event: serde_json::Value,
}

/// Which audit records to read: every condition set must hold. Records come in revision
/// order, at most `limit` of them; page on with `after_revision`.
///
/// ```
/// use permatrix::store::AuditQuery;
/// let q = AuditQuery::default().actor("root").target("teams.sales").limit(50);
/// assert_eq!(q.limit, 50);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditQuery {
    /// Only records after this revision.
    pub after_revision: u64,
    /// Only records at or after this time.
    pub since: Option<SystemTime>,
    /// Only records at or before this time.
    pub until: Option<SystemTime>,
    /// Only changes by this user.
    pub actor: Option<String>,
    /// Only changes to this item path (`users.bob`, `teams.sales`, `settings`).
    pub target: Option<String>,
    /// At most this many records (default 1,000).
    pub limit: u32,
}

impl Default for AuditQuery {
    fn default() -> Self {
        AuditQuery {
            after_revision: 0,
            since: None,
            until: None,
            actor: None,
            target: None,
            limit: 1000,
        }
    }
}

impl AuditQuery {
    /// Only changes by `actor`.
    ///
    /// ```
    /// # use permatrix::store::AuditQuery;
    /// assert_eq!(AuditQuery::default().actor("root").actor.as_deref(), Some("root"));
    /// ```
    pub fn actor(mut self, actor: &str) -> Self {
        self.actor = Some(actor.to_string());
        self
    }

    /// Only changes to `target`.
    ///
    /// ```
    /// # use permatrix::store::AuditQuery;
    /// assert_eq!(AuditQuery::default().target("users.bob").target.as_deref(), Some("users.bob"));
    /// ```
    pub fn target(mut self, target: &str) -> Self {
        self.target = Some(target.to_string());
        self
    }

    /// Only changes made from `since` to `until`, both included.
    ///
    /// ```
    /// # use permatrix::store::AuditQuery;
    /// use std::time::{Duration, SystemTime};
    /// let now = SystemTime::now();
    /// let q = AuditQuery::default().between(now - Duration::from_secs(3600), now);
    /// assert!(q.since.is_some() && q.until.is_some());
    /// ```
    pub fn between(mut self, since: SystemTime, until: SystemTime) -> Self {
        self.since = Some(since);
        self.until = Some(until);
        self
    }

    /// At most `limit` records.
    ///
    /// ```
    /// # use permatrix::store::AuditQuery;
    /// assert_eq!(AuditQuery::default().limit(10).limit, 10);
    /// ```
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = limit;
        self
    }
}

/// Milliseconds since the Unix epoch, clamped into `i64`.
pub(crate) fn millis(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_millis()).map_or(i64::MIN, |m| -m),
    }
}

/// The time `ms` milliseconds from the Unix epoch; the epoch itself for a stored value
/// this platform's clock cannot hold.
pub(crate) fn from_millis(ms: i64) -> SystemTime {
    let span = Duration::from_millis(ms.unsigned_abs());
    let at = if ms >= 0 {
        UNIX_EPOCH.checked_add(span)
    } else {
        UNIX_EPOCH.checked_sub(span)
    };
    at.unwrap_or(UNIX_EPOCH)
}
