//! The transaction every change goes through: check the actor, apply to a copy, validate,
//! check the invariants of [administration](crate::doc::semantics#administration), then replace the policy — or change nothing at all.

use super::audit::{AuditEvent, Labels, TransferTarget};
use super::guard;
use super::standing::Standing;
use crate::checks::entry::level_may_enter;
use crate::error::{ErrorCode, PolicyError};
use crate::policy::{AdminLevel, Policy, Status, UserKind, validate};

/// Changes to a policy made on behalf of an actor (or of the host itself). Every method
/// validates and applies atomically: on error the policy is exactly as it was.
///
/// # Cost
/// Every change costs the same order, whichever method makes it: it validates the policy,
/// copies it, applies the change to the copy, validates that, and works out who holds
/// which level and membership before and after — O(P + M) for a policy of size P with M
/// team memberships kept (see [`Limits`](crate::policy::Limits)). For an actor below `admin` the
/// guards of [administration](crate::doc::semantics#administration) add the teams that list each user and the actor's own reach, in the
/// same order, plus O(users) for each sharing rule that shares with the actor.
/// `suite/benches/can.rs` measures one change on a 10,000-user, 500-team policy. The current
/// policy must be valid (it is when it was read with `from_json` and only changed here).
///
/// ```
/// use permatrix::{ErrorCode, Policy, policy::User};
/// let mut policy = Policy::from_json(r#"{"version":1,"users":{"root":{"admin":"admin"},"eve":{}}}"#)?;
/// let before = policy.to_json()?;
/// let err = policy.admin("eve").add_user("mallory", User::default()).unwrap_err();
/// assert_eq!(err.code(), ErrorCode::NotPermitted);
/// assert_eq!(policy.to_json()?, before);
/// # Ok::<(), permatrix::PolicyError>(())
/// ```
#[derive(Debug)]
pub struct Admin<'p> {
    pub(crate) policy: &'p mut Policy,
    pub(crate) actor: Option<String>,
}

/// Which item a change is about, for the audit event's before/after.
#[derive(Debug, Clone)]
pub(crate) enum Item {
    User(String),
    Role(String),
    Profile(String),
    Team(String),
    Module(String),
    SharingRule(usize),
    CalendarShare(usize),
    Settings,
}

impl Item {
    fn path(&self) -> String {
        match self {
            Item::User(id) => format!("users.{id}"),
            Item::Role(id) => format!("roles.{id}"),
            Item::Profile(id) => format!("profiles.{id}"),
            Item::Team(id) => format!("teams.{id}"),
            Item::Module(id) => format!("modules.{id}"),
            Item::SharingRule(i) => format!("sharing_rules[{i}]"),
            Item::CalendarShare(i) => format!("calendar_shares[{i}]"),
            Item::Settings => "settings".to_string(),
        }
    }

    /// The display name and host key of a user, team or module that exists in `p`.
    fn labels(&self, p: &Policy) -> Option<Labels> {
        let (display_name, key) = match self {
            Item::User(id) => p
                .users
                .get(id)
                .map(|u| (u.display_name.clone(), u.key.clone()))?,
            Item::Team(id) => p.teams.get(id).map(|t| (t.name.clone(), t.key.clone()))?,
            Item::Module(id) => p.modules.get(id).map(|m| (m.name.clone(), m.key.clone()))?,
            _ => return None,
        };
        Some(Labels { display_name, key })
    }

    fn snapshot(&self, p: &Policy) -> Option<serde_json::Value> {
        let value = |v: Option<serde_json::Result<serde_json::Value>>| v.and_then(Result::ok);
        match self {
            Item::User(id) => value(p.users.get(id).map(serde_json::to_value)),
            Item::Role(id) => value(p.roles.get(id).map(serde_json::to_value)),
            Item::Profile(id) => value(p.profiles.get(id).map(serde_json::to_value)),
            Item::Team(id) => value(p.teams.get(id).map(serde_json::to_value)),
            Item::Module(id) => value(p.modules.get(id).map(serde_json::to_value)),
            Item::SharingRule(i) => value(p.sharing_rules.get(*i).map(serde_json::to_value)),
            Item::CalendarShare(i) => value(p.calendar_shares.get(*i).map(serde_json::to_value)),
            Item::Settings => serde_json::to_value(&p.settings).ok(),
        }
    }
}

/// What a change reports besides the item.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    pub transfer: Option<TransferTarget>,
}

fn billable(p: &Policy) -> usize {
    p.users
        .values()
        .filter(|u| u.kind == UserKind::Internal && u.status == Status::Active)
        .count()
}

/// An id for a new item of `section` (`users`, `teams` …): non-empty and not taken. The
/// one check every "add" and "copy" makes.
pub(crate) fn check_new_id<V>(
    map: &indexmap::IndexMap<String, V>,
    section: &str,
    id: &str,
) -> Result<(), PolicyError> {
    if id.is_empty() {
        return Err(refuse(
            ErrorCode::Malformed,
            section,
            "ids are non-empty strings",
        ));
    }
    if map.contains_key(id) {
        let what = section.strip_suffix('s').unwrap_or(section);
        return Err(refuse(
            ErrorCode::DuplicateKey,
            format!("{section}.{id}"),
            format!("{what} `{id}` exists"),
        ));
    }
    Ok(())
}

pub(crate) fn refuse(
    code: ErrorCode,
    path: impl Into<String>,
    message: impl Into<String>,
) -> PolicyError {
    PolicyError::new(code, path, message)
}

impl Admin<'_> {
    /// Runs one change as a transaction and reports it.
    pub(crate) fn apply(
        &mut self,
        area: &str,
        operation: &'static str,
        item: Item,
        change: impl FnOnce(&mut Policy) -> Result<Outcome, PolicyError>,
    ) -> Result<AuditEvent, PolicyError> {
        // The current policy must be sound for its standing to mean anything.
        validate::validate(self.policy)?;
        let mut before = Standing::of(self.policy)?;
        let actor_level = self.check_actor(&before, area)?;
        let judged = actor_level.is_some();
        if judged {
            before.add_listed(self.policy)?;
        }

        let mut next = self.policy.clone();
        let outcome = change(&mut next)?;
        validate::validate(&next)?;
        let mut after = Standing::of(&next)?;
        if judged {
            after.add_listed(&next)?;
        }

        if let (Some(level), Some(actor)) = (actor_level, self.actor.as_deref()) {
            let handover = match (&item, outcome.transfer.as_ref()) {
                (Item::User(u), Some(heir)) => Some((guard::Owned::User(u), heir)),
                (Item::Team(t), Some(heir)) => Some((guard::Owned::Team(t), heir)),
                _ => None,
            };
            // the effect is judged on the answers of both policies, compiled
            let (was, now) = (self.policy.compile()?, next.compile()?);
            let compiled = guard::Compiled {
                was: &was,
                now: &now,
            };
            guard::check(
                self.policy,
                &next,
                &before,
                &after,
                compiled,
                actor,
                level,
                handover,
            )?;
        }
        if before.active_admins(self.policy) > 0 && after.active_admins(&next) == 0 {
            return Err(refuse(
                ErrorCode::LastAdmin,
                item.path(),
                "the change would leave no active user with the `admin` level",
            ));
        }
        if let Some(seats) = next.settings.licenses {
            let (was, now) = (billable(self.policy), billable(&next));
            if now > was && now as u64 > seats {
                return Err(refuse(
                    ErrorCode::LicenseLimit,
                    item.path(),
                    format!("all {seats} licensed seats are taken"),
                ));
            }
        }

        let left_without_team = self
            .policy
            .users
            .keys()
            .enumerate()
            .filter(|&(u, name)| {
                !before.teams_of(u).is_empty()
                    && next
                        .users
                        .get_index_of(name.as_str())
                        .is_some_and(|u| after.teams_of(u).is_empty())
            })
            .map(|(_, name)| name.clone())
            .collect();
        let actor_labels = self
            .actor
            .as_deref()
            .and_then(|a| self.policy.users.get(a))
            .map(|u| Labels {
                display_name: u.display_name.clone(),
                key: u.key.clone(),
            })
            .unwrap_or_default();
        let target_labels = item
            .labels(&next)
            .or_else(|| item.labels(self.policy))
            .unwrap_or_default();
        let event = AuditEvent {
            revision: self.policy.revision() + 1,
            actor: self.actor.clone(),
            actor_labels,
            target_labels,
            operation,
            target: item.path(),
            before: item.snapshot(self.policy),
            after: item.snapshot(&next),
            transfer: outcome.transfer,
            left_without_team,
        };
        next.set_revision(event.revision);
        *self.policy = next;
        Ok(event)
    }

    /// The actor's effective level if it limits what they may change (`None` for the host
    /// and for `admin`s), or `not_permitted`.
    fn check_actor(
        &self,
        standing: &Standing,
        area: &str,
    ) -> Result<Option<AdminLevel>, PolicyError> {
        let Some(actor) = &self.actor else {
            return Ok(None);
        };
        let p = &*self.policy;
        let active = p
            .users
            .get(actor.as_str())
            .is_some_and(|u| u.status == Status::Active);
        let level = match standing.level_of(p, actor) {
            Some(level) if active => level,
            _ => AdminLevel::None,
        };
        if !level_may_enter(&p.settings, level, area) {
            return Err(refuse(
                ErrorCode::NotPermitted,
                format!("users.{actor}"),
                format!("`{actor}` may not administer `{area}`"),
            ));
        }
        Ok((level < AdminLevel::Admin).then_some(level))
    }
}
