//! Translation of a filter into a parameterised SQL `WHERE` fragment for SQLite or
//! PostgreSQL. Values never enter the SQL text: every id, module name, share level and
//! principal kind is a parameter. Table and column names come from [`SqlSchema`], are
//! checked to be plain identifiers, and are quoted.

use std::fmt::Write as _;

use super::{Condition, Filter};
use crate::authorizer::{Authorizer, PrincipalId, TeamId};
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

/// Where the host keeps records, their team links and their shares, and how its columns
/// name users, teams and modules.
///
/// The defaults are one shared table `records(id, module, owner_user, owner_team)`,
/// `record_teams(record_id, team_id)` and
/// `record_shares(record_id, principal_kind, principal_id, access)`, with the policy's
/// names in every column. `principal_kind` is `user`, `team`, `role` or
/// `role_and_subordinates`; `access` is `read`, `read_write` or `full`. A team-owned
/// record has `owner_team` set and `owner_user` NULL, and the other way round.
///
/// # A table per module, and the host's keys
/// A host that keeps each module in its own table (`deals`, `accounts`) makes one schema
/// per table with [`SqlSchema::for_table`]: the table stands for the module, so no module
/// column is read. [`SqlSchema::user_keys`], [`SqlSchema::team_keys`] and
/// [`SqlSchema::module_keys`] say whether the columns hold the policy's names or the
/// host keys of the document ([`HostKey`](crate::HostKey)): integers, text or UUIDs.
/// Parameters are then typed to match ([`SqlValue::Integer`], ...). A user or team
/// without a key of that type owns no row in such a table, so filters leave it out.
///
/// Tables per module usually number their records independently, so a team link or share
/// of account 7 must never count for deal 7. `for_table("deals")` therefore reads the
/// links and shares from `deals_teams` and `deals_shares`. A host whose link or share
/// table serves several modules names its module column instead
/// ([`SqlSchema::record_teams_module`], [`SqlSchema::record_shares_module`]), and the
/// fragment then keeps to the filter's module there too. The fragment cannot see which
/// module a per-module table holds: use the schema of the filter's own module.
///
/// The share table's `principal_id` holds users, teams and roles alike, so it is text:
/// users and teams by their key's text (decimal for integers) when keys are in use, roles
/// by name.
///
/// # Lists of ids
/// One id is one parameter. In PostgreSQL a list is one array parameter (`= ANY($n)`). In
/// SQLite a list of up to 16 ids is one parameter per id (`IN (?2, ?3, …)`), and a longer
/// one is a single JSON array unpacked by `json_each`, so the parameter count stays small
/// whatever the number of ids.
///
/// # Indexes
/// The fragment reads as "the record's id is in the set of ids that the user's owners,
/// teams and shares reach", so a database can build that set from indexes and fetch only
/// those rows by primary key, rather than test every record of the module. For that a
/// host should create:
///
/// - `records (owner_user)` and `records (owner_team)`;
/// - `record_teams (team_id, record_id)`;
/// - `record_shares (principal_id, principal_kind, record_id)`.
///
/// SQLite also wants `ANALYZE` run once the tables hold data; the fragment already keeps
/// SQLite from scanning the module's records through an index on `module`, by writing the
/// module test as `+module = ?`. SQLite then compares without the column's type
/// conversion, so a module column must hold its values in the type of `module_keys`
/// (text for names and text keys, integers for integer keys): a mismatch lists nothing.
///
/// ```
/// use permatrix::{SqlKeys, SqlSchema};
/// let schema = SqlSchema { records: "crm.deals".into(), ..SqlSchema::default() };
/// assert_eq!(schema.owner_user, "owner_user");
/// // the host's query calls the table `r`
/// let aliased = SqlSchema { records: "r".into(), records_table: Some("crm.deals".into()), ..SqlSchema::default() };
/// # let _ = aliased;
/// // a table per module, with BIGINT keys for users and teams
/// let deals = SqlSchema {
///     owner_user: "owner_id".into(),
///     record_teams_record: "deal_id".into(),
///     user_keys: SqlKeys::Integer,
///     team_keys: SqlKeys::Integer,
///     ..SqlSchema::for_table("deals")
/// };
/// assert_eq!((deals.module, deals.record_teams.as_str()), (None, "deals_teams"));
/// // one share table for every module, with a module column
/// let shared = SqlSchema { record_shares: "shares".into(), record_shares_module: Some("module".into()), ..SqlSchema::for_table("deals") };
/// # let _ = shared;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlSchema {
    /// The records table as the host's query names it: the table, or its alias there.
    pub records: String,
    /// The records table itself, when `records` is an alias (`None`: `records` is the
    /// table). The fragment's subqueries read the table by this name.
    pub records_table: Option<String>,
    /// Its primary key.
    pub id: String,
    /// Its module column, or `None` when the table holds one module's records.
    pub module: Option<String>,
    /// Its owning-user column.
    pub owner_user: String,
    /// Its owning-team column.
    pub owner_team: String,
    /// The record–team link table.
    pub record_teams: String,
    /// Its module column, when it links the records of several modules whose ids may
    /// repeat (a table per module): `None` when the table is the module's own, or the
    /// records table has one id space for every module.
    pub record_teams_module: Option<String>,
    /// Its record column.
    pub record_teams_record: String,
    /// Its team column.
    pub record_teams_team: String,
    /// The record–share table.
    pub record_shares: String,
    /// Its module column, as [`SqlSchema::record_teams_module`].
    pub record_shares_module: Option<String>,
    /// Its record column.
    pub record_shares_record: String,
    /// Its principal-kind column.
    pub record_shares_kind: String,
    /// Its principal-id column (text).
    pub record_shares_principal: String,
    /// Its access column.
    pub record_shares_access: String,
    /// What `owner_user` and user principals hold.
    pub user_keys: SqlKeys,
    /// What `owner_team`, the link table's team column and team principals hold.
    pub team_keys: SqlKeys,
    /// What the module column holds.
    pub module_keys: SqlKeys,
}

impl SqlSchema {
    /// The default schema for a table that holds one module's records: `records` is
    /// `table`, there is no module column, and links and shares live in the module's own
    /// `{table}_teams` and `{table}_shares`.
    ///
    /// ```
    /// use permatrix::{Action, Policy, SqlDialect, SqlSchema};
    /// let auth = Policy::from_json(r#"{"version":1,"modules":{"deals":{}},"users":{"a":{"admin":"admin"}}}"#)?.compile()?;
    /// let f = auth.filter(auth.user("a").unwrap(), Action::List, auth.module("deals").unwrap());
    /// let sql = f.to_sql(SqlDialect::Postgres, &SqlSchema::for_table("deals")).unwrap();
    /// assert_eq!(sql.sql, "TRUE");
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn for_table(table: &str) -> SqlSchema {
        SqlSchema {
            records: table.to_string(),
            module: None,
            record_teams: format!("{table}_teams"),
            record_shares: format!("{table}_shares"),
            ..SqlSchema::default()
        }
    }
}

impl Default for SqlSchema {
    fn default() -> Self {
        let s = |x: &str| x.to_string();
        SqlSchema {
            records: s("records"),
            records_table: None,
            id: s("id"),
            module: Some(s("module")),
            owner_user: s("owner_user"),
            owner_team: s("owner_team"),
            record_teams: s("record_teams"),
            record_teams_module: None,
            record_teams_record: s("record_id"),
            record_teams_team: s("team_id"),
            record_shares: s("record_shares"),
            record_shares_module: None,
            record_shares_record: s("record_id"),
            record_shares_kind: s("principal_kind"),
            record_shares_principal: s("principal_id"),
            record_shares_access: s("access"),
            user_keys: SqlKeys::Names,
            team_keys: SqlKeys::Names,
            module_keys: SqlKeys::Names,
        }
    }
}

/// What a column that names users, teams or modules holds.
///
/// ```
/// use permatrix::SqlKeys;
/// assert_eq!(SqlKeys::default(), SqlKeys::Names);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum SqlKeys {
    /// The policy's ids (usernames, team ids, module ids), as text.
    #[default]
    Names,
    /// Integer host keys (`BIGINT`, `INTEGER`). Items whose key is not an integer are left
    /// out.
    Integer,
    /// Text host keys. Items whose key is not text are left out.
    Text,
    /// UUID host keys, written as text in the document. PostgreSQL casts them to `uuid`
    /// (a malformed one is the database's error); SQLite compares them as text. Items
    /// whose key is not text are left out.
    Uuid,
}

/// A parameter value of the fragment, in order.
///
/// With the `rusqlite` feature it is a `rusqlite::ToSql`, and with the `postgres` feature
/// a `postgres_types::ToSql`, so the parameters bind as they are.
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
    pub fn code(&self) -> crate::ErrorCode {
        crate::ErrorCode::InvalidIdentifier
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
    /// use permatrix::{Action, Policy, SqlDialect, SqlSchema, SqlValue};
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
    /// use permatrix::{Action, Policy, SqlDialect, SqlKeys, SqlSchema, SqlValue};
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
    owner_team: String,
    record_teams: String,
    rt_module: Option<String>,
    rt_record: String,
    rt_team: String,
    record_shares: String,
    rs_module: Option<String>,
    rs_record: String,
    rs_kind: String,
    rs_principal: String,
    rs_access: String,
}

impl Names {
    fn new(s: &SqlSchema) -> Result<Names, SqlError> {
        let records = quote(&s.records, true)?;
        Ok(Names {
            module: s
                .module
                .as_deref()
                .map(|m| quote(m, false).map(|m| format!("{records}.{m}")))
                .transpose()?,
            records,
            records_table: quote(s.records_table.as_deref().unwrap_or(&s.records), true)?,
            id: quote(&s.id, false)?,
            owner_user: quote(&s.owner_user, false)?,
            owner_team: quote(&s.owner_team, false)?,
            record_teams: quote(&s.record_teams, true)?,
            rt_module: s
                .record_teams_module
                .as_deref()
                .map(|m| quote(m, false))
                .transpose()?,
            rt_record: quote(&s.record_teams_record, false)?,
            rt_team: quote(&s.record_teams_team, false)?,
            record_shares: quote(&s.record_shares, true)?,
            rs_module: s
                .record_shares_module
                .as_deref()
                .map(|m| quote(m, false))
                .transpose()?,
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
    module: crate::ModuleId,
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
            std::iter::once((name, auth.module_key(self.module))),
        )
    }

    /// The module test of a shared table, or `FALSE` when the module has no key of the
    /// column's kind (none of the table's rows is its).
    fn module_test(&mut self, module: crate::ModuleId, column: &str, narrowed: bool) -> String {
        let auth = self.auth;
        let name = auth.module_name(module).unwrap_or_default();
        let ids = Ids::of(
            self.schema.module_keys,
            std::iter::once((name, auth.module_key(module))),
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
        match c {
            Condition::Any(parts) if !parts.is_empty() => {
                let parts: Vec<String> = parts.iter().map(|p| self.ids(p)).collect();
                parts.join(" UNION ALL ")
            }
            Condition::LinkedToTeam(teams) => self.linked_ids(teams),
            Condition::SharedWith { to, at_least } => self.shared_ids(to, *at_least),
            other => {
                let test = self.condition(other, "pmx_r");
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
            teams
                .iter()
                .map(|&t| (auth.team_name(t).unwrap_or_default(), auth.team_key(t))),
        )
    }

    /// The ids of the records linked to one of `teams`.
    fn linked_ids(&mut self, teams: &[TeamId]) -> String {
        let q = self.q;
        let ids = self.team_ids(teams);
        let mut test = self.member(&format!("pmx_rt.{}", q.rt_team), ids);
        if let Some(column) = &q.rt_module {
            let module = self.module_ids();
            let _ = write!(
                test,
                " AND {}",
                self.member(&format!("pmx_rt.{column}"), module)
            );
        }
        format!(
            "SELECT pmx_rt.{} FROM {} AS pmx_rt WHERE {test}",
            q.rt_record, q.record_teams
        )
    }

    /// The ids of the records shared with one of `to` at `at_least` or more.
    fn shared_ids(&mut self, to: &[PrincipalId], at_least: ShareAccess) -> String {
        let q = self.q;
        let auth = self.auth;
        let (user_keys, team_keys) = (self.schema.user_keys, self.schema.team_keys);
        // every stored level reaches `read`, so that case needs no level test
        let level_test = (at_least > ShareAccess::Read).then(|| {
            let levels: Vec<String> = [ShareAccess::ReadWrite, ShareAccess::Full]
                .into_iter()
                .filter(|l| *l >= at_least)
                .map(|l| l.as_str().to_string())
                .collect();
            self.member(&format!("pmx_rs.{}", q.rs_access), Ids::Text(levels))
        });
        let mut by_kind: Vec<(&str, Vec<String>)> = Vec::new();
        for p in to {
            let (kind, id) = match *p {
                PrincipalId::User(u) => (
                    "user",
                    Ids::principal_text(
                        user_keys,
                        auth.user_name(u).unwrap_or_default(),
                        auth.user_key(u),
                    ),
                ),
                PrincipalId::Team(t) => (
                    "team",
                    Ids::principal_text(
                        team_keys,
                        auth.team_name(t).unwrap_or_default(),
                        auth.team_key(t),
                    ),
                ),
                PrincipalId::Role(r) => ("role", auth.role_name(r).map(str::to_string)),
                PrincipalId::RoleAndSubordinates(r) => (
                    "role_and_subordinates",
                    auth.role_name(r).map(str::to_string),
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
            let ids = self.member(&format!("pmx_rs.{}", q.rs_principal), Ids::Text(ids));
            alternatives.push(format!("(pmx_rs.{} = {kind_param} AND {ids})", q.rs_kind));
        }
        if alternatives.is_empty() {
            alternatives.push("FALSE".to_string());
        }
        let mut sql = format!(
            "SELECT pmx_rs.{} FROM {} AS pmx_rs WHERE ",
            q.rs_record, q.record_shares
        );
        if let Some(level_test) = level_test {
            let _ = write!(sql, "{level_test} AND ");
        }
        if let Some(column) = &q.rs_module {
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
                    users
                        .iter()
                        .map(|&u| (auth.user_name(u).unwrap_or_default(), auth.user_key(u))),
                );
                self.member(&format!("{row}.{}", q.owner_user), ids)
            }
            Condition::OwnerTeamIn(teams) => {
                let ids = self.team_ids(teams);
                self.member(&format!("{row}.{}", q.owner_team), ids)
            }
            // uncorrelated, so the database finds the linked or shared records once
            Condition::LinkedToTeam(teams) => {
                format!("{row}.{} IN ({})", q.id, self.linked_ids(teams))
            }
            Condition::SharedWith { to, at_least } => {
                format!("{row}.{} IN ({})", q.id, self.shared_ids(to, *at_least))
            }
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
    use crate::{Action, Policy};

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
        assert_eq!(
            (
                s.records.as_str(),
                s.record_teams.as_str(),
                s.record_shares.as_str()
            ),
            ("deals", "deals_teams", "deals_shares")
        );
        assert_eq!(s.module, None);
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
