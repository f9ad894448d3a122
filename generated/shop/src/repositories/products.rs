// specgen:id src/repositories/products.rs (keep this line: regen finds the file by it if you move it)
//! SQL storage for the resource; the statements are shared by every table and bind
//! every value as a parameter.

use crate::generated::models;
use crate::generated::resources::{PRODUCTS, PRODUCTS_LISTING, ProductRepository};
use crate::generated::runtime::store::{Database, Key, ListQuery, Page, Record, Scope, StoreError};

/// Stores `products` in its SQL table.
#[derive(Debug, Clone)]
pub struct SqlProductRepository {
    db: Database,
}

impl SqlProductRepository {
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// The database, for a transaction over several writes (`database().begin()`).
    pub fn database(&self) -> &Database {
        &self.db
    }
}

impl ProductRepository for SqlProductRepository {
    async fn list(
        &self,
        scope: &Scope,
        query: &ListQuery,
    ) -> Result<Page<models::Product>, StoreError> {
        self.db
            .list(&PRODUCTS, &PRODUCTS_LISTING, scope, query)
            .await
    }

    async fn find(&self, scope: &Scope, key: &Key) -> Result<Option<models::Product>, StoreError> {
        self.db.fetch(&PRODUCTS, scope, key).await
    }

    async fn insert(
        &self,
        scope: &Scope,
        record: Record,
    ) -> Result<(Key, models::Product), StoreError> {
        self.db.insert(&PRODUCTS, scope, record).await
    }

    async fn replace(
        &self,
        scope: &Scope,
        key: &Key,
        record: Record,
    ) -> Result<Option<models::Product>, StoreError> {
        self.db.replace(&PRODUCTS, scope, key, record).await
    }

    async fn patch(
        &self,
        scope: &Scope,
        key: &Key,
        patch: Record,
    ) -> Result<Option<models::Product>, StoreError> {
        self.db.patch(&PRODUCTS, scope, key, &patch).await
    }

    async fn delete(&self, scope: &Scope, key: &Key) -> Result<bool, StoreError> {
        self.db.delete(&PRODUCTS, scope, key).await
    }

    async fn update<F>(
        &self,
        scope: &Scope,
        key: &Key,
        change: F,
    ) -> Result<Option<models::Product>, StoreError>
    where
        F: FnOnce(&mut models::Product) + Send,
    {
        self.db.update(&PRODUCTS, scope, key, change).await
    }
}
