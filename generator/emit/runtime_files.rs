//! The runtime support files, shipped as Rust source with the generator and emitted into
//! `src/generated/runtime/` of every project.
//!
//! They are written verbatim, comments included, and are kept in rustfmt's layout (a test
//! checks it), so neither syn, prettyplease nor rustfmt has to process a quarter of a
//! megabyte of fixed code on every generation.

use super::{OutputFile, Ownership, rust};

const FILES: &[(&str, &str)] = &[
    ("mod.rs", include_str!("runtime/mod.rs")),
    ("auth.rs", include_str!("runtime/auth.rs")),
    ("context.rs", include_str!("runtime/context.rs")),
    ("date_time.rs", include_str!("runtime/date_time.rs")),
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

pub fn runtime_files() -> Vec<OutputFile> {
    FILES
        .iter()
        .map(|(name, source)| {
            OutputFile::preformatted(
                format!("src/generated/runtime/{name}"),
                format!("{}\n{source}", rust::GENERATED_HEADER),
                Ownership::Generated,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_runtime_file_is_valid_rust_in_rustfmt_layout() {
        for (name, source) in FILES {
            if let Err(error) = syn::parse_file(source) {
                panic!("runtime/{name} does not parse: {error}");
            }
        }
        let rustfmt = rust::rustfmt_binary().expect("rustfmt is installed");
        let mut files = runtime_files();
        for file in &mut files {
            file.preformatted = false;
        }
        let shipped: Vec<String> = files.iter().map(|f| f.contents.clone()).collect();
        assert!(rust::rustfmt_all(&rustfmt, &mut files), "rustfmt ran");
        for (file, shipped) in files.iter().zip(shipped) {
            assert!(
                file.contents == shipped,
                "{} is not in rustfmt's layout: run `rustfmt --edition 2024 generator/emit/runtime/*.rs`",
                file.path
            );
        }
    }
}
