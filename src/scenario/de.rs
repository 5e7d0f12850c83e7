//! A `serde::Deserializer` over the positioned tree.
//!
//! Each deserializer knows its node and the field path that leads to it. Errors
//! are created without a location (serde's visitors create them through
//! `de::Error`); on the way out, the innermost deserializer that sees an
//! unlocated error stamps it with its own position and path. So an unknown field
//! is reported at its key, an invalid value at the value, a missing field at the
//! enclosing map (with the missing field's path), and a custom error from a
//! visitor's `visit_map` at that map.

use super::diag::{Pos, did_you_mean};
use super::tree::{Key, Kind, Node, Value};
use serde::de::{
    self, DeserializeSeed, EnumAccess, Expected, MapAccess, SeqAccess, Unexpected, VariantAccess,
    Visitor,
};
use std::fmt;

/// A typing error, located once it has passed through a deserializer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DeError {
    pub message: String,
    /// Position and path, once known.
    pub loc: Option<(Pos, String)>,
    /// For a missing field: its name (appended to the map's path when located).
    missing: Option<String>,
    /// An unknown field (located at its key).
    pub unknown_field: bool,
}

impl DeError {
    fn msg(message: String) -> Self {
        DeError {
            message,
            loc: None,
            missing: None,
            unknown_field: false,
        }
    }

    fn stamp(mut self, pos: Pos, path: &str) -> Self {
        if self.loc.is_none() {
            let path = match self.missing.take() {
                Some(f) => join_key(path, &f),
                None => path.to_string(),
            };
            self.loc = Some((pos, path));
        }
        self
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

/// Serde's "expected" phrases in the words of the scenario format.
fn expected_words(exp: &dyn Expected) -> String {
    let e = exp.to_string();
    match e.as_str() {
        "u8" => "a whole number from 0 to 255".into(),
        "u16" => "a whole number from 0 to 65535".into(),
        "u32" => "a whole number from 0 to 4294967295".into(),
        "u64" | "usize" | "u128" => "a whole number ≥ 0".into(),
        "i8" | "i16" | "i32" | "i64" | "isize" | "i128" => "a whole number".into(),
        "f32" | "f64" => "a number".into(),
        "a boolean" => "true or false".into(),
        "a sequence" => "a list".into(),
        "option" | "any valid JSON value" => "a value".into(),
        s if s.starts_with("struct ") => "a map".into(),
        s if s.starts_with("enum ") => "a name".into(),
        s if s.starts_with("tuple") || s.starts_with("a tuple") => "a list".into(),
        _ => e,
    }
}

fn unexpected_words(u: Unexpected<'_>) -> String {
    match u {
        Unexpected::Bool(b) => b.to_string(),
        Unexpected::Unsigned(n) => n.to_string(),
        Unexpected::Signed(n) => n.to_string(),
        Unexpected::Float(f) => format!("{f:?}"),
        Unexpected::Char(c) => format!("\"{c}\""),
        Unexpected::Str(s) => format!("\"{s}\""),
        Unexpected::Bytes(_) => "bytes".into(),
        Unexpected::Unit => "nothing (null)".into(),
        Unexpected::Option => "an optional value".into(),
        Unexpected::NewtypeStruct => "a value".into(),
        Unexpected::Seq => "a list".into(),
        Unexpected::Map => "a map".into(),
        Unexpected::Enum => "a tagged value".into(),
        Unexpected::UnitVariant
        | Unexpected::NewtypeVariant
        | Unexpected::TupleVariant
        | Unexpected::StructVariant => "a name".into(),
        Unexpected::Other(s) => s.to_string(),
    }
}

fn one_of(expected: &[&str]) -> String {
    let list: Vec<String> = expected.iter().map(|e| format!("`{e}`")).collect();
    match list.len() {
        0 => "nothing".into(),
        1 => list[0].clone(),
        _ => format!("one of {}", list.join(", ")),
    }
}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError::msg(msg.to_string())
    }

    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn Expected) -> Self {
        DeError::msg(format!(
            "expected {}, found {}",
            expected_words(exp),
            unexpected_words(unexp)
        ))
    }

    fn invalid_value(unexp: Unexpected<'_>, exp: &dyn Expected) -> Self {
        Self::invalid_type(unexp, exp)
    }

    fn invalid_length(len: usize, exp: &dyn Expected) -> Self {
        DeError::msg(format!(
            "expected {}, found a list of {len}",
            expected_words(exp)
        ))
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        let hint = match did_you_mean(variant, expected.iter()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("expected {}", one_of(expected)),
        };
        DeError::msg(format!("unknown value `{variant}` ({hint})"))
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        let hint = match did_you_mean(field, expected.iter()) {
            Some(s) => format!("did you mean `{s}`?"),
            None if expected.is_empty() => "this map takes no fields".into(),
            None => format!("expected {}", one_of(expected)),
        };
        DeError {
            unknown_field: true,
            ..DeError::msg(format!("unknown field `{field}` ({hint})"))
        }
    }

    fn missing_field(field: &'static str) -> Self {
        DeError {
            message: format!("missing required field `{field}`"),
            loc: None,
            missing: Some(field.to_string()),
            unknown_field: false,
        }
    }

    fn duplicate_field(field: &'static str) -> Self {
        DeError::msg(format!("duplicate field `{field}`"))
    }
}

/// `path.key`, or `key` at the top.
pub(crate) fn join_key(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// `path[name]` for list items that are maps with a name, else `path[N]`.
pub(crate) fn join_item(path: &str, item: &Node, index: usize) -> String {
    match item.name() {
        Some(n) => format!("{path}[{n}]"),
        None => format!("{path}[{index}]"),
    }
}

/// Deserializes a node (a value of the scenario).
pub(crate) struct NodeDe<'de> {
    pub node: &'de Node,
    pub path: String,
}

impl<'de> NodeDe<'de> {
    pub(crate) fn new(node: &'de Node, path: String) -> Self {
        NodeDe { node, path }
    }

    fn locate<T>(&self, r: Result<T, DeError>) -> Result<T, DeError> {
        r.map_err(|e| e.stamp(self.node.pos, &self.path))
    }

    fn any<V: Visitor<'de>>(&self, visitor: V) -> Result<V::Value, DeError> {
        match &self.node.kind {
            Kind::Map(entries) => visitor.visit_map(MapDe::new(entries, &self.path)),
            Kind::Seq(items) => visitor.visit_seq(SeqDe::new(items, &self.path)),
            Kind::Scalar(s) => match s.resolve() {
                Value::Null => visitor.visit_unit(),
                Value::Bool(b) => visitor.visit_bool(b),
                Value::UInt(n) => visitor.visit_u64(n),
                Value::Int(n) => visitor.visit_i64(n),
                Value::Float(f) => visitor.visit_f64(f),
                Value::Str(_) => visitor.visit_borrowed_str(&s.text),
            },
        }
    }
}

macro_rules! forward_any {
    ($($m:ident)*) => {$(
        fn $m<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
            let r = self.any(visitor);
            self.locate(r)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for NodeDe<'de> {
    type Error = DeError;

    forward_any! {
        deserialize_any deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32
        deserialize_i64 deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32
        deserialize_u64 deserialize_u128 deserialize_f32 deserialize_f64 deserialize_bytes
        deserialize_byte_buf
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let r = match &self.node.kind {
            // A plain `123` or `true` where text is wanted is that text.
            Kind::Scalar(s) if s.resolve() != Value::Null => visitor.visit_borrowed_str(&s.text),
            _ => self.any(visitor),
        };
        self.locate(r)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.node.is_null() {
            let r = visitor.visit_none();
            return self.locate(r);
        }
        let pos = self.node.pos;
        let path = self.path.clone();
        visitor.visit_some(self).map_err(|e| e.stamp(pos, &path))
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let r = self.any(visitor);
        self.locate(r)
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let pos = self.node.pos;
        let path = self.path.clone();
        visitor
            .visit_newtype_struct(self)
            .map_err(|e| e.stamp(pos, &path))
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let r = if self.node.is_null() {
            visitor.visit_seq(SeqDe::new(&[], &self.path))
        } else {
            self.any(visitor)
        };
        self.locate(r)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let r = if self.node.is_null() {
            visitor.visit_map(MapDe::new(&[], &self.path))
        } else {
            self.any(visitor)
        };
        self.locate(r)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let r = match &self.node.kind {
            Kind::Scalar(s) if s.resolve() != Value::Null => visitor.visit_enum(ScalarEnum {
                text: &s.text,
                pos: self.node.pos,
                path: self.path.clone(),
            }),
            Kind::Map(entries) if entries.len() == 1 => {
                let (k, v) = &entries[0];
                visitor.visit_enum(MapEnum {
                    key: k,
                    value: v,
                    path: self.path.clone(),
                })
            }
            Kind::Map(entries) => Err(DeError::msg(format!(
                "expected {} as a name, or a map with one of them as its only key, found a map with {} keys",
                one_of(variants),
                entries.len()
            ))),
            _ => Err(DeError::msg(format!(
                "expected {}, found {}",
                one_of(variants),
                self.node.describe()
            ))),
        };
        self.locate(r)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }
}

/// Deserializes a key (or an enum variant name) as a string, located at the key.
struct StrDe<'de> {
    text: &'de str,
    pos: Pos,
    path: String,
}

impl<'de> de::Deserializer<'de> for StrDe<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor
            .visit_borrowed_str(self.text)
            .map_err(|e: DeError| e.stamp(self.pos, &self.path))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

struct MapDe<'de> {
    iter: std::slice::Iter<'de, (Key, Node)>,
    value: Option<(&'de Node, String)>,
    path: String,
    len: usize,
}

impl<'de> MapDe<'de> {
    fn new(entries: &'de [(Key, Node)], path: &str) -> Self {
        MapDe {
            iter: entries.iter(),
            value: None,
            path: path.to_string(),
            len: entries.len(),
        }
    }
}

impl<'de> MapAccess<'de> for MapDe<'de> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let Some((k, v)) = self.iter.next() else {
            return Ok(None);
        };
        self.len -= 1;
        let path = join_key(&self.path, &k.text);
        self.value = Some((v, path.clone()));
        seed.deserialize(StrDe {
            text: &k.text,
            pos: k.pos,
            path,
        })
        .map(Some)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, DeError> {
        match self.value.take() {
            Some((node, path)) => seed.deserialize(NodeDe::new(node, path)),
            None => Err(DeError::msg(
                "internal error: a map value was read before its key".into(),
            )),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.len)
    }
}

struct SeqDe<'de> {
    items: &'de [Node],
    next: usize,
    path: String,
}

impl<'de> SeqDe<'de> {
    fn new(items: &'de [Node], path: &str) -> Self {
        SeqDe {
            items,
            next: 0,
            path: path.to_string(),
        }
    }
}

impl<'de> SeqAccess<'de> for SeqDe<'de> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        let Some(item) = self.items.get(self.next) else {
            return Ok(None);
        };
        let path = join_item(&self.path, item, self.next);
        self.next += 1;
        seed.deserialize(NodeDe::new(item, path)).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len() - self.next)
    }
}

/// `type: simple`: an enum written as its variant's name.
struct ScalarEnum<'de> {
    text: &'de str,
    pos: Pos,
    path: String,
}

impl<'de> EnumAccess<'de> for ScalarEnum<'de> {
    type Error = DeError;
    type Variant = ScalarVariant<'de>;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Self::Variant), DeError> {
        let v = seed.deserialize(StrDe {
            text: self.text,
            pos: self.pos,
            path: self.path.clone(),
        })?;
        Ok((v, ScalarVariant { name: self.text }))
    }
}

struct ScalarVariant<'de> {
    name: &'de str,
}

impl ScalarVariant<'_> {
    fn needs_value(&self) -> DeError {
        DeError::msg(format!(
            "`{}` needs a value: write it as a map, like `{}: ...`",
            self.name, self.name
        ))
    }
}

impl<'de> VariantAccess<'de> for ScalarVariant<'de> {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, _seed: T) -> Result<T::Value, DeError> {
        Err(self.needs_value())
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, _visitor: V) -> Result<V::Value, DeError> {
        Err(self.needs_value())
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, DeError> {
        Err(self.needs_value())
    }
}

/// `- compute: 40ms`: an externally tagged enum, a map with one key.
struct MapEnum<'de> {
    key: &'de Key,
    value: &'de Node,
    path: String,
}

impl<'de> EnumAccess<'de> for MapEnum<'de> {
    type Error = DeError;
    type Variant = NodeDe<'de>;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Self::Variant), DeError> {
        let path = join_key(&self.path, &self.key.text);
        let v = seed.deserialize(StrDe {
            text: &self.key.text,
            pos: self.key.pos,
            path: path.clone(),
        })?;
        Ok((v, NodeDe::new(self.value, path)))
    }
}

impl<'de> VariantAccess<'de> for NodeDe<'de> {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        if self.node.is_null() {
            Ok(())
        } else {
            Err(
                DeError::msg(format!("expected no value, found {}", self.node.describe()))
                    .stamp(self.node.pos, &self.path),
            )
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, DeError> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        de::Deserializer::deserialize_seq(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        de::Deserializer::deserialize_map(self, visitor)
    }
}

/// Types `T` from `node`, with errors located at the node that caused them.
pub(crate) fn from_node<'de, T: serde::Deserialize<'de>>(node: &'de Node) -> Result<T, DeError> {
    let de = NodeDe::new(node, String::new());
    T::deserialize(de).map_err(|e| e.stamp(node.pos, ""))
}
