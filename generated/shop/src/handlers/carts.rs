//! Handlers for the operations tagged `carts`.
//!
//! Implement the methods of [`CartsApi`] below; every method you leave out answers
//! 501 Not Implemented. The trait's docs show each signature; for example:
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

#[allow(unused_imports)]
use crate::generated::api::carts::*;

use super::Handlers;
#[allow(unused_imports)]
use crate::generated::{Problem, RequestContext, models};

impl CartsApi for Handlers {}
