//! Look-ups from the host's keys to positions.

use crate::policy::{HostKey, Policy};

type Index = foldhash::HashMap<HostKey, u32>;

/// Per section, each host key's position. Empty when the policy gives no keys, so a host
/// that does not use them pays nothing.
#[derive(Debug, Clone, Default)]
pub(crate) struct HostKeys {
    pub users: Index,
    pub teams: Index,
    pub modules: Index,
}

impl HostKeys {
    /// # Cost
    /// O(users + teams + modules); validation has made every key unique.
    pub fn of(p: &Policy) -> HostKeys {
        fn index<'a>(keys: impl Iterator<Item = Option<&'a HostKey>>) -> Index {
            keys.enumerate()
                .filter_map(|(i, k)| Some((k?.clone(), i as u32)))
                .collect()
        }
        HostKeys {
            users: index(p.users.values().map(|u| u.key.as_ref())),
            teams: index(p.teams.values().map(|t| t.key.as_ref())),
            modules: index(p.modules.values().map(|m| m.key.as_ref())),
        }
    }

    /// Bytes held, roughly: each entry with its key's text.
    pub fn memory_usage(&self) -> usize {
        let entry = std::mem::size_of::<(HostKey, u32)>() + 1;
        [&self.users, &self.teams, &self.modules]
            .iter()
            .map(|m| {
                m.capacity() * entry
                    + m.keys()
                        .map(|k| k.as_text().map_or(0, str::len))
                        .sum::<usize>()
            })
            .sum()
    }
}
