// specgen:id src/repositories/pets.rs (keep this line: regen finds the file by it if you move it)
//! SQL storage for the resource; the statements are shared by every table and bind
//! every value as a parameter.

use crate::generated::models;
use crate::generated::resources::{PETS, PETS_LISTING, PetRepository};
use crate::generated::runtime::store::{
    Database, Key, ListQuery, Page, Scope, StoreError, to_record,
};

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
        new: &models::NewPet,
    ) -> Result<(Key, models::Pet), StoreError> {
        self.db.insert(&PETS, scope, to_record(new)?).await
    }

    async fn replace(
        &self,
        scope: &Scope,
        key: &Key,
        body: &models::NewPet,
    ) -> Result<Option<models::Pet>, StoreError> {
        self.db.replace(&PETS, scope, key, to_record(body)?).await
    }

    async fn patch(
        &self,
        scope: &Scope,
        key: &Key,
        patch: &models::PetPatch,
    ) -> Result<Option<models::Pet>, StoreError> {
        self.db.patch(&PETS, scope, key, &to_record(patch)?).await
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
