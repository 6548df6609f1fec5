//! The policy as rows: one per user, role, profile, team and module, one for the settings
//! and one for each list (sharing rules, calendar shares). What a change writes is the
//! rows whose content differs, so a commit writes O(size of the change).

use indexmap::IndexMap;
use serde::Serialize;

use super::error::StoreError;
use crate::error::PolicyError;
use crate::policy::Policy;

/// The kinds of row, named as the document's keys.
pub(crate) const MAPS: [&str; 5] = ["modules", "profiles", "roles", "teams", "users"];
/// Kinds stored as one row each, under the empty name.
pub(crate) const SINGLES: [&str; 3] = ["settings", "sharing_rules", "calendar_shares"];

/// One stored row: `body` is the entity's JSON, `None` once it is deleted (kept, so that
/// an instance catching up learns of the deletion).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    pub kind: String,
    pub name: String,
    pub body: Option<String>,
    /// Orders entities as the document lists them: set when an entity is created.
    pub seq: i64,
    /// The revision that last wrote the row.
    pub revision: i64,
}

fn body<T: Serialize>(kind: &str, name: &str, value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::corrupt(kind, name, 0, e.to_string()))
}

/// The rows that differ between `before` and `after`, written at `revision`. New entities
/// are numbered after everything already stored, in the order `after` lists them.
///
/// Cost: O(P) comparisons for a policy of size P, and serialization of the changed rows only.
pub(crate) fn changed(
    before: &Policy,
    after: &Policy,
    revision: i64,
) -> Result<Vec<Row>, StoreError> {
    let mut rows = Vec::new();
    let mut fresh = 0i64;
    let mut row = |kind: &str, name: &str, body: Option<String>, new: bool| {
        let seq = if new {
            fresh += 1;
            (revision << 32) | fresh
        } else {
            0 // the stored row keeps its place
        };
        rows.push(Row {
            kind: kind.to_string(),
            name: name.to_string(),
            body,
            seq,
            revision,
        });
    };
    macro_rules! map {
        ($field:ident) => {{
            let kind = stringify!($field);
            for (name, value) in &after.$field {
                match before.$field.get(name) {
                    Some(old) if old == value => {}
                    old => row(kind, name, Some(body(kind, name, value)?), old.is_none()),
                }
            }
            for name in before.$field.keys() {
                if !after.$field.contains_key(name) {
                    row(kind, name, None, false);
                }
            }
        }};
    }
    map!(modules);
    map!(profiles);
    map!(roles);
    map!(teams);
    map!(users);
    macro_rules! single {
        ($field:ident) => {{
            let kind = stringify!($field);
            if before.$field != after.$field {
                row(kind, "", Some(body(kind, "", &after.$field)?), false);
            }
        }};
    }
    single!(settings);
    single!(sharing_rules);
    single!(calendar_shares);
    Ok(rows)
}

/// The rows that make the store hold `policy` at `revision`, given what it holds now as
/// raw rows that are never parsed: a row whose text differs is written, an entity the
/// store lacks is created (numbered after everything stored), and every stored row that
/// `policy` does not have — a deleted entity, a kind no policy has, a row that does not
/// read — becomes a tombstone. So an import mends a store whose rows do not read.
///
/// Cost: O(P + stored rows), serializing every entity of `policy` once.
pub(crate) fn replacing(
    stored: &[Row],
    policy: &Policy,
    revision: i64,
) -> Result<Vec<Row>, StoreError> {
    let now: std::collections::HashMap<(&str, &str), &Row> = stored
        .iter()
        .map(|r| ((r.kind.as_str(), r.name.as_str()), r))
        .collect();
    let mut rows = Vec::new();
    let mut fresh = 0i64;
    let mut wanted: std::collections::HashSet<(String, String)> = std::collections::HashSet::new();
    let mut want = |kind: &str, name: &str, text: String| {
        wanted.insert((kind.to_string(), name.to_string()));
        let there = now.get(&(kind, name)).copied();
        if there.and_then(|r| r.body.as_deref()) == Some(text.as_str()) {
            return;
        }
        // an entity the store lacks (or holds only as a tombstone) is created anew
        let seq = if there.is_some_and(|r| r.body.is_some()) {
            0
        } else {
            fresh += 1;
            (revision << 32) | fresh
        };
        rows.push(Row {
            kind: kind.to_string(),
            name: name.to_string(),
            body: Some(text),
            seq,
            revision,
        });
    };
    macro_rules! map {
        ($field:ident) => {{
            let kind = stringify!($field);
            for (name, value) in &policy.$field {
                want(kind, name, body(kind, name, value)?);
            }
        }};
    }
    map!(modules);
    map!(profiles);
    map!(roles);
    map!(teams);
    map!(users);
    want("settings", "", body("settings", "", &policy.settings)?);
    want(
        "sharing_rules",
        "",
        body("sharing_rules", "", &policy.sharing_rules)?,
    );
    want(
        "calendar_shares",
        "",
        body("calendar_shares", "", &policy.calendar_shares)?,
    );
    for row in stored {
        if row.body.is_some() && !wanted.contains(&(row.kind.clone(), row.name.clone())) {
            rows.push(Row {
                kind: row.kind.clone(),
                name: row.name.clone(),
                body: None,
                seq: 0,
                revision,
            });
        }
    }
    Ok(rows)
}

/// Reads a whole policy from its live rows (in any order), through the document reader,
/// so a stored policy is held to exactly the checks a document is. A row that does not
/// read, or that the policy's validation refuses, is named in the error.
pub(crate) fn policy_from(
    rows: &[Row],
    limits: &crate::policy::Limits,
) -> Result<Policy, StoreError> {
    let mut maps: IndexMap<&str, Vec<&Row>> = IndexMap::new();
    let mut singles: IndexMap<&str, &Row> = IndexMap::new();
    for row in rows {
        let Some(body) = &row.body else { continue };
        check_json(row, body)?;
        if MAPS.contains(&row.kind.as_str()) {
            maps.entry(row.kind.as_str()).or_default().push(row);
        } else if SINGLES.contains(&row.kind.as_str()) && row.name.is_empty() {
            singles.insert(row.kind.as_str(), row);
        } else {
            return Err(unknown_kind(row));
        }
    }
    let mut doc = String::from("{\"version\":1");
    for (kind, row) in &singles {
        push_member(&mut doc, kind, row.body.as_deref().unwrap_or("null"));
    }
    for (kind, list) in &mut maps {
        list.sort_by_key(|r| r.seq);
        doc.push_str(&format!(",{}:{{", json_string(kind)));
        for (i, row) in list.iter().enumerate() {
            if i > 0 {
                doc.push(',');
            }
            doc.push_str(&json_string(&row.name));
            doc.push(':');
            doc.push_str(row.body.as_deref().unwrap_or("null"));
        }
        doc.push('}');
    }
    doc.push('}');
    let policy = Policy::from_json_with_limits(&doc, limits).map_err(|e| blame(rows, e))?;
    policy.validate().map_err(|e| blame(rows, e))?;
    Ok(policy)
}

/// Applies rows read since `policy`'s revision to a copy of it; on any error `policy` is
/// untouched. Each row is read as strictly as the document; the whole is validated only
/// when `validate` is set, for callers that do not compile it next (the compile validates).
/// Updated entities keep their place; new ones follow in `seq` order, as a full read
/// would list them.
///
/// Cost: O(P) for the copy (and the validation), plus the changed rows.
pub(crate) fn apply(policy: &Policy, rows: &[Row], validate: bool) -> Result<Policy, StoreError> {
    let mut next = policy.clone();
    let mut ordered: Vec<&Row> = rows.iter().collect();
    ordered.sort_by_key(|r| (r.body.is_some(), r.seq));
    for row in ordered {
        let Some(body) = &row.body else {
            match row.kind.as_str() {
                "modules" => drop(next.modules.shift_remove(&row.name)),
                "profiles" => drop(next.profiles.shift_remove(&row.name)),
                "roles" => drop(next.roles.shift_remove(&row.name)),
                "teams" => drop(next.teams.shift_remove(&row.name)),
                "users" => drop(next.users.shift_remove(&row.name)),
                _ => return Err(unknown_kind(row)),
            }
            continue;
        };
        check_json(row, body)?;
        let mut doc = String::from("{\"version\":1");
        if MAPS.contains(&row.kind.as_str()) {
            push_member(
                &mut doc,
                &row.kind,
                &format!("{{{}:{body}}}", json_string(&row.name)),
            );
        } else if SINGLES.contains(&row.kind.as_str()) && row.name.is_empty() {
            push_member(&mut doc, &row.kind, body);
        } else {
            return Err(unknown_kind(row));
        }
        doc.push('}');
        let mut one = Policy::from_json_with_limits(&doc, next.limits())
            .map_err(|e| StoreError::corrupt(&row.kind, &row.name, row.revision, describe(&e)))?;
        // an entity created after `policy`'s revision goes last, as a whole read lists it,
        // even when one of its name was there before (deleted and made again since)
        let created_since = (row.seq >> 32) > i64::try_from(policy.revision()).unwrap_or(i64::MAX);
        macro_rules! take {
            ($field:ident) => {{
                if let Some((name, value)) = one.$field.pop() {
                    if created_since {
                        next.$field.shift_remove(&name);
                    }
                    if let Some(slot) = next.$field.get_mut(&name) {
                        *slot = value;
                    } else {
                        next.$field.insert(name, value);
                    }
                }
            }};
        }
        match row.kind.as_str() {
            "modules" => take!(modules),
            "profiles" => take!(profiles),
            "roles" => take!(roles),
            "teams" => take!(teams),
            "users" => take!(users),
            "settings" => next.settings = one.settings,
            "sharing_rules" => next.sharing_rules = std::mem::take(&mut one.sharing_rules),
            _ => next.calendar_shares = std::mem::take(&mut one.calendar_shares),
        }
    }
    if validate {
        next.validate().map_err(|e| blame(rows, e))?;
    }
    Ok(next)
}

fn check_json(row: &Row, body: &str) -> Result<(), StoreError> {
    serde_json::from_str::<serde::de::IgnoredAny>(body)
        .map(drop)
        .map_err(|e| {
            StoreError::corrupt(&row.kind, &row.name, row.revision, format!("not JSON: {e}"))
        })
}

fn unknown_kind(row: &Row) -> StoreError {
    StoreError::corrupt(
        &row.kind,
        &row.name,
        row.revision,
        "no policy entity is stored under this kind and name",
    )
}

fn push_member(doc: &mut String, key: &str, value: &str) {
    doc.push(',');
    doc.push_str(&json_string(key));
    doc.push(':');
    doc.push_str(value);
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

fn describe(e: &PolicyError) -> String {
    format!("{}: {}: {}", e.path(), e.code(), e.message())
}

/// Names the row to blame for a validation error: for a reference to something the store
/// holds only as a tombstone (a role whose row was emptied), that row — the row that
/// changed, not the untouched one that refers to it; otherwise the row the error's path
/// points into (`users.bob.roles` → the row of user `bob`), or the whole policy when no one
/// row is to blame.
fn blame(rows: &[Row], e: PolicyError) -> StoreError {
    if e.code() == crate::error::ErrorCode::UnknownReference {
        if let Some(row) = referred_tombstone(rows, e.message()) {
            return StoreError::corrupt(
                &row.kind,
                &row.name,
                row.revision,
                format!(
                    "this row is deleted, but `{}` still refers to it ({})",
                    e.path(),
                    describe(&e)
                ),
            );
        }
    }
    let path = e.path();
    let culprit = rows.iter().filter(|r| r.body.is_some()).find(|r| {
        if r.name.is_empty() {
            path == r.kind
                || path.starts_with(&format!("{}.", r.kind))
                || path.starts_with(&format!("{}[", r.kind))
        } else {
            let prefix = format!("{}.{}", r.kind, r.name);
            path == prefix || path.starts_with(&format!("{prefix}."))
        }
    });
    match culprit {
        Some(r) => StoreError::corrupt(&r.kind, &r.name, r.revision, describe(&e)),
        None => StoreError::from(e),
    }
}

/// The tombstone of what an `unknown_reference` message ("no role `rep`") names, if the
/// store has one.
fn referred_tombstone<'r>(rows: &'r [Row], message: &str) -> Option<&'r Row> {
    let rest = message.strip_prefix("no ")?;
    let (what, id) = rest.split_once(" `")?;
    let id = id.strip_suffix('`')?;
    let kind = match what {
        "role" => "roles",
        "profile" => "profiles",
        "team" => "teams",
        "user" => "users",
        "module" => "modules",
        _ => return None,
    };
    rows.iter()
        .find(|r| r.kind == kind && r.name == id && r.body.is_none())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(json: &str) -> Policy {
        Policy::from_json(json).unwrap()
    }

    #[test]
    fn the_changed_rows_take_one_policy_to_the_other() {
        let a = policy(
            r#"{"version":1,"modules":{"m":{}},"profiles":{"p":{}},"roles":{"r":{"profiles":["p"]}},
                "teams":{"t":{"users":["x"]},"gone":{}},"users":{"x":{"roles":["r"]},"y":{}},
                "sharing_rules":[{"module":"m","from":{"role":"r"},"to":{"role":"r"},"access":"read"}]}"#,
        );
        let b = policy(
            r#"{"version":1,"settings":{"licenses":9},"modules":{"m":{}},"profiles":{"p":{}},"roles":{"r":{"profiles":["p"]}},
                "teams":{"t":{"users":["x","y"]},"new":{}},"users":{"x":{"roles":["r"]},"y":{},"z":{}}}"#,
        );
        let rows = changed(&a, &b, 2).unwrap();
        let names: Vec<(&str, &str, bool)> = rows
            .iter()
            .map(|r| (r.kind.as_str(), r.name.as_str(), r.body.is_some()))
            .collect();
        assert_eq!(
            names,
            [
                ("teams", "t", true),
                ("teams", "new", true),
                ("teams", "gone", false),
                ("users", "z", true),
                ("settings", "", true),
                ("sharing_rules", "", true),
            ]
        );
        // created rows are numbered after every earlier revision's
        assert!(rows.iter().filter(|r| r.seq != 0).all(|r| r.seq > 2 << 32));
        let applied = apply(&a, &rows, true).unwrap();
        assert_eq!(applied, b);
        assert_eq!(applied.teams.keys().collect::<Vec<_>>(), ["t", "new"]);
        assert!(changed(&b, &applied, 3).unwrap().is_empty());

        // deleted and made again since the base: it goes last, as a whole read lists it
        let again = Row {
            kind: "teams".into(),
            name: "t".into(),
            body: Some("{}".into()),
            seq: (5 << 32) | 1,
            revision: 5,
        };
        let moved = apply(&applied, &[again], true).unwrap();
        assert_eq!(moved.teams.keys().collect::<Vec<_>>(), ["new", "t"]);
    }

    #[test]
    fn a_row_that_does_not_read_changes_nothing() {
        let a = policy(r#"{"version":1,"users":{"x":{}}}"#);
        let bad = |body: &str| Row {
            kind: "users".into(),
            name: "x".into(),
            body: Some(body.into()),
            seq: 0,
            revision: 2,
        };
        for body in ["nope", r#"{"colour":1}"#, r#"{"roles":"r"}"#] {
            let err = apply(&a, &[bad(body)], true).unwrap_err();
            assert_eq!(
                err.code(),
                crate::error::ErrorCode::CorruptRow,
                "{body}: {err}"
            );
        }
        let err = apply(&a, &[bad(r#"{"roles":["missing"]}"#)], true).unwrap_err();
        assert!(err.to_string().contains("users `x`"), "{err}");
        let strange = Row {
            kind: "gadgets".into(),
            ..bad("{}")
        };
        assert!(apply(&a, std::slice::from_ref(&strange), true).is_err());
        assert!(policy_from(&[strange], &crate::policy::Limits::default()).is_err());
    }
}
