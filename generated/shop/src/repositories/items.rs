// specgen:id src/repositories/items.rs (keep this line: regen finds the file by it if you move it)
//! SQL storage for the resource; the statements are shared by every table and bind
//! every value as a parameter.

use crate::generated::models;
use crate::generated::resources::{ITEMS, ITEMS_LISTING, ItemRepository};
use crate::generated::runtime::store::{Database, Key, ListQuery, Page, Record, Scope, StoreError};

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
        record: Record,
    ) -> Result<(Key, models::CartItem), StoreError> {
        self.db.insert(&ITEMS, scope, record).await
    }

    async fn replace(
        &self,
        scope: &Scope,
        key: &Key,
        record: Record,
    ) -> Result<Option<models::CartItem>, StoreError> {
        self.db.replace(&ITEMS, scope, key, record).await
    }

    async fn patch(
        &self,
        scope: &Scope,
        key: &Key,
        patch: Record,
    ) -> Result<Option<models::CartItem>, StoreError> {
        self.db.patch(&ITEMS, scope, key, &patch).await
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
