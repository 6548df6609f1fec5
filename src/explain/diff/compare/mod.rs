//! The one comparison behind the change preview and the guards of administration: every
//! answer an authorizer gives about one user, before and after, matched by name.
//!
//! A decision on a record reads the user's cell and a handful of facts about the record
//! ([decision steps](crate::doc::semantics#decision-steps)): whether the user owns it
//! (themselves, a team they belong to, a subordinate under the hierarchy), whether they
//! share a direct role with its owner, whether they belong to one of its teams, which
//! sharing rules share its owner with them, and which of its shares name a principal that
//! includes them. Each fact is a set — teams, subordinates, role mates, rule levels per
//! owner, principals — so two decisions can differ on some record only if the cell
//! changed or one of these sets did. The comparison works out each set's change from
//! what changed in the policy (memberships, direct roles, the hierarchy, rules), never by
//! trying records, and reports it wherever the cell reads it.
//!
//! Users with the same direct roles share their subordinates and role mates, users of
//! one membership class share their teams, and users of one matrix row share their
//! cells, access, fields and tools: each of these is compared once per group.

mod calendars;
mod reach;
mod rows;
mod rules;
mod sets;

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use super::change::{Change, Membership, SignIn, TeamChange};
use crate::checks::Authorizer;
use crate::ids::UserId;
use rows::RowKey;
use rules::ModuleRules;
use sets::{Delta, GroupKey, Map, Person, RoleGroup};

/// How a user passes the gate before grants ([decision steps 2–3](crate::doc::semantics#decision-steps)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Gate {
    /// Not active (or not in the policy): every data answer is no.
    Off,
    /// Active and bypassing data checks: every data answer is yes.
    Bypass,
    /// Active: the grants decide.
    Grants,
}

fn gate(auth: &Authorizer, user: Option<UserId>) -> Gate {
    match user {
        Some(u) if auth.user_active(u) == Ok(true) => {
            if auth.bypasses(u) {
                Gate::Bypass
            } else {
                Gate::Grants
            }
        }
        _ => Gate::Off,
    }
}

/// The users a team lists directly, per side and team, built when first asked.
type Listed = RefCell<HashMap<(bool, u32), Rc<HashSet<String>>>>;

/// The comparison of two authorizers: built once, asked per user.
pub(crate) struct Comparison<'a> {
    old: &'a Authorizer,
    new: &'a Authorizer,
    users: Map,
    teams: Map,
    roles: Map,
    modules: Map,
    /// Per new user position.
    people: Vec<Option<Person>>,
    /// Per new team position: the team's active state changed.
    team_switched: Vec<bool>,
    /// Per new role position: who holds it directly.
    holders: Vec<Delta>,
    /// Per new role position: who holds a role strictly below it.
    below: Vec<Delta>,
    /// Per new role position: who holds it or a role below it.
    subtree: Vec<Delta>,
    /// Per new team position: its members.
    members: Vec<Delta>,
    /// Per new module position: the rules that changed.
    rules: Vec<Option<ModuleRules>>,
    /// Per new user position: the calendars (`user x`, `team t`) whose access may differ.
    calendars: Vec<Vec<u32>>,
    calendar_labels: Vec<String>,
    /// Every module of either side, by name, with its id on each side.
    modules_both: rows::BothModules,
    /// The areas compared besides the layout editor.
    areas: Vec<String>,
    /// What rows are built from, unchanged: see [`rows::Grants`].
    grants: rows::Grants,
    /// Some module gained or lost owners, or its hierarchy.
    modules_flipped: bool,
    groups: RefCell<HashMap<GroupKey, Rc<RoleGroup>>>,
    rows: RefCell<HashMap<RowKey, Rc<Vec<Change>>>>,
    listed: Listed,
}

impl<'a> Comparison<'a> {
    /// Works out what changed between `old` and `new` for everyone at once.
    ///
    /// # Cost
    /// O(P + M + R) for policies of size P with M team memberships (per membership class)
    /// and R rule recipients of the rules that changed, plus, per group of users with
    /// the same direct roles, the users whose roles or hierarchy position changed below
    /// or beside them.
    pub(crate) fn new(old: &'a Authorizer, new: &'a Authorizer) -> Comparison<'a> {
        let (po, pn) = (old.policy(), new.policy());
        let mut c = Comparison {
            old,
            new,
            users: Map::of(&po.users, &pn.users),
            teams: Map::of(&po.teams, &pn.teams),
            roles: Map::of(&po.roles, &pn.roles),
            modules: Map::of(&po.modules, &pn.modules),
            people: Vec::new(),
            team_switched: Vec::new(),
            holders: vec![Delta::default(); pn.roles.len()],
            below: vec![Delta::default(); pn.roles.len()],
            subtree: vec![Delta::default(); pn.roles.len()],
            members: vec![Delta::default(); pn.teams.len()],
            rules: Vec::new(),
            calendars: vec![Vec::new(); pn.users.len()],
            calendar_labels: Vec::new(),
            modules_both: Vec::new(),
            areas: Vec::new(),
            grants: rows::Grants::default(),
            modules_flipped: false,
            groups: RefCell::default(),
            rows: RefCell::default(),
            listed: RefCell::default(),
        };
        c.team_switched = (0..pn.teams.len())
            .map(|t| match c.teams.old_of(t as u32) {
                Some(o) => old.team_is_active(o as usize) != new.team_is_active(t),
                None => false,
            })
            .collect();
        c.modules_both = c.both_modules();
        c.areas = c.area_names();
        c.grants = c.unchanged_grants();
        c.modules_flipped = c.modules_both.iter().any(|(_, (mo, mn))| {
            let facts = |a: &Authorizer, m: Option<crate::ids::ModuleId>| {
                m.and_then(|m| a.module_facts_at(m.index()))
                    .map(|f| (f.owned, f.hierarchy))
            };
            matches!((facts(old, *mo), facts(new, *mn)), (Some(a), Some(b)) if a != b)
        });
        c.people = c.people();
        c.invert_people();
        c.rules = (0..pn.modules.len()).map(|m| c.module_rules(m)).collect();
        c.calendar_candidates();
        c
    }

    /// Every change for the user named `name` (in either authorizer).
    pub(crate) fn user(&self, name: &str) -> Vec<Change> {
        let (uo, un) = (self.old.user(name), self.new.user(name));
        let (go, gn) = (gate(self.old, uo), gate(self.new, un));
        let person = un
            .and_then(|u| self.people.get(u.index()))
            .and_then(Option::as_ref);
        let mut out = Vec::new();
        let (active_o, active_n) = (go != Gate::Off, gn != Gate::Off);
        // a deactivation (or removal) is one item: everything that needs an active user
        // goes with it
        let collapsed = active_o && !active_n;
        if active_o != active_n {
            out.push(Change::Active {
                before: active_o,
                after: active_n,
            });
        }
        let (bo, bn) = (go == Gate::Bypass, gn == Gate::Bypass);
        if active_n && bo != bn {
            out.push(Change::Bypass {
                before: bo,
                after: bn,
            });
        }
        let level = |auth: &Authorizer, u: Option<UserId>| {
            u.and_then(|u| auth.admin_level(u).ok()).unwrap_or_default()
        };
        let (lo, ln) = (level(self.old, uo), level(self.new, un));
        if lo != ln && un.is_some() {
            out.push(Change::AdminLevel {
                before: lo,
                after: ln,
            });
        }
        if !collapsed {
            self.areas(uo, un, &mut out);
            let (so, sn) = (sign_in(self.old, uo), sign_in(self.new, un));
            if so != sn {
                out.push(Change::SignIn {
                    before: so,
                    after: sn,
                });
            }
        }
        if let (Some(o), Some(n), Some(person)) = (uo, un, person) {
            let (ro, rn) = (self.old.result_limit(o), self.new.result_limit(n));
            if ro != rn {
                out.push(Change::ResultLimit {
                    before: ro,
                    after: rn,
                });
            }
            if !person.teams.is_empty() {
                out.push(self.teams_change(name, &person.teams));
            }
            let key = |auth: &'a Authorizer, u| auth.user_key(u).ok().flatten();
            let (ko, kn) = (key(self.old, o), key(self.new, n));
            if ko != kn {
                out.push(Change::HostKey {
                    before: ko.cloned(),
                    after: kn.cloned(),
                });
            }
        }
        // a shortcut, not a rule: a removed user has no rows, reach or calendars on the new
        // side, so the comparisons below would add nothing (cargo-mutants' `&&` here is
        // equivalent)
        if un.is_none() || collapsed {
            return out;
        }
        if self.rows_may_differ(uo, un, go, gn) {
            out.extend(self.rows(uo, un, go, gn).iter().cloned());
        }
        if let (Gate::Grants, Gate::Grants, Some(person)) = (go, gn, person) {
            self.reach(person, &mut out);
        }
        if go != Gate::Bypass && gn != Gate::Bypass {
            self.calendars(uo, un, &mut out);
        }
        out
    }

    /// The teams `name` joined and left, each with how.
    fn teams_change(&self, name: &str, delta: &Delta) -> Change {
        let pn = self.new.policy();
        let how = |t: u32, joined: bool| {
            if self.team_switched.get(t as usize).copied().unwrap_or(false) {
                return Membership::TeamActivity;
            }
            let listed = |side_old: bool| {
                let (p, pos) = if side_old {
                    (self.old.policy(), self.teams.old_of(t))
                } else {
                    (pn, Some(t))
                };
                pos.is_some_and(|pos| self.listed(side_old, p, pos).contains(name))
            };
            if listed(!joined) != listed(joined) {
                Membership::Listed
            } else {
                Membership::Indirect
            }
        };
        let named = |t: u32, joined: bool| TeamChange {
            team: pn
                .teams
                .get_index(t as usize)
                .map_or_else(String::new, |(k, _)| k.clone()),
            how: how(t, joined),
        };
        Change::Teams {
            joined: delta.gained.iter().map(|&t| named(t, true)).collect(),
            left: delta.lost.iter().map(|&t| named(t, false)).collect(),
        }
    }

    /// The users a team lists directly, as a set, built once per team asked about.
    fn listed(&self, side_old: bool, p: &crate::policy::Policy, team: u32) -> Rc<HashSet<String>> {
        if let Some(set) = self.listed.borrow().get(&(side_old, team)) {
            return Rc::clone(set);
        }
        let set: Rc<HashSet<String>> = Rc::new(
            p.teams
                .get_index(team as usize)
                .map(|(_, t)| t.users.iter().cloned().collect())
                .unwrap_or_default(),
        );
        self.listed
            .borrow_mut()
            .insert((side_old, team), Rc::clone(&set));
        set
    }
}

/// How `user` signs in with `auth`; an unknown user is refused as not active.
fn sign_in(auth: &Authorizer, user: Option<UserId>) -> SignIn {
    match user.map(|u| auth.login(u)) {
        Some(Ok(f)) => SignIn::Allowed { factors: f.0 },
        Some(Err(denied)) => SignIn::Refused {
            code: denied.code().as_str().to_string(),
        },
        None => SignIn::Refused {
            code: "not_active".to_string(),
        },
    }
}
