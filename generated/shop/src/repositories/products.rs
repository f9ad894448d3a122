// specgen:id src/repositories/products.rs (keep this line: regen finds the file by it if you move it)
//! SQL storage for the resource; the statements are shared by every table and bind
//! every value as a parameter.

use crate::generated::models;
use crate::generated::resources::{PRODUCTS, PRODUCTS_LISTING, ProductRepository};
use crate::generated::runtime::store::{
    Database, Key, ListQuery, Page, Scope, StoreError, to_record,
};

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
        new: &models::NewProduct,
    ) -> Result<(Key, models::Product), StoreError> {
        self.db.insert(&PRODUCTS, scope, to_record(new)?).await
    }

    async fn replace(
        &self,
        scope: &Scope,
        key: &Key,
        body: &models::NewProduct,
    ) -> Result<Option<models::Product>, StoreError> {
        self.db
            .replace(&PRODUCTS, scope, key, to_record(body)?)
            .await
    }

    async fn patch(
        &self,
        scope: &Scope,
        key: &Key,
        patch: &models::ProductPatch,
    ) -> Result<Option<models::Product>, StoreError> {
        self.db
            .patch(&PRODUCTS, scope, key, &to_record(patch)?)
            .await
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
