//! PostgreSQL text cannot hold NUL (U+0000), which JSON strings may. On PostgreSQL, text is
//! stored with NUL written as U+E000 `0` and U+E000 itself doubled, and read back the same.

use serde_json::Value;
use std::borrow::Cow;

pub const ESCAPE: char = '\u{E000}';

pub fn encode(text: &str) -> Cow<'_, str> {
    if !text.contains(['\0', ESCAPE]) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        match c {
            '\0' => {
                out.push(ESCAPE);
                out.push('0');
            }
            ESCAPE => {
                out.push(ESCAPE);
                out.push(ESCAPE);
            }
            other => out.push(other),
        }
    }
    Cow::Owned(out)
}

pub fn decode(text: &str) -> Cow<'_, str> {
    if !text.contains(ESCAPE) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != ESCAPE {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('0') => out.push('\0'),
            Some(ESCAPE) | None => out.push(ESCAPE),
            Some(other) => {
                out.push(ESCAPE);
                out.push(other);
            }
        }
    }
    Cow::Owned(out)
}

/// Whether a JSON value holds a string (or key) that needs encoding.
pub fn needed_in(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains(['\0', ESCAPE]),
        Value::Array(items) => items.iter().any(needed_in),
        Value::Object(map) => map
            .iter()
            .any(|(k, v)| k.contains(['\0', ESCAPE]) || needed_in(v)),
        _ => false,
    }
}

pub fn map_strings(value: &mut Value, f: fn(&str) -> Cow<'_, str>) {
    match value {
        Value::String(s) => {
            if let Cow::Owned(mapped) = f(s) {
                *s = mapped;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| map_strings(v, f)),
        Value::Object(map) => {
            let entries = std::mem::take(map);
            for (key, mut v) in entries {
                map_strings(&mut v, f);
                map.insert(f(&key).into_owned(), v);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_with_nul_and_the_escape_round_trips_without_nul() {
        for text in [
            "plain",
            "a\0b",
            "\u{E000}",
            "\u{E000}0",
            "\0\0\u{E000}\u{E000}",
        ] {
            let encoded = encode(text);
            assert!(!encoded.contains('\0'), "{encoded:?}");
            assert_eq!(decode(&encoded), text);
        }
    }
}
