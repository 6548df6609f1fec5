//! Calendar access: for each user, the calendars whose level a change could touch, and
//! the levels that differ.

use std::collections::HashMap;

use super::Comparison;
use crate::checks::Authorizer;
use crate::checks::record::Owner;
use crate::explain::diff::change::Change;
use crate::ids::PrincipalId;
use crate::ids::UserId;
use crate::policy::CalendarOwner;

impl Comparison<'_> {
    /// For every user, the calendars whose access to them a share, a team calendar or
    /// team rights could change: those shared with a principal including them, and the
    /// calendars of their teams, on either side. Any other calendar is their own or none
    /// on both sides, unless their active state or bypass changed, which have their own
    /// items.
    ///
    /// # Cost
    /// O(calendar shares' recipients + team-calendar members), on both sides.
    pub(super) fn calendar_candidates(&mut self) {
        let mut labels: HashMap<String, u32> = HashMap::new();
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        for (side_old, auth) in [(true, self.old), (false, self.new)] {
            let p = auth.policy();
            let mut targets: Vec<(String, Vec<u32>)> = Vec::new();
            for share in &p.calendar_shares {
                let label = match &share.owner {
                    CalendarOwner::User(u) => format!("user {u}"),
                    CalendarOwner::Team(t) => format!("team {t}"),
                };
                let users = auth
                    .principal_id(&share.to)
                    .map_or_else(Vec::new, |to| self.principal_users(auth, side_old, to));
                targets.push((label, users));
            }
            for (id, _) in p.teams.iter().filter(|(_, t)| t.calendar) {
                let users = auth.team(id).map_or_else(Vec::new, |t| {
                    self.principal_users(auth, side_old, PrincipalId::Team(t))
                });
                targets.push((format!("team {id}"), users));
            }
            for (label, users) in targets {
                let next = labels.len() as u32;
                let l = *labels.entry(label).or_insert(next);
                pairs.extend(users.into_iter().map(|u| (u, l)));
            }
        }
        let mut names = vec![String::new(); labels.len()];
        for (label, i) in labels {
            if let Some(slot) = names.get_mut(i as usize) {
                *slot = label;
            }
        }
        self.calendar_labels = names;
        pairs.sort_unstable();
        pairs.dedup();
        for (u, l) in pairs {
            if let Some(list) = self.calendars.get_mut(u as usize) {
                list.push(l);
            }
        }
    }

    /// Calendar levels that differ for the user, of owners both sides know (an owner on
    /// one side only is the diff's added or removed user or team).
    pub(super) fn calendars(&self, uo: Option<UserId>, un: Option<UserId>, out: &mut Vec<Change>) {
        let Some(candidates) = un.and_then(|n| self.calendars.get(n.index())) else {
            return;
        };
        for label in candidates
            .iter()
            .filter_map(|&l| self.calendar_labels.get(l as usize))
        {
            let owner = |auth: &Authorizer| match label.split_once(' ') {
                Some(("user", name)) => auth.user(name).map(Owner::User),
                Some(("team", id)) => auth.team(id).map(Owner::Team),
                _ => None,
            };
            let (Some(oo), Some(on)) = (owner(self.old), owner(self.new)) else {
                continue;
            };
            let before = uo.and_then(|u| self.old.calendar_access(u, oo));
            let after = un.and_then(|u| self.new.calendar_access(u, on));
            if before != after {
                out.push(Change::Calendar {
                    owner: label.clone(),
                    before,
                    after,
                });
            }
        }
    }
}
