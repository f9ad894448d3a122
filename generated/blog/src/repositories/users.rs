// specgen:id src/repositories/users.rs (keep this line: regen finds the file by it if you move it)
//! SQL storage for the resource; the statements are shared by every table and bind
//! every value as a parameter.

use crate::generated::models;
use crate::generated::resources::{USERS, USERS_LISTING, UserRepository};
use crate::generated::runtime::store::{
    Database, Key, ListQuery, Page, Scope, StoreError, to_record,
};
use serde::Serialize;

/// Stores `users` in its SQL table.
#[derive(Debug, Clone)]
pub struct SqlUserRepository {
    db: Database,
}

impl SqlUserRepository {
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// The database, for a transaction over several writes (`database().begin()`).
    pub fn database(&self) -> &Database {
        &self.db
    }
}

impl UserRepository for SqlUserRepository {
    async fn list(
        &self,
        scope: &Scope,
        query: &ListQuery,
    ) -> Result<Page<models::User>, StoreError> {
        self.db.list(&USERS, &USERS_LISTING, scope, query).await
    }

    async fn find(&self, scope: &Scope, key: &Key) -> Result<Option<models::User>, StoreError> {
        self.db.fetch(&USERS, scope, key).await
    }

    async fn insert(
        &self,
        scope: &Scope,
        new: &models::NewUser,
    ) -> Result<(Key, models::User), StoreError> {
        self.db.insert(&USERS, scope, to_record(new)?).await
    }

    async fn replace(
        &self,
        scope: &Scope,
        key: &Key,
        body: &(impl Serialize + Sync),
    ) -> Result<Option<models::User>, StoreError> {
        self.db.replace(&USERS, scope, key, to_record(body)?).await
    }

    async fn patch(
        &self,
        scope: &Scope,
        key: &Key,
        patch: &models::UserPatch,
    ) -> Result<Option<models::User>, StoreError> {
        self.db.patch(&USERS, scope, key, &to_record(patch)?).await
    }

    async fn delete(&self, scope: &Scope, key: &Key) -> Result<bool, StoreError> {
        self.db.delete(&USERS, scope, key).await
    }

    async fn update<F>(
        &self,
        scope: &Scope,
        key: &Key,
        change: F,
    ) -> Result<Option<models::User>, StoreError>
    where
        F: FnOnce(&mut models::User) + Send,
    {
        self.db.update(&USERS, scope, key, change).await
    }
}
