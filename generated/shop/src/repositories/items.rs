// specgen:id src/repositories/items.rs (keep this line: regen finds the file by it if you move it)
//! SQL storage for the resource; the statements are shared by every table and bind
//! every value as a parameter.

use crate::generated::models;
use crate::generated::resources::{ITEMS, ITEMS_LISTING, ItemRepository};
use crate::generated::runtime::store::{
    Database, Key, ListQuery, Page, Scope, StoreError, to_record,
};
use serde::Serialize;

/// Stores `items` in its SQL table.
#[derive(Debug, Clone)]
pub struct SqlItemRepository {
    db: Database,
}

impl SqlItemRepository {
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// The database, for a transaction over several writes (`database().begin()`).
    pub fn database(&self) -> &Database {
        &self.db
    }
}

impl ItemRepository for SqlItemRepository {
    async fn list(
        &self,
        scope: &Scope,
        query: &ListQuery,
    ) -> Result<Page<models::CartItem>, StoreError> {
        self.db.list(&ITEMS, &ITEMS_LISTING, scope, query).await
    }

    async fn find(&self, scope: &Scope, key: &Key) -> Result<Option<models::CartItem>, StoreError> {
        self.db.fetch(&ITEMS, scope, key).await
    }

    async fn insert(
        &self,
        scope: &Scope,
        new: &models::NewCartItem,
    ) -> Result<(Key, models::CartItem), StoreError> {
        self.db.insert(&ITEMS, scope, to_record(new)?).await
    }

    async fn replace(
        &self,
        scope: &Scope,
        key: &Key,
        body: &(impl Serialize + Sync),
    ) -> Result<Option<models::CartItem>, StoreError> {
        self.db.replace(&ITEMS, scope, key, to_record(body)?).await
    }

    async fn patch(
        &self,
        scope: &Scope,
        key: &Key,
        patch: &models::CartItemPatch,
    ) -> Result<Option<models::CartItem>, StoreError> {
        self.db.patch(&ITEMS, scope, key, &to_record(patch)?).await
    }

    async fn delete(&self, scope: &Scope, key: &Key) -> Result<bool, StoreError> {
        self.db.delete(&ITEMS, scope, key).await
    }

    async fn update<F>(
        &self,
        scope: &Scope,
        key: &Key,
        change: F,
    ) -> Result<Option<models::CartItem>, StoreError>
    where
        F: FnOnce(&mut models::CartItem) + Send,
    {
        self.db.update(&ITEMS, scope, key, change).await
    }
}
