//! The rules of [administration](crate::doc::semantics#administration) for actors below `admin`, judged by what a change *does*.
//!
//! Each rule compares the policy before and after the change — who holds which level,
//! which memberships, teams, roles, profiles, rules and grants — instead of trusting every
//! operation to remember its own checks. A new operation is covered without a line here.
//! Every refusal is `not_permitted`, and the caller then changes nothing.

use std::collections::BTreeSet;

use super::audit::TransferTarget;
use super::standing::{Standing, TakenRoles};
use crate::authorizer::{Authorizer, Owner, Record};
use crate::error::{ErrorCode, PolicyError};
use crate::policy::{Action, AdminLevel, Policy, Principal, Status, Team, User};

type Result<T = ()> = std::result::Result<T, PolicyError>;

fn not_permitted(path: impl Into<String>, message: impl Into<String>) -> PolicyError {
    PolicyError::new(ErrorCode::NotPermitted, path, message)
}

fn high(level: AdminLevel) -> bool {
    level >= AdminLevel::CustomerAdmin
}

/// The two policies of a change, compiled: the effect of a change is judged on what
/// they answer.
pub(crate) struct Compiled<'a> {
    pub was: &'a Authorizer,
    pub now: &'a Authorizer,
}

/// All of [administration](crate::doc::semantics#administration)'s rules for `actor`, whose effective level is below `admin`, for a
/// change from `old` to `new` that may hand what it deleted over to an heir.
///
/// # Cost
/// O(policy size + memberships) for the rules on the policy's items, plus the
/// comparison of the compiled policies ([`crate::diff()`]'s) for the actor and every user
/// at or above `customer_admin`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn check(
    old: &Policy,
    new: &Policy,
    before: &Standing,
    after: &Standing,
    compiled: Compiled<'_>,
    actor: &str,
    actor_level: AdminLevel,
    handover: Option<(Owned<'_>, &TransferTarget)>,
) -> Result {
    bounding_settings(old, new)?;
    host_keys(old, new)?;
    levels(old, new, before, after, actor_level)?;
    administrators(old, new, before, after)?;
    self_grant(old, new, before, after, actor)?;
    by_effect(old, new, before, after, &compiled, actor)?;
    heir_within_reach(compiled.was, actor, handover)
}

/// Judged by effect, on every answer the authorizer gives ([`crate::diff()`]'s
/// comparison, so the preview and the guards cannot disagree): no answer about the actor
/// widens — cells and what they reach, fields, tools, calendars (dormant shares that
/// wake included), picklist values and adding to them, the result limit, admin level
/// and areas, sign-in and its factors, whether or not their data checks are bypassed;
/// and no answer about a user at or above `customer_admin` changes at all.
fn by_effect(
    old: &Policy,
    new: &Policy,
    before: &Standing,
    after: &Standing,
    compiled: &Compiled<'_>,
    actor: &str,
) -> Result {
    let mut names: Vec<&str> = vec![actor];
    names.extend(all_users(old, new).filter(|name| {
        *name != actor
            && (before.level_of(old, name).is_some_and(high)
                || after.level_of(new, name).is_some_and(high))
    }));
    let high_actor = before.level_of(old, actor).is_some_and(high);
    for (name, changes) in crate::explain::diff::users(compiled.was, compiled.now, &names) {
        let is_actor = name == actor;
        // an administrator's answers stay as they are, the actor's own included when
        // they are one; anyone else acting may lose, never gain
        let must_stay = !is_actor || high_actor;
        let refused = changes.iter().find(|c| must_stay || c.is_gain());
        let Some(change) = refused else { continue };
        return Err(if is_actor && change.is_gain() {
            not_permitted(
                format!("users.{actor}"),
                format!(
                    "the change would let `{actor}` do more than before ({change}); administrators below `admin` cannot grant themselves anything"
                ),
            )
        } else {
            not_permitted(
                format!("users.{name}"),
                format!(
                    "the change would alter what administrator `{name}` may do ({change}); only an `admin` may"
                ),
            )
        });
    }
    Ok(())
}

/// Whose records a deletion leaves behind.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Owned<'a> {
    /// A deleted user's.
    User(&'a str),
    /// A deleted team's.
    Team(&'a str),
}

/// What a deletion leaves behind goes to an heir the host moves it to ([administration](crate::doc::semantics#administration)). Below
/// `admin`, the heir may not be anyone whose records the actor reaches further than the
/// deleted owner's — themselves, their own team, a subordinate, a user sharing their
/// role, a source of a rule to them — for the records would then be the actor's without a
/// grant. Judged in the policy before the change, for records of every module, with and
/// without the actor's teams linked, on every action.
///
/// # Cost
/// O(modules × actions) checks on the policy before the change, compiled.
fn heir_within_reach(
    auth: &Authorizer,
    actor: &str,
    handover: Option<(Owned<'_>, &TransferTarget)>,
) -> Result {
    let Some((deleted, heir)) = handover else {
        return Ok(());
    };
    let heir = match heir {
        TransferTarget::User(u) => Owned::User(u),
        TransferTarget::Team(t) => Owned::Team(t),
        // a role or profile heir changes the policy itself: judged by the reach above
        TransferTarget::Role(_) | TransferTarget::Profile(_) => return Ok(()),
    };
    let Some(me) = auth.user(actor) else {
        return Ok(());
    };
    if auth.bypasses(me) {
        return Ok(()); // every record is theirs to reach already
    }
    let owner = |o: Owned<'_>| match o {
        Owned::User(u) => auth.user(u).map(Owner::User),
        Owned::Team(t) => auth.team(t).map(Owner::Team),
    };
    let (Some(from), Some(to)) = (owner(deleted), owner(heir)) else {
        return Ok(());
    };
    let mine = auth.teams_of(me).unwrap_or_default();
    for module in (0..).map_while(|i| auth.module_at(i)) {
        for &action in Action::ALL {
            for teams in [&[][..], &mine[..]] {
                let reaches = |o| auth.can(me, action, &Record::new(module, o).with_teams(teams));
                if reaches(to) && !reaches(from) {
                    return Err(not_permitted(
                        format!("users.{actor}"),
                        format!(
                            "`{actor}` reaches the records of the heir they named further than those of what they deleted (`{action}` on `{}`): administrators below `admin` cannot grant themselves anything",
                            auth.module_name(module).unwrap_or_default()
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Settings that bound what administrators may do change only by an `admin` (or the host).
fn bounding_settings(old: &Policy, new: &Policy) -> Result {
    let (a, b) = (&old.settings, &new.settings);
    let changed = [
        ("admin_areas", a.admin_areas != b.admin_areas),
        ("admin_bypass", a.admin_bypass != b.admin_bypass),
        ("licenses", a.licenses != b.licenses),
        (
            "max_admin_sessions",
            a.max_admin_sessions != b.max_admin_sessions,
        ),
        ("system_factors", a.system_factors != b.system_factors),
        (
            "login_requires_active_team",
            a.login_requires_active_team != b.login_requires_active_team,
        ),
        ("external_access", a.external_access != b.external_access),
        ("user_deletion", a.user_deletion != b.user_deletion),
    ];
    match changed.iter().find(|(_, changed)| *changed) {
        Some((key, _)) => Err(not_permitted(
            format!("settings.{key}"),
            format!(
                "only an `admin` may change `settings.{key}`, which bounds what administrators may do"
            ),
        )),
        None => Ok(()),
    }
}

/// Host keys tie users, teams and modules to the host's rows: a key given to someone else
/// hands them the rows, including rows left by a deleted owner, which no comparison of
/// the policy can see. So only an `admin` (or the host) sets, changes or clears a key,
/// new items included.
///
/// # Cost
/// O(users + teams + modules) look-ups.
fn host_keys(old: &Policy, new: &Policy) -> Result {
    fn first_changed<'a, V>(
        old: &indexmap::IndexMap<String, V>,
        new: &'a indexmap::IndexMap<String, V>,
        key: impl Fn(&V) -> Option<&crate::policy::HostKey>,
    ) -> Option<&'a str> {
        new.iter()
            .find(|(id, v)| old.get(id.as_str()).and_then(&key) != key(v))
            .map(|(id, _)| id.as_str())
    }
    let changed = [
        (
            "users",
            first_changed(&old.users, &new.users, |u| u.key.as_ref()),
        ),
        (
            "teams",
            first_changed(&old.teams, &new.teams, |t| t.key.as_ref()),
        ),
        (
            "modules",
            first_changed(&old.modules, &new.modules, |m| m.key.as_ref()),
        ),
    ];
    match changed
        .iter()
        .find_map(|(section, id)| Some((section, (*id)?)))
    {
        Some((section, id)) => Err(not_permitted(
            format!("{section}.{id}.key"),
            "only an `admin` may set or change a host key, which ties an item to the host's rows",
        )),
        None => Ok(()),
    }
}

/// Usernames of both policies, old ones first.
fn all_users<'p>(old: &'p Policy, new: &'p Policy) -> impl Iterator<Item = &'p str> {
    old.users
        .keys()
        .chain(
            new.users
                .keys()
                .filter(|u| !old.users.contains_key(u.as_str())),
        )
        .map(String::as_str)
}

/// Nobody confers a level above their own, and no team conferring `customer_admin` or
/// higher changes.
fn levels(
    old: &Policy,
    new: &Policy,
    before: &Standing,
    after: &Standing,
    actor_level: AdminLevel,
) -> Result {
    for name in all_users(old, new) {
        let was = before.level_of(old, name).unwrap_or_default();
        let now = after.level_of(new, name).unwrap_or_default();
        if now > was && now > actor_level {
            return Err(not_permitted(
                format!("users.{name}"),
                "no administrator can confer a level above their own",
            ));
        }
    }
    for name in old.teams.keys().chain(new.teams.keys()) {
        let (was, now) = (old.teams.get(name), new.teams.get(name));
        let confers_high = was.is_some_and(|t| high(t.admin)) || now.is_some_and(|t| high(t.admin));
        if confers_high && was != now {
            return Err(not_permitted(
                format!("teams.{name}"),
                format!(
                    "only an `admin` may change team `{name}`, which confers an administrator level"
                ),
            ));
        }
    }
    Ok(())
}

/// No change touches what a user at or above `customer_admin` (before or after) is or
/// belongs to: their record, their memberships, or any team that lists them (but for its
/// display name and its other members). How they sign in, and every other answer about
/// them, is judged by effect ([`by_effect`]).
fn administrators(old: &Policy, new: &Policy, before: &Standing, after: &Standing) -> Result {
    let admins: BTreeSet<&str> = all_users(old, new)
        .filter(|name| {
            before.level_of(old, name).is_some_and(high)
                || after.level_of(new, name).is_some_and(high)
        })
        .collect();
    let mut teams = BTreeSet::new();
    let mut roles = BTreeSet::new();
    let (taken_old, taken_new) = (TakenRoles::of(old), TakenRoles::of(new));
    for &name in &admins {
        let path = format!("users.{name}");
        let why = |what: &str| {
            not_permitted(
                path.clone(),
                format!(
                    "only an `admin` may change {what} of `{name}`, who is or would be an administrator"
                ),
            )
        };
        if old.users.get(name) != new.users.get(name) {
            return Err(why("the record"));
        }
        if before.team_names(old, name) != after.team_names(new, name)
            || before.listed_names(old, name) != after.listed_names(new, name)
        {
            return Err(why("the team memberships"));
        }
        teams.extend(before.listed_names(old, name));
        teams.extend(after.listed_names(new, name));
        roles.extend(before.member_roles(old, &taken_old, name));
        roles.extend(after.member_roles(new, &taken_new, name));
    }
    for role in roles {
        if old.roles.get(role) != new.roles.get(role) {
            return Err(not_permitted(
                format!("roles.{role}"),
                format!(
                    "only an `admin` may change role `{role}`, which makes an administrator a member of a team"
                ),
            ));
        }
    }
    for team in teams {
        let view = |p: &Policy| p.teams.get(team).map(|t| administrators_view(t, &admins));
        if view(old) != view(new) {
            return Err(not_permitted(
                format!("teams.{team}"),
                format!(
                    "only an `admin` may change team `{team}`, which has an administrator among its members"
                ),
            ));
        }
    }
    Ok(())
}

/// A team as far as its administrator members are concerned: everything but its display
/// name and the entries of its other members.
fn administrators_view(team: &Team, admins: &BTreeSet<&str>) -> Team {
    let mut view = team.clone();
    view.name = None;
    view.users.retain(|u| admins.contains(u.as_str()));
    view.calendar_rights
        .retain(|u, _| admins.contains(u.as_str()));
    view
}

/// No self-grant: the actor changes neither what they are and belong to, nor the roles,
/// profiles, teams, rules and shares that give them their grants, nor — judged by effect —
/// anything that lets them reach more than before.
fn self_grant(
    old: &Policy,
    new: &Policy,
    before: &Standing,
    after: &Standing,
    actor: &str,
) -> Result {
    let path = format!("users.{actor}");
    let own = |what: &str| {
        not_permitted(
            path.clone(),
            format!(
                "`{actor}` may not change {what}: administrators below `admin` cannot grant themselves anything"
            ),
        )
    };
    // what they are: all of their record but the display name, a lowered level and a
    // deactivation
    let masked = |u: Option<&User>| {
        u.map(|u| User {
            display_name: None,
            status: Status::Active,
            admin: AdminLevel::None,
            ..u.clone()
        })
    };
    if masked(old.users.get(actor)) != masked(new.users.get(actor)) {
        return Err(own("their own roles, overrides, factors or kind"));
    }
    if before.team_names(old, actor) != after.team_names(new, actor)
        || before.listed_names(old, actor) != after.listed_names(new, actor)
    {
        return Err(own("their own team memberships"));
    }
    let mut teams = before.listed_names(old, actor);
    teams.extend(after.listed_names(new, actor));
    for team in teams {
        // the team's record, and who it takes in by nesting or role entries
        if old.teams.get(team) != new.teams.get(team)
            || before.members_of(old, team) != after.members_of(new, team)
        {
            return Err(not_permitted(
                format!("teams.{team}"),
                format!(
                    "`{actor}` belongs to team `{team}` and may not change it or who belongs to it"
                ),
            ));
        }
    }
    let held = before.held_roles(old, actor);
    if held != after.held_roles(new, actor) {
        return Err(own("the roles they hold"));
    }
    let mut profiles = BTreeSet::new();
    for &role in &held {
        if old.roles.get(role) != new.roles.get(role) {
            return Err(not_permitted(
                format!("roles.{role}"),
                format!("`{actor}` holds role `{role}` and may not change it"),
            ));
        }
        profiles.extend(old.roles.get(role).into_iter().flat_map(|r| &r.profiles));
    }
    for team in before.team_names(old, actor) {
        profiles.extend(old.teams.get(team).and_then(|t| t.ceiling.as_ref()));
    }
    for profile in profiles {
        if old.profiles.get(profile) != new.profiles.get(profile) {
            return Err(not_permitted(
                format!("profiles.{profile}"),
                format!("`{actor}` holds profile `{profile}` and may not change it"),
            ));
        }
    }
    let rules = |p: &Policy, s: &Standing| shared_with(p, s, actor, &p.sharing_rules, |r| &r.to);
    if rules(old, before) != rules(new, after) {
        return Err(own("a sharing rule that shares with them"));
    }
    let calendars =
        |p: &Policy, s: &Standing| shared_with(p, s, actor, &p.calendar_shares, |c| &c.to);
    if calendars(old, before) != calendars(new, after) {
        return Err(own("a calendar share that shares with them"));
    }
    Ok(())
}

/// The entries of `items` (sharing rules, calendar shares) whose recipient `to` includes
/// `actor`, in document form, sorted.
fn shared_with<T: serde::Serialize>(
    p: &Policy,
    standing: &Standing,
    actor: &str,
    items: &[T],
    to: impl Fn(&T) -> &Principal,
) -> Vec<String> {
    let mut out: Vec<String> = items
        .iter()
        .filter(|item| standing.includes(p, to(item), actor))
        .map(|item| serde_json::to_string(item).unwrap_or_default())
        .collect();
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The effect rule alone, for a change from `old` to `new` made by `actor`.
    fn by_effect_alone(old: &str, new: &str, actor: &str) -> Result {
        let (a, b) = (
            Policy::from_json(old).unwrap(),
            Policy::from_json(new).unwrap(),
        );
        let (mut sa, mut sb) = (Standing::of(&a).unwrap(), Standing::of(&b).unwrap());
        sa.add_listed(&a).unwrap();
        sb.add_listed(&b).unwrap();
        let (was, now) = (a.compile().unwrap(), b.compile().unwrap());
        let compiled = Compiled {
            was: &was,
            now: &now,
        };
        by_effect(&a, &b, &sa, &sb, &compiled, actor)
    }

    const MODULE: &str = r#""modules":{"m":{}},"profiles":{"p":{"modules":{"m":{"access":"on","actions":{"view":"owner"}}}}},
        "roles":{"r":{"profiles":["p"]}}"#;

    fn doc(users: &str) -> String {
        format!(r#"{{"version":1,{MODULE},"users":{{{users}}}}}"#)
    }

    /// A user who is an administrator on one side only is one whose answers must stay:
    /// becoming one, or ceasing to be one, changes what they may do.
    #[test]
    fn an_administrator_on_either_side_is_held_to_every_answer() {
        let plain = doc(r#""su":{"admin":"superuser"},"x":{"roles":["r"]}"#);
        let promoted =
            doc(r#""su":{"admin":"superuser"},"x":{"roles":["r"],"admin":"customer_admin"}"#);
        let err = by_effect_alone(&plain, &promoted, "su").unwrap_err();
        assert!(err.message().contains("administrator `x`"), "{err}");
        let err = by_effect_alone(&promoted, &plain, "su").unwrap_err();
        assert!(err.message().contains("administrator `x`"), "{err}");
    }

    /// The actor may lose what they may do; anyone else who is no administrator may gain or
    /// lose: that is administration.
    #[test]
    fn the_actor_may_lose_and_others_may_change() {
        let with = doc(r#""su":{"admin":"superuser","roles":["r"]},"x":{"roles":["r"]}"#);
        let without = doc(r#""su":{"admin":"superuser"},"x":{}"#);
        by_effect_alone(&with, &without, "su").unwrap();
        let err = by_effect_alone(&without, &with, "su").unwrap_err();
        assert!(err.message().contains("`su` do more than before"), "{err}");
        let x_only = doc(r#""su":{"admin":"superuser"},"x":{"roles":["r"]}"#);
        by_effect_alone(&without, &x_only, "su").unwrap();
        by_effect_alone(&x_only, &without, "su").unwrap();
    }

    fn standings(a: &Policy, b: &Policy) -> (Standing, Standing) {
        let (mut sa, mut sb) = (Standing::of(a).unwrap(), Standing::of(b).unwrap());
        sa.add_listed(a).unwrap();
        sb.add_listed(b).unwrap();
        (sa, sb)
    }

    /// Nobody confers a level above their own: the level rule on its own, with its words.
    #[test]
    fn no_level_above_the_actors_own() {
        let plain = Policy::from_json(&doc(r#""x":{}"#)).unwrap();
        for (level, refused_to) in [
            ("superuser", vec![AdminLevel::None]),
            (
                "customer_admin",
                vec![AdminLevel::None, AdminLevel::Superuser],
            ),
            (
                "admin",
                vec![
                    AdminLevel::None,
                    AdminLevel::Superuser,
                    AdminLevel::CustomerAdmin,
                ],
            ),
        ] {
            let raised = Policy::from_json(&doc(&format!(r#""x":{{"admin":"{level}"}}"#))).unwrap();
            let (sa, sb) = standings(&plain, &raised);
            for actor in [
                AdminLevel::None,
                AdminLevel::Superuser,
                AdminLevel::CustomerAdmin,
            ] {
                let verdict = levels(&plain, &raised, &sa, &sb, actor);
                if refused_to.contains(&actor) {
                    let err = verdict.unwrap_err();
                    assert_eq!(err.path(), "users.x");
                    assert!(err.message().contains("above their own"), "{err}");
                } else {
                    verdict.unwrap();
                }
            }
            // lowering is no raise
            let (sb, sa) = standings(&raised, &plain);
            levels(&raised, &plain, &sb, &sa, AdminLevel::None).unwrap();
        }
    }

    /// A user who is an administrator before or after the change keeps their record and
    /// memberships: the record rule on its own.
    #[test]
    fn an_administrators_record_is_an_admins_to_change() {
        let plain = Policy::from_json(&doc(r#""x":{}"#)).unwrap();
        let made = Policy::from_json(&doc(r#""x":{"admin":"customer_admin"}"#)).unwrap();
        for (a, b) in [(&plain, &made), (&made, &plain)] {
            let (sa, sb) = standings(a, b);
            let err = administrators(a, b, &sa, &sb).unwrap_err();
            assert!(err.message().contains("the record of `x`"), "{err}");
        }
        // a team joined by an administrator, active or not
        for active in [true, false] {
            let team = |users: &str| {
                Policy::from_json(&format!(
                    r#"{{"version":1,"teams":{{"t":{{"users":{users},"active":{active}}}}},"users":{{"x":{{"admin":"customer_admin"}}}}}}"#
                ))
                .unwrap()
            };
            let (a, b) = (team("[]"), team(r#"["x"]"#));
            let (sa, sb) = standings(&a, &b);
            let err = administrators(&a, &b, &sa, &sb).unwrap_err();
            assert!(err.message().contains("team memberships"), "{err}");
        }
    }

    /// Host keys are an admin's to set, change or clear, new items included.
    #[test]
    fn host_keys_are_an_admins() {
        let without = Policy::from_json(
            r#"{"version":1,"users":{"x":{}},"teams":{"t":{}},"modules":{"m":{}}}"#,
        )
        .unwrap();
        for (section, with) in [
            (
                "users.x.key",
                r#"{"version":1,"users":{"x":{"key":1}},"teams":{"t":{}},"modules":{"m":{}}}"#,
            ),
            (
                "teams.t.key",
                r#"{"version":1,"users":{"x":{}},"teams":{"t":{"key":1}},"modules":{"m":{}}}"#,
            ),
            (
                "modules.m.key",
                r#"{"version":1,"users":{"x":{}},"teams":{"t":{}},"modules":{"m":{"key":1}}}"#,
            ),
        ] {
            let with = Policy::from_json(with).unwrap();
            for (a, b) in [(&without, &with), (&with, &without)] {
                assert_eq!(host_keys(a, b).unwrap_err().path(), section);
            }
        }
        host_keys(&without, &without).unwrap();
    }

    /// An actor who is an administrator may not even lose: their answers are an admin's.
    #[test]
    fn an_administrator_acting_keeps_their_own_answers() {
        let with = doc(r#""ca":{"admin":"customer_admin","roles":["r"]}"#);
        let lower = doc(r#""ca":{"admin":"superuser","roles":["r"]}"#);
        let err = by_effect_alone(&with, &lower, "ca").unwrap_err();
        assert!(err.message().contains("administrator `ca`"), "{err}");
    }
}
