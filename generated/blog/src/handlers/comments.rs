//! Handlers for the operations tagged `comments`.
//!
//! Implement the methods of [`CommentsApi`] below; every method you leave out answers
//! 501 Not Implemented. The trait's docs show each signature; for example:
//!
//! ```text
//! async fn list_comments(&self, context: RequestContext, request: ListCommentsRequest) -> Result<ListCommentsResponse, Problem> {
//!     todo!()
//! }
//! ```
//!
//! Operations:
//! - `list_comments`: `GET /posts/{postId}/comments`
//! - `create_comment`: `POST /posts/{postId}/comments`
//! - `get_comment`: `GET /posts/{postId}/comments/{commentId}`
//! - `delete_comment`: `DELETE /posts/{postId}/comments/{commentId}`

#[allow(unused_imports)]
use crate::generated::api::comments::*;

use super::Handlers;
#[allow(unused_imports)]
use crate::generated::{Problem, RequestContext, models};

impl CommentsApi for Handlers {}
