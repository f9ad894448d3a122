//! Which OpenAPI version a document declares, and the pre-pass that brings it to the
//! 3.0 shape the `openapiv3` model reads.

use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecVersion {
    Swagger2,
    OpenApi30,
    OpenApi31,
}

impl SpecVersion {
    pub fn detect(document: &Value) -> Result<Self, String> {
        let Some(object) = document.as_object() else {
            return Err("an OpenAPI document must be a mapping at the top level".to_owned());
        };
        if let Some(version) = object.get("openapi") {
            let text = scalar_text(version);
            return match text.as_deref() {
                Some(v) if v.starts_with("3.0") => Ok(SpecVersion::OpenApi30),
                Some(v) if v.starts_with("3.1") || v.starts_with("3.2") => {
                    Ok(SpecVersion::OpenApi31)
                }
                Some(v) => Err(format!(
                    "unsupported OpenAPI version `{v}` (3.0, 3.1 and Swagger 2.0 are supported)"
                )),
                None => {
                    Err("the `openapi` field must be a version string such as \"3.0.3\"".to_owned())
                }
            };
        }
        if let Some(version) = object.get("swagger") {
            return match scalar_text(version).as_deref() {
                Some("2.0") | Some("2") => Ok(SpecVersion::Swagger2),
                other => Err(format!(
                    "unsupported Swagger version `{}`",
                    other.unwrap_or("?")
                )),
            };
        }
        Err(
            "not an OpenAPI document: neither an `openapi` nor a `swagger` field at the top level"
                .to_owned(),
        )
    }
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A document brought to the OpenAPI 3.0 shape, with what the conversion could not carry over.
#[derive(Debug, Clone, PartialEq)]
pub struct Normalised {
    pub document: Value,
    /// (JSON pointer in the original document, message) for every construct that was
    /// approximated or dropped.
    pub warnings: Vec<(String, String)>,
}

/// Brings a document to the OpenAPI 3.0 shape. On failure returns the pointer and message.
fn with_inlined_references(mut normalised: Normalised) -> Normalised {
    let warnings = super::repair::inline_references(&mut normalised.document);
    normalised.warnings.extend(warnings);
    normalised
}

pub fn normalise(document: Value, version: SpecVersion) -> Result<Normalised, (String, String)> {
    match version {
        SpecVersion::OpenApi30 => {
            let mut document = document;
            let warnings = super::repair::repair(&mut document);
            Ok(Normalised { document, warnings })
        }
        // Converted documents can hold `$ref`s into operations too (bundlers write them in
        // every version).
        SpecVersion::OpenApi31 => {
            super::openapi31::downgrade(document).map(with_inlined_references)
        }
        SpecVersion::Swagger2 => super::swagger2::convert(document).map(with_inlined_references),
    }
}
