//! Focused snapshots of what the generator emits for small specs: one schema → its Rust
//! type; one operation → its trait method, request/response types and route.

mod common;

use common::generate_fixture;

#[test]
fn one_schema_becomes_one_rust_type_with_serde_renames_options_and_boxes() {
    let files = generate_fixture("one-schema.yaml");
    insta::assert_snapshot!("one_schema_models", files.get("src/generated/models.rs"));
}

#[test]
fn one_operation_becomes_a_trait_method_a_typed_request_and_a_response_enum() {
    let files = generate_fixture("one-operation.yaml");
    insta::assert_snapshot!(
        "one_operation_api",
        files.get("src/generated/api/things.rs")
    );
}

#[test]
fn one_operation_becomes_one_route() {
    let files = generate_fixture("one-operation.yaml");
    insta::assert_snapshot!("one_operation_router", files.get("src/generated/router.rs"));
}

#[test]
fn one_operation_gets_a_valid_and_a_malformed_request_test() {
    let files = generate_fixture("one-operation.yaml");
    insta::assert_snapshot!(
        "one_operation_contract_tests",
        files.get("tests/generated/contract.rs")
    );
}

#[test]
fn every_type_mapping_rule_has_a_snapshot() {
    let files = generate_fixture("type-rules.yaml");
    insta::assert_snapshot!("type_rules_models", files.get("src/generated/models.rs"));
}

#[test]
fn security_requirements_become_consts_and_per_route_auth_layers() {
    let files = generate_fixture("secured.yaml");
    insta::assert_snapshot!("secured_router", files.get("src/generated/router.rs"));
}

#[test]
fn constraints_become_checks_on_the_parsed_request_and_defaults_are_applied() {
    let files = generate_fixture("secured.yaml");
    insta::assert_snapshot!(
        "secured_validation",
        files.get("src/generated/api/notes.rs")
    );
    insta::assert_snapshot!(
        "secured_body_validation",
        files.get("src/generated/models.rs")
    );
}
