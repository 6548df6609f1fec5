//! Sequences of administration changes by random actors, with the invariants of SPEC §7
//! checked after every step: the body of the administration proptest and of the `admin`
//! fuzz target.

use permatrix::{
    AdminLevel, Module, Policy, PolicyError, Principal, ShareAccess, Sharing, SharingRule,
    TransferTarget, User,
};

/// `Err` with the message unless the condition holds.
macro_rules! ensure {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err(format!($($fmt)+));
        }
    };
}

/// The policy the sequences start from: an admin (through a team), a customer admin
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

/// One random change, by a random actor, with random (often wrong) arguments.
pub fn random_change(
    policy: &mut Policy,
    choice: &[u8],
) -> Result<permatrix::AuditEvent, PolicyError> {
    let pick = |i: usize, options: &[&'static str]| {
        options[choice.get(i).copied().unwrap_or(0) as usize % options.len()]
    };
    let users = [
        "root", "ca", "su", "rita", "ralf", "ina", "ext", "ghost", "",
    ];
    let teams = ["admins", "cas", "north", "ghost_team"];
    let roles = ["boss", "rep", "ghost_role"];
    let actor = pick(0, &["root", "ca", "su", "rita", "ghost", "(host)"]);
    let mut admin = if actor == "(host)" {
        policy.admin_as_host()
    } else {
        policy.admin(actor)
    };
    let (u, v, t, r) = (
        pick(2, &users),
        pick(3, &users),
        pick(4, &teams),
        pick(5, &roles),
    );
    match choice.get(1).copied().unwrap_or(0) % 27 {
        0 => admin.invite_user(
            u,
            User {
                admin: [AdminLevel::None, AdminLevel::Admin]
                    [choice.get(6).copied().unwrap_or(0) as usize % 2],
                ..User::default()
            },
        ),
        1 => admin.activate_user(u),
        2 => admin.deactivate_user(u),
        3 => admin.reactivate_user(u),
        4 => admin.rename_user(u, "Renamed"),
        5 => admin.copy_user(u, v, None),
        6 => admin.delete_user(u, v),
        7 => admin.set_user_admin(
            u,
            [
                AdminLevel::None,
                AdminLevel::Superuser,
                AdminLevel::CustomerAdmin,
                AdminLevel::Admin,
            ][choice.get(6).copied().unwrap_or(0) as usize % 4],
        ),
        8 => admin.add_role(r, Some(pick(6, &roles)), &["staff"]),
        9 => admin.move_role(r, Some(pick(6, &roles))),
        10 => admin.delete_role(r, pick(6, &roles)),
        11 => admin.delete_profile(
            pick(6, &["staff", "auto", "ghost"]),
            pick(7, &["staff", "auto", "ghost"]),
        ),
        12 => admin.copy_team(t, pick(6, &teams)),
        13 => admin.add_team_member(t, u),
        14 => admin.remove_team_member(t, u),
        15 => admin.deactivate_team(t, TransferTarget::Team(pick(7, &teams).to_string())),
        16 => admin.delete_team(t, TransferTarget::User(v.to_string())),
        17 => admin.set_team_admin(t, AdminLevel::None),
        18 => admin.add_module(pick(6, &["leads", "quotes", ""]), Module::default()),
        19 => admin.set_module_sharing(
            pick(6, &["leads", "calendar", "ghost"]),
            Sharing::PublicRead,
        ),
        20 => admin.update_user(u, |x| x.roles.push(r.to_string())),
        21 => admin.update_team(t, |x| x.teams.push(pick(6, &teams).to_string())),
        22 => admin.update_settings(|s| match choice.get(6).copied().unwrap_or(0) % 4 {
            0 => s.admin_areas.superuser_denied.clear(),
            1 => s.admin_bypass = !s.admin_bypass,
            2 => s.licenses = None,
            _ => s.merge = permatrix::Merge::Subtractive,
        }),
        23 => admin.update_profile(pick(6, &["staff", "auto"]), |pr| pr.view_all = true),
        24 => admin.add_sharing_rule(SharingRule {
            module: "leads".into(),
            from: Principal::User(v.to_string()),
            to: Principal::User(u.to_string()),
            access: ShareAccess::Full,
        }),
        25 => admin.update_team(t, |x| x.users.push(u.to_string())),
        _ => admin.update_team(t, |x| x.active = !x.active),
    }
}

/// SPEC §7: an actor below `admin` raises nobody above their own level, and gains no
/// level, area, cell, access, field or tool themselves.
pub fn no_gain_below_admin(
    was: &permatrix::Authorizer,
    now: &permatrix::Authorizer,
    actor: &str,
) -> Result<(), String> {
    let level = |a: &permatrix::Authorizer, u: &str| {
        a.user(u)
            .and_then(|id| a.admin_level(id))
            .unwrap_or_default()
    };
    let actor_level = level(was, actor);
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
    ensure!(
        level(now, actor) <= actor_level,
        "{actor} raised their own level"
    );
    for area in [
        "users",
        "settings",
        "module_manager",
        "events",
        "layout_editor",
    ] {
        let can =
            |a: &permatrix::Authorizer| a.user(actor).is_some_and(|id| a.can_admin(id, area, None));
        ensure!(!can(now) || can(was), "{actor} gained the area {area}");
    }
    let (Some(a), Some(b)) = (was.user(actor), now.user(actor)) else {
        return Ok(());
    };
    if was.bypasses(a) {
        return Ok(());
    }
    let delta = permatrix::diff(was, now);
    for (user, changes) in &delta.users {
        if user == actor {
            ensure!(
                changes.iter().all(|c| !c.is_gain()),
                "{actor} gained {changes:?}"
            );
        }
    }
    ensure!(!now.bypasses(b), "{actor} gained the admin bypass");
    Ok(())
}

/// Applies the change `choice` describes and checks SPEC §7 around it: a refusal changes
/// nothing (document and revision), a success counts one revision and leaves a valid
/// policy, an actor below `admin` gains nothing, and an active admin remains.
pub fn step(policy: &mut Policy, choice: &[u8]) -> Result<(), String> {
    let (before, revision) = (
        policy.to_json().map_err(|e| e.to_string())?,
        policy.revision(),
    );
    let was = policy
        .compile()
        .map_err(|e| format!("the policy before: {e}"))?;
    let had_admin = active_admins(&was) > 0;
    match random_change(policy, choice) {
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
                no_gain_below_admin(&was, &now, actor)
                    .map_err(|e| format!("{e}\nafter {}", event.summary()))?;
            }
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

fn active_admins(auth: &permatrix::Authorizer) -> usize {
    auth.policy()
        .users
        .keys()
        .filter(|u| {
            auth.user(u).is_some_and(|id| {
                auth.user_active(id) == Some(true)
                    && auth.admin_level(id) == Some(AdminLevel::Admin)
            })
        })
        .count()
}

/// The `admin` fuzz target: `data` is a sequence of 8-byte changes applied to [`BASE`].
pub fn run(data: &[u8]) {
    let Ok(mut policy) = Policy::from_json(BASE) else {
        panic!("the base policy reads");
    };
    for choice in data.chunks(8).take(64) {
        if let Err(violation) = step(&mut policy, choice) {
            panic!("{violation}");
        }
    }
}
