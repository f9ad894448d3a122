//! Handlers for the operations tagged `products`.
//!
//! Implement the methods of [`ProductsApi`] below; every method you leave out answers
//! 501 Not Implemented. The trait's docs show each signature; for example:
//!
//! ```text
//! async fn list_products(&self, context: RequestContext, request: ListProductsRequest) -> Result<ListProductsResponse, Problem> {
//!     todo!()
//! }
//! ```
//!
//! Operations:
//! - `list_products`: `GET /products`
//! - `create_product`: `POST /products`
//! - `get_product`: `GET /products/{productId}`
//! - `replace_product`: `PUT /products/{productId}`
//! - `delete_product`: `DELETE /products/{productId}`
//! - `update_product`: `PATCH /products/{productId}`

#[allow(unused_imports)]
use crate::generated::api::products::*;

use super::Handlers;
#[allow(unused_imports)]
use crate::generated::{Problem, RequestContext, models};

impl ProductsApi for Handlers {}
