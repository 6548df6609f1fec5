//! What a successful change reports: the audit event the host stores.

use serde::Serialize;

use crate::policy::HostKey;

/// Where the records of something deleted should go. The host applies it to its data.
///
/// ```
/// use permatrix::admin::TransferTarget;
/// let t = TransferTarget::User("bob".into());
/// assert_eq!(serde_json::to_string(&t).unwrap(), r#"{"user":"bob"}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferTarget {
    /// A user takes them over.
    User(String),
    /// A team takes them over.
    Team(String),
    /// A role takes over the deleted role's users.
    Role(String),
    /// A profile takes the deleted profile's place.
    Profile(String),
}

impl TransferTarget {
    /// User `name` takes the records over.
    ///
    /// ```
    /// use permatrix::admin::TransferTarget;
    /// assert_eq!(TransferTarget::user("bob"), TransferTarget::User("bob".into()));
    /// ```
    pub fn user(name: &str) -> TransferTarget {
        TransferTarget::User(name.to_string())
    }

    /// Team `id` takes the records over.
    ///
    /// ```
    /// use permatrix::admin::TransferTarget;
    /// assert_eq!(TransferTarget::team("north"), TransferTarget::Team("north".into()));
    /// ```
    pub fn team(id: &str) -> TransferTarget {
        TransferTarget::Team(id.to_string())
    }

    /// Role `id` takes over a deleted role's users.
    ///
    /// ```
    /// use permatrix::admin::TransferTarget;
    /// assert_eq!(TransferTarget::role("rep"), TransferTarget::Role("rep".into()));
    /// ```
    pub fn role(id: &str) -> TransferTarget {
        TransferTarget::Role(id.to_string())
    }

    /// Profile `id` takes a deleted profile's place.
    ///
    /// ```
    /// use permatrix::admin::TransferTarget;
    /// assert_eq!(TransferTarget::profile("staff"), TransferTarget::Profile("staff".into()));
    /// ```
    pub fn profile(id: &str) -> TransferTarget {
        TransferTarget::Profile(id.to_string())
    }

    /// The section word of the target's kind, as the document names it.
    fn kind(&self) -> &'static str {
        match self {
            TransferTarget::User(_) => "user",
            TransferTarget::Team(_) => "team",
            TransferTarget::Role(_) => "role",
            TransferTarget::Profile(_) => "profile",
        }
    }

    /// The target's name when it is of the kind `wanted`; `invalid_transfer` otherwise.
    pub(crate) fn named(&self, wanted: &'static str) -> Result<&str, crate::error::PolicyError> {
        let (TransferTarget::User(name)
        | TransferTarget::Team(name)
        | TransferTarget::Role(name)
        | TransferTarget::Profile(name)) = self;
        if self.kind() == wanted {
            return Ok(name);
        }
        Err(crate::error::PolicyError::new(
            crate::error::ErrorCode::InvalidTransfer,
            "",
            format!(
                "this takes a {wanted} to transfer to, not the {} `{name}`",
                self.kind()
            ),
        ))
    }
}

/// One successful change, for the host's audit trail: who did what to which item, and
/// the item as it was before and after (its document form; `None` where it did not exist).
///
/// ```
/// use permatrix::{Policy, policy::User};
/// let mut policy = Policy::from_json(r#"{"version":1,"users":{"root":{"admin":"admin"}}}"#)?;
/// let event = policy.admin("root").add_user("bob", User::default())?;
/// assert_eq!(event.operation, "user.invite");
/// assert_eq!(event.target, "users.bob");
/// assert_eq!(event.actor.as_deref(), Some("root"));
/// assert!(event.before.is_none() && event.after.is_some());
/// assert_eq!(event.revision, 1);
/// # Ok::<(), permatrix::PolicyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEvent {
    /// The policy's revision after the change.
    pub revision: u64,
    /// The acting user; `None` for the host itself.
    pub actor: Option<String>,
    /// The acting user's display name and host key, as the policy knew them before the
    /// change.
    #[serde(skip_serializing_if = "Labels::is_empty")]
    pub actor_labels: Labels,
    /// What was done, as `area.verb` (`user.invite`, `team.delete` …).
    pub operation: &'static str,
    /// The changed item's path (`users.bob`, `teams.north`, `sharing_rules[2]`).
    pub target: String,
    /// The changed user's, team's or module's display name and host key: after the
    /// change, or before it for a deletion.
    #[serde(skip_serializing_if = "Labels::is_empty")]
    pub target_labels: Labels,
    /// The item before, in document form.
    pub before: Option<serde_json::Value>,
    /// The item after, in document form.
    pub after: Option<serde_json::Value>,
    /// For deletions: where the deleted item's records go.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transfer: Option<TransferTarget>,
    /// Users who had an active team before the change and have none after it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub left_without_team: Vec<String>,
}

/// What an audit line shows beside an id: the display name and the host key.
///
/// ```
/// use permatrix::{HostKey, admin::Labels};
/// let l = Labels { display_name: Some("Bob B.".into()), key: Some(HostKey::from(1003)) };
/// assert_eq!(l.to_string(), " (Bob B., key 1003)");
/// assert_eq!(Labels::default().to_string(), "");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Labels {
    /// The display name, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The host key, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<HostKey>,
}

impl Labels {
    /// Neither a display name nor a key.
    ///
    /// ```
    /// assert!(permatrix::admin::Labels::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.display_name.is_none() && self.key.is_none()
    }
}

impl std::fmt::Display for Labels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.display_name, &self.key) {
            (Some(name), Some(key)) => write!(f, " ({name}, key {key})"),
            (Some(name), None) => write!(f, " ({name})"),
            (None, Some(key)) => write!(f, " (key {key})"),
            (None, None) => Ok(()),
        }
    }
}

impl AuditEvent {
    /// One line for a log: `r3 root user.invite users.bob`, with display names and host
    /// keys where the policy has them.
    ///
    /// ```
    /// use permatrix::{Policy, policy::User};
    /// let mut policy = Policy::new();
    /// let bob = User { display_name: Some("Bob B.".into()), key: Some(1003.into()), ..User::default() };
    /// let event = policy.admin_as_host().add_user("bob", bob)?;
    /// assert_eq!(event.summary(), "r1 (host) user.invite users.bob (Bob B., key 1003)");
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn summary(&self) -> String {
        let mut line = format!(
            "r{} {}{} {} {}{}",
            self.revision,
            self.actor.as_deref().unwrap_or("(host)"),
            self.actor_labels,
            self.operation,
            self.target,
            self.target_labels
        );
        if let Some(t) = &self.transfer {
            line.push_str(&format!(
                " -> {}",
                serde_json::to_string(t).unwrap_or_default()
            ));
        }
        if !self.left_without_team.is_empty() {
            line.push_str(&format!(
                " (left without a team: {})",
                self.left_without_team.join(", ")
            ));
        }
        line
    }
}
