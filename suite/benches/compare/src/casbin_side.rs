//! The workload in casbin-rs: a model, a policy file (`p` and `g` lines) and the request
//! tuple a host passes per check.
//!
//! casbin-rs keeps every `g` relation (`g`, `g2`, …) in one role graph, so a lookup in
//! one relation would walk the edges of all. The encodings therefore declare
//! `g = _, _, _` and use the third field as a casbin domain, one per kind of fact: each
//! domain is its own graph. The record travels in the request (owner and up to two
//! teams), as it does to permatrix's `can`; users, roles, teams, grants and sharing
//! rules live in the policy.

use std::fmt::Write;

use casbin::{CoreApi, DefaultModel, Enforcer, StringAdapter};

use crate::timing::Checker;
use crate::workload::{Act, Principal, Query, Workload, names};

/// The two ways of writing the grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// One `p` line per grant (role, module, action, scope), matched by a scan of all
    /// lines: the textbook RBAC model with the record facts added to the matcher.
    Straightforward,
    /// Grants folded into the role graph (user → role → `module|action|scope` →
    /// `module|action`) and one fixed matcher with no `p` lines to scan.
    Expert,
}

const REQUEST: &str = "[request_definition]\nr = sub, obj, act, owner, team1, team2\n";
const ROLES_AND_EFFECT: &str = "[role_definition]\ng = _, _, _\n\n\
[policy_effect]\ne = some(where (p.eft == allow))\n";

/// The facts both matchers share. `boss`: one of the user's roles is above one of the
/// owner's (SPEC §4 owner fact, in modules with `hierarchy`); `peer`: they share a
/// direct role; `team`: the user is in one of the record's teams; `share`: a sharing
/// rule of the module reaches this owner, user and action.
const BOSS: &str = r#"(g(r.obj, "hierarchical", "module") && g(r.owner, "s:" + r.sub, "boss"))"#;
const PEER: &str = r#"g("s:" + r.sub, r.owner, "peer")"#;
const TEAM: &str = r#"(g(r.sub, r.team1, "team") || g(r.sub, r.team2, "team"))"#;
const SHARE: &str = r#"g(r.owner, r.obj + "|" + r.act + "|" + r.sub, "share")"#;

/// The model (`.conf`) of an encoding.
pub fn model_text(encoding: Encoding) -> String {
    match encoding {
        // Every line is a grant of p.role. Its cell allows the owner (and superiors) at
        // any scope, and a sharing rule only widens a granted action, so each grant
        // line carries both; the scan stops at the first line that allows.
        Encoding::Straightforward => format!(
            "{REQUEST}\n[policy_definition]\np = role, obj, act, scope\n\n{ROLES_AND_EFFECT}\n\
             [matchers]\nm = r.obj == p.obj && r.act == p.act && g(r.sub, p.role, \"role\") && \
             (p.scope == \"all\" || r.owner == r.sub || {BOSS} || (p.scope == \"role\" && {PEER}) || \
             (p.scope == \"team\" && {TEAM}) || {SHARE})\n"
        ),
        // No p lines: casbin evaluates the matcher once. `module|action` is reached from
        // any grant, so it is the "cell is not none" test; cheap facts come first.
        Encoding::Expert => {
            let grant = |scope: &str| match scope {
                "" => r#"g(r.sub, r.obj + "|" + r.act, "grant")"#.to_string(),
                _ => format!(r#"g(r.sub, r.obj + "|" + r.act + "|{scope}", "grant")"#),
            };
            format!(
                "{REQUEST}\n[policy_definition]\np = unused\n\n{ROLES_AND_EFFECT}\n\
                 [matchers]\nm = {any} && (r.owner == r.sub || {all} || ({TEAM} && {team}) || \
                 {BOSS} || ({PEER} && {role}) || {SHARE})\n",
                any = grant(""),
                all = grant("all"),
                team = grant("team"),
                role = grant("role"),
            )
        }
    }
}

/// The policy file (`.csv`): `p` lines for the straightforward grants, and `g` lines, each with
/// its domain, for everything else.
pub fn policy_text(w: &Workload, encoding: Encoding) -> String {
    let mut out = String::new();
    let mut g = |a: &str, b: &str, domain: &str| {
        writeln!(out, "g, {a}, {b}, {domain}").expect("writing to a String");
    };
    let holders = w.role_holders();
    for (u, roles) in w.user_roles.iter().enumerate() {
        let user = names::user(u);
        for &r in roles {
            // the user's direct roles: the subjects of the straightforward `p` lines, the
            // first step of the expert's grant graph
            let domain = match encoding {
                Encoding::Straightforward => "role",
                Encoding::Expert => "grant",
            };
            g(&user, &names::role(r), domain);
            // as an owner: up to the rank above each direct role
            if let Some(parent) = w.role_parent[r] {
                g(&user, &format!("rank:{}", names::role(parent)), "boss");
            }
            // as a peer: to each direct role, whose holders are the peers
            g(
                &format!("s:{user}"),
                &format!("peer:{}", names::role(r)),
                "peer",
            );
            g(&format!("peer:{}", names::role(r)), &user, "peer");
            // as an owner, for sharing rules `from` a role
            g(&user, &format!("from:{}", names::role(r)), "share");
        }
        for &t in &w.user_teams[u] {
            g(&user, &names::team(t), "team");
            g(&user, &format!("from:{}", names::team(t)), "share");
        }
    }
    for (r, parent) in w.role_parent.iter().enumerate() {
        let rank = format!("rank:{}", names::role(r));
        if let Some(parent) = parent {
            g(&rank, &format!("rank:{}", names::role(*parent)), "boss");
        }
        // a rank leads to the users who hold it: they are the superiors
        for &u in &holders[r] {
            g(&rank, &format!("s:{}", names::user(u)), "boss");
        }
    }
    for (m, _) in w.hierarchy.iter().enumerate().filter(|(_, h)| **h) {
        g(&names::module(m), "hierarchical", "module");
    }
    for (k, rule) in w.sharing_rules.iter().enumerate() {
        let from = match rule.from {
            Principal::Role(r) => format!("from:{}", names::role(r)),
            Principal::Team(t) => format!("from:{}", names::team(t)),
        };
        let rule_node = format!("rule:{k}");
        g(&from, &rule_node, "share");
        for u in w.principal_users(rule.to) {
            for act in Act::ALL.into_iter().filter(|a| rule.level.reaches(*a)) {
                let target = format!(
                    "{}|{}|{}",
                    names::module(rule.module),
                    act.name(),
                    names::user(u)
                );
                g(&rule_node, &target, "share");
            }
        }
    }
    for grant in &w.grants {
        let (role, module, act) = (
            names::role(grant.role),
            names::module(grant.module),
            grant.act.name(),
        );
        match encoding {
            Encoding::Straightforward => {
                writeln!(out, "p, {role}, {module}, {act}, {}", grant.scope.name())
                    .expect("writing to a String");
            }
            Encoding::Expert => {
                let cell = format!("{module}|{act}|{}", grant.scope.name());
                writeln!(out, "g, {role}, {cell}, grant").expect("writing to a String");
                writeln!(out, "g, {cell}, {module}|{act}, grant").expect("writing to a String");
            }
        }
    }
    out
}

/// One request: user, module, action, owner, first team, second team (or empty).
type Request = [String; 6];

/// The request for a query, as a host would build it from its record.
fn request(w: &Workload, q: &Query) -> Request {
    let record = &w.records[q.record];
    [
        names::user(q.user),
        names::module(record.module),
        q.act.name().to_string(),
        names::user(record.owner),
        names::team(record.teams[0]),
        record
            .teams
            .get(1)
            .map(|&t| names::team(t))
            .unwrap_or_default(),
    ]
}

pub struct CasbinSide {
    enforcer: Enforcer,
    requests: Vec<Request>,
}

impl CasbinSide {
    /// Loads the model and policy; casbin's setup is async, so it runs on a
    /// current-thread runtime that is dropped before any check.
    pub fn build(w: &Workload, encoding: Encoding) -> Result<CasbinSide, casbin::Error> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a current-thread runtime");
        let enforcer = runtime.block_on(async {
            let model = DefaultModel::from_str(&model_text(encoding)).await?;
            Enforcer::new(model, StringAdapter::new(policy_text(w, encoding))).await
        })?;
        Ok(CasbinSide {
            enforcer,
            requests: Vec::new(),
        })
    }
}

impl Checker for CasbinSide {
    fn prepare(&mut self, workload: &Workload, queries: &[Query]) {
        self.requests = queries.iter().map(|q| request(workload, q)).collect();
    }

    #[inline]
    fn check(&self, i: usize) -> bool {
        let [sub, obj, act, owner, team1, team2] = &self.requests[i];
        self.enforcer
            .enforce((sub, obj, act, owner, team1, team2))
            .expect("the matcher evaluates")
    }
}
