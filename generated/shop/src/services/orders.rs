// specgen:id src/services/orders.rs (keep this line: regen finds the file by it if you move it)
use crate::generated::Problem;
use crate::generated::models;
use crate::generated::resources::NewOrderRow;
use crate::generated::resources::OrderRepository;
use crate::generated::runtime::store::{Key, ListQuery, Page, Scope, placeholder_as};
use crate::repositories::SqlOrderRepository;
use serde::Serialize;

/// The rules for `orders`: what may be stored, and how. Generic over the repository so tests can swap the database for something else.
#[derive(Debug, Clone)]
pub struct OrderService<R = SqlOrderRepository> {
    repository: R,
}

impl<R: OrderRepository> OrderService<R> {
    pub fn new(repository: R) -> Self {
        Self { repository }
    }

    pub async fn list(
        &self,
        scope: &Scope,
        query: &ListQuery,
    ) -> Result<Page<models::Order>, Problem> {
        Ok(self.repository.list(scope, query).await?)
    }

    /// Stores a new item from a request body; the server fills its own fields.
    ///
    /// Decide: a stored item requires `status`, `currency`, `items`, which a create request may leave out and the spec gives no default. specgen cannot know the value, so it wrote the spec's example as a `placeholder` (logged when used): replace it with what your server should store. Where a client may send the field and does, its value is stored instead.
    pub async fn create(
        &self,
        scope: &Scope,
        body: &models::NewOrder,
    ) -> Result<(Key, models::Order), Problem> {
        let new = NewOrderRow {
            status: placeholder_as("status", "\"pending\"")?,
            currency: placeholder_as("currency", "\"EUR\"")?,
            items: placeholder_as(
                "items",
                "[{\"product_id\":\"5f0c6d1e-8a2b-4c3d-9e4f-a1b2c3d4e5f6\",\"quantity\":2,\"unit_price_cents\":1999}]",
            )?,
            body,
        };
        Ok(self.repository.insert(scope, &new).await?)
    }

    pub async fn get(&self, scope: &Scope, key: &Key) -> Result<models::Order, Problem> {
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
        body: &(impl Serialize + Sync),
    ) -> Result<models::Order, Problem> {
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
        body: &(impl Serialize + Sync),
    ) -> Result<models::Order, Problem> {
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
        change: impl FnOnce(&mut models::Order) + Send,
    ) -> Result<models::Order, Problem> {
        self.repository
            .update(scope, key, change)
            .await?
            .ok_or_else(Problem::not_found)
    }
}
