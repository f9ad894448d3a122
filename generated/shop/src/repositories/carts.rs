// specgen:id src/repositories/carts.rs (keep this line: regen finds the file by it if you move it)
//! SQL storage for the resource; the statements are shared by every table and bind
//! every value as a parameter.

use crate::generated::models;
use crate::generated::resources::{CARTS, CartRepository};
use crate::generated::runtime::store::{
    Database, Key, ListQuery, ListShape, Listing, Page, Scope, StoreError, to_record,
};
use serde::Serialize;

/// Stores `carts` in its SQL table.
#[derive(Debug, Clone)]
pub struct SqlCartRepository {
    db: Database,
}

impl SqlCartRepository {
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// The database, for a transaction over several writes (`database().begin()`).
    pub fn database(&self) -> &Database {
        &self.db
    }
}

impl CartRepository for SqlCartRepository {
    async fn list(
        &self,
        scope: &Scope,
        query: &ListQuery,
    ) -> Result<Page<models::Cart>, StoreError> {
        let listing = Listing {
            default_limit: 20,
            max_limit: 100,
            zero_based_page: false,
            shape: ListShape::Array,
        };
        self.db.list(&CARTS, &listing, scope, query).await
    }

    async fn find(&self, scope: &Scope, key: &Key) -> Result<Option<models::Cart>, StoreError> {
        self.db.fetch(&CARTS, scope, key).await
    }

    async fn insert(
        &self,
        scope: &Scope,
        new: &models::NewCart,
    ) -> Result<(Key, models::Cart), StoreError> {
        self.db.insert(&CARTS, scope, to_record(new)?).await
    }

    async fn replace(
        &self,
        scope: &Scope,
        key: &Key,
        body: &(impl Serialize + Sync),
    ) -> Result<Option<models::Cart>, StoreError> {
        self.db.replace(&CARTS, scope, key, to_record(body)?).await
    }

    async fn patch(
        &self,
        scope: &Scope,
        key: &Key,
        patch: &(impl Serialize + Sync),
    ) -> Result<Option<models::Cart>, StoreError> {
        self.db.patch(&CARTS, scope, key, &to_record(patch)?).await
    }

    async fn delete(&self, scope: &Scope, key: &Key) -> Result<bool, StoreError> {
        self.db.delete(&CARTS, scope, key).await
    }

    async fn update<F>(
        &self,
        scope: &Scope,
        key: &Key,
        change: F,
    ) -> Result<Option<models::Cart>, StoreError>
    where
        F: FnOnce(&mut models::Cart) + Send,
    {
        self.db.update(&CARTS, scope, key, change).await
    }
}
