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
    /// The roles the credential grants: a token's roles claim (`JWT_ROLES_CLAIM`), or the
    /// `role:` grants configured for an API key or basic user.
    pub roles: Vec<String>,
    /// Holds one of the administrator roles or scopes (`ADMIN_ROLES`, `ADMIN_SCOPES`):
    /// sees and manages every item of every resource, whoever owns it.
    pub admin: bool,
    /// The kind of credential that authenticated it.
    pub credential: Credential,
    /// The security scheme (name in the spec) that authenticated it.
    pub scheme: String,
}

/// The kind of credential a principal presented. Subjects are unique within a kind only:
/// the API key `alice` and the token subject `alice` are different callers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// A bearer JWT (`http` bearer, `oauth2`, `openIdConnect`).
    Token,
    /// An API key, by its id.
    ApiKey,
    /// An HTTP basic user.
    Basic,
}

impl Credential {
    fn prefix(self) -> &'static str {
        match self {
            Credential::Token => "token",
            Credential::ApiKey => "key",
            Credential::Basic => "user",
        }
    }
}

impl Principal {
    /// A principal with no scopes or roles, for tests and server code.
    pub fn new(
        subject: impl Into<String>,
        credential: Credential,
        scheme: impl Into<String>,
    ) -> Self {
        Self {
            subject: subject.into(),
            scopes: Vec::new(),
            roles: Vec::new(),
            admin: false,
            credential,
            scheme: scheme.into(),
        }
    }

    /// Whether the credential grants `role`.
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }

    /// Whether the credential grants `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// What the owner column of the items this principal creates holds:
    /// `<kind>:<subject>` (`token:alice`, `key:ci`, `user:bob`).
    pub fn owner_id(&self) -> String {
        format!("{}:{}", self.credential.prefix(), self.subject)
    }
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
