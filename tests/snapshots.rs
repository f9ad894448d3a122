//! Focused snapshots of what the generator emits for small specs: one schema → its Rust
//! type; one operation → its trait method, request/response types and route.

mod common;

use common::generate_fixture;

#[test]
fn one_schema_becomes_one_rust_type_with_serde_renames_options_and_boxes() {
    let files = generate_fixture("one-schema.yaml");
    insta::assert_snapshot!("one_schema_models", files.get("generated/src/models.rs"));
}

#[test]
fn one_operation_becomes_a_trait_method_a_typed_request_and_a_response_enum() {
    let files = generate_fixture("one-operation.yaml");
    insta::assert_snapshot!(
        "one_operation_api",
        files.get("generated/src/api/things.rs")
    );
}

#[test]
fn one_operation_becomes_one_route() {
    let files = generate_fixture("one-operation.yaml");
    insta::assert_snapshot!("one_operation_router", files.get("generated/src/router.rs"));
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
    insta::assert_snapshot!("type_rules_models", files.get("generated/src/models.rs"));
}

#[test]
fn security_requirements_become_consts_and_per_route_auth_layers() {
    let files = generate_fixture("secured.yaml");
    insta::assert_snapshot!("secured_router", files.get("generated/src/router.rs"));
}

#[test]
fn constraints_become_checks_on_the_parsed_request_and_defaults_are_applied() {
    let files = generate_fixture("secured.yaml");
    insta::assert_snapshot!(
        "secured_validation",
        files.get("generated/src/api/notes.rs")
    );
    insta::assert_snapshot!(
        "secured_body_validation",
        files.get("generated/src/models.rs")
    );
}

/// Names declared side by side in one scope: items of a module (and of its inline
/// modules), fields of a struct, variants of an enum, items of a trait or an impl.
fn scopes(items: &[syn::Item], out: &mut Vec<(String, Vec<String>)>) {
    use syn::{ImplItem, Item, TraitItem};
    let mut module = Vec::new();
    for item in items {
        let (name, inner) = match item {
            Item::Struct(s) => {
                let fields = s.fields.iter().filter_map(|f| f.ident.as_ref());
                out.push((s.ident.to_string(), fields.map(|f| f.to_string()).collect()));
                (Some(&s.ident), None)
            }
            Item::Enum(e) => {
                let variants = e.variants.iter().map(|v| v.ident.to_string()).collect();
                out.push((e.ident.to_string(), variants));
                (Some(&e.ident), None)
            }
            Item::Trait(t) => {
                let names = t.items.iter().filter_map(|i| match i {
                    TraitItem::Fn(f) => Some(f.sig.ident.to_string()),
                    TraitItem::Const(c) => Some(c.ident.to_string()),
                    TraitItem::Type(t) => Some(t.ident.to_string()),
                    _ => None,
                });
                out.push((t.ident.to_string(), names.collect()));
                (Some(&t.ident), None)
            }
            Item::Impl(i) => {
                let names = i.items.iter().filter_map(|i| match i {
                    ImplItem::Fn(f) => Some(f.sig.ident.to_string()),
                    ImplItem::Const(c) => Some(c.ident.to_string()),
                    ImplItem::Type(t) => Some(t.ident.to_string()),
                    _ => None,
                });
                let self_ty = &i.self_ty;
                out.push((format!("impl {}", quote::quote!(#self_ty)), names.collect()));
                (None, None)
            }
            Item::Mod(m) => (Some(&m.ident), m.content.as_ref().map(|(_, items)| items)),
            Item::Fn(f) => (Some(&f.sig.ident), None),
            Item::Static(s) => (Some(&s.ident), None),
            Item::Const(c) => (Some(&c.ident), None),
            Item::Type(t) => (Some(&t.ident), None),
            _ => (None, None),
        };
        module.extend(name.map(ToString::to_string));
        if let Some(items) = inner {
            scopes(items, out);
        }
    }
    out.push(("module".to_owned(), module));
}

#[test]
fn names_that_collide_in_the_spec_come_out_as_valid_unique_rust_names() {
    let files = generate_fixture("collisions.yaml");
    let mut checked = 0;
    for (path, (_, contents)) in files.0.iter().filter(|(path, _)| path.ends_with(".rs")) {
        let file = syn::parse_file(contents)
            .unwrap_or_else(|e| panic!("{path} is not valid Rust: {e}\n{contents}"));
        checked += 1;
        if path.starts_with("runtime/") {
            // Fixed code (with `#[cfg]` twins); no name in it comes from the spec.
            continue;
        }
        let mut found = Vec::new();
        scopes(&file.items, &mut found);
        for (scope, names) in found {
            let mut seen = std::collections::BTreeSet::new();
            let twice: Vec<&String> = names.iter().filter(|n| !seen.insert(*n)).collect();
            assert!(twice.is_empty(), "{path}: {scope} declares {twice:?} twice");
        }
    }
    assert!(checked > 10, "only {checked} Rust files");

    // Where the spec's names met, the registry told them apart.
    let declared = |path: &str| {
        let file = syn::parse_file(files.get(path)).expect("parsed above");
        let mut found = Vec::new();
        scopes(&file.items, &mut found);
        found
            .into_iter()
            .filter(|(scope, _)| !scope.starts_with("impl "))
            .map(|(scope, names)| format!("{scope}: {}", names.join(", ")))
            .collect::<Vec<_>>()
            .join("\n")
    };
    insta::assert_snapshot!(
        "collisions_names",
        [
            "generated/src/models.rs",
            "generated/src/api/default.rs",
            "generated/src/resources.rs"
        ]
        .map(|path| format!("# {path}\n{}", declared(path)))
        .join("\n\n")
    );
}
