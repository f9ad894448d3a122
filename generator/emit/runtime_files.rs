//! The runtime support files, shipped as Rust source with the generator and emitted into
//! `src/generated/runtime/` of every project.

use super::{EmitError, OutputFile, Ownership, rust};

const FILES: &[(&str, &str)] = &[
    ("mod.rs", include_str!("runtime/mod.rs")),
    ("auth.rs", include_str!("runtime/auth.rs")),
    ("context.rs", include_str!("runtime/context.rs")),
    ("double_option.rs", include_str!("runtime/double_option.rs")),
    ("etag.rs", include_str!("runtime/etag.rs")),
    ("fallback.rs", include_str!("runtime/fallback.rs")),
    ("params.rs", include_str!("runtime/params.rs")),
    ("problem.rs", include_str!("runtime/problem.rs")),
    ("request.rs", include_str!("runtime/request.rs")),
    ("response.rs", include_str!("runtime/response.rs")),
    ("store.rs", include_str!("runtime/store.rs")),
    ("validate.rs", include_str!("runtime/validate.rs")),
];

pub fn runtime_files() -> Result<Vec<OutputFile>, EmitError> {
    FILES
        .iter()
        .map(|(name, source)| {
            let path = format!("src/generated/runtime/{name}");
            let body = rust::reformat_source(&path, source)?;
            Ok(OutputFile::new(
                path,
                format!("{}\n{body}", rust::GENERATED_HEADER),
                Ownership::Generated,
            ))
        })
        .collect()
}
