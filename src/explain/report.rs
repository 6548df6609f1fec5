//! The permission report: one self-contained HTML page with every user's matrix, why each
//! cell is what it is, the sharing rules and the team tree, for administrators to read in
//! a browser.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::decision::Explanation;
use crate::cell::Cell;
use crate::checks::Authorizer;
use crate::error::CheckError;
use crate::ids::{FieldId, UserId};
use crate::policy::{Action, FieldAccess};

/// Users shown on one page of the report; the rest are a click (or a filter) away.
const PAGE: usize = 25;

impl Authorizer {
    /// The teams as a forest: each team with the teams nested in it; a team nested in
    /// several appears under each, and the walk stops where it would repeat itself.
    fn team_tree(&self) -> Vec<serde_json::Value> {
        let teams = &self.policy().teams;
        let nested: std::collections::HashSet<&str> = teams
            .values()
            .flat_map(|t| t.teams.iter().map(String::as_str))
            .collect();
        let roots: Vec<&str> = teams
            .keys()
            .map(String::as_str)
            .filter(|t| !nested.contains(t))
            .collect();
        let mut budget = teams.len().saturating_mul(4).max(64);
        roots
            .into_iter()
            .map(|t| node(teams, t, &mut Vec::new(), &mut budget))
            .collect()
    }
}

pub(crate) fn report_html(auth: &Authorizer, users: &[UserId]) -> Result<String, CheckError> {
    let chosen: Vec<UserId> = if users.is_empty() {
        (0..).map_while(|i| auth.user_at(i)).collect()
    } else {
        users.to_vec()
    };
    let policy = auth.policy();
    let modules: Vec<&str> = policy.modules.keys().map(String::as_str).collect();
    let mut whys = Interned::default();
    let mut people = Vec::with_capacity(chosen.len());
    for user in chosen {
        let view = auth.matrix(user)?;
        let display = policy
            .users
            .get(&view.user)
            .and_then(|u| u.display_name.clone());
        let mut rows = Vec::with_capacity(view.rows.len());
        for (m, (module, access, cells)) in view.rows.iter().enumerate() {
            let Some(module_id) = auth.module_at(m) else {
                continue;
            };
            let reasons: Vec<usize> = Action::ALL
                .iter()
                .map(|&action| whys.index(why(&auth.explain_module(user, action, module_id))))
                .collect();
            let fields: Vec<String> = policy
                .modules
                .get(module)
                .map(|def| {
                    def.fields
                        .keys()
                        .enumerate()
                        .filter_map(|(index, field)| {
                            let id = FieldId {
                                module: module_id,
                                index: index as u32,
                            };
                            let access = auth.field_access(user, id);
                            (access != FieldAccess::ReadWrite)
                                .then(|| format!("{field} {}", access.as_str()))
                        })
                        .collect()
                })
                .unwrap_or_default();
            // a bypassing user is allowed everything: the page says so in every cell, as
            // the text matrix does, rather than showing grants no decision reads
            let (access, cells): (&str, Vec<&str>) = if view.bypass {
                ("on", cells.iter().map(|_| cell_class(Cell::ALL)).collect())
            } else {
                (
                    access.as_str(),
                    cells.iter().map(|c| cell_class(*c)).collect(),
                )
            };
            rows.push(serde_json::json!([access, cells, reasons, fields,]));
        }
        people.push(serde_json::json!({
            "name": view.user,
            "display": display,
            "active": view.active,
            "bypass": view.bypass,
            "rows": rows,
        }));
    }
    let rules: Vec<serde_json::Value> = policy
        .sharing_rules
        .iter()
        .map(|r| {
            serde_json::json!([
                r.module,
                r.from.to_string(),
                r.to.to_string(),
                r.access.as_str()
            ])
        })
        .collect();
    let data = serde_json::json!({
        "actions": Action::ALL.iter().map(|a| a.as_str()).collect::<Vec<_>>(),
        "modules": modules,
        "whys": whys.list,
        "users": people,
        "rules": rules,
        "teams": auth.team_tree(),
        "page": PAGE,
        "revision": policy.revision(),
    });
    // No policy string may speak HTML inside the script element: `</script>` would end
    // it, `<!--<script>` would swallow the page after it. `<`, `>` and `&` occur in the
    // JSON text only inside strings, where their `\u` escapes mean the same.
    let data = serde_json::to_string(&data)
        .unwrap_or_else(|_| "{}".to_string())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    Ok(TEMPLATE.replace("{{DATA}}", &data))
}

/// One team of the tree, its nested teams below; `path` holds the teams above it.
fn node<'a>(
    teams: &'a indexmap::IndexMap<String, crate::policy::Team>,
    id: &'a str,
    path: &mut Vec<&'a str>,
    budget: &mut usize,
) -> serde_json::Value {
    let Some(team) = teams.get(id) else {
        return serde_json::json!({ "id": id });
    };
    let mut children = Vec::new();
    if !path.contains(&id) && *budget > 0 {
        path.push(id);
        for child in &team.teams {
            *budget = budget.saturating_sub(1);
            if *budget == 0 {
                break;
            }
            children.push(node(teams, child, path, budget));
        }
        path.pop();
    }
    serde_json::json!({
        "id": id,
        "name": team.name,
        "active": team.active,
        "users": team.users,
        "roles": team.roles,
        "roles_and_subordinates": team.roles_and_subordinates,
        "role": team.role,
        "admin": team.admin.as_str(),
        "ceiling": team.ceiling,
        "factors": team.factors,
        "children": children,
    })
}

/// Each distinct text once; cells name theirs by index.
#[derive(Default)]
struct Interned {
    list: Vec<String>,
    seen: HashMap<String, usize>,
}

impl Interned {
    fn index(&mut self, text: String) -> usize {
        if let Some(&i) = self.seen.get(&text) {
            return i;
        }
        let i = self.list.len();
        self.list.push(text.clone());
        self.seen.insert(text, i);
        i
    }
}

/// The CSS class of a cell: its name, with the lattice's ∧ and ∨ spelled out.
fn cell_class(cell: Cell) -> &'static str {
    match cell.name() {
        "role∧team" => "role_and_team",
        "role∨team" => "role_or_team",
        other => other,
    }
}

/// Why a module-level cell is what it is, without naming the user, so users with the same
/// sources share one text.
fn why(e: &Explanation) -> String {
    use super::Step;
    let mut out = match (e.cell, &e.step) {
        // before the matrix is read, its cell says nothing
        (_, Step::UnknownId | Step::NotActive) | (None, _) => {
            format!("step {}: {}", e.step.number(), step_words(&e.step))
        }
        (_, Step::AdminBypass) => format!("all: {} (step 3)", step_words(&e.step)),
        // a record-level action without a record: what decides is which records the
        // cell reaches (steps 6 and 7 of doc::semantics), not a step of its own
        (Some(cell), Step::Cell(..) | Step::NotReached(..)) => format!(
            "{}: {} (step 6), and on records shared with the user (step 7)",
            cell.name(),
            step_words(&e.step)
        ),
        (Some(cell), _) => format!(
            "{} — step {}: {}",
            cell.name(),
            e.step.number(),
            step_words(&e.step)
        ),
    };
    if e.overridden {
        out.push_str("; the user's own permissions for this module replace their roles'");
    }
    for s in &e.sources {
        let how = if s.default_role {
            "default role".to_string()
        } else if s.direct {
            "direct".to_string()
        } else {
            format!("via team {}", s.via_teams.join(", "))
        };
        let profiles: Vec<String> = s
            .profiles
            .iter()
            .map(|(p, c)| format!("{p}: {}", c.name()))
            .collect();
        let _ = write!(
            out,
            "; role {} ({how}) gives {} from profiles [{}]",
            s.role,
            s.cell.name(),
            profiles.join(", ")
        );
        if let Some(ceiling) = &s.ceiling {
            let _ = write!(out, ", capped by profile {ceiling}");
        }
    }
    if e.sources.len() > 1 {
        let _ = write!(out, "; {} merge", e.merge.as_str());
    }
    if e.external_cap {
        out.push_str("; capped for external users");
    }
    if e.widened_by_sharing {
        out.push_str("; widened by the module's sharing");
    }
    out
}

/// What a module-level step says, in an administrator's words.
fn step_words(step: &super::Step) -> &'static str {
    use super::Step;
    match step {
        Step::UnknownId => "no such user",
        Step::NotActive => "the user is not active, so nothing is allowed",
        Step::AdminBypass => "the user's admin level bypasses data checks",
        Step::NoGrant => "no grant",
        Step::ModuleWide => "allowed on the whole module",
        Step::Cell(..) | Step::NotReached(..) => "allowed on the records the cell reaches",
        Step::SharingRule(_) | Step::RecordShare(_) => "shared",
    }
}

/// The page: styles and script inline, the data as JSON in a script element.
const TEMPLATE: &str = include_str!("report.html");
