//! Issue 7, finding 3: an id kept across a recompile must never name someone else. Ids
//! carry the generation of the compile that issued them; every later compile denies them
//! in `can` and reports `stale_id` in `try_can`, whatever the change did to positions.

// tests may unwrap and index: a panic is a failed test, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use permatrix::{
    Action, Admin, AuditEvent, Authorizer, LiveAuthorizer, Policy, PolicyError, Record,
    admin::TransferTarget, policy::User,
};

const POLICY: &str = r#"{
  "version": 1,
  "modules": { "deals": {} },
  "profiles": { "rep": { "modules": { "deals": { "access": "on",
                  "actions": { "view": "owner", "edit": "owner" } } } } },
  "roles": { "rep": { "profiles": ["rep"] } },
  "teams": { "admins": { "users": ["root"], "admin": "admin" }, "north": { "users": ["bob"] } },
  "users": { "root": {}, "ann": { "roles": ["rep"] }, "bob": { "roles": ["rep"] },
             "carol": { "roles": ["rep"] } }
}"#;

/// Compiles, applies `change` as root, compiles again; returns both authorizers.
fn around(
    change: impl FnOnce(&mut Admin<'_>) -> Result<AuditEvent, PolicyError>,
) -> (Authorizer, Authorizer) {
    let mut policy = Policy::from_json(POLICY).unwrap();
    let before = policy.compile().unwrap();
    change(&mut policy.admin("root")).unwrap();
    (before, policy.compile().unwrap())
}

/// Bob's id from `before`, asked about Carol's deal (and Bob's own) in `after`.
fn stale_bob_is_denied(before: &Authorizer, after: &Authorizer) {
    let stale_bob = before.user("bob").unwrap();
    let deals = after.module("deals").unwrap();
    let carol = after.user("carol").unwrap();
    let carols_deal = Record::owned_by_user(deals, carol);
    for action in [Action::View, Action::Edit] {
        assert!(!after.can(stale_bob, action, &carols_deal));
        let err = after.try_can(stale_bob, action, &carols_deal).unwrap_err();
        assert_eq!(err.code(), "stale_id");
    }
    assert!(
        after.filter(stale_bob, Action::List, deals).condition()
            == &permatrix::filter::Condition::False
    );
    assert!(after.user_name(stale_bob).is_err());
    assert!(after.user_active(stale_bob).is_err());
    assert!(after.matrix(stale_bob).is_err());
    assert!(after.teams_of(stale_bob).is_err());
    assert!(after.login(stale_bob).is_err());
    assert!(!after.explain(stale_bob, Action::View, &carols_deal).allowed);
    // a record naming a stale owner is as unknown as a stale user
    let stale_carol = before.user("carol").unwrap();
    let stale_record = Record::owned_by_user(deals, stale_carol);
    assert!(!after.can(carol, Action::View, &stale_record));
    assert_eq!(
        after
            .try_can(carol, Action::View, &stale_record)
            .unwrap_err()
            .code(),
        "stale_id"
    );
    // resolved again, the names mean what they say
    if let Some(bob) = after.user("bob") {
        assert!(after.can(bob, Action::View, &Record::owned_by_user(deals, bob)));
        assert!(!after.can(bob, Action::View, &carols_deal));
    }
    assert!(after.can(carol, Action::View, &carols_deal));
}

#[test]
fn deleting_another_user_shifts_positions_but_not_who_an_id_names() {
    // ann sits before bob: deleting her moves bob to ann's place and carol to bob's
    let (before, after) = around(|a| a.delete_user("ann", TransferTarget::user("root")));
    let stale_bob = before.user("bob").unwrap();
    assert_eq!(
        after.user_at(stale_bob.index()),
        after.user("carol"),
        "this is the position that used to be bob's"
    );
    stale_bob_is_denied(&before, &after);
}

#[test]
fn renaming_copying_and_readding_also_retire_old_ids() {
    let (before, after) = around(|a| a.rename_user("bob", "Robert"));
    stale_bob_is_denied(&before, &after);
    let (before, after) = around(|a| a.copy_user("carol", "dan", None));
    stale_bob_is_denied(&before, &after);
    // bob leaves and a different person joins under the same username
    let (before, after) = around(|a| {
        a.delete_user("bob", TransferTarget::user("root"))?;
        a.add_user(
            "bob",
            User {
                roles: vec!["rep".into()],
                ..User::default()
            },
        )?;
        a.activate_user("bob")
    });
    stale_bob_is_denied(&before, &after);
    // the same document compiled twice: ids of the first compile are not the second's
    let policy = Policy::from_json(POLICY).unwrap();
    stale_bob_is_denied(&policy.compile().unwrap(), &policy.compile().unwrap());
}

#[test]
fn deactivation_keeps_ids_and_a_publish_retires_them() {
    let mut policy = Policy::from_json(POLICY).unwrap();
    let live = LiveAuthorizer::new(policy.compile().unwrap());
    let first = live.current();
    let (bob, deals) = (first.user("bob").unwrap(), first.module("deals").unwrap());
    let bobs = Record::owned_by_user(deals, bob);
    assert!(live.current().can(bob, Action::View, &bobs));
    live.set_active("bob", false);
    assert_eq!(
        live.current().user_active(bob),
        Ok(false),
        "the id still names bob"
    );
    live.set_active("bob", true);
    assert!(live.current().can(bob, Action::View, &bobs));

    policy
        .admin("root")
        .delete_user("ann", TransferTarget::user("root"))
        .unwrap();
    live.publish(policy.compile().unwrap());
    stale_bob_is_denied(&first, &live.current());
}

/// A share on a record naming a principal of another compile makes the record unknown
/// (step 1): denied even to its owner, and `stale_id` in `try_can`, whichever kind of
/// principal it is.
#[test]
fn a_share_to_a_stale_principal_makes_the_record_unknown() {
    let policy = Policy::from_json(POLICY).unwrap();
    let (before, now) = (policy.compile().unwrap(), policy.compile().unwrap());
    let (ann, deals) = (now.user("ann").unwrap(), now.module("deals").unwrap());
    let own = Record::owned_by_user(deals, ann);
    assert!(now.can(ann, Action::View, &own));
    for stale in [
        permatrix::authorizer::PrincipalId::User(before.user("ann").unwrap()),
        permatrix::authorizer::PrincipalId::Team(before.team("north").unwrap()),
        permatrix::authorizer::PrincipalId::Role(before.role("rep").unwrap()),
        permatrix::authorizer::PrincipalId::RoleAndSubordinates(before.role("rep").unwrap()),
    ] {
        let shares = [permatrix::Share {
            to: stale,
            access: permatrix::policy::ShareAccess::Read,
        }];
        let shared = Record::owned_by_user(deals, ann).with_shares(&shares);
        assert!(!now.can(ann, Action::View, &shared), "{stale:?}");
        let err = now.try_can(ann, Action::View, &shared).unwrap_err();
        assert_eq!(err.code(), "stale_id", "{stale:?}");
        assert!(!now.explain(ann, Action::View, &shared).allowed);
    }
}

#[test]
fn an_unknown_user_has_no_results_not_unlimited_ones() {
    let policy = Policy::from_json(r#"{"version":1,"users":{"a":{}}}"#).unwrap();
    let (old, auth) = (policy.compile().unwrap(), policy.compile().unwrap());
    let stale = old.user("a").unwrap();
    assert_eq!(auth.result_limit(auth.user("a").unwrap()), None); // unlimited
    assert_eq!(auth.result_limit(stale), Some(0));
    assert_eq!(auth.try_result_limit(stale).unwrap_err().code(), "stale_id");
}

/// `can_admin` is a check: a module id of another compile denies, even to an `admin`
/// who may enter every area.
#[test]
fn an_area_of_a_stale_module_is_denied() {
    let policy = Policy::from_json(
        r#"{"version":1,"modules":{"deals":{}},"users":{"root":{"admin":"admin"}}}"#,
    )
    .unwrap();
    let (before, after) = (policy.compile().unwrap(), policy.compile().unwrap());
    let root = after.user("root").unwrap();
    let (stale, fresh) = (
        before.module("deals").unwrap(),
        after.module("deals").unwrap(),
    );
    assert!(after.can_admin(root, "layout_editor", Some(fresh)));
    assert!(!after.can_admin(root, "layout_editor", Some(stale)));
    assert!(!after.can_admin(root, "users", Some(stale)));
    assert!(after.can_admin(root, "users", None));
}
