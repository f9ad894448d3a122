//! JSON merge patch (RFC 7396), what `PATCH` applies to a stored item.

use serde_json::{Map, Value};

/// RFC 7396: members of `patch` replace those of `target`, `null` removes, objects merge.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(target) = target {
        for (name, value) in patch {
            if value.is_null() {
                target.remove(name);
            } else {
                merge_patch(target.entry(name.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_merge_patch_replaces_removes_and_merges_members() {
        let mut target = serde_json::json!({"a": 1, "b": {"c": 2, "d": 3}, "e": 4});
        merge_patch(
            &mut target,
            &serde_json::json!({"a": 9, "b": {"c": null}, "e": null}),
        );
        assert_eq!(target, serde_json::json!({"a": 9, "b": {"d": 3}}));
    }
}
