// specgen:id src/handlers/posts.rs (keep this line: regen finds the file by it if you move it)
//! Handlers for the operations tagged `posts`.
//!
//! The methods of [`PostsApi`] below come written: operations that manage a stored
//! resource call its service; the others answer the spec's example until you
//! implement them (marked TODO). A method you delete answers 501 Not Implemented.
//! The trait's docs show each signature; for example:
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

use super::Handlers;
use crate::generated::api::posts::{
    CreatePostRequest, CreatePostResponse, DeletePostRequest, DeletePostResponse, GetPostRequest,
    GetPostResponse, ListPostsRequest, ListPostsResponse, PostsApi, ReplacePostRequest,
    ReplacePostResponse,
};
use crate::generated::resources::POSTS_LISTING;
use crate::generated::runtime::store::{Key, ListQuery, Scope};
use crate::generated::{Problem, RequestContext};

impl Handlers {
    /// The `posts` service, on the handlers' database.
    pub(crate) fn post_service(&self) -> crate::services::PostService {
        crate::services::PostService::new(crate::repositories::SqlPostRepository::new(
            self.db.clone(),
        ))
    }
}

impl PostsApi for Handlers {
    async fn list_posts(
        &self,
        _context: RequestContext,
        request: ListPostsRequest,
    ) -> Result<ListPostsResponse, Problem> {
        let query = ListQuery::new()
            .limit(request.per_page)
            .page(request.page)
            .sort(request.sort)
            .filter("author_id", request.author_id);
        let page = self.post_service().list(&Scope::root(), &query).await?;
        Ok(ListPostsResponse::Ok {
            body: POSTS_LISTING.body(&page)?,
            x_total_count: page.total.try_into().unwrap_or_default(),
        })
    }

    async fn create_post(
        &self,
        context: RequestContext,
        request: CreatePostRequest,
    ) -> Result<CreatePostResponse, Problem> {
        let (key, item) = self
            .post_service()
            .create(&Scope::root().seen_by(&context), &request.body)
            .await?;
        Ok(CreatePostResponse::Created {
            body: item,
            location: format!("/posts/{key}"),
        })
    }

    async fn get_post(
        &self,
        _context: RequestContext,
        request: GetPostRequest,
    ) -> Result<GetPostResponse, Problem> {
        let item = self
            .post_service()
            .get(&Scope::root(), &Key::from(request.post_id))
            .await?;
        Ok(GetPostResponse::Ok(item))
    }

    async fn replace_post(
        &self,
        context: RequestContext,
        request: ReplacePostRequest,
    ) -> Result<ReplacePostResponse, Problem> {
        let item = self
            .post_service()
            .replace(
                &Scope::root().seen_by(&context),
                &Key::from(request.post_id),
                &request.body,
            )
            .await?;
        Ok(ReplacePostResponse::Ok(item))
    }

    async fn delete_post(
        &self,
        context: RequestContext,
        request: DeletePostRequest,
    ) -> Result<DeletePostResponse, Problem> {
        self.post_service()
            .delete(
                &Scope::root().seen_by(&context),
                &Key::from(request.post_id),
            )
            .await?;
        Ok(DeletePostResponse::NoContent)
    }
}
