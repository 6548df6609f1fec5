//! The conformance runner (SPEC §10): every `*.json` case under `tests/conformance/` and,
//! when `PERMATRIX_CONFORMANCE_DIR` is set, under that folder too. Each check runs against
//! the compiled authorizer and against the reference evaluator; every failing check is
//! reported by file and index, and the test fails if any did.

// tests may unwrap and index: a panic is a failed test, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use permatrix::{
    Action, Authorizer, FieldAccess, Owner, Policy, Record, Share, TeamId,
    authorizer::PrincipalId,
    filter::Condition,
    policy::{CalendarLevel, Principal, ShareAccess},
};
use reference::{RefOwner, RefRecord, Reference};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

mod common;
use common::by_name::ByName;
use common::{foreign, reference};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    source: String,
    policy: Box<RawValue>,
    #[serde(default)]
    checks: Option<Vec<Value>>,
    #[serde(default)]
    expect_error: Option<String>,
}

/// The kinds this runner understands; any other kind fails as unsupported.
/// Ids no authorizer of a case knows, for names that do not resolve.
static FOREIGN: std::sync::LazyLock<foreign::Foreign> = std::sync::LazyLock::new(foreign::foreign);

const SUPPORTED: &[&str] = &[
    "can",
    "field",
    "tool",
    "merge",
    "login",
    "admin",
    "new_record_teams",
    "calendar",
    "picklist",
];

/// Every case file: those under `tests/conformance/`, and those under
/// `PERMATRIX_CONFORMANCE_DIR` when it is set. A folder that cannot be read, or that holds
/// no case at all, is an error: a runner that found nothing must not pass.
fn case_files() -> Result<Vec<PathBuf>, String> {
    let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance")];
    if let Ok(dir) = std::env::var("PERMATRIX_CONFORMANCE_DIR") {
        dirs.push(PathBuf::from(dir));
    }
    let mut files = Vec::new();
    for dir in dirs {
        let before = files.len();
        collect(&dir, &mut files)?;
        if files.len() == before {
            return Err(format!(
                "{} holds no conformance case (`*.json`)",
                dir.display()
            ));
        }
    }
    files.sort();
    Ok(files)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
            .path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(())
}

/// The runner refuses a folder it cannot read and one without cases.
#[test]
fn unreadable_or_empty_folders_fail() {
    let empty = std::env::temp_dir().join(format!(
        "permatrix-conformance-empty-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&empty).unwrap();
    let mut found = Vec::new();
    collect(&empty, &mut found).unwrap();
    assert!(found.is_empty());
    assert!(collect(&empty.join("missing"), &mut found).is_err());
    std::fs::remove_dir_all(&empty).unwrap();
}

#[test]
fn conformance_cases() {
    let files = case_files().unwrap_or_else(|e| panic!("{e}"));
    let mut failures = Vec::new();
    let mut checks_run = 0;
    for file in &files {
        let shown = file.display().to_string();
        let text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) => {
                failures.push(format!("{shown}: cannot read: {e}"));
                continue;
            }
        };
        let case: Case = match serde_json::from_str(&text) {
            Ok(c) => c,
            Err(e) => {
                failures.push(format!("{shown}: not a conformance case: {e}"));
                continue;
            }
        };
        if case.name.is_empty() || case.source.is_empty() {
            failures.push(format!("{shown}: a case needs a `name` and a `source`"));
        }
        let parsed = Policy::from_json(case.policy.get()).and_then(|p| p.compile().map(|a| (p, a)));
        match (&case.expect_error, &case.checks, parsed) {
            (Some(code), None, Err(err)) => {
                checks_run += 1;
                if err.code().as_str() != code {
                    failures.push(format!(
                        "{shown}: expected error `{code}`, got `{}` ({err})",
                        err.code()
                    ));
                }
            }
            (Some(code), None, Ok(_)) => failures.push(format!(
                "{shown}: expected error `{code}`, but the policy compiled"
            )),
            (None, Some(checks), Ok((policy, auth))) => {
                let reference = Reference::new(&policy);
                for (i, check) in checks.iter().enumerate() {
                    checks_run += 1;
                    if let Err(msg) = run_check(&auth, &reference, check) {
                        failures.push(format!("{shown}: check #{i}: {msg}"));
                    }
                }
            }
            (None, Some(_), Err(err)) => {
                failures.push(format!("{shown}: the policy does not compile: {err}"))
            }
            _ => failures.push(format!(
                "{shown}: a case has exactly one of `checks` and `expect_error`"
            )),
        }
    }
    println!(
        "conformance: {} files, {checks_run} checks, {} failures",
        files.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} conformance failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn run_check(auth: &Authorizer, reference: &Reference<'_>, check: &Value) -> Result<(), String> {
    let kind = check.get("kind").and_then(Value::as_str).unwrap_or("can");
    if !SUPPORTED.contains(&kind) {
        return Err(format!("unsupported kind `{kind}`"));
    }
    let expect = check.get("expect").ok_or("missing `expect`")?;
    if kind == "new_record_teams" {
        return new_record_teams(auth, reference, check, expect);
    }
    let user = str_field(check, "user")?;
    let uid = auth.user(user).unwrap_or(FOREIGN.user);
    match kind {
        "can" => {
            let action = Action::parse(str_field(check, "action")?).ok_or("unknown action")?;
            let module = str_field(check, "module")?;
            let mid = auth.module(module).unwrap_or(FOREIGN.module);
            let expect = expect
                .as_bool()
                .ok_or("`expect` of a can check is a boolean")?;
            let filter = auth.filter(uid, action, mid);
            let (got, reference_got, filtered) = match check.get("record") {
                None => {
                    let got = auth.can_module(uid, action, mid);
                    // a module-level answer is all or nothing (SPEC §4 step 5)
                    let filtered = if action.is_module_level() {
                        *filter.condition() == Condition::True
                    } else {
                        got
                    };
                    (got, reference.can(user, action, module, None), filtered)
                }
                Some(r) => {
                    let rec = RecordSpec::parse(module, r)?;
                    let (teams, shares) = rec.ids(auth);
                    let record = Record {
                        module: mid,
                        owner: rec.owner_id(auth),
                        teams: &teams,
                        shares: &shares,
                    };
                    let got = auth.can(uid, action, &record);
                    if auth.try_can(uid, action, &record).is_ok() {
                        let in_sqlite = sqlite_agrees(&filter, &rec.reference)?;
                        if in_sqlite != got {
                            return Err(format!(
                                "can({user}, {action}, {module}) is {got} but the filter's SQL in SQLite says {in_sqlite}"
                            ));
                        }
                    }
                    (
                        got,
                        reference.can(user, action, module, Some(&rec.reference)),
                        filter.matches(&record),
                    )
                }
            };
            if filtered != got {
                return Err(format!(
                    "can({user}, {action}, {module}) is {got} but the filter {:?} says {filtered}",
                    filter.condition()
                ));
            }
            compare(expect, got, reference_got, || {
                format!("can({user}, {action}, {module})")
            })
        }
        "field" => {
            let module = str_field(check, "module")?;
            let field = str_field(check, "field")?;
            let expect = FieldAccess::parse(
                expect
                    .as_str()
                    .ok_or("`expect` of a field check is a string")?,
            )
            .ok_or("unknown field access")?;
            let mid = auth.module(module).unwrap_or(FOREIGN.module);
            let got = auth.field_named(uid, mid, field);
            compare(
                expect,
                got,
                reference.field_access(user, module, field),
                || format!("field_access({user}, {module}, {field})"),
            )
        }
        "tool" => {
            let module = str_field(check, "module")?;
            let tool = str_field(check, "tool")?;
            let expect = expect
                .as_bool()
                .ok_or("`expect` of a tool check is a boolean")?;
            let mid = auth.module(module).unwrap_or(FOREIGN.module);
            compare(
                expect,
                auth.tool_named(uid, mid, tool),
                reference.can_use_tool(user, module, tool),
                || format!("can_use_tool({user}, {module}, {tool})"),
            )
        }
        "merge" => {
            let module = str_field(check, "module")?;
            let a = RecordSpec::parse(module, check.get("a").ok_or("missing `a`")?)?;
            let b = RecordSpec::parse(module, check.get("b").ok_or("missing `b`")?)?;
            let expect = match expect {
                Value::Null => None,
                Value::Array(pair) if pair.len() == 2 => match (pair[0].as_str(), pair[1].as_str())
                {
                    (Some("a"), Some("b")) => Some(true),
                    (Some("b"), Some("a")) => Some(false),
                    _ => {
                        return Err(
                            "`expect` of a merge check is [\"a\",\"b\"], [\"b\",\"a\"] or null"
                                .into(),
                        );
                    }
                },
                _ => {
                    return Err(
                        "`expect` of a merge check is [\"a\",\"b\"], [\"b\",\"a\"] or null".into(),
                    );
                }
            };
            let mid = auth.module(module).unwrap_or(FOREIGN.module);
            let (ta, sa) = a.ids(auth);
            let (tb, sb) = b.ids(auth);
            let ra = Record {
                module: mid,
                owner: a.owner_id(auth),
                teams: &ta,
                shares: &sa,
            };
            let rb = Record {
                module: mid,
                owner: b.owner_id(auth),
                teams: &tb,
                shares: &sb,
            };
            let got = auth
                .merge_order(uid, &ra, &rb)
                .map(|(first, _)| first == ra);
            compare(
                expect,
                got,
                reference.merge_order(user, &a.reference, &b.reference),
                || format!("merge_order({user}, a, b)"),
            )
        }
        "login" => {
            let got = match auth.login(uid) {
                Ok(factors) => serde_json::json!({ "factors": factors.0 }),
                Err(denied) => serde_json::json!({ "denied": denied.code() }),
            };
            let reference = match reference.login(user) {
                Ok(factors) => serde_json::json!({ "factors": factors }),
                Err(code) => serde_json::json!({ "denied": code }),
            };
            let want =
                match (expect.get("denied"), expect.get("factors")) {
                    (Some(code), None) => serde_json::json!({ "denied": code }),
                    (None, Some(list)) => {
                        let mut factors: Vec<String> =
                            serde_json::from_value(list.clone()).map_err(|e| e.to_string())?;
                        factors.sort();
                        factors.dedup();
                        serde_json::json!({ "factors": factors })
                    }
                    _ => return Err(
                        "`expect` of a login check is {\"denied\": code} or {\"factors\": [...]}"
                            .into(),
                    ),
                };
            compare(want, got, reference, || format!("login({user})"))
        }
        "admin" => {
            let area = str_field(check, "area")?;
            let module_name = match check.get("module") {
                None => None,
                Some(m) => Some(m.as_str().ok_or("`module` is a string")?),
            };
            let module = module_name.map(|m| auth.module(m).unwrap_or(FOREIGN.module));
            let expect = expect
                .as_bool()
                .ok_or("`expect` of an admin check is a boolean")?;
            compare(
                expect,
                auth.can_admin(uid, area, module),
                reference.can_admin(user, area, module_name),
                || format!("can_admin({user}, {area}, {module_name:?})"),
            )
        }
        "calendar" => {
            let owner = match check.get("owner") {
                Some(Value::String(u)) => RefOwner::User(u.clone()),
                Some(Value::Object(o)) => match o.get("team").and_then(Value::as_str) {
                    Some(t) if o.len() == 1 => RefOwner::Team(t.to_string()),
                    _ => return Err("a calendar's `owner` is a username or {\"team\": id}".into()),
                },
                _ => return Err("a calendar check needs an `owner`".into()),
            };
            let expect = match expect {
                Value::Null => None,
                Value::String(level) => {
                    Some(CalendarLevel::parse(level).ok_or("unknown calendar level")?)
                }
                _ => return Err("`expect` of a calendar check is a level or null".into()),
            };
            let owner_id = match &owner {
                RefOwner::User(u) => Owner::User(auth.user(u).unwrap_or(FOREIGN.user)),
                RefOwner::Team(t) => Owner::Team(auth.team(t).unwrap_or(FOREIGN.team)),
            };
            compare(
                expect,
                auth.calendar_access(uid, owner_id),
                reference.calendar_access(user, &owner),
                || format!("calendar_access({user}, {owner:?})"),
            )
        }
        "picklist" => {
            let module = str_field(check, "module")?;
            let field = str_field(check, "field")?;
            let expect: Vec<String> =
                serde_json::from_value(expect.clone()).map_err(|e| e.to_string())?;
            let mid = auth.module(module).unwrap_or(FOREIGN.module);
            let got: Vec<String> = auth
                .picklist_named(uid, mid, field)
                .into_iter()
                .map(str::to_string)
                .collect();
            compare(
                expect,
                got,
                reference.picklist_values(user, module, field),
                || format!("picklist_values({user}, {module}, {field})"),
            )
        }
        _ => Err(format!("unsupported kind `{kind}`")),
    }
}

fn compare<T: PartialEq + std::fmt::Debug>(
    expect: T,
    got: T,
    reference: T,
    what: impl Fn() -> String,
) -> Result<(), String> {
    match (got == expect, reference == expect) {
        (true, true) => Ok(()),
        (false, true) => Err(format!(
            "{}: expected {expect:?}, the authorizer said {got:?}",
            what()
        )),
        (true, false) => Err(format!(
            "{}: expected {expect:?}, the reference evaluator said {reference:?}",
            what()
        )),
        (false, false) => Err(format!(
            "{}: expected {expect:?}, both said {got:?}/{reference:?}",
            what()
        )),
    }
}

fn str_field<'v>(check: &'v Value, key: &str) -> Result<&'v str, String> {
    check
        .get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("missing string `{key}`"))
}

/// A record as written in a case, by names.
struct RecordSpec {
    reference: RefRecord,
}

impl RecordSpec {
    fn parse(module: &str, v: &Value) -> Result<RecordSpec, String> {
        let owner = match v.get("owner") {
            Some(Value::String(u)) => RefOwner::User(u.clone()),
            Some(Value::Object(o)) => match o.get("team").and_then(Value::as_str) {
                Some(t) if o.len() == 1 => RefOwner::Team(t.to_string()),
                _ => return Err("a record's `owner` is a username or {\"team\": id}".into()),
            },
            _ => return Err("a record needs an `owner`".into()),
        };
        let teams = match v.get("teams") {
            None => Vec::new(),
            Some(Value::Array(ts)) => ts
                .iter()
                .map(|t| t.as_str().map(str::to_string).ok_or("team ids are strings"))
                .collect::<Result<_, _>>()?,
            Some(_) => return Err("`teams` is a list".into()),
        };
        let mut shares = Vec::new();
        if let Some(list) = v.get("shares") {
            let list = list.as_array().ok_or("`shares` is a list")?;
            for s in list {
                let to: Principal =
                    serde_json::from_value(s.get("to").cloned().ok_or("a share needs `to`")?)
                        .map_err(|e| e.to_string())?;
                let access = ShareAccess::parse(
                    s.get("access")
                        .and_then(Value::as_str)
                        .ok_or("a share needs `access`")?,
                )
                .ok_or("unknown share access")?;
                shares.push((to, access));
            }
        }
        Ok(RecordSpec {
            reference: RefRecord {
                module: module.to_string(),
                owner,
                teams,
                shares,
            },
        })
    }

    fn owner_id(&self, auth: &Authorizer) -> Owner {
        match &self.reference.owner {
            RefOwner::User(u) => Owner::User(auth.user(u).unwrap_or(FOREIGN.user)),
            RefOwner::Team(t) => Owner::Team(auth.team(t).unwrap_or(FOREIGN.team)),
        }
    }

    fn ids(&self, auth: &Authorizer) -> (Vec<TeamId>, Vec<Share>) {
        let teams = self
            .reference
            .teams
            .iter()
            .map(|t| auth.team(t).unwrap_or(FOREIGN.team))
            .collect();
        let shares = self
            .reference
            .shares
            .iter()
            .map(|(p, access)| Share {
                to: principal_id(auth, p),
                access: *access,
            })
            .collect();
        (teams, shares)
    }
}

fn principal_id(auth: &Authorizer, p: &Principal) -> PrincipalId {
    let unknown_role = FOREIGN.role;
    match p {
        Principal::User(u) => PrincipalId::User(auth.user(u).unwrap_or(FOREIGN.user)),
        Principal::Team(t) => PrincipalId::Team(auth.team(t).unwrap_or(FOREIGN.team)),
        Principal::Role(r) => PrincipalId::Role(auth.role(r).unwrap_or(unknown_role)),
        Principal::RoleAndSubordinates(r) => {
            PrincipalId::RoleAndSubordinates(auth.role(r).unwrap_or(unknown_role))
        }
    }
}

/// Runs the filter's SQL over a one-row SQLite database holding `record`.
fn sqlite_agrees(filter: &permatrix::Filter, record: &RefRecord) -> Result<bool, String> {
    let db = rusqlite::Connection::open_in_memory().map_err(|e| e.to_string())?;
    db.execute_batch(
        "CREATE TABLE records (id INTEGER PRIMARY KEY, module TEXT NOT NULL, owner_user TEXT, owner_team TEXT);
         CREATE TABLE record_teams (record_id INTEGER NOT NULL, team_id TEXT NOT NULL);
         CREATE TABLE record_shares (record_id INTEGER NOT NULL, principal_kind TEXT NOT NULL,
                                     principal_id TEXT NOT NULL, access TEXT NOT NULL);",
    )
    .map_err(|e| e.to_string())?;
    let (owner_user, owner_team) = match &record.owner {
        RefOwner::User(u) => (Some(u.as_str()), None),
        RefOwner::Team(t) => (None, Some(t.as_str())),
    };
    db.execute(
        "INSERT INTO records VALUES (1, ?1, ?2, ?3)",
        rusqlite::params![record.module, owner_user, owner_team],
    )
    .map_err(|e| e.to_string())?;
    for team in &record.teams {
        db.execute("INSERT INTO record_teams VALUES (1, ?1)", [team])
            .map_err(|e| e.to_string())?;
    }
    for (principal, access) in &record.shares {
        let (kind, id) = match principal {
            Principal::User(x) => ("user", x),
            Principal::Team(x) => ("team", x),
            Principal::Role(x) => ("role", x),
            Principal::RoleAndSubordinates(x) => ("role_and_subordinates", x),
        };
        db.execute(
            "INSERT INTO record_shares VALUES (1, ?1, ?2, ?3)",
            rusqlite::params![kind, id, access.as_str()],
        )
        .map_err(|e| e.to_string())?;
    }
    let sql = filter
        .to_sql(
            permatrix::SqlDialect::Sqlite,
            &permatrix::SqlSchema::default(),
        )
        .map_err(|e| e.to_string())?;
    let params: Vec<rusqlite::types::Value> = sql
        .params
        .iter()
        .map(|p| match p {
            permatrix::filter::SqlValue::Text(s) => Ok(rusqlite::types::Value::Text(s.clone())),
            permatrix::filter::SqlValue::Integer(i) => Ok(rusqlite::types::Value::Integer(*i)),
            permatrix::filter::SqlValue::TextArray(_)
            | permatrix::filter::SqlValue::IntegerArray(_) => {
                Err("an array parameter in SQLite SQL".to_string())
            }
        })
        .collect::<Result<_, _>>()?;
    let count: i64 = db
        .query_row(
            &format!("SELECT count(*) FROM records WHERE {}", sql.sql),
            rusqlite::params_from_iter(&params),
            |r| r.get(0),
        )
        .map_err(|e| format!("{e}: {}", sql.sql))?;
    Ok(count == 1)
}

fn new_record_teams(
    auth: &Authorizer,
    reference: &Reference<'_>,
    check: &Value,
    expect: &Value,
) -> Result<(), String> {
    let creator = str_field(check, "creator")?;
    let uid = |name: &str| auth.user(name).unwrap_or(FOREIGN.user);
    let assignee_name = match check.get("assignee") {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.as_str().ok_or("`assignee` is a username")?),
    };
    let related: Vec<String> = match check.get("related") {
        None => Vec::new(),
        Some(v) => serde_json::from_value(v.clone()).map_err(|e| e.to_string())?,
    };
    let related_ids: Vec<TeamId> = related
        .iter()
        .map(|t| auth.team(t).unwrap_or(FOREIGN.team))
        .collect();
    let mut want: Vec<String> =
        serde_json::from_value(expect.clone()).map_err(|e| e.to_string())?;
    want.sort();
    want.dedup();
    // an unknown id is an error to report, never an empty answer
    let teams = auth
        .new_record_teams(uid(creator), assignee_name.map(uid), &related_ids)
        .map_err(|e| format!("new_record_teams({creator}): {e}"))?;
    let mut got: Vec<String> = teams
        .into_iter()
        .filter_map(|t| auth.team_name(t).ok().map(str::to_string))
        .collect();
    got.sort();
    let reference = reference
        .new_record_teams(creator, assignee_name, &related)
        .ok_or_else(|| {
            format!("new_record_teams({creator}): the reference evaluator knows no such id")
        })?;
    compare(want, got, reference, || {
        format!("new_record_teams({creator})")
    })
}
