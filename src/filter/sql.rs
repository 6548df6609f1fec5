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
/// SQLite from scanning the module's records through an index on `module`.
///
/// ```
/// use permatrix::SqlSchema;
/// let schema = SqlSchema { records: "crm.deals".into(), ..SqlSchema::default() };
/// assert_eq!(schema.owner_user, "owner_user");
/// // the host's query calls the table `r`
/// let aliased = SqlSchema { records: "r".into(), records_table: Some("crm.deals".into()), ..SqlSchema::default() };
/// # let _ = aliased;
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
            records_table: None,
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
        let module = format!("{}.{}", q.records, q.module);
        let sql = match &self.condition {
            Condition::True => format!("({module} = {module_param} AND TRUE)"),
            Condition::False => format!("({module} = {module_param} AND FALSE)"),
            c => {
                let ids = w.ids(c);
                // Without statistics, SQLite would walk the whole module through an index
                // on `module` and test each row; the unary `+` (a no-op on the value) keeps
                // that index out, so the plan starts from the id set instead.
                let plus = if dialect == SqlDialect::Sqlite {
                    "+"
                } else {
                    ""
                };
                format!(
                    "({plus}{module} = {module_param} AND {}.{} IN ({ids}))",
                    q.records, q.id
                )
            }
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
            records_table: quote(s.records_table.as_deref().unwrap_or(&s.records), true)?,
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

    fn team_names(&self, teams: &[crate::TeamId]) -> Vec<String> {
        teams
            .iter()
            .map(|&t| self.auth.team_name(t).unwrap_or_default().to_string())
            .collect()
    }

    /// The ids of the records linked to one of `teams`.
    fn linked_ids(&mut self, teams: &[crate::TeamId]) -> String {
        let q = self.q;
        let names = self.team_names(teams);
        let test = self.member(&format!("pmx_rt.{}", q.rt_team), names);
        format!(
            "SELECT pmx_rt.{} FROM {} AS pmx_rt WHERE {test}",
            q.rt_record, q.record_teams
        )
    }

    /// The ids of the records shared with one of `to` at `at_least` or more.
    fn shared_ids(&mut self, to: &[PrincipalId], at_least: ShareAccess) -> String {
        let q = self.q;
        let auth = self.auth;
        // every stored level reaches `read`, so that case needs no level test
        let level_test = (at_least > ShareAccess::Read).then(|| {
            let levels: Vec<String> = [ShareAccess::ReadWrite, ShareAccess::Full]
                .into_iter()
                .filter(|l| *l >= at_least)
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
                PrincipalId::RoleAndSubordinates(r) => ("role_and_subordinates", auth.role_name(r)),
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
                let names = users
                    .iter()
                    .map(|&u| auth.user_name(u).unwrap_or_default().to_string())
                    .collect();
                self.member(&format!("{row}.{}", q.owner_user), names)
            }
            Condition::OwnerTeamIn(teams) => {
                let names = self.team_names(teams);
                self.member(&format!("{row}.{}", q.owner_team), names)
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
