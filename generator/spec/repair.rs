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
    warnings
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
