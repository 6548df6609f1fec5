//! A record from the host's row: the owner's key, the teams' keys and the share rows, as
//! the columns of the host's [`SqlSchema`] hold them, turned into the ids a check reads.
//! The glue every host would otherwise write (and get subtly different from the filter).

use super::{SqlKeys, SqlSchema};
use crate::checks::Authorizer;
use crate::checks::record::{OwnedRecord, Owner, Share};
use crate::error::{CheckError, IdKind};
use crate::ids::{ModuleId, PrincipalId, TeamId, UserId};
use crate::policy::{HostKey, ShareAccess};

/// A record as the host's tables hold it ([`SqlSchema`]): the owner's column, the teams
/// (the link table's rows, or the record's one team column) and the share table's rows.
/// Values are what the columns hold: the policy's names (as [`HostKey::Text`]) or the host
/// keys, as the schema's [`SqlSchema::user_keys`] and [`SqlSchema::team_keys`] say.
///
/// ```
/// use permatrix::HostKey;
/// use permatrix::filter::{StoredRecord, StoredShare};
/// let row = StoredRecord {
///     owner_user: Some(HostKey::from(1002)),
///     teams: vec![HostKey::from(11)],
///     shares: vec![StoredShare { kind: "user".into(), principal: "1001".into(), access: "read".into() }],
///     ..StoredRecord::default()
/// };
/// assert_eq!(row.owner_team, None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredRecord {
    /// The owning-user column; `None` (NULL) for a team-owned record.
    pub owner_user: Option<HostKey>,
    /// The owning-team column; `None` (NULL) for a user-owned record.
    pub owner_team: Option<HostKey>,
    /// The record's teams.
    pub teams: Vec<HostKey>,
    /// The record's share rows.
    pub shares: Vec<StoredShare>,
}

/// One row of the host's share table, as [`ShareTable`](super::ShareTable) describes it.
///
/// ```
/// use permatrix::filter::StoredShare;
/// let s = StoredShare { kind: "role_and_subordinates".into(), principal: "sales".into(), access: "read_write".into() };
/// # let _ = s;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredShare {
    /// `user`, `team`, `role` or `role_and_subordinates`.
    pub kind: String,
    /// The principal: a user or team by the text of its key (decimal for integers), or
    /// its name when the schema uses names; a role by name.
    pub principal: String,
    /// `read`, `read_write` or `full`.
    pub access: String,
}

impl Authorizer {
    /// The user a column of kind `keys` names with `value`.
    fn user_by_column(&self, keys: SqlKeys, value: &HostKey) -> Option<UserId> {
        by_column(keys, value, |n| self.user(n), |k| self.user_by_key(k))
    }

    /// The team a column of kind `keys` names with `value`.
    fn team_by_column(&self, keys: SqlKeys, value: &HostKey) -> Option<TeamId> {
        by_column(keys, value, |n| self.team(n), |k| self.team_by_key(k))
    }
}

pub(crate) fn record_from_row(
    auth: &Authorizer,
    module: ModuleId,
    schema: &SqlSchema,
    row: &StoredRecord,
) -> Result<OwnedRecord, CheckError> {
    if auth.module_name(module).is_err() {
        return Err(CheckError::stale(IdKind::Module, module.index));
    }
    let owner = match (&row.owner_user, &row.owner_team) {
        (Some(user), None) => auth
            .user_by_column(schema.user_keys, user)
            .map(Owner::User)
            .ok_or_else(|| CheckError::unknown_in_row(IdKind::User, "owner", &user.to_string()))?,
        (None, Some(team)) => auth
            .team_by_column(schema.team_keys, team)
            .map(Owner::Team)
            .ok_or_else(|| CheckError::unknown_in_row(IdKind::Team, "owner", &team.to_string()))?,
        // a record has one owner (SPEC §4): a user, or a team
        (Some(u), Some(_)) => {
            return Err(CheckError::unknown_in_row(
                IdKind::User,
                "owner (with an owning team too)",
                &u.to_string(),
            ));
        }
        (None, None) => return Err(CheckError::unknown_in_row(IdKind::User, "owner", "NULL")),
    };
    let teams: Vec<TeamId> = row
        .teams
        .iter()
        .filter_map(|t| auth.team_by_column(schema.team_keys, t))
        .collect();
    let mut shares = Vec::with_capacity(row.shares.len());
    for share in &row.shares {
        let access = ShareAccess::parse(&share.access).ok_or_else(|| {
            CheckError::unknown_in_row(
                IdKind::Share,
                "share access (read, read_write, full)",
                &share.access,
            )
        })?;
        let to = match share.kind.as_str() {
            "user" => auth
                .user_by_column(
                    schema.user_keys,
                    &principal_key(schema.user_keys, &share.principal),
                )
                .map(PrincipalId::User),
            "team" => auth
                .team_by_column(
                    schema.team_keys,
                    &principal_key(schema.team_keys, &share.principal),
                )
                .map(PrincipalId::Team),
            "role" => auth.role(&share.principal).map(PrincipalId::Role),
            "role_and_subordinates" => auth
                .role(&share.principal)
                .map(PrincipalId::RoleAndSubordinates),
            other => {
                return Err(CheckError::unknown_in_row(
                    IdKind::Share,
                    "share kind (user, team, role, role_and_subordinates)",
                    other,
                ));
            }
        };
        if let Some(to) = to {
            shares.push(Share { to, access });
        }
    }
    Ok(OwnedRecord::new(module, owner)
        .with_teams(teams)
        .with_shares(shares))
}

/// What a column of kind `keys` names with `value`: by name, or by a host key of the
/// column's type (a key of another type names no one, as in the filter's SQL).
fn by_column<T>(
    keys: SqlKeys,
    value: &HostKey,
    by_name: impl FnOnce(&str) -> Option<T>,
    by_key: impl FnOnce(&HostKey) -> Option<T>,
) -> Option<T> {
    match (keys, value) {
        (SqlKeys::Names, HostKey::Text(name)) => by_name(name),
        (SqlKeys::Integer, HostKey::Integer(_))
        | (SqlKeys::Text | SqlKeys::Uuid, HostKey::Text(_)) => by_key(value),
        _ => None,
    }
}

/// A share principal's text as the key a column of kind `keys` holds: the share table's
/// principal column is text, so integer keys are written in decimal there.
fn principal_key(keys: SqlKeys, text: &str) -> HostKey {
    match keys {
        SqlKeys::Integer => text
            .parse::<i64>()
            .map_or_else(|_| HostKey::from(text), HostKey::Integer),
        _ => HostKey::from(text),
    }
}
