//! Sharing rules: for the users a changed rule reaches, the owners whose records the
//! rules now share at another level.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use super::Comparison;
use super::sets::Delta;
use crate::checks::Authorizer;
use crate::checks::record::Owner;
use crate::ids::PrincipalId;
use crate::policy::{Principal, ShareAccess};

/// A rule by what it says (from, to, access), so the same rule is found on both sides.
type RuleKey = (Principal, Principal, ShareAccess);

/// A rule of one side: what it says, and its source and recipients in that side's ids.
type Rule = (RuleKey, PrincipalId, PrincipalId);

/// An owner whose records the sharing rules share at another level.
#[derive(Debug, Clone)]
pub(super) struct OwnerLevel {
    /// `user x` or `team t`.
    pub owner: String,
    pub before: Option<ShareAccess>,
    pub after: Option<ShareAccess>,
}

/// The sharing rules of one module, as far as they changed.
#[derive(Debug, Default)]
pub(super) struct ModuleRules {
    /// Per affected user (new position): the owners shared at another level.
    pub by_user: HashMap<u32, Rc<Vec<OwnerLevel>>>,
}

/// Which of one side's rules reach one group of users, by position in that side's list.
type Reaching = (Vec<usize>, Vec<usize>);

/// What a rule key is on each side, and whether its effect may have changed.
struct Keys {
    changed: HashSet<RuleKey>,
    /// Rules whose source gained or lost users, or is a team whose activity changed.
    source_changed: HashSet<RuleKey>,
}

impl Comparison<'_> {
    /// The rules of `auth`'s module at `m`, with their keys.
    fn keyed(auth: &Authorizer, m: usize) -> Vec<Rule> {
        auth.rules_of_module(m)
            .iter()
            .filter_map(|r| {
                let rule = auth.policy().sharing_rules.get(r.index as usize)?;
                Some(((rule.from.clone(), rule.to.clone(), r.access), r.from, r.to))
            })
            .collect()
    }

    fn source_changed(&self, from: &Principal) -> bool {
        let team_switched = match from {
            Principal::Team(t) => self
                .new
                .policy()
                .teams
                .get_index_of(t)
                .and_then(|t| self.team_switched.get(t).copied())
                .unwrap_or(false),
            _ => false,
        };
        team_switched || self.principal_delta(from).is_some_and(|d| !d.is_empty())
    }

    /// The sharing rules of the new module at `m` that changed in effect, and for every
    /// user they reach, the owners they now share at another level. `None` when no rule
    /// of the module changed in effect.
    ///
    /// # Cost
    /// O(rules of the module × users reached by a changed rule), plus per group of users
    /// reached by the same rules, the sources of the changed ones.
    pub(super) fn module_rules(&self, m: usize) -> Option<ModuleRules> {
        let mo = self.modules.old_of(m as u32)? as usize;
        let (old, new) = (self.old, self.new);
        let (rules_old, rules_new) = (Self::keyed(old, mo), Self::keyed(new, m));
        let in_old: HashSet<RuleKey> = rules_old.iter().map(|(k, ..)| k.clone()).collect();
        let in_new: HashSet<RuleKey> = rules_new.iter().map(|(k, ..)| k.clone()).collect();
        let source_changed: HashSet<RuleKey> = in_old
            .union(&in_new)
            .filter(|k| self.source_changed(&k.0))
            .cloned()
            .collect();
        let changed: HashSet<RuleKey> = in_old
            .union(&in_new)
            .filter(|k| {
                !(in_old.contains(*k) && in_new.contains(*k))
                    || source_changed.contains(*k)
                    || self.principal_delta(&k.1).is_some_and(|d| !d.is_empty())
            })
            .cloned()
            .collect();
        if changed.is_empty() {
            return None;
        }
        let keys = Keys {
            changed,
            source_changed,
        };
        // the users a changed rule reaches, on either side
        let mut reached: Vec<u32> = Vec::new();
        for (rules, auth, side_old) in [(&rules_old, old, true), (&rules_new, new, false)] {
            for (_, _, to) in rules.iter().filter(|(k, ..)| keys.changed.contains(k)) {
                reached.extend(self.principal_users(auth, side_old, *to));
            }
        }
        reached.sort_unstable();
        reached.dedup();
        let mut out = ModuleRules::default();
        let mut groups: HashMap<Reaching, Rc<Vec<OwnerLevel>>> = HashMap::new();
        for u in reached {
            let Some(Some(person)) = self.people.get(u as usize) else {
                continue;
            };
            let reaching = |rules: &[Rule], auth: &Authorizer, user| -> Vec<usize> {
                (0..rules.len())
                    .filter(|&i| {
                        rules
                            .get(i)
                            .is_some_and(|(_, _, to)| auth.contains(*to, user))
                    })
                    .collect()
            };
            let key = (
                reaching(&rules_old, old, person.old),
                reaching(&rules_new, new, person.new),
            );
            let levels = groups
                .entry(key.clone())
                .or_insert_with(|| {
                    let pick = |rules: &[Rule], at: &[usize]| -> Vec<Rule> {
                        at.iter().filter_map(|&i| rules.get(i).cloned()).collect()
                    };
                    Rc::new(self.owner_levels(
                        &pick(&rules_old, &key.0),
                        &pick(&rules_new, &key.1),
                        &keys,
                    ))
                })
                .clone();
            if !levels.is_empty() {
                out.by_user.insert(u, levels);
            }
        }
        Some(out)
    }

    /// The owners whose records `was` and `now` (the rules reaching one group of users,
    /// on each side) share at different levels: every source of a rule that reaches the
    /// group on one side only, the users a reaching rule's source gained or lost, and the
    /// teams such rules name as sources.
    fn owner_levels(&self, was: &[Rule], now: &[Rule], keys: &Keys) -> Vec<OwnerLevel> {
        let (old, new) = (self.old, self.new);
        let in_was: HashSet<&RuleKey> = was.iter().map(|(k, ..)| k).collect();
        let in_now: HashSet<&RuleKey> = now.iter().map(|(k, ..)| k).collect();
        let mut users: Vec<u32> = Vec::new();
        let mut teams: Vec<String> = Vec::new();
        for (side_old, rules) in [(true, was), (false, now)] {
            let auth = if side_old { old } else { new };
            for (key, from, _) in rules {
                let both = in_was.contains(key) && in_now.contains(key);
                if let Principal::Team(t) = &key.0 {
                    if !both || keys.source_changed.contains(key) {
                        teams.push(t.clone());
                    }
                }
                if !both {
                    users.extend(self.principal_users(auth, side_old, *from));
                } else if keys.source_changed.contains(key) {
                    users.extend(
                        self.principal_delta(&key.0)
                            .into_iter()
                            .flat_map(Delta::all),
                    );
                }
            }
        }
        users.sort_unstable();
        users.dedup();
        teams.sort_unstable();
        teams.dedup();
        let level = |auth: &Authorizer, rules: &[Rule], owner: Owner| {
            rules
                .iter()
                .filter(|(_, from, _)| auth.rule_source_matches(*from, owner))
                .map(|(k, ..)| k.2)
                .max()
        };
        let pn = new.policy();
        let mut out = Vec::new();
        for u in users {
            let (Some(o), Some(n)) = (
                self.users.old_of(u).and_then(|o| old.user_at(o as usize)),
                new.user_at(u as usize),
            ) else {
                continue;
            };
            let (before, after) = (
                level(old, was, Owner::User(o)),
                level(new, now, Owner::User(n)),
            );
            if before != after {
                let name = pn
                    .users
                    .get_index(u as usize)
                    .map_or("", |(k, _)| k.as_str());
                out.push(OwnerLevel {
                    owner: format!("user {name}"),
                    before,
                    after,
                });
            }
        }
        for t in teams {
            let (Some(o), Some(n)) = (old.team(&t), new.team(&t)) else {
                continue;
            };
            let (before, after) = (
                level(old, was, Owner::Team(o)),
                level(new, now, Owner::Team(n)),
            );
            if before != after {
                out.push(OwnerLevel {
                    owner: format!("team {t}"),
                    before,
                    after,
                });
            }
        }
        out
    }
}
