//! Explanations name the deciding step and what was involved; matrices render in four
//! formats that agree with each other and with `cell`.

// tests may unwrap and index: a panic is a failed test, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use permatrix::filter::Condition;
use permatrix::{
    Action, Authorizer, Policy, Record, Share, UserId,
    authorizer::{Cell, PrincipalId},
    explain::{OwnerFact, Step},
    policy::ShareAccess,
};

fn demo() -> Authorizer {
    Policy::from_json(include_str!("../../examples/policies/minicrm.json"))
        .unwrap()
        .compile()
        .unwrap()
}

fn user(auth: &Authorizer, name: &str) -> UserId {
    auth.user(name).unwrap()
}

#[test]
fn every_step_is_reported() {
    let auth = demo();
    let (ben, lea, mia, tom, owner) = (
        user(&auth, "ben"),
        user(&auth, "lea"),
        user(&auth, "mia"),
        user(&auth, "tom"),
        user(&auth, "owner"),
    );
    let sales = auth.module("sales").unwrap();
    let invoices = auth.module("invoices").unwrap();
    let leas = Record::owned_by_user(sales, lea);

    let e = auth.explain(
        ben,
        Action::View,
        &Record::owned_by_user(sales, stale_user(&auth)),
    );
    assert_eq!((e.step, e.allowed), (Step::UnknownId, false));
    assert!(e.error.is_some());

    assert_eq!(auth.explain(tom, Action::View, &leas).step, Step::NotActive);
    assert_eq!(
        auth.explain(owner, Action::Delete, &leas).step,
        Step::AdminBypass
    );
    assert_eq!(
        auth.explain(ben, Action::View, &Record::owned_by_user(invoices, ben))
            .step,
        Step::NoGrant
    );
    assert_eq!(
        auth.explain_module(ben, Action::Create, sales).step,
        Step::ModuleWide
    );

    let own = auth.explain(ben, Action::Edit, &Record::owned_by_user(sales, ben));
    assert!(matches!(own.step, Step::Cell(Cell::OWNER, f) if f.owner == Some(OwnerFact::Itself)));

    // mia's manager role is the parent of ben's user role
    let superior = auth.explain(mia, Action::Delete, &Record::owned_by_user(sales, ben));
    match superior.step {
        Step::Cell(_, facts) => match facts.owner {
            Some(OwnerFact::Superior {
                superior,
                subordinate,
            }) => {
                assert_eq!(auth.role_name(superior), Ok("manager"));
                assert_eq!(auth.role_name(subordinate), Ok("user"));
            }
            other => panic!("expected the hierarchy, got {other:?}"),
        },
        other => panic!("expected step 6, got {other:?}"),
    }

    let share = [Share {
        to: PrincipalId::User(ben),
        access: ShareAccess::Read,
    }];
    let shared = auth.explain(ben, Action::View, &leas.with_shares(&share));
    assert_eq!(shared.step, Step::RecordShare(0));
    assert!(shared.to_string().contains("user `ben`"), "{shared}");

    let denied = auth.explain(ben, Action::View, &leas);
    assert!(matches!(denied.step, Step::NotReached(Cell::OWNER, _)));
    assert!(!denied.allowed);
}

#[test]
fn explanation_lists_sources_and_profiles() {
    let auth = Policy::from_json(
        r#"{"version":1,"settings":{"default_role":"standard"},
        "modules":{"m":{}},
        "profiles":{"base":{"modules":{"m":{"access":"on","actions":{"view":"owner"}}}},
                    "wide":{"modules":{"m":{"access":"on","actions":{"view":"all"}}}},
                    "cap":{"modules":{"m":{"access":"on","actions":{"view":"team"}}}}},
        "roles":{"standard":{"profiles":["base"]},"sales":{"profiles":["base","wide"]}},
        "teams":{"t":{"users":["u"],"role":"sales","ceiling":"cap"}},
        "users":{"u":{"roles":["sales"]},"v":{}}}"#,
    )
    .unwrap()
    .compile()
    .unwrap();
    let (u, v, m) = (
        auth.user("u").unwrap(),
        auth.user("v").unwrap(),
        auth.module("m").unwrap(),
    );
    let e = auth.explain(u, Action::View, &Record::owned_by_user(m, v));
    assert!(e.allowed);
    // (role, default, direct, via teams, ceiling, cell)
    type Row<'a> = (&'a str, bool, bool, Vec<String>, Option<String>, Cell);
    let roles: Vec<Row<'_>> = e
        .sources
        .iter()
        .map(|s| {
            (
                s.role.as_str(),
                s.default_role,
                s.direct,
                s.via_teams.clone(),
                s.ceiling.clone(),
                s.cell,
            )
        })
        .collect();
    assert!(
        roles.contains(&("standard", true, false, vec![], None, Cell::OWNER)),
        "{roles:?}"
    );
    assert!(
        roles.contains(&("sales", false, true, vec![], None, Cell::ALL)),
        "{roles:?}"
    );
    assert!(
        roles.contains(&(
            "sales",
            false,
            false,
            vec!["t".to_string()],
            Some("cap".to_string()),
            Cell::TEAM
        )),
        "{roles:?}"
    );
    let sales = e
        .sources
        .iter()
        .find(|s| s.role == "sales" && s.direct)
        .unwrap();
    assert_eq!(
        sales.profiles,
        vec![
            ("base".to_string(), Cell::OWNER),
            ("wide".to_string(), Cell::ALL)
        ]
    );
    let text = e.to_string();
    assert!(text.starts_with("ALLOW `u` view on `m` (step 6)"), "{text}");
    assert!(
        text.contains("via team `t`") && text.contains("ceiling `cap`"),
        "{text}"
    );
}

#[test]
fn renderings_agree_with_the_matrix() {
    let auth = demo();
    for name in ["mia", "ben", "ext", "owner", "tom"] {
        let u = user(&auth, name);
        let view = auth.matrix(u).unwrap();
        let csv = view.to_csv();
        let json: serde_json::Value = serde_json::from_str(&view.to_json()).unwrap();
        let text = view.to_text();
        let md = view.to_markdown();
        assert_eq!(csv.lines().count(), auth.policy().modules.len() + 1);
        for (module_name, _) in &auth.policy().modules {
            let m = auth.module(module_name).unwrap();
            let csv_row: Vec<&str> = csv
                .lines()
                .find(|l| l.starts_with(&format!("{module_name},")))
                .unwrap()
                .split(',')
                .collect();
            assert_eq!(csv_row[1], auth.module_access(u, m).unwrap().as_str());
            for action in Action::ALL {
                let cell = auth.cell(u, m, *action).unwrap();
                assert_eq!(csv_row[2 + action.index()], cell.name());
                assert_eq!(
                    json["modules"][module_name]["actions"][action.as_str()],
                    cell.name()
                );
                assert_eq!(Cell::parse(cell.name()), Some(cell));
            }
            assert!(
                text.contains(module_name.as_str()) && md.contains(&format!("| {module_name} |"))
            );
        }
        assert_eq!(json["user"], name);
    }
    let owner = auth.matrix(user(&auth, "owner")).unwrap();
    assert!(owner.bypass && owner.to_text().contains("every check is allowed"));
    let tom = auth.matrix(user(&auth, "tom")).unwrap();
    assert!(!tom.active && tom.to_markdown().contains("not active"));
    assert!(auth.matrix(stale_user(&auth)).is_err());
}

#[test]
fn csv_quotes_awkward_module_names() {
    let auth =
        Policy::from_json(r#"{"version":1,"modules":{"deals, \"big\"":{}},"users":{"a":{}}}"#)
            .unwrap()
            .compile()
            .unwrap();
    let csv = auth.matrix(auth.user("a").unwrap()).unwrap().to_csv();
    assert!(csv.contains("\"deals, \"\"big\"\"\",off,none"), "{csv}");
}

#[test]
fn identical_users_share_a_row() {
    let mut policy =
        Policy::from_json(include_str!("../../examples/policies/minicrm.json")).unwrap();
    let before = policy.compile().unwrap().matrix_rows();
    for i in 0..500 {
        let template = policy.users["ben"].clone();
        policy.users.insert(format!("clone{i}"), template);
    }
    let auth = policy.compile().unwrap();
    assert_eq!(auth.matrix_rows(), before);
    let (ben, clone) = (auth.user("ben").unwrap(), auth.user("clone7").unwrap());
    let sales = auth.module("sales").unwrap();
    assert_eq!(
        auth.cell(ben, sales, Action::View),
        auth.cell(clone, sales, Action::View)
    );
    // the row is shared, the ownership is not
    assert!(!auth.can(clone, Action::Edit, &Record::owned_by_user(sales, ben)));
}

#[test]
fn debug_output_of_an_authorizer_is_a_summary() {
    let auth = demo();
    let text = format!("{auth:?}");
    assert!(
        text.starts_with("Authorizer { users: 6, modules: 6"),
        "{text}"
    );
    assert!(text.len() < 200, "{text}");
}

/// The id of the same user in an earlier compile of the same policy: unknown here.
fn stale_user(auth: &permatrix::Authorizer) -> UserId {
    let earlier = auth.policy().compile().unwrap();
    earlier.user_at(0).unwrap()
}

#[test]
fn explanations_name_the_owner_the_teams_and_the_hierarchy_path() {
    let auth = Policy::from_json(
        r#"{"version":1,"modules":{"deals":{}},
        "profiles":{"p":{"modules":{"deals":{"access":"on","actions":{"view":"owner"}}}}},
        "roles":{"director":{"profiles":["p"]},"manager":{"parent":"director","profiles":["p"]},
                 "rep":{"parent":"manager","profiles":["p"]}},
        "teams":{"south":{"key":12,"name":"Team Süd"}},
        "users":{"dora":{"roles":["director"],"key":101,"display_name":"Dora"},
                 "sam":{"roles":["rep"],"key":104}}}"#,
    )
    .unwrap()
    .compile()
    .unwrap();
    let (dora, sam) = (user(&auth, "dora"), user(&auth, "sam"));
    let deals = auth.module("deals").unwrap();
    let south = [auth.team("south").unwrap()];
    let deal = permatrix::Record::owned_by_user(deals, sam).with_teams(&south);
    let e = auth.explain(dora, Action::View, &deal);
    assert!(e.allowed);
    assert_eq!(e.hierarchy, ["director", "manager", "rep"]);
    assert_eq!(e.owner.as_ref().map(|o| o.id.as_str()), Some("sam"));
    assert_eq!(e.record_teams[0].key, Some(12.into()));
    let text = e.to_string();
    assert!(
        text.starts_with("ALLOW `dora` (Dora, key 101) view on `deals` (step 6)"),
        "{text}"
    );
    assert!(
        text.contains("owned by user `sam` (key 104), linked to team `south` (Team Süd, key 12)"),
        "{text}"
    );
    assert!(
        text.contains("hierarchy: director > manager > rep"),
        "{text}"
    );
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["hierarchy"][1], "manager");
    assert_eq!(json["sources"][0]["cell"], "owner");
    // an unknown user reads as one, not as an empty name
    let stale = stale_user(&auth);
    let text = auth.explain(stale, Action::View, &deal).to_string();
    assert!(
        text.starts_with("DENY an unknown user view on `deals` (step 1)"),
        "{text}"
    );
    let json = serde_json::to_value(auth.explain(stale, Action::View, &deal)).unwrap();
    assert_eq!(json["error"]["code"], "stale_id");
}

/// Names are the policy's data: in Markdown they stay text (no HTML, no link, no extra
/// cell), in CSV no field starts a formula, and JSON gives them back exactly.
#[test]
fn hostile_names_stay_text_in_every_matrix_format() {
    let p = Policy::from_json(
        r#"{"version":1,"modules":{"<img src=x onerror=alert(1)>":{},"=HYPERLINK(\"http://x\",\"y\")":{},
            "+cmd":{},"-2+3":{},"@SUM(A1)":{},"a|b":{},"[x](javascript:y)":{}},
          "users":{"<b>eve</b>":{"status":"inactive"}}}"#,
    )
    .unwrap();
    let auth = p.compile().unwrap();
    let view = auth.matrix(auth.user("<b>eve</b>").unwrap()).unwrap();
    let md = view.to_markdown();
    for raw in ["<img", "<b>", "](javascript", "a|b"] {
        assert!(!md.contains(raw), "markdown kept `{raw}`:\n{md}");
    }
    assert!(
        md.contains("&lt;img src=x onerror=alert\\(1\\)&gt;"),
        "{md}"
    );
    assert!(md.contains("&lt;b&gt;eve&lt;/b&gt;"), "{md}");
    // every table row keeps its eleven cells: no name opened a new one
    for row in md.lines().filter(|l| l.starts_with("| ")) {
        assert_eq!(row.matches(" | ").count(), 9, "{row}");
    }
    let csv = view.to_csv();
    for line in csv.lines().skip(1) {
        let first = line.trim_start_matches('"');
        assert!(
            !first.starts_with(['=', '+', '-', '@']),
            "a formula: {line}"
        );
    }
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""),
        "{csv}"
    );
    assert!(csv.contains("\n'+cmd,"), "{csv}");
    let json: serde_json::Value = serde_json::from_str(&view.to_json()).unwrap();
    assert_eq!(json["user"], "<b>eve</b>");
    assert!(
        json["modules"]
            .get("=HYPERLINK(\"http://x\",\"y\")")
            .is_some()
    );
}

/// A display name with a control character (an escape sequence for a terminal, a line
/// break) is refused: names are printed in explanations and matrices.
#[test]
fn display_names_hold_no_control_characters() {
    for doc in [
        r#"{"version":1,"users":{"a":{"display_name":"\u001b[2Jgone"}}}"#,
        r#"{"version":1,"teams":{"t":{"name":"two\nlines"}}}"#,
    ] {
        let err = Policy::from_json(doc).unwrap().validate().unwrap_err();
        assert_eq!(err.code(), permatrix::ErrorCode::Malformed, "{doc}");
    }
    // a zero-width non-joiner belongs in some scripts' names
    Policy::from_json(r#"{"version":1,"users":{"a":{"display_name":"Mehr\u200cdad"}}}"#)
        .unwrap()
        .validate()
        .unwrap();
}

#[test]
fn cells_are_ordered_by_the_lattice_only() {
    assert_eq!(Cell::ROLE.partial_cmp(&Cell::TEAM), None);
    assert!(Cell::ROLE < Cell::ROLE_OR_TEAM && Cell::TEAM < Cell::ROLE_OR_TEAM);
    // the highest of two is their join, which `Ord::max` on bits got wrong
    assert_eq!(Cell::ROLE.join(Cell::TEAM), Cell::ROLE_OR_TEAM);
}

#[test]
fn hand_written_conditions_match_in_any_order() {
    let auth = Policy::from_json(r#"{"version":1,"modules":{"m":{}},"users":{"u0":{},"u1":{},"u2":{},"u3":{},"u4":{},"u5":{}}}"#)
        .unwrap()
        .compile()
        .unwrap();
    let u = |i| auth.user_at(i).unwrap();
    let m = auth.module("m").unwrap();
    let owned_by_5 = Record::owned_by_user(m, u(5));
    assert!(Condition::OwnerUserIn(vec![u(5), u(1)]).matches(&owned_by_5));
    assert!(
        Condition::OwnerUserIn(vec![u(5), u(1)])
            .simplified()
            .matches(&owned_by_5)
    );
    // and a filter built by the crate keeps agreeing with can
    let f = auth.filter(u(5), Action::View, m);
    assert_eq!(
        f.matches(&owned_by_5),
        auth.can(u(5), Action::View, &owned_by_5)
    );
}

/// An administrator who bypasses data checks reads as one: the text and Markdown
/// matrices say so before the table and show every cell as `all`; the report's reasons
/// use the words of `doc::semantics`, with no step that contradicts it.
#[test]
fn a_bypassing_administrator_reads_as_allowed_everything() {
    let auth = Policy::from_json(
        r#"{"version":1,"modules":{"deals":{}},
          "profiles":{"rep":{"modules":{"deals":{"access":"on","actions":{"view":"owner"}}}}},
          "roles":{"rep":{"profiles":["rep"]}},
          "users":{"root":{"admin":"admin"},"ann":{"roles":["rep"]}}}"#,
    )
    .unwrap()
    .compile()
    .unwrap();
    let root = auth.matrix(auth.user("root").unwrap()).unwrap();
    let text = root.to_text();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("matrix of `root`"));
    assert_eq!(
        lines.next(),
        Some("note: all: user `root` bypasses data checks (admin_bypass): every check is allowed")
    );
    let deals = text.lines().find(|l| l.starts_with("deals")).unwrap();
    assert_eq!(deals.split_whitespace().collect::<Vec<_>>(), {
        let mut row = vec!["deals", "on"];
        row.extend(["all"; 8]);
        row
    });
    let md = root.to_markdown();
    assert!(
        md.starts_with("_all: user root bypasses data checks"),
        "{md}"
    );
    assert!(md.contains("| deals | on | all | all |"), "{md}");
    // the data forms keep what was compiled, with the bypass beside it
    assert!(root.to_json().contains(r#""bypass":true"#));

    let html = auth.report_html(&[]).unwrap();
    assert!(
        html.contains("all: the user's admin level bypasses data checks (step 3)"),
        "the bypass reason"
    );
    assert!(
        html.contains(
            "owner: allowed on the records the cell reaches (step 6), and on records shared with the user (step 7)"
        ),
        "ann's view of deals"
    );
    assert!(
        !html.contains("step 8"),
        "no step that says deny for an allowed cell"
    );
}
