// specgen:id src/repositories/orders.rs (keep this line: regen finds the file by it if you move it)
//! SQL storage for the resource; the statements are shared by every table and bind
//! every value as a parameter.

use crate::generated::models;
use crate::generated::resources::{NewOrderRow, ORDERS, ORDERS_LISTING, OrderRepository};
use crate::generated::runtime::store::{
    Database, Key, ListQuery, Page, Scope, StoreError, to_record,
};
use serde::Serialize;

/// Stores `orders` in its SQL table.
#[derive(Debug, Clone)]
pub struct SqlOrderRepository {
    db: Database,
}

impl SqlOrderRepository {
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// The database, for a transaction over several writes (`database().begin()`).
    pub fn database(&self) -> &Database {
        &self.db
    }
}

impl OrderRepository for SqlOrderRepository {
    async fn list(
        &self,
        scope: &Scope,
        query: &ListQuery,
    ) -> Result<Page<models::Order>, StoreError> {
        self.db.list(&ORDERS, &ORDERS_LISTING, scope, query).await
    }

    async fn find(&self, scope: &Scope, key: &Key) -> Result<Option<models::Order>, StoreError> {
        self.db.fetch(&ORDERS, scope, key).await
    }

    async fn insert(
        &self,
        scope: &Scope,
        new: &NewOrderRow<'_>,
    ) -> Result<(Key, models::Order), StoreError> {
        self.db
            .insert_as_server(&ORDERS, scope, new.to_record()?)
            .await
    }

    async fn replace(
        &self,
        scope: &Scope,
        key: &Key,
        body: &(impl Serialize + Sync),
    ) -> Result<Option<models::Order>, StoreError> {
        self.db.replace(&ORDERS, scope, key, to_record(body)?).await
    }

    async fn patch(
        &self,
        scope: &Scope,
        key: &Key,
        patch: &(impl Serialize + Sync),
    ) -> Result<Option<models::Order>, StoreError> {
        self.db.patch(&ORDERS, scope, key, &to_record(patch)?).await
    }

    async fn delete(&self, scope: &Scope, key: &Key) -> Result<bool, StoreError> {
        self.db.delete(&ORDERS, scope, key).await
    }

    async fn update<F>(
        &self,
        scope: &Scope,
        key: &Key,
        change: F,
    ) -> Result<Option<models::Order>, StoreError>
    where
        F: FnOnce(&mut models::Order) + Send,
    {
        self.db.update(&ORDERS, scope, key, change).await
    }
}
