//! The sets a decision reads, as they changed: memberships, direct roles, the roles at
//! and above them, and what follows for the users of each principal, for each group of
//! role mates and for each superior's subordinates.

use std::collections::HashMap;
use std::rc::Rc;

use smallvec::SmallVec;

use super::Comparison;
use crate::checks::Authorizer;
use crate::ids::PrincipalId;
use crate::ids::UserId;
use crate::policy::Principal;

/// Positions of one section's ids in both authorizers, matched by id.
#[derive(Debug, Default)]
pub(super) struct Map {
    to_new: Vec<Option<u32>>,
    to_old: Vec<Option<u32>>,
}

impl Map {
    pub(super) fn of<V>(
        old: &indexmap::IndexMap<String, V>,
        new: &indexmap::IndexMap<String, V>,
    ) -> Map {
        Map {
            to_new: old
                .keys()
                .map(|k| new.get_index_of(k).map(|i| i as u32))
                .collect(),
            to_old: new
                .keys()
                .map(|k| old.get_index_of(k).map(|i| i as u32))
                .collect(),
        }
    }
    pub(super) fn new_of(&self, old: u32) -> Option<u32> {
        self.to_new.get(old as usize).copied().flatten()
    }
    pub(super) fn old_of(&self, new: u32) -> Option<u32> {
        self.to_old.get(new as usize).copied().flatten()
    }
}

/// What joined and what left a set, as positions in the new authorizer, ascending.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Delta {
    pub gained: Vec<u32>,
    pub lost: Vec<u32>,
}

impl Delta {
    /// Between two ascending lists.
    pub(super) fn between(old: &[u32], new: &[u32]) -> Delta {
        let (mut d, mut i, mut j) = (Delta::default(), 0, 0);
        loop {
            match (old.get(i), new.get(j)) {
                (Some(a), Some(b)) if a == b => (i, j) = (i + 1, j + 1),
                (Some(a), Some(b)) if a < b => {
                    d.lost.push(*a);
                    i += 1;
                }
                (_, Some(b)) => {
                    d.gained.push(*b);
                    j += 1;
                }
                (Some(a), None) => {
                    d.lost.push(*a);
                    i += 1;
                }
                (None, None) => return d,
            }
        }
    }
    pub(super) fn is_empty(&self) -> bool {
        self.gained.is_empty() && self.lost.is_empty()
    }
    pub(super) fn all(&self) -> impl Iterator<Item = u32> + '_ {
        self.gained.iter().chain(&self.lost).copied()
    }
    fn add(&mut self, who: u32, gained: bool) {
        if gained {
            self.gained.push(who);
        } else {
            self.lost.push(who);
        }
    }
}

/// Positions as one user's short lists hold them.
pub(super) type Positions = SmallVec<[u32; 4]>;

/// `list` mapped into the new authorizer's positions (ids only on the old side dropped),
/// ascending; and whether every entry had a match.
fn mapped(map: &Map, list: impl IntoIterator<Item = u32>) -> (Positions, bool) {
    let mut complete = true;
    let mut out = Positions::new();
    for x in list {
        match map.new_of(x) {
            Some(n) => out.push(n),
            None => complete = false,
        }
    }
    out.sort_unstable();
    out.dedup();
    (out, complete)
}

/// One user present in both authorizers.
#[derive(Debug)]
pub(super) struct Person {
    pub old: UserId,
    pub new: UserId,
    /// Active teams joined and left.
    pub teams: Rc<Delta>,
    /// Direct roles, in new positions; `roles_complete`: no old role was dropped.
    pub roles_old: Positions,
    pub roles_complete: bool,
    pub roles_new: Positions,
    /// Roles at or above a direct role (the `role_and_subordinates` principals that
    /// include the user), joined and left.
    pub at_or_above: Delta,
    /// Roles strictly above a direct role (whose holders are the user's superiors).
    pub above: Delta,
}

impl Person {
    fn roles_changed(&self) -> bool {
        !self.roles_complete || self.roles_old != self.roles_new
    }
}

/// Subordinates and role mates of everyone with one set of direct roles.
#[derive(Debug, Default)]
pub(super) struct RoleGroup {
    pub mates: Delta,
    pub subordinates: Delta,
}

/// Users with equal direct roles on both sides share one [`RoleGroup`].
pub(super) type GroupKey = (Positions, bool, Positions);

/// Membership classes on both sides: users of one pair share their team changes.
type ClassPair = ((u32, u32), (u32, u32));

/// A relation between a user and an owner in one authorizer.
type Relation = dyn Fn(&Authorizer, UserId, UserId) -> bool;

fn add(lists: &mut [Delta], at: u32, who: u32, gained: bool) {
    if let Some(d) = lists.get_mut(at as usize) {
        d.add(who, gained);
    }
}

impl Comparison<'_> {
    /// Every user of both authorizers, with what changed in their memberships and roles.
    ///
    /// # Cost
    /// O(users · roles each) plus, for users whose roles or their ancestors changed,
    /// O(roles × depth).
    pub(super) fn people(&self) -> Vec<Option<Person>> {
        let (old, new) = (self.old, self.new);
        let chain_changed = self.chains_changed();
        let mut team_deltas: HashMap<ClassPair, Rc<Delta>> = HashMap::new();
        (0..new.policy().users.len())
            .map(|u| {
                let o = self.users.old_of(u as u32)?;
                let (uo, un) = (old.user_at(o as usize)?, new.user_at(u)?);
                let key = (old.membership_of(uo)?, new.membership_of(un)?);
                let teams = team_deltas
                    .entry(key)
                    .or_insert_with(|| {
                        let (was, _) = mapped(&self.teams, old.user_team_slice(uo).iter().copied());
                        Rc::new(Delta::between(&was, new.user_team_slice(un)))
                    })
                    .clone();
                let (roles_old, roles_complete) =
                    mapped(&self.roles, old.direct_role_positions(uo));
                let roles_new = new.direct_role_positions(un);
                let mut person = Person {
                    old: uo,
                    new: un,
                    teams,
                    roles_old,
                    roles_complete,
                    roles_new,
                    at_or_above: Delta::default(),
                    above: Delta::default(),
                };
                let moved = person
                    .roles_new
                    .iter()
                    .any(|&r| chain_changed.get(r as usize).copied().unwrap_or(true));
                if person.roles_changed() || moved {
                    let (ao, so) = self.ancestors(old, &old.direct_role_positions(uo), true);
                    let (an, sn) = self.ancestors(new, &person.roles_new, false);
                    person.at_or_above = Delta::between(&ao, &an);
                    person.above = Delta::between(&so, &sn);
                }
                Some(person)
            })
            .collect()
    }

    /// From each user's changes, each principal's: who joined or left a team's members,
    /// a role's holders, a role's subtree, and the users below a role.
    pub(super) fn invert_people(&mut self) {
        for (u, person) in self.people.iter().enumerate() {
            let Some(p) = person else { continue };
            let u = u as u32;
            let roles = Delta::between(&p.roles_old, &p.roles_new);
            for (list, delta) in [
                (&mut self.members, &*p.teams),
                (&mut self.holders, &roles),
                (&mut self.subtree, &p.at_or_above),
                (&mut self.below, &p.above),
            ] {
                for &x in &delta.gained {
                    add(list, x, u, true);
                }
                for &x in &delta.lost {
                    add(list, x, u, false);
                }
            }
        }
    }

    /// Per new role position: whether its chain of ancestors (by id) differs from the
    /// old one. O(roles).
    fn chains_changed(&self) -> Vec<bool> {
        let (po, pn) = (self.old.policy(), self.new.policy());
        let parent_of = |p: &crate::policy::Policy, r: usize| {
            p.roles
                .get_index(r)
                .and_then(|(_, role)| role.parent.clone())
        };
        #[derive(Clone, Copy, PartialEq)]
        enum State {
            Unknown,
            Same,
            Changed,
        }
        let n = pn.roles.len();
        let mut state = vec![State::Unknown; n];
        for start in 0..n {
            let mut path = Vec::new();
            let mut at = Some(start);
            let mut changed = false;
            while let Some(r) = at {
                match state.get(r).copied() {
                    Some(State::Same) => break,
                    Some(State::Changed) => {
                        changed = true;
                        break;
                    }
                    _ => {}
                }
                path.push(r);
                let was = self.roles.old_of(r as u32);
                let now = parent_of(pn, r);
                if was.is_none_or(|o| parent_of(po, o as usize) != now) {
                    changed = true;
                    break;
                }
                at = now.and_then(|name| pn.roles.get_index_of(&name));
                if path.len() > n {
                    break; // a forest has no longer chain
                }
            }
            let verdict = if changed { State::Changed } else { State::Same };
            for r in path {
                if let Some(s) = state.get_mut(r) {
                    *s = verdict;
                }
            }
        }
        state.into_iter().map(|s| s == State::Changed).collect()
    }

    /// The roles at or above `roles` and those strictly above, in new positions.
    fn ancestors(&self, auth: &Authorizer, roles: &[u32], old: bool) -> (Vec<u32>, Vec<u32>) {
        let p = auth.policy();
        let (mut at_or_above, mut above) = (Vec::new(), Vec::new());
        for &r in roles {
            let mut at = Some(r as usize);
            let mut first = true;
            // a forest's chains are no longer than it has roles
            for _ in 0..=p.roles.len() {
                let Some(x) = at else { break };
                let pos = if old {
                    self.roles.new_of(x as u32)
                } else {
                    Some(x as u32)
                };
                if let Some(pos) = pos {
                    at_or_above.push(pos);
                    if !first {
                        above.push(pos);
                    }
                }
                first = false;
                at = p
                    .roles
                    .get_index(x)
                    .and_then(|(_, role)| role.parent.as_deref())
                    .and_then(|name| p.roles.get_index_of(name));
            }
        }
        for list in [&mut at_or_above, &mut above] {
            list.sort_unstable();
            list.dedup();
        }
        (at_or_above, above)
    }

    /// The users of `principal` in one authorizer, as new positions, ascending.
    pub(super) fn principal_users(
        &self,
        auth: &Authorizer,
        old: bool,
        principal: PrincipalId,
    ) -> Vec<u32> {
        let mut out: Vec<u32> = auth
            .principal_positions(principal)
            .into_iter()
            .filter_map(|u| if old { self.users.new_of(u) } else { Some(u) })
            .collect();
        out.sort_unstable();
        out
    }

    /// What changed in who a principal (by the new authorizer's names) includes; `None`
    /// for a user, who is always themselves, or a principal the new side lacks.
    pub(super) fn principal_delta(&self, principal: &Principal) -> Option<&Delta> {
        let pn = self.new.policy();
        match principal {
            Principal::User(_) => None,
            Principal::Team(t) => pn.teams.get_index_of(t).and_then(|t| self.members.get(t)),
            Principal::Role(r) => pn.roles.get_index_of(r).and_then(|r| self.holders.get(r)),
            Principal::RoleAndSubordinates(r) => {
                pn.roles.get_index_of(r).and_then(|r| self.subtree.get(r))
            }
        }
    }

    /// Subordinates and role mates of `person`'s direct roles, shared by everyone with
    /// the same ones.
    pub(super) fn role_group(&self, person: &Person) -> Rc<RoleGroup> {
        let key = (
            person.roles_old.clone(),
            person.roles_complete,
            person.roles_new.clone(),
        );
        if let Some(g) = self.groups.borrow().get(&key) {
            return Rc::clone(g);
        }
        let group = Rc::new(self.compute_role_group(person));
        self.groups.borrow_mut().insert(key, Rc::clone(&group));
        group
    }

    /// With the same direct roles on both sides, only users whose own roles (or their
    /// place in the hierarchy) changed can join or leave the group's mates and
    /// subordinates; with other roles, every holder of either side's roles may.
    ///
    /// # Cost
    /// O(candidates × log) for the candidates described.
    fn compute_role_group(&self, person: &Person) -> RoleGroup {
        let (old, new) = (self.old, self.new);
        let exact = |mut candidates: Vec<u32>, rel: &Relation| {
            let mut d = Delta::default();
            candidates.sort_unstable();
            candidates.dedup();
            for o in candidates {
                let (Some(oo), Some(on)) = (
                    self.users.old_of(o).and_then(|x| old.user_at(x as usize)),
                    new.user_at(o as usize),
                ) else {
                    continue;
                };
                let (was, now) = (rel(old, person.old, oo), rel(new, person.new, on));
                if was != now {
                    d.add(o, now);
                }
            }
            d
        };
        let shares: &Relation = &|a, u, o| a.shares_direct_role(u, o);
        let superior: &Relation = &|a, u, o| a.is_superior_of(u, o);
        if person.roles_changed() {
            let holders = |auth: &Authorizer, side_old: bool, roles: &[u32], below: bool| {
                let mut out = Vec::new();
                for &r in roles {
                    let Some(role) = auth.role_at(r as usize) else {
                        continue;
                    };
                    let principal = if below {
                        PrincipalId::RoleAndSubordinates(role)
                    } else {
                        PrincipalId::Role(role)
                    };
                    out.extend(self.principal_users(auth, side_old, principal));
                }
                out
            };
            let old_roles = old.direct_role_positions(person.old);
            let mut mates = holders(old, true, &old_roles, false);
            mates.extend(holders(new, false, &person.roles_new, false));
            let mut subs = holders(old, true, &old_roles, true);
            subs.extend(holders(new, false, &person.roles_new, true));
            return RoleGroup {
                mates: exact(mates, shares),
                subordinates: exact(subs, superior),
            };
        }
        let pick = |lists: &[Delta]| -> Vec<u32> {
            person
                .roles_new
                .iter()
                .filter_map(|&r| lists.get(r as usize))
                .flat_map(Delta::all)
                .collect()
        };
        RoleGroup {
            mates: exact(pick(&self.holders), shares),
            subordinates: exact(pick(&self.below), superior),
        }
    }
}
