//! The runtime crate, shipped as Rust source with the generator and emitted as the
//! generated-owned `runtime/` crate of every project (package `specgen-runtime`).
//!
//! In this repository the runtime is a workspace member (`generator/runtime/`), so it is
//! compiled, linted and unit-tested like any crate; the files read here are exactly the
//! ones that ship. They are written verbatim, comments included, and are kept in rustfmt's
//! layout (a test checks it), so neither syn, prettyplease nor rustfmt has to process a
//! quarter of a megabyte of fixed code on every generation.
//!
//! A project depends on it by path, so cargo compiles it once and a handler edit
//! recompiles only the project's own crate; its unit tests run here, not in the user's
//! `cargo test`.

use super::{OutputFile, Ownership};
use crate::ir::{Api, AuthNeeds};

/// Where the runtime crate lives in a generated project.
pub const RUNTIME_DIR: &str = "runtime";

/// The runtime's manifest, as the repository builds it.
const MANIFEST: &str = include_str!("../runtime/Cargo.toml");

/// The runtime's sources, by path under `src/` (`/`-separated).
const SOURCES: &[(&str, &str)] = &[
    ("lib.rs", include_str!("../runtime/src/lib.rs")),
    ("auth/mod.rs", include_str!("../runtime/src/auth/mod.rs")),
    (
        "auth/api_key.rs",
        include_str!("../runtime/src/auth/api_key.rs"),
    ),
    (
        "auth/basic.rs",
        include_str!("../runtime/src/auth/basic.rs"),
    ),
    (
        "auth/check.rs",
        include_str!("../runtime/src/auth/check.rs"),
    ),
    (
        "auth/config.rs",
        include_str!("../runtime/src/auth/config.rs"),
    ),
    (
        "auth/disabled.rs",
        include_str!("../runtime/src/auth/disabled.rs"),
    ),
    ("auth/jwt.rs", include_str!("../runtime/src/auth/jwt.rs")),
    (
        "auth/test_support.rs",
        include_str!("../runtime/src/auth/test_support.rs"),
    ),
    ("context.rs", include_str!("../runtime/src/context.rs")),
    ("date_time.rs", include_str!("../runtime/src/date_time.rs")),
    (
        "double_option.rs",
        include_str!("../runtime/src/double_option.rs"),
    ),
    ("endpoints.rs", include_str!("../runtime/src/endpoints.rs")),
    ("etag.rs", include_str!("../runtime/src/etag.rs")),
    ("fallback.rs", include_str!("../runtime/src/fallback.rs")),
    (
        "log_writer.rs",
        include_str!("../runtime/src/log_writer.rs"),
    ),
    ("params.rs", include_str!("../runtime/src/params.rs")),
    ("platform.rs", include_str!("../runtime/src/platform.rs")),
    ("problem.rs", include_str!("../runtime/src/problem.rs")),
    (
        "rate_limit.rs",
        include_str!("../runtime/src/rate_limit.rs"),
    ),
    ("request.rs", include_str!("../runtime/src/request.rs")),
    ("response.rs", include_str!("../runtime/src/response.rs")),
    ("server.rs", include_str!("../runtime/src/server.rs")),
    ("settings.rs", include_str!("../runtime/src/settings.rs")),
    ("store/mod.rs", include_str!("../runtime/src/store/mod.rs")),
    (
        "store/binder.rs",
        include_str!("../runtime/src/store/binder.rs"),
    ),
    (
        "store/database.rs",
        include_str!("../runtime/src/store/database.rs"),
    ),
    (
        "store/items.rs",
        include_str!("../runtime/src/store/items.rs"),
    ),
    (
        "store/leases.rs",
        include_str!("../runtime/src/store/leases.rs"),
    ),
    (
        "store/listing.rs",
        include_str!("../runtime/src/store/listing.rs"),
    ),
    (
        "store/migrate.rs",
        include_str!("../runtime/src/store/migrate.rs"),
    ),
    (
        "store/mysql_tests.rs",
        include_str!("../runtime/src/store/mysql_tests.rs"),
    ),
    (
        "store/nul_safe.rs",
        include_str!("../runtime/src/store/nul_safe.rs"),
    ),
    ("pattern.rs", include_str!("../runtime/src/pattern.rs")),
    ("transport.rs", include_str!("../runtime/src/transport.rs")),
    (
        "store/ownership_tests.rs",
        include_str!("../runtime/src/store/ownership_tests.rs"),
    ),
    (
        "store/patch.rs",
        include_str!("../runtime/src/store/patch.rs"),
    ),
    (
        "store/postgres_tests.rs",
        include_str!("../runtime/src/store/postgres_tests.rs"),
    ),
    (
        "store/query.rs",
        include_str!("../runtime/src/store/query.rs"),
    ),
    (
        "store/select.rs",
        include_str!("../runtime/src/store/select.rs"),
    ),
    (
        "store/table.rs",
        include_str!("../runtime/src/store/table.rs"),
    ),
    (
        "store/test_support.rs",
        include_str!("../runtime/src/store/test_support.rs"),
    ),
    (
        "store/transaction.rs",
        include_str!("../runtime/src/store/transaction.rs"),
    ),
    ("telemetry.rs", include_str!("../runtime/src/telemetry.rs")),
    ("validate.rs", include_str!("../runtime/src/validate.rs")),
];

/// The runtime crate's files, each marked as generated: its manifest, built with the
/// features the API needs, and its sources.
pub fn runtime_files(api: &Api) -> Vec<OutputFile> {
    let manifest = OutputFile::new(
        format!("{RUNTIME_DIR}/Cargo.toml"),
        format!("{MANIFEST_HEADER}\n{}", manifest(api.auth_needs())),
        Ownership::Generated,
    );
    let sources = SOURCES.iter().map(|(name, source)| {
        OutputFile::preformatted(
            format!("{RUNTIME_DIR}/src/{name}"),
            format!("{}\n{source}", super::rust::GENERATED_HEADER),
            Ownership::Generated,
        )
    });
    std::iter::once(manifest).chain(sources).collect()
}

/// The runtime features an API needs: code for a kind of credential the spec never asks
/// for is not compiled (nor its crates: `jsonwebtoken` for bearer tokens, `argon2` for
/// HTTP basic).
fn features(needs: AuthNeeds) -> Vec<&'static str> {
    let mut features = Vec::new();
    if needs.bearer {
        features.push("jwt");
    }
    if needs.basic {
        features.push("basic-auth");
    }
    features
}

/// The repository's manifest with `default` set to the API's features. The repository
/// builds every feature by default so that its own tests cover them all.
fn manifest(needs: AuthNeeds) -> String {
    let features = features(needs);
    let mut lines: Vec<String> = Vec::new();
    for line in MANIFEST.lines() {
        if line.starts_with("default = ") {
            let quoted: Vec<String> = features.iter().map(|f| format!("\"{f}\"")).collect();
            lines.push(format!("default = [{}]", quoted.join(", ")));
        } else {
            lines.push(line.to_owned());
        }
    }
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

/// The ownership line on top of the runtime's manifest.
const MANIFEST_HEADER: &str = "# @generated by specgen — do not edit. Regenerate with `gen regen`.\n\
# The runtime every specgen server shares; your crate depends on it by path.";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::rust;

    /// The `.rs` files under `directory`, subdirectories included, as `/`-separated paths
    /// relative to it.
    fn rust_files(directory: &std::path::Path, prefix: &str, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(directory).expect("the runtime's sources are readable") {
            let entry = entry.expect("a directory entry");
            let name = entry.file_name().to_string_lossy().into_owned();
            let file_type = entry.file_type().expect("a file type");
            if file_type.is_dir() {
                rust_files(&entry.path(), &format!("{prefix}{name}/"), found);
            } else if name.ends_with(".rs") {
                found.push(format!("{prefix}{name}"));
            }
        }
    }

    #[test]
    fn every_runtime_source_is_shipped() {
        let directory = concat!(env!("CARGO_MANIFEST_DIR"), "/generator/runtime/src");
        let mut on_disk = Vec::new();
        rust_files(std::path::Path::new(directory), "", &mut on_disk);
        on_disk.sort();
        let mut shipped: Vec<String> = SOURCES.iter().map(|(n, _)| (*n).to_owned()).collect();
        shipped.sort();
        assert_eq!(
            shipped, on_disk,
            "SOURCES must list every file of the runtime crate"
        );
    }

    fn manifest_table(needs: AuthNeeds) -> toml::Table {
        format!("{MANIFEST_HEADER}\n{}", manifest(needs))
            .parse()
            .expect("valid TOML")
    }

    fn default_features(manifest: &toml::Table) -> Vec<&str> {
        manifest["features"]["default"]
            .as_array()
            .expect("a default feature list")
            .iter()
            .map(|f| f.as_str().expect("feature names are strings"))
            .collect()
    }

    #[test]
    fn the_runtime_is_built_with_the_credentials_the_api_accepts_and_no_others() {
        let none = manifest_table(AuthNeeds::default());
        assert_eq!(default_features(&none), Vec::<&str>::new());
        let api_keys_only = AuthNeeds {
            api_key: true,
            ..AuthNeeds::default()
        };
        assert_eq!(
            default_features(&manifest_table(api_keys_only)),
            Vec::<&str>::new()
        );
        let all = AuthNeeds {
            bearer: true,
            api_key: true,
            basic: true,
        };
        let everything = manifest_table(all);
        assert_eq!(default_features(&everything), ["jwt", "basic-auth"]);
        for feature in default_features(&everything) {
            assert!(
                everything["features"].get(feature).is_some(),
                "the runtime defines the feature `{feature}`"
            );
        }
    }

    #[test]
    fn the_repository_builds_every_credential_feature_by_default() {
        let repository: toml::Table = MANIFEST.parse().expect("valid TOML");
        assert_eq!(default_features(&repository), ["jwt", "basic-auth"]);
    }

    #[test]
    fn the_shipped_manifest_is_the_runtime_crates_and_parses() {
        let manifest = manifest_table(AuthNeeds::default());
        assert_eq!(
            manifest["package"]["name"].as_str(),
            Some("specgen-runtime")
        );
        assert!(
            manifest.get("workspace").is_none(),
            "the runtime joins the project's workspace"
        );
    }

    #[test]
    fn every_runtime_file_is_valid_rust_in_rustfmt_layout() {
        for (name, source) in SOURCES {
            if let Err(error) = syn::parse_file(source) {
                panic!("runtime/src/{name} does not parse: {error}");
            }
        }
        let rustfmt = rust::rustfmt_binary().expect("rustfmt is installed");
        let mut files: Vec<OutputFile> = SOURCES
            .iter()
            .map(|(name, source)| {
                OutputFile::new(
                    format!("{RUNTIME_DIR}/src/{name}"),
                    format!("{}\n{source}", rust::GENERATED_HEADER),
                    Ownership::Generated,
                )
            })
            .collect();
        let shipped: Vec<String> = files.iter().map(|f| f.contents.clone()).collect();
        assert!(rust::rustfmt_all(&rustfmt, &mut files), "rustfmt ran");
        for (file, shipped) in files.iter().zip(shipped) {
            assert!(
                file.contents == shipped,
                "{} is not in rustfmt's layout: run `cargo fmt -p specgen-runtime`",
                file.path
            );
        }
    }
}
