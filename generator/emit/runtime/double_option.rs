//! `Option<Option<T>>` fields: absent, `null` and a value read as three different things.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Writes `Some(None)` as `null` and `Some(Some(v))` as `v` (`None` is skipped by the field).
pub fn serialize<T: Serialize, S: Serializer>(
    value: &Option<Option<T>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(inner) => inner.serialize(serializer),
        None => serializer.serialize_none(),
    }
}

/// Reads a present field: `null` → `Some(None)`, a value → `Some(Some(v))`. An absent field
/// never gets here and stays `None` through `#[serde(default)]`.
pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Patch {
        #[serde(default, skip_serializing_if = "Option::is_none", with = "super")]
        tag: Option<Option<String>>,
    }

    #[test]
    fn absent_null_and_a_value_are_three_states() {
        let read = |json: &str| serde_json::from_str::<Patch>(json).map(|p| p.tag).ok();
        assert_eq!(read("{}"), Some(None));
        assert_eq!(read(r#"{"tag": null}"#), Some(Some(None)));
        assert_eq!(read(r#"{"tag": "x"}"#), Some(Some(Some("x".to_owned()))));
        let write = |tag| serde_json::to_string(&Patch { tag }).unwrap_or_default();
        assert_eq!(write(None), "{}");
        assert_eq!(write(Some(None)), r#"{"tag":null}"#);
    }
}
