//! Storage: one database, SQLite or PostgreSQL as `DATABASE_URL` says at run time, its
//! migrations, and the statements every resource table shares.
//!
//! Items are written as JSON objects ([`Record`]) and read back as the repository's model
//! (or a `Record`), so one set of statements serves every resource: scalar fields live in
//! typed columns, nested values in JSON columns. Every value reaches the database as a
//! bound parameter; the only text spliced into SQL is table and column names from the
//! spec, always quoted.
//!
//! One file per job, the shared vocabulary (records, dialects, errors) here:
//!
//! - `database.rs`: connecting, pool settings, write turns and shutdown;
//! - `leases.rs`: SQLite connections kept out of the pool between store calls;
//! - `migrate.rs`: the project's migrations, applied at start-up;
//! - `table.rs`: how a table stores a resource, the SQL built from it, rows read back;
//! - `query.rs`: what a call names: a [`Key`], a [`Scope`], a list's [`ListQuery`];
//! - `listing.rs`: a [`Page`] of a list and the body the spec wraps it in;
//! - `binder.rs`: values bound as parameters, and their placeholders;
//! - `nul_safe.rs`: text with NUL on PostgreSQL;
//! - `items.rs`: the calls repositories make: fetch, insert, replace, patch, delete, list;
//! - `patch.rs`: JSON merge patch;
//! - `select.rs`: custom reads with typed conditions ([`Select`]), built by sea-query;
//! - `transaction.rs`: the server's own writes: [`Database::update`] of an item in plain
//!   Rust, and [`Transaction`]s over several calls.

mod binder;
mod database;
mod items;
mod leases;
mod listing;
mod migrate;
#[cfg(test)]
mod mysql_tests;
mod nul_safe;
#[cfg(test)]
mod ownership_tests;
mod patch;
#[cfg(test)]
mod postgres_tests;
mod query;
mod select;
mod table;
#[cfg(test)]
mod test_support;
mod transaction;

pub use database::{DEFAULT_DATABASE_URL, Database, PoolSettings, WriteTurn, default_max_writers};
pub use listing::{ListShape, Listing, Page};
pub use migrate::Migrations;
pub use patch::merge_patch;
pub use query::{Key, ListQuery, Scope};
pub use select::{Field, Filter, Order, Select};
pub use table::{
    Column, ColumnKind, Fill, FillValue, KeyColumn, KeyKind, OWNER_COLUMN, OwnerColumn, Parent,
    Statements, Table,
};
pub use transaction::Transaction;

use super::problem::Problem;
use axum::http::StatusCode;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::fmt;

/// An item as stored: its fields by wire name.
pub type Record = Map<String, Value>;

/// The SQL dialect of the connected database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
    /// MySQL's dialect, as MariaDB (10.5 or later) speaks it: each connection sets
    /// `ANSI_QUOTES`, so identifiers are quoted as on the others.
    MySql,
}

impl Dialect {
    /// A slot per dialect, for what is cached per dialect.
    pub(super) const fn index(self) -> usize {
        match self {
            Dialect::Sqlite => 0,
            Dialect::Postgres => 1,
            Dialect::MySql => 2,
        }
    }
}

/// A record as `T`. (Reads return models directly; this serves repositories that hold
/// records, as they were scaffolded before.)
pub fn typed<T: DeserializeOwned>(record: Record) -> Result<T, StoreError> {
    serde_json::from_value(Value::Object(record))
        .map_err(|error| StoreError::Corrupt(error.to_string()))
}

/// A value specgen wrote into a scaffold service for a required field the server cannot
/// know (a create request may leave it out and the spec gives no default): the spec's
/// example, standing in until you decide what to store. Each field is logged once, as a
/// warning, so a placeholder never passes for real data unnoticed.
pub fn placeholder(field: &'static str, json: &str) -> Value {
    static WARNED: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());
    if let Ok(mut warned) = WARNED.lock()
        && !warned.contains(&field)
    {
        warned.push(field);
        tracing::warn!(
            field,
            "a stored field holds specgen's placeholder: decide its value in the service"
        );
    }
    serde_json::from_str(json).unwrap_or(Value::Null)
}

/// [`placeholder`] as the field's type: for a service's `New<Item>Row`. A spec example
/// that does not fit the type (specgen checks them against their schema) is a 500 naming
/// the field.
pub fn placeholder_as<T: DeserializeOwned>(field: &'static str, json: &str) -> Result<T, Problem> {
    serde_json::from_value(placeholder(field, json)).map_err(|error| {
        Problem::internal(format!(
            "specgen's placeholder for `{field}` does not fit its type: {error}"
        ))
    })
}

/// What a repository stores: a body, a `New<Item>Row` or any serializable value, as the
/// record the store's calls take. Not an object: [`StoreError::Corrupt`].
pub fn to_record<T: Serialize + ?Sized>(value: &T) -> Result<Record, StoreError> {
    match serde_json::to_value(value) {
        Ok(Value::Object(record)) => Ok(record),
        Ok(other) => Err(StoreError::Corrupt(format!(
            "only an object can be stored, not {}",
            match other {
                Value::Array(_) => "an array",
                Value::String(_) => "a string",
                Value::Number(_) => "a number",
                Value::Bool(_) => "a boolean",
                _ => "null",
            }
        ))),
        Err(error) => Err(StoreError::Corrupt(error.to_string())),
    }
}

/// A client's body as the record of an item of `table`, without the fields only the server
/// sets (`readOnly`): for a `New<Item>Row`, which adds the server's own values after.
pub fn client_record<T: Serialize + ?Sized>(table: &Table, body: &T) -> Result<Record, StoreError> {
    let mut record = to_record(body)?;
    table.drop_read_only(&mut record);
    Ok(record)
}

/// Sets `field` to the server's `value` unless the record holds one (a client's, for a
/// field it may write).
pub fn decide<T: Serialize + ?Sized>(
    record: &mut Record,
    field: &str,
    value: &T,
) -> Result<(), StoreError> {
    if record.get(field).is_none_or(Value::is_null) {
        let value =
            serde_json::to_value(value).map_err(|error| StoreError::Corrupt(error.to_string()))?;
        record.insert(field.to_owned(), value);
    }
    Ok(())
}

/// A request body as a record.
pub fn record_of<T: Serialize>(value: &T) -> Result<Record, Problem> {
    match serde_json::to_value(value) {
        Ok(Value::Object(record)) => Ok(record),
        Ok(_) => Err(Problem::internal(
            "a body that is not an object cannot be stored",
        )),
        Err(error) => Err(Problem::internal(error)),
    }
}

/// Why a storage call failed.
#[derive(Debug)]
pub enum StoreError {
    /// The database refused or could not be reached.
    Database(sqlx::Error),
    /// A write would break a uniqueness rule (the identifier is taken).
    Conflict(String),
    /// A stored item no longer fits its type (the spec changed under old data).
    Corrupt(String),
    /// The item a nested collection belongs to does not exist.
    ParentNotFound,
    /// A field refers to an item that does not exist (`x-specgen-references`); the field
    /// and the table when the database says which.
    Dangling {
        field: Option<&'static str>,
        target: Option<&'static str>,
    },
    /// A required field nobody set: the request may leave it out, the spec gives no
    /// default, and the service did not decide (see [`placeholder`]).
    Missing(&'static str),
    /// A custom read names a column its table does not have, or a test the column cannot
    /// take (a programming error, reported as such).
    Query(String),
    /// A value fits the item's schema but not its column (a date before year 1 on
    /// PostgreSQL): the request is refused, the database left as it was.
    Unstorable(String),
    /// `DATABASE_URL` or a pool setting is wrong.
    Config(String),
    Migrate(sqlx::migrate::MigrateError),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Database(error) => write!(f, "database error: {error}"),
            StoreError::Conflict(detail) => write!(f, "conflict: {detail}"),
            StoreError::Corrupt(detail) => write!(f, "stored data does not fit its type: {detail}"),
            StoreError::ParentNotFound => f.write_str("the enclosing item does not exist"),
            StoreError::Dangling { field, target } => write!(
                f,
                "`{}` refers to no item of `{}`",
                field.unwrap_or("a field"),
                target.unwrap_or("the table it refers to")
            ),
            StoreError::Unstorable(detail) => write!(f, "a value cannot be stored: {detail}"),
            StoreError::Query(detail) => write!(f, "invalid query: {detail}"),
            StoreError::Missing(field) => write!(
                f,
                "`{field}` is required but nothing set it: the service must decide its value"
            ),
            StoreError::Config(detail) => write!(f, "database configuration: {detail}"),
            StoreError::Migrate(error) => write!(f, "migration failed: {error}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict("an item with this identifier already exists".to_owned())
            }
            _ => StoreError::Database(error),
        }
    }
}

impl From<StoreError> for Problem {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict(detail) => Problem::new(StatusCode::CONFLICT).with_detail(detail),
            StoreError::ParentNotFound => {
                Problem::not_found().with_detail("the enclosing item does not exist")
            }
            StoreError::Dangling { field, target } => {
                let detail = format!(
                    "refers to no item of `{}`",
                    target.unwrap_or("the resource it names")
                );
                let pointer = field.map_or_else(|| "/body".to_owned(), |f| format!("/body/{f}"));
                // 409, not 422: the body is valid, and the same request succeeds once the
                // item it names exists; it is the server's state that refuses it.
                Problem::invalid_values(409, vec![crate::problem::FieldError::new(pointer, detail)])
            }
            StoreError::Unstorable(detail) => Problem::new(StatusCode::BAD_REQUEST)
                .with_detail(format!("a value cannot be stored: {detail}")),
            StoreError::Database(sqlx::Error::PoolTimedOut) => {
                tracing::warn!("database pool exhausted");
                Problem::new(StatusCode::SERVICE_UNAVAILABLE)
                    .with_detail("the database is busy; try again")
            }
            other => Problem::internal(other),
        }
    }
}
