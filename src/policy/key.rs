//! The host's own keys for users, teams and modules.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The key a host application gives a user, team or module in its own tables: an
/// integer (`"key": 1003`) or a string (`"key": "9f0c…"`, a UUID for example).
///
/// A key is optional, and unique among the users, the teams and the modules (two users
/// never share one; a user and a team may). Hosts look ids up by key
/// ([`Authorizer::user_by_key`](crate::Authorizer::user_by_key)), SQL filters write keys
/// instead of names when [`SqlSchema`](crate::SqlSchema) says the host's columns hold
/// them, and audit events and explanations show them beside the name.
///
/// ```
/// use permatrix::{HostKey, Policy};
/// let auth = Policy::from_json(r#"{"version":1,"users":{"alice":{"key":1003}}}"#)?.compile()?;
/// let alice = auth.user_by_key(&HostKey::from(1003)).unwrap();
/// assert_eq!(auth.user_name(alice), Ok("alice"));
/// assert_eq!(HostKey::from(1003).to_string(), "1003");
/// assert_eq!(HostKey::from("a-7").to_string(), "a-7");
/// # Ok::<(), permatrix::PolicyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum HostKey {
    /// An integer key (`BIGINT`, `INTEGER`).
    Integer(i64),
    /// A text key (`TEXT`, `VARCHAR`, or a UUID in its text form).
    Text(String),
}

impl HostKey {
    /// The integer, for an integer key.
    ///
    /// ```
    /// use permatrix::HostKey;
    /// assert_eq!(HostKey::from(7).as_integer(), Some(7));
    /// assert_eq!(HostKey::from("7").as_integer(), None);
    /// ```
    pub fn as_integer(&self) -> Option<i64> {
        match self {
            HostKey::Integer(i) => Some(*i),
            HostKey::Text(_) => None,
        }
    }

    /// The text, for a text key.
    ///
    /// ```
    /// use permatrix::HostKey;
    /// assert_eq!(HostKey::from("x").as_text(), Some("x"));
    /// assert_eq!(HostKey::from(1).as_text(), None);
    /// ```
    pub fn as_text(&self) -> Option<&str> {
        match self {
            HostKey::Integer(_) => None,
            HostKey::Text(s) => Some(s),
        }
    }
}

impl HostKey {
    /// The UUID a text key spells, in its canonical form (lowercase, hyphenated), when it
    /// may spell one as PostgreSQL reads them: 32 hex digits, single hyphens between any
    /// of them, optionally in braces (a little wider than PostgreSQL, so that validation
    /// errs on the strict side). Two keys that spell the same UUID are one key.
    ///
    /// ```
    /// use permatrix::HostKey;
    /// let k = HostKey::from("{550E8400E29B41D4A716446655440000}");
    /// assert_eq!(k.canonical_uuid().as_deref(), Some("550e8400-e29b-41d4-a716-446655440000"));
    /// assert_eq!(HostKey::from("bob").canonical_uuid(), None);
    /// ```
    pub fn canonical_uuid(&self) -> Option<String> {
        let text = self.as_text()?;
        let inner = text
            .strip_prefix('{')
            .and_then(|t| t.strip_suffix('}'))
            .unwrap_or(text);
        if inner.starts_with('-') || inner.ends_with('-') || inner.contains("--") {
            return None;
        }
        let hex: String = inner.chars().filter(|&c| c != '-').collect();
        if hex.len() != 32 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        let hex = hex.to_ascii_lowercase();
        let part = |a: usize, b: usize| hex.get(a..b).unwrap_or_default();
        Some(format!(
            "{}-{}-{}-{}-{}",
            part(0, 8),
            part(8, 12),
            part(12, 16),
            part(16, 20),
            part(20, 32)
        ))
    }
}

impl fmt::Display for HostKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostKey::Integer(i) => write!(f, "{i}"),
            HostKey::Text(s) => f.write_str(s),
        }
    }
}

impl From<i64> for HostKey {
    fn from(i: i64) -> Self {
        HostKey::Integer(i)
    }
}

impl From<&str> for HostKey {
    fn from(s: &str) -> Self {
        HostKey::Text(s.to_string())
    }
}

impl From<String> for HostKey {
    fn from(s: String) -> Self {
        HostKey::Text(s)
    }
}
