//! Who is a member of which team (SPEC §2): direct users, members of nested active teams,
//! and users matched by direct role or role subtree, transitively. Inactive teams have no
//! members at all.

use crate::policy::Policy;

use super::hierarchy::RoleTree;

/// Per team, the set of member users as a bitset over user indices.
pub(crate) struct Membership {
    words: usize,
    bits: Vec<u64>,
}

impl Membership {
    /// `direct_roles[u]` are user `u`'s direct role indices (the default role excluded).
    /// With `all_active`, inactive teams are treated as active: the teams that *list* a
    /// user, which the administration guards compare (SPEC §7).
    pub fn new(
        policy: &Policy,
        roles: &RoleTree,
        direct_roles: &[Vec<u32>],
        all_active: bool,
    ) -> Membership {
        let users = policy.users.len();
        let teams = policy.teams.len();
        let words = users.div_ceil(64);
        let mut m = Membership {
            words,
            bits: vec![0; words * teams],
        };
        // Teams are done in an order where nested teams come first (validated acyclic).
        let mut done = vec![false; teams];
        for root in 0..teams {
            let mut stack = vec![(root, false)];
            while let Some((team, expanded)) = stack.pop() {
                if done[team] {
                    continue;
                }
                let def = &policy.teams[team];
                let nested: Vec<usize> = def
                    .teams
                    .iter()
                    .filter_map(|t| policy.teams.get_index_of(t))
                    .collect();
                if !expanded {
                    stack.push((team, true));
                    stack.extend(nested.iter().filter(|&&t| !done[t]).map(|&t| (t, false)));
                    continue;
                }
                done[team] = true;
                if !def.active && !all_active {
                    continue;
                }
                let mut set = vec![0u64; words];
                for user in def
                    .users
                    .iter()
                    .filter_map(|u| policy.users.get_index_of(u))
                {
                    set[user / 64] |= 1 << (user % 64);
                }
                let by_role: Vec<u32> = def
                    .roles
                    .iter()
                    .filter_map(|r| policy.roles.get_index_of(r).map(|i| i as u32))
                    .collect();
                let by_subtree: Vec<u32> = def
                    .roles_and_subordinates
                    .iter()
                    .filter_map(|r| policy.roles.get_index_of(r).map(|i| i as u32))
                    .collect();
                if !by_role.is_empty() || !by_subtree.is_empty() {
                    for (user, own) in direct_roles.iter().enumerate() {
                        let matched = own.iter().any(|r| {
                            by_role.contains(r)
                                || by_subtree.iter().any(|&top| roles.in_subtree(top, *r))
                        });
                        if matched {
                            set[user / 64] |= 1 << (user % 64);
                        }
                    }
                }
                for child in nested {
                    // an inactive nested team was left empty above
                    let child_bits = &m.bits[child * words..(child + 1) * words];
                    for (a, b) in set.iter_mut().zip(child_bits) {
                        *a |= *b;
                    }
                }
                m.bits[team * words..(team + 1) * words].copy_from_slice(&set);
            }
        }
        m
    }

    /// The teams of each user, ascending.
    pub fn teams_by_user(&self, teams: usize, users: usize) -> Vec<Vec<u32>> {
        let mut out = vec![Vec::new(); users];
        for team in 0..teams {
            for (w, &word) in self.bits[team * self.words..(team + 1) * self.words]
                .iter()
                .enumerate()
            {
                let mut word = word;
                while word != 0 {
                    let bit = word.trailing_zeros() as usize;
                    word &= word - 1;
                    out[w * 64 + bit].push(team as u32);
                }
            }
        }
        out
    }
}
