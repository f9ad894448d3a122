//! Parameter values in every OpenAPI serialisation style.
//!
//! A [`Param`] says where a parameter is and how it is encoded (style and explode). The
//! [`ParamDeserializer`] reads its raw text into any `Deserialize` type: scalars, arrays
//! (split by the style's delimiter) and objects (key/value pairs, or deepObject `name[key]`
//! query keys), so one code path serves `simple`, `label`, `matrix`, `form`,
//! `spaceDelimited`, `pipeDelimited` and `deepObject`.

use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};

macro_rules! forward_to_plain {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
            de::Deserializer::$method(serde_plain::Deserializer::new(self.0), visitor).map_err(invalid(self.0))
        }
    )*};
}

macro_rules! scalar_leaf_methods {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
            match self {
                Node::Leaf(text) => ScalarDeserializer(text).$method(visitor),
                other => other.deserialize_any(visitor),
            }
        }
    )*};
}

macro_rules! scalar_methods {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
            ScalarDeserializer(self.scalar()?).$method(visitor)
        }
    )*};
}

/// Where a parameter is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    Path,
    Query,
    Header,
    Cookie,
}

impl Location {
    pub fn as_str(self) -> &'static str {
        match self {
            Location::Path => "path",
            Location::Query => "query",
            Location::Header => "header",
            Location::Cookie => "cookie",
        }
    }
}

/// How a parameter's value is written (OpenAPI `style`), plus `Json` for `content`-encoded ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Simple,
    Label,
    Matrix,
    Form,
    SpaceDelimited,
    PipeDelimited,
    DeepObject,
    Json,
}

/// A parameter as the spec declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    pub location: Location,
    /// The name in the spec.
    pub name: &'static str,
    /// The route capture it is read from, when it differs from `name`.
    pub capture: Option<&'static str>,
    pub style: Style,
    pub explode: bool,
}

impl Param {
    /// A path parameter: `simple`, not exploded, unless told otherwise.
    pub const fn path(name: &'static str) -> Self {
        Self {
            location: Location::Path,
            name,
            capture: None,
            style: Style::Simple,
            explode: false,
        }
    }

    /// A query parameter: `form`, exploded, unless told otherwise.
    pub const fn query(name: &'static str) -> Self {
        Self {
            location: Location::Query,
            name,
            capture: None,
            style: Style::Form,
            explode: true,
        }
    }

    /// A header parameter: `simple`, not exploded, unless told otherwise.
    pub const fn header(name: &'static str) -> Self {
        Self {
            location: Location::Header,
            name,
            capture: None,
            style: Style::Simple,
            explode: false,
        }
    }

    /// A cookie parameter: `form`, exploded, unless told otherwise.
    pub const fn cookie(name: &'static str) -> Self {
        Self {
            location: Location::Cookie,
            name,
            capture: None,
            style: Style::Form,
            explode: true,
        }
    }

    pub const fn style(mut self, style: Style) -> Self {
        self.style = style;
        self
    }

    pub const fn explode(mut self, explode: bool) -> Self {
        self.explode = explode;
        self
    }

    /// Read from a route capture with another name (routes that differ only in names).
    pub const fn captured_as(mut self, capture: &'static str) -> Self {
        self.capture = Some(capture);
        self
    }

    /// The JSON pointer that locates this parameter in error reports, e.g. `/query/limit`.
    pub fn pointer(&self) -> String {
        format!("/{}/{}", self.location.as_str(), self.name)
    }
}

/// Why a parameter value could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamError {
    /// The parameter is not in the request at all.
    Absent,
    Invalid(String),
}

impl std::fmt::Display for ParamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParamError::Absent => f.write_str("is required"),
            ParamError::Invalid(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for ParamError {}

impl de::Error for ParamError {
    fn custom<T: std::fmt::Display>(message: T) -> Self {
        ParamError::Invalid(message.to_string())
    }
}

/// The raw material of one parameter.
#[derive(Debug, Clone, Copy)]
pub enum Raw<'a> {
    /// The text of a path capture, header or cookie.
    Text(&'a str),
    /// Every query pair of the request (exploded objects and deepObject span several).
    Query(&'a [(String, String)]),
}

/// Reads a parameter into `T`. `Err(ParamError::Absent)` when it is not in the request.
pub fn read<T: DeserializeOwned>(param: &Param, raw: Raw<'_>) -> Result<T, ParamError> {
    if param.style == Style::Json {
        let text = match raw {
            Raw::Text(text) => text,
            Raw::Query(pairs) => first_value(pairs, param.name).ok_or(ParamError::Absent)?,
        };
        return serde_json::from_str(text)
            .map_err(|e| ParamError::Invalid(format!("is not valid JSON here: {e}")));
    }
    T::deserialize(ParamDeserializer { param, raw })
}

fn first_value<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Deserialises one parameter according to its style.
pub struct ParamDeserializer<'a> {
    param: &'a Param,
    raw: Raw<'a>,
}

impl<'a> ParamDeserializer<'a> {
    /// The text of a scalar value, without the style's prefix.
    fn scalar(&self) -> Result<&'a str, ParamError> {
        match self.raw {
            Raw::Query(pairs) => first_value(pairs, self.param.name).ok_or(ParamError::Absent),
            Raw::Text(text) => Ok(match self.param.style {
                Style::Label => text.strip_prefix('.').unwrap_or(text),
                Style::Matrix => strip_matrix_name(text, self.param.name),
                _ => text,
            }),
        }
    }

    /// The items of an array value.
    fn items(&self) -> Result<Vec<&'a str>, ParamError> {
        let param = self.param;
        Ok(match self.raw {
            Raw::Query(pairs) => {
                let values: Vec<&str> = pairs
                    .iter()
                    .filter(|(k, _)| k == param.name)
                    .map(|(_, v)| v.as_str())
                    .collect();
                if values.is_empty() {
                    return Err(ParamError::Absent);
                }
                let delimiter = match param.style {
                    Style::SpaceDelimited => ' ',
                    Style::PipeDelimited => '|',
                    _ => ',',
                };
                if param.explode && param.style == Style::Form {
                    values
                } else {
                    values.iter().flat_map(|v| v.split(delimiter)).collect()
                }
            }
            Raw::Text(text) => match param.style {
                Style::Label => {
                    let text = text.strip_prefix('.').unwrap_or(text);
                    text.split(if param.explode { '.' } else { ',' }).collect()
                }
                Style::Matrix if param.explode => text
                    .split(';')
                    .filter(|s| !s.is_empty())
                    .map(|s| s.split_once('=').map_or(s, |(_, v)| v))
                    .collect(),
                Style::Matrix => strip_matrix_name(text, param.name).split(',').collect(),
                _ => text.split(',').collect(),
            },
        })
        .map(|items: Vec<&str>| {
            if items.len() == 1 && items[0].is_empty() {
                Vec::new()
            } else {
                items
            }
        })
    }

    /// The key/value pairs of an object value; `fields` restricts exploded query objects to
    /// the keys the type knows.
    fn pairs(&self, fields: &[&str]) -> Result<Vec<(&'a str, &'a str)>, ParamError> {
        let param = self.param;
        let pairs = match self.raw {
            Raw::Query(all) => match param.style {
                Style::DeepObject => all
                    .iter()
                    .filter_map(|(k, v)| {
                        let inner = k
                            .strip_prefix(param.name)?
                            .strip_prefix('[')?
                            .strip_suffix(']')?;
                        Some((inner, v.as_str()))
                    })
                    .collect(),
                _ if param.explode => all
                    .iter()
                    .filter(|(k, _)| fields.is_empty() || fields.contains(&k.as_str()))
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect(),
                _ => match first_value(all, param.name) {
                    Some(value) => alternating(value.split(',')),
                    None => Vec::new(),
                },
            },
            Raw::Text(text) => match param.style {
                Style::Label => {
                    let text = text.strip_prefix('.').unwrap_or(text);
                    if param.explode {
                        assignments(text.split('.'))
                    } else {
                        alternating(text.split(','))
                    }
                }
                Style::Matrix if param.explode => {
                    assignments(text.split(';').filter(|s| !s.is_empty()))
                }
                Style::Matrix => alternating(strip_matrix_name(text, param.name).split(',')),
                _ if param.explode => assignments(text.split(',')),
                _ => alternating(text.split(',')),
            },
        };
        if pairs.is_empty() && matches!(self.raw, Raw::Query(_)) {
            return Err(ParamError::Absent);
        }
        Ok(pairs)
    }
}

/// How deep a `deepObject` parameter may nest (`o[a][b]` is 2): its tree is built, read
/// and dropped recursively, and a long URI of `o[][][]...` would otherwise overflow the
/// stack and abort the process.
const MAX_DEEP_OBJECT_DEPTH: usize = 8;

/// How many keys a `deepObject` parameter may have: each insert scans its siblings.
const MAX_DEEP_OBJECT_KEYS: usize = 256;

impl<'a> ParamDeserializer<'a> {
    /// For a `deepObject` query parameter, its keys as a tree: `o[a][b]=1` → `{a: {b: 1}}`.
    fn deep_object(&self) -> Result<Option<Node<'a>>, ParamError> {
        let (Raw::Query(all), Style::DeepObject) = (self.raw, self.param.style) else {
            return Ok(None);
        };
        let mut root = Node::Map(Vec::new());
        let mut found = false;
        let mut keys = 0;
        for (key, value) in all {
            let Some(rest) = key
                .strip_prefix(self.param.name)
                .and_then(|r| r.strip_prefix('['))
            else {
                continue;
            };
            let path: Vec<&str> = rest
                .trim_end_matches(']')
                .split("][")
                .take(MAX_DEEP_OBJECT_DEPTH + 1)
                .collect();
            if path.len() > MAX_DEEP_OBJECT_DEPTH {
                return Err(ParamError::Invalid(format!(
                    "`{}` nests deeper than {MAX_DEEP_OBJECT_DEPTH} levels",
                    self.param.name
                )));
            }
            if keys == MAX_DEEP_OBJECT_KEYS {
                return Err(ParamError::Invalid(format!(
                    "`{}` has more than {MAX_DEEP_OBJECT_KEYS} keys",
                    self.param.name
                )));
            }
            keys += 1;
            root.insert(&path, value);
            found = true;
        }
        if found {
            Ok(Some(root))
        } else {
            Err(ParamError::Absent)
        }
    }
}

/// A nested `deepObject` value: leaves are the raw texts.
enum Node<'a> {
    Leaf(&'a str),
    List(Vec<&'a str>),
    Map(Vec<(&'a str, Node<'a>)>),
}

impl<'a> Node<'a> {
    fn insert(&mut self, path: &[&'a str], value: &'a str) {
        let Node::Map(entries) = self else { return };
        let Some((key, rest)) = path.split_first() else {
            return;
        };
        let position = entries.iter().position(|(k, _)| k == key);
        match (position, rest.is_empty()) {
            (None, true) => entries.push((key, Node::Leaf(value))),
            (None, false) => {
                let mut child = Node::Map(Vec::new());
                child.insert(rest, value);
                entries.push((key, child));
            }
            (Some(index), true) => {
                // A repeated key is an array item.
                let slot = &mut entries[index].1;
                *slot = match std::mem::replace(slot, Node::List(Vec::new())) {
                    Node::Leaf(first) => Node::List(vec![first, value]),
                    Node::List(mut items) => {
                        items.push(value);
                        Node::List(items)
                    }
                    map => map,
                };
            }
            (Some(index), false) => entries[index].1.insert(rest, value),
        }
    }
}

impl<'de> IntoDeserializer<'de, ParamError> for Node<'de> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> de::Deserializer<'de> for Node<'de> {
    type Error = ParamError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        match self {
            Node::Leaf(text) => ScalarDeserializer(text).deserialize_any(visitor),
            Node::List(items) => {
                visitor.visit_seq(SeqDeserializer::new(items.into_iter().map(Scalar)))
            }
            Node::Map(entries) => visitor.visit_map(MapDeserializer::new(
                entries.into_iter().map(|(k, v)| (Scalar(k), v)),
            )),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        match self {
            Node::Leaf(text) => {
                visitor.visit_seq(SeqDeserializer::new(std::iter::once(Scalar(text))))
            }
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ParamError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ParamError> {
        match self {
            Node::Leaf(text) => ScalarDeserializer(text).deserialize_enum(name, variants, visitor),
            _ => Err(ParamError::Invalid("expected a single value".to_owned())),
        }
    }

    scalar_leaf_methods! {
        deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128 deserialize_f32
        deserialize_f64 deserialize_char deserialize_str deserialize_string deserialize_bytes
        deserialize_byte_buf deserialize_unit deserialize_identifier
    }

    serde::forward_to_deserialize_any! {
        unit_struct tuple tuple_struct map struct ignored_any
    }
}

/// `;id=5` → `5`.
fn strip_matrix_name<'a>(text: &'a str, name: &str) -> &'a str {
    text.strip_prefix(';')
        .and_then(|t| t.strip_prefix(name))
        .and_then(|t| t.strip_prefix('='))
        .unwrap_or_else(|| text.trim_start_matches(';'))
}

/// `k1,v1,k2,v2` → pairs.
fn alternating<'a>(mut parts: impl Iterator<Item = &'a str>) -> Vec<(&'a str, &'a str)> {
    let mut pairs = Vec::new();
    while let (Some(key), Some(value)) = (parts.next(), parts.next()) {
        pairs.push((key, value));
    }
    pairs
}

/// `k1=v1`, `k2=v2` → pairs.
fn assignments<'a>(parts: impl Iterator<Item = &'a str>) -> Vec<(&'a str, &'a str)> {
    parts.filter_map(|part| part.split_once('=')).collect()
}

/// One scalar of a parameter (an array item or an object value).
struct Scalar<'a>(&'a str);

impl<'de> IntoDeserializer<'de, ParamError> for Scalar<'de> {
    type Deserializer = ScalarDeserializer<'de>;

    fn into_deserializer(self) -> ScalarDeserializer<'de> {
        ScalarDeserializer(self.0)
    }
}

/// Parses one scalar with serde_plain (numbers, booleans, enum wire values, strings).
pub struct ScalarDeserializer<'a>(&'a str);

fn invalid(raw: &str) -> impl FnOnce(serde_plain::Error) -> ParamError + '_ {
    move |error| ParamError::Invalid(format!("`{raw}` is not valid here: {error}"))
}

impl ScalarDeserializer<'_> {
    /// The value as a finite number. Rust's float parser takes `NaN`, `inf` and
    /// `infinity`, which JSON has no words for and which pass every range check.
    fn finite(&self) -> Result<f64, ParamError> {
        let number: f64 = serde_plain::from_str(self.0).map_err(invalid(self.0))?;
        if number.is_finite() {
            Ok(number)
        } else {
            Err(ParamError::Invalid(format!(
                "`{}` is not valid here: not a finite number",
                self.0
            )))
        }
    }
}

impl<'de> de::Deserializer<'de> for ScalarDeserializer<'de> {
    type Error = ParamError;

    forward_to_plain! {
        deserialize_any deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_char deserialize_str deserialize_string
        deserialize_bytes deserialize_byte_buf deserialize_unit deserialize_seq deserialize_map
        deserialize_identifier deserialize_ignored_any
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        visitor.visit_f64(self.finite()?)
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        // Through f64, then as f32: a finite f64 past f32's range is infinite as f32.
        let number = self.finite()? as f32;
        if number.is_finite() {
            visitor.visit_f32(number)
        } else {
            Err(ParamError::Invalid(format!(
                "`{}` is not valid here: out of range",
                self.0
            )))
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        if self.0.is_empty() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ParamError> {
        de::Deserializer::deserialize_unit_struct(
            serde_plain::Deserializer::new(self.0),
            name,
            visitor,
        )
        .map_err(invalid(self.0))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ParamError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, ParamError> {
        de::Deserializer::deserialize_tuple(serde_plain::Deserializer::new(self.0), len, visitor)
            .map_err(invalid(self.0))
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, ParamError> {
        de::Deserializer::deserialize_tuple_struct(
            serde_plain::Deserializer::new(self.0),
            name,
            len,
            visitor,
        )
        .map_err(invalid(self.0))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ParamError> {
        de::Deserializer::deserialize_struct(
            serde_plain::Deserializer::new(self.0),
            name,
            fields,
            visitor,
        )
        .map_err(invalid(self.0))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ParamError> {
        de::Deserializer::deserialize_enum(
            serde_plain::Deserializer::new(self.0),
            name,
            variants,
            visitor,
        )
        .map_err(invalid(self.0))
    }
}

impl<'de> de::Deserializer<'de> for ParamDeserializer<'de> {
    type Error = ParamError;

    scalar_methods! {
        deserialize_any deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64 deserialize_char deserialize_str deserialize_string
        deserialize_bytes deserialize_byte_buf deserialize_unit deserialize_identifier deserialize_ignored_any
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        visitor.visit_some(self)
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ParamError> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ParamError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        let items = self.items()?;
        visitor.visit_seq(SeqDeserializer::new(items.into_iter().map(Scalar)))
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, ParamError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, ParamError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        if let Some(tree) = self.deep_object()? {
            return tree.deserialize_map(visitor);
        }
        if let Some(tree) = self.deep_object()? {
            return tree.deserialize_map(visitor);
        }
        let pairs = self.pairs(&[])?;
        visitor.visit_map(MapDeserializer::new(
            pairs.into_iter().map(|(k, v)| (Scalar(k), Scalar(v))),
        ))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ParamError> {
        if let Some(tree) = self.deep_object()? {
            return tree.deserialize_map(visitor);
        }
        let pairs = self.pairs(fields)?;
        visitor.visit_map(MapDeserializer::new(
            pairs.into_iter().map(|(k, v)| (Scalar(k), Scalar(v))),
        ))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ParamError> {
        ScalarDeserializer(self.scalar()?).deserialize_enum(name, variants, visitor)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn text<T: DeserializeOwned>(param: Param, raw: &str) -> Result<T, ParamError> {
        read(&param, Raw::Text(raw))
    }

    fn query<T: DeserializeOwned>(param: Param, raw: &str) -> Result<T, ParamError> {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(raw.as_bytes())
            .into_owned()
            .collect();
        read(&param, Raw::Query(&pairs))
    }

    #[test]
    fn a_deep_object_nested_or_keyed_past_its_bounds_is_refused_not_a_stack_overflow() {
        let param = || Param::query("o").style(Style::DeepObject);
        let deep = format!("o{}=1", "[a]".repeat(32_000));
        assert!(matches!(
            query::<BTreeMap<String, serde_json::Value>>(param(), &deep),
            Err(ParamError::Invalid(message)) if message.contains("deeper than 8")
        ));
        let wide: Vec<String> = (0..300).map(|i| format!("o[k{i}]=1")).collect();
        assert!(matches!(
            query::<BTreeMap<String, i32>>(param(), &wide.join("&")),
            Err(ParamError::Invalid(message)) if message.contains("more than 256 keys")
        ));
        let fine: BTreeMap<String, BTreeMap<String, i32>> =
            query(param(), "o[a][b]=1&o[a][c]=2").expect("two levels");
        assert_eq!(fine["a"]["c"], 2);
    }

    #[test]
    fn a_number_parameter_is_finite_or_refused() {
        assert_eq!(query::<f64>(Param::query("w"), "w=2.5"), Ok(2.5));
        for raw in ["w=NaN", "w=inf", "w=-infinity", "w=1e999"] {
            assert!(
                matches!(
                    query::<f64>(Param::query("w"), raw),
                    Err(ParamError::Invalid(_))
                ),
                "{raw} is refused"
            );
        }
        assert!(
            query::<f32>(Param::query("w"), "w=1e300").is_err(),
            "past f32's range"
        );
        assert_eq!(
            query::<Option<f64>>(Param::query("w"), "w=-0.5"),
            Ok(Some(-0.5))
        );
    }

    #[test]
    fn path_styles_read_scalars_arrays_and_objects() {
        assert_eq!(text::<i32>(Param::path("id"), "5"), Ok(5));
        assert_eq!(
            text::<i32>(Param::path("id").style(Style::Label), ".5"),
            Ok(5)
        );
        assert_eq!(
            text::<i32>(Param::path("id").style(Style::Matrix), ";id=5"),
            Ok(5)
        );
        assert_eq!(
            text::<Vec<i32>>(Param::path("id"), "3,4,5"),
            Ok(vec![3, 4, 5])
        );
        assert_eq!(
            text::<Vec<i32>>(
                Param::path("id").style(Style::Label).explode(true),
                ".3.4.5"
            ),
            Ok(vec![3, 4, 5])
        );
        assert_eq!(
            text::<Vec<i32>>(
                Param::path("id").style(Style::Matrix).explode(true),
                ";id=3;id=4"
            ),
            Ok(vec![3, 4])
        );
        assert_eq!(
            text::<Vec<i32>>(Param::path("id").style(Style::Matrix), ";id=3,4"),
            Ok(vec![3, 4])
        );
        let object: BTreeMap<String, String> =
            text(Param::path("o").explode(true), "role=admin,name=Alex").unwrap();
        assert_eq!(object.get("role").map(String::as_str), Some("admin"));
        let object: BTreeMap<String, String> =
            text(Param::path("o"), "role,admin,name,Alex").unwrap();
        assert_eq!(object.len(), 2);
    }

    #[test]
    fn query_styles_read_arrays_objects_and_report_absence() {
        assert_eq!(
            query::<Vec<i32>>(Param::query("a"), "a=1&a=2"),
            Ok(vec![1, 2])
        );
        assert_eq!(
            query::<Vec<i32>>(Param::query("a").explode(false), "a=1,2"),
            Ok(vec![1, 2])
        );
        assert_eq!(
            query::<Vec<i32>>(Param::query("a").style(Style::PipeDelimited), "a=1|2"),
            Ok(vec![1, 2])
        );
        assert_eq!(
            query::<Vec<i32>>(Param::query("a").style(Style::SpaceDelimited), "a=1%202"),
            Ok(vec![1, 2])
        );
        let deep: BTreeMap<String, i32> = query(
            Param::query("o").style(Style::DeepObject),
            "o[x]=1&o[y]=2&z=3",
        )
        .unwrap();
        assert_eq!(deep.len(), 2);
        assert_eq!(
            query::<i32>(Param::query("missing"), "a=1"),
            Err(ParamError::Absent)
        );
        assert!(matches!(
            query::<i32>(Param::query("a"), "a=x"),
            Err(ParamError::Invalid(_))
        ));
    }
}
