// specgen:id src/handlers/orders.rs (keep this line: regen finds the file by it if you move it)
//! Handlers for the operations tagged `orders`.
//!
//! The methods of [`OrdersApi`] below come written: operations that manage a stored
//! resource call its service; the others answer the spec's example until you
//! implement them (marked TODO). A method you delete answers 501 Not Implemented.
//! The trait's docs show each signature; for example:
//!
//! ```text
//! async fn list_orders(&self, context: RequestContext, request: ListOrdersRequest) -> Result<ListOrdersResponse, Problem> {
//!     todo!()
//! }
//! ```
//!
//! Operations:
//! - `list_orders`: `GET /orders`
//! - `create_order`: `POST /orders`
//! - `get_order`: `GET /orders/{orderId}`

use super::Handlers;
use crate::generated::api::orders::{
    CreateOrderRequest, CreateOrderResponse, GetOrderRequest, GetOrderResponse, ListOrdersRequest,
    ListOrdersResponse, OrdersApi,
};
use crate::generated::resources::ORDERS_LISTING;
use crate::generated::runtime::store::{Key, ListQuery, Scope};
use crate::generated::{Problem, RequestContext};

impl Handlers {
    /// The `orders` service, on the handlers' database.
    pub(crate) fn order_service(&self) -> crate::services::OrderService {
        crate::services::OrderService::new(crate::repositories::SqlOrderRepository::new(
            self.db.clone(),
        ))
    }
}

impl OrdersApi for Handlers {
    async fn list_orders(
        &self,
        context: RequestContext,
        request: ListOrdersRequest,
    ) -> Result<ListOrdersResponse, Problem> {
        let query = ListQuery::new().limit(request.limit).cursor(request.cursor);
        let page = self
            .order_service()
            .list(&Scope::root().seen_by(&context), &query)
            .await?;
        Ok(ListOrdersResponse::Ok(ORDERS_LISTING.body(&page)?))
    }

    async fn create_order(
        &self,
        context: RequestContext,
        request: CreateOrderRequest,
    ) -> Result<CreateOrderResponse, Problem> {
        let (key, item) = self
            .order_service()
            .create(&Scope::root().seen_by(&context), &request.body)
            .await?;
        Ok(CreateOrderResponse::Created {
            body: item,
            location: format!("/orders/{key}"),
        })
    }

    async fn get_order(
        &self,
        context: RequestContext,
        request: GetOrderRequest,
    ) -> Result<GetOrderResponse, Problem> {
        let item = self
            .order_service()
            .get(
                &Scope::root().seen_by(&context),
                &Key::from(request.order_id),
            )
            .await?;
        Ok(GetOrderResponse::Ok(item))
    }
}
