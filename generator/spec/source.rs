//! Reading spec text and parsing it as YAML or JSON.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use super::diagnostics::SharedSource;
use super::{Diagnostic, Severity};

/// Which syntax a spec file is written in; also decides the name of the project's copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    Yaml,
    Json,
}

impl SourceFormat {
    pub fn extension(self) -> &'static str {
        match self {
            SourceFormat::Yaml => "yaml",
            SourceFormat::Json => "json",
        }
    }
}

/// The text of a spec file and where it came from.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
    pub format: SourceFormat,
    /// The text once more, with its line index, for every diagnostic about this file to
    /// share: made on the first diagnostic, shared by clones.
    shared: Arc<OnceLock<Arc<SharedSource>>>,
}

impl SourceFile {
    pub fn read(path: &Path) -> Result<Self, Diagnostic> {
        let text = std::fs::read_to_string(path).map_err(|error| {
            Diagnostic::plain(
                Severity::Error,
                format!("cannot read {}: {error}", path.display()),
            )
        })?;
        Ok(Self::from_text(path, text))
    }

    /// Builds a source from text; the format is guessed from the extension, then the content.
    pub fn from_text(path: &Path, text: String) -> Self {
        let by_extension = match path.extension().and_then(|e| e.to_str()) {
            Some("json") => Some(SourceFormat::Json),
            Some("yaml" | "yml") => Some(SourceFormat::Yaml),
            _ => None,
        };
        let format = by_extension.unwrap_or_else(|| {
            if text.trim_start().starts_with('{') {
                SourceFormat::Json
            } else {
                SourceFormat::Yaml
            }
        });
        Self {
            path: path.to_path_buf(),
            text,
            format,
            shared: Arc::default(),
        }
    }

    /// What diagnostics about this file point into: built once however many there are (a
    /// large spec with thousands of warnings would otherwise copy and scan its text for
    /// each).
    pub(crate) fn shared(&self) -> Arc<SharedSource> {
        self.shared
            .get_or_init(|| Arc::new(SharedSource::new(self)))
            .clone()
    }

    /// Parses the text into a JSON value. YAML 1.1 quirks (integer map keys such as unquoted
    /// status codes, timestamps) are turned into strings so the OpenAPI model can read them.
    pub fn parse_value(&self) -> Result<serde_json::Value, Diagnostic> {
        match self.format {
            SourceFormat::Json => serde_json::from_str(&self.text).map_err(|error| {
                let offset =
                    line_col_to_offset(&self.text, error.line(), error.column().saturating_sub(1));
                Diagnostic::at_offset(self, offset, format!("invalid JSON: {error}"))
            }),
            SourceFormat::Yaml => serde_yaml::from_str::<YamlJson>(&self.text)
                .map(|v| v.0)
                .map_err(|error| {
                    let offset = error
                        .location()
                        .map(|location| location.index())
                        .unwrap_or_default();
                    Diagnostic::at_offset(self, offset, format!("invalid YAML: {error}"))
                }),
        }
    }
}

/// Converts a byte offset from a 1-based line and 0-based column (in characters).
pub(crate) fn line_col_to_offset(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (index, content) in text.split_inclusive('\n').enumerate() {
        if index + 1 == line {
            let within: usize = content.chars().take(column).map(char::len_utf8).sum();
            return offset + within;
        }
        offset += content.len();
    }
    text.len()
}

/// A JSON value read straight from YAML in one pass. YAML allows what JSON does not, and
/// real specs use it: integer or boolean map keys (unquoted status codes) become strings,
/// integers beyond 64 bits (`-9223372036854776000`) become floats, tags are dropped.
struct YamlJson(serde_json::Value);

impl<'de> serde::Deserialize<'de> for YamlJson {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(YamlJsonVisitor).map(YamlJson)
    }
}

struct YamlJsonVisitor;

impl<'de> serde::de::Visitor<'de> for YamlJsonVisitor {
    type Value = serde_json::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_i128<E>(self, v: i128) -> Result<Self::Value, E> {
        Ok(float(v as f64))
    }

    fn visit_u128<E>(self, v: u128) -> Result<Self::Value, E> {
        Ok(float(v as f64))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(float(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }

    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }

    fn visit_some<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(YamlJson(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(serde_json::Value::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some((YamlJson(key), YamlJson(value))) = map.next_entry()? {
            let key = match key {
                serde_json::Value::String(s) => s,
                serde_json::Value::Null => "null".to_owned(),
                other => other.to_string(),
            };
            object.insert(key, value);
        }
        Ok(serde_json::Value::Object(object))
    }

    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        use serde::de::VariantAccess;
        let (_tag, variant): (String, _) = data.variant()?;
        variant.newtype_variant::<YamlJson>().map(|v| v.0)
    }
}

/// A JSON number for a float; `NaN` and infinities (which JSON lacks) become `null`.
fn float(v: f64) -> serde_json::Value {
    serde_json::Number::from_f64(v)
        .map(serde_json::Value::Number)
        .unwrap_or(serde_json::Value::Null)
}
