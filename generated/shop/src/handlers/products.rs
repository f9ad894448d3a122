// specgen:id src/handlers/products.rs (keep this line: regen finds the file by it if you move it)
//! Handlers for the operations tagged `products`.
//!
//! The methods of [`ProductsApi`] below come written: operations that manage a stored
//! resource call its service; the others answer the spec's example until you
//! implement them (marked TODO). A method you delete answers 501 Not Implemented.
//! The trait's docs show each signature; for example:
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

use super::Handlers;
use crate::generated::api::products::{
    CreateProductRequest, CreateProductResponse, DeleteProductRequest, DeleteProductResponse,
    GetProductRequest, GetProductResponse, ListProductsRequest, ListProductsResponse, ProductsApi,
    ReplaceProductRequest, ReplaceProductResponse, UpdateProductRequest, UpdateProductResponse,
};
use crate::generated::resources::PRODUCTS_LISTING;
use crate::generated::runtime::store::{Key, ListQuery, Scope};
use crate::generated::{Problem, RequestContext};

impl Handlers {
    /// The `products` service, on the handlers' database.
    pub(crate) fn product_service(&self) -> crate::services::ProductService {
        crate::services::ProductService::new(crate::repositories::SqlProductRepository::new(
            self.db.clone(),
        ))
    }
}

impl ProductsApi for Handlers {
    async fn list_products(
        &self,
        _context: RequestContext,
        request: ListProductsRequest,
    ) -> Result<ListProductsResponse, Problem> {
        let query = ListQuery::new()
            .limit(request.limit)
            .offset(request.offset)
            .sort(request.sort)
            .filter("category", request.category);
        let page = self.product_service().list(&Scope::root(), &query).await?;
        Ok(ListProductsResponse::Ok(PRODUCTS_LISTING.body(&page)?))
    }

    async fn create_product(
        &self,
        context: RequestContext,
        request: CreateProductRequest,
    ) -> Result<CreateProductResponse, Problem> {
        let (key, item) = self
            .product_service()
            .create(&Scope::root().seen_by(&context), &request.body)
            .await?;
        Ok(CreateProductResponse::Created {
            body: item,
            location: format!("/products/{key}"),
        })
    }

    async fn get_product(
        &self,
        _context: RequestContext,
        request: GetProductRequest,
    ) -> Result<GetProductResponse, Problem> {
        let item = self
            .product_service()
            .get(&Scope::root(), &Key::from(request.product_id))
            .await?;
        Ok(GetProductResponse::Ok(item))
    }

    async fn replace_product(
        &self,
        context: RequestContext,
        request: ReplaceProductRequest,
    ) -> Result<ReplaceProductResponse, Problem> {
        let item = self
            .product_service()
            .replace(
                &Scope::root().seen_by(&context),
                &Key::from(request.product_id),
                &request.body,
            )
            .await?;
        Ok(ReplaceProductResponse::Ok(item))
    }

    async fn delete_product(
        &self,
        context: RequestContext,
        request: DeleteProductRequest,
    ) -> Result<DeleteProductResponse, Problem> {
        self.product_service()
            .delete(
                &Scope::root().seen_by(&context),
                &Key::from(request.product_id),
            )
            .await?;
        Ok(DeleteProductResponse::NoContent)
    }

    async fn update_product(
        &self,
        context: RequestContext,
        request: UpdateProductRequest,
    ) -> Result<UpdateProductResponse, Problem> {
        let item = self
            .product_service()
            .patch(
                &Scope::root().seen_by(&context),
                &Key::from(request.product_id),
                &request.body,
            )
            .await?;
        Ok(UpdateProductResponse::Ok(item))
    }
}
