// specgen:id src/services/pets.rs (keep this line: regen finds the file by it if you move it)
use crate::generated::Problem;
use crate::generated::models;
use crate::generated::resources::PetRepository;
use crate::generated::runtime::store::{Key, ListQuery, Page, Scope};
use crate::repositories::SqlPetRepository;

/// The rules for `pets`: what may be stored, and how. Generic over the repository so tests can swap the database for something else.
#[derive(Debug, Clone)]
pub struct PetService<R = SqlPetRepository> {
    repository: R,
}

impl<R: PetRepository> PetService<R> {
    pub fn new(repository: R) -> Self {
        Self { repository }
    }

    pub async fn list(
        &self,
        scope: &Scope,
        query: &ListQuery,
    ) -> Result<Page<models::Pet>, Problem> {
        Ok(self.repository.list(scope, query).await?)
    }

    /// Stores a new item from a request body; the server fills its own fields.
    pub async fn create(
        &self,
        scope: &Scope,
        body: &models::NewPet,
    ) -> Result<(Key, models::Pet), Problem> {
        Ok(self.repository.insert(scope, body).await?)
    }

    pub async fn get(&self, scope: &Scope, key: &Key) -> Result<models::Pet, Problem> {
        self.repository
            .find(scope, key)
            .await?
            .ok_or_else(Problem::not_found)
    }

    /// Replaces every writable field; fields the body leaves out are cleared.
    pub async fn replace(
        &self,
        scope: &Scope,
        key: &Key,
        body: &models::NewPet,
    ) -> Result<models::Pet, Problem> {
        self.repository
            .replace(scope, key, body)
            .await?
            .ok_or_else(Problem::not_found)
    }

    /// Applies a JSON merge patch: present members replace, `null` clears.
    pub async fn patch(
        &self,
        scope: &Scope,
        key: &Key,
        body: &models::PetPatch,
    ) -> Result<models::Pet, Problem> {
        self.repository
            .patch(scope, key, body)
            .await?
            .ok_or_else(Problem::not_found)
    }

    pub async fn delete(&self, scope: &Scope, key: &Key) -> Result<(), Problem> {
        if self.repository.delete(scope, key).await? {
            Ok(())
        } else {
            Err(Problem::not_found())
        }
    }

    /// Changes an item from server code, in plain Rust: set any field, those a
    /// client may not (`readOnly`) included, and every field is stored. For actions
    /// such as completing a task or marking an order paid.
    pub async fn update(
        &self,
        scope: &Scope,
        key: &Key,
        change: impl FnOnce(&mut models::Pet) + Send,
    ) -> Result<models::Pet, Problem> {
        self.repository
            .update(scope, key, change)
            .await?
            .ok_or_else(Problem::not_found)
    }
}
