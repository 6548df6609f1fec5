//! Translation of a filter into a parameterised SQL `WHERE` fragment for SQLite or
//! PostgreSQL. Values never enter the SQL text: every id, module name, share level and
//! principal kind is a parameter. Table and column names come from [`SqlSchema`], are
//! checked to be plain identifiers, and are quoted.

use std::fmt::Write as _;

use super::{Condition, Filter};
use crate::authorizer::{Authorizer, PrincipalId};
use crate::policy::ShareAccess;

/// The database the fragment is written for.
///
/// ```
/// use permatrix::SqlDialect;
/// assert_ne!(SqlDialect::Sqlite, SqlDialect::Postgres);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SqlDialect {
    /// SQLite 3.38 or newer (`?N` parameters; id lists as one JSON array text,
    /// unpacked with `json_each`).
    Sqlite,
    /// PostgreSQL (`$N` parameters; id lists as one `text[]`, compared with `= ANY`).
    Postgres,
}

/// Where the host keeps records, their team links and their shares.
///
/// The defaults are `records(id, module, owner_user, owner_team)`,
/// `record_teams(record_id, team_id)` and
/// `record_shares(record_id, principal_kind, principal_id, access)`. Ids are the policy's
/// string ids (usernames, team ids, role ids, module ids); `principal_kind` is `user`,
/// `team`, `role` or `role_and_subordinates`; `access` is `read`, `read_write` or `full`.
/// A team-owned record has `owner_team` set and `owner_user` NULL, and the other way round.
///
/// ```
/// use permatrix::SqlSchema;
/// let schema = SqlSchema { records: "crm.deals".into(), ..SqlSchema::default() };
/// assert_eq!(schema.owner_user, "owner_user");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlSchema {
    /// The records table (or the alias the host's query gives it).
    pub records: String,
    /// Its primary key.
    pub id: String,
    /// Its module column.
    pub module: String,
    /// Its owning-user column.
    pub owner_user: String,
    /// Its owning-team column.
    pub owner_team: String,
    /// The record–team link table.
    pub record_teams: String,
    /// Its record column.
    pub record_teams_record: String,
    /// Its team column.
    pub record_teams_team: String,
    /// The record–share table.
    pub record_shares: String,
    /// Its record column.
    pub record_shares_record: String,
    /// Its principal-kind column.
    pub record_shares_kind: String,
    /// Its principal-id column.
    pub record_shares_principal: String,
    /// Its access column.
    pub record_shares_access: String,
}

impl Default for SqlSchema {
    fn default() -> Self {
        let s = |x: &str| x.to_string();
        SqlSchema {
            records: s("records"),
            id: s("id"),
            module: s("module"),
            owner_user: s("owner_user"),
            owner_team: s("owner_team"),
            record_teams: s("record_teams"),
            record_teams_record: s("record_id"),
            record_teams_team: s("team_id"),
            record_shares: s("record_shares"),
            record_shares_record: s("record_id"),
            record_shares_kind: s("principal_kind"),
            record_shares_principal: s("principal_id"),
            record_shares_access: s("access"),
        }
    }
}

/// A parameter value of the fragment, in order.
///
/// ```
/// use permatrix::SqlValue;
/// let v = SqlValue::Text("deals".into());
/// assert_eq!(v, SqlValue::Text("deals".into()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SqlValue {
    /// A text value (for SQLite also an id list, as a JSON array).
    Text(String),
    /// A `text[]` (PostgreSQL id lists).
    TextArray(Vec<String>),
}

/// A `WHERE` fragment and its parameters, numbered from 1 in the order given.
///
/// ```
/// use permatrix::{Action, Policy, SqlDialect, SqlSchema};
/// let auth = Policy::from_json(r#"{"version":1,"modules":{"deals":{}},"users":{"a":{"admin":"admin"}}}"#)?.compile()?;
/// let f = auth.filter(auth.user("a").unwrap(), Action::List, auth.module("deals").unwrap());
/// let sql = f.to_sql(SqlDialect::Postgres, &SqlSchema::default()).unwrap();
/// assert_eq!(sql.sql, r#"("records"."module" = $1 AND TRUE)"#);
/// # Ok::<(), permatrix::PolicyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlFilter {
    /// The fragment, to be placed after `WHERE` (or combined with `AND`).
    pub sql: String,
    /// The values of `?1`/`$1`, `?2`/`$2`, …
    pub params: Vec<SqlValue>,
}

/// A table or column name in [`SqlSchema`] that is not a plain identifier.
///
/// ```
/// use permatrix::{Action, Policy, SqlDialect, SqlSchema};
/// let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{}}}"#)?.compile()?;
/// let f = auth.filter(auth.user("a").unwrap(), Action::List, auth.module("m").unwrap());
/// let bad = SqlSchema { records: "records; DROP TABLE x".into(), ..SqlSchema::default() };
/// let err = f.to_sql(SqlDialect::Sqlite, &bad).unwrap_err();
/// assert_eq!(err.code(), "invalid_identifier");
/// # Ok::<(), permatrix::PolicyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{name}` is not a plain SQL identifier (letters, digits and `_`, dotted at most once)")]
pub struct SqlError {
    name: String,
}

impl SqlError {
    /// Always `invalid_identifier`.
    ///
    /// ```
    /// # use permatrix::{Action, Policy, SqlDialect, SqlSchema};
    /// # let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{}}}"#)?.compile()?;
    /// # let f = auth.filter(auth.user("a").unwrap(), Action::List, auth.module("m").unwrap());
    /// let bad = SqlSchema { id: "".into(), ..SqlSchema::default() };
    /// assert_eq!(f.to_sql(SqlDialect::Postgres, &bad).unwrap_err().code(), "invalid_identifier");
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn code(&self) -> &'static str {
        "invalid_identifier"
    }
}

impl Filter {
    /// The filter as a parameterised SQL fragment over `schema`, restricted to the
    /// filter's module. Id lists are single parameters, so the parameter count stays small
    /// whatever the number of users or teams involved.
    ///
    /// # Errors
    /// [`SqlError`] when a name in `schema` is not a plain identifier.
    ///
    /// # Cost
    /// O(k) for the k ids the condition names: one parameter per id, or one list parameter.
    ///
    /// ```
    /// use permatrix::{Action, Policy, SqlDialect, SqlSchema, SqlValue};
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"deals":{}},
    ///   "profiles":{"p":{"modules":{"deals":{"access":"on","actions":{"list":"owner"}}}}},
    ///   "roles":{"r":{"profiles":["p"]}}, "users":{"ann":{"roles":["r"]}}}"#)?.compile()?;
    /// let f = auth.filter(auth.user("ann").unwrap(), Action::List, auth.module("deals").unwrap());
    /// let q = f.to_sql(SqlDialect::Sqlite, &SqlSchema::default()).unwrap();
    /// assert!(q.sql.starts_with(r#"("records"."module" = ?1 AND ("records"."owner_user" = ?2 OR "records"."id" IN ("#));
    /// assert_eq!(q.params[..2], [SqlValue::Text("deals".into()), SqlValue::Text("ann".into())]);
    /// // ids, kinds and levels are parameters too: nothing is spliced into the text
    /// assert!(!q.sql.contains("ann") && !q.sql.contains("'"));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn to_sql(&self, dialect: SqlDialect, schema: &SqlSchema) -> Result<SqlFilter, SqlError> {
        let q = Names::new(schema)?;
        let mut w = Writer {
            dialect,
            params: Vec::new(),
            auth: &self.auth,
            q: &q,
        };
        let module = self
            .auth
            .module_name(self.module)
            .unwrap_or_default()
            .to_string();
        let module_param = w.text(module);
        let body = w.condition(&self.condition);
        Ok(SqlFilter {
            sql: format!("({}.{} = {module_param} AND {body})", q.records, q.module),
            params: w.params,
        })
    }
}

/// The schema's names, checked and quoted.
struct Names {
    records: String,
    id: String,
    module: String,
    owner_user: String,
    owner_team: String,
    record_teams: String,
    rt_record: String,
    rt_team: String,
    record_shares: String,
    rs_record: String,
    rs_kind: String,
    rs_principal: String,
    rs_access: String,
}

impl Names {
    fn new(s: &SqlSchema) -> Result<Names, SqlError> {
        Ok(Names {
            records: quote(&s.records, true)?,
            id: quote(&s.id, false)?,
            module: quote(&s.module, false)?,
            owner_user: quote(&s.owner_user, false)?,
            owner_team: quote(&s.owner_team, false)?,
            record_teams: quote(&s.record_teams, true)?,
            rt_record: quote(&s.record_teams_record, false)?,
            rt_team: quote(&s.record_teams_team, false)?,
            record_shares: quote(&s.record_shares, true)?,
            rs_record: quote(&s.record_shares_record, false)?,
            rs_kind: quote(&s.record_shares_kind, false)?,
            rs_principal: quote(&s.record_shares_principal, false)?,
            rs_access: quote(&s.record_shares_access, false)?,
        })
    }
}

fn quote(name: &str, dotted: bool) -> Result<String, SqlError> {
    let parts: Vec<&str> = name.split('.').collect();
    let plain = |p: &str| {
        p.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    if parts.len() > if dotted { 2 } else { 1 } || !parts.iter().all(|p| plain(p)) {
        return Err(SqlError {
            name: name.to_string(),
        });
    }
    Ok(parts
        .iter()
        .map(|p| format!("\"{p}\""))
        .collect::<Vec<_>>()
        .join("."))
}

/// Longest id list SQLite gets as separate parameters; longer lists are one JSON array.
const SHORT_LIST: usize = 16;

struct Writer<'a> {
    dialect: SqlDialect,
    params: Vec<SqlValue>,
    auth: &'a Authorizer,
    q: &'a Names,
}

impl Writer<'_> {
    fn placeholder(&self) -> String {
        match self.dialect {
            SqlDialect::Sqlite => format!("?{}", self.params.len()),
            SqlDialect::Postgres => format!("${}", self.params.len()),
        }
    }

    fn text(&mut self, value: String) -> String {
        self.params.push(SqlValue::Text(value));
        self.placeholder()
    }

    /// `column = ?` for one value; for a list, `column IN (?, …)` while it is short in
    /// SQLite (one parameter per id, at most [`SHORT_LIST`]), else one parameter holding
    /// the whole list: a JSON array unpacked by `json_each` (SQLite) or a `text[]`
    /// compared with `= ANY` (PostgreSQL).
    fn member(&mut self, column: &str, mut values: Vec<String>) -> String {
        if values.len() == 1 {
            let p = self.text(values.pop().unwrap_or_default());
            return format!("{column} = {p}");
        }
        match self.dialect {
            SqlDialect::Sqlite if values.len() <= SHORT_LIST => {
                let placeholders: Vec<String> = values.into_iter().map(|v| self.text(v)).collect();
                format!("{column} IN ({})", placeholders.join(", "))
            }
            SqlDialect::Sqlite => {
                let json = serde_json::to_string(&values).unwrap_or_else(|_| "[]".to_string());
                let p = self.text(json);
                format!("{column} IN (SELECT value FROM json_each({p}))")
            }
            SqlDialect::Postgres => {
                self.params.push(SqlValue::TextArray(values));
                let p = self.placeholder();
                format!("{column} = ANY({p})")
            }
        }
    }

    fn condition(&mut self, c: &Condition) -> String {
        let q = self.q;
        let auth = self.auth;
        let team_names = |teams: &[crate::TeamId]| {
            teams
                .iter()
                .map(|&t| auth.team_name(t).unwrap_or_default().to_string())
                .collect()
        };
        match c {
            Condition::True => "TRUE".to_string(),
            Condition::False => "FALSE".to_string(),
            Condition::OwnerUserIn(users) => {
                let names = users
                    .iter()
                    .map(|&u| auth.user_name(u).unwrap_or_default().to_string())
                    .collect();
                self.member(&format!("{}.{}", q.records, q.owner_user), names)
            }
            Condition::OwnerTeamIn(teams) => self.member(
                &format!("{}.{}", q.records, q.owner_team),
                team_names(teams),
            ),
            Condition::LinkedToTeam(teams) => {
                let test = self.member(&format!("pmx_rt.{}", q.rt_team), team_names(teams));
                // uncorrelated, so the database finds the linked records once, not per row
                format!(
                    "{}.{} IN (SELECT pmx_rt.{} FROM {} AS pmx_rt WHERE {test})",
                    q.records, q.id, q.rt_record, q.record_teams
                )
            }
            Condition::SharedWith { to, at_least } => {
                // every stored level reaches `read`, so that case needs no level test
                let level_test = (*at_least > ShareAccess::Read).then(|| {
                    let levels: Vec<String> = [ShareAccess::ReadWrite, ShareAccess::Full]
                        .into_iter()
                        .filter(|l| l >= at_least)
                        .map(|l| l.as_str().to_string())
                        .collect();
                    self.member(&format!("pmx_rs.{}", q.rs_access), levels)
                });
                let mut by_kind: Vec<(&str, Vec<String>)> = Vec::new();
                for p in to {
                    let (kind, name) = match *p {
                        PrincipalId::User(u) => ("user", auth.user_name(u)),
                        PrincipalId::Team(t) => ("team", auth.team_name(t)),
                        PrincipalId::Role(r) => ("role", auth.role_name(r)),
                        PrincipalId::RoleAndSubordinates(r) => {
                            ("role_and_subordinates", auth.role_name(r))
                        }
                    };
                    let name = name.unwrap_or_default().to_string();
                    match by_kind.iter_mut().find(|(k, _)| *k == kind) {
                        Some((_, names)) => names.push(name),
                        None => by_kind.push((kind, vec![name])),
                    }
                }
                let mut alternatives = Vec::new();
                for (kind, names) in by_kind {
                    let kind_param = self.text(kind.to_string());
                    let ids = self.member(&format!("pmx_rs.{}", q.rs_principal), names);
                    alternatives.push(format!("(pmx_rs.{} = {kind_param} AND {ids})", q.rs_kind));
                }
                let mut sql = format!(
                    "{}.{} IN (SELECT pmx_rs.{} FROM {} AS pmx_rs WHERE ",
                    q.records, q.id, q.rs_record, q.record_shares
                );
                if let Some(level_test) = level_test {
                    let _ = write!(sql, "{level_test} AND ");
                }
                let _ = write!(sql, "({}))", alternatives.join(" OR "));
                sql
            }
            Condition::All(parts) => {
                let parts: Vec<String> = parts.iter().map(|p| self.condition(p)).collect();
                format!("({})", parts.join(" AND "))
            }
            Condition::Any(parts) => {
                let parts: Vec<String> = parts.iter().map(|p| self.condition(p)).collect();
                format!("({})", parts.join(" OR "))
            }
        }
    }
}
