// specgen:id src/repositories/comments.rs (keep this line: regen finds the file by it if you move it)
//! SQL storage for the resource; the statements are shared by every table and bind
//! every value as a parameter.

use crate::generated::models;
use crate::generated::resources::{COMMENTS, COMMENTS_LISTING, CommentRepository};
use crate::generated::runtime::store::{
    Database, Key, ListQuery, Page, Scope, StoreError, to_record,
};
use serde::Serialize;

/// Stores `comments` in its SQL table.
#[derive(Debug, Clone)]
pub struct SqlCommentRepository {
    db: Database,
}

impl SqlCommentRepository {
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// The database, for a transaction over several writes (`database().begin()`).
    pub fn database(&self) -> &Database {
        &self.db
    }
}

impl CommentRepository for SqlCommentRepository {
    async fn list(
        &self,
        scope: &Scope,
        query: &ListQuery,
    ) -> Result<Page<models::Comment>, StoreError> {
        self.db
            .list(&COMMENTS, &COMMENTS_LISTING, scope, query)
            .await
    }

    async fn find(&self, scope: &Scope, key: &Key) -> Result<Option<models::Comment>, StoreError> {
        self.db.fetch(&COMMENTS, scope, key).await
    }

    async fn insert(
        &self,
        scope: &Scope,
        new: &models::NewComment,
    ) -> Result<(Key, models::Comment), StoreError> {
        self.db.insert(&COMMENTS, scope, to_record(new)?).await
    }

    async fn replace(
        &self,
        scope: &Scope,
        key: &Key,
        body: &(impl Serialize + Sync),
    ) -> Result<Option<models::Comment>, StoreError> {
        self.db
            .replace(&COMMENTS, scope, key, to_record(body)?)
            .await
    }

    async fn patch(
        &self,
        scope: &Scope,
        key: &Key,
        patch: &(impl Serialize + Sync),
    ) -> Result<Option<models::Comment>, StoreError> {
        self.db
            .patch(&COMMENTS, scope, key, &to_record(patch)?)
            .await
    }

    async fn delete(&self, scope: &Scope, key: &Key) -> Result<bool, StoreError> {
        self.db.delete(&COMMENTS, scope, key).await
    }

    async fn update<F>(
        &self,
        scope: &Scope,
        key: &Key,
        change: F,
    ) -> Result<Option<models::Comment>, StoreError>
    where
        F: FnOnce(&mut models::Comment) + Send,
    {
        self.db.update(&COMMENTS, scope, key, change).await
    }
}
