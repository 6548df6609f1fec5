//! Translation of a filter into a parameterised SQL `WHERE` fragment for SQLite or
//! PostgreSQL. Values never enter the SQL text: every id, module name, share level and
//! principal kind is a parameter. Table and column names come from [`SqlSchema`], are
//! checked to be plain identifiers, and are quoted.

use std::fmt::Write as _;

use super::schema::{RecordTeams, SqlKeys, SqlSchema};
use super::{Condition, Filter};
use crate::checks::Authorizer;
use crate::ids::{PrincipalId, TeamId};
use crate::policy::{HostKey, ShareAccess};

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

/// A parameter value of the fragment, in order.
///
/// With the `rusqlite` feature it is a `rusqlite::ToSql`, and with the `postgres` feature
/// a `postgres_types::ToSql`, so the parameters bind as they are.
///
/// ```
/// use permatrix::filter::SqlValue;
/// let v = SqlValue::Text("deals".into());
/// assert_eq!(v, SqlValue::Text("deals".into()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SqlValue {
    /// A text value (for SQLite also an id list, as a JSON array).
    Text(String),
    /// A `text[]` (PostgreSQL id lists).
    TextArray(Vec<String>),
    /// An integer (`BIGINT`).
    Integer(i64),
    /// A `bigint[]` (PostgreSQL id lists).
    IntegerArray(Vec<i64>),
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
    /// What is wrong, in words: [`Display`](std::fmt::Display)'s text.
    ///
    /// ```
    /// # use permatrix::{Action, Policy, SqlDialect, SqlSchema};
    /// # let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"a":{}}}"#)?.compile()?;
    /// # let f = auth.filter(auth.user("a").unwrap(), Action::List, auth.module("m").unwrap());
    /// let bad = SqlSchema { id: "".into(), ..SqlSchema::default() };
    /// let err = f.to_sql(SqlDialect::Postgres, &bad).unwrap_err();
    /// assert_eq!(err.message(), err.to_string());
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn message(&self) -> String {
        self.to_string()
    }

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
    pub fn code(&self) -> crate::error::ErrorCode {
        crate::error::ErrorCode::InvalidIdentifier
    }
}

impl Filter {
    /// The filter as a parameterised SQL fragment over `schema`, restricted to the
    /// filter's module (by the module column, or by the table when the schema has none).
    /// See [`SqlSchema`] for the lists of ids and the indexes the fragment wants.
    ///
    /// # Errors
    /// [`SqlError`] when a name in `schema` is not a plain identifier.
    ///
    /// # Cost
    /// O(k) for the k ids the condition names: one parameter per id, or one list parameter.
    ///
    /// ```
    /// use permatrix::{Action, Policy, SqlDialect, SqlSchema, filter::SqlValue};
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"deals":{}},
    ///   "profiles":{"p":{"modules":{"deals":{"access":"on","actions":{"list":"owner"}}}}},
    ///   "roles":{"r":{"profiles":["p"]}}, "users":{"ann":{"roles":["r"]}}}"#)?.compile()?;
    /// let f = auth.filter(auth.user("ann").unwrap(), Action::List, auth.module("deals").unwrap());
    /// let q = f.to_sql(SqlDialect::Sqlite, &SqlSchema::default()).unwrap();
    /// // the ids that the user's lookups reach, each lookup one an index can answer
    /// assert!(q.sql.starts_with(concat!(
    ///     r#"(+"records"."module" = ?1 AND "records"."id" IN ("#,
    ///     r#"SELECT pmx_r."id" FROM "records" AS pmx_r WHERE pmx_r."owner_user" = ?2 UNION ALL "#,
    /// )));
    /// assert_eq!(q.params[..2], [SqlValue::Text("deals".into()), SqlValue::Text("ann".into())]);
    /// // ids, kinds and levels are parameters too: nothing is spliced into the text
    /// assert!(!q.sql.contains("ann") && !q.sql.contains("'"));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    ///
    /// With a table per module and integer keys:
    ///
    /// ```
    /// use permatrix::{Action, Policy, SqlDialect, SqlSchema, filter::{SqlKeys, SqlValue}};
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"deals":{}},
    ///   "profiles":{"p":{"modules":{"deals":{"access":"on","actions":{"list":"owner"}}}}},
    ///   "roles":{"r":{"profiles":["p"]}}, "users":{"ann":{"roles":["r"],"key":1003}}}"#)?.compile()?;
    /// let f = auth.filter(auth.user("ann").unwrap(), Action::List, auth.module("deals").unwrap());
    /// let schema = SqlSchema { owner_user: "owner_id".into(), user_keys: SqlKeys::Integer,
    ///                          ..SqlSchema::for_table("deals") };
    /// let q = f.to_sql(SqlDialect::Postgres, &schema).unwrap();
    /// assert!(q.sql.starts_with(r#""deals"."id" IN (SELECT pmx_r."id" FROM "deals" AS pmx_r WHERE pmx_r."owner_id" = $1::bigint"#));
    /// assert_eq!(q.params[0], SqlValue::Integer(1003));
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn to_sql(&self, dialect: SqlDialect, schema: &SqlSchema) -> Result<SqlFilter, SqlError> {
        let q = Names::new(schema)?;
        let mut w = Writer {
            dialect,
            params: Vec::new(),
            auth: &self.auth,
            q: &q,
            schema,
            module: self.module,
        };
        // the module first, so that it is always the first parameter
        let narrowed = !matches!(self.condition, Condition::True | Condition::False);
        let module = q
            .module
            .as_ref()
            .map(|column| w.module_test(self.module, column, narrowed));
        let body = match &self.condition {
            Condition::True => "TRUE".to_string(),
            Condition::False => "FALSE".to_string(),
            c => {
                let ids = w.ids(c);
                format!("{}.{} IN ({ids})", q.records, q.id)
            }
        };
        let sql = match module {
            Some(module) => format!("({module} AND {body})"),
            None => body,
        };
        Ok(SqlFilter {
            sql,
            params: w.params,
        })
    }
}

/// The schema's names, checked and quoted.
struct Names {
    records: String,
    records_table: String,
    id: String,
    module: Option<String>,
    owner_user: String,
    owner_team: Option<String>,
    teams: TeamNames,
    shares: Option<ShareNames>,
}

/// Where a record's teams are, quoted.
enum TeamNames {
    None,
    Column(String),
    Links(LinkNames),
}

/// The link table, quoted.
struct LinkNames {
    table: String,
    module: Option<String>,
    record: String,
    team: String,
}

/// The share table, quoted.
struct ShareNames {
    table: String,
    module: Option<String>,
    record: String,
    kind: String,
    principal: String,
    access: String,
}

impl Names {
    fn new(s: &SqlSchema) -> Result<Names, SqlError> {
        let records = quote(&s.records, true)?;
        let column = |name: &str| quote(name, false);
        let module_column = |name: &Option<String>| name.as_deref().map(column).transpose();
        Ok(Names {
            module: s
                .module
                .as_deref()
                .map(|m| column(m).map(|m| format!("{records}.{m}")))
                .transpose()?,
            records,
            records_table: quote(s.records_table.as_deref().unwrap_or(&s.records), true)?,
            id: column(&s.id)?,
            owner_user: column(&s.owner_user)?,
            owner_team: module_column(&s.owner_team)?,
            teams: match &s.record_teams {
                RecordTeams::None => TeamNames::None,
                RecordTeams::Column(c) => TeamNames::Column(column(c)?),
                RecordTeams::Links(l) => TeamNames::Links(LinkNames {
                    table: quote(&l.table, true)?,
                    module: module_column(&l.module)?,
                    record: column(&l.record)?,
                    team: column(&l.team)?,
                }),
            },
            shares: match &s.record_shares {
                None => None,
                Some(t) => Some(ShareNames {
                    table: quote(&t.table, true)?,
                    module: module_column(&t.module)?,
                    record: column(&t.record)?,
                    kind: column(&t.kind)?,
                    principal: column(&t.principal)?,
                    access: column(&t.access)?,
                }),
            },
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

/// Ids as a column holds them.
enum Ids {
    Text(Vec<String>),
    Integer(Vec<i64>),
    Uuid(Vec<String>),
}

impl Ids {
    fn len(&self) -> usize {
        match self {
            Ids::Text(v) | Ids::Uuid(v) => v.len(),
            Ids::Integer(v) => v.len(),
        }
    }

    /// The ids of `items` (name, key) as a column of kind `keys` holds them; items without
    /// a key of that kind are left out, for no row can name them.
    fn of<'k>(keys: SqlKeys, items: impl Iterator<Item = (&'k str, Option<&'k HostKey>)>) -> Ids {
        match keys {
            SqlKeys::Names => Ids::Text(items.map(|(name, _)| name.to_string()).collect()),
            SqlKeys::Integer => Ids::Integer(items.filter_map(|(_, k)| k?.as_integer()).collect()),
            SqlKeys::Text => Ids::Text(
                items
                    .filter_map(|(_, k)| Some(k?.as_text()?.to_string()))
                    .collect(),
            ),
            SqlKeys::Uuid => Ids::Uuid(
                items
                    .filter_map(|(_, k)| Some(k?.as_text()?.to_string()))
                    .collect(),
            ),
        }
    }

    /// The id of one item as text in the share table's principal column, or `None` when
    /// it has no key of that kind.
    fn principal_text(keys: SqlKeys, name: &str, key: Option<&HostKey>) -> Option<String> {
        match (keys, key) {
            (SqlKeys::Names, _) => Some(name.to_string()),
            (SqlKeys::Integer, Some(HostKey::Integer(i))) => Some(i.to_string()),
            (SqlKeys::Text | SqlKeys::Uuid, Some(HostKey::Text(t))) => Some(t.clone()),
            _ => None,
        }
    }
}

struct Writer<'a> {
    dialect: SqlDialect,
    params: Vec<SqlValue>,
    auth: &'a Authorizer,
    q: &'a Names,
    schema: &'a SqlSchema,
    /// The filter's module, for link and share tables that serve several.
    module: crate::ids::ModuleId,
}

impl Writer<'_> {
    fn placeholder(&self) -> String {
        match self.dialect {
            SqlDialect::Sqlite => format!("?{}", self.params.len()),
            SqlDialect::Postgres => format!("${}", self.params.len()),
        }
    }

    fn push(&mut self, value: SqlValue) -> String {
        self.params.push(value);
        self.placeholder()
    }

    fn text(&mut self, value: String) -> String {
        self.push(SqlValue::Text(value))
    }

    /// The filter's module as a module column holds it.
    fn module_ids(&self) -> Ids {
        let auth = self.auth;
        let name = auth.module_name(self.module).unwrap_or_default();
        Ids::of(
            self.schema.module_keys,
            std::iter::once((name, auth.module_key(self.module).ok().flatten())),
        )
    }

    /// The module test of a shared table, or `FALSE` when the module has no key of the
    /// column's kind (none of the table's rows is its).
    fn module_test(
        &mut self,
        module: crate::ids::ModuleId,
        column: &str,
        narrowed: bool,
    ) -> String {
        let auth = self.auth;
        let name = auth.module_name(module).unwrap_or_default();
        let ids = Ids::of(
            self.schema.module_keys,
            std::iter::once((name, auth.module_key(module).ok().flatten())),
        );
        // Without statistics, SQLite would walk the whole module through an index on
        // `module` and test each row; the unary `+` (a no-op on the value) keeps that
        // index out when an id set narrows the rows, so the plan starts from the set.
        let column = if narrowed && self.dialect == SqlDialect::Sqlite {
            format!("+{column}")
        } else {
            column.to_string()
        };
        self.member(&column, ids)
    }

    /// `column = ?` for one id and `FALSE` for none; for a list, `column IN (?, …)` while
    /// it is short in SQLite (one parameter per id, at most [`SHORT_LIST`]), else one
    /// parameter holding the whole list: a JSON array unpacked by `json_each` (SQLite) or
    /// an array compared with `= ANY` (PostgreSQL). PostgreSQL parameters are cast to the
    /// ids' type, so the column may be any integer type, or `uuid`.
    fn member(&mut self, column: &str, ids: Ids) -> String {
        let pg = self.dialect == SqlDialect::Postgres;
        match ids.len() {
            0 => return "FALSE".to_string(),
            1 => {
                let (value, cast) = match ids {
                    Ids::Text(mut v) => (SqlValue::Text(v.pop().unwrap_or_default()), ""),
                    Ids::Uuid(mut v) => {
                        (SqlValue::Text(v.pop().unwrap_or_default()), "::text::uuid")
                    }
                    Ids::Integer(v) => (
                        SqlValue::Integer(v.first().copied().unwrap_or_default()),
                        "::bigint",
                    ),
                };
                let p = self.push(value);
                let cast = if pg { cast } else { "" };
                return format!("{column} = {p}{cast}");
            }
            _ => {}
        }
        if pg {
            let (value, cast) = match ids {
                Ids::Text(v) => (SqlValue::TextArray(v), ""),
                Ids::Uuid(v) => (SqlValue::TextArray(v), "::text[]::uuid[]"),
                Ids::Integer(v) => (SqlValue::IntegerArray(v), "::bigint[]"),
            };
            let p = self.push(value);
            return format!("{column} = ANY({p}{cast})");
        }
        if ids.len() <= SHORT_LIST {
            let values: Vec<SqlValue> = match ids {
                Ids::Text(v) | Ids::Uuid(v) => v.into_iter().map(SqlValue::Text).collect(),
                Ids::Integer(v) => v.into_iter().map(SqlValue::Integer).collect(),
            };
            let placeholders: Vec<String> = values.into_iter().map(|v| self.push(v)).collect();
            return format!("{column} IN ({})", placeholders.join(", "));
        }
        let json = match ids {
            Ids::Text(v) | Ids::Uuid(v) => serde_json::to_string(&v),
            Ids::Integer(v) => serde_json::to_string(&v),
        };
        let p = self.text(json.unwrap_or_else(|_| "[]".to_string()));
        format!("{column} IN (SELECT value FROM json_each({p}))")
    }

    /// A `SELECT` of the ids of the records that satisfy `c`: a `UNION ALL` of one
    /// index-friendly lookup per alternative (link table, share table, or the records
    /// table by owner), so the database builds the set from indexes.
    fn ids(&mut self, c: &Condition) -> String {
        let q = self.q;
        match (c, &q.teams, &q.shares) {
            (Condition::Any(parts), ..) if !parts.is_empty() => {
                let parts: Vec<String> = parts.iter().map(|p| self.ids(p)).collect();
                parts.join(" UNION ALL ")
            }
            (Condition::LinkedToTeam(teams), TeamNames::Links(links), _) => {
                self.linked_ids(links, teams)
            }
            (Condition::SharedWith { to, at_least }, _, Some(shares)) => {
                self.shared_ids(shares, to, *at_least)
            }
            // the records table itself: owners, a team column, or a form without a place
            _ => {
                let test = self.condition(c, "pmx_r");
                format!(
                    "SELECT pmx_r.{} FROM {} AS pmx_r WHERE {test}",
                    q.id, q.records_table
                )
            }
        }
    }

    fn team_ids(&self, teams: &[TeamId]) -> Ids {
        let auth = self.auth;
        Ids::of(
            self.schema.team_keys,
            teams.iter().map(|&t| {
                (
                    auth.team_name(t).unwrap_or_default(),
                    auth.team_key(t).ok().flatten(),
                )
            }),
        )
    }

    /// The ids of the records linked to one of `teams` in the link table.
    fn linked_ids(&mut self, links: &LinkNames, teams: &[TeamId]) -> String {
        let LinkNames {
            table,
            module,
            record,
            team,
        } = links;
        let ids = self.team_ids(teams);
        let mut test = self.member(&format!("pmx_rt.{team}"), ids);
        if let Some(column) = module {
            let module = self.module_ids();
            let _ = write!(
                test,
                " AND {}",
                self.member(&format!("pmx_rt.{column}"), module)
            );
        }
        format!("SELECT pmx_rt.{record} FROM {table} AS pmx_rt WHERE {test}")
    }

    /// The ids of the records shared with one of `to` at `at_least` or more.
    fn shared_ids(&mut self, q: &ShareNames, to: &[PrincipalId], at_least: ShareAccess) -> String {
        let auth = self.auth;
        let (user_keys, team_keys) = (self.schema.user_keys, self.schema.team_keys);
        // every stored level reaches `read`, so that case needs no level test
        let level_test = (at_least > ShareAccess::Read).then(|| {
            let levels: Vec<String> = [ShareAccess::ReadWrite, ShareAccess::Full]
                .into_iter()
                .filter(|l| *l >= at_least)
                .map(|l| l.as_str().to_string())
                .collect();
            self.member(&format!("pmx_rs.{}", q.access), Ids::Text(levels))
        });
        let mut by_kind: Vec<(&str, Vec<String>)> = Vec::new();
        for p in to {
            let (kind, id) = match *p {
                PrincipalId::User(u) => (
                    "user",
                    Ids::principal_text(
                        user_keys,
                        auth.user_name(u).unwrap_or_default(),
                        auth.user_key(u).ok().flatten(),
                    ),
                ),
                PrincipalId::Team(t) => (
                    "team",
                    Ids::principal_text(
                        team_keys,
                        auth.team_name(t).unwrap_or_default(),
                        auth.team_key(t).ok().flatten(),
                    ),
                ),
                PrincipalId::Role(r) => ("role", auth.role_name(r).ok().map(str::to_string)),
                PrincipalId::RoleAndSubordinates(r) => (
                    "role_and_subordinates",
                    auth.role_name(r).ok().map(str::to_string),
                ),
            };
            let Some(id) = id else { continue };
            match by_kind.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, ids)) => ids.push(id),
                None => by_kind.push((kind, vec![id])),
            }
        }
        let mut alternatives = Vec::new();
        for (kind, ids) in by_kind {
            let kind_param = self.text(kind.to_string());
            let ids = self.member(&format!("pmx_rs.{}", q.principal), Ids::Text(ids));
            alternatives.push(format!("(pmx_rs.{} = {kind_param} AND {ids})", q.kind));
        }
        if alternatives.is_empty() {
            alternatives.push("FALSE".to_string());
        }
        let mut sql = format!(
            "SELECT pmx_rs.{} FROM {} AS pmx_rs WHERE ",
            q.record, q.table
        );
        if let Some(level_test) = level_test {
            let _ = write!(sql, "{level_test} AND ");
        }
        if let Some(column) = &q.module {
            let module = self.module_ids();
            let _ = write!(
                sql,
                "{} AND ",
                self.member(&format!("pmx_rs.{column}"), module)
            );
        }
        let _ = write!(sql, "({})", alternatives.join(" OR "));
        sql
    }

    /// `c` as a test on the record row that `row` names.
    fn condition(&mut self, c: &Condition, row: &str) -> String {
        let q = self.q;
        let auth = self.auth;
        match c {
            Condition::True => "TRUE".to_string(),
            Condition::False => "FALSE".to_string(),
            Condition::OwnerUserIn(users) => {
                let ids = Ids::of(
                    self.schema.user_keys,
                    users.iter().map(|&u| {
                        (
                            auth.user_name(u).unwrap_or_default(),
                            auth.user_key(u).ok().flatten(),
                        )
                    }),
                );
                self.member(&format!("{row}.{}", q.owner_user), ids)
            }
            // a form the schema has no place for holds for no record
            Condition::OwnerTeamIn(teams) => match &q.owner_team {
                Some(column) => {
                    let ids = self.team_ids(teams);
                    self.member(&format!("{row}.{column}"), ids)
                }
                None => "FALSE".to_string(),
            },
            Condition::LinkedToTeam(teams) => match &q.teams {
                TeamNames::None => "FALSE".to_string(),
                TeamNames::Column(column) => {
                    let ids = self.team_ids(teams);
                    self.member(&format!("{row}.{column}"), ids)
                }
                // uncorrelated, so the database finds the linked records once
                TeamNames::Links(links) => {
                    format!("{row}.{} IN ({})", q.id, self.linked_ids(links, teams))
                }
            },
            Condition::SharedWith { to, at_least } => match &q.shares {
                Some(shares) => format!(
                    "{row}.{} IN ({})",
                    q.id,
                    self.shared_ids(shares, to, *at_least)
                ),
                None => "FALSE".to_string(),
            },
            Condition::All(parts) if parts.is_empty() => "TRUE".to_string(),
            Condition::Any(parts) if parts.is_empty() => "FALSE".to_string(),
            Condition::All(parts) => {
                let parts: Vec<String> = parts.iter().map(|p| self.condition(p, row)).collect();
                format!("({})", parts.join(" AND "))
            }
            Condition::Any(parts) => {
                let parts: Vec<String> = parts.iter().map(|p| self.condition(p, row)).collect();
                format!("({})", parts.join(" OR "))
            }
        }
    }
}

#[cfg(feature = "rusqlite")]
impl rusqlite::ToSql for SqlValue {
    /// Text and integers bind as they are. Arrays, which [`Filter::to_sql`] writes only for
    /// PostgreSQL, bind as a JSON array text, the form `json_each` reads.
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, Value, ValueRef};
        let json = |r: serde_json::Result<String>| {
            r.map(|s| ToSqlOutput::Owned(Value::Text(s)))
                .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
        };
        match self {
            SqlValue::Text(s) => Ok(ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes()))),
            SqlValue::Integer(i) => Ok(ToSqlOutput::Owned(Value::Integer(*i))),
            SqlValue::TextArray(v) => json(serde_json::to_string(v)),
            SqlValue::IntegerArray(v) => json(serde_json::to_string(v)),
        }
    }
}

#[cfg(feature = "postgres")]
impl postgres_types::ToSql for SqlValue {
    fn to_sql(
        &self,
        ty: &postgres_types::Type,
        out: &mut bytes::BytesMut,
    ) -> Result<postgres_types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            SqlValue::Text(s) => s.to_sql(ty, out),
            SqlValue::TextArray(v) => v.to_sql(ty, out),
            SqlValue::Integer(i) => i.to_sql(ty, out),
            SqlValue::IntegerArray(v) => v.to_sql(ty, out),
        }
    }

    /// Every type any variant accepts; `to_sql_checked` then asks
    /// the variant at hand.
    fn accepts(ty: &postgres_types::Type) -> bool {
        <String as postgres_types::ToSql>::accepts(ty)
            || <Vec<String> as postgres_types::ToSql>::accepts(ty)
            || <i64 as postgres_types::ToSql>::accepts(ty)
            || <Vec<i64> as postgres_types::ToSql>::accepts(ty)
    }

    fn to_sql_checked(
        &self,
        ty: &postgres_types::Type,
        out: &mut bytes::BytesMut,
    ) -> Result<postgres_types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            SqlValue::Text(s) => s.to_sql_checked(ty, out),
            SqlValue::TextArray(v) => v.to_sql_checked(ty, out),
            SqlValue::Integer(i) => i.to_sql_checked(ty, out),
            SqlValue::IntegerArray(v) => v.to_sql_checked(ty, out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Action, Policy};

    /// Only plain SQL names reach the SQL: a letter or `_` first, then letters, digits
    /// and `_`; one dot where a table may be schema-qualified.
    #[test]
    fn only_plain_names_are_quoted() {
        for good in ["records", "_x", "a_b2", "Deal"] {
            assert!(quote(good, false).is_ok(), "{good}");
        }
        assert!(quote("crm.records", true).is_ok());
        for bad in ["", "9x", "a-b", "a b", "x;drop", "a.b", "\"q\"", "é"] {
            assert!(quote(bad, false).is_err(), "{bad}");
        }
        assert!(quote("a.b.c", true).is_err());
        assert!(quote("a..b", true).is_err());
    }

    /// `for_table` names the link and share tables after the records' table.
    #[test]
    fn for_table_names_its_tables_after_the_records() {
        let s = SqlSchema::for_table("deals");
        assert_eq!(s.records, "deals");
        assert_eq!(
            s.record_teams,
            RecordTeams::Links(super::super::LinkTable::named("deals_teams"))
        );
        assert_eq!(
            s.record_shares.map(|t| t.table),
            Some("deals_shares".to_string())
        );
        assert_eq!(s.module, None);
    }

    /// A form the schema has no place for matches no record, whether it is a lookup of
    /// its own or a test inside another; a team column is tested on the record's row.
    #[test]
    fn forms_without_a_place_match_nothing() {
        let auth = Policy::from_json(
            r#"{"version":1,"modules":{"m":{}},
            "profiles":{"p":{"modules":{"m":{"access":"on","actions":{"list":"team","edit":"owner"}}}}},
            "roles":{"r":{"profiles":["p"]}},
            "users":{"a":{"roles":["r"]}},
            "teams":{"t":{"users":["a"]}},
            "sharing_rules":[]}"#,
        )
        .unwrap()
        .compile()
        .unwrap();
        let (a, m) = (auth.user("a").unwrap(), auth.module("m").unwrap());
        let bare = SqlSchema {
            owner_team: None,
            record_teams: RecordTeams::None,
            record_shares: None,
            ..SqlSchema::for_table("m")
        };
        let column = SqlSchema {
            record_teams: RecordTeams::Column("team_id".into()),
            ..bare.clone()
        };
        for action in [Action::List, Action::Edit] {
            let filter = auth.filter(a, action, m);
            for dialect in [SqlDialect::Sqlite, SqlDialect::Postgres] {
                let sql = filter.to_sql(dialect, &bare).unwrap().sql;
                for absent in ["owner_team", "_teams", "_shares", "team_id"] {
                    assert!(!sql.contains(absent), "{absent} in {sql}");
                }
                let sql = filter.to_sql(dialect, &column).unwrap().sql;
                assert!(!sql.contains("_teams") && !sql.contains("_shares"), "{sql}");
            }
        }
        let list = auth.filter(a, Action::List, m);
        let sql = list.to_sql(SqlDialect::Sqlite, &column).unwrap().sql;
        assert!(sql.contains(r#"pmx_r."team_id" = ?"#), "{sql}");
        // the owner is always in the fragment; a team owner never is
        let sql = list.to_sql(SqlDialect::Sqlite, &bare).unwrap().sql;
        assert!(sql.contains(r#"pmx_r."owner_user" = ?"#), "{sql}");
        assert!(sql.contains("FALSE"), "{sql}");
    }

    /// On SQLite the module test keeps the module's index out of a plan that an id set
    /// narrows (`+module`), and uses it where nothing narrows the rows.
    #[test]
    fn the_module_test_leaves_the_index_to_the_narrowest_set() {
        let auth = Policy::from_json(
            r#"{"version":1,"modules":{"m":{}},
            "profiles":{"p":{"modules":{"m":{"access":"on","actions":{"list":"owner"}}}}},
            "roles":{"r":{"profiles":["p"]}},
            "users":{"a":{"roles":["r"]},"root":{"admin":"admin"}}}"#,
        )
        .unwrap()
        .compile()
        .unwrap();
        let m = auth.module("m").unwrap();
        let shared = SqlSchema {
            module: Some("module".into()),
            ..SqlSchema::default()
        };
        let narrow = auth
            .filter(auth.user("a").unwrap(), Action::List, m)
            .to_sql(SqlDialect::Sqlite, &shared)
            .unwrap();
        assert!(
            narrow.sql.contains("+\"records\".\"module\""),
            "{}",
            narrow.sql
        );
        let everything = auth
            .filter(auth.user("root").unwrap(), Action::List, m)
            .to_sql(SqlDialect::Sqlite, &shared)
            .unwrap();
        assert!(
            !everything.sql.contains("+\"records\""),
            "{}",
            everything.sql
        );
        assert!(everything.sql.contains("module"), "{}", everything.sql);
    }
}
