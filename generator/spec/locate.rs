//! Maps a JSON pointer in a spec to a byte span in its source text.
//!
//! Only used on the error path: serde forgets positions, so when we need to show the user
//! where something is we re-read the text with `saphyr`, which keeps a span for every node.
//! JSON is valid YAML 1.2 for this purpose, so one locator serves both formats.

use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};
use serde_json::Value;

use super::unescape_pointer_token;

/// A byte range in the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteSpan {
    pub offset: usize,
    pub len: usize,
}

/// Resolves pointers against one source text.
pub struct Locator<'a> {
    text: &'a str,
    root: Option<MarkedYaml<'a>>,
}

impl<'a> Locator<'a> {
    pub fn new(text: &'a str) -> Self {
        let root = MarkedYaml::load_from_str(text).ok().and_then(|mut docs| {
            if docs.is_empty() {
                None
            } else {
                Some(docs.swap_remove(0))
            }
        });
        Self { text, root }
    }

    /// The span of the node at `pointer`, or of its deepest existing ancestor.
    /// For a mapping entry the span covers the key, which is what a reader looks for.
    pub fn span(&self, pointer: &str) -> Option<ByteSpan> {
        let root = self.root.as_ref()?;
        let mut node = root;
        let mut key_span = None;
        for token in pointer.split('/').skip(1) {
            let token = unescape_pointer_token(token);
            let next = match &node.data {
                YamlData::Mapping(map) => map.iter().find_map(|(key, value)| {
                    (scalar_text(key).as_deref() == Some(token.as_str())).then_some((key, value))
                }),
                YamlData::Sequence(items) => token
                    .parse::<usize>()
                    .ok()
                    .and_then(|index| items.get(index))
                    .map(|item| (item, item)),
                _ => None,
            };
            match next {
                Some((key, value)) => {
                    key_span = Some(key.span);
                    node = value;
                }
                None => break,
            }
        }
        let span = key_span.unwrap_or(node.span);
        let start = char_to_byte(self.text, span.start.index());
        let end = char_to_byte(self.text, span.end.index()).max(start);
        Some(ByteSpan {
            offset: start,
            len: (end - start)
                .max(1)
                .min(self.text.len().saturating_sub(start)),
        })
    }
}

fn scalar_text(node: &MarkedYaml<'_>) -> Option<String> {
    match &node.data {
        YamlData::Value(Scalar::String(s)) => Some(s.to_string()),
        YamlData::Value(Scalar::Integer(i)) => Some(i.to_string()),
        YamlData::Value(Scalar::Boolean(b)) => Some(b.to_string()),
        YamlData::Value(Scalar::FloatingPoint(f)) => Some(f.to_string()),
        YamlData::Value(Scalar::Null) => Some("null".to_owned()),
        YamlData::Representation(text, _, _) => Some(text.to_string()),
        _ => None,
    }
}

fn char_to_byte(text: &str, char_index: usize) -> usize {
    text.char_indices()
        .nth(char_index)
        .map(|(byte, _)| byte)
        .unwrap_or(text.len())
}

/// Finds the deepest schema under `pointer` that fails to deserialise on its own.
///
/// serde reports an untagged-enum failure at the enclosing container (often `/paths` or
/// `/components`), so we walk every schema position below it and keep the deepest failure.
pub fn deepest_failing_schema(document: &Value, pointer: &str) -> Option<String> {
    let start = document.pointer(pointer)?;
    let mut best: Option<String> = None;
    walk(start, pointer.to_owned(), &mut best);
    best
}

fn walk(value: &Value, pointer: String, best: &mut Option<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let child_pointer = format!("{pointer}/{}", super::escape_pointer_token(key));
                walk(child, child_pointer, best);
            }
            if looks_like_schema(map) && !schema_parses(value) {
                let deeper = best
                    .as_ref()
                    .is_some_and(|b| b.starts_with(&pointer) && b.len() > pointer.len());
                if !deeper {
                    *best = Some(pointer);
                }
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                walk(child, format!("{pointer}/{index}"), best);
            }
        }
        _ => {}
    }
}

fn looks_like_schema(map: &serde_json::Map<String, Value>) -> bool {
    [
        "type",
        "properties",
        "items",
        "allOf",
        "oneOf",
        "anyOf",
        "enum",
        "format",
        "maxLength",
        "minLength",
        "minimum",
        "maximum",
    ]
    .iter()
    .any(|key| map.contains_key(*key))
        && !map.contains_key("in")
        && !map.contains_key("content")
}

fn schema_parses(value: &Value) -> bool {
    serde_json::from_value::<openapiv3::ReferenceOr<openapiv3::Schema>>(value.clone()).is_ok()
}
