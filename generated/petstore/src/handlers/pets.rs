// specgen:id src/handlers/pets.rs (keep this line: regen finds the file by it if you move it)
//! Handlers for the operations tagged `pets`.
//!
//! The methods of [`PetsApi`] below come written: operations that manage a stored
//! resource call its service; the others answer the spec's example until you
//! implement them (marked TODO). A method you delete answers 501 Not Implemented.
//! The trait's docs show each signature; for example:
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

use super::Handlers;
use crate::generated::api::pets::{
    CreatePetRequest, CreatePetResponse, DeletePetRequest, DeletePetResponse, GetPetRequest,
    GetPetResponse, ListPetsRequest, ListPetsResponse, PetsApi, ReplacePetRequest,
    ReplacePetResponse, UpdatePetRequest, UpdatePetResponse,
};
use crate::generated::resources::PETS_LISTING;
use crate::generated::runtime::store::{Key, ListQuery, Scope};
use crate::generated::{Problem, RequestContext};

impl Handlers {
    /// The `pets` service, on the handlers' database.
    pub(crate) fn pet_service(&self) -> crate::services::PetService {
        crate::services::PetService::new(crate::repositories::SqlPetRepository::new(
            self.db.clone(),
        ))
    }
}

impl PetsApi for Handlers {
    async fn list_pets(
        &self,
        _context: RequestContext,
        request: ListPetsRequest,
    ) -> Result<ListPetsResponse, Problem> {
        let query = ListQuery::new()
            .limit(request.limit)
            .offset(request.offset)
            .filter("status", request.status)
            .filter("tag", request.tag);
        let page = self.pet_service().list(&Scope::root(), &query).await?;
        Ok(ListPetsResponse::Ok(PETS_LISTING.body(&page)?))
    }

    async fn create_pet(
        &self,
        context: RequestContext,
        request: CreatePetRequest,
    ) -> Result<CreatePetResponse, Problem> {
        let (key, item) = self
            .pet_service()
            .create(&Scope::root().seen_by(&context), &request.body)
            .await?;
        Ok(CreatePetResponse::Created {
            body: item,
            location: format!("/pets/{key}"),
        })
    }

    async fn get_pet(
        &self,
        _context: RequestContext,
        request: GetPetRequest,
    ) -> Result<GetPetResponse, Problem> {
        let item = self
            .pet_service()
            .get(&Scope::root(), &Key::from(request.pet_id))
            .await?;
        Ok(GetPetResponse::Ok(item))
    }

    async fn replace_pet(
        &self,
        context: RequestContext,
        request: ReplacePetRequest,
    ) -> Result<ReplacePetResponse, Problem> {
        let item = self
            .pet_service()
            .replace(
                &Scope::root().seen_by(&context),
                &Key::from(request.pet_id),
                &request.body,
            )
            .await?;
        Ok(ReplacePetResponse::Ok(item))
    }

    async fn delete_pet(
        &self,
        context: RequestContext,
        request: DeletePetRequest,
    ) -> Result<DeletePetResponse, Problem> {
        self.pet_service()
            .delete(&Scope::root().seen_by(&context), &Key::from(request.pet_id))
            .await?;
        Ok(DeletePetResponse::NoContent)
    }

    async fn update_pet(
        &self,
        context: RequestContext,
        request: UpdatePetRequest,
    ) -> Result<UpdatePetResponse, Problem> {
        let item = self
            .pet_service()
            .patch(
                &Scope::root().seen_by(&context),
                &Key::from(request.pet_id),
                &request.body,
            )
            .await?;
        Ok(UpdatePetResponse::Ok(item))
    }
}
