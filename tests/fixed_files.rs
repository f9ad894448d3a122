//! The fixed parts of a project (entry point, startup, handler module, platform tests,
//! contract-test helpers) and the samples the stubs answer with, checked over every fixture.

mod common;

use common::generate_fixture;

const FIXTURES: &[&str] = &[
    "one-operation.yaml",
    "one-schema.yaml",
    "resource.yaml",
    "secured.yaml",
    "type-rules.yaml",
];

/// The keys a file reads with `reader("key")` (the argument may be on the next line).
fn keys_read<'a>(text: &'a str, reader: &str) -> Vec<&'a str> {
    let open = format!("{reader}(");
    text.match_indices(&open)
        .filter_map(|(at, _)| text[at + open.len()..].trim_start().strip_prefix('"'))
        .filter_map(|rest| rest.split('"').next())
        .collect()
}

#[test]
fn every_sample_the_stubs_and_scaffold_handlers_read_is_in_examples_json() {
    let mut checked = 0;
    for fixture in FIXTURES {
        let files = generate_fixture(fixture);
        let examples: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(files.get("generated/src/examples.json"))
                .expect("examples.json is a JSON object");
        let mut read = keys_read(files.get("tests/generated/contract.rs"), "sample");
        for (path, (_, text)) in &files.0 {
            if path.starts_with("src/handlers/") {
                read.extend(keys_read(text, "examples::example"));
            }
        }
        for key in read {
            assert!(
                examples.contains_key(key),
                "{fixture}: `{key}` is read but not in examples.json"
            );
            checked += 1;
        }
    }
    assert!(checked > 0, "the fixtures read some samples");
}

#[test]
fn every_doc_comment_has_a_space_after_its_slashes() {
    for fixture in FIXTURES {
        for (path, (_, text)) in &generate_fixture(fixture).0 {
            if !path.ends_with(".rs") {
                continue;
            }
            for line in text.lines() {
                let trimmed = line.trim_start();
                let rest = trimmed
                    .strip_prefix("///")
                    .or_else(|| trimmed.strip_prefix("//!"));
                if let Some(rest) = rest {
                    assert!(
                        rest.is_empty() || rest.starts_with(' '),
                        "{fixture}: {path}: `{trimmed}`"
                    );
                }
            }
        }
    }
}

/// The user's files import what they use by name: no glob imports, nothing allowed unused.
#[test]
fn scaffold_rust_files_import_by_name_and_allow_nothing_unused() {
    for fixture in FIXTURES {
        for (path, (ownership, text)) in &generate_fixture(fixture).0 {
            if *ownership != specgen::emit::Ownership::Scaffold || !path.ends_with(".rs") {
                continue;
            }
            assert!(
                !text.contains("unused_imports"),
                "{fixture}: {path} allows unused imports"
            );
            assert!(
                !text
                    .lines()
                    .any(|l| l.starts_with("use ") && l.contains("::*")),
                "{fixture}: {path} has a glob import"
            );
        }
    }
}

/// A toolchain that can install `gen` can build what it writes: the generated crates and
/// the runtime ask for the Rust version specgen itself asks for.
#[test]
fn generated_manifests_ask_for_the_rust_version_specgen_asks_for() {
    let wanted = format!("rust-version = \"{}\"", env!("CARGO_PKG_RUST_VERSION"));
    for manifest in [
        "templates/project/Cargo.toml.txt",
        "templates/project/generated.Cargo.toml.txt",
        "generator/runtime/Cargo.toml",
    ] {
        let text = std::fs::read_to_string(manifest).expect("the manifest is readable");
        let line = text
            .lines()
            .find(|line| line.starts_with("rust-version"))
            .unwrap_or_else(|| panic!("{manifest} states no rust-version"));
        assert_eq!(line, wanted, "{manifest}");
    }
}
