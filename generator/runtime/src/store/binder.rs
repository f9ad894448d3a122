//! Values on their way into a statement: each is bound as a parameter, never spliced into
//! the SQL, as the column's type and the dialect want it, and its placeholder written.

use super::nul_safe;
use super::{ColumnKind, Dialect, Key, StoreError};
use serde_json::Value;
use sqlx::Arguments;
use sqlx::any::AnyArguments;

/// A value bound to a statement.
#[derive(Debug, Clone)]
pub(super) enum Bound {
    Null(ColumnKind),
    Bool(bool),
    Integer(i64),
    Real(f64),
    Text(String),
}

impl Bound {
    pub(super) fn of(kind: ColumnKind, value: Option<&Value>) -> Self {
        let Some(value) = value.filter(|v| !v.is_null()) else {
            return Bound::Null(kind);
        };
        match kind {
            ColumnKind::Json => Bound::Text(value.to_string()),
            ColumnKind::Boolean => value.as_bool().map_or(Bound::Null(kind), Bound::Bool),
            ColumnKind::Integer => match value.as_i64() {
                Some(i) => Bound::Integer(i),
                None => value
                    .as_f64()
                    .map_or(Bound::Null(kind), |f| Bound::Integer(f as i64)),
            },
            ColumnKind::Real => value.as_f64().map_or(Bound::Null(kind), Bound::Real),
            ColumnKind::Text => match value {
                Value::String(s) => Bound::Text(s.clone()),
                other => Bound::Text(other.to_string()),
            },
            ColumnKind::Timestamp | ColumnKind::Date | ColumnKind::Uuid => match value {
                Value::String(s) => Self::checked_text(s, kind),
                _ => Bound::Null(kind),
            },
        }
    }

    /// Text for a date, time or UUID column when it is one, else a null: PostgreSQL would
    /// refuse the statement, and a null matches nothing (a filter or key that cannot be in
    /// the column finds no item) while the models written never hold such text. A time is
    /// written in UTC with microseconds (`2024-05-01T10:30:00.000000Z`), the text SQLite
    /// keeps, so that its text order is time order and comparisons hold across offsets.
    fn checked_text(text: &str, kind: ColumnKind) -> Self {
        match kind {
            ColumnKind::Uuid if uuid::Uuid::try_parse(text).is_err() => Bound::Null(kind),
            ColumnKind::Date if chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_err() => {
                Bound::Null(kind)
            }
            ColumnKind::Timestamp => match chrono::DateTime::parse_from_rfc3339(text) {
                Ok(time) => Bound::Text(
                    time.with_timezone(&chrono::Utc)
                        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                ),
                Err(_) => Bound::Null(kind),
            },
            _ => Bound::Text(text.to_owned()),
        }
    }

    /// A key as a column of `kind` stores it; one that cannot be in such a column (text
    /// for an integer column) as a null, which matches nothing.
    pub(super) fn key_as(key: &Key, kind: ColumnKind) -> Self {
        match (kind, key) {
            (ColumnKind::Integer, Key::Integer(i)) => Bound::Integer(*i),
            (ColumnKind::Integer, Key::Text(text)) => text
                .parse()
                .map_or(Bound::Null(ColumnKind::Integer), Bound::Integer),
            (_, Key::Integer(i)) => Self::checked_text(&i.to_string(), kind),
            (_, Key::Text(text)) => Self::checked_text(text, kind),
        }
    }
}

/// A time as MySQL's `DATETIME(6)` takes it, from the UTC text [`Bound::of`] writes
/// (`2024-05-01T10:30:00.000000Z` → `2024-05-01 10:30:00.000000`): it refuses an offset
/// or a `T`, and the column holds UTC.
pub(super) fn mysql_time(text: &str) -> String {
    text.strip_suffix('Z').unwrap_or(text).replacen('T', " ", 1)
}

/// Collects bound values and writes their placeholders.
pub(super) struct Binder {
    pub(super) dialect: Dialect,
    pub(super) values: Vec<Bound>,
}

impl Binder {
    pub(super) fn new(dialect: Dialect) -> Self {
        Self {
            dialect,
            values: Vec::new(),
        }
    }

    /// The placeholder for a new value, cast for JSON columns on PostgreSQL.
    pub(super) fn push(&mut self, value: Bound, kind: ColumnKind) -> String {
        self.bind(value, kind);
        Self::placeholder(self.dialect, self.values.len(), kind)
    }

    /// The placeholder of the `position`th value bound (from 1), as [`Self::push`] writes
    /// it: for statements whose text is built once and cached.
    pub(super) fn placeholder(dialect: Dialect, position: usize, kind: ColumnKind) -> String {
        match (dialect, kind) {
            (Dialect::Sqlite | Dialect::MySql, _) => "?".to_owned(),
            (Dialect::Postgres, ColumnKind::Json) => format!("${position}::jsonb"),
            (Dialect::Postgres, ColumnKind::Timestamp) => format!("${position}::timestamptz"),
            (Dialect::Postgres, ColumnKind::Date) => format!("${position}::date"),
            (Dialect::Postgres, ColumnKind::Uuid) => format!("${position}::uuid"),
            (Dialect::Postgres, _) => format!("${position}"),
        }
    }

    /// Adds a value without writing its placeholder, for a statement whose text is cached.
    pub(super) fn bind(&mut self, value: Bound, kind: ColumnKind) {
        let value = match value {
            Bound::Text(text) if self.dialect == Dialect::Postgres && kind != ColumnKind::Json => {
                Bound::Text(nul_safe::encode(&text).into_owned())
            }
            Bound::Text(text)
                if self.dialect == Dialect::MySql && kind == ColumnKind::Timestamp =>
            {
                Bound::Text(mysql_time(&text))
            }
            other => other,
        };
        self.values.push(value);
    }

    /// The placeholder for a field's value, stored as `kind`.
    pub(super) fn push_value(&mut self, kind: ColumnKind, value: Option<&Value>) -> String {
        self.bind_value(kind, value);
        Self::placeholder(self.dialect, self.values.len(), kind)
    }

    /// Adds a field's value, stored as `kind`, without writing its placeholder.
    pub(super) fn bind_value(&mut self, kind: ColumnKind, value: Option<&Value>) {
        if self.dialect == Dialect::Postgres
            && kind == ColumnKind::Json
            && let Some(value) = value
            && nul_safe::needed_in(value)
        {
            let mut value = value.clone();
            nul_safe::map_strings(&mut value, nul_safe::encode);
            return self.bind(Bound::of(kind, Some(&value)), kind);
        }
        self.bind(Bound::of(kind, value), kind)
    }

    pub(super) fn arguments(self) -> Result<AnyArguments, StoreError> {
        let mut arguments = AnyArguments::default();
        for value in self.values {
            let added = match value {
                Bound::Null(ColumnKind::Boolean) => arguments.add(None::<bool>),
                Bound::Null(ColumnKind::Integer) => arguments.add(None::<i64>),
                // A float8 null, like the values the column takes: a null of another type
                // would fix the cached statement's parameter type, and the next value
                // would be refused. (sqlx 0.9.0 swapped the two float nulls; 0.9.1, which
                // the manifest asks for, sends them as they are.)
                Bound::Null(ColumnKind::Real) => arguments.add(None::<f64>),
                Bound::Null(_) => arguments.add(None::<String>),
                Bound::Bool(b) => arguments.add(b),
                Bound::Integer(i) => arguments.add(i),
                Bound::Real(f) => arguments.add(f),
                Bound::Text(s) => arguments.add(s),
            };
            added.map_err(|error| StoreError::Database(sqlx::Error::Encode(error)))?;
        }
        Ok(arguments)
    }
}
