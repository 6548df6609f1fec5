//! Reading the JSON document: version check first, then the strict shape, with errors
//! mapped to stable codes and dotted paths.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::unique::DUPLICATE_KEY;
use super::{Limits, Policy};
use crate::error::{ErrorCode, PolicyError};

/// The only document version this crate reads and writes.
const VERSION: u64 = 1;

/// The `version` key: always 1 in a policy that exists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct DocumentVersion;

impl Serialize for DocumentVersion {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(VERSION)
    }
}

/// Always 1.
#[cfg(feature = "schema")]
impl schemars::JsonSchema for DocumentVersion {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "DocumentVersion".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "const": 1, "description": "The document format; this crate reads version 1." })
    }
}

impl<'de> Deserialize<'de> for DocumentVersion {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(deserializer)?.as_u64() {
            Some(VERSION) => Ok(DocumentVersion),
            _ => Err(D::Error::custom("unsupported version")),
        }
    }
}

/// The document's `version`, read before anything else. Only an object is a document:
/// serde would also read a struct from an array, so this reads a map and nothing else.
struct VersionOnly {
    version: Option<serde_json::Value>,
}

impl<'de> Deserialize<'de> for VersionOnly {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = VersionOnly;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a policy document (a JSON object)")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<VersionOnly, A::Error> {
                let mut version = None;
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    if key == "version" && version.is_none() {
                        version = Some(map.next_value::<serde_json::Value>()?);
                    } else {
                        map.next_value::<serde::de::IgnoredAny>()?;
                    }
                }
                Ok(VersionOnly { version })
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

pub(crate) fn read(json: &str, limits: &Limits) -> Result<Policy, PolicyError> {
    if json.len() > limits.get_document_bytes() {
        return Err(PolicyError::new(
            ErrorCode::LimitExceeded,
            "",
            format!(
                "the document is {} bytes; the limit is {}",
                json.len(),
                limits.get_document_bytes()
            ),
        ));
    }
    // The version decides how the rest is read, so it is judged before any other key: a
    // document from a newer crate says `unsupported_version`, not `malformed`.
    match serde_json::from_str::<VersionOnly>(json) {
        Ok(VersionOnly { version: Some(v) }) if v.as_u64() == Some(VERSION) => {}
        Ok(VersionOnly { version: Some(v) }) => {
            return Err(PolicyError::new(
                ErrorCode::UnsupportedVersion,
                "version",
                format!("document version `{v}` is not supported; this crate reads version 1"),
            ));
        }
        Ok(VersionOnly { version: None }) => {
            return Err(PolicyError::new(
                ErrorCode::Malformed,
                "version",
                "the document has no `version`; write `\"version\": 1`",
            ));
        }
        Err(e) if !json.trim_start().starts_with('{') => {
            return Err(PolicyError::new(
                ErrorCode::Malformed,
                "",
                format!(
                    "a policy document is a JSON object: {}",
                    strip_position(&e.to_string())
                ),
            ));
        }
        Err(_) => {} // reported with its path by the full read below
    }
    // Tracking the path of every value costs about half the read, and only an error
    // needs it: read without, and read again with it when the document is refused.
    let mut policy = match serde_json::from_str::<Policy>(json) {
        Ok(policy) => policy,
        Err(_) => read_with_paths(json)?,
    };
    policy.set_limits(limits.clone());
    Ok(policy)
}

/// The same read, recording where it is, so that an error names its path.
fn read_with_paths(json: &str) -> Result<Policy, PolicyError> {
    let mut de = serde_json::Deserializer::from_str(json);
    let policy: Policy = serde_path_to_error::deserialize(&mut de).map_err(to_policy_error)?;
    de.end()
        .map_err(|e| PolicyError::new(ErrorCode::Malformed, "", e.to_string()))?;
    Ok(policy)
}

fn to_policy_error(err: serde_path_to_error::Error<serde_json::Error>) -> PolicyError {
    let path = err.path().to_string();
    // a key that did not even read as a string has no name: the path ends at its map
    let mut path = if path == "." { String::new() } else { path };
    while let Some(shorter) = path.strip_suffix(".?") {
        path = shorter.to_string();
    }
    if path == "?" {
        path.clear();
    }
    let inner = err.into_inner();
    let message = strip_position(&inner.to_string());
    let duplicate = message.starts_with(DUPLICATE_KEY) || message.starts_with("duplicate field");
    if duplicate {
        let key = message.split('`').nth(1).unwrap_or_default();
        let path = match (path.is_empty(), key.is_empty()) {
            (_, true) => path,
            (true, false) => key.to_string(),
            (false, false) if path.ends_with(&format!(".{key}")) => path,
            (false, false) => format!("{path}.{key}"),
        };
        return PolicyError::new(ErrorCode::DuplicateKey, path, message);
    }
    if message.starts_with("unknown field") {
        let key = message.split('`').nth(1).unwrap_or_default();
        let path = if path.is_empty() || path.ends_with(&format!(".{key}")) || path == key {
            path
        } else {
            format!("{path}.{key}")
        };
        return PolicyError::new(ErrorCode::Malformed, path, message);
    }
    PolicyError::new(ErrorCode::Malformed, path, message)
}

/// serde_json appends " at line L column C"; keep the message and let the path locate it.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => format!("{} ({})", &message[..i], &message[i + 1..]),
        None => message.to_string(),
    }
}
