//! The policy's references by name, resolved to positions once: validation resolves them
//! while it checks them, and compiling reads the positions instead of looking every name
//! up again (at a million users, each pass of look-ups cost about a second).

use indexmap::IndexMap;

use super::Policy;
use crate::lists::Lists;

/// Positions of the names a policy's teams and users list, in list order; names that do
/// not resolve are left out (a valid policy has none).
#[derive(Debug, Clone, Default)]
pub(crate) struct Resolved {
    /// Per team, its `users`.
    pub team_users: Lists,
    /// Per team, its nested `teams`.
    pub team_teams: Lists,
    /// Per team, its `roles`.
    pub team_roles: Lists,
    /// Per team, its `roles_and_subordinates`.
    pub team_subtrees: Lists,
    /// Per user, their `roles`.
    pub user_roles: Lists,
}

impl Resolved {
    /// Resolves every list of `p`, skipping unknown names. O(policy size) look-ups.
    pub fn of(p: &Policy) -> Resolved {
        let mut r = Resolved::empty();
        let mut scratch = Vec::new();
        for team in p.teams.values() {
            push(&mut r.team_users, &mut scratch, &p.users, &team.users);
            push(&mut r.team_teams, &mut scratch, &p.teams, &team.teams);
            push(&mut r.team_roles, &mut scratch, &p.roles, &team.roles);
            let subtrees = &team.roles_and_subordinates;
            push(&mut r.team_subtrees, &mut scratch, &p.roles, subtrees);
        }
        for user in p.users.values() {
            push(&mut r.user_roles, &mut scratch, &p.roles, &user.roles);
        }
        r
    }

    /// No lists yet.
    pub fn empty() -> Resolved {
        Resolved {
            team_users: Lists::new(),
            team_teams: Lists::new(),
            team_roles: Lists::new(),
            team_subtrees: Lists::new(),
            user_roles: Lists::new(),
        }
    }
}

/// Appends the positions of `names` in `map` as one list.
fn push<V>(out: &mut Lists, scratch: &mut Vec<u32>, map: &IndexMap<String, V>, names: &[String]) {
    scratch.clear();
    scratch.extend(
        names
            .iter()
            .filter_map(|n| map.get_index_of(n.as_str()))
            .map(|i| i as u32),
    );
    out.push(scratch);
}
