//! Handlers for the operations tagged `users`.
//!
//! Implement the methods of [`UsersApi`] below; every method you leave out answers
//! 501 Not Implemented. The trait's docs show each signature; for example:
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

#[allow(unused_imports)]
use crate::generated::api::users::*;

use super::Handlers;
#[allow(unused_imports)]
use crate::generated::{Problem, RequestContext, models};

impl UsersApi for Handlers {}
