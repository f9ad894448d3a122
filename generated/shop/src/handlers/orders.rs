//! Handlers for the operations tagged `orders`.
//!
//! Implement the methods of [`OrdersApi`] below; every method you leave out answers
//! 501 Not Implemented. The trait's docs show each signature; for example:
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

#[allow(unused_imports)]
use crate::generated::api::orders::*;

use super::Handlers;
#[allow(unused_imports)]
use crate::generated::{Problem, RequestContext, models};

impl OrdersApi for Handlers {}
