//! Handlers for the operations tagged `posts`.
//!
//! Implement the methods of [`PostsApi`] below; every method you leave out answers
//! 501 Not Implemented. The trait's docs show each signature; for example:
//!
//! ```text
//! async fn list_posts(&self, context: RequestContext, request: ListPostsRequest) -> Result<ListPostsResponse, Problem> {
//!     todo!()
//! }
//! ```
//!
//! Operations:
//! - `list_posts`: `GET /posts`
//! - `create_post`: `POST /posts`
//! - `get_post`: `GET /posts/{postId}`
//! - `replace_post`: `PUT /posts/{postId}`
//! - `delete_post`: `DELETE /posts/{postId}`

#[allow(unused_imports)]
use crate::generated::api::posts::*;

use super::Handlers;
#[allow(unused_imports)]
use crate::generated::{Problem, RequestContext, models};

impl PostsApi for Handlers {}
