//! Sign-in ([administration](crate::doc::semantics#administration)): who may sign in, and which second factors they need; and the teams a
//! new record inherits.

use std::collections::BTreeSet;
use std::fmt;

use crate::checks::Authorizer;
use crate::error::{CheckError, ErrorCode, IdKind};
use crate::ids::{TeamId, UserId};
use crate::policy::{Settings, Team, TeamInheritance, User, UserKind};

/// Why a sign-in is refused, checked in this order: `stale_id` (an id this authorizer did
/// not issue), `not_active` (invited or deactivated), `system_account`, `no_active_team`
/// (`login_requires_active_team` is set and the user is in no active team).
///
/// ```
/// use permatrix::{ErrorCode, Policy};
/// let auth = Policy::from_json(r#"{"version":1,"users":{"shop":{"kind":"system"}}}"#)?.compile()?;
/// let err = auth.login(auth.user("shop").unwrap()).unwrap_err();
/// assert_eq!(err.code(), ErrorCode::SystemAccount);
/// assert_eq!(err.to_string(), "system accounts do not sign in (system_account)");
/// # Ok::<(), permatrix::PolicyError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LoginError {
    code: ErrorCode,
}

impl LoginError {
    pub(crate) const STALE: LoginError = LoginError {
        code: ErrorCode::StaleId,
    };
    pub(crate) const NOT_ACTIVE: LoginError = LoginError {
        code: ErrorCode::NotActive,
    };
    pub(crate) const SYSTEM_ACCOUNT: LoginError = LoginError {
        code: ErrorCode::SystemAccount,
    };
    pub(crate) const NO_ACTIVE_TEAM: LoginError = LoginError {
        code: ErrorCode::NoActiveTeam,
    };

    /// The stable code: `stale_id`, `not_active`, `system_account` or `no_active_team`.
    ///
    /// ```
    /// use permatrix::{ErrorCode, Policy};
    /// let auth = Policy::from_json(r#"{"version":1,"users":{"bob":{"status":"invited"}}}"#)?.compile()?;
    /// assert_eq!(auth.login(auth.user("bob").unwrap()).unwrap_err().code(), ErrorCode::NotActive);
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn code(self) -> ErrorCode {
        self.code
    }

    /// Why, for people.
    ///
    /// ```
    /// use permatrix::Policy;
    /// let auth = Policy::from_json(r#"{"version":1,"users":{"bob":{"status":"inactive"}}}"#)?.compile()?;
    /// assert_eq!(auth.login(auth.user("bob").unwrap()).unwrap_err().message(), "the user is not active");
    /// # Ok::<(), permatrix::PolicyError>(())
    /// ```
    pub fn message(self) -> &'static str {
        match self.code {
            ErrorCode::StaleId => "the user id was not issued by this authorizer",
            ErrorCode::SystemAccount => "system accounts do not sign in",
            ErrorCode::NoActiveTeam => "the user is in no active team",
            _ => "the user is not active",
        }
    }
}

impl fmt::Display for LoginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message(), self.code)
    }
}

impl std::error::Error for LoginError {}

/// The second factors a sign-in needs, sorted; empty when a password is enough.
///
/// ```
/// use permatrix::authorizer::Factors;
/// let f = Factors(vec!["totp".into()]);
/// assert_eq!(f.to_string(), "totp");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Factors(pub Vec<String>);

impl fmt::Display for Factors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(", "))
    }
}

pub(crate) fn login(auth: &Authorizer, user: UserId) -> Result<Factors, LoginError> {
    let p = &auth.inner.policy;
    let Some((_, def)) = auth.user_slot(user).and_then(|u| p.users.get_index(u)) else {
        return Err(LoginError::STALE);
    };
    let teams = auth
        .user_team_slice(user)
        .iter()
        .filter_map(|&t| p.teams.get_index(t as usize).map(|(_, team)| team));
    sign_in(&p.settings, def, auth.is_active(user), teams)
}

pub(crate) fn new_record_teams(
    auth: &Authorizer,
    creator: UserId,
    assignee: Option<UserId>,
    related: &[TeamId],
) -> Result<Vec<TeamId>, CheckError> {
    let known_user = |u: UserId| {
        auth.user_slot(u)
            .map(drop)
            .ok_or(CheckError::stale(IdKind::User, u.index() as u32))
    };
    known_user(creator)?;
    if let Some(a) = assignee {
        known_user(a)?;
    }
    if let Some(t) = related.iter().find(|&&t| auth.team_slot(t).is_none()) {
        return Err(CheckError::stale(IdKind::Team, t.index() as u32));
    }
    let mut out = BTreeSet::new();
    let mut sources = auth.inner.policy.settings.team_inheritance.clone();
    sources.sort_unstable();
    sources.dedup();
    for source in &sources {
        match source {
            TeamInheritance::Creator => out.extend(
                auth.user_team_slice(creator)
                    .iter()
                    .map(|&t| auth.team_id(t)),
            ),
            TeamInheritance::Assignee => {
                if let Some(a) = assignee {
                    out.extend(auth.user_team_slice(a).iter().map(|&t| auth.team_id(t)));
                }
            }
            TeamInheritance::Related => out.extend(related.iter().copied()),
        }
    }
    Ok(out.into_iter().collect())
}

/// [administration](crate::doc::semantics#administration) sign-in for one user, given whether they are active and their active teams.
pub(crate) fn sign_in<'t>(
    settings: &Settings,
    user: &User,
    active: bool,
    teams: impl Iterator<Item = &'t Team>,
) -> Result<Factors, LoginError> {
    if !active {
        return Err(LoginError::NOT_ACTIVE);
    }
    if user.kind == UserKind::System {
        return Err(LoginError::SYSTEM_ACCOUNT);
    }
    let mut factors: BTreeSet<String> = settings.system_factors.iter().cloned().collect();
    factors.extend(user.factors.iter().cloned());
    let mut in_a_team = false;
    for team in teams {
        in_a_team = true;
        factors.extend(team.factors.iter().cloned());
    }
    if settings.login_requires_active_team && !in_a_team {
        return Err(LoginError::NO_ACTIVE_TEAM);
    }
    Ok(Factors(factors.into_iter().collect()))
}
