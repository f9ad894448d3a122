//! What a store call names: an item's [`Key`], the [`Scope`] of enclosing items it lives
//! in, and for a list, the paging, filters and order the request asked for ([`ListQuery`]).

use crate::context::{Principal, RequestContext};
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

/// Which items a call may see: those under the enclosing items (a nested resource's
/// parent keys, outermost first; none at the top) that the caller may see.
///
/// [`Scope::root`] and [`Scope::of`] see every item, for public operations and the
/// server's own code. [`Scope::seen_by`] narrows a scope to a request's caller: in a table
/// with an owner ([`Table::owner`](super::Table)) only the caller's own items are found,
/// unless the caller is an administrator, and an item the caller creates is recorded as
/// theirs. Nested items follow their enclosing item: a call under an item the caller may
/// not see finds nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    pub(super) parents: Vec<Key>,
    pub(super) viewer: Viewer,
}

/// Who a scope sees items for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) enum Viewer {
    /// Every item; new items have no owner.
    #[default]
    Everyone,
    /// An authenticated caller.
    Caller(Owner),
    /// A request without a principal where one was required: no owned item.
    Nobody,
}

/// The caller a scope is narrowed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Owner {
    /// The principal's subject, for an owner kept in one of the item's fields.
    pub(super) subject: String,
    /// The subject qualified by the kind of credential (`token:alice`), for the hidden
    /// owner column: an API key named `alice` is not the user `alice`.
    pub(super) qualified: String,
    /// Sees and manages every item ([`Principal::admin`]).
    pub(super) admin: bool,
}

impl Scope {
    /// The top level: no enclosing items; every item.
    pub fn root() -> Self {
        Self::default()
    }

    /// Under the enclosing items with these keys, outermost first; every item.
    pub fn of(keys: impl IntoIterator<Item = Key>) -> Self {
        Self {
            parents: keys.into_iter().collect(),
            viewer: Viewer::Everyone,
        }
    }

    /// The same items, as the request's caller may see them: their own in a table with an
    /// owner (every item for an administrator), and nothing owned when the request has no
    /// principal.
    pub fn seen_by(self, context: &RequestContext) -> Self {
        self.seen_by_principal(context.principal.as_ref())
    }

    /// [`Scope::seen_by`] for a principal (`None`: an anonymous caller, who sees no owned
    /// item).
    pub fn seen_by_principal(self, principal: Option<&Principal>) -> Self {
        let viewer = match principal {
            Some(principal) => Viewer::Caller(Owner {
                subject: principal.subject.clone(),
                qualified: principal.owner_id(),
                admin: principal.admin,
            }),
            None => Viewer::Nobody,
        };
        Self { viewer, ..self }
    }

    /// The enclosing items' keys, outermost first.
    pub fn parents(&self) -> &[Key] {
        &self.parents
    }

    /// Whether the scope finds only some callers' items (it was narrowed to a caller who
    /// is not an administrator).
    pub fn is_narrowed(&self) -> bool {
        match &self.viewer {
            Viewer::Everyone => false,
            Viewer::Caller(owner) => !owner.admin,
            Viewer::Nobody => true,
        }
    }

    /// The same enclosing items, every item in them.
    pub(super) fn seeing_everyone(self) -> Self {
        Self {
            viewer: Viewer::Everyone,
            ..self
        }
    }

    /// The scope of the enclosing item: its parents, the same viewer.
    pub(super) fn outer(&self) -> Option<(&Key, Scope)> {
        let (key, outer) = self.parents.split_last()?;
        Some((
            key,
            Scope {
                parents: outer.to_vec(),
                viewer: self.viewer.clone(),
            },
        ))
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
