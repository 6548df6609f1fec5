//! What the cells reach where the cells stayed what they were: the [`Reason`]s, per
//! module and action, for a user whose grants decide on both sides.

use std::collections::BTreeMap;

use super::Comparison;
use super::sets::{Delta, Person};
use crate::cell::Cell;
use crate::explain::diff::change::{Change, Names, ReachedActions, Reason};
use crate::policy::{Action, Principal, ShareAccess};

/// Actions decided record by record (the others are module-level).
const RECORD_ACTIONS: [Action; 6] = [
    Action::View,
    Action::List,
    Action::Edit,
    Action::Delete,
    Action::Export,
    Action::Report,
];

/// The reasons that are the same in every module, in the order they are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Shared {
    Teams,
    Subordinates,
    RoleMates,
    SharePrincipals,
}

impl ReachedActions {
    fn empty(module: &str) -> ReachedActions {
        ReachedActions {
            module: module.to_string(),
            gained: Vec::new(),
            lost: Vec::new(),
        }
    }
    fn note(&mut self, action: Action, gained: bool, lost: bool) {
        if gained {
            self.gained.push(action);
        }
        if lost {
            self.lost.push(action);
        }
    }
    fn is_empty(&self) -> bool {
        self.gained.is_empty() && self.lost.is_empty()
    }
}

impl Comparison<'_> {
    /// What the user's cells reach, where a cell did not change to or from `none` or
    /// `all` (the cell's own item says those). Every record-level decision reads the
    /// user's teams (team-owned records, linked teams), the rules and the record shares;
    /// a module with `hierarchy` the subordinates; a cell with a role part the role mates.
    pub(super) fn reach(&self, person: &Person, out: &mut Vec<Change>) {
        let (old, new) = (self.old, self.new);
        let pn = new.policy();
        let group = self.role_group(person);
        let me = person.new.index() as u32;
        let user_names = |list: &[u32]| -> Names {
            list.iter()
                .filter(|&&u| u != me)
                .filter_map(|&u| pn.users.get_index(u as usize).map(|(k, _)| k.clone()))
                .collect::<Vec<_>>()
                .into()
        };
        let subs = (
            user_names(&group.subordinates.gained),
            user_names(&group.subordinates.lost),
        );
        let mates = (
            user_names(&group.mates.gained),
            user_names(&group.mates.lost),
        );
        let principals = self.principal_changes(person);
        let teams = &person.teams;
        let me_in_rules = self
            .rules
            .iter()
            .flatten()
            .any(|r| r.by_user.contains_key(&me));
        let nothing = teams.is_empty()
            && subs.0.is_empty()
            && subs.1.is_empty()
            && mates.0.is_empty()
            && mates.1.is_empty()
            && principals.0.is_empty()
            && principals.1.is_empty()
            && !me_in_rules
            && !self.modules_flipped;
        if nothing {
            return; // no fact any cell reads changed
        }
        let mut shared: BTreeMap<Shared, BTreeMap<usize, ReachedActions>> = BTreeMap::new();
        let mut own: Vec<Change> = Vec::new();
        for m in 0..pn.modules.len() {
            let Some(mo) = self.modules.old_of(m as u32).map(|m| m as usize) else {
                continue;
            };
            let (Some(fo), Some(fnew), Some(id_o), Some(id_n)) = (
                old.module_facts_at(mo),
                new.module_facts_at(m),
                old.module_at(mo),
                new.module_at(m),
            ) else {
                continue;
            };
            let module = pn.modules.get_index(m).map_or("", |(k, _)| k.as_str());
            let levels = self
                .rules
                .get(m)
                .and_then(Option::as_ref)
                .and_then(|r| r.by_user.get(&me));
            let mut owned = ReachedActions::empty(module);
            let mut hierarchy = ReachedActions::empty(module);
            let mut by_rules = ReachedActions::empty(module);
            for action in RECORD_ACTIONS {
                let co = old.cell(person.old, id_o, action).unwrap_or(Cell::NONE);
                let cn = new.cell(person.new, id_n, action).unwrap_or(Cell::NONE);
                if co.is_none() || cn.is_none() {
                    continue; // the cell item says it all
                }
                // a module without owners opens every record: nothing to tell apart (the
                // rule and relation sets below are empty for such a module too, so
                // cargo-mutants' `&&` here changes no output)
                let all_o = !fo.owned || co == Cell::ALL;
                let all_n = !fnew.owned || cn == Cell::ALL;
                if all_o && all_n {
                    continue;
                }
                if fo.owned != fnew.owned {
                    // one side reaches every record, the other decides record by record
                    owned.note(action, all_n, !all_n);
                    continue;
                }
                if all_o || all_n {
                    continue; // a cell to or from `all`: the cell item says it
                }
                let mut note = |reason: Shared, gained: bool, lost: bool| {
                    if !gained && !lost {
                        return;
                    }
                    shared
                        .entry(reason)
                        .or_default()
                        .entry(m)
                        .or_insert_with(|| ReachedActions::empty(module))
                        .note(action, gained, lost);
                };
                note(
                    Shared::Teams,
                    !teams.gained.is_empty(),
                    !teams.lost.is_empty(),
                );
                if fo.hierarchy != fnew.hierarchy {
                    let had = fo.hierarchy && old.has_subordinates(person.old);
                    let has = fnew.hierarchy && new.has_subordinates(person.new);
                    hierarchy.note(action, has, had);
                } else if fnew.hierarchy {
                    note(Shared::Subordinates, !subs.0.is_empty(), !subs.1.is_empty());
                }
                note(
                    Shared::RoleMates,
                    !mates.0.is_empty() && cn.wants_role(),
                    !mates.1.is_empty() && co.wants_role(),
                );
                note(
                    Shared::SharePrincipals,
                    !principals.0.is_empty(),
                    !principals.1.is_empty(),
                );
                if let Some(levels) = levels {
                    let reaches = |l: Option<ShareAccess>| l.is_some_and(|l| l.reaches(action));
                    by_rules.note(
                        action,
                        levels
                            .iter()
                            .any(|l| reaches(l.after) && !reaches(l.before)),
                        levels
                            .iter()
                            .any(|l| reaches(l.before) && !reaches(l.after)),
                    );
                }
            }
            let mut push = |reason: Reason, actions: ReachedActions| {
                if !actions.is_empty() {
                    own.push(Change::Reach {
                        reason,
                        modules: vec![actions],
                    });
                }
            };
            push(
                Reason::ModuleOwned {
                    before: fo.owned,
                    after: fnew.owned,
                },
                owned,
            );
            push(
                Reason::ModuleHierarchy {
                    before: fo.hierarchy,
                    after: fnew.hierarchy,
                },
                hierarchy,
            );
            if let Some(levels) = levels {
                let owners = |pick: &dyn Fn(&super::rules::OwnerLevel) -> bool| -> Names {
                    levels
                        .iter()
                        .filter(|l| pick(l))
                        .map(|l| l.owner.clone())
                        .collect::<Vec<_>>()
                        .into()
                };
                // `levels` holds only owners whose level differs, so `>=`/`<=` here would
                // read the same (cargo-mutants' two equivalent mutants)
                push(
                    Reason::SharingRules {
                        gained: owners(&|l| l.after > l.before),
                        lost: owners(&|l| l.after < l.before),
                    },
                    by_rules,
                );
            }
        }
        let team_names = |list: &[u32]| -> Vec<String> {
            list.iter()
                .filter_map(|&t| pn.teams.get_index(t as usize).map(|(k, _)| k.clone()))
                .collect()
        };
        for (reason, modules) in shared {
            let modules: Vec<ReachedActions> =
                modules.into_values().filter(|m| !m.is_empty()).collect();
            if modules.is_empty() {
                continue;
            }
            let reason = match reason {
                Shared::Teams => Reason::Teams {
                    joined: team_names(&teams.gained),
                    left: team_names(&teams.lost),
                },
                Shared::Subordinates => Reason::Subordinates {
                    gained: subs.0.clone(),
                    lost: subs.1.clone(),
                },
                Shared::RoleMates => Reason::RoleMates {
                    gained: mates.0.clone(),
                    lost: mates.1.clone(),
                },
                Shared::SharePrincipals => Reason::SharePrincipals {
                    gained: principals.0.clone(),
                    lost: principals.1.clone(),
                },
            };
            out.push(Change::Reach { reason, modules });
        }
        out.extend(own);
    }

    /// The principals that now include the user, and those that no longer do: their
    /// teams, direct roles, and roles at or above a direct role.
    fn principal_changes(&self, person: &Person) -> (Vec<Principal>, Vec<Principal>) {
        let pn = self.new.policy();
        let team = |t: &u32| {
            pn.teams
                .get_index(*t as usize)
                .map(|(k, _)| Principal::Team(k.clone()))
        };
        let role = |r: &u32| {
            pn.roles
                .get_index(*r as usize)
                .map(|(k, _)| Principal::Role(k.clone()))
        };
        let subtree = |r: &u32| {
            pn.roles
                .get_index(*r as usize)
                .map(|(k, _)| Principal::RoleAndSubordinates(k.clone()))
        };
        let roles = Delta::between(&person.roles_old, &person.roles_new);
        let side = |gained: bool| -> Vec<Principal> {
            let pick = |d: &Delta| {
                if gained {
                    d.gained.clone()
                } else {
                    d.lost.clone()
                }
            };
            pick(&person.teams)
                .iter()
                .filter_map(team)
                .chain(pick(&roles).iter().filter_map(role))
                .chain(pick(&person.at_or_above).iter().filter_map(subtree))
                .collect()
        };
        (side(true), side(false))
    }
}
