//! Bad specs get clear errors that say where the problem is: file, line, column and JSON
//! pointer, rendered with a source excerpt. Never a panic.

mod common;

use common::{fixture, run_gen};
use specgen::spec::SourceFile;

fn load_error(name: &str) -> specgen::spec::Diagnostic {
    let path = fixture(name);
    let loaded = specgen::spec::load(&path);
    let diagnostics = match loaded {
        Err(diagnostics) => diagnostics,
        Ok(spec) => specgen::ir::lower(&spec).expect_err("the spec is invalid"),
    };
    diagnostics.errors().next().expect("an error").clone()
}

#[test]
fn an_unresolvable_ref_is_reported_at_its_line_with_its_pointer() {
    let error = load_error("invalid-ref.yaml");
    assert!(
        error.message.contains("#/components/schemas/Missing"),
        "{}",
        error.message
    );
    let location = error.location.as_ref().expect("a location");
    assert_eq!(location.line, 15, "{error:?}");
    assert!(
        error
            .pointer
            .as_deref()
            .unwrap_or("")
            .starts_with("/paths/~1pets/get/responses/200"),
        "{:?}",
        error.pointer
    );
}

#[test]
fn a_schema_with_a_wrong_keyword_type_is_reported_at_that_schema() {
    let error = load_error("bad-schema.yaml");
    assert_eq!(
        error.pointer.as_deref(),
        Some("/components/schemas/Pet/properties/name")
    );
    assert_eq!(error.location.as_ref().map(|l| l.line), Some(11));
}

#[test]
fn yaml_syntax_errors_carry_line_and_column() {
    let source = SourceFile::from_text(
        "broken.yaml".as_ref(),
        "openapi: 3.0.3\ninfo: [unclosed\n".to_owned(),
    );
    let error = specgen::spec::load_source(source).expect_err("invalid YAML");
    let error = error.errors().next().expect("an error");
    assert!(
        error.message.starts_with("invalid YAML"),
        "{}",
        error.message
    );
    assert!(
        error.location.as_ref().is_some_and(|l| l.line >= 2),
        "{error:?}"
    );
}

#[test]
fn a_document_that_is_not_openapi_says_so() {
    let source = SourceFile::from_text("x.json".as_ref(), "{\"hello\": 1}".to_owned());
    let error = specgen::spec::load_source(source).expect_err("not OpenAPI");
    assert!(
        error.to_string().contains("not an OpenAPI document"),
        "{error}"
    );
}

#[test]
fn gen_validate_renders_the_excerpt_and_exits_1() {
    let (code, stderr) = run_gen(
        &common::repo_root(),
        &["validate", fixture("invalid-ref.yaml").to_str().unwrap()],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("invalid-ref.yaml"), "{stderr}");
    assert!(
        stderr.contains("$ref: '#/components/schemas/Missing'"),
        "excerpt missing:\n{stderr}"
    );
    assert!(stderr.contains("line 15"), "{stderr}");
}

#[test]
fn gen_validate_accepts_the_example_specs() {
    for spec in ["petstore.yaml", "blog.yaml", "shop.yaml"] {
        let path = common::repo_root().join("specs").join(spec);
        let (code, stderr) = run_gen(&common::repo_root(), &["validate", path.to_str().unwrap()]);
        assert_eq!(code, 0, "{spec}: {stderr}");
        assert!(stderr.contains("valid ("), "{stderr}");
    }
}

#[test]
fn usage_errors_exit_2() {
    let (code, _) = run_gen(&common::repo_root(), &["new"]);
    assert_eq!(code, 2);
    let (code, _) = run_gen(&common::repo_root(), &["frobnicate"]);
    assert_eq!(code, 2);
}

#[test]
fn an_error_in_minified_json_shows_a_window_of_its_one_long_line_not_a_panic() {
    // Minified JSON is one line; a line wider than 65,535 columns used to crash the
    // renderer. Padding pushes the mistake far along the line.
    let padding: String = (0..4000)
        .map(|i| format!(r#""Pad{i}":{{"type":"string","description":"padding"}},"#))
        .collect();
    let text = format!(
        r##"{{"openapi":"3.0.3","info":{{"title":"T","version":"1"}},"paths":{{}},"components":{{"schemas":{{{padding}"Broken":{{"$ref":"#/components/schemas/Missing"}}}}}}}}"##
    );
    assert!(text.lines().count() == 1 && text.len() > 200_000);
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("minified.json");
    std::fs::write(&spec, &text).unwrap();
    let (code, stderr) = run_gen(dir.path(), &["validate", spec.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains("minified.json:1:"),
        "the location is given:\n{stderr}"
    );
    assert!(
        stderr.contains(r##""$ref":"#/components/schemas/Missing""##),
        "a window of the line around the mistake is shown:\n{stderr}"
    );
    assert!(
        stderr.lines().all(|line| line.chars().count() < 400),
        "no line of the report is the whole spec"
    );
}

#[test]
fn a_31_or_20_document_may_refer_into_another_operation_like_a_30_one() {
    let text = r##"{"openapi":"3.1.0","info":{"title":"T","version":"1"},"paths":{
      "/a/{id}":{"get":{"operationId":"getA","parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string"}}],
        "responses":{"200":{"description":"ok"}}}},
      "/b/{id}":{"get":{"operationId":"getB","parameters":[{"$ref":"#/paths/~1a~1%7Bid%7D/get/parameters/0"}],
        "responses":{"200":{"$ref":"#/paths/~1a~1%7Bid%7D/get/responses/200"}}}}}}"##;
    let source = SourceFile::from_text(std::path::Path::new("spec.json"), text.to_owned());
    let loaded = specgen::spec::load_source(source).unwrap_or_else(|d| panic!("loads:\n{d}"));
    let (api, warnings) = specgen::ir::lower(&loaded).unwrap_or_else(|d| panic!("lowers:\n{d}"));
    let get_b = api
        .operations
        .iter()
        .find(|op| op.id == "getB")
        .expect("getB");
    assert_eq!(
        get_b.params.len(),
        1,
        "the parameter is read from /a/{{id}}"
    );
    assert!(
        loaded
            .warnings
            .iter()
            .chain(warnings.iter())
            .any(|w| w.message.contains("points into another operation")),
        "and it is said"
    );
}

#[test]
fn a_pattern_the_server_cannot_compile_is_a_warning_at_the_pattern_not_a_silent_gap() {
    let text = r##"{"openapi":"3.0.3","info":{"title":"T","version":"1"},"paths":{
      "/a":{"get":{"operationId":"getA","parameters":[{"name":"code","in":"query","schema":{"type":"string","pattern":"^(?<=x)[a-z"}}],
        "responses":{"200":{"description":"ok"}}}}}}"##;
    let source = SourceFile::from_text(std::path::Path::new("spec.json"), text.to_owned());
    let loaded = specgen::spec::load_source(source).unwrap_or_else(|d| panic!("loads:\n{d}"));
    let (_, warnings) = specgen::ir::lower(&loaded).unwrap_or_else(|d| panic!("lowers:\n{d}"));
    let warning = warnings
        .iter()
        .find(|w| w.message.contains("values are not checked against it"))
        .unwrap_or_else(|| panic!("a warning about the pattern: {warnings:?}"));
    assert!(
        warning
            .pointer
            .as_deref()
            .is_some_and(|p| p.ends_with("/pattern")),
        "{warning:?}"
    );
}

#[test]
fn a_pattern_the_server_must_backtrack_on_is_a_warning_and_a_linear_one_is_not() {
    let spec = |pattern: &str| {
        format!(
            r##"{{"openapi":"3.0.3","info":{{"title":"T","version":"1"}},"paths":{{
      "/a":{{"get":{{"operationId":"getA","parameters":[{{"name":"code","in":"query","schema":{{"type":"string","pattern":"{pattern}"}}}}],
        "responses":{{"200":{{"description":"ok"}}}}}}}}}}}}"##
        )
    };
    let warnings_for = |pattern: &str| {
        let source = SourceFile::from_text(std::path::Path::new("spec.json"), spec(pattern));
        let loaded = specgen::spec::load_source(source).unwrap_or_else(|d| panic!("loads:\n{d}"));
        let (_, warnings) = specgen::ir::lower(&loaded).unwrap_or_else(|d| panic!("lowers:\n{d}"));
        warnings
            .iter()
            .filter(|w| w.message.contains("backtracking engine"))
            .map(|w| w.pointer.clone().unwrap_or_default())
            .collect::<Vec<_>>()
    };
    let lookahead = warnings_for("^(?!admin)[a-z]+$");
    assert_eq!(lookahead.len(), 1, "{lookahead:?}");
    assert!(lookahead[0].ends_with("/schema/pattern"), "{lookahead:?}");
    // Nested quantifiers are no reason to warn: the linear engine takes them.
    assert!(warnings_for("^(\\\\w+\\\\s?)*$").is_empty());
}
