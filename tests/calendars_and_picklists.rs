//! Calendar access and picklist values where the conformance cases do not reach: who may
//! add picklist values, the crate's choice for inactive team calendars, and what
//! `explain_calendar` names.

use permatrix::{CalendarLevel, CalendarReason, Owner, Policy};

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
    let may = |user: &str, field: &str| {
        auth.can_add_picklist_value(auth.user(user).unwrap(), deals, field)
    };
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
