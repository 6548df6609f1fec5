//! Calendar access and picklist values where the conformance cases do not reach: who may
//! add picklist values, the crate's choice for inactive team calendars, and what
//! `explain_calendar` names.

// tests may unwrap and index: a panic is a failed test, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use permatrix::{Owner, Policy, explain::CalendarReason, policy::CalendarLevel};

mod common;
use common::by_name::ByName;

#[test]
fn who_may_add_picklist_values() {
    let auth = Policy::from_json(
        r#"{"version":1,
        "modules":{"deals":{"tools":["create_picklist_values"],"fields":{
            "source":{"picklist":{"values":[{"value":"web"}]}},
            "stage":{"picklist":{"role_bound":true,"values":[{"value":"open"}]}},
            "plain":{}}}},
        "profiles":{"tools":{"modules":{"deals":{"access":"on","tools":{"create_picklist_values":true}}}},
                    "none":{"modules":{"deals":{"access":"on"}}}},
        "roles":{"clerk":{"profiles":["tools"]},"viewer":{"profiles":["none"]}},
        "users":{"clerk":{"roles":["clerk"]},"viewer":{"roles":["viewer"]},
                 "ca":{"admin":"customer_admin","roles":["viewer"]},"su":{"admin":"superuser","roles":["viewer"]},
                 "gone":{"roles":["clerk"],"status":"inactive"}}}"#,
    )
    .unwrap()
    .compile()
    .unwrap();
    let deals = auth.module("deals").unwrap();
    let may = |user: &str, field: &str| auth.can_add_named(auth.user(user).unwrap(), deals, field);
    assert!(may("clerk", "source"), "the tool allows it");
    assert!(!may("viewer", "source"), "no tool, no admin level");
    assert!(
        may("ca", "source"),
        "customer_admin, whatever the profiles say"
    );
    assert!(
        !may("su", "source"),
        "a superuser needs the tool like anyone"
    );
    assert!(!may("gone", "source"), "not active");
    assert!(
        !may("clerk", "stage"),
        "role-bound lists take no new values"
    );
    assert!(!may("ca", "stage"), "not even from an administrator");
    assert!(!may("clerk", "plain"), "no picklist at all");
    assert!(!may("clerk", "nope"), "unknown field");
}

#[test]
fn an_inactive_team_keeps_no_calendar_and_explanations_name_the_decider() {
    let auth = Policy::from_json(
        r#"{"version":1,"users":{"ann":{},"bob":{}},
        "teams":{"old":{"calendar":true,"active":false,"users":["ann"]},
                 "support":{"calendar":true,"users":["ann"],"calendar_rights":{"ann":{"create_edit":true,"delete":true}}}},
        "calendar_shares":[{"owner":{"team":"old"},"to":{"user":"bob"},"level":"details"},
                           {"owner":{"team":"support"},"to":{"user":"bob"},"level":"busy"},
                           {"owner":{"user":"ann"},"to":{"user":"bob"},"level":"edit"}]}"#,
    )
    .unwrap()
    .compile()
    .unwrap();
    let (ann, bob) = (auth.user("ann").unwrap(), auth.user("bob").unwrap());
    let (old, support) = (auth.team("old").unwrap(), auth.team("support").unwrap());
    // the crate's choice: an inactive team has no members and no calendar to share
    assert_eq!(auth.calendar_access(ann, Owner::Team(old)), None);
    assert_eq!(auth.calendar_access(bob, Owner::Team(old)), None);
    assert_eq!(
        auth.explain_calendar(bob, Owner::Team(old)).reason,
        CalendarReason::NoCalendar
    );
    let e = auth.explain_calendar(ann, Owner::Team(support));
    assert_eq!(e.level, Some(CalendarLevel::DeputyFull));
    assert_eq!(
        e.reason,
        CalendarReason::TeamMember {
            create_edit: true,
            delete: true
        }
    );
    let e = auth.explain_calendar(bob, Owner::User(ann));
    assert_eq!(
        (e.level, e.reason),
        (Some(CalendarLevel::Edit), CalendarReason::Share(2))
    );
    assert_eq!(e.to_string(), "edit: calendar share #2");
    assert_eq!(
        auth.explain_calendar(bob, Owner::Team(support)).to_string(),
        "busy: calendar share #1"
    );
    // an id of another compile
    let stale = auth.policy().compile().unwrap().user("ann").unwrap();
    assert_eq!(
        auth.explain_calendar(stale, Owner::User(ann)).reason,
        CalendarReason::UnknownId
    );
    assert!(auth.try_calendar_access(stale, Owner::User(ann)).is_err());
    let json = serde_json::to_value(auth.explain_calendar(bob, Owner::User(ann))).unwrap();
    assert_eq!(json["level"], "edit");
}

#[test]
fn administration_of_calendars_and_picklists_is_guarded_and_audited() {
    use permatrix::{
        ErrorCode,
        policy::{
            CalendarOwner, CalendarRights, CalendarShare, Picklist, PicklistValue, Principal,
        },
    };
    let mut p = Policy::from_json(
        r#"{"version":1,"modules":{"deals":{"fields":{"stage":{"picklist":{"role_bound":true,
              "values":[{"value":"open"},{"value":"won","roles":["boss"]}]}}}}},
        "profiles":{"p":{}},"roles":{"boss":{"profiles":["p"]},"rep":{"profiles":["p"]}},
        "teams":{"support":{"calendar":true,"users":["su","ann"]},"sales":{"calendar":true,"users":["bob"]}},
        "users":{"root":{"admin":"admin"},"su":{"admin":"superuser","roles":["rep"]},"ann":{},"bob":{}}}"#,
    )
    .unwrap();
    let share = |to: &str| CalendarShare {
        owner: CalendarOwner::User("bob".into()),
        to: Principal::User(to.into()),
        level: CalendarLevel::Details,
    };
    // below admin: no calendar share to oneself, no rights on one's own team's calendar,
    // no picklist binding that shows oneself more values
    let before = p.to_json().unwrap();
    let err = p.admin("su").add_calendar_share(share("su")).unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotPermitted, "{err}");
    let rights = CalendarRights {
        create_edit: true,
        delete: true,
    };
    let err = p
        .admin("su")
        .set_calendar_rights("support", "ann", Some(rights))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotPermitted, "{err}");
    let widened = Picklist {
        role_bound: true,
        values: vec![
            PicklistValue {
                value: "open".into(),
                roles: vec![],
            },
            PicklistValue {
                value: "won".into(),
                roles: vec!["boss".into(), "rep".into()],
            },
        ],
    };
    let err = p
        .admin("su")
        .set_picklist("deals", "stage", Some(widened.clone()))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotPermitted, "{err}");
    assert_eq!(p.to_json().unwrap(), before, "a refusal changes nothing");
    // what does not reach the actor is allowed, and audited
    let event = p.admin("su").add_calendar_share(share("ann")).unwrap();
    assert_eq!(event.operation, "calendar_share.add");
    assert_eq!(event.target, "calendar_shares[0]");
    p.admin("su")
        .set_calendar_rights("sales", "bob", Some(rights))
        .unwrap();
    // an admin may do all of it
    p.admin("root")
        .set_picklist("deals", "stage", Some(widened))
        .unwrap();
    p.admin("root").set_team_calendar("support", false).unwrap();
    p.admin("root").remove_calendar_share(0).unwrap();
    let auth = p.compile().unwrap();
    let (su, bob) = (auth.user("su").unwrap(), auth.user("bob").unwrap());
    let deals = auth.module("deals").unwrap();
    assert_eq!(auth.picklist_named(su, deals, "stage"), ["open", "won"]);
    let sales = auth.team("sales").unwrap();
    assert_eq!(
        auth.calendar_access(bob, Owner::Team(sales)),
        Some(CalendarLevel::DeputyFull)
    );
    let support = auth.team("support").unwrap();
    assert_eq!(auth.calendar_access(su, Owner::Team(support)), None);
    assert_eq!(
        p.admin("root")
            .set_picklist("deals", "nope", None)
            .unwrap_err()
            .code(),
        ErrorCode::UnknownReference
    );
}

#[test]
fn diff_shows_calendar_and_picklist_changes() {
    let old = Policy::from_json(
        r#"{"version":1,"modules":{"deals":{"fields":{"stage":{"picklist":{"role_bound":true,
              "values":[{"value":"open"},{"value":"won","roles":["boss"]}]}}}}},
        "profiles":{"p":{}},"roles":{"boss":{"profiles":["p"]},"rep":{"profiles":["p"]}},
        "teams":{"support":{"users":["ann"]}},
        "users":{"ann":{"roles":["rep"]},"bob":{}}}"#,
    )
    .unwrap();
    let mut new = old.clone();
    new.teams["support"].calendar = true;
    new.calendar_shares.push(permatrix::policy::CalendarShare {
        owner: permatrix::policy::CalendarOwner::User("bob".into()),
        to: permatrix::policy::Principal::User("ann".into()),
        level: CalendarLevel::Titles,
    });
    new.modules["deals"].fields["stage"]
        .picklist
        .as_mut()
        .unwrap()
        .values[1]
        .roles
        .push("rep".into());
    let d = permatrix::diff(&old.compile().unwrap(), &new.compile().unwrap());
    let text = d.to_string();
    assert!(
        text.contains("+ calendar of user `bob`: none -> titles"),
        "{text}"
    );
    assert!(
        text.contains("+ calendar of team `support`: none -> details"),
        "{text}"
    );
    assert!(
        text.contains("+ may now pick `won` in `deals.stage`"),
        "{text}"
    );
    assert!(!text.contains("bob:\n"), "bob gains nothing: {text}");
}

#[test]
fn the_matrix_shows_calendars_and_picklist_restrictions() {
    let auth = Policy::from_json(
        r#"{"version":1,"modules":{"deals":{"fields":{"stage":{"picklist":{"role_bound":true,
              "values":[{"value":"open"},{"value":"won","roles":["boss"]}]}}}}},
        "profiles":{"p":{}},"roles":{"boss":{"profiles":["p"]},"rep":{"profiles":["p"]}},
        "teams":{"support":{"calendar":true,"users":["ann"]}},
        "users":{"ann":{"roles":["rep"]},"bob":{}},
        "calendar_shares":[{"owner":{"user":"bob"},"to":{"user":"ann"},"level":"titles"}]}"#,
    )
    .unwrap()
    .compile()
    .unwrap();
    let view = auth.matrix(auth.user("ann").unwrap()).unwrap();
    assert_eq!(
        view.calendars,
        [
            ("user bob".to_string(), CalendarLevel::Titles),
            ("team support".to_string(), CalendarLevel::Details)
        ]
    );
    assert_eq!(
        view.picklist_restrictions,
        [(
            "deals".to_string(),
            "stage".to_string(),
            vec!["won".to_string()]
        )]
    );
    let text = view.to_text();
    assert!(text.contains("calendar of user bob: titles"), "{text}");
    assert!(text.contains("deals.stage: may not pick won"), "{text}");
    assert!(
        view.to_markdown()
            .contains("- calendar of team support: details")
    );
    let json: serde_json::Value = serde_json::from_str(&view.to_json()).unwrap();
    assert_eq!(json["calendars"]["user bob"], "titles");
    assert_eq!(json["picklist_restrictions"][0]["hidden"][0], "won");
}
