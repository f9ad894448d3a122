// specgen:id src/handlers/comments.rs (keep this line: regen finds the file by it if you move it)
//! Handlers for the operations tagged `comments`.
//!
//! The methods of [`CommentsApi`] below come written: operations that manage a stored
//! resource call its service; the others answer the spec's example until you
//! implement them (marked TODO). A method you delete answers 501 Not Implemented.
//! The trait's docs show each signature; for example:
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

use super::Handlers;
use crate::generated::api::comments::{
    CommentsApi, CreateCommentRequest, CreateCommentResponse, DeleteCommentRequest,
    DeleteCommentResponse, GetCommentRequest, GetCommentResponse, ListCommentsRequest,
    ListCommentsResponse,
};
use crate::generated::resources::COMMENTS_LISTING;
use crate::generated::runtime::store::{Key, ListQuery, Scope};
use crate::generated::{Problem, RequestContext};

impl Handlers {
    /// The `comments` service, on the handlers' database.
    pub(crate) fn comment_service(&self) -> crate::services::CommentService {
        crate::services::CommentService::new(crate::repositories::SqlCommentRepository::new(
            self.db.clone(),
        ))
    }
}

impl CommentsApi for Handlers {
    async fn list_comments(
        &self,
        _context: RequestContext,
        request: ListCommentsRequest,
    ) -> Result<ListCommentsResponse, Problem> {
        let query = ListQuery::new().limit(request.per_page).page(request.page);
        let page = self
            .comment_service()
            .list(&Scope::of([Key::from(request.post_id)]), &query)
            .await?;
        Ok(ListCommentsResponse::Ok {
            body: COMMENTS_LISTING.body(&page)?,
            x_total_count: page.total.try_into().unwrap_or_default(),
        })
    }

    async fn create_comment(
        &self,
        context: RequestContext,
        request: CreateCommentRequest,
    ) -> Result<CreateCommentResponse, Problem> {
        let (key, item) = self
            .comment_service()
            .create(
                &Scope::of([Key::from(request.post_id)]).seen_by(&context),
                &request.body,
            )
            .await?;
        Ok(CreateCommentResponse::Created {
            body: item,
            location: format!("/posts/{}/comments/{key}", request.post_id),
        })
    }

    async fn get_comment(
        &self,
        _context: RequestContext,
        request: GetCommentRequest,
    ) -> Result<GetCommentResponse, Problem> {
        let item = self
            .comment_service()
            .get(
                &Scope::of([Key::from(request.post_id)]),
                &Key::from(request.comment_id),
            )
            .await?;
        Ok(GetCommentResponse::Ok(item))
    }

    async fn delete_comment(
        &self,
        context: RequestContext,
        request: DeleteCommentRequest,
    ) -> Result<DeleteCommentResponse, Problem> {
        self.comment_service()
            .delete(
                &Scope::of([Key::from(request.post_id)]).seen_by(&context),
                &Key::from(request.comment_id),
            )
            .await?;
        Ok(DeleteCommentResponse::NoContent)
    }
}
