//! Repairs for invalid constructs real OpenAPI 3.0 documents contain, each with a warning,
//! so a spec that almost follows the standard still generates.

use serde_json::Value;

/// Fixes what can be fixed in place; returns (pointer, message) warnings.
pub(crate) fn repair(document: &mut Value) -> Vec<(String, String)> {
    let mut warnings = Vec::new();
    if let Value::Object(root) = document
        && !root.contains_key("paths")
    {
        root.insert("paths".to_owned(), Value::Object(Default::default()));
        warnings.push((
            "".to_owned(),
            "the document has no `paths`; it is read as one with no operations".to_owned(),
        ));
    }
    walk(document, String::new(), &mut warnings);
    inline_references_into_operations(document, &mut warnings);
    warnings
}

/// Only the `$ref` repair below, for documents converted from 3.1 or Swagger 2.0 (the
/// other repairs are for what 3.0 writers get wrong; the conversions handle their own).
pub(crate) fn inline_references(document: &mut Value) -> Vec<(String, String)> {
    let mut warnings = Vec::new();
    inline_references_into_operations(document, &mut warnings);
    warnings
}

/// How many rounds of inlining: a copied response may itself refer into another operation.
const INLINING_ROUNDS: usize = 8;

/// `$ref`s that point into another operation (`#/paths/~1pets/get/responses/200`,
/// `.../parameters/0`) are valid JSON references, and bundlers write them, but OpenAPI
/// tooling (and the model specgen reads into) expects responses, parameters, request bodies
/// and headers by reference only from `#/components/`. Such a reference is replaced by a
/// copy of what it points to. Fragments are URI-encoded JSON pointers (`%7Bid%7D` for
/// `{id}`): a local reference that resolves only once decoded is rewritten decoded.
fn inline_references_into_operations(document: &mut Value, warnings: &mut Vec<(String, String)>) {
    // Said once, at the first: bundled specs have thousands of them.
    let mut inlined: Option<(String, String)> = None;
    let mut count = 0;
    for _ in 0..INLINING_ROUNDS {
        let mut references = Vec::new();
        collect_references(document, String::new(), &mut references);
        let mut changed = false;
        for (at, reference) in references {
            let Some(fragment) = reference.strip_prefix('#') else {
                continue;
            };
            let target = if document.pointer(fragment).is_some() {
                fragment.to_owned()
            } else {
                match super::openapi31::percent_decode(fragment) {
                    Some(decoded) if document.pointer(&decoded).is_some() => decoded,
                    _ => continue,
                }
            };
            if fragment.starts_with("/components/") && target == fragment {
                continue;
            }
            let operation_part = is_operation_part(&target);
            let replacement = if operation_part {
                match document.pointer(&target) {
                    Some(value) if !value.get("$ref").is_some_and(|r| r == &*reference) => {
                        value.clone()
                    }
                    _ => continue,
                }
            } else if target != fragment {
                serde_json::json!({ "$ref": format!("#{target}") })
            } else {
                continue;
            };
            if let Some(slot) = document.pointer_mut(&at) {
                if operation_part {
                    count += 1;
                    inlined.get_or_insert_with(|| (at.clone(), reference.clone()));
                }
                *slot = replacement;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    if let Some((at, reference)) = inlined {
        let others = match count {
            1 => String::new(),
            n => format!(" (and {} more like it)", n - 1),
        };
        warnings.push((
            at,
            format!("`$ref: {reference}` points into another operation{others}; OpenAPI expects `#/components/`, so each is read as a copy of what it points to"),
        ));
    }
}

/// Whether a pointer names a response, parameter, request body, header or example of an
/// operation or path (as opposed to a schema somewhere, which the schema lowering reads
/// by pointer itself).
fn is_operation_part(pointer: &str) -> bool {
    if !pointer.starts_with("/paths/") && !pointer.starts_with("/webhooks/") {
        return false;
    }
    let mut segments = pointer.rsplit('/');
    let last = segments.next().unwrap_or_default();
    let parent = segments.next().unwrap_or_default();
    if pointer.contains("/schema/") || pointer.ends_with("/schema") {
        return false;
    }
    last == "requestBody" || matches!(parent, "responses" | "parameters" | "headers" | "examples")
}

/// Every local `$ref` outside data (examples, defaults, extensions), with where it is.
fn collect_references(value: &Value, pointer: String, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(object) => {
            if let Some(Value::String(reference)) = object.get("$ref")
                && reference.starts_with('#')
            {
                out.push((pointer.clone(), reference.clone()));
            }
            // `default` is data in a schema, but a response under `responses`.
            let in_responses = pointer.ends_with("/responses");
            for (key, child) in object {
                if is_data_key(key) && !(in_responses && key == "default") {
                    continue;
                }
                collect_references(
                    child,
                    format!("{pointer}/{}", crate::spec::escape_pointer_token(key)),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                collect_references(child, format!("{pointer}/{index}"), out);
            }
        }
        _ => {}
    }
}

/// Keys whose values are data, not schema or document structure.
fn is_data_key(key: &str) -> bool {
    matches!(key, "example" | "examples" | "default" | "enum" | "const") || key.starts_with("x-")
}

fn walk(value: &mut Value, pointer: String, warnings: &mut Vec<(String, String)>) {
    match value {
        Value::Object(object) => {
            // Draft-4 tuple form `items: [A, B]`: any of the listed schemas.
            if let Some(Value::Array(tuple)) = object.get("items") {
                let tuple = tuple.clone();
                warnings.push((
                    format!("{pointer}/items"),
                    "`items` is a list (a tuple), which OpenAPI 3.0 does not allow; each item may be any of the listed schemas".to_owned(),
                ));
                let items = if tuple.len() == 1 {
                    tuple.into_iter().next().unwrap_or_default()
                } else {
                    serde_json::json!({ "anyOf": tuple })
                };
                object.insert("items".to_owned(), items);
            }
            for (key, child) in object.iter_mut() {
                if !is_data_key(key) {
                    walk(
                        child,
                        format!("{pointer}/{}", super::escape_pointer_token(key)),
                        warnings,
                    );
                }
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter_mut().enumerate() {
                walk(child, format!("{pointer}/{index}"), warnings);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn references_into_other_operations_become_copies_and_encoded_pointers_are_decoded() {
        let mut doc = json!({
            "openapi": "3.0.0",
            "paths": {
                "/pets/{id}": {
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                    "get": {"responses": {
                        "200": {"description": "a pet", "content": {"application/json": {"schema": {"type": "object", "properties": {"name": {"type": "string"}}}}}},
                        "default": {"description": "an error", "headers": {"x-rate": {"$ref": "#/paths/~1pets~1%7Bid%7D/get/responses/200/headers/x-rate"}}}
                    }}
                },
                "/pets/{id}/photos": {
                    "get": {
                        "parameters": [{"$ref": "#/paths/~1pets~1%7Bid%7D/parameters/0"}],
                        "responses": {
                            "200": {"description": "the pet", "content": {"application/json": {"schema": {"$ref": "#/paths/~1pets~1%7Bid%7D/get/responses/200/content/application~1json/schema/properties/name"}}}},
                            "default": {"$ref": "#/paths/~1pets~1%7Bid%7D/get/responses/default"}
                        }
                    }
                }
            }
        });
        let warnings = repair(&mut doc);
        let photos = &doc["paths"]["/pets/{id}/photos"]["get"];
        assert_eq!(
            photos["parameters"][0]["name"], "id",
            "the parameter is copied"
        );
        assert_eq!(
            photos["responses"]["default"]["description"], "an error",
            "the response is copied"
        );
        assert_eq!(
            photos["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
            "#/paths/~1pets~1{id}/get/responses/200/content/application~1json/schema/properties/name",
            "a schema is still referred to, by its decoded pointer"
        );
        let said: Vec<&String> = warnings.iter().map(|(_, message)| message).collect();
        assert_eq!(said.len(), 1, "one warning for all of them: {said:?}");
        assert!(said[0].contains("and 1 more like it"), "{said:?}");
    }

    #[test]
    fn a_document_without_paths_gets_empty_paths_and_a_warning() {
        let mut doc = json!({"openapi": "3.0.0", "info": {"title": "t", "version": "1"}});
        let warnings = repair(&mut doc);
        assert_eq!(doc["paths"], json!({}));
        assert_eq!(warnings.len(), 1);
    }

    #[test]
    fn tuple_items_become_any_of_but_examples_are_left_alone() {
        let mut doc = json!({"paths": {}, "components": {"schemas": {
            "T": {"type": "array", "items": [{"type": "string"}, {"type": "integer"}], "example": {"items": [1, 2]}}
        }}});
        let warnings = repair(&mut doc);
        assert_eq!(
            doc["components"]["schemas"]["T"]["items"],
            json!({"anyOf": [{"type": "string"}, {"type": "integer"}]})
        );
        assert_eq!(
            doc["components"]["schemas"]["T"]["example"],
            json!({"items": [1, 2]})
        );
        assert_eq!(warnings[0].0, "/components/schemas/T/items");
    }
}
