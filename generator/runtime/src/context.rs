//! What a handler knows about a request besides its parameters.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

/// The header that carries a request's correlation id.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Per-request context handed to every handler method.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestContext {
    /// The request's correlation id (from `X-Request-Id`), for logs and error reports.
    pub request_id: Option<String>,
    /// Who made the request, once authenticated.
    pub principal: Option<Principal>,
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The subject: a user id, a key id or a user name.
    pub subject: String,
    /// The scopes the credential grants.
    pub scopes: Vec<String>,
    /// The security scheme (name in the spec) that authenticated it.
    pub scheme: String,
}

impl<S: Send + Sync> FromRequestParts<S> for RequestContext {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let request_id = parts
            .headers
            .get(REQUEST_ID_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let principal = parts.extensions.get::<Principal>().cloned();
        Ok(Self {
            request_id,
            principal,
        })
    }
}
