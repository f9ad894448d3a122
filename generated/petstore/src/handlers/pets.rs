//! Handlers for the operations tagged `pets`.
//!
//! Implement the methods of [`PetsApi`] below; every method you leave out answers
//! 501 Not Implemented. The trait's docs show each signature; for example:
//!
//! ```text
//! async fn list_pets(&self, context: RequestContext, request: ListPetsRequest) -> Result<ListPetsResponse, Problem> {
//!     todo!()
//! }
//! ```
//!
//! Operations:
//! - `list_pets`: `GET /pets`
//! - `create_pet`: `POST /pets`
//! - `get_pet`: `GET /pets/{petId}`
//! - `replace_pet`: `PUT /pets/{petId}`
//! - `delete_pet`: `DELETE /pets/{petId}`
//! - `update_pet`: `PATCH /pets/{petId}`

#[allow(unused_imports)]
use crate::generated::api::pets::*;

use super::Handlers;
#[allow(unused_imports)]
use crate::generated::{Problem, RequestContext, models};

impl PetsApi for Handlers {}
