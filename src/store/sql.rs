//! The store's SQL, written once for PostgreSQL and SQLite alike, with the host's table
//! prefix. Only the prefix is ever spliced into a statement, and it is checked to be a plain
//! SQL name first; every value is a bound parameter.

use std::sync::Arc;

use super::error::StoreError;

/// The schema versions this crate knows, each a list of statements, applied in order in
/// one transaction by [`super::PolicyStore`]'s opening.
pub(crate) const MIGRATIONS: &[&[&str]] = &[
    &[
        "CREATE TABLE {p}head (
        id INTEGER PRIMARY KEY,
        revision BIGINT NOT NULL,
        document_version BIGINT NOT NULL,
        commit_id BIGINT NOT NULL
    )",
        "INSERT INTO {p}head (id, revision, document_version, commit_id) VALUES (1, 0, 1, 0)",
        "CREATE TABLE {p}entities (
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        body TEXT,
        seq BIGINT NOT NULL,
        revision BIGINT NOT NULL,
        PRIMARY KEY (kind, name)
    )",
        "CREATE INDEX {p}entities_revision ON {p}entities (revision)",
        "CREATE TABLE {p}audit (
        revision BIGINT PRIMARY KEY,
        at_ms BIGINT NOT NULL,
        actor TEXT,
        operation TEXT NOT NULL,
        target TEXT NOT NULL,
        event TEXT NOT NULL,
        commit_id BIGINT NOT NULL
    )",
        "CREATE INDEX {p}audit_at ON {p}audit (at_ms)",
        "CREATE INDEX {p}audit_actor ON {p}audit (actor, at_ms)",
        "CREATE INDEX {p}audit_target ON {p}audit (target, at_ms)",
    ],
    &[
        // every revision's commit id, apart from the audit trail, which hosts may prune: a
        // watcher tells its store's history from a restored one by these
        "CREATE TABLE {p}commits (
        revision BIGINT PRIMARY KEY,
        commit_id BIGINT NOT NULL
    )",
        "INSERT INTO {p}commits (revision, commit_id) SELECT revision, commit_id FROM {p}audit",
    ],
];

/// The database behind a store, where its SQL must differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(
    not(all(feature = "store-postgres", feature = "store-sqlite")),
    allow(dead_code)
)]
pub(crate) enum Dialect {
    Postgres,
    Sqlite,
}

/// Rows per multi-row insert: 5 parameters each stays far below both databases' limits.
pub(crate) const ROWS_PER_INSERT: usize = 400;

/// Every statement the store runs, with the prefix in place.
#[derive(Debug)]
pub(crate) struct Sql {
    pub prefix: String,
    pub dialect: Dialect,
    /// PostgreSQL's NOTIFY channel.
    pub channel: String,
    pub create_migrations: Arc<str>,
    pub migration_version: Arc<str>,
    pub record_migration: Arc<str>,
    /// Starts a transaction that writes: SQLite takes its write lock at once, so two
    /// writers queue instead of failing on an upgraded lock.
    pub begin_write: &'static str,
    /// The head row, locked until the transaction ends.
    pub lock_head: Arc<str>,
    pub head: Arc<str>,
    /// The head, the commit id recorded for a revision (in the commits table, never in the
    /// audit trail, which may be pruned), and every row written after that revision, in one
    /// statement, so all come from the same snapshot.
    pub changes_since: Arc<str>,
    pub set_head: Arc<str>,
    /// Every entity row as stored, tombstones included, unparsed (an import's read).
    pub all_rows: Arc<str>,
    pub insert_audit: Arc<str>,
    pub insert_commit: Arc<str>,
    /// Deletes the audit records written before a time.
    pub prune_audit: Arc<str>,
    pub query_audit: Arc<str>,
}

impl Sql {
    pub(crate) fn new(prefix: &str, dialect: Dialect) -> Result<Sql, StoreError> {
        let plain = !prefix.is_empty()
            && prefix.len() <= 40
            && prefix
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            && !prefix.starts_with(|c: char| c.is_ascii_digit());
        if !plain {
            return Err(StoreError::invalid_request(format!(
                "the table prefix `{prefix}` is not 1 to 40 of a-z, 0-9 and _, starting with a letter or _"
            )));
        }
        let s = |text: &str| -> Arc<str> { Arc::from(text.replace("{p}", prefix)) };
        Ok(Sql {
            prefix: prefix.to_string(),
            dialect,
            channel: format!("{prefix}policy"),
            create_migrations: s(
                "CREATE TABLE IF NOT EXISTS {p}migrations (version BIGINT PRIMARY KEY, applied_at_ms BIGINT NOT NULL)",
            ),
            migration_version: s("SELECT COALESCE(MAX(version), 0) FROM {p}migrations"),
            record_migration: s(
                "INSERT INTO {p}migrations (version, applied_at_ms) VALUES ($1, $2)",
            ),
            begin_write: match dialect {
                Dialect::Postgres => "BEGIN",
                Dialect::Sqlite => "BEGIN IMMEDIATE",
            },
            lock_head: match dialect {
                Dialect::Postgres => s("SELECT revision FROM {p}head WHERE id = 1 FOR UPDATE"),
                Dialect::Sqlite => s("SELECT revision FROM {p}head WHERE id = 1"),
            },
            head: s("SELECT revision, document_version FROM {p}head WHERE id = 1"),
            changes_since: s(
                "SELECT 'head' AS kind, '' AS name, NULL AS body, document_version AS seq, revision, commit_id FROM {p}head WHERE id = 1 \
                 UNION ALL \
                 SELECT 'base', '', NULL, 0, revision, commit_id FROM {p}commits WHERE revision = $1 \
                 UNION ALL \
                 SELECT kind, name, body, seq, revision, 0 FROM {p}entities WHERE revision > $1",
            ),
            set_head: s("UPDATE {p}head SET revision = $1, commit_id = $2 WHERE id = 1"),
            all_rows: s("SELECT kind, name, body, seq, revision FROM {p}entities"),
            insert_audit: s(
                "INSERT INTO {p}audit (revision, at_ms, actor, operation, target, event, commit_id) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            ),
            // a database restored without this table may hold the lost history's ids for
            // the revisions made again: the new commit's id replaces them
            insert_commit: s(
                "INSERT INTO {p}commits (revision, commit_id) VALUES ($1, $2) \
                 ON CONFLICT (revision) DO UPDATE SET commit_id = excluded.commit_id",
            ),
            prune_audit: s("DELETE FROM {p}audit WHERE at_ms < $1"),
            query_audit: s(
                "SELECT revision, at_ms, actor, operation, target, event FROM {p}audit \
                 WHERE revision > $1 AND at_ms >= $2 AND at_ms <= $3 \
                 AND ($4 = 0 OR actor = $5) AND ($6 = 0 OR target = $7) \
                 ORDER BY revision LIMIT $8",
            ),
        })
    }

    /// One migration's statements, with the prefix in place.
    pub(crate) fn migration(&self, statements: &[&str]) -> Vec<String> {
        statements
            .iter()
            .map(|s| s.replace("{p}", &self.prefix))
            .collect()
    }

    /// An upsert of `n` rows.
    pub(crate) fn upsert(&self, n: usize) -> String {
        let p = &self.prefix;
        let mut sql = format!("INSERT INTO {p}entities (kind, name, body, seq, revision) VALUES ");
        for i in 0..n {
            let b = i * 5;
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5
            ));
        }
        // an entity created anew (seq set) takes its new place; an update keeps its own
        sql.push_str(&format!(
            " ON CONFLICT (kind, name) DO UPDATE SET body = excluded.body, revision = excluded.revision, \
             seq = CASE WHEN excluded.seq <> 0 THEN excluded.seq ELSE {p}entities.seq END"
        ));
        sql
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_prefixes_reach_the_sql() {
        for bad in ["", "a b", "x;drop", "Caps_", "9x", "ä_", &"a".repeat(41)] {
            assert!(Sql::new(bad, Dialect::Sqlite).is_err(), "{bad}");
        }
        let sql = Sql::new("crm_acl_", Dialect::Postgres).unwrap();
        assert!(sql.head.contains("crm_acl_head"));
        assert_eq!(sql.channel, "crm_acl_policy");
        assert!(sql.upsert(2).contains("($6, $7, $8, $9, $10) ON CONFLICT"));
    }
}
