//! Stage 1: read a spec file, normalise it to one OpenAPI 3.0 model and report problems
//! with their location.
//!
//! Everything downstream (the IR) sees only [`LoadedSpec`]; nothing after this stage reads files.

mod diagnostics;
mod locate;
mod openapi31;
mod repair;
mod source;
mod swagger2;
mod version;

pub use diagnostics::{Diagnostic, Diagnostics, Severity};
pub use locate::Locator;
pub use source::{SourceFile, SourceFormat};
pub use version::{Normalised, SpecVersion};

use std::path::Path;

/// A spec that parsed into the OpenAPI 3.0 object model, with its source kept for diagnostics.
#[derive(Debug)]
pub struct LoadedSpec {
    pub source: SourceFile,
    /// The document as plain JSON, after version normalisation.
    pub document: serde_json::Value,
    pub openapi: openapiv3::OpenAPI,
    pub version: SpecVersion,
    /// What the version normalisation approximated or dropped.
    pub warnings: Diagnostics,
}

/// Loads the spec at `path`. Fails with located diagnostics when the file cannot be read,
/// is not YAML/JSON, or is not an OpenAPI document we can read.
pub fn load(path: &Path) -> Result<LoadedSpec, Diagnostics> {
    let source = SourceFile::read(path).map_err(Diagnostics::from)?;
    load_source(source)
}

/// Loads a spec from text already in memory (used by tests and fuzzing).
pub fn load_source(source: SourceFile) -> Result<LoadedSpec, Diagnostics> {
    let raw = source.parse_value().map_err(Diagnostics::from)?;
    let version = SpecVersion::detect(&raw).map_err(|message| {
        Diagnostics::from(Diagnostic::located(&source, Severity::Error, "", message))
    })?;
    let located = |pointer: &str, message: String| {
        Diagnostics::from(Diagnostic::located(
            &source,
            Severity::Error,
            pointer,
            message,
        ))
    };
    let mut normalised = version::normalise(raw, version)
        .map_err(|(pointer, message)| located(&pointer, message))?;
    let openapi = match deserialize_openapi(&normalised.document) {
        Ok(openapi) => openapi,
        // Many "3.0" documents use 3.1 spellings (type lists, numeric exclusive bounds...).
        // The 3.1 rules read 3.0 as well, so retry with them before giving up.
        Err((pointer, message)) if version == SpecVersion::OpenApi30 => {
            let retry = openapi31::downgrade(normalised.document.clone())
                .ok()
                .and_then(|converted| {
                    deserialize_openapi(&converted.document)
                        .ok()
                        .map(|openapi| (converted, openapi))
                });
            let Some((converted, openapi)) = retry else {
                return Err(located(&pointer, message));
            };
            normalised.warnings.push((
                pointer,
                format!("{message}; the document was read with the more lenient OpenAPI 3.1 rules instead"),
            ));
            normalised.warnings.extend(converted.warnings);
            normalised.document = converted.document;
            openapi
        }
        Err((pointer, message)) => return Err(located(&pointer, message)),
    };
    let mut warnings = Diagnostics::default();
    if !normalised.warnings.is_empty() {
        let locator = Locator::new(&source.text);
        for (pointer, message) in &normalised.warnings {
            warnings.push(Diagnostic::located_with(
                &locator,
                &source,
                Severity::Warning,
                pointer,
                message.clone(),
            ));
        }
    }
    Ok(LoadedSpec {
        source,
        document: normalised.document,
        openapi,
        version,
        warnings,
    })
}

/// Deserialises the normalised document, reporting the deepest JSON pointer serde reached.
///
/// `openapiv3` uses untagged enums, where serde loses the path; when the path stops at a
/// container we look for the deepest schema that fails on its own, which is where users expect
/// the error to point.
fn deserialize_openapi(
    document: &serde_json::Value,
) -> Result<openapiv3::OpenAPI, (String, String)> {
    match serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(document) {
        Ok(openapi) => Ok(openapi),
        Err(error) => {
            let pointer = path_to_pointer(error.path());
            let message = error.inner().to_string();
            let deepest = locate::deepest_failing_schema(document, &pointer);
            let pointer = deepest.unwrap_or(pointer);
            Err((
                pointer,
                format!("not a valid OpenAPI 3.0 document here: {message}"),
            ))
        }
    }
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => pointer.push_str(&format!("/{index}")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                pointer.push('/');
                pointer.push_str(&escape_pointer_token(key));
            }
            Segment::Unknown => break,
        }
    }
    pointer
}

/// Escapes one JSON pointer reference token (RFC 6901 §3).
pub fn escape_pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Unescapes one JSON pointer reference token.
pub fn unescape_pointer_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}
