// specgen:id src/handlers/carts.rs (keep this line: regen finds the file by it if you move it)
//! Handlers for the operations tagged `carts`.
//!
//! The methods of [`CartsApi`] below come written: operations that manage a stored
//! resource call its service; the others answer the spec's example until you
//! implement them (marked TODO). A method you delete answers 501 Not Implemented.
//! The trait's docs show each signature; for example:
//!
//! ```text
//! async fn create_cart(&self, context: RequestContext, request: CreateCartRequest) -> Result<CreateCartResponse, Problem> {
//!     todo!()
//! }
//! ```
//!
//! Operations:
//! - `create_cart`: `POST /carts`
//! - `get_cart`: `GET /carts/{cartId}`
//! - `delete_cart`: `DELETE /carts/{cartId}`
//! - `list_cart_items`: `GET /carts/{cartId}/items`
//! - `add_cart_item`: `POST /carts/{cartId}/items`
//! - `delete_cart_item`: `DELETE /carts/{cartId}/items/{itemId}`
//! - `update_cart_item`: `PATCH /carts/{cartId}/items/{itemId}`

use super::Handlers;
use crate::generated::api::carts::{
    AddCartItemRequest, AddCartItemResponse, CartsApi, CreateCartRequest, CreateCartResponse,
    DeleteCartItemRequest, DeleteCartItemResponse, DeleteCartRequest, DeleteCartResponse,
    GetCartRequest, GetCartResponse, ListCartItemsRequest, ListCartItemsResponse,
    UpdateCartItemRequest, UpdateCartItemResponse,
};
use crate::generated::resources::ITEMS_LISTING;
use crate::generated::runtime::store::{Key, ListQuery, Scope};
use crate::generated::{Problem, RequestContext};

impl Handlers {
    /// The `carts` service, on the handlers' database.
    pub(crate) fn cart_service(&self) -> crate::services::CartService {
        crate::services::CartService::new(crate::repositories::SqlCartRepository::new(
            self.db.clone(),
        ))
    }

    /// The `items` service, on the handlers' database.
    pub(crate) fn item_service(&self) -> crate::services::ItemService {
        crate::services::ItemService::new(crate::repositories::SqlItemRepository::new(
            self.db.clone(),
        ))
    }
}

impl CartsApi for Handlers {
    async fn create_cart(
        &self,
        context: RequestContext,
        request: CreateCartRequest,
    ) -> Result<CreateCartResponse, Problem> {
        let (key, item) = self
            .cart_service()
            .create(&Scope::root().seen_by(&context), &request.body)
            .await?;
        Ok(CreateCartResponse::Created {
            body: item,
            location: format!("/carts/{key}"),
        })
    }

    async fn get_cart(
        &self,
        context: RequestContext,
        request: GetCartRequest,
    ) -> Result<GetCartResponse, Problem> {
        let item = self
            .cart_service()
            .get(
                &Scope::root().seen_by(&context),
                &Key::from(request.cart_id),
            )
            .await?;
        Ok(GetCartResponse::Ok(item))
    }

    async fn delete_cart(
        &self,
        context: RequestContext,
        request: DeleteCartRequest,
    ) -> Result<DeleteCartResponse, Problem> {
        self.cart_service()
            .delete(
                &Scope::root().seen_by(&context),
                &Key::from(request.cart_id),
            )
            .await?;
        Ok(DeleteCartResponse::NoContent)
    }

    async fn list_cart_items(
        &self,
        context: RequestContext,
        request: ListCartItemsRequest,
    ) -> Result<ListCartItemsResponse, Problem> {
        let query = ListQuery::new();
        let page = self
            .item_service()
            .list(
                &Scope::of([Key::from(request.cart_id)]).seen_by(&context),
                &query,
            )
            .await?;
        Ok(ListCartItemsResponse::Ok(ITEMS_LISTING.body(&page)?))
    }

    async fn add_cart_item(
        &self,
        context: RequestContext,
        request: AddCartItemRequest,
    ) -> Result<AddCartItemResponse, Problem> {
        let (key, item) = self
            .item_service()
            .create(
                &Scope::of([Key::from(request.cart_id)]).seen_by(&context),
                &request.body,
            )
            .await?;
        Ok(AddCartItemResponse::Created {
            body: item,
            location: format!("/carts/{}/items/{key}", request.cart_id),
        })
    }

    async fn delete_cart_item(
        &self,
        context: RequestContext,
        request: DeleteCartItemRequest,
    ) -> Result<DeleteCartItemResponse, Problem> {
        self.item_service()
            .delete(
                &Scope::of([Key::from(request.cart_id)]).seen_by(&context),
                &Key::from(request.item_id),
            )
            .await?;
        Ok(DeleteCartItemResponse::NoContent)
    }

    async fn update_cart_item(
        &self,
        context: RequestContext,
        request: UpdateCartItemRequest,
    ) -> Result<UpdateCartItemResponse, Problem> {
        let item = self
            .item_service()
            .patch(
                &Scope::of([Key::from(request.cart_id)]).seen_by(&context),
                &Key::from(request.item_id),
                &request.body,
            )
            .await?;
        Ok(UpdateCartItemResponse::Ok(item))
    }
}
