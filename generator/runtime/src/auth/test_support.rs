//! Fixtures shared by the auth modules' unit tests: one test configuration, the schemes and
//! requirements they check against, and request builders. Fixtures that only the tests of
//! one scheme use are compiled with that scheme.

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::http::Request as HttpRequest;
use axum::http::header;
use axum::http::request::Parts;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::{AuthConfig, AuthError, Needs, Requirement, Scheme};
use crate::params::Location;
use crate::problem::Problem;

pub(super) const SECRET: &str = "test-secret-that-is-at-least-32-bytes-long";
pub(super) const BEARER: Scheme = Scheme::Bearer { name: "bearerAuth" };
#[cfg(feature = "jwt")]
pub(super) const OAUTH: Scheme = Scheme::Bearer { name: "oauth" };
pub(super) const BASIC: Scheme = Scheme::Basic { name: "basicAuth" };
pub(super) const HEADER_KEY: Scheme = Scheme::ApiKey {
    name: "headerKey",
    location: Location::Header,
    parameter: "X-API-Key",
};
pub(super) const BEARER_ONLY: &[Requirement] = &[Requirement {
    schemes: &[(BEARER, &[])],
}];
#[cfg(feature = "jwt")]
pub(super) const READ_WRITE: &[Requirement] = &[Requirement {
    schemes: &[(OAUTH, &["posts:read", "posts:write"])],
}];
pub(super) const HEADER_ONLY: &[Requirement] = &[Requirement {
    schemes: &[(HEADER_KEY, &[])],
}];
pub(super) const BASIC_ONLY: &[Requirement] = &[Requirement {
    schemes: &[(BASIC, &[])],
}];

/// One test configuration for the whole suite: argon2 runs once.
pub(super) fn config() -> &'static AuthConfig {
    static CONFIG: OnceLock<AuthConfig> = OnceLock::new();
    CONFIG.get_or_init(|| AuthConfig::for_tests(SECRET, "k3y", "alice", "wonderland"))
}

/// A cheap argon2 hash of `password`, for `BASIC_USERS` values.
#[cfg(feature = "basic-auth")]
pub(super) fn cheap_hash(password: &str) -> String {
    use argon2::{Argon2, PasswordHasher};

    let params = argon2::Params::new(argon2::Params::MIN_M_COST, 1, 1, None).unwrap();
    Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password(password.as_bytes())
        .unwrap()
        .to_string()
}

pub(super) fn from_vars(needs: Needs, vars: &[(&str, &str)]) -> Result<AuthConfig, AuthError> {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    AuthConfig::from_lookup(needs, move |name| vars.get(name).cloned())
}

pub(super) fn request(uri: &str, headers: &[(&str, &str)]) -> Parts {
    let mut builder = HttpRequest::builder().uri(uri);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(()).unwrap().into_parts().0
}

pub(super) fn bearer(token: &str) -> Parts {
    request("/", &[("authorization", &format!("Bearer {token}"))])
}

pub(super) fn basic(user: &str, password: &str) -> Parts {
    let credentials = BASE64.encode(format!("{user}:{password}"));
    request("/", &[("authorization", &format!("Basic {credentials}"))])
}

/// A token minted by `config`, valid for five minutes.
#[cfg(feature = "jwt")]
pub(super) fn mint(config: &AuthConfig, subject: &str, scopes: &[&str]) -> String {
    let scopes: Vec<String> = scopes.iter().map(|s| (*s).to_owned()).collect();
    config
        .mint_token(subject, &scopes, std::time::Duration::from_secs(300))
        .unwrap()
}

pub(super) fn challenges(problem: &Problem) -> Vec<String> {
    problem
        .headers
        .get_all(header::WWW_AUTHENTICATE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}
