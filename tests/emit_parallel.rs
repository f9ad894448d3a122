//! Emitting runs on every core; the project it gives must not depend on that.

use std::path::Path;

use specgen::emit::{self, ProjectInfo};
use specgen::spec::SourceFile;

fn info() -> ProjectInfo {
    ProjectInfo {
        package_name: "shop".to_owned(),
        crate_ident: "shop".to_owned(),
        spec_file: "openapi.yaml".to_owned(),
        generator_version: "test".to_owned(),
        history: Default::default(),
        ci: Default::default(),
    }
}

fn shop_api() -> specgen::ir::Api {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("specs/shop.yaml");
    let source = SourceFile::read(&path).expect("specs/shop.yaml reads");
    let spec = specgen::spec::load_source(source).expect("specs/shop.yaml loads");
    specgen::ir::lower(&spec).expect("specs/shop.yaml lowers").0
}

#[test]
fn emitting_on_every_core_lists_the_same_files_in_the_same_order_as_emitting_on_one() {
    let api = shop_api();
    let serial = emit::emit_unformatted(&api, &info()).expect("emits");
    let parallel = emit::emit(&api, &info()).expect("emits").files;
    let listing = |files: &[emit::OutputFile]| -> Vec<(String, emit::Ownership)> {
        files
            .iter()
            .map(|f| (f.path.clone(), f.ownership))
            .collect()
    };
    assert_eq!(listing(&parallel), listing(&serial));
    for (one, other) in parallel.iter().zip(&serial) {
        if !one.path.ends_with(".rs") {
            assert_eq!(one.contents, other.contents, "{} differs", one.path);
        }
    }
}

#[test]
fn emitting_twice_gives_byte_identical_files() {
    let api = shop_api();
    let first = emit::emit(&api, &info()).expect("emits").files;
    let second = emit::emit(&api, &info()).expect("emits").files;
    assert_eq!(first, second);
}
