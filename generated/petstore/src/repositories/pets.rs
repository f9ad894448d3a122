// specgen:id src/repositories/pets.rs (keep this line: regen finds the file by it if you move it)
//! SQL storage for the resource; the statements are shared by every table and bind
//! every value as a parameter.

use crate::generated::models;
use crate::generated::resources::{PETS, PETS_LISTING, PetRepository};
use crate::generated::runtime::store::{Database, Key, ListQuery, Page, Record, Scope, StoreError};

/// Stores `pets` in its SQL table.
#[derive(Debug, Clone)]
pub struct SqlPetRepository {
    db: Database,
}

impl SqlPetRepository {
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// The database, for a transaction over several writes (`database().begin()`).
    pub fn database(&self) -> &Database {
        &self.db
    }
}

impl PetRepository for SqlPetRepository {
    async fn list(
        &self,
        scope: &Scope,
        query: &ListQuery,
    ) -> Result<Page<models::Pet>, StoreError> {
        self.db.list(&PETS, &PETS_LISTING, scope, query).await
    }

    async fn find(&self, scope: &Scope, key: &Key) -> Result<Option<models::Pet>, StoreError> {
        self.db.fetch(&PETS, scope, key).await
    }

    async fn insert(
        &self,
        scope: &Scope,
        record: Record,
    ) -> Result<(Key, models::Pet), StoreError> {
        self.db.insert(&PETS, scope, record).await
    }

    async fn replace(
        &self,
        scope: &Scope,
        key: &Key,
        record: Record,
    ) -> Result<Option<models::Pet>, StoreError> {
        self.db.replace(&PETS, scope, key, record).await
    }

    async fn patch(
        &self,
        scope: &Scope,
        key: &Key,
        patch: Record,
    ) -> Result<Option<models::Pet>, StoreError> {
        self.db.patch(&PETS, scope, key, &patch).await
    }

    async fn delete(&self, scope: &Scope, key: &Key) -> Result<bool, StoreError> {
        self.db.delete(&PETS, scope, key).await
    }

    async fn update<F>(
        &self,
        scope: &Scope,
        key: &Key,
        change: F,
    ) -> Result<Option<models::Pet>, StoreError>
    where
        F: FnOnce(&mut models::Pet) + Send,
    {
        self.db.update(&PETS, scope, key, change).await
    }
}
