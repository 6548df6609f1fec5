//! Deserialisation of maps and lists that refuse repeated keys.
//!
//! serde_json keeps the last of two equal keys without a word; a policy where `alice` is
//! written twice is almost certainly a mistake, so the document reader says so instead
//! (`duplicate_key`).

use std::fmt;
use std::hash::Hash;
use std::marker::PhantomData;

use indexmap::{IndexMap, IndexSet};
use serde::de::{Deserialize, Deserializer, Error, MapAccess, SeqAccess, Visitor};

/// The message prefix that the document reader turns into `duplicate_key`.
pub(crate) const DUPLICATE_KEY: &str = "duplicate key";

pub(crate) fn map<'de, D, K, V>(deserializer: D) -> Result<IndexMap<K, V>, D::Error>
where
    D: Deserializer<'de>,
    K: Deserialize<'de> + Hash + Eq + fmt::Display,
    V: Deserialize<'de>,
{
    struct MapVisitor<K, V>(PhantomData<(K, V)>);

    impl<'de, K, V> Visitor<'de> for MapVisitor<K, V>
    where
        K: Deserialize<'de> + Hash + Eq + fmt::Display,
        V: Deserialize<'de>,
    {
        type Value = IndexMap<K, V>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object with unique keys")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
            let mut out = IndexMap::with_capacity(access.size_hint().unwrap_or(0).min(4096));
            while let Some(key) = access.next_key::<K>()? {
                // one look-up per key: at a million users a second one showed
                match out.entry(key) {
                    indexmap::map::Entry::Occupied(taken) => {
                        let key = taken.key();
                        return Err(A::Error::custom(format_args!("{DUPLICATE_KEY} `{key}`")));
                    }
                    indexmap::map::Entry::Vacant(slot) => {
                        slot.insert(access.next_value_seed(super::strict::Object(PhantomData))?);
                    }
                }
            }
            Ok(out)
        }
    }

    deserializer.deserialize_map(MapVisitor(PhantomData))
}

pub(crate) fn set<'de, D, T>(deserializer: D) -> Result<IndexSet<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Hash + Eq + fmt::Display,
{
    struct SetVisitor<T>(PhantomData<T>);

    impl<'de, T> Visitor<'de> for SetVisitor<T>
    where
        T: Deserialize<'de> + Hash + Eq + fmt::Display,
    {
        type Value = IndexSet<T>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list without repeated entries")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
            let mut out = IndexSet::with_capacity(access.size_hint().unwrap_or(0).min(4096));
            while let Some(item) = access.next_element::<T>()? {
                if out.contains(&item) {
                    return Err(A::Error::custom(format_args!("{DUPLICATE_KEY} `{item}`")));
                }
                out.insert(item);
            }
            Ok(out)
        }
    }

    deserializer.deserialize_seq(SetVisitor(PhantomData))
}
