//! A superuser's reach (SPEC §7): moving or adding roles, transferring records, settings,
//! team nesting and publishing order must not let a superuser reach a user or record
//! outside their subordinates, and one change costs near-linear time however many rules
//! point at them. Each test states what SPEC.md or SECURITY.md promises.

// tests may unwrap and index: a panic is a failed test, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use permatrix::{Action, ErrorCode, Policy, Record, admin::TransferTarget};

/// Superuser `su` holds `boss` and `rep` (rep is a child of boss, and rep has a child of
/// its own). Victim `vic` holds the unrelated top-level role `q`.
const NESTED: &str = r#"{
  "version": 1,
  "modules": { "deals": {} },
  "profiles": { "p": { "modules": { "deals": { "access": "on",
                 "actions": { "view": "owner", "list": "owner", "edit": "owner" } } } } },
  "roles": {
    "boss": { "profiles": ["p"] },
    "rep":  { "parent": "boss", "profiles": ["p"] },
    "q":    { "profiles": ["p"] },
    "sub":  { "parent": "rep", "profiles": ["p"] }
  },
  "users": {
    "root": { "admin": "admin" },
    "su":   { "admin": "superuser", "roles": ["boss", "rep"] },
    "vic":  { "roles": ["q"] }
  }
}"#;

fn su_sees_vic(p: &Policy) -> bool {
    let auth = p.compile().unwrap();
    let (su, vic, deals) = (
        auth.user("su").unwrap(),
        auth.user("vic").unwrap(),
        auth.module("deals").unwrap(),
    );
    auth.can(su, Action::View, &Record::owned_by_user(deals, vic))
}

/// a superuser who holds two nested roles gains a subordinate (and with it every record
/// the subordinate owns) by moving a role under their own: the guard's subordinate set
/// assumes the actor's role spans are disjoint.
#[test]
fn no_subordinate_gained_by_moving_a_role_under_nested_roles() {
    let mut p = Policy::from_json(NESTED).unwrap();
    assert!(!su_sees_vic(&p));
    let result = p.admin("su").move_role("q", Some("boss"));
    let gained = su_sees_vic(&p);
    assert!(
        result.is_err(),
        "move_role accepted; su now sees vic's deals: {gained}"
    );
    assert_eq!(result.unwrap_err().code(), ErrorCode::NotPermitted);
}

/// the same through two steps: a new role under `boss`, then the victim assigned to it.
#[test]
fn no_subordinate_gained_by_adding_a_role_then_assigning_it() {
    let mut p = Policy::from_json(NESTED).unwrap();
    p.admin("su").add_role("n", Some("boss"), &["p"]).unwrap(); // harmless on its own
    let result = p
        .admin("su")
        .update_user("vic", |u| u.roles = vec!["n".into()]);
    let gained = su_sees_vic(&p);
    assert!(
        result.is_err(),
        "assigning vic under boss accepted; su now sees vic's deals: {gained}"
    );
}

/// Control: with only `boss` (no nested second role) the same move is refused.
#[test]
fn moving_a_role_under_a_single_held_role_is_refused() {
    let mut p =
        Policy::from_json(&NESTED.replace(r#""roles": ["boss", "rep"]"#, r#""roles": ["boss"]"#))
            .unwrap();
    let err = p.admin("su").move_role("q", Some("boss")).unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotPermitted);
}

/// A superuser with `owner`-only deals, a victim in no team of theirs, a team they are in.
const TRANSFER: &str = r#"{
  "version": 1,
  "modules": { "deals": {} },
  "profiles": { "p": { "modules": { "deals": { "access": "on",
                 "actions": { "view": "owner", "edit": "owner", "delete": "owner" } } } } },
  "roles": { "rep": { "profiles": ["p"] } },
  "teams": { "mine": { "users": ["su"] }, "theirs": { "users": ["vic"] } },
  "users": {
    "root": { "admin": "admin" },
    "su":   { "admin": "superuser", "roles": ["rep"] },
    "vic":  { "roles": ["rep"] }
  }
}"#;

/// deleting another user with the actor as transfer target hands the actor every record
/// the victim owned (the host applies `AuditEvent::transfer`). The guard judges only the
/// policy, so a superuser "subject to data checks" takes over anyone's records.
#[test]
fn no_transfer_of_others_records_to_oneself() {
    let mut p = Policy::from_json(TRANSFER).unwrap();
    let result = p.admin("su").delete_user("vic", TransferTarget::user("su"));
    if let Ok(event) = &result {
        assert_eq!(event.transfer, Some(TransferTarget::User("su".into())));
    }
    assert!(
        result.is_err(),
        "accepted: vic's records go to su, who could not view them before"
    );
}

/// the same with a team: its records go to a team the actor belongs to, and
/// team-owned records are reached by every member (SPEC §4 step 6).
#[test]
fn no_transfer_of_team_records_to_ones_own_team() {
    let mut p = Policy::from_json(TRANSFER).unwrap();
    let auth = p.compile().unwrap();
    let (su, deals, theirs) = (
        auth.user("su").unwrap(),
        auth.module("deals").unwrap(),
        auth.team("theirs").unwrap(),
    );
    assert!(!auth.can(su, Action::View, &Record::owned_by_team(deals, theirs)));
    let result = p
        .admin("su")
        .delete_team("theirs", TransferTarget::Team("mine".into()));
    assert!(
        result.is_err(),
        "accepted: records of `theirs` go to su's own team `mine`"
    );
}

/// `merge` is not a bounding setting and the effect check does not look at
/// `result_limit`: a superuser lifts their own search-result cap from 10 to 100000.
#[test]
fn no_wider_own_result_limit_through_merge() {
    let doc = r#"{
      "version": 1,
      "settings": { "merge": "subtractive" },
      "teams": { "small": { "users": ["su"], "result_limit": 10 },
                 "big":   { "users": ["su"], "result_limit": 100000 } },
      "users": { "root": { "admin": "admin" }, "su": { "admin": "superuser" } }
    }"#;
    let mut p = Policy::from_json(doc).unwrap();
    let limit = |p: &Policy| {
        let a = p.compile().unwrap();
        a.result_limit(a.user("su").unwrap())
    };
    assert_eq!(limit(&p), Some(10));
    let result = p
        .admin("su")
        .update_settings(|s| s.merge = permatrix::policy::Merge::Additive);
    assert!(
        result.is_err(),
        "accepted: su's own result limit is now {:?}",
        limit(&p)
    );
}

/// "no change may touch ... a role or team that makes them a member".
/// Role `r` makes the customer_admin `ca` a member of team `t`; a superuser moves it.
#[test]
fn a_role_that_makes_an_administrator_a_member_is_guarded() {
    let doc = r#"{
      "version": 1,
      "profiles": { "p": {} },
      "roles": { "r": { "profiles": ["p"] }, "other": { "profiles": ["p"] } },
      "teams": { "t": { "roles": ["r"], "factors": ["totp"] } },
      "users": { "root": { "admin": "admin" }, "su": { "admin": "superuser" },
                 "ca": { "admin": "customer_admin", "roles": ["r"] } }
    }"#;
    let mut p = Policy::from_json(doc).unwrap();
    let result = p.admin("su").move_role("r", Some("other"));
    assert_eq!(
        result.map(|_| ()).map_err(|e| e.code()),
        Err(ErrorCode::NotPermitted),
        "SPEC §7 forbids touching a role that makes an administrator a member"
    );
}

/// `LiveAuthorizer::publish` takes any authorizer, also one compiled before a
/// deactivation that `set_active` already applied: the deactivated user is active again.
#[test]
fn publishing_an_older_compile_cannot_undo_a_deactivation() {
    let mut p = Policy::from_json(TRANSFER).unwrap();
    let in_flight = p.compile().unwrap(); // compile started before the deactivation
    let live = permatrix::LiveAuthorizer::new(in_flight.clone());
    p.admin("root").deactivate_user("vic").unwrap();
    assert!(live.set_active("vic", false));
    live.publish(in_flight); // the background compile finishes and is published
    let cur = live.current();
    let vic = cur.user("vic").unwrap();
    let deals = cur.module("deals").unwrap();
    assert!(
        !cur.can(vic, Action::View, &Record::owned_by_user(deals, vic)),
        "deactivated user allowed again (policy revision {} vs published {})",
        p.revision(),
        cur.policy().revision()
    );
}

/// "no self-grant: ... a team they belong to". Adding a user to the actor's own team is
/// refused when written into that team, but accepted through a team nested in it (or a
/// role entry): the victim becomes a member of `mine`, and every record the victim creates
/// from then on is linked to `mine` (SPEC §7 new records), which the actor's `team` scope
/// reaches.
#[test]
fn no_members_added_to_ones_own_team_through_a_nested_team() {
    let doc = r#"{
      "version": 1,
      "modules": { "deals": {} },
      "profiles": { "p": { "modules": { "deals": { "access": "on", "actions": { "view": "team" } } } } },
      "roles": { "rep": { "profiles": ["p"] } },
      "teams": { "mine": { "users": ["su"], "teams": ["inner"] }, "inner": {} },
      "users": { "root": { "admin": "admin" }, "su": { "admin": "superuser", "roles": ["rep"] },
                 "vic": { "roles": ["rep"] } }
    }"#;
    let mut p = Policy::from_json(doc).unwrap();
    // written into `mine` itself: refused
    assert_eq!(
        p.admin("su")
            .add_team_member("mine", "vic")
            .unwrap_err()
            .code(),
        ErrorCode::NotPermitted
    );
    // the same membership through `inner`
    let result = p.admin("su").add_team_member("inner", "vic");
    let auth = p.compile().unwrap();
    let (su, vic, deals) = (
        auth.user("su").unwrap(),
        auth.user("vic").unwrap(),
        auth.module("deals").unwrap(),
    );
    let teams = auth.new_record_teams(vic, None, &[]).unwrap_or_default();
    let new_deal = Record::owned_by_user(deals, vic).with_teams(&teams);
    assert!(
        result.is_err(),
        "accepted: vic is now in su's team; su sees vic's new deals: {}",
        auth.can(su, Action::View, &new_deal)
    );
}

/// one administration change by a superuser costs O(rules to them x users) with a
/// String allocation per pair (guard.rs `rule_owners`), so a ~95 kB document that compiles
/// in milliseconds makes every change that superuser makes take seconds (3,000 rules and
/// 3,000 users, 287 kB: 98 s in a debug build). SECURITY.md: "one administration change
/// ... near-linear in the policy's size".
#[test]
fn one_change_is_not_quadratic_in_rules_times_users() {
    let n = 1000;
    let list = |n: usize, f: &dyn Fn(usize) -> String| (0..n).map(f).collect::<Vec<_>>().join(",");
    let doc = format!(
        r#"{{"version":1,"modules":{{"m":{{}}}},
        "profiles":{{"p":{{"modules":{{"m":{{"access":"on","actions":{{"view":"owner"}}}}}}}}}},
        "roles":{{"r":{{"profiles":["p"]}}}}, "teams":{{"all":{{"roles":["r"]}}}},
        "users":{{"root":{{"admin":"admin"}},"su":{{"admin":"superuser","roles":["r"]}},{}}},
        "sharing_rules":[{}]}}"#,
        list(n, &|i| format!(r#""u{i}":{{"roles":["r"]}}"#)),
        list(n, &|_| {
            r#"{"module":"m","from":{"team":"all"},"to":{"user":"su"},"access":"read"}"#.to_string()
        }),
    );
    let mut p = Policy::from_json(&doc).unwrap();
    let t = std::time::Instant::now();
    p.compile().unwrap();
    let compile = t.elapsed();
    let t = std::time::Instant::now();
    p.admin("su").rename_user("u1", "x").unwrap();
    let change = t.elapsed();
    assert!(
        change < std::time::Duration::from_secs(1),
        "doc {} B: compile {compile:?}, one rename by su {change:?}",
        doc.len()
    );
}

/// the heir need not be the actor; a subordinate or a
/// user sharing the actor's role hands the records over just as well.
#[test]
fn an_heir_within_the_actors_reach_is_refused_and_a_neutral_heir_is_not() {
    let doc = r#"{
      "version": 1,
      "modules": { "deals": {} },
      "profiles": { "p": { "modules": { "deals": { "access": "on",
                     "actions": { "view": "role", "edit": "owner" } } } } },
      "roles": { "boss": { "profiles": ["p"] }, "low": { "parent": "boss", "profiles": ["p"] },
                 "q": { "profiles": ["p"] }, "x": { "profiles": ["p"] } },
      "users": { "root": { "admin": "admin" }, "su": { "admin": "superuser", "roles": ["boss"] },
                 "mate": { "roles": ["boss"] }, "below": { "roles": ["low"] },
                 "vic": { "roles": ["q"] }, "other": { "roles": ["x"] } }
    }"#;
    for heir in ["su", "mate", "below"] {
        let mut p = Policy::from_json(doc).unwrap();
        let before = p.to_json().unwrap();
        let err = p
            .admin("su")
            .delete_user("vic", TransferTarget::user(heir))
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::NotPermitted, "{heir}: {err}");
        assert_eq!(p.to_json().unwrap(), before);
    }
    // an heir the actor reaches no further than the deleted user is fine, as for an admin
    let mut p = Policy::from_json(doc).unwrap();
    p.admin("su")
        .delete_user("vic", TransferTarget::user("other"))
        .unwrap();
    let mut p = Policy::from_json(doc).unwrap();
    p.admin("root")
        .delete_user("vic", TransferTarget::user("su"))
        .unwrap();
}
