//! `tests/generated/platform.rs`: tests of what every generated service does besides its
//! API — health and readiness, metrics, request ids, CORS, rate limits, timeouts, panics,
//! security headers, the published spec and docs — run in-process like the contract tests.

use askama::Template;

use super::{EmitError, rust};
use crate::ir::Api;

/// Whether the runtime serves `path` itself, or leaves it to an operation of the spec.
fn served(api: &Api, path: &str) -> bool {
    !super::router::spec_owns_path(api, path)
}

/// The tests are the same for every project but for the crate's name, the spec's file, the
/// depth of a path no route matches, and which operational endpoints the spec leaves to the runtime.
#[derive(Template)]
#[template(path = "rust/platform.rs.txt", escape = "none")]
struct Platform<'a> {
    krate: &'a str,
    /// A Rust string literal: the spec's path from `tests/generated/`.
    spec_path: String,
    /// More segments than any path of the spec has, for a path no route matches.
    depth: usize,
    /// `/healthz` is the runtime's (and so are the tests that request it).
    health: bool,
    ready: bool,
    metrics: bool,
    docs: bool,
}

pub fn platform_tests(api: &Api, crate_ident: &str, spec_file: &str) -> Result<String, EmitError> {
    // Deeper than any path of the spec, so no route (not even `/{id}`) can match it; at least
    // two segments, since clippy rejects `repeat(1)` (a spec of one-segment paths has them).
    let depth = (api
        .operations
        .iter()
        .map(|op| op.path.split('/').filter(|s| !s.is_empty()).count())
        .max()
        .unwrap_or(0)
        + 1)
    .max(2);
    render(&Platform {
        krate: crate_ident,
        spec_path: format!("{:?}", format!("../../{spec_file}")),
        depth,
        health: served(api, "/healthz"),
        ready: served(api, "/readyz"),
        metrics: served(api, "/metrics") && served(api, "/healthz"),
        docs: served(api, "/openapi.json") && served(api, "/docs"),
    })
}

fn render(template: &Platform<'_>) -> Result<String, EmitError> {
    rust::render_source("platform.rs", template)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_unmatched_path_has_two_segments_at_least_so_clippy_accepts_it() {
        // A spec without paths (webhooks only, say) has no segment to go deeper than.
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/one-schema.yaml");
        let loaded = crate::spec::load(&path).expect("the fixture loads");
        let api = crate::ir::lower(&loaded).expect("the fixture lowers").0;
        assert!(api.operations.is_empty(), "the fixture has no operations");
        let tests = platform_tests(&api, "fixture", "openapi.yaml").expect("renders");
        assert!(
            tests.contains(r#""/__specgen_no_such_route__".repeat(2)"#),
            "clippy rejects repeat(1):\n{tests}"
        );
    }

    /// With none of the optional tests, and with all of them: each block keeps one blank
    /// line around it either way.
    #[test]
    fn the_optional_tests_leave_rustfmt_layout_whether_present_or_not() {
        let rustfmt = rust::rustfmt_binary().expect("rustfmt is installed");
        let mut files: Vec<super::super::OutputFile> = [false, true]
            .into_iter()
            .map(|on| {
                let source = render(&Platform {
                    krate: "fixture",
                    spec_path: "\"../../openapi.yaml\"".to_owned(),
                    depth: 2,
                    health: on,
                    ready: on,
                    metrics: on,
                    docs: on,
                })
                .expect("renders");
                syn::parse_file(&source).expect("valid Rust");
                super::super::OutputFile::new(
                    format!("platform.rs with the optional tests {on}"),
                    source,
                    super::super::Ownership::Generated,
                )
            })
            .collect();
        let rendered: Vec<String> = files.iter().map(|f| f.contents.clone()).collect();
        assert!(rust::rustfmt_all(&rustfmt, &mut files), "rustfmt ran");
        for (file, rendered) in files.iter().zip(rendered) {
            assert!(
                file.contents == rendered,
                "{}:\n{}",
                file.path,
                file.contents
            );
        }
        assert!(rendered_contains_all(&files[1].contents));
        assert!(!files[0].contents.contains("liveness_needs_no_credentials"));
    }

    fn rendered_contains_all(text: &str) -> bool {
        [
            "liveness_needs_no_credentials",
            "readiness_checks_the_database",
            "metrics_count_requests_by_route_template",
            "the_spec_is_published_with_interactive_docs",
        ]
        .iter()
        .all(|name| text.contains(name))
    }
}
