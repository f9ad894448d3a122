//! The Rust files rendered from `templates/rust/`: for every fixture spec, each rendering
//! is valid Rust in rustfmt's layout, so the templates read as the files they make.

use std::path::Path;

use super::{OutputFile, Ownership, contract_tests, platform_tests, rust, scaffold};
use crate::ir::Api;

const FIXTURES: &[&str] = &[
    "one-operation.yaml",
    "one-schema.yaml",
    "resource.yaml",
    "secured.yaml",
    "type-rules.yaml",
];

fn fixture(name: &str) -> Api {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let loaded = crate::spec::load(&path).expect("the fixture loads");
    crate::ir::lower(&loaded).expect("the fixture lowers").0
}

/// The renderings of every template for `api`, by name.
fn renderings(api: &Api) -> Vec<(&'static str, String)> {
    let crate_ident = "fixture";
    vec![
        ("lib.rs", scaffold::lib_rs(api, crate_ident)),
        ("main.rs", scaffold::main_rs(crate_ident)),
        ("startup.rs", scaffold::startup_rs()),
        ("authorize.rs", scaffold::authorize_rs(api)),
        ("handlers/mod.rs", scaffold::handlers_mod(api)),
        ("examples.rs", scaffold::examples_module()),
        (
            "platform.rs",
            platform_tests::platform_tests(api, crate_ident, "openapi.yaml"),
        ),
        (
            "contract.rs (helpers)",
            contract_tests::contract_file(crate_ident, ""),
        ),
    ]
    .into_iter()
    .map(|(name, source)| (name, source.unwrap_or_else(|e| panic!("{name}: {e}"))))
    .collect()
}

#[test]
fn every_rendering_is_valid_rust_in_rustfmt_layout() {
    let rustfmt = rust::rustfmt_binary().expect("rustfmt is installed");
    let mut files = Vec::new();
    for name in FIXTURES {
        for (template, source) in renderings(&fixture(name)) {
            if let Err(error) = syn::parse_file(&source) {
                panic!("{template} for {name} does not parse: {error}\n{source}");
            }
            files.push(OutputFile::new(
                format!("{name}: {template}"),
                source,
                Ownership::Generated,
            ));
        }
    }
    let rendered: Vec<String> = files.iter().map(|f| f.contents.clone()).collect();
    assert!(rust::rustfmt_all(&rustfmt, &mut files), "rustfmt ran");
    for (file, rendered) in files.iter().zip(rendered) {
        assert!(
            file.contents == rendered,
            "{} is not in rustfmt's layout: fix its template in templates/rust/\n{}",
            file.path,
            file.contents
        );
    }
}

#[test]
fn comments_and_macro_bodies_come_out_as_written() {
    let api = fixture("resource.yaml");
    let rendered = renderings(&api);
    let text = |name: &str| {
        &rendered
            .iter()
            .find(|(template, _)| *template == name)
            .expect("rendered")
            .1
    };
    assert!(text("main.rs").contains(
        "    // Held to the end of `serve`: dropping it flushes the last log lines.\n    let _logs"
    ));
    assert!(text("startup.rs").contains(
        "    // Readiness and metrics on their own port (`OPS_PORT`), off the public one, when set.\n    if let Some(address) = settings.ops_address {\n"
    ));
    assert!(text("main.rs").contains("use fixture::generated::{AUTH_NEEDS, AuthConfig};"));
}

#[test]
fn the_handler_modules_follow_the_marker_line() {
    let api = fixture("resource.yaml");
    let source = scaffold::handlers_mod(&api).expect("renders");
    let (_, modules) = source
        .split_once(super::HANDLER_MODULES_MARKER)
        .expect("the marker line");
    let expected: String = api
        .groups
        .iter()
        .map(|group| format!("\n{}", scaffold::handler_module_line(group)))
        .collect();
    assert_eq!(modules, format!("{expected}\n"));
    assert!(!api.groups.is_empty());
}
