//! Who is a member of which team ([the policy model](crate::doc::document)): direct users, members of nested active teams,
//! and users matched by direct role or role subtree, transitively. Inactive teams have no
//! members at all.
//!
//! Memberships are stored per *class*: users with the same direct teams and the same direct
//! roles are members of the same teams, so they share one sorted team list. Every team of
//! a class is found by walking up from the teams that name its users (directly or by role)
//! through the teams that nest them, each team once, so the work is proportional to what is
//! found. A policy where that would still exceed [`Limits`]'s membership budget is refused
//! with `limit_exceeded` instead of being worked out.

use crate::error::{ErrorCode, PolicyError};
use crate::policy::resolved::Resolved;
use crate::policy::{Limits, Policy};

use super::hierarchy::RoleTree;
use crate::lists::Lists;

/// The teams of every user, shared per class of users with equal inputs.
#[derive(Debug, Clone, Default)]
pub(crate) struct Memberships {
    /// Per user, their class.
    class_of: Vec<u32>,
    /// Per class, its teams, ascending.
    teams: Lists,
    /// The steps taken to find them, held to the membership budget.
    spent: usize,
}

impl Memberships {
    /// Works out memberships for `policy` (valid), whose users have the direct roles
    /// `direct_roles` (ascending, default role excluded). With `all_active`, inactive teams
    /// count as active: the teams that *list* a user, which the administration guards
    /// compare ([administration](crate::doc::semantics#administration)).
    ///
    /// # Errors
    /// `limit_exceeded` when the work would exceed the policy's membership budget.
    ///
    /// # Cost
    /// O(policy size + classes × their teams), within the budget.
    pub fn new(
        policy: &Policy,
        roles: &RoleTree,
        resolved: &Resolved,
        direct_roles: &Lists,
        all_active: bool,
    ) -> Result<Memberships, PolicyError> {
        let p = policy;
        let n_teams = p.teams.len();
        let n_roles = p.roles.len();
        let active: Vec<bool> = p.teams.values().map(|t| all_active || t.active).collect();
        let is_active = |t: usize| active.get(t).copied().unwrap_or(false);

        // who nests each team, who lists each user directly, which teams take each role,
        // and (canonically: no entry below another of the same team) each role subtree
        let mut nesting = Vec::new();
        let mut direct = Vec::new();
        let mut by_role = Vec::new();
        let mut by_subtree = Vec::new();
        let mut tops: Vec<u32> = Vec::new();
        for t in 0..n_teams {
            if !is_active(t) {
                continue;
            }
            let t32 = t as u32;
            for &child in resolved.team_teams.get(t) {
                if is_active(child as usize) {
                    nesting.push((child, t32));
                }
            }
            direct.extend(resolved.team_users.get(t).iter().map(|&u| (u, t32)));
            by_role.extend(resolved.team_roles.get(t).iter().map(|&r| (r, t32)));
            tops.clear();
            tops.extend(
                resolved
                    .team_subtrees
                    .get(t)
                    .iter()
                    .filter_map(|&r| roles.pre(r)),
            );
            tops.sort_unstable();
            tops.dedup();
            let mut covered_to = 0u32; // end of the last kept subtree, in pre-order
            for &pre in &tops {
                if pre < covered_to {
                    continue; // inside a subtree this team already takes
                }
                let Some(role) = roles.role_at(pre) else {
                    continue;
                };
                covered_to = roles.end(role).unwrap_or(pre + 1);
                by_subtree.push((role, t32));
            }
        }
        let parents = Lists::from_pairs(n_teams, &nesting);
        let mut direct_sorted = direct;
        direct_sorted.sort_unstable();
        direct_sorted.dedup();
        let direct = Lists::from_pairs(p.users.len(), &direct_sorted);
        let by_role = Lists::from_pairs(n_roles, &by_role);
        let by_subtree = Lists::from_pairs(n_roles, &by_subtree);
        // per role, the nearest role at or above it that some team takes with its subtree
        let mut next_taken = vec![u32::MAX; n_roles];
        for pre in 0..n_roles as u32 {
            let Some(r) = roles.role_at(pre) else {
                continue;
            };
            let up = roles
                .parent(r)
                .and_then(|q| next_taken.get(q as usize).copied())
                .unwrap_or(u32::MAX);
            if let Some(slot) = next_taken.get_mut(r as usize) {
                *slot = if by_subtree.get(r as usize).is_empty() {
                    up
                } else {
                    r
                };
            }
        }
        let above = |r: u32| {
            roles
                .parent(r)
                .and_then(|q| next_taken.get(q as usize).copied())
                .unwrap_or(u32::MAX)
        };

        let budget = p.limits().membership_budget(Limits::size_of(p));
        let mut spent = 0usize;
        let mut classes: foldhash::HashMap<(&[u32], &[u32]), u32> = foldhash::HashMap::default();
        let mut class_of = Vec::with_capacity(p.users.len());
        let mut class_teams = Lists::new();
        let mut team_stamp = vec![u32::MAX; n_teams];
        let mut role_stamp = vec![u32::MAX; n_roles];
        let mut found: Vec<u32> = Vec::new();
        let mut stack: Vec<u32> = Vec::new();
        for u in 0..p.users.len() {
            let key = (direct.get(u), direct_roles.get(u));
            let next = classes.len() as u32;
            let class = *classes.entry(key).or_insert(next);
            class_of.push(class);
            if class != next {
                continue;
            }
            found.clear();
            stack.clear();
            let mut reach = |t: u32, found: &mut Vec<u32>, stack: &mut Vec<u32>| {
                spent += 1;
                if let Some(stamp) = team_stamp.get_mut(t as usize) {
                    if *stamp != class {
                        *stamp = class;
                        found.push(t);
                        stack.push(t);
                    }
                }
            };
            for &t in key.0 {
                reach(t, &mut found, &mut stack);
            }
            for &r in key.1 {
                for &t in by_role.get(r as usize) {
                    reach(t, &mut found, &mut stack);
                }
                let mut a = next_taken.get(r as usize).copied().unwrap_or(u32::MAX);
                while let Some(stamp) = role_stamp.get_mut(a as usize) {
                    if *stamp == class {
                        break; // it and everything above it were taken already
                    }
                    *stamp = class;
                    for &t in by_subtree.get(a as usize) {
                        reach(t, &mut found, &mut stack);
                    }
                    a = above(a);
                }
            }
            while let Some(t) = stack.pop() {
                for &up in parents.get(t as usize) {
                    reach(up, &mut found, &mut stack);
                }
            }
            if spent > budget {
                return Err(PolicyError::new(
                    ErrorCode::LimitExceeded,
                    "teams",
                    format!(
                        "team memberships take more than the budget of {budget} steps ({} × the policy size of {} + 1 Mi); nested and role-based teams multiply them",
                        p.limits().get_membership_factor(),
                        Limits::size_of(p)
                    ),
                ));
            }
            found.sort_unstable();
            class_teams.push(&found);
        }
        Ok(Memberships {
            class_of,
            teams: class_teams,
            spent,
        })
    }

    /// The teams of user `u`, ascending (empty for an unknown user).
    #[inline]
    pub fn teams_of(&self, u: usize) -> &[u32] {
        self.class_of
            .get(u)
            .map_or(&[], |&c| self.teams.get(c as usize))
    }

    /// The class of user `u`.
    #[inline]
    pub fn class_of(&self, u: usize) -> Option<u32> {
        self.class_of.get(u).copied()
    }

    /// The teams of class `c`, ascending.
    #[inline]
    pub fn class_teams(&self, c: u32) -> &[u32] {
        self.teams.get(c as usize)
    }

    /// Where the teams of user `u` lie in [`Memberships::all_teams`], so that a user's
    /// facts can point at them without going through the class.
    #[inline]
    pub fn range_of(&self, u: usize) -> std::ops::Range<u32> {
        self.class_of
            .get(u)
            .map_or(0..0, |&c| self.teams.range(c as usize))
    }

    /// Every class's teams, back to back.
    #[inline]
    pub fn all_teams(&self) -> &[u32] {
        self.teams.items()
    }

    /// The steps taken to work them out, which the membership budget bounds.
    pub fn spent(&self) -> usize {
        self.spent
    }

    /// Number of classes.
    pub fn classes(&self) -> usize {
        self.teams.len()
    }

    /// Per team, its classes, ascending; and per class, its users, ascending: together
    /// the members of each team, in O(memberships stored + users).
    pub fn by_team(&self, teams: usize) -> (Lists, Lists) {
        let mut pairs = Vec::new();
        for c in 0..self.classes() {
            pairs.extend(self.teams.get(c).iter().map(|&t| (t, c as u32)));
        }
        let users: Vec<(u32, u32)> = self
            .class_of
            .iter()
            .enumerate()
            .map(|(u, &c)| (c, u as u32))
            .collect();
        (
            Lists::from_pairs(teams, &pairs),
            Lists::from_pairs(self.classes(), &users),
        )
    }

    /// Heap bytes held.
    pub fn memory_usage(&self) -> usize {
        self.class_of.capacity() * std::mem::size_of::<u32>() + self.teams.memory_usage()
    }
}
