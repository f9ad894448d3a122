//! Authentication and authorization: checks a request against an operation's `security`
//! requirements and finds out who sent it.
//!
//! The spec's security schemes become [`Scheme`] constants and each operation's `security`
//! a list of [`Requirement`]s, with OpenAPI's semantics: the requirements are alternatives
//! (any one may succeed), the schemes inside one requirement must all succeed, and an empty
//! list means the operation is public. Credentials are checked against an [`AuthConfig`]
//! read from the environment once at start-up:
//!
//! | variable | what it holds |
//! |---|---|
//! | `JWT_SECRET` | the HS256 secret for bearer tokens (at least 32 random bytes) |
//! | `JWT_PUBLIC_KEY_FILE` | path of a PEM public key (RSA, EC or Ed25519) for RS256/ES256/... tokens |
//! | `JWT_JWKS_FILE` | path of a local JWK Set; the token's `kid` picks the key |
//! | `JWT_ISSUER` | the accepted `iss` (comma-separated for several); checked when set |
//! | `JWT_AUDIENCE` | the accepted `aud` (comma-separated for several); checked when set |
//! | `API_KEYS` | comma-separated `id=key`, `id=sha256:<hex>` or bare `key` (ids `key1`, `key2`...) |
//! | `BASIC_USERS` | comma-separated `user=<argon2 PHC hash>` (see [`hash_password`]) |
//! | `APP_ENV` | `production`/`prod` turns missing credentials into a start-up error |
//!
//! Failures are RFC 9457 problems: 401 with a `WWW-Authenticate` challenge per scheme when
//! no alternative has valid credentials, 403 with `error="insufficient_scope"` when one has
//! valid credentials but lacks the scopes the operation requires.
//!
//! One file per job: `config` reads the environment and applies the production/development
//! policy; `jwt`, `api_key` and `basic` each read and check one kind of credential; `check`
//! combines them into [`authenticate`] and the [`require`] middleware.
//!
//! The runtime's features follow the spec: bearer tokens need the `jwt` feature
//! (jsonwebtoken) and HTTP basic the `basic-auth` feature (argon2), both on by default.
//! Without one, the stand-in in `disabled.rs` takes its module's place with the same API, so
//! the rest of the crate and the generated code compile unchanged, and a configuration that
//! needs the missing scheme is an error at start-up.

use std::borrow::Cow;

use crate::params::Location;

mod api_key;
mod check;
mod config;
#[cfg(not(all(feature = "jwt", feature = "basic-auth")))]
mod disabled;
#[cfg(test)]
mod test_support;

#[cfg(feature = "basic-auth")]
mod basic;
#[cfg(not(feature = "basic-auth"))]
use disabled::basic;

#[cfg(feature = "jwt")]
mod jwt;
#[cfg(not(feature = "jwt"))]
use disabled::jwt;

pub use basic::hash_password;
pub use check::{authenticate, identify, require};
pub use config::AuthConfig;

/// A security scheme as the spec declares it (generated code writes these as consts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `http` bearer, `oauth2` and `openIdConnect`: a bearer JWT.
    Bearer { name: &'static str },
    /// `http` basic.
    Basic { name: &'static str },
    /// `apiKey`, sent in `location` under `parameter`.
    ApiKey {
        name: &'static str,
        location: Location,
        parameter: &'static str,
    },
    /// A scheme this server cannot check (e.g. HTTP `digest`): it never succeeds, so an
    /// operation that needs it answers 401 instead of being served unprotected.
    Unsupported {
        name: &'static str,
        /// The HTTP authentication scheme to name in `WWW-Authenticate`, e.g. `Digest`.
        challenge: &'static str,
    },
}

impl Scheme {
    /// The scheme's name in the spec (`components.securitySchemes`).
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Bearer { name }
            | Scheme::Basic { name }
            | Scheme::ApiKey { name, .. }
            | Scheme::Unsupported { name, .. } => name,
        }
    }
}

/// One alternative of an operation's `security`: every scheme must succeed, with its scopes.
#[derive(Debug, Clone, Copy)]
pub struct Requirement {
    pub schemes: &'static [(Scheme, &'static [&'static str])],
}

/// Which kinds of scheme an API uses (so [`AuthConfig::from_env`] knows what must be
/// configured).
#[derive(Debug, Clone, Copy, Default)]
pub struct Needs {
    pub bearer: bool,
    pub api_key: bool,
    pub basic: bool,
}

/// A configuration problem (the message names the variable to fix) or a failure to mint a
/// token or hash a password.
#[derive(Debug)]
pub struct AuthError {
    message: String,
}

impl AuthError {
    fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

impl std::fmt::Display for AuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AuthError {}

/// What checking one credential source found.
#[derive(Debug, Clone)]
enum Outcome {
    /// The request does not carry this credential.
    Missing,
    /// It carries one, but it is wrong; the reason is safe to show the client.
    Invalid(Cow<'static, str>),
    Valid(Verified),
}

/// A verified credential.
#[derive(Debug, Clone)]
struct Verified {
    subject: String,
    scopes: Vec<String>,
    roles: Vec<String>,
}

/// The scopes and roles configuration attaches to an API key or a basic user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Grants {
    scopes: Vec<String>,
    roles: Vec<String>,
}

/// Splits a configured name with grants, `ci[products:write role:admin]`, into the name
/// and what it is granted: space-separated scopes, and roles written `role:<name>`. A name
/// without brackets is granted nothing. `variable` names the setting, for the error.
fn name_and_grants(text: &str, variable: &str) -> Result<(String, Grants), AuthError> {
    let text = text.trim();
    let Some((name, rest)) = text.split_once('[') else {
        return Ok((text.to_owned(), Grants::default()));
    };
    let Some(inside) = rest.strip_suffix(']') else {
        return Err(AuthError::new(format!(
            "{variable}: `{text}` opens `[` without closing it at the end of the name; write \
             `name[scope role:admin]=...`"
        )));
    };
    let mut grants = Grants::default();
    for grant in inside.split_whitespace() {
        match grant.strip_prefix("role:") {
            Some("") => {
                return Err(AuthError::new(format!(
                    "{variable}: `{text}` has `role:` without a role name"
                )));
            }
            Some(role) => grants.roles.push(role.to_owned()),
            None => grants.scopes.push(grant.to_owned()),
        }
    }
    Ok((name.trim().to_owned(), grants))
}
