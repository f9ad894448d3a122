//! The calls every repository makes, shared by all tables: fetch, insert, replace, patch,
//! delete and list. Each takes a lease (and, to write, a turn first), checks that the
//! enclosing item exists, and runs statements built from the table and bound values.

use super::binder::{Binder, Bound};
use super::nul_safe;
use super::table::quote;
use super::{
    ColumnKind, Database, Dialect, Key, KeyKind, ListQuery, Listing, Page, Record, Scope,
    StoreError, Table, merge_patch,
};
use serde::de::DeserializeOwned;
use serde_json::Value;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::{AssertSqlSafe, Executor, Row};
use std::sync::Arc;

/// Who wrote the record a write stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Writer {
    /// A request: fields only the server sets (`readOnly`) are dropped.
    Client,
    /// The server's own code: every field is stored.
    Server,
}

impl Database {
    pub(super) async fn fetch_with<'c, E, T>(
        &self,
        executor: E,
        table: &Table,
        scope: &Scope,
        key: &Key,
    ) -> Result<Option<T>, StoreError>
    where
        E: Executor<'c, Database = sqlx::Any>,
        T: DeserializeOwned,
    {
        let row = self.fetch_row(executor, table, scope, key).await?;
        row.map(|row| table.item_of_row(self.dialect, &row))
            .transpose()
    }

    /// The row of the item with this key, undecoded.
    async fn fetch_row<'c, E>(
        &self,
        executor: E,
        table: &Table,
        scope: &Scope,
        key: &Key,
    ) -> Result<Option<AnyRow>, StoreError>
    where
        E: Executor<'c, Database = sqlx::Any>,
    {
        let mut binder = Binder::new(self.dialect);
        table.bind_item(&mut binder, scope, key);
        let sql = table.fetch_sql(self.dialect, scope, key);
        Ok(sqlx::query_with(AssertSqlSafe(sql), binder.arguments()?)
            .fetch_optional(executor)
            .await?)
    }

    /// Fails with [`StoreError::ParentNotFound`] when the enclosing item is gone.
    pub(super) async fn ensure_parent(
        &self,
        connection: &mut sqlx::AnyConnection,
        table: &Table,
        scope: &Scope,
    ) -> Result<(), StoreError> {
        let (Some(parent), Some((key, mut outer))) = (table.parent, scope.outer()) else {
            return Ok(());
        };
        // Items with owners of their own (comments by anyone on a post) need their
        // enclosing item to exist, not to be the caller's.
        if table.owner.is_some() {
            outer = outer.seeing_everyone();
        }
        match self.fetch_row(connection, parent, &outer, key).await? {
            Some(_) => Ok(()),
            None => Err(StoreError::ParentNotFound),
        }
    }

    /// The item with this key, if there is one, as `T`: the resource's model, or a
    /// [`Record`].
    pub async fn fetch<T: DeserializeOwned>(
        &self,
        table: &Table,
        scope: &Scope,
        key: &Key,
    ) -> Result<Option<T>, StoreError> {
        let mut lease = self.lease().await?;
        self.ensure_parent(&mut lease, table, scope).await?;
        let item = self.fetch_with(&mut *lease, table, scope, key).await?;
        lease.done();
        Ok(item)
    }

    /// Stores a new item from a request and returns its key and the item as stored, as
    /// `T`. Fields only the server sets (`readOnly`) are dropped from `record`; use
    /// [`Database::insert_as_server`] for a record the server wrote.
    pub async fn insert<T: DeserializeOwned>(
        &self,
        table: &Table,
        scope: &Scope,
        record: Record,
    ) -> Result<(Key, T), StoreError> {
        self.insert_from(table, scope, record, Writer::Client).await
    }

    /// [`Database::insert`] of a record the server wrote: its `readOnly` fields (a status,
    /// an owner) are stored as they are.
    pub async fn insert_as_server<T: DeserializeOwned>(
        &self,
        table: &Table,
        scope: &Scope,
        record: Record,
    ) -> Result<(Key, T), StoreError> {
        self.insert_from(table, scope, record, Writer::Server).await
    }

    async fn insert_from<T: DeserializeOwned>(
        &self,
        table: &Table,
        scope: &Scope,
        record: Record,
        writer: Writer,
    ) -> Result<(Key, T), StoreError> {
        let statement = self.insert_statement(table, scope, record, writer)?;
        // The turn first, then a connection: a writer waiting for its turn holds none that
        // readers could use.
        let turn = self.write_turn().await;
        let mut lease = self.lease().await?;
        let stored = self.run_insert(&mut lease, table, scope, statement).await?;
        drop(turn);
        lease.done();
        Ok(stored)
    }

    /// The `INSERT` of a record, its values bound: built before any connection is taken.
    pub(super) fn insert_statement(
        &self,
        table: &Table,
        scope: &Scope,
        mut record: Record,
        writer: Writer,
    ) -> Result<(Arc<str>, AnyArguments), StoreError> {
        if writer == Writer::Client {
            table.drop_read_only(&mut record);
        }
        table.fill(&mut record);
        table.pin_parents(&mut record, scope);
        table.pin_owner_on_create(&mut record, scope);
        if let Some(field) = table.missing(&record) {
            return Err(StoreError::Missing(field));
        }
        let given_key = record
            .get(table.key.field)
            .filter(|v| !v.is_null())
            .cloned();
        let key = match (table.key.kind, given_key) {
            (KeyKind::Integer, Some(Value::Number(n))) => n.as_i64().map(Key::Integer),
            (KeyKind::Integer, _) => None,
            (_, Some(Value::String(s))) => Some(Key::Text(s)),
            (_, _) => Some(Key::Text(uuid::Uuid::new_v4().to_string())),
        };
        let mut binder = Binder::new(self.dialect);
        let parents = table.parents.len().min(scope.parents.len());
        for (parent, key) in table.parents.iter().zip(&scope.parents) {
            if parent.field.is_none() {
                binder.bind(Bound::key_as(key, parent.kind), parent.kind);
            }
        }
        if let Some(owner) = table.hidden_owner_value(scope) {
            binder.bind(owner, ColumnKind::Text);
        }
        if let Some(key) = &key {
            binder.bind(table.key_bound(key), table.key_kind());
        }
        for column in table.columns {
            binder.bind_value(column.kind, record.get(column.field));
        }
        let sql = table.insert_sql(self.dialect, parents, key.is_some());
        Ok((sql, binder.arguments()?))
    }

    /// Runs an [`Database::insert_statement`] on `connection`, once the enclosing item is
    /// known to exist.
    pub(super) async fn run_insert<T: DeserializeOwned>(
        &self,
        connection: &mut sqlx::AnyConnection,
        table: &Table,
        scope: &Scope,
        (sql, arguments): (Arc<str>, AnyArguments),
    ) -> Result<(Key, T), StoreError> {
        self.ensure_parent(connection, table, scope).await?;
        let row = sqlx::query_with(AssertSqlSafe(sql), arguments)
            .fetch_one(&mut *connection)
            .await
            .map_err(|error| table.write_error(error))?;
        let key = match table.key.kind {
            KeyKind::Integer => Key::Integer(row.try_get(0)?),
            KeyKind::Uuid => Key::Text(row.try_get(0)?),
            // Text reads back NUL-escaped from PostgreSQL: the key is the client's.
            KeyKind::Text => {
                let text: String = row.try_get(0)?;
                Key::Text(match self.dialect {
                    Dialect::Postgres => nul_safe::decode(&text).into_owned(),
                    Dialect::Sqlite | Dialect::MySql => text,
                })
            }
        };
        let stored = table.item_of_row(self.dialect, &row)?;
        Ok((key, stored))
    }

    /// Replaces every field of an item; `None` when there is no such item.
    /// Fields the server fills (creation time, sampled defaults) keep their stored value
    /// when the new body leaves them out.
    pub async fn replace<T: DeserializeOwned>(
        &self,
        table: &Table,
        scope: &Scope,
        key: &Key,
        mut record: Record,
    ) -> Result<Option<T>, StoreError> {
        let _turn = self.write_turn().await;
        let mut lease = self.lease().await?;
        self.ensure_parent(&mut lease, table, scope).await?;
        let mut transaction = sqlx::Connection::begin(&mut *lease).await?;
        let Some(current) = self
            .fetch_with::<_, Record>(&mut *transaction, table, scope, key)
            .await?
        else {
            return Ok(None);
        };
        table.drop_read_only(&mut record);
        for field in table.read_only {
            if let Some(value) = current.get(*field) {
                record.insert((*field).to_owned(), value.clone());
            }
        }
        for fill in table.fills {
            if record.get(fill.field).is_none_or(Value::is_null)
                && let Some(value) = current.get(fill.field)
            {
                record.insert(fill.field.to_owned(), value.clone());
            }
        }
        table.fill(&mut record);
        table.pin_parents(&mut record, scope);
        table.keep_owner(&mut record, &current);
        if !self
            .update_with(&mut *transaction, table, scope, key, &record)
            .await?
        {
            return Ok(None);
        }
        let stored = self
            .fetch_with(&mut *transaction, table, scope, key)
            .await?;
        transaction.commit().await?;
        lease.done();
        Ok(stored)
    }

    /// Applies a JSON merge patch (RFC 7396) to an item, in one transaction; `None` when
    /// there is no such item.
    pub async fn patch<T: DeserializeOwned>(
        &self,
        table: &Table,
        scope: &Scope,
        key: &Key,
        patch: &Record,
    ) -> Result<Option<T>, StoreError> {
        let _turn = self.write_turn().await;
        let mut lease = self.lease().await?;
        self.ensure_parent(&mut lease, table, scope).await?;
        let mut transaction = sqlx::Connection::begin(&mut *lease).await?;
        let Some(current) = self
            .fetch_with::<_, Record>(&mut *transaction, table, scope, key)
            .await?
        else {
            return Ok(None);
        };
        let mut patch = patch.clone();
        table.drop_read_only(&mut patch);
        table.keep_owner(&mut patch, &current);
        let mut merged = Value::Object(current);
        merge_patch(&mut merged, &Value::Object(patch));
        let Value::Object(mut record) = merged else {
            return Err(StoreError::Corrupt(
                "a patched item is not an object".to_owned(),
            ));
        };
        table.fill(&mut record);
        table.pin_parents(&mut record, scope);
        self.update_with(&mut *transaction, table, scope, key, &record)
            .await?;
        let stored = self
            .fetch_with(&mut *transaction, table, scope, key)
            .await?;
        transaction.commit().await?;
        lease.done();
        Ok(stored)
    }

    pub(super) async fn update_with<'c, E>(
        &self,
        executor: E,
        table: &Table,
        scope: &Scope,
        key: &Key,
        record: &Record,
    ) -> Result<bool, StoreError>
    where
        E: Executor<'c, Database = sqlx::Any>,
    {
        let mut binder = Binder::new(self.dialect);
        let assignments: Vec<String> = table
            .columns
            .iter()
            .map(|column| {
                format!(
                    "{} = {}",
                    quote(column.name),
                    binder.push_value(column.kind, record.get(column.field))
                )
            })
            .collect();
        let condition = table.where_item(&mut binder, scope, key);
        let sql = if assignments.is_empty() {
            // Nothing to set: still tell whether the item exists.
            format!(
                "UPDATE {} SET {} = {} WHERE {}",
                quote(table.name),
                quote(table.key.column),
                quote(table.key.column),
                condition
            )
        } else {
            format!(
                "UPDATE {} SET {} WHERE {}",
                quote(table.name),
                assignments.join(", "),
                condition
            )
        };
        let result = sqlx::query_with(AssertSqlSafe(sql), binder.arguments()?)
            .execute(executor)
            .await
            .map_err(|error| table.write_error(error))?;
        Ok(result.rows_affected() > 0)
    }

    /// Deletes an item; `false` when there was none.
    pub async fn delete(
        &self,
        table: &Table,
        scope: &Scope,
        key: &Key,
    ) -> Result<bool, StoreError> {
        let statement = self.delete_statement(table, scope, key)?;
        let turn = self.write_turn().await;
        let mut lease = self.lease().await?;
        let deleted = self.run_delete(&mut lease, table, scope, statement).await?;
        drop(turn);
        lease.done();
        Ok(deleted)
    }

    pub(super) fn delete_statement(
        &self,
        table: &Table,
        scope: &Scope,
        key: &Key,
    ) -> Result<(String, AnyArguments), StoreError> {
        let mut binder = Binder::new(self.dialect);
        let sql = format!(
            "DELETE FROM {} WHERE {}",
            quote(table.name),
            table.where_item(&mut binder, scope, key)
        );
        Ok((sql, binder.arguments()?))
    }

    pub(super) async fn run_delete(
        &self,
        connection: &mut sqlx::AnyConnection,
        table: &Table,
        scope: &Scope,
        (sql, arguments): (String, AnyArguments),
    ) -> Result<bool, StoreError> {
        self.ensure_parent(connection, table, scope).await?;
        let result = sqlx::query_with(AssertSqlSafe(sql), arguments)
            .execute(&mut *connection)
            .await
            .map_err(|error| table.delete_error(error))?;
        Ok(result.rows_affected() > 0)
    }

    /// One page of the items in `scope` that pass the query's filters, in its order.
    pub async fn list<T: DeserializeOwned>(
        &self,
        table: &Table,
        listing: &Listing,
        scope: &Scope,
        query: &ListQuery,
    ) -> Result<Page<T>, StoreError> {
        let mut lease = self.lease().await?;
        let page = self
            .list_on(&mut lease, table, listing, scope, query)
            .await?;
        lease.done();
        Ok(page)
    }

    pub(super) async fn list_on<T: DeserializeOwned>(
        &self,
        connection: &mut sqlx::AnyConnection,
        table: &Table,
        listing: &Listing,
        scope: &Scope,
        query: &ListQuery,
    ) -> Result<Page<T>, StoreError> {
        self.ensure_parent(connection, table, scope).await?;
        let (limit, offset) = listing.window(query);
        let mut binder = Binder::new(self.dialect);
        let mut conditions = table.where_scope(&mut binder, scope);
        for (column, value) in &query.filters {
            let Some(kind) = table
                .columns
                .iter()
                .find(|c| c.name == *column)
                .map(|c| c.kind)
            else {
                continue;
            };
            conditions.push(format!(
                "{} = {}",
                quote(column),
                binder.push_value(kind, Some(value))
            ));
        }
        let condition = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        let count_sql = format!("SELECT COUNT(*) FROM {}{condition}", quote(table.name));
        let count_arguments = Binder {
            dialect: self.dialect,
            values: binder.values.clone(),
        }
        .arguments()?;
        let total: i64 = sqlx::query_with(AssertSqlSafe(count_sql), count_arguments)
            .fetch_one(&mut *connection)
            .await?
            .try_get(0)?;

        let (order_column, descending) = self.order(table, query);
        let direction = if descending { "DESC" } else { "ASC" };
        let mut order = format!("{} {direction}", quote(order_column));
        let creation = table.order_column(self.dialect);
        if order_column != creation {
            order.push_str(&format!(", {} ASC", quote(creation)));
        }
        let limit_placeholder = binder.push(Bound::Integer(limit), ColumnKind::Integer);
        let offset_placeholder = binder.push(Bound::Integer(offset), ColumnKind::Integer);
        let sql = format!(
            "SELECT {} FROM {}{condition} ORDER BY {order} LIMIT {limit_placeholder} OFFSET {offset_placeholder}",
            table.select_list(self.dialect),
            quote(table.name),
        );
        let rows = sqlx::query_with(AssertSqlSafe(sql), binder.arguments()?)
            .fetch_all(&mut *connection)
            .await?;
        let items = rows
            .iter()
            .map(|row| table.item_of_row(self.dialect, row))
            .collect::<Result<_, _>>()?;
        Ok(Page {
            items,
            total: u64::try_from(total).unwrap_or(0),
            limit: u64::try_from(limit).unwrap_or(0),
            offset: u64::try_from(offset).unwrap_or(0),
        })
    }

    /// The column and direction a list is ordered by: the requested field when the table
    /// has it (JSON columns excluded), else the key.
    fn order(&self, table: &Table, query: &ListQuery) -> (&'static str, bool) {
        let mut descending = query.descending.unwrap_or(false);
        let creation = table.order_column(self.dialect);
        let Some(sort) = query.sort.as_deref() else {
            return (creation, descending);
        };
        let first = sort.split(',').next().unwrap_or_default().trim();
        let (field, explicit) = if let Some(field) = first.strip_prefix('-') {
            (field, Some(true))
        } else if let Some(field) = first.strip_prefix('+') {
            (field, Some(false))
        } else if let Some((field, direction)) = first.split_once([':', ' ']) {
            (field, Some(direction.trim().eq_ignore_ascii_case("desc")))
        } else {
            (first, None)
        };
        if let Some(explicit) = explicit {
            descending = explicit;
        }
        if field == table.key.field {
            return (table.key.column, descending);
        }
        table
            .columns
            .iter()
            .find(|c| c.field == field && c.kind != ColumnKind::Json)
            .map_or((creation, descending), |c| (c.name, descending))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::{GADGETS, Gadget, LISTING, gadgets, record};
    use crate::store::{Column, KeyColumn, Parent, Statements, typed};

    #[tokio::test]
    async fn an_item_reads_as_a_record_and_as_a_model_alike() {
        let db = gadgets().await;
        let written = serde_json::json!({
            "name": "lamp", "count": 3, "ratio": 2, "on": true,
            "extra": {"tags": ["a", "b"], "depth": 1.5}
        });
        let (key, stored): (Key, Record) = db
            .insert(&GADGETS, &Scope::root(), record(written))
            .await
            .expect("stored");
        assert_eq!(key, Key::Integer(1));
        // Empty optional fields are left out; empty required ones are written as null.
        let expected = serde_json::json!({
            "id": 1, "name": "lamp", "serial": null, "count": 3, "ratio": 2.0, "on": true,
            "extra": {"tags": ["a", "b"], "depth": 1.5}
        });
        assert_eq!(Value::Object(stored), expected);
        let fetched: Record = db
            .fetch(&GADGETS, &Scope::root(), &key)
            .await
            .expect("read")
            .expect("found");
        assert_eq!(Value::Object(fetched.clone()), expected);

        let model: Gadget = db
            .fetch(&GADGETS, &Scope::root(), &key)
            .await
            .expect("read")
            .expect("found");
        assert_eq!(
            model,
            typed::<Gadget>(fetched).expect("the record is a gadget")
        );
        assert_eq!(model.nick_name, None);
        assert_eq!(model.ratio, Some(2.0));
        assert_eq!(model.extra, Some(expected["extra"].clone()));

        let page: Page<Gadget> = db
            .list(&GADGETS, &LISTING, &Scope::root(), &ListQuery::new())
            .await
            .expect("listed");
        assert_eq!(page.items, vec![model]);
        let missing: Option<Gadget> = db
            .fetch(&GADGETS, &Scope::root(), &Key::Integer(2))
            .await
            .expect("read");
        assert_eq!(missing, None);
    }

    /// Parts of a gadget: the gadget's key is the part's `gadgetId` field, and a part goes
    /// with its gadget.
    static PARTS: Table = Table {
        name: "parts",
        owner: None,
        key: KeyColumn {
            field: "id",
            column: "id",
            kind: KeyKind::Integer,
        },
        parents: PART_PARENTS,
        parent: Some(&GADGETS),
        columns: PART_COLUMNS,
        fills: &[],
        read_only: &["gadgetId"],
        sequence: false,
        statements: Statements::new(),
    };

    const PART_PARENTS: &[Parent] = &[Parent {
        column: "gadget_id",
        kind: ColumnKind::Integer,
        field: Some("gadgetId"),
    }];
    const PART_COLUMNS: &[Column] = &[
        Column {
            field: "gadgetId",
            name: "gadget_id",
            kind: ColumnKind::Integer,
            required: true,
            unique: false,
            references: None,
        },
        Column {
            field: "name",
            name: "name",
            kind: ColumnKind::Text,
            required: true,
            unique: false,
            references: None,
        },
    ];

    /// The same parts, kept when their gadget is deleted: deleting it is refused.
    static KEPT_PARTS: Table = Table {
        name: "kept_parts",
        owner: None,
        key: KeyColumn {
            field: "id",
            column: "id",
            kind: KeyKind::Integer,
        },
        parents: PART_PARENTS,
        parent: Some(&GADGETS),
        columns: PART_COLUMNS,
        fills: &[],
        read_only: &["gadgetId"],
        sequence: false,
        statements: Statements::new(),
    };

    async fn gadgets_with_parts() -> Database {
        let db = gadgets().await;
        for (table, action) in [("parts", "CASCADE"), ("kept_parts", "RESTRICT")] {
            sqlx::query(AssertSqlSafe(format!(
                r#"CREATE TABLE "{table}" ("id" INTEGER PRIMARY KEY AUTOINCREMENT,
                    "gadget_id" INTEGER NOT NULL REFERENCES "gadgets" ("id") ON DELETE {action},
                    "name" TEXT NOT NULL)"#
            )))
            .execute(db.pool())
            .await
            .expect("the table is created");
        }
        db
    }

    async fn lamp(db: &Database) -> Key {
        let (gadget, _): (Key, Record) = db
            .insert(
                &GADGETS,
                &Scope::root(),
                record(serde_json::json!({"name": "lamp"})),
            )
            .await
            .expect("stored");
        gadget
    }

    #[tokio::test]
    async fn a_nested_item_needs_its_enclosing_item() {
        let db = gadgets_with_parts().await;
        let gadget = lamp(&db).await;
        let part = || record(serde_json::json!({"name": "bulb"}));

        let orphan = db
            .insert::<Record>(&PARTS, &Scope::of([Key::Integer(2)]), part())
            .await;
        assert!(
            matches!(orphan, Err(StoreError::ParentNotFound)),
            "{orphan:?}"
        );
        let (key, stored): (Key, Record) = db
            .insert(&PARTS, &Scope::of([gadget.clone()]), part())
            .await
            .expect("stored under its gadget");
        assert_eq!(stored["name"], "bulb");
        let fetched = db
            .fetch::<Record>(&PARTS, &Scope::of([gadget]), &key)
            .await
            .expect("read");
        assert_eq!(fetched, Some(stored));
        let elsewhere = db
            .fetch::<Record>(&PARTS, &Scope::of([Key::Integer(2)]), &key)
            .await;
        assert!(
            matches!(elsewhere, Err(StoreError::ParentNotFound)),
            "{elsewhere:?}"
        );
    }

    #[tokio::test]
    async fn the_parent_key_field_holds_the_path_key_whatever_the_body_says() {
        let db = gadgets_with_parts().await;
        let gadget = lamp(&db).await;
        let other = lamp(&db).await;
        let scope = Scope::of([gadget.clone()]);
        let (key, stored): (Key, Record) = db
            .insert(
                &PARTS,
                &scope,
                record(serde_json::json!({"name": "bulb", "gadgetId": 0})),
            )
            .await
            .expect("stored");
        assert_eq!(stored["gadgetId"], serde_json::json!(1), "{stored:?}");
        let replaced: Option<Record> = db
            .replace(
                &PARTS,
                &scope,
                &key,
                record(serde_json::json!({"name": "fuse", "gadgetId": 2})),
            )
            .await
            .expect("replaced");
        assert_eq!(replaced.expect("found")["gadgetId"], serde_json::json!(1));
        let patched: Option<Record> = db
            .patch(
                &PARTS,
                &scope,
                &key,
                &record(serde_json::json!({"gadgetId": 2})),
            )
            .await
            .expect("patched");
        assert_eq!(patched.expect("found")["gadgetId"], serde_json::json!(1));
        let under_other: Page<Record> = db
            .list(&PARTS, &LISTING, &Scope::of([other]), &ListQuery::new())
            .await
            .expect("listed");
        assert!(under_other.items.is_empty(), "{:?}", under_other.items);
    }

    #[tokio::test]
    async fn deleting_a_parent_cascades_or_is_refused_as_its_table_says() {
        let db = gadgets_with_parts().await;
        let gadget = lamp(&db).await;
        let scope = Scope::of([gadget.clone()]);
        let (part, _): (Key, Record) = db
            .insert(&PARTS, &scope, record(serde_json::json!({"name": "bulb"})))
            .await
            .expect("stored");
        assert!(
            db.delete(&GADGETS, &Scope::root(), &gadget)
                .await
                .expect("deleted")
        );
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM parts")
            .fetch_one(db.pool())
            .await
            .expect("counted");
        assert_eq!(count, 0, "part {part:?} went with its gadget");

        let gadget = lamp(&db).await;
        let scope = Scope::of([gadget.clone()]);
        let _: (Key, Record) = db
            .insert(
                &KEPT_PARTS,
                &scope,
                record(serde_json::json!({"name": "bulb"})),
            )
            .await
            .expect("stored");
        let refused = db.delete(&GADGETS, &Scope::root(), &gadget).await;
        match refused {
            Err(StoreError::Conflict(detail)) => assert!(detail.contains("belong"), "{detail}"),
            other => panic!("expected a conflict, got {other:?}"),
        }
        let still: Option<Record> = db
            .fetch(&GADGETS, &Scope::root(), &gadget)
            .await
            .expect("read");
        assert!(still.is_some(), "the refused delete kept the gadget");
    }

    #[tokio::test]
    async fn a_repeated_unique_value_is_a_conflict_naming_the_field() {
        let db = gadgets().await;
        let with_serial = || record(serde_json::json!({"name": "lamp", "serial": "A-1"}));
        let (first, _): (Key, Record) = db
            .insert(&GADGETS, &Scope::root(), with_serial())
            .await
            .expect("stored");
        let repeated = db
            .insert::<Record>(&GADGETS, &Scope::root(), with_serial())
            .await;
        match repeated {
            Err(StoreError::Conflict(detail)) => {
                assert!(detail.contains("`serial` must be unique"), "{detail}")
            }
            other => panic!("expected a conflict, got {other:?}"),
        }
        let (second, _): (Key, Record) = db
            .insert(
                &GADGETS,
                &Scope::root(),
                record(serde_json::json!({"name": "fan", "serial": "B-2"})),
            )
            .await
            .expect("another serial is fine");
        let patched = db
            .patch::<Record>(
                &GADGETS,
                &Scope::root(),
                &second,
                &record(serde_json::json!({"serial": "A-1"})),
            )
            .await;
        assert!(
            matches!(&patched, Err(StoreError::Conflict(d)) if d.contains("`serial`")),
            "{patched:?} (first is {first:?})"
        );
    }

    /// Gadgets whose `serial` the server must be told: nothing fills it.
    static SERIALIZED: Table = Table {
        name: "gadgets",
        owner: None,
        key: KeyColumn {
            field: "id",
            column: "id",
            kind: KeyKind::Integer,
        },
        parents: &[],
        parent: None,
        columns: GADGETS.columns,
        fills: &[crate::store::Fill {
            field: "serial",
            value: crate::store::FillValue::Keep,
        }],
        read_only: &[],
        sequence: false,
        statements: Statements::new(),
    };

    #[tokio::test]
    async fn an_insert_without_a_value_the_server_must_be_told_is_refused_not_invented() {
        let db = gadgets().await;
        let refused = db
            .insert::<Record>(
                &SERIALIZED,
                &Scope::root(),
                record(serde_json::json!({"name": "lamp"})),
            )
            .await;
        assert!(
            matches!(refused, Err(StoreError::Missing("serial"))),
            "{refused:?}"
        );
        let (key, _): (Key, Record) = db
            .insert(
                &SERIALIZED,
                &Scope::root(),
                record(serde_json::json!({"name": "lamp", "serial": "A-1"})),
            )
            .await
            .expect("stored once the service set it");
        let replaced: Option<Record> = db
            .replace(
                &SERIALIZED,
                &Scope::root(),
                &key,
                record(serde_json::json!({"name": "lamp"})),
            )
            .await
            .expect("replaced");
        assert_eq!(
            replaced.expect("found")["serial"],
            "A-1",
            "a replace that leaves it out keeps it"
        );
    }

    /// Gadgets whose `nickName` holds the time of the last write.
    static TOUCHED: Table = Table {
        name: "gadgets",
        owner: None,
        key: KeyColumn {
            field: "id",
            column: "id",
            kind: KeyKind::Integer,
        },
        parents: &[],
        parent: None,
        columns: GADGETS.columns,
        fills: &[crate::store::Fill {
            field: "nickName",
            value: crate::store::FillValue::Touched,
        }],
        read_only: &["nickName"],
        sequence: false,
        statements: Statements::new(),
    };

    #[tokio::test]
    async fn a_modification_time_moves_on_every_write_whatever_the_body_says() {
        let db = gadgets().await;
        let (key, created): (Key, Record) = db
            .insert(
                &TOUCHED,
                &Scope::root(),
                record(serde_json::json!({"name": "lamp", "nickName": "2000-01-01T00:00:00Z"})),
            )
            .await
            .expect("stored");
        let first = created["nickName"].as_str().expect("a time").to_owned();
        assert!(
            first.starts_with("20") && !first.starts_with("2000"),
            "{first}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        let patched: Record = db
            .patch(
                &TOUCHED,
                &Scope::root(),
                &key,
                &record(serde_json::json!({"name": "desk lamp"})),
            )
            .await
            .expect("patched")
            .expect("found");
        let second = patched["nickName"].as_str().expect("a time").to_owned();
        assert!(second > first, "{second} is after {first}");
    }

    /// Reviews that refer to a gadget by its key, without being nested under it.
    static REVIEWS: Table = Table {
        name: "reviews",
        owner: None,
        key: KeyColumn {
            field: "id",
            column: "id",
            kind: KeyKind::Integer,
        },
        parents: &[],
        parent: None,
        columns: &[Column {
            field: "gadgetRef",
            name: "gadget_ref",
            kind: ColumnKind::Integer,
            required: true,
            unique: false,
            references: Some("gadgets"),
        }],
        fills: &[],
        read_only: &[],
        sequence: false,
        statements: Statements::new(),
    };

    #[tokio::test]
    async fn a_reference_to_no_item_is_refused_naming_the_field_and_a_referred_item_stays() {
        let db = gadgets().await;
        sqlx::query(
            r#"CREATE TABLE "reviews" ("id" INTEGER PRIMARY KEY AUTOINCREMENT,
                "gadget_ref" INTEGER NOT NULL REFERENCES "gadgets" ("id") ON DELETE RESTRICT)"#,
        )
        .execute(db.pool())
        .await
        .expect("the table is created");
        let dangling = db
            .insert::<Record>(
                &REVIEWS,
                &Scope::root(),
                record(serde_json::json!({"gadgetRef": 41})),
            )
            .await;
        assert!(
            matches!(
                dangling,
                Err(StoreError::Dangling {
                    field: Some("gadgetRef"),
                    target: Some("gadgets")
                })
            ),
            "{dangling:?}"
        );
        let gadget = lamp(&db).await;
        let Key::Integer(id) = gadget else {
            panic!("an integer key: {gadget:?}");
        };
        let _: (Key, Record) = db
            .insert(
                &REVIEWS,
                &Scope::root(),
                record(serde_json::json!({ "gadgetRef": id })),
            )
            .await
            .expect("a review of a gadget that exists");
        let refused = db.delete(&GADGETS, &Scope::root(), &gadget).await;
        assert!(
            matches!(&refused, Err(StoreError::Conflict(d)) if d.contains("refer")),
            "{refused:?}"
        );
    }

    /// Items keyed by client-chosen text.
    static NOTES: Table = Table {
        name: "notes",
        owner: None,
        key: KeyColumn {
            field: "slug",
            column: "slug",
            kind: KeyKind::Text,
        },
        parents: &[],
        parent: None,
        columns: &[],
        fills: &[],
        read_only: &[],
        sequence: true,
        statements: Statements::new(),
    };

    #[tokio::test]
    async fn a_list_of_items_with_text_keys_is_in_creation_order() {
        let db = gadgets().await;
        sqlx::query(r#"CREATE TABLE "notes" ("slug" TEXT PRIMARY KEY)"#)
            .execute(db.pool())
            .await
            .expect("the table is created");
        for slug in ["pear", "apple", "zucchini", "fig"] {
            let _: (Key, Record) = db
                .insert(
                    &NOTES,
                    &Scope::root(),
                    record(serde_json::json!({ "slug": slug })),
                )
                .await
                .expect("stored");
        }
        let page: Page<Record> = db
            .list(&NOTES, &LISTING, &Scope::root(), &ListQuery::new())
            .await
            .expect("listed");
        let slugs: Vec<&Value> = page.items.iter().map(|item| &item["slug"]).collect();
        assert_eq!(slugs, ["pear", "apple", "zucchini", "fig"]);
    }

    #[tokio::test]
    async fn a_row_that_does_not_fit_the_model_is_reported_as_corrupt() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Strict {
            id: i64,
            name: String,
            serial: String,
        }
        let db = gadgets().await;
        let (key, _): (Key, serde::de::IgnoredAny) = db
            .insert(
                &GADGETS,
                &Scope::root(),
                record(serde_json::json!({"name": "lamp"})),
            )
            .await
            .expect("stored");
        let read = db.fetch::<Strict>(&GADGETS, &Scope::root(), &key).await;
        match read {
            Err(StoreError::Corrupt(message)) => assert!(message.contains("null"), "{message}"),
            other => panic!("expected a corrupt item, got {other:?}"),
        }
    }
}
