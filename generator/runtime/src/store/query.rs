//! What a store call names: an item's [`Key`], the [`Scope`] of enclosing items it lives
//! in, and for a list, the paging, filters and order the request asked for ([`ListQuery`]).

use serde::Serialize;
use serde_json::Value;
use std::fmt;

/// An item's identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    Integer(i64),
    Text(String),
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Integer(value) => write!(f, "{value}"),
            Key::Text(value) => f.write_str(value),
        }
    }
}

macro_rules! integer_keys {
    ($($ty:ty),*) => {$(
        impl From<$ty> for Key {
            fn from(value: $ty) -> Self {
                Key::Integer(i64::try_from(value).unwrap_or(i64::MAX))
            }
        }
    )*};
}
integer_keys!(i32, i64, u32, u64);

impl From<String> for Key {
    fn from(value: String) -> Self {
        Key::Text(value)
    }
}

impl From<&str> for Key {
    fn from(value: &str) -> Self {
        Key::Text(value.to_owned())
    }
}

impl From<uuid::Uuid> for Key {
    fn from(value: uuid::Uuid) -> Self {
        Key::Text(value.to_string())
    }
}

/// The keys of the items enclosing a nested resource, outermost first (empty at the top).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope(pub Vec<Key>);

impl Scope {
    /// The top level: no enclosing items.
    pub fn root() -> Self {
        Self(Vec::new())
    }

    pub fn of(keys: impl IntoIterator<Item = Key>) -> Self {
        Self(keys.into_iter().collect())
    }
}

/// What a list asks for: paging, filters and order, as the request gave them.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub(super) limit: Option<i64>,
    pub(super) offset: Option<i64>,
    pub(super) page: Option<i64>,
    pub(super) cursor: Option<String>,
    pub(super) sort: Option<String>,
    pub(super) descending: Option<bool>,
    pub(super) filters: Vec<(&'static str, Value)>,
}

fn as_i64(value: impl Serialize) -> Option<i64> {
    match serde_json::to_value(value).ok()? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn as_text(value: impl Serialize) -> Option<String> {
    match serde_json::to_value(value).ok()? {
        Value::String(s) => Some(s),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

impl ListQuery {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn limit(mut self, value: impl Serialize) -> Self {
        self.limit = as_i64(value);
        self
    }

    pub fn offset(mut self, value: impl Serialize) -> Self {
        self.offset = as_i64(value);
        self
    }

    pub fn page(mut self, value: impl Serialize) -> Self {
        self.page = as_i64(value);
        self
    }

    /// An opaque cursor this server issued (the offset of the next page).
    pub fn cursor(mut self, value: impl Serialize) -> Self {
        self.cursor = as_text(value);
        self
    }

    /// `name`, `-name`, `+name`, `name:desc` or `name desc`; the first key of a list.
    pub fn sort(mut self, value: impl Serialize) -> Self {
        self.sort = as_text(value);
        self
    }

    /// `asc` or `desc`.
    pub fn direction(mut self, value: impl Serialize) -> Self {
        self.descending = as_text(value)
            .map(|d| d.eq_ignore_ascii_case("desc") || d.eq_ignore_ascii_case("descending"));
        self
    }

    /// Only items whose `column` equals `value` (no filter when `value` is `null`).
    pub fn filter(mut self, column: &'static str, value: impl Serialize) -> Self {
        if let Ok(value) = serde_json::to_value(value)
            && !value.is_null()
        {
            self.filters.push((column, value));
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_print_as_they_are_sent() {
        assert_eq!(Key::from(42i64).to_string(), "42");
        assert_eq!(Key::from("abc").to_string(), "abc");
    }
}
