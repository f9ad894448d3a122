// specgen:id src/authorize.rs (keep this line: regen finds the file by it if you move it)
//! Rules of your own about who may call what, in one place: [`Authorize::authorize`] runs
//! for every operation, after the spec's security requirements passed and before the
//! handler. It allows everything until you add rules; answer a [`Problem`] to refuse.
//!
//! Object-level rules (a caller's own items) are the store's: secured handlers pass
//! `Scope::root().seen_by(&context)`, and the README's *Security model* says how to
//! change them. This hook is for the rest: roles (RBAC), attributes of the caller or the
//! request (ABAC), feature flags, maintenance windows.

use crate::generated::api::{Authorize, OperationId};
use crate::generated::{Problem, RequestContext};
use crate::handlers::Handlers;

impl Authorize for Handlers {
    async fn authorize(
        &self,
        context: &RequestContext,
        operation: OperationId,
    ) -> Result<(), Problem> {
        // For example, only editors (and administrators) may call `deleteUser`:
        //
        // if operation == OperationId::DeleteUser
        //     && !context.principal.as_ref().is_some_and(|p| p.admin || p.has_role("editor"))
        // {
        //     return Err(Problem::forbidden().with_detail("only editors may do this"));
        // }
        let _ = (context, operation);
        Ok(())
    }
}
