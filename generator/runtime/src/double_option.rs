//! `Option<Option<T>>` fields: absent, `null` and a value read as three different things;
//! and optional fields that may not be `null`.

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

/// Reads a present field that may be left out but not `null` (optional, not nullable):
/// `null` is refused like any other value of the wrong type. An absent field stays `None`
/// through `#[serde(default)]`.
pub fn present<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Patch {
        #[serde(default, skip_serializing_if = "Option::is_none", with = "super")]
        tag: Option<Option<String>>,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Optional {
        #[serde(default, deserialize_with = "super::present")]
        tag: Option<String>,
    }

    #[test]
    fn an_optional_field_that_is_not_nullable_may_be_absent_but_not_null() {
        let read = |json: &str| serde_json::from_str::<Optional>(json).map(|o| o.tag);
        assert_eq!(read("{}").ok(), Some(None));
        assert_eq!(read(r#"{"tag": "x"}"#).ok(), Some(Some("x".to_owned())));
        assert!(read(r#"{"tag": null}"#).is_err());
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
