//! The checks every engine answers: deterministic, about half of them allowed.
//!
//! Uniformly random (user, action, record) triples would be mostly denied, and the few
//! allowed ones mostly by `all` cells, which tells little about an engine. So a query's
//! record is drawn near its user (one they own, one of their teams', one owned by a
//! holder of the same role, one a sharing rule offers them) more often than from
//! anywhere, and the decision is then steered
//! to alternate allowed and denied by redrawing. Records that a sharing rule offers the
//! user are drawn too, or sharing would almost never decide at the large size. The decision used for steering is
//! permatrix's; the peers are held to it afterwards, query by query.

use crate::workload::{Act, Query, Rng, Workload};

/// Redraws before a query is taken as it comes; with the rates here (a fifth to a half
/// allowed among draws) a miss is practically impossible, and harmless.
const TRIES: usize = 256;

/// `count` queries over `workload`, steered to alternate allowed and denied by `decide`.
pub fn generate(workload: &Workload, count: usize, decide: impl Fn(&Query) -> bool) -> Vec<Query> {
    let near = Near::new(workload);
    let mut rng = Rng(0x5EED_0008);
    (0..count)
        .map(|i| {
            let want = i % 2 == 0;
            let mut query = near.draw(workload, &mut rng);
            for _ in 0..TRIES {
                if decide(&query) == want {
                    break;
                }
                query = near.draw(workload, &mut rng);
            }
            query
        })
        .collect()
}

/// Indexes for drawing records near a user.
struct Near {
    by_owner: Vec<Vec<usize>>,
    by_team: Vec<Vec<usize>>,
    holders: Vec<Vec<usize>>,
    /// Per user, the records a sharing rule offers them (module and owner match).
    offered: Vec<Vec<usize>>,
}

impl Near {
    fn new(w: &Workload) -> Near {
        let mut by_owner = vec![Vec::new(); w.shape.users];
        let mut by_team = vec![Vec::new(); w.shape.teams];
        for (i, r) in w.records.iter().enumerate() {
            by_owner[r.owner].push(i);
            for &t in &r.teams {
                by_team[t].push(i);
            }
        }
        let mut offered = vec![Vec::new(); w.shape.users];
        for rule in &w.sharing_rules {
            let records: Vec<usize> = w
                .principal_users(rule.from)
                .into_iter()
                .flat_map(|owner| &by_owner[owner])
                .copied()
                .filter(|&r| w.records[r].module == rule.module)
                .collect();
            for user in w.principal_users(rule.to) {
                offered[user].extend(&records);
            }
        }
        Near {
            by_owner,
            by_team,
            holders: w.role_holders(),
            offered,
        }
    }

    fn draw(&self, w: &Workload, rng: &mut Rng) -> Query {
        let user = rng.below(w.shape.users);
        let act = Act::ALL[rng.below(Act::ALL.len())];
        let pick =
            |rng: &mut Rng, list: &[usize]| (!list.is_empty()).then(|| list[rng.below(list.len())]);
        let record = match rng.below(5) {
            // one of the user's own records
            0 => pick(rng, &self.by_owner[user]),
            // a record linked to one of the user's teams
            1 => {
                let teams = &w.user_teams[user];
                let team = teams[rng.below(teams.len())];
                pick(rng, &self.by_team[team])
            }
            // a record owned by someone holding one of the user's roles
            2 => {
                let roles = &w.user_roles[user];
                let role = roles[rng.below(roles.len())];
                let peers = &self.holders[role];
                pick(rng, peers).and_then(|peer| pick(rng, &self.by_owner[peer]))
            }
            // a record a sharing rule offers the user (most users have none)
            3 => pick(rng, &self.offered[user]),
            _ => None,
        }
        .unwrap_or_else(|| rng.below(w.records.len()));
        Query { user, act, record }
    }
}
