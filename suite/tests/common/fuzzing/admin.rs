//! Sequences of administration changes by random actors, with the invariants of SPEC §7
//! checked after every step by effect, on every answer: the body of the administration
//! proptest and of the `admin` fuzz target.
//!
//! After each accepted change by an actor below `admin`:
//! - no answer about the actor is wider (decisions over a set of records, fields, tools,
//!   calendars, picklists and adding to them, sign-in and its factors, the result limit,
//!   the admin level and areas), whether or not their data checks are bypassed;
//! - no answer about any user at or above `customer_admin` (before or after) changed;
//! - nobody was raised above the actor's own level.
//!
//! And after every accepted change, by anyone: the diff names every answer that changed.

use permatrix::{Authorizer, Policy, policy::AdminLevel};

use super::answers::{Surface, covering, differences, records};
use super::changes::{Names, random_change};
use crate::common::generate::Tape;

/// `Err` with the message unless the condition holds.
macro_rules! ensure {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err(format!($($fmt)+));
        }
    };
}

/// The policy of the administration tests: an admin (through a team), a customer admin
/// (through a team), a superuser, two reps under a boss role, an invited user and an
/// invited external user.
pub const BASE: &str = r#"{
  "version": 1,
  "settings": { "licenses": 6 },
  "modules": { "leads": {}, "calendar": { "sharing_locked": true } },
  "profiles": { "staff": { "modules": { "leads": { "access": "on", "actions": { "view": "owner" } } } },
                "auto": { "auto_allow_new_modules": true } },
  "roles": { "boss": { "profiles": ["staff"] }, "rep": { "parent": "boss", "profiles": ["staff"] } },
  "teams": { "admins": { "users": ["root"], "admin": "admin" },
             "cas": { "users": ["ca"], "admin": "customer_admin" },
             "north": { "users": ["rita", "ralf"], "role": "rep" } },
  "users": { "root": {}, "ca": {}, "su": { "admin": "superuser" },
             "rita": { "roles": ["rep"] }, "ralf": { "roles": ["rep"] },
             "ina": { "status": "invited" }, "ext": { "kind": "external", "status": "invited" } }
}"#;

/// The policy random sequences start from: [`BASE`] with something of everything the
/// guards judge — fields and tools, a role-bound picklist and an open one, a team
/// calendar with rights, dormant calendar shares (an inactive team's calendar, a team
/// without one), result limits, factors, sharing rules, a hierarchy with a superuser in
/// it, and a second customer admin who holds a profile through a role.
pub const SEQUENCES: &str = r#"{
  "version": 1,
  "settings": { "licenses": 8, "admin_bypass": true },
  "modules": {
    "leads": { "fields": { "stage": { "picklist": { "role_bound": true, "values": [
                  { "value": "open" }, { "value": "won", "roles": ["boss"] } ] } },
                           "source": { "picklist": { "values": [ { "value": "web" } ] } },
                           "margin": {} },
               "tools": ["pdf_export", "create_picklist_values"] },
    "deals": { "hierarchy": true },
    "calendar": { "sharing_locked": true } },
  "profiles": {
    "staff": { "modules": { "leads": { "access": "on", "actions": { "view": "owner", "edit": "owner" },
                                       "fields": { "margin": "hidden" } },
                            "deals": { "access": "on", "actions": { "view": "role", "edit": "owner" } } } },
    "lead": { "modules": { "deals": { "access": "on", "actions": { "view": "team" } },
                           "leads": { "access": "read_only", "tools": { "pdf_export": true } } } },
    "auto": { "auto_allow_new_modules": true } },
  "roles": { "boss": { "profiles": ["staff", "lead"] }, "rep": { "parent": "boss", "profiles": ["staff"] },
             "helper": { "profiles": ["lead"] } },
  "teams": { "admins": { "users": ["root"], "admin": "admin" },
             "cas": { "users": ["ca"], "admin": "customer_admin", "result_limit": 100 },
             "north": { "users": ["rita", "ralf"], "role": "rep", "calendar": true,
                        "calendar_rights": { "rita": { "create_edit": true } }, "result_limit": 50 },
             "south": { "users": ["su"], "factors": ["totp"], "result_limit": 20 },
             "dormant": { "users": ["ralf"], "active": false, "calendar": true } },
  "users": { "root": {}, "ca": {}, "ca2": { "admin": "customer_admin", "roles": ["helper"] },
             "su": { "admin": "superuser", "roles": ["boss"] },
             "rita": { "roles": ["rep"] }, "ralf": { "roles": ["rep"] },
             "ina": { "status": "invited" }, "ext": { "kind": "external", "status": "invited" } },
  "sharing_rules": [ { "module": "deals", "from": { "team": "north" }, "to": { "role": "helper" }, "access": "read" } ],
  "calendar_shares": [ { "owner": { "team": "dormant" }, "to": { "user": "su" }, "level": "details" },
                       { "owner": { "team": "south" }, "to": { "user": "ca2" }, "level": "titles" } ]
}"#;

fn level(a: &Authorizer, u: &str) -> AdminLevel {
    a.user(u)
        .and_then(|id| a.admin_level(id).ok())
        .unwrap_or_default()
}

fn active_level(a: &Authorizer, u: &str) -> AdminLevel {
    match a.user(u) {
        Some(id) if a.user_active(id) == Ok(true) => level(a, u),
        _ => AdminLevel::None,
    }
}

/// SPEC §7 by effect, for a change `actor` made from `was` to `now`.
pub fn guards_hold(
    was: &Authorizer,
    now: &Authorizer,
    actor: &str,
    t: &mut Tape<'_>,
) -> Result<(), String> {
    let actor_level = active_level(was, actor);
    if actor_level >= AdminLevel::Admin {
        return Ok(());
    }
    for user in now.policy().users.keys() {
        let (a, b) = (level(was, user), level(now, user));
        ensure!(
            b <= a || b <= actor_level,
            "{actor} raised {user} from {a} to {b}"
        );
    }
    let recs = records(was, now, t, 20);
    for d in differences(was, now, actor, &recs) {
        // the teams of new records are a setting's and membership's, no grant of theirs
        if d.surface == Surface::NewRecordTeams {
            continue;
        }
        ensure!(!d.gain, "{actor} gained {:?}: {}", d.surface, d.detail);
    }
    let high = |a: &Authorizer, u: &str| level(a, u) >= AdminLevel::CustomerAdmin;
    for user in was.policy().users.keys() {
        if !(high(was, user) || high(now, user)) || now.user(user).is_none() {
            continue;
        }
        if let Some(d) = differences(was, now, user, &recs)
            .into_iter()
            .find(|d| d.surface != Surface::NewRecordTeams)
        {
            return Err(format!(
                "{actor} changed what administrator {user} may do: {:?} {}",
                d.surface, d.detail
            ));
        }
    }
    Ok(())
}

/// The diff names every answer that changed, for every user.
pub fn diff_covers(was: &Authorizer, now: &Authorizer, t: &mut Tape<'_>) -> Result<(), String> {
    let d = permatrix::diff(was, now);
    let recs = records(was, now, t, 10);
    for user in now.policy().users.keys() {
        for difference in differences(was, now, user, &recs) {
            let dir = covering(&d, user, &difference);
            ensure!(
                dir.is_some_and(
                    |dir| (!difference.gain || dir.gains()) && (!difference.loss || dir.loses())
                ),
                "the diff misses {user}'s {:?} ({}): it says {dir:?}\n{d}",
                difference.surface,
                difference.detail
            );
        }
    }
    Ok(())
}

/// Applies one random change (by an actor the tape picks, or the host) and checks SPEC §7
/// around it: a refusal changes nothing (document and revision), a success counts one
/// revision and leaves a valid policy, the guards hold by effect, the diff names what
/// changed, and an active admin remains.
pub fn step(policy: &mut Policy, t: &mut Tape<'_>) -> Result<(), String> {
    let (before, revision) = (
        policy.to_json().map_err(|e| e.to_string())?,
        policy.revision(),
    );
    let was = policy
        .compile()
        .map_err(|e| format!("the policy before: {e}"))?;
    let had_admin = active_admins(&was) > 0;
    let names = Names::of(policy);
    let actors: Vec<String> = names
        .users
        .iter()
        .cloned()
        .chain(["ghost".to_string(), "(host)".to_string()])
        .collect();
    let actor = actors[t.below(actors.len())].clone();
    let outcome = {
        let mut admin = if actor == "(host)" {
            policy.admin_as_host()
        } else {
            policy.admin(&actor)
        };
        random_change(&mut admin, &names, t)
    };
    match outcome {
        Ok(event) => {
            ensure!(
                policy.revision() == revision + 1,
                "revision {} after {revision}",
                policy.revision()
            );
            ensure!(
                event.revision == revision + 1,
                "event revision {}",
                event.revision
            );
            let now = policy
                .compile()
                .map_err(|e| format!("an accepted change left an invalid policy: {e}"))?;
            if let Some(actor) = event.actor.as_deref() {
                guards_hold(&was, &now, actor, t)
                    .map_err(|e| format!("{e}\nafter {}", event.summary()))?;
            }
            diff_covers(&was, &now, t).map_err(|e| format!("{e}\nafter {}", event.summary()))?;
            ensure!(
                !had_admin || active_admins(&now) > 0,
                "{} left no active admin",
                event.summary()
            );
        }
        Err(_) => {
            let after = policy.to_json().map_err(|e| e.to_string())?;
            ensure!(after == before, "a refused change altered the policy");
            ensure!(
                policy.revision() == revision,
                "a refused change counted a revision"
            );
        }
    }
    Ok(())
}

fn active_admins(auth: &Authorizer) -> usize {
    auth.policy()
        .users
        .keys()
        .filter(|u| active_level(auth, u) == AdminLevel::Admin)
        .count()
}

/// The `admin` fuzz target: `data`, a byte a choice, drives up to 48 changes to
/// [`SEQUENCES`].
pub fn run(data: &[u8]) {
    let Ok(mut policy) = Policy::from_json(SEQUENCES) else {
        panic!("the sequences' policy reads");
    };
    let tape: Vec<u32> = data.iter().map(|&b| u32::from(b)).collect();
    let mut t = Tape {
        data: &tape,
        pos: 0,
    };
    for _ in 0..48 {
        if t.pos >= tape.len() {
            break;
        }
        if let Err(violation) = step(&mut policy, &mut t) {
            panic!("{violation}");
        }
    }
}
