//! The runtime support files, shipped as Rust source with the generator and emitted into
//! `src/generated/runtime/` of every project.

use super::{EmitError, OutputFile, Ownership, rust};

const FILES: &[(&str, &str)] = &[
    ("mod.rs", include_str!("runtime/mod.rs")),
    ("auth.rs", include_str!("runtime/auth.rs")),
    ("context.rs", include_str!("runtime/context.rs")),
    ("double_option.rs", include_str!("runtime/double_option.rs")),
    ("endpoints.rs", include_str!("runtime/endpoints.rs")),
    ("etag.rs", include_str!("runtime/etag.rs")),
    ("fallback.rs", include_str!("runtime/fallback.rs")),
    ("log_writer.rs", include_str!("runtime/log_writer.rs")),
    ("params.rs", include_str!("runtime/params.rs")),
    ("platform.rs", include_str!("runtime/platform.rs")),
    ("problem.rs", include_str!("runtime/problem.rs")),
    ("rate_limit.rs", include_str!("runtime/rate_limit.rs")),
    ("request.rs", include_str!("runtime/request.rs")),
    ("response.rs", include_str!("runtime/response.rs")),
    ("settings.rs", include_str!("runtime/settings.rs")),
    ("store.rs", include_str!("runtime/store.rs")),
    ("telemetry.rs", include_str!("runtime/telemetry.rs")),
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
