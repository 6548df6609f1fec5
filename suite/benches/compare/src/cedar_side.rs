//! The workload in cedar-policy: entities (users, roles, ranks, teams, modules, records)
//! and a policy set, and a request per check.
//!
//! Entity graph, shared by both encodings:
//! - `User` is in its direct `Role`s and its `Team`s (so `principal in Role::"r1"` is a
//!   direct role and `principal in resource.teams` is team match), and in the `Rank` of
//!   the parent of each direct role.
//! - `Rank` is in the rank of its parent role. So `owner in Rank::"rX"` holds exactly
//!   when `rX` is strictly above one of the owner's direct roles: the owner fact of the
//!   role hierarchy. `Role` has no parents: grants never flow along the role tree.
//! - `User` attributes `roles` (its direct roles, for role match with `containsAny`) and
//!   `ranks` (its direct roles as ranks, for `resource.owner in principal.ranks`).
//! - `Record` is in its `Module` and has attributes `module`, `owner` and `teams`. The
//!   records are loaded into the entity store with everything else: a Cedar host passes
//!   them as entities, and building them per check would time the host, not Cedar.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;
use std::str::FromStr;

use cedar_policy::{
    Authorizer, Context, Decision, Entities, Entity, EntityId, EntityTypeName, EntityUid,
    PolicySet, Request, RestrictedExpression,
};

use crate::timing::Checker;
use crate::workload::{Act, Principal, Query, Scope, Workload, names};

/// The two ways of writing the grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// One policy per grant: `permit(principal in Role::"r", action == Action::"a",
    /// resource in Module::"m") when { <scope> };` and one per (sharing rule, action).
    Straightforward,
    /// Grants as entity data: each role is in `Grant::"m|a|scope"` entities, each of
    /// those in `Grant::"m|a"`; the module names its grant entities per action; four
    /// fixed policies per action read them, plus one per sharing rule.
    Expert,
}

type Error = Box<dyn std::error::Error>;

/// Entity type names, parsed once.
struct Types {
    user: EntityTypeName,
    role: EntityTypeName,
    rank: EntityTypeName,
    team: EntityTypeName,
    module: EntityTypeName,
    record: EntityTypeName,
    grant: EntityTypeName,
    action: EntityTypeName,
}

impl Types {
    fn new() -> Result<Types, Error> {
        let t = |s: &str| EntityTypeName::from_str(s).map_err(Box::new);
        Ok(Types {
            user: t("User")?,
            role: t("Role")?,
            rank: t("Rank")?,
            team: t("Team")?,
            module: t("Module")?,
            record: t("Record")?,
            grant: t("Grant")?,
            action: t("Action")?,
        })
    }

    fn uid(ty: &EntityTypeName, id: &str) -> EntityUid {
        EntityUid::from_type_name_and_id(ty.clone(), EntityId::new(id))
    }
}

fn set(uids: impl IntoIterator<Item = EntityUid>) -> RestrictedExpression {
    RestrictedExpression::new_set(uids.into_iter().map(RestrictedExpression::new_entity_uid))
}

fn entity(
    uid: EntityUid,
    attrs: impl IntoIterator<Item = (&'static str, RestrictedExpression)>,
    parents: impl IntoIterator<Item = EntityUid>,
) -> Result<Entity, Error> {
    let attrs: HashMap<String, RestrictedExpression> =
        attrs.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    Ok(Entity::new(
        uid,
        attrs,
        parents.into_iter().collect::<HashSet<_>>(),
    )?)
}

fn entities(w: &Workload, encoding: Encoding, ty: &Types) -> Result<Entities, Error> {
    let role = |r: usize| Types::uid(&ty.role, &names::role(r));
    let rank = |r: usize| Types::uid(&ty.rank, &names::role(r));
    let team = |t: usize| Types::uid(&ty.team, &names::team(t));
    let user = |u: usize| Types::uid(&ty.user, &names::user(u));
    let module = |m: usize| Types::uid(&ty.module, &names::module(m));
    let grant = |id: String| Types::uid(&ty.grant, &id);
    let mut all = Vec::new();

    let mut role_grants: Vec<HashSet<EntityUid>> = vec![HashSet::new(); w.shape.roles];
    if encoding == Encoding::Expert {
        for g in &w.grants {
            role_grants[g.role].insert(grant(cell_id(g.module, g.act, Some(g.scope))));
        }
        for m in 0..w.shape.modules {
            for act in Act::ALL {
                let any = grant(cell_id(m, act, None));
                for scope in Scope::ALL {
                    all.push(entity(
                        grant(cell_id(m, act, Some(scope))),
                        [],
                        [any.clone()],
                    )?);
                }
                all.push(entity(any, [], [])?);
            }
        }
    }
    for (r, grants) in role_grants.into_iter().enumerate() {
        all.push(entity(role(r), [], grants)?);
        all.push(entity(rank(r), [], w.role_parent[r].map(rank))?);
    }
    for t in 0..w.shape.teams {
        all.push(entity(team(t), [], [])?);
    }
    for (u, roles) in w.user_roles.iter().enumerate() {
        let parents = roles
            .iter()
            .map(|&r| role(r))
            .chain(w.user_teams[u].iter().map(|&t| team(t)))
            .chain(roles.iter().filter_map(|&r| w.role_parent[r]).map(rank));
        let attrs = [
            ("roles", set(roles.iter().map(|&r| role(r)))),
            ("ranks", set(roles.iter().map(|&r| rank(r)))),
        ];
        all.push(entity(user(u), attrs, parents)?);
    }
    for (m, &hierarchy) in w.hierarchy.iter().enumerate() {
        let mut attrs = vec![("hierarchy", RestrictedExpression::new_bool(hierarchy))];
        if encoding == Encoding::Expert {
            for act in Act::ALL {
                let mut cells = vec![(
                    "any".to_string(),
                    RestrictedExpression::new_entity_uid(grant(cell_id(m, act, None))),
                )];
                for scope in Scope::ALL {
                    let uid = grant(cell_id(m, act, Some(scope)));
                    cells.push((
                        scope.name().to_string(),
                        RestrictedExpression::new_entity_uid(uid),
                    ));
                }
                attrs.push((act.name(), RestrictedExpression::new_record(cells)?));
            }
        }
        all.push(entity(module(m), attrs, [])?);
    }
    for (i, r) in w.records.iter().enumerate() {
        let attrs = [
            (
                "module",
                RestrictedExpression::new_entity_uid(module(r.module)),
            ),
            ("owner", RestrictedExpression::new_entity_uid(user(r.owner))),
            ("teams", set(r.teams.iter().map(|&t| team(t)))),
        ];
        let uid = Types::uid(&ty.record, &names::record(i));
        all.push(entity(uid, attrs, [module(r.module)])?);
    }
    Ok(Entities::from_entities(all, None)?)
}

/// `m|a|scope`, or `m|a` for "any grant of this action on this module".
fn cell_id(module: usize, act: Act, scope: Option<Scope>) -> String {
    match scope {
        Some(s) => format!("{}|{}|{}", names::module(module), act.name(), s.name()),
        None => format!("{}|{}", names::module(module), act.name()),
    }
}

/// The owner fact: the owner, or (in a module with `hierarchy`) a superior.
fn owner_condition(hierarchy: bool) -> &'static str {
    if hierarchy {
        "resource.owner == principal || resource.owner in principal.ranks"
    } else {
        "resource.owner == principal"
    }
}

fn principal_uid(p: Principal) -> String {
    match p {
        Principal::Role(r) => format!("Role::\"{}\"", names::role(r)),
        Principal::Team(t) => format!("Team::\"{}\"", names::team(t)),
    }
}

fn straightforward_policies(w: &Workload) -> String {
    let mut out = String::new();
    let mut granting: HashMap<(usize, Act), Vec<usize>> = HashMap::new();
    for g in &w.grants {
        granting.entry((g.module, g.act)).or_default().push(g.role);
        let owner = owner_condition(w.hierarchy[g.module]);
        let when = match g.scope {
            Scope::All => String::new(),
            Scope::Owner => format!(" when {{ {owner} }}"),
            Scope::Role => {
                format!(" when {{ {owner} || resource.owner.roles.containsAny(principal.roles) }}")
            }
            Scope::Team => format!(" when {{ {owner} || principal in resource.teams }}"),
        };
        writeln!(
            out,
            "permit(principal in Role::\"{}\", action == Action::\"{}\", resource in Module::\"{}\"){when};",
            names::role(g.role),
            g.act.name(),
            names::module(g.module)
        )
        .expect("writing to a String");
    }
    // A sharing rule widens only granted actions; a policy cannot see other policies,
    // so each (rule, action) lists the roles that grant the action on the module.
    for rule in &w.sharing_rules {
        for act in Act::ALL.into_iter().filter(|a| rule.level.reaches(*a)) {
            let Some(roles) = granting.get(&(rule.module, act)) else {
                continue;
            };
            let roles: Vec<String> = roles
                .iter()
                .map(|&r| format!("Role::\"{}\"", names::role(r)))
                .collect();
            writeln!(
                out,
                "permit(principal in {}, action == Action::\"{}\", resource in Module::\"{}\") \
                 when {{ resource.owner in {} && principal in [{}] }};",
                principal_uid(rule.to),
                act.name(),
                names::module(rule.module),
                principal_uid(rule.from),
                roles.join(", ")
            )
            .expect("writing to a String");
        }
    }
    out
}

fn expert_policies(w: &Workload) -> String {
    let mut out = String::new();
    // One policy per action: Cedar evaluates every policy of the set on every check,
    // so an expert keeps the fixed part to one policy per action.
    for act in Act::ALL {
        let (a, cells) = (act.name(), format!("resource.module.{}", act.name()));
        writeln!(
            out,
            "permit(principal, action == Action::\"{a}\", resource) when {{\n  \
             principal in {cells}.all ||\n  \
             (principal in {cells}.any && (resource.owner == principal ||\n    \
             (resource.module.hierarchy && resource.owner in principal.ranks))) ||\n  \
             (principal in {cells}.role && resource.owner.roles.containsAny(principal.roles)) ||\n  \
             (principal in {cells}.team && principal in resource.teams)\n}};"
        )
        .expect("writing to a String");
    }
    // Sharing rules join three principals (to, from, module); Cedar has no existential
    // over entity data, so each rule stays a policy, gated on "any grant" per action.
    for rule in &w.sharing_rules {
        let acts: Vec<Act> = Act::ALL
            .into_iter()
            .filter(|a| rule.level.reaches(*a))
            .collect();
        let list: Vec<String> = acts
            .iter()
            .map(|a| format!("Action::\"{}\"", a.name()))
            .collect();
        let gated: Vec<String> = acts
            .iter()
            .map(|a| {
                format!(
                    "(action == Action::\"{0}\" && principal in resource.module.{0}.any)",
                    a.name()
                )
            })
            .collect();
        writeln!(
            out,
            "permit(principal in {}, action in [{}], resource in Module::\"{}\") \
             when {{ resource.owner in {} && ({}) }};",
            principal_uid(rule.to),
            list.join(", "),
            names::module(rule.module),
            principal_uid(rule.from),
            gated.join(" || ")
        )
        .expect("writing to a String");
    }
    out
}

/// The policy text of an encoding.
pub fn policies_text(w: &Workload, encoding: Encoding) -> String {
    match encoding {
        Encoding::Straightforward => straightforward_policies(w),
        Encoding::Expert => expert_policies(w),
    }
}

pub struct CedarSide {
    types: Types,
    authorizer: Authorizer,
    policies: PolicySet,
    entities: Entities,
    requests: Vec<Request>,
}

impl CedarSide {
    pub fn build(w: &Workload, encoding: Encoding) -> Result<CedarSide, Error> {
        let types = Types::new()?;
        let policies = PolicySet::from_str(&policies_text(w, encoding))?;
        let entities = entities(w, encoding, &types)?;
        Ok(CedarSide {
            types,
            authorizer: Authorizer::new(),
            policies,
            entities,
            requests: Vec::new(),
        })
    }

    pub fn policy_count(&self) -> usize {
        self.policies.policies().count()
    }

    /// The entity store as Cedar's JSON, for review.
    pub fn entities_json(&self) -> Result<String, Error> {
        let mut out = Vec::new();
        self.entities.write_to_json(&mut out)?;
        Ok(String::from_utf8(out)?)
    }
}

impl Checker for CedarSide {
    fn prepare(&mut self, _workload: &Workload, queries: &[Query]) {
        let ty = &self.types;
        self.requests = queries
            .iter()
            .map(|q| {
                Request::new(
                    Types::uid(&ty.user, &names::user(q.user)),
                    Types::uid(&ty.action, q.act.name()),
                    Types::uid(&ty.record, &names::record(q.record)),
                    Context::empty(),
                    None,
                )
                .expect("a request without a schema is valid")
            })
            .collect();
    }

    #[inline]
    fn check(&self, i: usize) -> bool {
        let response =
            self.authorizer
                .is_authorized(&self.requests[i], &self.policies, &self.entities);
        response.decision() == Decision::Allow
    }
}
