//! Where the host keeps its records: the tables and columns a filter's SQL reads.

/// Where the host keeps records, their teams and their shares, and how its columns name
/// users, teams and modules.
///
/// A record has an owner (a user, or a team), may belong to teams, and may be shared
/// (SPEC §4). A schema says where each of these lives, and which of them the host's
/// records cannot have at all:
///
/// | the record's | [`SqlSchema`] field | forms |
/// |---|---|---|
/// | owning user | `owner_user` | a column |
/// | owning team | `owner_team` | a column, or `None`: records are owned by users only |
/// | teams | `record_teams` | [`RecordTeams::Links`] (a link table), [`RecordTeams::Column`] (one team column on the record), [`RecordTeams::None`] |
/// | shares | `record_shares` | a [`ShareTable`], or `None`: records are never shared |
///
/// A form without a place says that no record has it: the fragment then matches no record
/// through it (`FALSE`), which is what `can` answers for records built the same way
/// (a user owner, at most the one team of the column, no shares). Filters and `can`
/// agree only while the records the host passes to `can` are the ones its tables hold.
///
/// The defaults are one shared table `records(id, module, owner_user, owner_team)`,
/// `record_teams(record_id, team_id)` and
/// `record_shares(record_id, principal_kind, principal_id, access)`, with the policy's
/// names in every column. `principal_kind` is `user`, `team`, `role` or
/// `role_and_subordinates`; `access` is `read`, `read_write` or `full`. A team-owned
/// record has `owner_team` set and `owner_user` NULL, and the other way round.
///
/// # The smallest schema
/// A newcomer's `accounts(id, owner_id, team_id)`: the owner is always a user, a record
/// has at most one team, in a column of its own, and nothing is shared. No other table is
/// needed:
///
/// ```
/// use permatrix::{Action, Policy, SqlDialect};
/// use permatrix::filter::{RecordTeams, SqlSchema};
/// let auth = Policy::from_json(r#"{"version":1,"modules":{"accounts":{}},
///   "profiles":{"p":{"modules":{"accounts":{"access":"on","actions":{"list":"team"}}}}},
///   "roles":{"r":{"profiles":["p"]}}, "users":{"ann":{"roles":["r"]}},
///   "teams":{"north":{"users":["ann"]}}}"#)?.compile()?;
/// let schema = SqlSchema {
///     owner_user: "owner_id".into(),
///     owner_team: None,
///     record_teams: RecordTeams::Column("team_id".into()),
///     record_shares: None,
///     ..SqlSchema::for_table("accounts")
/// };
/// let f = auth.filter(auth.user("ann").unwrap(), Action::List, auth.module("accounts").unwrap());
/// let q = f.to_sql(SqlDialect::Sqlite, &schema).unwrap();
/// assert!(q.sql.contains(r#"pmx_r."team_id" = ?"#), "{}", q.sql);
/// assert!(!q.sql.contains("_teams") && !q.sql.contains("_shares"));
/// # Ok::<(), permatrix::PolicyError>(())
/// ```
///
/// # A table per module, and the host's keys
/// A host that keeps each module in its own table (`deals`, `accounts`) makes one schema
/// per table with [`SqlSchema::for_table`]: the table stands for the module, so no module
/// column is read. [`SqlSchema::user_keys`], [`SqlSchema::team_keys`] and
/// [`SqlSchema::module_keys`] say whether the columns hold the policy's names or the
/// host keys of the document ([`HostKey`](crate::HostKey)): integers, text or UUIDs.
/// Parameters are then typed to match ([`SqlValue::Integer`](super::SqlValue::Integer),
/// ...). A user or team without a key of that type owns no row in such a table, so
/// filters leave it out.
///
/// Tables per module usually number their records independently, so a team link or share
/// of account 7 must never count for deal 7. `for_table("deals")` therefore reads the
/// links and shares from `deals_teams` and `deals_shares`. A host whose link or share
/// table serves several modules names its module column instead ([`LinkTable::module`],
/// [`ShareTable::module`]), and the fragment then keeps to the filter's module there too.
/// The fragment cannot see which module a per-module table holds: use the schema of the
/// filter's own module.
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
/// host should create, for the places its schema has:
///
/// - `records (owner_user)` and `records (owner_team)`, or `records (team_id)` for a
///   team column;
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
/// use permatrix::filter::{LinkTable, RecordTeams, ShareTable, SqlKeys, SqlSchema};
/// let schema = SqlSchema { records: "crm.deals".into(), ..SqlSchema::default() };
/// assert_eq!(schema.owner_user, "owner_user");
/// // the host's query calls the table `r`
/// let aliased = SqlSchema { records: "r".into(), records_table: Some("crm.deals".into()), ..SqlSchema::default() };
/// # let _ = aliased;
/// // a table per module, with BIGINT keys for users and teams
/// let deals = SqlSchema {
///     owner_user: "owner_id".into(),
///     record_teams: RecordTeams::Links(LinkTable { record: "deal_id".into(), ..LinkTable::named("deals_teams") }),
///     user_keys: SqlKeys::Integer,
///     team_keys: SqlKeys::Integer,
///     ..SqlSchema::for_table("deals")
/// };
/// assert_eq!(deals.module, None);
/// // one share table for every module, with a module column
/// let shared = SqlSchema {
///     record_shares: Some(ShareTable { module: Some("module".into()), ..ShareTable::named("shares") }),
///     ..SqlSchema::for_table("deals")
/// };
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
    /// Its owning-team column, or `None` when records are owned by users only.
    pub owner_team: Option<String>,
    /// Where a record's teams are.
    pub record_teams: RecordTeams,
    /// Where a record's shares are, or `None` when records are never shared.
    pub record_shares: Option<ShareTable>,
    /// What `owner_user` and user principals hold.
    pub user_keys: SqlKeys,
    /// What `owner_team`, the team columns and team principals hold.
    pub team_keys: SqlKeys,
    /// What the module columns hold.
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
            record_teams: RecordTeams::Links(LinkTable::named(&format!("{table}_teams"))),
            record_shares: Some(ShareTable::named(&format!("{table}_shares"))),
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
            owner_team: Some(s("owner_team")),
            record_teams: RecordTeams::Links(LinkTable::default()),
            record_shares: Some(ShareTable::default()),
            user_keys: SqlKeys::Names,
            team_keys: SqlKeys::Names,
            module_keys: SqlKeys::Names,
        }
    }
}

/// Where a record's teams are ([`SqlSchema::record_teams`]).
///
/// ```
/// use permatrix::filter::{LinkTable, RecordTeams};
/// assert_eq!(RecordTeams::default(), RecordTeams::Links(LinkTable::default()));
/// let one_team = RecordTeams::Column("team_id".into());
/// # let _ = one_team;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordTeams {
    /// Records belong to no team (an owning team aside).
    None,
    /// Each record has at most one team, in this column of the records table (NULL for
    /// none).
    Column(String),
    /// A link table, a row per record and team.
    Links(LinkTable),
}

impl Default for RecordTeams {
    fn default() -> Self {
        RecordTeams::Links(LinkTable::default())
    }
}

/// A record–team link table ([`RecordTeams::Links`]).
///
/// ```
/// use permatrix::filter::LinkTable;
/// let links = LinkTable::named("deals_teams");
/// assert_eq!((links.record.as_str(), links.team.as_str()), ("record_id", "team_id"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkTable {
    /// The table.
    pub table: String,
    /// Its module column, when it links the records of several modules whose ids may
    /// repeat (a table per module): `None` when the table is the module's own, or the
    /// records table has one id space for every module.
    pub module: Option<String>,
    /// Its record column.
    pub record: String,
    /// Its team column.
    pub team: String,
}

impl LinkTable {
    /// A link table called `table`, with the default columns `record_id` and `team_id`.
    ///
    /// ```
    /// use permatrix::filter::LinkTable;
    /// assert_eq!(LinkTable::named("x").table, "x");
    /// ```
    pub fn named(table: &str) -> LinkTable {
        LinkTable {
            table: table.to_string(),
            ..LinkTable::default()
        }
    }
}

impl Default for LinkTable {
    /// `record_teams(record_id, team_id)`.
    fn default() -> Self {
        LinkTable {
            table: "record_teams".into(),
            module: None,
            record: "record_id".into(),
            team: "team_id".into(),
        }
    }
}

/// A record–share table ([`SqlSchema::record_shares`]).
///
/// ```
/// use permatrix::filter::ShareTable;
/// let shares = ShareTable::default();
/// assert_eq!((shares.table.as_str(), shares.access.as_str()), ("record_shares", "access"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareTable {
    /// The table.
    pub table: String,
    /// Its module column, as [`LinkTable::module`].
    pub module: Option<String>,
    /// Its record column.
    pub record: String,
    /// Its principal-kind column.
    pub kind: String,
    /// Its principal-id column (text).
    pub principal: String,
    /// Its access column.
    pub access: String,
}

impl ShareTable {
    /// A share table called `table`, with the default columns `record_id`,
    /// `principal_kind`, `principal_id` and `access`.
    ///
    /// ```
    /// use permatrix::filter::ShareTable;
    /// assert_eq!(ShareTable::named("deals_shares").principal, "principal_id");
    /// ```
    pub fn named(table: &str) -> ShareTable {
        ShareTable {
            table: table.to_string(),
            ..ShareTable::default()
        }
    }
}

impl Default for ShareTable {
    /// `record_shares(record_id, principal_kind, principal_id, access)`.
    fn default() -> Self {
        ShareTable {
            table: "record_shares".into(),
            module: None,
            record: "record_id".into(),
            kind: "principal_kind".into(),
            principal: "principal_id".into(),
            access: "access".into(),
        }
    }
}

/// What a column that names users, teams or modules holds.
///
/// ```
/// use permatrix::filter::SqlKeys;
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
