// specgen:id src/repositories/posts.rs (keep this line: regen finds the file by it if you move it)
//! SQL storage for the resource; the statements are shared by every table and bind
//! every value as a parameter.

use crate::generated::models;
use crate::generated::resources::{POSTS, POSTS_LISTING, PostRepository};
use crate::generated::runtime::store::{
    Database, Key, ListQuery, Page, Scope, StoreError, to_record,
};
use serde::Serialize;

/// Stores `posts` in its SQL table.
#[derive(Debug, Clone)]
pub struct SqlPostRepository {
    db: Database,
}

impl SqlPostRepository {
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// The database, for a transaction over several writes (`database().begin()`).
    pub fn database(&self) -> &Database {
        &self.db
    }
}

impl PostRepository for SqlPostRepository {
    async fn list(
        &self,
        scope: &Scope,
        query: &ListQuery,
    ) -> Result<Page<models::Post>, StoreError> {
        self.db.list(&POSTS, &POSTS_LISTING, scope, query).await
    }

    async fn find(&self, scope: &Scope, key: &Key) -> Result<Option<models::Post>, StoreError> {
        self.db.fetch(&POSTS, scope, key).await
    }

    async fn insert(
        &self,
        scope: &Scope,
        new: &models::NewPost,
    ) -> Result<(Key, models::Post), StoreError> {
        self.db.insert(&POSTS, scope, to_record(new)?).await
    }

    async fn replace(
        &self,
        scope: &Scope,
        key: &Key,
        body: &models::NewPost,
    ) -> Result<Option<models::Post>, StoreError> {
        self.db.replace(&POSTS, scope, key, to_record(body)?).await
    }

    async fn patch(
        &self,
        scope: &Scope,
        key: &Key,
        patch: &(impl Serialize + Sync),
    ) -> Result<Option<models::Post>, StoreError> {
        self.db.patch(&POSTS, scope, key, &to_record(patch)?).await
    }

    async fn delete(&self, scope: &Scope, key: &Key) -> Result<bool, StoreError> {
        self.db.delete(&POSTS, scope, key).await
    }

    async fn update<F>(
        &self,
        scope: &Scope,
        key: &Key,
        change: F,
    ) -> Result<Option<models::Post>, StoreError>
    where
        F: FnOnce(&mut models::Post) + Send,
    {
        self.db.update(&POSTS, scope, key, change).await
    }
}
