//! How a table stores one resource ([`Table`], generated per resource), and everything
//! derived from it alone: quoted names, the SQL text of its statements, the conditions that
//! single out an item, the server's fills, and a row decoded back into an item.

use super::binder::{Binder, Bound};
use super::nul_safe;
use super::query::Viewer;
use super::{Dialect, Key, Record, Scope, StoreError};
use crate::date_time;
use serde::de::DeserializeOwned;
use serde::de::value::MapDeserializer;
use serde_json::Value;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::sync::{Arc, OnceLock};

/// How a table stores one resource.
#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    pub key: KeyColumn,
    /// Where the keys of the enclosing items are kept, outermost first.
    pub parents: &'static [Parent],
    /// The table of the enclosing items, when they are a resource too: an item of this
    /// table exists only while its enclosing item does.
    pub parent: Option<&'static Table>,
    pub columns: &'static [Column],
    /// Values the server writes into required fields a write left empty.
    pub fills: &'static [Fill],
    /// Fields only the server sets (`readOnly`): dropped from what a client sends.
    pub read_only: &'static [&'static str],
    /// The column that records who an item belongs to; `None` for a resource every caller
    /// shares (and for nested items, which follow their enclosing item's owner). A scope
    /// narrowed to a caller ([`Scope::seen_by`]) finds only the caller's items.
    pub owner: Option<OwnerColumn>,
    /// Lists follow creation order through a sequence (PostgreSQL's `_seq` column,
    /// SQLite's `rowid`) rather than the key: keys not assigned in that order.
    pub sequence: bool,
    /// Statement texts made on first use: `Statements::new()`.
    pub statements: Statements,
}

/// The column that records an item's owner.
#[derive(Debug)]
pub struct OwnerColumn {
    pub column: &'static str,
    /// The item field the column is (`x-specgen-owner: author_id`), which holds the
    /// creator's subject: set by the server on create, kept on every later write, whatever
    /// a body says. `None` for the hidden column, which holds `<kind>:<subject>`
    /// ([`Principal::owner_id`](crate::Principal::owner_id)).
    pub field: Option<&'static str>,
}

/// The hidden owner column's name.
pub const OWNER_COLUMN: &str = "_owner";

/// Where an enclosing item's key is kept.
#[derive(Debug)]
pub struct Parent {
    pub column: &'static str,
    /// Stored like the enclosing table's key.
    pub kind: ColumnKind,
    /// The item field the column holds (`project_id`), which always equals the path's
    /// key; `None` when the column is not one of the item's fields.
    pub field: Option<&'static str>,
}

/// The texts of the statements a table reuses as they are: they depend only on the table
/// and the dialect, and building one for each read cost about as much as decoding the row
/// it reads.
#[derive(Debug)]
pub struct Statements {
    /// `SELECT` of one item, by dialect and by whether the owner is compared.
    fetch: [OnceLock<Arc<str>>; 6],
    /// `INSERT ... RETURNING` of one item, by dialect and by whether the key is given.
    insert: [OnceLock<Arc<str>>; 6],
}

impl Statements {
    pub const fn new() -> Self {
        Self {
            fetch: [const { OnceLock::new() }; 6],
            insert: [const { OnceLock::new() }; 6],
        }
    }
}

impl Default for Statements {
    fn default() -> Self {
        Self::new()
    }
}

#[derive(Debug)]
pub struct KeyColumn {
    pub field: &'static str,
    pub column: &'static str,
    pub kind: KeyKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// Assigned by the database.
    Integer,
    /// A random UUID.
    Uuid,
    /// Chosen by the client, or a random UUID.
    Text,
}

#[derive(Debug)]
pub struct Column {
    pub field: &'static str,
    pub name: &'static str,
    pub kind: ColumnKind,
    /// Written as `null` in the item rather than left out.
    pub required: bool,
    /// Has a unique index, `<table>_<column>_key`: a write that repeats a stored value is
    /// a conflict naming the field.
    pub unique: bool,
    /// The table whose items' keys the column holds (`x-specgen-references`): a write
    /// naming no such item is refused, naming the field.
    pub references: Option<&'static str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Text,
    Integer,
    Real,
    Boolean,
    /// RFC 3339 text on SQLite, `timestamptz` on PostgreSQL.
    Timestamp,
    /// `YYYY-MM-DD` text on SQLite, `date` on PostgreSQL.
    Date,
    /// Text on SQLite, `uuid` on PostgreSQL.
    Uuid,
    Json,
}

impl ColumnKind {
    /// How a dialect reads the column as text (or, for MySQL's booleans, as an integer)
    /// for a select list: `None` when it is text already, or a type the Any driver decodes
    /// itself.
    fn read_as_text(self, dialect: Dialect) -> Option<(&'static str, &'static str)> {
        match (dialect, self) {
            (Dialect::Sqlite, _) => None,
            (Dialect::Postgres, ColumnKind::Json | ColumnKind::Date | ColumnKind::Uuid) => {
                Some(("", "::text"))
            }
            // RFC 3339 in UTC with microseconds, what the column holds.
            (Dialect::Postgres, ColumnKind::Timestamp) => Some((
                "to_char(",
                " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')",
            )),
            (Dialect::MySql, ColumnKind::Timestamp) => {
                Some(("DATE_FORMAT(", ", '%Y-%m-%dT%H:%i:%s.%fZ')"))
            }
            (Dialect::MySql, ColumnKind::Date | ColumnKind::Json) => Some(("CAST(", " AS CHAR)")),
            // The Any driver reads no `TINYINT`, which is what `BOOLEAN` is: read 0 or 1.
            (Dialect::MySql, ColumnKind::Boolean) => Some(("CAST(", " AS SIGNED)")),
            _ => None,
        }
    }
}

#[derive(Debug)]
pub struct Fill {
    pub field: &'static str,
    pub value: FillValue,
}

#[derive(Debug)]
pub enum FillValue {
    Now,
    /// The current time on every write, whatever the record says (`updated_at`).
    Touched,
    Today,
    Uuid,
    /// A JSON literal.
    Json(&'static str),
    /// Nothing: the service sets it. A replace that leaves it out keeps the stored value;
    /// an insert without it is refused ([`StoreError::Missing`]).
    Keep,
}

/// A constraint or index name as the migrations write it: as it is when it fits
/// PostgreSQL's 63 bytes, else cut and ended with an FNV-1a hash of the whole name. The
/// generator's `emit::migrations::sql_name` does the same (a test in each pins one result).
pub(super) fn sql_name(name: String) -> String {
    const MAX: usize = 63;
    if name.len() <= MAX {
        return name;
    }
    let hash = name.bytes().fold(0x811c_9dc5_u32, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    });
    let mut cut = MAX - 9;
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}_{hash:08x}", &name[..cut])
}

pub(super) fn quote(name: &str) -> String {
    let mut quoted = String::with_capacity(name.len() + 2);
    push_quoted(&mut quoted, name);
    quoted
}

/// Appends `name` as a quoted SQL identifier (`"a""b"` for `a"b`).
fn push_quoted(out: &mut String, name: &str) {
    out.push('"');
    for part in name.split_inclusive('"') {
        out.push_str(part);
        if part.ends_with('"') {
            out.push('"');
        }
    }
    out.push('"');
}

impl Table {
    /// The key column, then every other column, quoted; on PostgreSQL, JSON, date, time
    /// and UUID columns read as text. Built into one string: it is part of every read.
    pub(super) fn select_list(&self, dialect: Dialect) -> String {
        let mut list = String::with_capacity(24 * (self.columns.len() + 1));
        let push =
            |list: &mut String, name: &str, kind: ColumnKind| match kind.read_as_text(dialect) {
                Some((before, after)) => {
                    list.push_str(before);
                    push_quoted(list, name);
                    list.push_str(after);
                    list.push_str(" AS ");
                    push_quoted(list, name);
                }
                None => push_quoted(list, name),
            };
        push(&mut list, self.key.column, self.key_kind());
        for column in self.columns {
            list.push_str(", ");
            push(&mut list, column.name, column.kind);
        }
        list
    }

    /// The column lists follow by default: creation order.
    pub(super) fn order_column(&self, dialect: Dialect) -> &'static str {
        match (self.sequence, dialect) {
            (false, _) => self.key.column,
            (true, Dialect::Sqlite) => "rowid",
            (true, Dialect::Postgres | Dialect::MySql) => "_seq",
        }
    }

    pub(super) fn key_bound(&self, key: &Key) -> Bound {
        Bound::key_as(key, self.key_kind())
    }

    pub(super) fn key_kind(&self) -> ColumnKind {
        match self.key.kind {
            KeyKind::Integer => ColumnKind::Integer,
            KeyKind::Uuid => ColumnKind::Uuid,
            KeyKind::Text => ColumnKind::Text,
        }
    }

    /// Writes the enclosing items' keys into the fields that hold them: whatever a body
    /// says, an item's parent key is the one its path names.
    pub(super) fn pin_parents(&self, record: &mut Record, scope: &Scope) {
        for (parent, key) in self.parents.iter().zip(&scope.parents) {
            if let Some(field) = parent.field {
                let value = match Bound::key_as(key, parent.kind) {
                    Bound::Integer(i) => Value::from(i),
                    Bound::Text(text) => Value::from(text),
                    _ => Value::Null,
                };
                record.insert(field.to_owned(), value);
            }
        }
    }

    /// Why a delete was refused: other items still belong to or refer to the item (a
    /// foreign key with `ON DELETE RESTRICT`); any other error as it is.
    pub(super) fn delete_error(&self, error: sqlx::Error) -> StoreError {
        match &error {
            sqlx::Error::Database(db) if is_foreign_key_violation(db.as_ref()) => {
                StoreError::Conflict(
                    "other items still belong to or refer to this one; delete or change them first"
                        .to_owned(),
                )
            }
            _ => self.write_error(error),
        }
    }

    /// The column a refused write's foreign key is on: named by its constraint
    /// (`<table>_<column>_fkey`, which PostgreSQL reports and MySQL's message quotes), or
    /// the only column that refers anywhere.
    fn dangling_column(&self, db: &dyn sqlx::error::DatabaseError) -> Option<&Column> {
        let constraint = db.constraint().unwrap_or_default();
        let referring = || self.columns.iter().filter(|c| c.references.is_some());
        referring()
            .find(|c| {
                let name = sql_name(format!("{}_{}_fkey", self.name, c.name));
                constraint == name || db.message().contains(&format!("`{name}`"))
            })
            .or_else(|| {
                let mut all = referring();
                match (all.next(), all.next()) {
                    (Some(only), None) => Some(only),
                    _ => None,
                }
            })
    }

    /// The conflict a refused write is about, by the unique index or foreign key it broke;
    /// any other error as it is.
    pub(super) fn write_error(&self, error: sqlx::Error) -> StoreError {
        let sqlx::Error::Database(db) = &error else {
            return StoreError::from(error);
        };
        // SQLSTATE class 22, data exception: a value the schema allows but the column
        // cannot hold (a date in year 0 on PostgreSQL).
        if db.code().is_some_and(|code| code.starts_with("22")) {
            return StoreError::Unstorable(db.message().to_owned());
        }
        if db.is_unique_violation() {
            let constraint = db.constraint().unwrap_or_default();
            let message = db.message();
            let field = self.columns.iter().filter(|c| c.unique).find(|c| {
                let index = sql_name(format!("{}_{}_key", self.name, c.name));
                constraint == index
                    || message.contains(&index)
                    || message.contains(&format!("{}.{}", self.name, c.name))
            });
            if let Some(column) = field {
                return StoreError::Conflict(format!(
                    "`{}` must be unique: another item already has this value",
                    column.field
                ));
            }
        } else if is_foreign_key_violation(db.as_ref()) {
            let column = self.dangling_column(db.as_ref());
            return StoreError::Dangling {
                field: column.map(|c| c.field),
                target: column.and_then(|c| c.references),
            };
        }
        StoreError::from(error)
    }

    /// `"key" = ? AND "parent" = ?...`
    pub(super) fn where_item(&self, binder: &mut Binder, scope: &Scope, key: &Key) -> String {
        equalities(binder, self.item_condition(scope, key)).join(" AND ")
    }

    /// Binds what [`Table::where_item`] compares, without writing the clause.
    pub(super) fn bind_item(&self, binder: &mut Binder, scope: &Scope, key: &Key) {
        for (_, value, kind) in self.item_condition(scope, key) {
            binder.bind(value, kind);
        }
    }

    /// The columns that single out an item and the values they must hold: its key, then
    /// the keys of the items enclosing it.
    fn item_condition<'a>(
        &'a self,
        scope: &'a Scope,
        key: &Key,
    ) -> impl Iterator<Item = (&'static str, Bound, ColumnKind)> + 'a {
        let own = (self.key.column, self.key_bound(key), self.key_kind());
        std::iter::once(own).chain(self.scope_condition(scope))
    }

    /// The columns holding the keys of the enclosing items and the keys they must hold,
    /// then the owner's, when the scope is narrowed to a caller.
    fn scope_condition<'a>(
        &'a self,
        scope: &'a Scope,
    ) -> impl Iterator<Item = (&'static str, Bound, ColumnKind)> + 'a {
        self.parents
            .iter()
            .zip(&scope.parents)
            .map(|(parent, key)| (parent.column, Bound::key_as(key, parent.kind), parent.kind))
            .chain(self.owner_condition(scope))
    }

    /// The owner column and the value it must hold for `scope`: the caller's, or a null
    /// (which matches nothing) for a caller without a principal; `None` when the table
    /// has no owner or the scope sees every item.
    pub(super) fn owner_condition(
        &self,
        scope: &Scope,
    ) -> Option<(&'static str, Bound, ColumnKind)> {
        let owner = self.owner.as_ref()?;
        let value = match &scope.viewer {
            Viewer::Everyone => return None,
            Viewer::Caller(caller) if caller.admin => return None,
            Viewer::Caller(caller) => Bound::Text(match owner.field {
                Some(_) => caller.subject.clone(),
                None => caller.qualified.clone(),
            }),
            Viewer::Nobody => Bound::Null(ColumnKind::Text),
        };
        Some((owner.column, value, ColumnKind::Text))
    }

    /// What an item created in `scope` records as its owner in the hidden column: the
    /// caller (an administrator too), else nobody.
    pub(super) fn hidden_owner_value(&self, scope: &Scope) -> Option<Bound> {
        self.owner.as_ref().filter(|owner| owner.field.is_none())?;
        Some(match &scope.viewer {
            Viewer::Caller(caller) => Bound::Text(caller.qualified.clone()),
            Viewer::Everyone | Viewer::Nobody => Bound::Null(ColumnKind::Text),
        })
    }

    /// Binds a new item to its creator: the owner field (`x-specgen-owner: author_id`)
    /// holds the caller's subject, whatever the body said. A scope that sees every item
    /// (server code, a public operation) keeps what the record holds.
    pub(super) fn pin_owner_on_create(&self, record: &mut Record, scope: &Scope) {
        if let (Some(field), Viewer::Caller(caller)) = (
            self.owner.as_ref().and_then(|owner| owner.field),
            &scope.viewer,
        ) {
            record.insert(field.to_owned(), Value::from(caller.subject.clone()));
        }
    }

    /// Keeps an item's owner field as stored: a later write never hands the item to
    /// someone else.
    pub(super) fn keep_owner(&self, record: &mut Record, current: &Record) {
        if let Some(field) = self.owner.as_ref().and_then(|owner| owner.field) {
            match current.get(field) {
                Some(value) => record.insert(field.to_owned(), value.clone()),
                None => record.remove(field),
            };
        }
    }

    /// The statement that reads one item: made once per dialect for items at this
    /// table's depth (the only depth a well-formed scope has), otherwise each time.
    pub(super) fn fetch_sql(&self, dialect: Dialect, scope: &Scope, key: &Key) -> Arc<str> {
        let make = || -> Arc<str> {
            let mut placeholders = Binder::new(dialect);
            format!(
                "SELECT {} FROM {} WHERE {}",
                self.select_list(dialect),
                quote(self.name),
                self.where_item(&mut placeholders, scope, key)
            )
            .into()
        };
        if scope.parents.len() != self.parents.len() {
            return make();
        }
        let compares_owner = usize::from(self.owner_condition(scope).is_some());
        self.statements.fetch[dialect.index() * 2 + compares_owner]
            .get_or_init(make)
            .clone()
    }

    /// `INSERT ... RETURNING` with the first `parents` enclosing keys that have columns of
    /// their own, the key when the caller gives it, then every column, in the order
    /// `insert` binds them. One round trip: the stored item comes back as the select list
    /// reads it. Built once per dialect and key presence when every enclosing key is given
    /// (always, for a nested resource's routes).
    pub(super) fn insert_sql(&self, dialect: Dialect, parents: usize, with_key: bool) -> Arc<str> {
        let make = || -> Arc<str> {
            let mut names = Vec::new();
            let mut values = Vec::new();
            let mut next = |name: &str, kind: ColumnKind| {
                names.push(quote(name));
                values.push(Binder::placeholder(dialect, values.len() + 1, kind));
            };
            for parent in self.parents[..parents].iter().filter(|p| p.field.is_none()) {
                next(parent.column, parent.kind);
            }
            if self
                .owner
                .as_ref()
                .is_some_and(|owner| owner.field.is_none())
            {
                next(OWNER_COLUMN, ColumnKind::Text);
            }
            if with_key {
                next(self.key.column, self.key_kind());
            }
            for column in self.columns {
                next(column.name, column.kind);
            }
            format!(
                "INSERT INTO {} ({}) VALUES ({}) RETURNING {}",
                quote(self.name),
                names.join(", "),
                values.join(", "),
                self.select_list(dialect)
            )
            .into()
        };
        if parents != self.parents.len() {
            return make();
        }
        let slot = dialect.index() * 2 + usize::from(with_key);
        self.statements.insert[slot].get_or_init(make).clone()
    }

    pub(super) fn where_scope(&self, binder: &mut Binder, scope: &Scope) -> Vec<String> {
        equalities(binder, self.scope_condition(scope))
    }

    /// Drops what a client may not set: `readOnly` fields, the key among them when it is.
    pub(super) fn drop_read_only(&self, record: &mut Record) {
        for field in self.read_only {
            record.remove(*field);
        }
    }

    /// Sets the server's values in required fields the record leaves empty.
    pub(super) fn fill(&self, record: &mut Record) {
        for fill in self.fills {
            let touched = matches!(fill.value, FillValue::Touched);
            if touched || record.get(fill.field).is_none_or(Value::is_null) {
                let value = match &fill.value {
                    FillValue::Now | FillValue::Touched => Value::from(date_time::to_string(
                        &chrono::Utc::now(),
                        date_time::Fraction::Millis,
                    )),
                    FillValue::Today => {
                        Value::from(date_time::date::to_string(chrono::Utc::now().date_naive()))
                    }
                    FillValue::Uuid => Value::from(uuid::Uuid::new_v4().to_string()),
                    FillValue::Json(literal) => {
                        serde_json::from_str(literal).unwrap_or(Value::Null)
                    }
                    FillValue::Keep => continue,
                };
                record.insert(fill.field.to_owned(), value);
            }
        }
    }

    /// The first field the server must have a value for that the record lacks: it is
    /// required, and neither the request nor the service set it.
    pub(super) fn missing(&self, record: &Record) -> Option<&'static str> {
        self.fills
            .iter()
            .filter(|fill| matches!(fill.value, FillValue::Keep))
            .find(|fill| record.get(fill.field).is_none_or(Value::is_null))
            .map(|fill| fill.field)
    }

    /// The fields of the item a row holds, in the order the select list reads them: the
    /// key, then each column that has a value or is required (`null` then).
    fn fields_of_row(
        &self,
        dialect: Dialect,
        row: &AnyRow,
    ) -> Result<Vec<(&'static str, Value)>, StoreError> {
        let mut fields = Vec::with_capacity(self.columns.len() + 1);
        let key = match self.key.kind {
            KeyKind::Integer => Value::from(row.try_get::<i64, _>(0)?),
            KeyKind::Uuid => Value::from(row.try_get::<String, _>(0)?),
            KeyKind::Text => {
                let text: String = row.try_get(0)?;
                match dialect {
                    Dialect::Postgres => Value::from(nul_safe::decode(&text).into_owned()),
                    Dialect::Sqlite | Dialect::MySql => Value::from(text),
                }
            }
        };
        fields.push((self.key.field, key));
        for (index, column) in self.columns.iter().enumerate() {
            let value = decode(row, index + 1, column.kind, dialect)?;
            if !value.is_null() || column.required {
                fields.push((column.field, value));
            }
        }
        Ok(fields)
    }

    /// The item a row holds, as `T`: a model, or a [`Record`]. The row's fields are
    /// deserialized straight into `T`. Building a [`Record`] first, and a model from that,
    /// allocated every field name and a map node per field and walked the map a second
    /// time: 2.5k of a GET's 88k instructions.
    pub(super) fn item_of_row<T: DeserializeOwned>(
        &self,
        dialect: Dialect,
        row: &AnyRow,
    ) -> Result<T, StoreError> {
        let fields = self.fields_of_row(dialect, row)?;
        T::deserialize(MapDeserializer::new(fields.into_iter()))
            .map_err(|error: serde_json::Error| StoreError::Corrupt(error.to_string()))
    }
}

/// A foreign key refused the statement. SQLite reports `ON DELETE RESTRICT` as a
/// trigger's constraint (1811), which sqlx does not classify.
fn is_foreign_key_violation(db: &dyn sqlx::error::DatabaseError) -> bool {
    db.is_foreign_key_violation() || db.message().contains("FOREIGN KEY constraint failed")
}

/// `"column" = ?` for each condition, its value bound.
fn equalities(
    binder: &mut Binder,
    conditions: impl Iterator<Item = (&'static str, Bound, ColumnKind)>,
) -> Vec<String> {
    conditions
        .map(|(column, value, kind)| format!("{} = {}", quote(column), binder.push(value, kind)))
        .collect()
}

fn decode(
    row: &AnyRow,
    index: usize,
    kind: ColumnKind,
    dialect: Dialect,
) -> Result<Value, StoreError> {
    let postgres = dialect == Dialect::Postgres;
    Ok(match kind {
        ColumnKind::Timestamp | ColumnKind::Date | ColumnKind::Uuid => row
            .try_get::<Option<String>, _>(index)?
            .map_or(Value::Null, Value::from),
        ColumnKind::Text => match row.try_get::<Option<String>, _>(index)? {
            Some(text) if postgres => Value::from(nul_safe::decode(&text).into_owned()),
            Some(text) => Value::from(text),
            None => Value::Null,
        },
        ColumnKind::Integer => row
            .try_get::<Option<i64>, _>(index)?
            .map_or(Value::Null, Value::from),
        ColumnKind::Real => row
            .try_get::<Option<f64>, _>(index)
            .or_else(|_| {
                row.try_get::<Option<i64>, _>(index)
                    .map(|v| v.map(|i| i as f64))
            })?
            .map_or(Value::Null, Value::from),
        ColumnKind::Boolean => row
            .try_get::<Option<bool>, _>(index)
            .or_else(|_| {
                row.try_get::<Option<i64>, _>(index)
                    .map(|v| v.map(|i| i != 0))
            })?
            .map_or(Value::Null, Value::from),
        ColumnKind::Json => match row.try_get::<Option<String>, _>(index)? {
            Some(text) => {
                let mut value: Value =
                    serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                if postgres && text.contains(nul_safe::ESCAPE) {
                    nul_safe::map_strings(&mut value, nul_safe::decode);
                }
                value
            }
            None => Value::Null,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_constraint_name_is_shortened_as_the_generator_writes_it() {
        assert_eq!(
            sql_name("posts_author_id_fkey".to_owned()),
            "posts_author_id_fkey"
        );
        assert_eq!(
            sql_name(
                "organization_membership_invitations_organization_membership_id_fkey".to_owned()
            ),
            "organization_membership_invitations_organization_membe_fbb098db"
        );
    }

    #[test]
    fn identifiers_are_quoted_with_embedded_quotes_doubled() {
        assert_eq!(quote("pets"), "\"pets\"");
        assert_eq!(quote("a\"b"), "\"a\"\"b\"");
        assert_eq!(quote("\"\""), "\"\"\"\"\"\"");
    }
}
