// specgen:id src/handlers/users.rs (keep this line: regen finds the file by it if you move it)
//! Handlers for the operations tagged `users`.
//!
//! The methods of [`UsersApi`] below come written: operations that manage a stored
//! resource call its service; the others answer the spec's example until you
//! implement them (marked TODO). A method you delete answers 501 Not Implemented.
//! The trait's docs show each signature; for example:
//!
//! ```text
//! async fn list_users(&self, context: RequestContext, request: ListUsersRequest) -> Result<ListUsersResponse, Problem> {
//!     todo!()
//! }
//! ```
//!
//! Operations:
//! - `list_users`: `GET /users`
//! - `create_user`: `POST /users`
//! - `get_user`: `GET /users/{userId}`
//! - `delete_user`: `DELETE /users/{userId}`
//! - `update_user`: `PATCH /users/{userId}`

use super::Handlers;
use crate::generated::api::users::{
    CreateUserRequest, CreateUserResponse, DeleteUserRequest, DeleteUserResponse, GetUserRequest,
    GetUserResponse, ListUsersRequest, ListUsersResponse, UpdateUserRequest, UpdateUserResponse,
    UsersApi,
};
use crate::generated::resources::USERS_LISTING;
use crate::generated::runtime::store::{Key, ListQuery, Scope};
use crate::generated::{Problem, RequestContext};

impl Handlers {
    /// The `users` service, on the handlers' database.
    pub(crate) fn user_service(&self) -> crate::services::UserService {
        crate::services::UserService::new(crate::repositories::SqlUserRepository::new(
            self.db.clone(),
        ))
    }
}

impl UsersApi for Handlers {
    async fn list_users(
        &self,
        _context: RequestContext,
        request: ListUsersRequest,
    ) -> Result<ListUsersResponse, Problem> {
        let query = ListQuery::new().limit(request.per_page).page(request.page);
        let page = self.user_service().list(&Scope::root(), &query).await?;
        Ok(ListUsersResponse::Ok {
            body: USERS_LISTING.body(&page)?,
            x_total_count: page.total.try_into().unwrap_or_default(),
        })
    }

    async fn create_user(
        &self,
        context: RequestContext,
        request: CreateUserRequest,
    ) -> Result<CreateUserResponse, Problem> {
        let (key, item) = self
            .user_service()
            .create(&Scope::root().seen_by(&context), &request.body)
            .await?;
        Ok(CreateUserResponse::Created {
            body: item,
            location: format!("/users/{key}"),
        })
    }

    async fn get_user(
        &self,
        _context: RequestContext,
        request: GetUserRequest,
    ) -> Result<GetUserResponse, Problem> {
        let item = self
            .user_service()
            .get(&Scope::root(), &Key::from(request.user_id))
            .await?;
        Ok(GetUserResponse::Ok(item))
    }

    async fn delete_user(
        &self,
        context: RequestContext,
        request: DeleteUserRequest,
    ) -> Result<DeleteUserResponse, Problem> {
        self.user_service()
            .delete(
                &Scope::root().seen_by(&context),
                &Key::from(request.user_id),
            )
            .await?;
        Ok(DeleteUserResponse::NoContent)
    }

    async fn update_user(
        &self,
        context: RequestContext,
        request: UpdateUserRequest,
    ) -> Result<UpdateUserResponse, Problem> {
        let item = self
            .user_service()
            .patch(
                &Scope::root().seen_by(&context),
                &Key::from(request.user_id),
                &request.body,
            )
            .await?;
        Ok(UpdateUserResponse::Ok(item))
    }
}
