//! The wire format of parameters: how a sample value is written into a path, a query
//! string, a header or a cookie in each OpenAPI style. The tests build their request URLs
//! with it; the runtime's `params.rs` reads the same format back.

use serde_json::Value;

use crate::ir::{Param, ParamStyle};

/// A parameter's sample as it appears in a URL or header.
pub(super) fn param_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub(super) fn encode_component(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// The text of a scalar, the items of an array, the scalar fields of an object.
fn items_of(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().map(param_text).collect(),
        other => vec![param_text(other)],
    }
}

fn fields_of(value: &Value) -> Option<Vec<(String, String)>> {
    value.as_object().map(|object| {
        object
            .iter()
            .filter(|(_, v)| !v.is_object() && !v.is_array())
            .map(|(k, v)| (k.clone(), param_text(v)))
            .collect()
    })
}

/// `simple` style: `a,b,c`, `k,v,k,v` or (exploded) `k=v,k=v`; `encode` percent-encodes
/// each piece for use in a path.
pub(super) fn encode_simple(param: &Param, value: &Value, encode: bool) -> String {
    let piece = |text: &str| {
        if encode {
            encode_component(text)
        } else {
            text.to_owned()
        }
    };
    if param.style == ParamStyle::Json {
        return piece(&value.to_string());
    }
    match fields_of(value) {
        Some(fields) if param.explode => fields
            .iter()
            .map(|(k, v)| format!("{}={}", piece(k), piece(v)))
            .collect::<Vec<_>>()
            .join(","),
        Some(fields) => fields
            .iter()
            .flat_map(|(k, v)| [piece(k), piece(v)])
            .collect::<Vec<_>>()
            .join(","),
        None => items_of(value)
            .iter()
            .map(|item| piece(item))
            .collect::<Vec<_>>()
            .join(","),
    }
}

/// A path parameter's sample in its style (`simple`, `label` or `matrix`).
pub(super) fn encode_path_param(param: &Param, value: &Value) -> String {
    let name = encode_component(&param.wire_name);
    let fields = fields_of(value);
    let items: Vec<String> = items_of(value)
        .iter()
        .map(|i| encode_component(i))
        .collect();
    match param.style {
        ParamStyle::Label => match fields {
            Some(fields) if param.explode => {
                format!(
                    ".{}",
                    fields
                        .iter()
                        .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v)))
                        .collect::<Vec<_>>()
                        .join(".")
                )
            }
            Some(fields) => format!(
                ".{}",
                fields
                    .iter()
                    .flat_map(|(k, v)| [encode_component(k), encode_component(v)])
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            None => format!(".{}", items.join(if param.explode { "." } else { "," })),
        },
        ParamStyle::Matrix => match fields {
            Some(fields) if param.explode => fields
                .iter()
                .map(|(k, v)| format!(";{}={}", encode_component(k), encode_component(v)))
                .collect::<String>(),
            Some(fields) => {
                format!(
                    ";{name}={}",
                    fields
                        .iter()
                        .flat_map(|(k, v)| [encode_component(k), encode_component(v)])
                        .collect::<Vec<_>>()
                        .join(",")
                )
            }
            None if param.explode => items
                .iter()
                .map(|item| format!(";{name}={item}"))
                .collect::<String>(),
            None => format!(";{name}={}", items.join(",")),
        },
        _ => encode_simple(param, value, true),
    }
}

/// `deepObject` keys: `name[a][b]=v`, array items as repeated keys.
fn deep_object_pairs(prefix: &str, value: &Value, pairs: &mut Vec<(String, String)>) {
    match value {
        Value::Object(object) => {
            for (key, inner) in object {
                deep_object_pairs(&format!("{prefix}[{key}]"), inner, pairs);
            }
        }
        Value::Array(items) => {
            for item in items.iter().filter(|i| !i.is_object() && !i.is_array()) {
                pairs.push((prefix.to_owned(), param_text(item)));
            }
        }
        other => pairs.push((prefix.to_owned(), param_text(other))),
    }
}

/// A query parameter's sample as (key, value) pairs, in its style.
pub(super) fn encode_query_param(param: &Param, value: &Value) -> Vec<(String, String)> {
    let name = param.wire_name.clone();
    if param.style == ParamStyle::Json {
        return vec![(name, value.to_string())];
    }
    if param.style == ParamStyle::DeepObject && value.is_object() {
        let mut pairs = Vec::new();
        deep_object_pairs(&name, value, &mut pairs);
        return pairs;
    }
    if let Some(fields) = fields_of(value) {
        return match param.style {
            _ if param.explode => fields,
            _ => vec![(
                name,
                fields
                    .iter()
                    .flat_map(|(k, v)| [k.clone(), v.clone()])
                    .collect::<Vec<_>>()
                    .join(","),
            )],
        };
    }
    let items = items_of(value);
    match param.style {
        ParamStyle::SpaceDelimited => vec![(name, items.join(" "))],
        ParamStyle::PipeDelimited => vec![(name, items.join("|"))],
        _ if param.explode => items.into_iter().map(|item| (name.clone(), item)).collect(),
        _ => vec![(name, items.join(","))],
    }
}
