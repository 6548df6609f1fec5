//! Who holds what in one policy: the facts a change is judged by ([administration](crate::doc::semantics#administration)). A change is
//! checked by comparing the standing before it with the standing after it, so a rule holds
//! whichever operation made the change.

use std::collections::BTreeSet;

use crate::compile::{self, Holdings, Memberships, RoleTree};
use crate::error::PolicyError;
use crate::lists::Lists;
use crate::policy::{AdminLevel, Policy, Principal, Status};

/// Per user (by position in the policy): effective level, memberships and direct roles.
pub(crate) struct Standing {
    /// Effective admin level ([the policy model](crate::doc::document)).
    pub level: Vec<AdminLevel>,
    /// Active teams (membership as [the policy model](crate::doc::document) defines it).
    pub teams: Memberships,
    /// Teams that list the user directly, by role entry or through nesting, active or
    /// not; empty until [`Standing::add_listed`].
    pub listed: Memberships,
    /// Direct roles, ascending, without the default role.
    pub direct_roles: Lists,
    /// Per team, the membership classes that include it; per class, its users; per role,
    /// the users holding it directly. Empty until [`Standing::add_listed`].
    team_classes: Lists,
    class_users: Lists,
    role_holders: Lists,
    /// The role forest.
    pub roles: RoleTree,
}

impl Standing {
    /// The standing of every user of `p`, which must be valid; `listed` is left empty.
    ///
    /// # Errors
    /// `limit_exceeded` past the policy's membership budget.
    pub fn of(p: &Policy) -> Result<Standing, PolicyError> {
        let Holdings {
            level,
            teams,
            direct_roles,
            roles,
        } = compile::holdings(p)?;
        Ok(Standing {
            level,
            listed: Memberships::default(),
            teams,
            direct_roles,
            roles,
            team_classes: Lists::default(),
            class_users: Lists::default(),
            role_holders: Lists::default(),
        })
    }

    /// Works out which teams list each user, for the guards on actors below `admin`.
    ///
    /// # Errors
    /// `limit_exceeded` past the policy's membership budget.
    pub fn add_listed(&mut self, p: &Policy) -> Result<(), PolicyError> {
        self.listed = compile::listed_memberships(p)?;
        (self.team_classes, self.class_users) = self.teams.by_team(p.teams.len());
        let mut pairs = Vec::new();
        for (u, roles) in self.direct_roles.iter().enumerate() {
            pairs.extend(roles.iter().map(|&r| (r, u as u32)));
        }
        self.role_holders = Lists::from_pairs(p.roles.len(), &pairs);
        Ok(())
    }

    /// The active teams of the user at position `u`, ascending.
    pub fn teams_of(&self, u: usize) -> &[u32] {
        self.teams.teams_of(u)
    }

    /// The effective level of `name`, if the user exists.
    pub fn level_of(&self, p: &Policy, name: &str) -> Option<AdminLevel> {
        p.users
            .get_index_of(name)
            .and_then(|i| self.level.get(i).copied())
    }

    /// How many active users hold the `admin` level.
    pub fn active_admins(&self, p: &Policy) -> usize {
        p.users
            .values()
            .zip(&self.level)
            .filter(|(u, l)| **l == AdminLevel::Admin && u.status == Status::Active)
            .count()
    }

    /// The names of the active teams of `name` (empty for an unknown user).
    pub fn team_names<'p>(&self, p: &'p Policy, name: &str) -> BTreeSet<&'p str> {
        names_of(p, &self.teams, name)
    }

    /// The names of the teams that list `name`, active or not.
    pub fn listed_names<'p>(&self, p: &'p Policy, name: &str) -> BTreeSet<&'p str> {
        names_of(p, &self.listed, name)
    }

    /// Whether `principal` includes the user `name` ([the policy model](crate::doc::document), the users of a principal).
    pub fn includes(&self, p: &Policy, principal: &Principal, name: &str) -> bool {
        let Some(u) = p.users.get_index_of(name) else {
            return false;
        };
        let direct = self.direct_roles.get(u);
        match principal {
            Principal::User(x) => x == name,
            Principal::Team(t) => p
                .teams
                .get_index_of(t)
                .is_some_and(|t| self.teams_of(u).binary_search(&(t as u32)).is_ok()),
            Principal::Role(r) => p
                .roles
                .get_index_of(r)
                .is_some_and(|r| direct.binary_search(&(r as u32)).is_ok()),
            Principal::RoleAndSubordinates(r) => p.roles.get_index_of(r).is_some_and(|top| {
                direct
                    .iter()
                    .any(|&mine| self.roles.in_subtree(top as u32, mine))
            }),
        }
    }

    /// The usernames a principal names, ascending (after [`Standing::add_listed`]).
    ///
    /// # Cost
    /// O(k log k) for the k users named: teams and roles are looked up in indexes.
    pub fn users_of<'p>(&self, p: &'p Policy, principal: &Principal) -> BTreeSet<&'p str> {
        let name = |u: &u32| p.users.get_index(*u as usize).map(|(k, _)| k.as_str());
        let holders = |r: u32| self.role_holders.get(r as usize).iter().filter_map(name);
        match principal {
            Principal::User(u) => p
                .users
                .get_key_value(u)
                .map(|(k, _)| k.as_str())
                .into_iter()
                .collect(),
            Principal::Team(t) => p
                .teams
                .get_index_of(t)
                .map(|t| self.team_classes.get(t))
                .unwrap_or(&[])
                .iter()
                .flat_map(|&c| self.class_users.get(c as usize))
                .filter_map(name)
                .collect(),
            Principal::Role(r) => p
                .roles
                .get_index_of(r)
                .into_iter()
                .flat_map(|r| holders(r as u32))
                .collect(),
            Principal::RoleAndSubordinates(r) => p
                .roles
                .get_index_of(r)
                .map(|r| self.roles.subtree(r as u32))
                .unwrap_or(&[])
                .iter()
                .flat_map(|&r| holders(r))
                .collect(),
        }
    }

    /// The usernames of the active members of team `team`, ascending.
    pub fn members_of<'p>(&self, p: &'p Policy, team: &str) -> BTreeSet<&'p str> {
        self.users_of(p, &Principal::Team(team.to_string()))
    }

    /// The roles that make `name` a member of some team, active or not: their direct
    /// roles that a team takes by role, and every role at or above one of their direct
    /// roles that a team takes with its subordinates ([administration](crate::doc::semantics#administration): "a role … that makes them
    /// a member").
    ///
    /// # Cost
    /// O(r · depth) for the user's r direct roles, each walk up stopping at a role seen.
    pub fn member_roles<'p>(
        &self,
        p: &'p Policy,
        taken: &TakenRoles,
        name: &str,
    ) -> BTreeSet<&'p str> {
        let mut out = BTreeSet::new();
        let Some(u) = p.users.get_index_of(name) else {
            return out;
        };
        let role_name = |r: u32| p.roles.get_index(r as usize).map(|(k, _)| k.as_str());
        let mut seen = std::collections::HashSet::new();
        for &r in self.direct_roles.get(u) {
            if taken.by_role.contains(&r) {
                out.extend(role_name(r));
            }
            // each role once: above a role seen before, everything was seen too
            for a in self.roles.ancestors(r).take_while(|&a| seen.insert(a)) {
                if taken.by_subtree.contains(&a) {
                    out.extend(role_name(a));
                }
            }
        }
        out
    }

    /// The roles `name` holds: the default role, their direct roles (as written) and the
    /// roles their active teams confer.
    pub fn held_roles<'p>(&self, p: &'p Policy, name: &str) -> BTreeSet<&'p str> {
        let mut held = BTreeSet::new();
        let Some((u, _, user)) = p.users.get_full(name) else {
            return held;
        };
        held.extend(
            p.settings
                .default_role
                .as_deref()
                .and_then(|r| key(&p.roles, r)),
        );
        held.extend(user.roles.iter().filter_map(|r| key(&p.roles, r)));
        for t in self.teams_of(u) {
            if let Some((_, team)) = p.teams.get_index(*t as usize) {
                held.extend(team.role.as_deref().and_then(|r| key(&p.roles, r)));
            }
        }
        held
    }
}

/// The policy's own copy of a key, so that sets borrow from the policy.
fn key<'p, V>(map: &'p indexmap::IndexMap<String, V>, id: &str) -> Option<&'p str> {
    map.get_key_value(id).map(|(k, _)| k.as_str())
}

fn names_of<'p>(p: &'p Policy, per_user: &Memberships, name: &str) -> BTreeSet<&'p str> {
    let Some(u) = p.users.get_index_of(name) else {
        return BTreeSet::new();
    };
    per_user
        .teams_of(u)
        .iter()
        .filter_map(|&t| p.teams.get_index(t as usize).map(|(k, _)| k.as_str()))
        .collect()
}

/// The roles some team (active or not) takes: by role, and with their subordinates.
#[derive(Default)]
pub(crate) struct TakenRoles {
    by_role: std::collections::HashSet<u32>,
    by_subtree: std::collections::HashSet<u32>,
}

impl TakenRoles {
    /// O(teams' role entries).
    pub fn of(p: &Policy) -> TakenRoles {
        let mut out = TakenRoles::default();
        let index = |r: &String| p.roles.get_index_of(r).map(|r| r as u32);
        for team in p.teams.values() {
            out.by_role.extend(team.roles.iter().filter_map(index));
            out.by_subtree
                .extend(team.roles_and_subordinates.iter().filter_map(index));
        }
        out
    }
}
