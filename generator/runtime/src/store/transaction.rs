//! Writes the server's own code makes: changing a stored item in plain Rust
//! ([`Database::update`]), and several store calls that succeed or fail together
//! ([`Transaction`]).
//!
//! A handler's writes come from a client, so the store drops what only the server may set
//! (`readOnly` fields). Code that completes a task or marks an order paid is the server:
//! it gets the item as its model, sets any field, and every field is stored, on every
//! dialect, without a line of SQL.

use super::items::Writer;
use super::{
    Database, Key, ListQuery, Listing, Page, Record, Scope, Select, StoreError, Table, WriteTurn,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

impl Database {
    /// Changes the item with this key in place: reads it as `T`, lets `change` set any
    /// field (those only the server sets included), stores every field and returns the
    /// item as stored; `None` when there is no such item. One transaction: a concurrent
    /// write waits, or fails, rather than being lost.
    ///
    /// ```ignore
    /// let task = db
    ///     .update(&TASKS, &scope, &key, |task: &mut models::Task| {
    ///         task.status = models::TaskStatus::Done;
    ///         task.completed_at = Some(chrono::Utc::now());
    ///     })
    ///     .await?;
    /// ```
    pub async fn update<T, F>(
        &self,
        table: &Table,
        scope: &Scope,
        key: &Key,
        change: F,
    ) -> Result<Option<T>, StoreError>
    where
        T: Serialize + DeserializeOwned,
        F: FnOnce(&mut T),
    {
        let mut transaction = self.begin().await?;
        let updated = transaction.update(table, scope, key, change).await?;
        transaction.commit().await?;
        Ok(updated)
    }

    /// Starts a transaction: the store calls made through it take effect together at
    /// [`Transaction::commit`], or not at all if it is dropped first (an error returned
    /// with `?`, a cancelled request).
    ///
    /// ```ignore
    /// let mut transaction = db.begin().await?;
    /// let (_, order): (Key, models::Order) =
    ///     transaction.insert_as_server(&ORDERS, &Scope::root(), record).await?;
    /// transaction
    ///     .update(&CARTS, &Scope::root(), &cart, |cart: &mut models::Cart| cart.items.clear())
    ///     .await?;
    /// transaction.commit().await?;
    /// ```
    ///
    /// On SQLite it holds a write turn until it ends, so other writers wait for it (and
    /// reads go on); make no other store call on the same [`Database`] while holding one.
    pub async fn begin(&self) -> Result<Transaction<'_>, StoreError> {
        let turn = self.write_turn().await;
        let inner = self.pool.begin().await?;
        Ok(Transaction {
            db: self,
            inner,
            _turn: turn,
        })
    }
}

/// Store calls that take effect together; see [`Database::begin`].
pub struct Transaction<'a> {
    db: &'a Database,
    inner: sqlx::Transaction<'static, sqlx::Any>,
    _turn: WriteTurn<'a>,
}

impl std::fmt::Debug for Transaction<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transaction")
            .field("dialect", &self.db.dialect)
            .finish_non_exhaustive()
    }
}

impl Transaction<'_> {
    /// Makes every call so far take effect.
    pub async fn commit(self) -> Result<(), StoreError> {
        self.inner.commit().await?;
        Ok(())
    }

    /// Undoes every call so far (dropping the transaction does the same).
    pub async fn rollback(self) -> Result<(), StoreError> {
        self.inner.rollback().await?;
        Ok(())
    }

    /// [`Database::fetch`], inside the transaction.
    pub async fn fetch<T: DeserializeOwned>(
        &mut self,
        table: &Table,
        scope: &Scope,
        key: &Key,
    ) -> Result<Option<T>, StoreError> {
        self.db.ensure_parent(&mut self.inner, table, scope).await?;
        self.db
            .fetch_with(&mut *self.inner, table, scope, key)
            .await
    }

    /// [`Database::list`], inside the transaction.
    pub async fn list<T: DeserializeOwned>(
        &mut self,
        table: &Table,
        listing: &Listing,
        scope: &Scope,
        query: &ListQuery,
    ) -> Result<Page<T>, StoreError> {
        self.db
            .list_on(&mut self.inner, table, listing, scope, query)
            .await
    }

    /// [`Database::select`], inside the transaction: reads what its writes so far made.
    pub async fn select<T: DeserializeOwned>(
        &mut self,
        table: &Table,
        scope: &Scope,
        select: &Select,
    ) -> Result<Vec<T>, StoreError> {
        self.db
            .select_on(&mut self.inner, table, scope, select)
            .await
    }

    /// [`Database::count`], inside the transaction.
    pub async fn count(
        &mut self,
        table: &Table,
        scope: &Scope,
        select: &Select,
    ) -> Result<u64, StoreError> {
        self.db
            .count_on(&mut self.inner, table, scope, select)
            .await
    }

    /// [`Database::insert`] (a client's record: `readOnly` fields dropped), inside the
    /// transaction.
    pub async fn insert<T: DeserializeOwned>(
        &mut self,
        table: &Table,
        scope: &Scope,
        record: Record,
    ) -> Result<(Key, T), StoreError> {
        let statement = self
            .db
            .insert_statement(table, scope, record, Writer::Client)?;
        self.db
            .run_insert(&mut self.inner, table, scope, statement)
            .await
    }

    /// [`Database::insert_as_server`] (every field stored), inside the transaction.
    pub async fn insert_as_server<T: DeserializeOwned>(
        &mut self,
        table: &Table,
        scope: &Scope,
        record: Record,
    ) -> Result<(Key, T), StoreError> {
        let statement = self
            .db
            .insert_statement(table, scope, record, Writer::Server)?;
        self.db
            .run_insert(&mut self.inner, table, scope, statement)
            .await
    }

    /// [`Database::update`], inside the transaction.
    pub async fn update<T, F>(
        &mut self,
        table: &Table,
        scope: &Scope,
        key: &Key,
        change: F,
    ) -> Result<Option<T>, StoreError>
    where
        T: Serialize + DeserializeOwned,
        F: FnOnce(&mut T),
    {
        let db = self.db;
        db.ensure_parent(&mut self.inner, table, scope).await?;
        let Some(mut item) = db
            .fetch_with::<_, T>(&mut *self.inner, table, scope, key)
            .await?
        else {
            return Ok(None);
        };
        change(&mut item);
        let mut record = match serde_json::to_value(&item) {
            Ok(Value::Object(record)) => record,
            Ok(_) => return Err(StoreError::Corrupt("an item is not an object".to_owned())),
            Err(error) => return Err(StoreError::Corrupt(error.to_string())),
        };
        table.fill(&mut record);
        table.pin_parents(&mut record, scope);
        if let Some(field) = table.missing(&record) {
            return Err(StoreError::Missing(field));
        }
        if !db
            .update_with(&mut *self.inner, table, scope, key, &record)
            .await?
        {
            return Ok(None);
        }
        db.fetch_with(&mut *self.inner, table, scope, key).await
    }

    /// [`Database::delete`], inside the transaction.
    pub async fn delete(
        &mut self,
        table: &Table,
        scope: &Scope,
        key: &Key,
    ) -> Result<bool, StoreError> {
        let statement = self.db.delete_statement(table, scope, key)?;
        self.db
            .run_delete(&mut self.inner, table, scope, statement)
            .await
    }

    /// The transaction's connection, for a statement of your own (placeholders `?` on
    /// SQLite, `$1` on PostgreSQL; [`Database::dialect`] says which): for what the calls
    /// above do not cover.
    pub fn connection(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.inner
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::{GADGETS, LISTING, gadgets, record};
    use crate::store::{KeyColumn, KeyKind, Statements};

    /// A gadget as server code sees it.
    #[derive(Debug, serde::Serialize, serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Gadget {
        id: i64,
        name: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        serial: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        count: Option<i64>,
    }

    /// Gadgets whose serial and count only the server sets.
    static LOCKED: Table = Table {
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
        fills: &[],
        read_only: &["serial", "count"],
        sequence: false,
        statements: Statements::new(),
    };

    #[tokio::test]
    async fn server_code_sets_fields_a_client_cannot_and_every_one_is_stored() {
        let db = gadgets().await;
        let (key, _): (Key, Record) = db
            .insert(
                &LOCKED,
                &Scope::root(),
                record(serde_json::json!({"name": "lamp", "serial": "from-client"})),
            )
            .await
            .expect("stored");
        let stored: Record = db
            .fetch(&LOCKED, &Scope::root(), &key)
            .await
            .expect("read")
            .expect("found");
        assert_eq!(stored["serial"], Value::Null, "a client cannot set it");

        let updated: Gadget = db
            .update(&LOCKED, &Scope::root(), &key, |gadget: &mut Gadget| {
                gadget.serial = Some("S-1".to_owned());
                gadget.count = Some(7);
            })
            .await
            .expect("updated")
            .expect("found");
        assert_eq!(
            (updated.serial.as_deref(), updated.count),
            (Some("S-1"), Some(7))
        );
        let missing: Option<Gadget> = db
            .update(
                &LOCKED,
                &Scope::root(),
                &Key::Integer(99),
                |_: &mut Gadget| {},
            )
            .await
            .expect("no error");
        assert!(missing.is_none(), "no item, nothing changed");
    }

    #[tokio::test]
    async fn a_transaction_dropped_before_commit_leaves_nothing_behind() {
        let db = gadgets().await;
        {
            let mut transaction = db.begin().await.expect("begun");
            let _: (Key, Record) = transaction
                .insert_as_server(
                    &GADGETS,
                    &Scope::root(),
                    record(serde_json::json!({"name": "lamp", "serial": "S-1"})),
                )
                .await
                .expect("stored inside");
            let inside: Page<Record> = transaction
                .list(&GADGETS, &LISTING, &Scope::root(), &ListQuery::new())
                .await
                .expect("listed inside");
            assert_eq!(inside.items.len(), 1, "the transaction sees its own write");
        }
        let after: Page<Record> = db
            .list(&GADGETS, &LISTING, &Scope::root(), &ListQuery::new())
            .await
            .expect("listed");
        assert!(after.items.is_empty(), "{:?}", after.items);
    }

    /// The gadgets' `name`, as a generated field enum names it.
    #[derive(Debug, Clone, Copy)]
    struct GadgetName;

    impl crate::store::Field for GadgetName {
        fn column(self) -> &'static str {
            "name"
        }
        fn kind(self) -> crate::store::ColumnKind {
            crate::store::ColumnKind::Text
        }
    }

    #[tokio::test]
    async fn a_custom_read_inside_a_transaction_sees_its_uncommitted_writes() {
        use crate::store::Field;
        let db = gadgets().await;
        let mut transaction = db.begin().await.expect("begun");
        for name in ["desk lamp", "fan", "floor lamp"] {
            let _: (Key, Record) = transaction
                .insert(
                    &GADGETS,
                    &Scope::root(),
                    record(serde_json::json!({ "name": name })),
                )
                .await
                .expect("stored inside");
        }
        let lamps = Select::new().filter(GadgetName.contains("lamp"));
        let seen: Vec<Gadget> = transaction
            .select(&GADGETS, &Scope::root(), &lamps)
            .await
            .expect("selected inside");
        let names: Vec<&str> = seen.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(names, ["desk lamp", "floor lamp"]);
        assert_eq!(
            transaction
                .count(&GADGETS, &Scope::root(), &lamps)
                .await
                .expect("counted"),
            2
        );
        transaction.rollback().await.expect("rolled back");
        assert_eq!(
            db.count(&GADGETS, &Scope::root(), &lamps)
                .await
                .expect("counted"),
            0,
            "nothing outside saw them"
        );
    }

    #[tokio::test]
    async fn a_committed_transaction_keeps_every_write_and_a_failed_one_none() {
        let db = gadgets().await;
        let mut transaction = db.begin().await.expect("begun");
        let (first, _): (Key, Record) = transaction
            .insert(
                &GADGETS,
                &Scope::root(),
                record(serde_json::json!({"name": "lamp", "serial": "S-1"})),
            )
            .await
            .expect("stored");
        let renamed: Option<Gadget> = transaction
            .update(&GADGETS, &Scope::root(), &first, |gadget: &mut Gadget| {
                gadget.name = "desk lamp".to_owned();
            })
            .await
            .expect("updated");
        assert_eq!(renamed.expect("found").name, "desk lamp");
        transaction.commit().await.expect("committed");

        // The second write breaks the unique serial: the whole transaction goes.
        let mut transaction = db.begin().await.expect("begun");
        let deleted = transaction
            .delete(&GADGETS, &Scope::root(), &first)
            .await
            .expect("deleted inside");
        assert!(deleted);
        let _: (Key, Record) = transaction
            .insert(
                &GADGETS,
                &Scope::root(),
                record(serde_json::json!({"name": "fan", "serial": "S-2"})),
            )
            .await
            .expect("stored inside");
        let conflict = transaction
            .insert::<Record>(
                &GADGETS,
                &Scope::root(),
                record(serde_json::json!({"name": "fan", "serial": "S-2"})),
            )
            .await;
        assert!(
            matches!(conflict, Err(StoreError::Conflict(_))),
            "{conflict:?}"
        );
        drop(transaction);
        let names: Vec<String> = db
            .list::<Gadget>(&GADGETS, &LISTING, &Scope::root(), &ListQuery::new())
            .await
            .expect("listed")
            .items
            .into_iter()
            .map(|gadget| gadget.name)
            .collect();
        assert_eq!(
            names,
            ["desk lamp"],
            "the first commit stays, the second is undone"
        );
    }
}
