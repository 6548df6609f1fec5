//! Objects only: serde reads a struct from a JSON array too (its fields by position), so
//! `"t": [null, ["a"]]` would be a team with the member `a`. The document has no such form
//! ([the document](crate::doc::document): objects keyed as §2 says), so every struct of the document is read through
//! [`MapOnly`], which turns "read a struct" into "read a map" and lets the JSON reader
//! refuse anything else.

use std::marker::PhantomData;

use serde::de::{DeserializeSeed, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, de};

/// Reads a `T` whose structs must be JSON objects.
pub(crate) fn object<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<T, D::Error> {
    T::deserialize(MapOnly(d))
}

/// Reads a list of `T`, each read with [`object`].
pub(crate) fn objects<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Vec<T>, D::Error> {
    struct Items<T>(PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for Items<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a list of objects")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
            while let Some(item) = seq.next_element_seed(Object(PhantomData))? {
                out.push(item);
            }
            Ok(out)
        }
    }
    d.deserialize_seq(Items(PhantomData))
}

/// An optional `T`, read with [`object`] when present.
pub(crate) fn optional_object<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    Option::<T>::deserialize(MapOnly(d))
}

/// A seed for [`object`], for maps and lists of structs.
pub(crate) struct Object<T>(pub PhantomData<T>);

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for Object<T> {
    type Value = T;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        object(d)
    }
}

/// A deserializer that reads structs as maps and forwards everything else unchanged.
struct MapOnly<D>(D);

macro_rules! forward {
    ($($method:ident),* $(,)?) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
                self.0.$method(visitor)
            }
        )*
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for MapOnly<D> {
    type Error = D::Error;

    forward!(
        deserialize_any,
        deserialize_bool,
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_i128,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64,
        deserialize_u128,
        deserialize_f32,
        deserialize_f64,
        deserialize_char,
        deserialize_str,
        deserialize_string,
        deserialize_bytes,
        deserialize_byte_buf,
        deserialize_unit,
        deserialize_seq,
        deserialize_map,
        deserialize_identifier,
        deserialize_ignored_any,
    );

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        // the value inside `Some` is read as strictly as the option itself
        self.0.deserialize_option(OptionOfObject(visitor))
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_unit_struct(name, visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_newtype_struct(name, visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_tuple(len, visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_tuple_struct(name, len, visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_enum(name, variants, visitor)
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

/// The visitor of an `Option`, whose `Some` is read through [`MapOnly`].
struct OptionOfObject<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for OptionOfObject<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.expecting(f)
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.0.visit_some(MapOnly(d))
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::Policy;

    #[test]
    fn structs_written_as_arrays_are_malformed() {
        for (doc, path) in [
            (
                r#"{"version":1,"teams":{"t":[null,["a"]]},"users":{"a":{}}}"#,
                "teams.t",
            ),
            (r#"{"version":1,"users":{"a":[]}}"#, "users.a"),
            (r#"{"version":1,"settings":[]}"#, "settings"),
            (
                r#"{"version":1,"settings":{"admin_areas":[[],[]]}}"#,
                "settings.admin_areas",
            ),
            (
                r#"{"version":1,"modules":{"m":{"fields":{"f":[]}}}}"#,
                "modules.m.fields.f",
            ),
            (
                r#"{"version":1,"modules":{"m":{"fields":{"f":{"picklist":[false,[]]}}}}}"#,
                "modules.m.fields.f.picklist",
            ),
            (
                r#"{"version":1,"modules":{"m":{"fields":{"f":{"picklist":{"values":[["won",[]]]}}}}}}"#,
                "modules.m.fields.f.picklist.values[0]",
            ),
            (
                r#"{"version":1,"profiles":{"p":{"modules":{"m":[]}}}}"#,
                "profiles.p.modules.m",
            ),
            (r#"{"version":1,"profiles":{"p":[]}}"#, "profiles.p"),
            (
                r#"{"version":1,"roles":{"r":[null,null,["p"]]}}"#,
                "roles.r",
            ),
            (
                r#"{"version":1,"users":{"a":{"overrides":{"m":["on"]}}}}"#,
                "users.a.overrides.m",
            ),
            (
                r#"{"version":1,"teams":{"t":{"calendar_rights":{"a":[true,true]}}}}"#,
                "teams.t.calendar_rights.a",
            ),
            (
                r#"{"version":1,"sharing_rules":[["m",{"user":"a"},{"user":"a"},"full"]]}"#,
                "sharing_rules[0]",
            ),
            (
                r#"{"version":1,"calendar_shares":[[{"user":"a"},{"user":"a"},"edit"]]}"#,
                "calendar_shares[0]",
            ),
        ] {
            let err = Policy::from_json(doc).expect_err(doc);
            assert_eq!(
                (err.code().as_str(), err.path()),
                ("malformed", path),
                "{doc}: {err}"
            );
        }
    }
}
