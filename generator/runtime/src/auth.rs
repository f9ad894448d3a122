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

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::{JwkSet, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

use super::context::Principal;
use super::params::Location;
use super::problem::Problem;

/// The realm named in every challenge.
const REALM: &str = "api";

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

    /// Where the scheme's credential is read from. Several bearer schemes (an `oauth2` and
    /// an `http` bearer, say) read the same header, so they share one source and the token
    /// is verified once per request.
    fn source(self) -> Source {
        match self {
            Scheme::Bearer { .. } => Source::Bearer,
            Scheme::Basic { .. } => Source::Basic,
            Scheme::ApiKey {
                location,
                parameter,
                ..
            } => Source::ApiKey(location, parameter),
            Scheme::Unsupported { challenge, .. } => Source::Unsupported(challenge),
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

/// Everything needed to check credentials: JWT keys and claims policy, API keys and basic
/// users. Built once at start-up and shared (behind an `Arc`) by every request.
pub struct AuthConfig {
    /// Keys that verify bearer tokens, from `JWT_SECRET`, `JWT_PUBLIC_KEY_FILE` and
    /// `JWT_JWKS_FILE`, in that order.
    verify_keys: Vec<VerifyKey>,
    /// The HS256 key that signs minted tokens (`JWT_SECRET` or the ephemeral one).
    signing_key: Option<EncodingKey>,
    issuers: Vec<String>,
    audiences: Vec<String>,
    /// The claims policy for each algorithm some key accepts, built once from the keys,
    /// issuers and audiences: a `Validation` holds hash sets, and building one per request
    /// cost a tenth of a token check.
    validations: Vec<Validation>,
    api_keys: Vec<ApiKey>,
    basic_users: Vec<BasicUser>,
}

/// A key that verifies bearer tokens, with the algorithms it accepts. Restricting each key
/// to its own family stops algorithm confusion (an HS256 token "signed" with a public key).
struct VerifyKey {
    /// The JWKS `kid`; `None` for `JWT_SECRET` and `JWT_PUBLIC_KEY_FILE`.
    kid: Option<String>,
    algorithms: Vec<Algorithm>,
    key: DecodingKey,
}

/// One `API_KEYS` entry. Only the SHA-256 of the key is kept, so plain and hashed entries
/// are compared the same way: digest against digest, in constant time and at one length.
struct ApiKey {
    id: String,
    digest: [u8; 32],
}

/// One `BASIC_USERS` entry.
struct BasicUser {
    name: String,
    hash: PasswordHash,
}

impl std::fmt::Debug for AuthConfig {
    /// Shows what is configured, never a secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthConfig")
            .field("verify_keys", &self.verify_keys.len())
            .field("can_mint", &self.signing_key.is_some())
            .field("issuers", &self.issuers)
            .field("audiences", &self.audiences)
            .field(
                "api_keys",
                &self.api_keys.iter().map(|k| &k.id).collect::<Vec<_>>(),
            )
            .field(
                "basic_users",
                &self.basic_users.iter().map(|u| &u.name).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl AuthConfig {
    /// Reads `JWT_SECRET` / `JWT_PUBLIC_KEY_FILE` / `JWT_JWKS_FILE` / `JWT_ISSUER` /
    /// `JWT_AUDIENCE` / `API_KEYS` / `BASIC_USERS` / `APP_ENV` from the process
    /// environment (see [`Self::from_lookup`]).
    pub fn from_env(needs: Needs) -> Result<Self, AuthError> {
        Self::from_lookup(needs, |name| std::env::var(name).ok())
    }

    /// Same as [`Self::from_env`], from an explicit lookup function (tests use this instead
    /// of the process environment). An empty variable counts as unset.
    ///
    /// A variable that is set but malformed is always an error. A credential store the API
    /// needs but nobody configured is an error when `APP_ENV` is `production` (or `prod`),
    /// so a server never starts in production with a made-up secret; in any other
    /// environment (the default is `development`) bearer tokens get an ephemeral random
    /// secret and a warning, and API keys or basic users a warning (those operations then
    /// answer 401 to everyone).
    pub fn from_lookup(
        needs: Needs,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, AuthError> {
        let var = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let environment = var("APP_ENV")
            .map(|value| value.trim().to_owned())
            .unwrap_or_else(|| "development".to_owned());
        let production = matches!(
            environment.to_ascii_lowercase().as_str(),
            "production" | "prod"
        );

        let mut verify_keys = Vec::new();
        let mut signing_key = None;
        if let Some(secret) = var("JWT_SECRET") {
            if secret.len() < 32 {
                tracing::warn!(
                    "JWT_SECRET is shorter than 32 bytes; HS256 needs a random secret of at least 256 bits"
                );
            }
            verify_keys.push(hmac_key(secret.as_bytes()));
            signing_key = Some(EncodingKey::from_secret(secret.as_bytes()));
        }
        if let Some(path) = var("JWT_PUBLIC_KEY_FILE") {
            verify_keys.push(read_public_key(path.trim())?);
        }
        if let Some(path) = var("JWT_JWKS_FILE") {
            verify_keys.extend(read_jwks(path.trim())?);
        }
        if needs.bearer && verify_keys.is_empty() {
            if production {
                return Err(AuthError::new(format!(
                    "APP_ENV={environment} and this API accepts bearer tokens, but no key to verify \
                     them is configured: set JWT_SECRET (a random string of at least 32 bytes, for \
                     HS256), JWT_PUBLIC_KEY_FILE (the path of a PEM public key, for RS256/ES256) or \
                     JWT_JWKS_FILE (the path of a JWKS file)"
                )));
            }
            let secret = format!(
                "{}{}",
                uuid::Uuid::new_v4().simple(),
                uuid::Uuid::new_v4().simple()
            );
            tracing::warn!(
                "JWT_SECRET, JWT_PUBLIC_KEY_FILE and JWT_JWKS_FILE are not set: bearer tokens are \
                 checked against an ephemeral random HS256 secret, so no token survives a restart \
                 and tokens minted by another process will not verify (APP_ENV={environment}; in \
                 production this is an error). Set JWT_SECRET to a random string of at least 32 \
                 bytes, then mint a token with the `token` subcommand (`cargo run -- token --help`)"
            );
            verify_keys.push(hmac_key(secret.as_bytes()));
            signing_key = Some(EncodingKey::from_secret(secret.as_bytes()));
        }

        let api_keys = match var("API_KEYS") {
            Some(text) => parse_api_keys(&text)?,
            None => Vec::new(),
        };
        if needs.api_key && api_keys.is_empty() {
            if production {
                return Err(AuthError::new(format!(
                    "APP_ENV={environment} and this API accepts API keys, but none is configured: \
                     set API_KEYS to comma-separated `id=key` or `id=sha256:<hex of the key's \
                     SHA-256>` entries"
                )));
            }
            tracing::warn!(
                "API_KEYS is not set: every request to an operation that needs an API key gets 401 \
                 (APP_ENV={environment}; in production this is an error). Set API_KEYS to \
                 comma-separated `id=key` or `id=sha256:<hex>` entries"
            );
        }

        let basic_users = match var("BASIC_USERS") {
            Some(text) => parse_basic_users(&text)?,
            None => Vec::new(),
        };
        if needs.basic && basic_users.is_empty() {
            if production {
                return Err(AuthError::new(format!(
                    "APP_ENV={environment} and this API accepts HTTP basic authentication, but no \
                     user is configured: set BASIC_USERS to comma-separated `user=<argon2 hash>` \
                     entries (make a hash with the `hash-password` subcommand)"
                )));
            }
            tracing::warn!(
                "BASIC_USERS is not set: every request to an operation that needs HTTP basic \
                 authentication gets 401 (APP_ENV={environment}; in production this is an error). \
                 Set BASIC_USERS to comma-separated `user=<argon2 hash>` entries (make a hash with \
                 the `hash-password` subcommand)"
            );
        }

        let issuers = list(var("JWT_ISSUER"));
        let audiences = list(var("JWT_AUDIENCE"));
        Ok(Self {
            validations: validations(&verify_keys, &issuers, &audiences),
            verify_keys,
            signing_key,
            issuers,
            audiences,
            api_keys,
            basic_users,
        })
    }

    /// A fixed configuration for generated tests: HS256 secret `secret`, one API key
    /// `test=<api_key>`, one basic user `user` with password `password`, no issuer or
    /// audience check.
    ///
    /// The password is hashed once, here, with argon2's minimum cost (8 KiB, one pass), so
    /// test suites stay fast in debug builds; production hashes come from
    /// [`hash_password`], whose cost is argon2's recommended default.
    pub fn for_tests(secret: &str, api_key: &str, user: &str, password: &str) -> Self {
        let cheap = argon2::Params::new(argon2::Params::MIN_M_COST, 1, 1, None)
            .expect("argon2's minimum parameters are valid");
        let hash = Argon2::new(
            argon2::Algorithm::default(),
            argon2::Version::default(),
            cheap,
        )
        .hash_password(password.as_bytes())
        .expect("hashing a test password with a fresh salt succeeds");
        let verify_keys = vec![hmac_key(secret.as_bytes())];
        Self {
            validations: validations(&verify_keys, &[], &[]),
            verify_keys,
            signing_key: Some(EncodingKey::from_secret(secret.as_bytes())),
            issuers: Vec::new(),
            audiences: Vec::new(),
            api_keys: vec![ApiKey {
                id: "test".to_owned(),
                digest: sha256(api_key.as_bytes()),
            }],
            basic_users: vec![BasicUser {
                name: user.to_owned(),
                hash,
            }],
        }
    }

    /// A signed HS256 JWT for `subject` with `scopes` (a space-separated `scope` claim),
    /// valid from now for `ttl`, carrying the configured issuer and audience (the first of
    /// each) so this server accepts it. Errors when the configuration has no HS256 secret:
    /// tokens for public-key setups come from whoever holds the private key.
    pub fn mint_token(
        &self,
        subject: &str,
        scopes: &[String],
        ttl: Duration,
    ) -> Result<String, AuthError> {
        let Some(key) = &self.signing_key else {
            return Err(AuthError::new(
                "minting a token needs JWT_SECRET (HS256); with JWT_PUBLIC_KEY_FILE or \
                 JWT_JWKS_FILE, tokens come from the identity provider that holds the private key",
            ));
        };
        if subject.is_empty() {
            return Err(AuthError::new("the token's subject must not be empty"));
        }
        if let Some(scope) = scopes
            .iter()
            .find(|s| s.is_empty() || s.chars().any(char::is_whitespace))
        {
            return Err(AuthError::new(format!(
                "scope `{scope}` is empty or contains whitespace; give each scope separately"
            )));
        }
        let now = jsonwebtoken::get_current_timestamp();
        let claims = MintedClaims {
            sub: subject,
            scope: (!scopes.is_empty()).then(|| scopes.join(" ")),
            iat: now,
            nbf: now,
            exp: now.saturating_add(ttl.as_secs()),
            iss: self.issuers.first().map(String::as_str),
            aud: self.audiences.first().map(String::as_str),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, key)
            .map_err(|error| AuthError::new(format!("cannot sign the token: {error}")))
    }

    /// Verifies a bearer token: signature (key picked by `kid` and `alg`), `exp` (required),
    /// `nbf`, `iss` and `aud` (required and checked when configured), `sub` (required).
    fn verify_token(&self, token: &str) -> Result<Verified, Cow<'static, str>> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| Cow::Borrowed("the token is not a well-formed JWT"))?;
        let key = self.key_for(&header).ok_or(Cow::Borrowed(
            "no configured key verifies tokens with this `kid` and `alg`",
        ))?;
        let validation = self
            .validations
            .iter()
            .find(|validation| validation.algorithms == [header.alg])
            .ok_or(Cow::Borrowed(
                "no configured key verifies tokens with this `kid` and `alg`",
            ))?;
        let data = jsonwebtoken::decode::<Claims>(token, key, validation)
            .map_err(|error| describe_jwt_error(error.kind()))?;
        let claims = data.claims;
        let subject = claims
            .sub
            .ok_or(Cow::Borrowed("the token has no `sub` claim"))?;
        let mut scopes = Vec::new();
        for claim in [claims.scope, claims.scp].into_iter().flatten() {
            for scope in claim.into_scopes() {
                if !scopes.contains(&scope) {
                    scopes.push(scope);
                }
            }
        }
        Ok(Verified { subject, scopes })
    }

    /// The key for a token: a JWKS key with the token's `kid`, else a key without a `kid`
    /// (the secret or the PEM key) that accepts the token's `alg`.
    fn key_for(&self, header: &Header) -> Option<&DecodingKey> {
        let accepts = |key: &&VerifyKey| key.algorithms.contains(&header.alg);
        let by_kid = header.kid.as_deref().and_then(|kid| {
            self.verify_keys
                .iter()
                .filter(|key| key.kid.as_deref() == Some(kid))
                .find(accepts)
        });
        by_kid
            .or_else(|| {
                self.verify_keys
                    .iter()
                    .filter(|key| key.kid.is_none())
                    .find(accepts)
            })
            .map(|key| &key.key)
    }

    /// The id of the API key `presented`, comparing its SHA-256 with every entry in
    /// constant time (no early exit, no data-dependent branch).
    fn api_key_id(&self, presented: &str) -> Option<&str> {
        let digest = sha256(presented.as_bytes());
        let mut found = Choice::from(0);
        let mut index = 0u64;
        for (i, key) in self.api_keys.iter().enumerate() {
            let equal = digest[..].ct_eq(&key.digest[..]);
            index = u64::conditional_select(&index, &(i as u64), equal);
            found |= equal;
        }
        if bool::from(found) {
            let index = usize::try_from(index).ok()?;
            self.api_keys.get(index).map(|key| key.id.as_str())
        } else {
            None
        }
    }

    /// Checks `Authorization: Basic` credentials. An unknown user still costs one argon2
    /// verification (against the first user's hash), so response times do not reveal which
    /// user names exist.
    fn verify_basic(&self, credentials: &str) -> Outcome {
        const WRONG: &str = "the user name or password is wrong";
        let Ok(decoded) = BASE64.decode(credentials) else {
            return Outcome::Invalid("the Basic credentials are not base64".into());
        };
        let Some(colon) = decoded.iter().position(|&byte| byte == b':') else {
            return Outcome::Invalid("the Basic credentials are not `user:password`".into());
        };
        let (user, password) = (&decoded[..colon], &decoded[colon + 1..]);
        let argon2 = Argon2::default();
        let found = std::str::from_utf8(user)
            .ok()
            .and_then(|user| self.basic_users.iter().find(|entry| entry.name == user));
        match found {
            Some(entry) if argon2.verify_password(password, &entry.hash).is_ok() => {
                Outcome::Valid(Verified {
                    subject: entry.name.clone(),
                    scopes: Vec::new(),
                })
            }
            Some(_) => Outcome::Invalid(WRONG.into()),
            None => {
                if let Some(first) = self.basic_users.first() {
                    let _ = argon2.verify_password(password, &first.hash);
                }
                Outcome::Invalid(WRONG.into())
            }
        }
    }

    /// Reads and checks the credential `source` in a request.
    fn evaluate(&self, parts: &Parts, source: Source) -> Outcome {
        match source {
            Source::Bearer => match authorization(parts, "bearer") {
                None => Outcome::Missing,
                Some(Err(reason)) => Outcome::Invalid(reason.into()),
                Some(Ok("")) => Outcome::Invalid("the bearer token is empty".into()),
                Some(Ok(token)) => match self.verify_token(token) {
                    Ok(verified) => Outcome::Valid(verified),
                    Err(reason) => Outcome::Invalid(reason),
                },
            },
            Source::Basic => match authorization(parts, "basic") {
                None => Outcome::Missing,
                Some(Err(reason)) => Outcome::Invalid(reason.into()),
                Some(Ok(credentials)) => self.verify_basic(credentials),
            },
            Source::Unsupported(challenge) => Outcome::Invalid(
                format!("this server cannot check `{challenge}` credentials").into(),
            ),
            Source::ApiKey(location, parameter) => {
                let presented = match api_key_value(parts, location, parameter) {
                    None => return Outcome::Missing,
                    Some(Err(reason)) => return Outcome::Invalid(reason.into()),
                    Some(Ok(value)) => value,
                };
                match self.api_key_id(&presented) {
                    Some(id) => Outcome::Valid(Verified {
                        subject: id.to_owned(),
                        scopes: Vec::new(),
                    }),
                    None => Outcome::Invalid("it is not a known API key".into()),
                }
            }
        }
    }
}

/// The claims policy for each algorithm the keys accept: signature by that algorithm, `exp`
/// and `sub` required, `nbf` checked, `iss` and `aud` required and checked when configured.
fn validations(keys: &[VerifyKey], issuers: &[String], audiences: &[String]) -> Vec<Validation> {
    let mut algorithms: Vec<Algorithm> = Vec::new();
    for &algorithm in keys.iter().flat_map(|key| &key.algorithms) {
        if !algorithms.contains(&algorithm) {
            algorithms.push(algorithm);
        }
    }
    algorithms
        .into_iter()
        .map(|algorithm| {
            let mut validation = Validation::new(algorithm);
            validation.validate_nbf = true;
            let mut required = vec!["exp", "sub"];
            if !issuers.is_empty() {
                validation.set_issuer(issuers);
                required.push("iss");
            }
            if audiences.is_empty() {
                // Not configured, not checked: a token for another audience is the
                // operator's call, and jsonwebtoken would otherwise reject every token that
                // has an `aud`.
                validation.validate_aud = false;
            } else {
                validation.set_audience(audiences);
                required.push("aud");
            }
            validation.set_required_spec_claims(&required);
            validation
        })
        .collect()
}

/// Authenticates a request against the operation's alternatives. `Ok(None)` for public
/// operations (no alternatives) and for optional authentication (an empty alternative,
/// `{}`) when no other alternative succeeds.
///
/// The first alternative whose schemes all succeed with their scopes wins; its principal is
/// its first scheme's, with the union of the scopes of all its schemes. When none succeeds:
/// 403 `insufficient_scope` if some alternative had valid credentials but lacked scopes,
/// otherwise 401 with a challenge for every scheme that could have been used.
pub fn authenticate(
    config: &AuthConfig,
    parts: &Parts,
    alternatives: &[Requirement],
) -> Result<Option<Principal>, Problem> {
    if alternatives.is_empty() {
        return Ok(None);
    }
    let mut outcomes: Vec<(Source, Outcome)> = Vec::new();
    let mut anonymous = false;
    let mut insufficient: Option<(&Requirement, Vec<&str>)> = None;
    for requirement in alternatives {
        if requirement.schemes.is_empty() {
            anonymous = true;
            continue;
        }
        let mut principal: Option<Principal> = None;
        let mut authenticated = true;
        let mut missing_scopes: Vec<&str> = Vec::new();
        for &(scheme, scopes) in requirement.schemes {
            let source = scheme.source();
            let outcome = match outcomes.iter().find(|(s, _)| *s == source) {
                Some((_, outcome)) => outcome,
                None => {
                    let outcome = config.evaluate(parts, source);
                    outcomes.push((source, outcome));
                    &outcomes[outcomes.len() - 1].1
                }
            };
            let Outcome::Valid(verified) = outcome else {
                authenticated = false;
                continue;
            };
            missing_scopes.extend(
                scopes
                    .iter()
                    .copied()
                    .filter(|scope| !verified.scopes.iter().any(|s| s == scope)),
            );
            match &mut principal {
                None => {
                    principal = Some(Principal {
                        subject: verified.subject.clone(),
                        scopes: verified.scopes.clone(),
                        scheme: scheme.name().to_owned(),
                    })
                }
                Some(principal) => {
                    for scope in &verified.scopes {
                        if !principal.scopes.contains(scope) {
                            principal.scopes.push(scope.clone());
                        }
                    }
                }
            }
        }
        if !authenticated {
            continue;
        }
        if missing_scopes.is_empty() {
            return Ok(principal);
        }
        if insufficient.is_none() {
            insufficient = Some((requirement, missing_scopes));
        }
    }
    if anonymous {
        return Ok(None);
    }
    Err(match insufficient {
        Some((requirement, missing)) => forbidden(requirement, &missing),
        None => unauthorized(alternatives, &outcomes),
    })
}

/// axum middleware (use with `axum::middleware::from_fn_with_state`): authenticates,
/// inserts the [`Principal`] into the request extensions (where `RequestContext` finds
/// it), or answers with the problem.
///
/// Argon2 verification takes tens of milliseconds of CPU by design, so requests carrying
/// basic credentials are checked on tokio's blocking pool instead of stalling a worker.
pub async fn require(
    State((config, alternatives)): State<(Arc<AuthConfig>, &'static [Requirement])>,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let needs_argon2 = alternatives.iter().any(|requirement| {
        requirement
            .schemes
            .iter()
            .any(|(scheme, _)| matches!(scheme, Scheme::Basic { .. }))
    }) && matches!(authorization(&parts, "basic"), Some(Ok(_)));
    let result = if needs_argon2 {
        let snapshot = parts.clone();
        let config = Arc::clone(&config);
        tokio::task::spawn_blocking(move || authenticate(&config, &snapshot, alternatives))
            .await
            .unwrap_or_else(|error| {
                Err(Problem::internal(format!(
                    "the authentication task failed: {error}"
                )))
            })
    } else {
        authenticate(&config, &parts, alternatives)
    };
    match result {
        Ok(principal) => {
            if let Some(principal) = principal {
                parts.extensions.insert(principal);
            }
            next.run(Request::from_parts(parts, body)).await
        }
        Err(problem) => problem.into_response(),
    }
}

/// An argon2id PHC hash of `password` with a fresh random salt and argon2's recommended
/// cost, for `BASIC_USERS`.
pub fn hash_password(password: &str) -> Result<String, AuthError> {
    if password.is_empty() {
        return Err(AuthError::new("the password is empty"));
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|error| AuthError::new(format!("cannot hash the password: {error}")))
}

/// Where a credential is read from (see [`Scheme::source`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Bearer,
    Basic,
    ApiKey(Location, &'static str),
    Unsupported(&'static str),
}

impl Source {
    /// What the client should send, for the 401 detail.
    fn describe(self) -> String {
        match self {
            Source::Bearer => "a bearer token (`Authorization: Bearer <token>`)".to_owned(),
            Source::Basic => {
                "a user name and password (`Authorization: Basic <credentials>`)".to_owned()
            }
            Source::ApiKey(location, parameter) => {
                format!("an API key in {}", describe_parameter(location, parameter))
            }
            Source::Unsupported(challenge) => {
                format!("`{challenge}` credentials, which this server cannot check")
            }
        }
    }
}

fn describe_parameter(location: Location, parameter: &str) -> String {
    match location {
        Location::Header => format!("the `{parameter}` header"),
        Location::Query => format!("the `{parameter}` query parameter"),
        Location::Cookie => format!("the `{parameter}` cookie"),
        Location::Path => format!("the `{parameter}` path parameter"),
    }
}

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
}

/// The claims read from a bearer token.
#[derive(Deserialize)]
struct Claims {
    sub: Option<String>,
    scope: Option<ScopeClaim>,
    scp: Option<ScopeClaim>,
}

/// `scope` (RFC 8693: space-separated) or `scp` (Microsoft, Okta: an array or a string).
/// Both forms are accepted in both claims.
#[derive(Deserialize)]
#[serde(untagged)]
enum ScopeClaim {
    Text(String),
    List(Vec<String>),
}

impl ScopeClaim {
    fn into_scopes(self) -> Vec<String> {
        match self {
            ScopeClaim::Text(text) => text.split_whitespace().map(str::to_owned).collect(),
            ScopeClaim::List(list) => list,
        }
    }
}

/// The claims of a minted token.
#[derive(Serialize)]
struct MintedClaims<'a> {
    sub: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<String>,
    iat: u64,
    nbf: u64,
    exp: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    iss: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    aud: Option<&'a str>,
}

/// Why a token was rejected, for `error_description` (RFC 6750 allows no `"` or `\` here).
fn describe_jwt_error(kind: &ErrorKind) -> Cow<'static, str> {
    match kind {
        ErrorKind::ExpiredSignature => "the token has expired".into(),
        ErrorKind::ImmatureSignature => "the token is not valid yet (`nbf`)".into(),
        ErrorKind::InvalidIssuer => "the token's issuer (`iss`) is not accepted".into(),
        ErrorKind::InvalidAudience => "the token's audience (`aud`) is not accepted".into(),
        ErrorKind::InvalidSignature => "the token's signature does not verify".into(),
        ErrorKind::InvalidAlgorithm => "the token's algorithm is not accepted".into(),
        ErrorKind::MissingRequiredClaim(claim) => {
            format!("the token has no `{claim}` claim").into()
        }
        ErrorKind::InvalidClaimFormat(claim) => {
            format!("the token's `{claim}` claim is malformed").into()
        }
        ErrorKind::Json(_) => "the token's claims are malformed".into(),
        _ => "the token is malformed".into(),
    }
}

/// The credentials of the first `Authorization` header using `scheme` (case-insensitive):
/// `None` when there is none, `Err` when an `Authorization` header is not text.
fn authorization<'a>(parts: &'a Parts, scheme: &str) -> Option<Result<&'a str, &'static str>> {
    let mut garbled = false;
    for value in parts.headers.get_all(header::AUTHORIZATION) {
        let Ok(value) = value.to_str() else {
            garbled = true;
            continue;
        };
        let value = value.trim();
        let (word, rest) = value.split_once(' ').unwrap_or((value, ""));
        if word.eq_ignore_ascii_case(scheme) {
            return Some(Ok(rest.trim()));
        }
    }
    garbled.then_some(Err("the Authorization header is not visible ASCII text"))
}

/// The API key sent in `location` under `parameter`: `None` when absent.
fn api_key_value(
    parts: &Parts,
    location: Location,
    parameter: &str,
) -> Option<Result<String, &'static str>> {
    match location {
        Location::Header => parts.headers.get(parameter).map(|value| {
            value
                .to_str()
                .map(str::to_owned)
                .map_err(|_| "it is not visible ASCII text")
        }),
        Location::Query => parts.uri.query().and_then(|query| {
            form_urlencoded::parse(query.as_bytes())
                .find(|(name, _)| name == parameter)
                .map(|(_, value)| Ok(value.into_owned()))
        }),
        Location::Cookie => super::request::cookie_value(&parts.headers, parameter)
            .map(|value| Ok(value.to_owned())),
        // OpenAPI has no `in: path` API keys; nothing can be read from there.
        Location::Path => None,
    }
}

/// 401: no alternative had valid credentials. One challenge per credential source the
/// alternatives name (in their order); the detail says what was wrong or what to send.
fn unauthorized(alternatives: &[Requirement], outcomes: &[(Source, Outcome)]) -> Problem {
    let mut problems = Vec::new();
    let mut challenges = Vec::new();
    for (source, outcome) in outcomes {
        let reason = match outcome {
            Outcome::Invalid(reason) => Some(reason),
            _ => None,
        };
        if let Some(reason) = reason {
            problems.push(match source {
                Source::Bearer => format!("the bearer token was rejected: {reason}"),
                Source::Basic => format!("basic authentication failed: {reason}"),
                Source::ApiKey(location, parameter) => format!(
                    "the API key in {} was rejected: {reason}",
                    describe_parameter(*location, parameter)
                ),
                Source::Unsupported(challenge) => format!("`{challenge}` credentials: {reason}"),
            });
        }
        challenges.push(match source {
            Source::Bearer => match reason {
                Some(reason) => format!(
                    "Bearer realm=\"{REALM}\", error=\"invalid_token\", error_description={}",
                    quote(reason)
                ),
                None => format!("Bearer realm=\"{REALM}\""),
            },
            Source::Basic => format!("Basic realm=\"{REALM}\""),
            Source::ApiKey(location, parameter) => format!(
                "ApiKey realm=\"{REALM}\", in=\"{}\", name={}",
                location.as_str(),
                quote(parameter)
            ),
            Source::Unsupported(challenge) => format!("{challenge} realm=\"{REALM}\""),
        });
    }
    let detail = if problems.is_empty() {
        let mut options: Vec<String> = Vec::new();
        for requirement in alternatives {
            let mut parts: Vec<String> = Vec::new();
            for (scheme, _) in requirement.schemes {
                let description = scheme.source().describe();
                if !parts.contains(&description) {
                    parts.push(description);
                }
            }
            let option = parts.join(" and ");
            if !option.is_empty() && !options.contains(&option) {
                options.push(option);
            }
        }
        format!(
            "this operation requires authentication: send {}",
            options.join(", or ")
        )
    } else {
        problems.join("; ")
    };
    tracing::debug!(%detail, "request not authenticated");
    let mut problem = Problem::new(StatusCode::UNAUTHORIZED).with_detail(detail);
    for challenge in challenges {
        if let Ok(value) = HeaderValue::from_str(&challenge) {
            problem = problem.with_header(header::WWW_AUTHENTICATE, value);
        }
    }
    problem
}

/// 403: valid credentials without the scopes `requirement` asks for. The bearer challenge
/// lists every scope the requirement needs (RFC 6750 section 3.1).
fn forbidden(requirement: &Requirement, missing: &[&str]) -> Problem {
    let detail = format!(
        "the credentials are valid but lack the scope{} this operation requires: {}",
        if missing.len() == 1 { "" } else { "s" },
        missing.join(", ")
    );
    tracing::debug!(%detail, "request lacks scopes");
    let mut problem = Problem::new(StatusCode::FORBIDDEN).with_detail(detail);
    let has_bearer = requirement
        .schemes
        .iter()
        .any(|(scheme, _)| matches!(scheme, Scheme::Bearer { .. }));
    if has_bearer {
        let mut required: Vec<&str> = Vec::new();
        for scope in requirement.schemes.iter().flat_map(|(_, scopes)| *scopes) {
            if !required.contains(scope) {
                required.push(scope);
            }
        }
        let challenge = format!(
            "Bearer error=\"insufficient_scope\", scope={}",
            quote(&required.join(" "))
        );
        if let Ok(value) = HeaderValue::from_str(&challenge) {
            problem = problem.with_header(header::WWW_AUTHENTICATE, value);
        }
    }
    problem
}

/// `text` as an HTTP quoted-string.
fn quote(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        if c == '"' || c == '\\' {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    quoted.push('"');
    quoted
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// A comma-separated variable as a list, blanks dropped.
fn list(value: Option<String>) -> Vec<String> {
    value
        .map(|text| {
            text.split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn hmac_key(secret: &[u8]) -> VerifyKey {
    VerifyKey {
        kid: None,
        algorithms: vec![Algorithm::HS256, Algorithm::HS384, Algorithm::HS512],
        key: DecodingKey::from_secret(secret),
    }
}

/// Reads `JWT_PUBLIC_KEY_FILE`: an RSA, EC or Ed25519 public key (or certificate) in PEM.
fn read_public_key(path: &str) -> Result<VerifyKey, AuthError> {
    let pem = std::fs::read(path).map_err(|error| {
        AuthError::new(format!(
            "JWT_PUBLIC_KEY_FILE: cannot read `{path}`: {error}"
        ))
    })?;
    if pem.windows(11).any(|window| window == b"PRIVATE KEY") {
        return Err(AuthError::new(format!(
            "JWT_PUBLIC_KEY_FILE: `{path}` holds a private key; give the server only the public \
             key (e.g. `openssl pkey -in private.pem -pubout -out public.pem`)"
        )));
    }
    let key = DecodingKey::from_rsa_pem(&pem)
        .or_else(|_| DecodingKey::from_ec_pem(&pem))
        .or_else(|_| DecodingKey::from_ed_pem(&pem))
        .map_err(|_| {
            AuthError::new(format!(
                "JWT_PUBLIC_KEY_FILE: `{path}` is not an RSA, EC or Ed25519 public key in PEM \
                 format (`-----BEGIN PUBLIC KEY-----`)"
            ))
        })?;
    Ok(VerifyKey {
        kid: None,
        algorithms: key.family().algorithms().to_vec(),
        key,
    })
}

/// Reads `JWT_JWKS_FILE`: a JWK Set (`{"keys": [...]}`). Encryption keys and key types
/// jsonwebtoken cannot verify with are skipped with a warning; a key's `alg`, when given,
/// is the only algorithm it accepts.
fn read_jwks(path: &str) -> Result<Vec<VerifyKey>, AuthError> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| AuthError::new(format!("JWT_JWKS_FILE: cannot read `{path}`: {error}")))?;
    let set: JwkSet = serde_json::from_str(&text).map_err(|error| {
        AuthError::new(format!(
            "JWT_JWKS_FILE: `{path}` is not a JWK Set (`{{\"keys\": [...]}}`): {error}"
        ))
    })?;
    let mut keys = Vec::new();
    for jwk in &set.keys {
        let kid = jwk.common.key_id.clone();
        if matches!(jwk.common.public_key_use, Some(PublicKeyUse::Encryption)) {
            continue;
        }
        let key = match DecodingKey::from_jwk(jwk) {
            Ok(key) => key,
            Err(error) => {
                tracing::warn!(?kid, %error, "JWT_JWKS_FILE: skipping a key that cannot verify tokens");
                continue;
            }
        };
        let algorithms = match jwk.common.key_algorithm.map(Algorithm::try_from) {
            None => key.family().algorithms().to_vec(),
            Some(Ok(algorithm)) if algorithm.family() == key.family() => vec![algorithm],
            Some(_) => {
                tracing::warn!(
                    ?kid,
                    "JWT_JWKS_FILE: skipping a key whose `alg` does not fit it"
                );
                continue;
            }
        };
        keys.push(VerifyKey {
            kid,
            algorithms,
            key,
        });
    }
    if keys.is_empty() {
        return Err(AuthError::new(format!(
            "JWT_JWKS_FILE: `{path}` has no key that can verify tokens"
        )));
    }
    Ok(keys)
}

/// Parses `API_KEYS`: comma-separated `id=key`, `id=sha256:<64 hex digits>` or bare `key`
/// entries (the n-th bare key gets the id `key<n>`). An entry is split at its first `=`,
/// so a key containing `=` needs an id.
fn parse_api_keys(text: &str) -> Result<Vec<ApiKey>, AuthError> {
    let mut keys: Vec<ApiKey> = Vec::new();
    let mut bare = 0;
    for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (id, key) = match entry.split_once('=') {
            Some((id, key)) => (id.trim().to_owned(), key.trim()),
            None => {
                bare += 1;
                (format!("key{bare}"), entry)
            }
        };
        if id.is_empty() {
            return Err(AuthError::new(
                "API_KEYS: an entry has nothing before its `=`; write `id=key`",
            ));
        }
        if key.is_empty() {
            return Err(AuthError::new(format!(
                "API_KEYS: the entry `{id}` has an empty key"
            )));
        }
        let digest = match key.strip_prefix("sha256:") {
            Some(hex) => decode_sha256_hex(hex).ok_or_else(|| {
                AuthError::new(format!(
                    "API_KEYS: the entry `{id}` must be `sha256:` followed by the 64 hex digits \
                     of the key's SHA-256 (e.g. `printf %s KEY | sha256sum`)"
                ))
            })?,
            None => sha256(key.as_bytes()),
        };
        if let Some(other) = keys.iter().find(|k| k.id == id || k.digest == digest) {
            return Err(AuthError::new(if other.id == id {
                format!("API_KEYS: the id `{id}` appears twice")
            } else {
                format!("API_KEYS: `{}` and `{id}` have the same key", other.id)
            }));
        }
        keys.push(ApiKey { id, digest });
    }
    Ok(keys)
}

fn decode_sha256_hex(hex: &str) -> Option<[u8; 32]> {
    let hex = hex.trim().as_bytes();
    if hex.len() != 64 {
        return None;
    }
    let mut digest = [0u8; 32];
    for (byte, pair) in digest.iter_mut().zip(hex.chunks(2)) {
        let text = std::str::from_utf8(pair).ok()?;
        *byte = u8::from_str_radix(text, 16).ok()?;
    }
    Some(digest)
}

/// Parses `BASIC_USERS`: comma-separated `user=<argon2 PHC hash>` entries, each split at
/// its first `=`.
///
/// Argon2 PHC strings contain commas themselves (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`),
/// so a comma only ends an entry when the hash so far is past its parameters; a fragment
/// that continues the parameter list (`t=2`, `p=1$salt$hash`) is glued back on.
fn parse_basic_users(text: &str) -> Result<Vec<BasicUser>, AuthError> {
    let mut entries: Vec<String> = Vec::new();
    for fragment in text.split(',') {
        let starts_entry = fragment
            .split_once('=')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('$'));
        match entries.last_mut() {
            Some(entry) if !starts_entry && in_phc_params(entry) => {
                entry.push(',');
                entry.push_str(fragment);
            }
            _ => entries.push(fragment.to_owned()),
        }
    }
    let mut users: Vec<BasicUser> = Vec::new();
    for entry in entries.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
        let Some((name, hash)) = entry.split_once('=') else {
            return Err(AuthError::new(format!(
                "BASIC_USERS: the entry starting `{}` is not `user=<argon2 hash>`",
                entry.chars().take(12).collect::<String>()
            )));
        };
        let (name, hash) = (name.trim(), hash.trim());
        if name.is_empty() || name.contains(':') {
            return Err(AuthError::new(format!(
                "BASIC_USERS: `{name}` is not a usable user name (empty, or contains `:`)"
            )));
        }
        let invalid = |why: &str| {
            AuthError::new(format!(
                "BASIC_USERS: the hash for `{name}` {why}; make one with the `hash-password` \
                 subcommand (and quote the value: it contains `$`)"
            ))
        };
        let hash = PasswordHash::new(hash).map_err(|_| invalid("is not a PHC string"))?;
        argon2::Algorithm::try_from(hash.algorithm.as_str())
            .map_err(|_| invalid("is not an argon2 hash"))?;
        argon2::Params::try_from(&hash).map_err(|_| invalid("has invalid argon2 parameters"))?;
        if hash.salt.is_none() || hash.hash.is_none() {
            return Err(invalid("has no salt or no hash"));
        }
        if users.iter().any(|user| user.name == name) {
            return Err(AuthError::new(format!(
                "BASIC_USERS: the user `{name}` appears twice"
            )));
        }
        users.push(BasicUser {
            name: name.to_owned(),
            hash,
        });
    }
    Ok(users)
}

/// Whether a `BASIC_USERS` entry being read ends inside its hash's parameter list
/// (`...$m=19456`), where a comma separates parameters rather than entries.
fn in_phc_params(entry: &str) -> bool {
    match entry.split_once('=') {
        Some((_, hash)) if hash.trim_start().starts_with('$') => hash
            .rsplit('$')
            .next()
            .is_some_and(|last| last.contains('=')),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::OnceLock;

    use axum::http::Request as HttpRequest;
    use serde_json::json;

    use super::*;

    const SECRET: &str = "test-secret-that-is-at-least-32-bytes-long";
    const BEARER: Scheme = Scheme::Bearer { name: "bearerAuth" };
    const OAUTH: Scheme = Scheme::Bearer { name: "oauth" };
    const BASIC: Scheme = Scheme::Basic { name: "basicAuth" };
    const HEADER_KEY: Scheme = Scheme::ApiKey {
        name: "headerKey",
        location: Location::Header,
        parameter: "X-API-Key",
    };
    const QUERY_KEY: Scheme = Scheme::ApiKey {
        name: "queryKey",
        location: Location::Query,
        parameter: "api_key",
    };
    const COOKIE_KEY: Scheme = Scheme::ApiKey {
        name: "cookieKey",
        location: Location::Cookie,
        parameter: "session",
    };

    const BEARER_ONLY: &[Requirement] = &[Requirement {
        schemes: &[(BEARER, &[])],
    }];
    const READ_WRITE: &[Requirement] = &[Requirement {
        schemes: &[(OAUTH, &["posts:read", "posts:write"])],
    }];
    const HEADER_ONLY: &[Requirement] = &[Requirement {
        schemes: &[(HEADER_KEY, &[])],
    }];
    const BASIC_ONLY: &[Requirement] = &[Requirement {
        schemes: &[(BASIC, &[])],
    }];
    const KEY_AND_TOKEN: &[Requirement] = &[Requirement {
        schemes: &[(HEADER_KEY, &[]), (OAUTH, &["posts:read"])],
    }];
    const KEY_OR_TOKEN: &[Requirement] = &[
        Requirement {
            schemes: &[(OAUTH, &["posts:read"])],
        },
        Requirement {
            schemes: &[(HEADER_KEY, &[])],
        },
    ];

    // A P-256 key pair made for these tests only (never used anywhere else).
    const EC_PRIVATE_PEM: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQguGni1xeO7Od4Jc3Q
/mmxWioON9/iT531VvSYVw8ukamhRANCAARQ+e3R21SSjvDdGjtcUKF23L0XiFMG
vttD3PR33Xc9WeYm/Yzc465MXN5AsWejIX5IU9YNq4up2CbiF/ja2R8Y
-----END PRIVATE KEY-----
";
    const EC_PUBLIC_PEM: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEUPnt0dtUko7w3Ro7XFChdty9F4hT
Br7bQ9z0d913PVnmJv2M3OOuTFzeQLFnoyF+SFPWDauLqdgm4hf42tkfGA==
-----END PUBLIC KEY-----
";
    const EC_X: &str = "UPnt0dtUko7w3Ro7XFChdty9F4hTBr7bQ9z0d913PVk";
    const EC_Y: &str = "5ib9jNzjrkxc3kCxZ6MhfkhT1g2ri6nYJuIX-NrZHxg";
    // The public half of a test-only RSA key, and an RS256 token it signed (kid `rsa-1`,
    // sub `rsa-user`, scope `read`, exp 2100-01-01).
    const RSA_N: &str = "rG_XLowOWlqkqFjQ9BqtMtOsknwpX44xRVlk3Cs00-N1pI3r_gqtrirZLqJScVNAjel2PLk4rQeb-jXf97M-dn2rbmNPyxmlP6geGx7sXPYLkHPkfcfI25H64sZEf5C3sCTA0lAtR8ays3rABTlGtxLN-1hJCWHxkLaLuE53wq1WzDGlXcOpXqccdoFYuiCjBZ7V-u6gqNXfHRjIl1L3YyE98dnRDkOknX9pq0jGUfBZ6KdTwfbssAM7lmkGyadcYkfUo_UgOJwMIOI5U_8kYns73s7ln6SD2zT4hPi_VUQGufQuSOsO0Ta0AzSYjAa6WYfxRZrHZ84yydo3zfkGfw";
    const RSA_TOKEN: &str = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6InJzYS0xIn0.eyJzdWIiOiJyc2EtdXNlciIsInNjb3BlIjoicmVhZCIsImV4cCI6NDEwMjQ0NDgwMH0.WitjsjvI4qmyxlKYOYG7LHm2RfzjNkCkiS7Gi57SRsWn0MP-8uJfmrQn_mLNZHWy0LbyDHztiyO-hBIAEuvB2R4HvURplI1wcqHnXZeuvCXoUTx1gNmVsz441uNN9PzAFqoSkqbeeWw1w7mU4fWCSgomXxS1WyvUaZ626n7nxVNfsMnb6TuQExZj8N6_YlcuasjfXByCIHHECf8qJ6Ni848LdOZJ8zDYz9IylXnY9GolMDu2O4v1x9XVIR_S-nDHz-eYorVtRCDtxvFiWutzmcR0ayT05hFCpk4tjFYJThcEbI3SZxiMf6NtQBuyd6KBTHcYzgA6cA5DWXP3KoZHEw";

    /// One test configuration for the whole suite: argon2 runs once.
    fn config() -> &'static AuthConfig {
        static CONFIG: OnceLock<AuthConfig> = OnceLock::new();
        CONFIG.get_or_init(|| AuthConfig::for_tests(SECRET, "k3y", "alice", "wonderland"))
    }

    /// A cheap argon2 hash of `password`, for `BASIC_USERS` values.
    fn cheap_hash(password: &str) -> String {
        let params = argon2::Params::new(argon2::Params::MIN_M_COST, 1, 1, None).unwrap();
        Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
            .hash_password(password.as_bytes())
            .unwrap()
            .to_string()
    }

    fn from_vars(needs: Needs, vars: &[(&str, &str)]) -> Result<AuthConfig, AuthError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        AuthConfig::from_lookup(needs, move |name| vars.get(name).cloned())
    }

    fn request(uri: &str, headers: &[(&str, &str)]) -> Parts {
        let mut builder = HttpRequest::builder().uri(uri);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(()).unwrap().into_parts().0
    }

    fn bearer(token: &str) -> Parts {
        request("/", &[("authorization", &format!("Bearer {token}"))])
    }

    fn basic(user: &str, password: &str) -> Parts {
        let credentials = BASE64.encode(format!("{user}:{password}"));
        request("/", &[("authorization", &format!("Basic {credentials}"))])
    }

    fn sign(secret: &str, claims: serde_json::Value) -> String {
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(secret.as_bytes()),
        )
        .unwrap()
    }

    fn now() -> u64 {
        jsonwebtoken::get_current_timestamp()
    }

    fn mint(config: &AuthConfig, subject: &str, scopes: &[&str]) -> String {
        let scopes: Vec<String> = scopes.iter().map(|s| (*s).to_owned()).collect();
        config
            .mint_token(subject, &scopes, Duration::from_secs(300))
            .unwrap()
    }

    fn challenges(problem: &Problem) -> Vec<String> {
        problem
            .headers
            .get_all(header::WWW_AUTHENTICATE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    /// Asserts a 401 whose bearer challenge says `invalid_token`, returning its detail.
    fn assert_invalid_token(result: Result<Option<Principal>, Problem>) -> String {
        let problem = result.unwrap_err();
        assert_eq!(problem.status, 401);
        let challenge = &challenges(&problem)[0];
        assert!(
            challenge.starts_with("Bearer realm=\"api\", error=\"invalid_token\""),
            "{challenge}"
        );
        problem.detail.clone().unwrap()
    }

    fn temp_file(contents: &str) -> std::path::PathBuf {
        let path = std::env::temp_dir().join(format!("auth-test-{}", uuid::Uuid::new_v4()));
        std::fs::write(&path, contents).unwrap();
        path
    }

    #[test]
    fn a_valid_bearer_token_authenticates_its_subject() {
        let token = mint(config(), "user-1", &["posts:read"]);
        let principal = authenticate(config(), &bearer(&token), BEARER_ONLY)
            .unwrap()
            .unwrap();
        assert_eq!(principal.subject, "user-1");
        assert_eq!(principal.scopes, ["posts:read"]);
        assert_eq!(principal.scheme, "bearerAuth");
    }

    #[test]
    fn an_expired_token_is_401_invalid_token() {
        let token = sign(SECRET, json!({"sub": "u", "exp": now() - 3600}));
        let detail = assert_invalid_token(authenticate(config(), &bearer(&token), BEARER_ONLY));
        assert!(detail.contains("expired"), "{detail}");
    }

    #[test]
    fn a_token_not_valid_yet_is_401() {
        let token = sign(
            SECRET,
            json!({"sub": "u", "exp": now() + 7200, "nbf": now() + 3600}),
        );
        let detail = assert_invalid_token(authenticate(config(), &bearer(&token), BEARER_ONLY));
        assert!(detail.contains("not valid yet"), "{detail}");
    }

    #[test]
    fn a_token_signed_with_another_secret_is_401() {
        let token = sign(
            "another-secret-that-is-at-least-32-bytes",
            json!({"sub": "u", "exp": now() + 60}),
        );
        let detail = assert_invalid_token(authenticate(config(), &bearer(&token), BEARER_ONLY));
        assert!(detail.contains("signature"), "{detail}");
    }

    #[test]
    fn tokens_without_exp_or_sub_or_well_formed_shape_are_401() {
        for token in [
            sign(SECRET, json!({"sub": "u"})),
            sign(SECRET, json!({"exp": now() + 60})),
            "not.a.jwt".to_owned(),
        ] {
            assert_invalid_token(authenticate(config(), &bearer(&token), BEARER_ONLY));
        }
        let problem = authenticate(config(), &bearer(""), BEARER_ONLY).unwrap_err();
        assert_eq!(problem.status, 401);
    }

    #[test]
    fn the_issuer_is_checked_when_configured() {
        let config = from_vars(
            Needs::default(),
            &[
                ("JWT_SECRET", SECRET),
                ("JWT_ISSUER", "https://issuer.test"),
            ],
        )
        .unwrap();
        let exp = now() + 60;
        let good = sign(
            SECRET,
            json!({"sub": "u", "exp": exp, "iss": "https://issuer.test"}),
        );
        let wrong = sign(
            SECRET,
            json!({"sub": "u", "exp": exp, "iss": "https://evil"}),
        );
        let missing = sign(SECRET, json!({"sub": "u", "exp": exp}));
        assert!(authenticate(&config, &bearer(&good), BEARER_ONLY).is_ok());
        let detail = assert_invalid_token(authenticate(&config, &bearer(&wrong), BEARER_ONLY));
        assert!(detail.contains("iss"), "{detail}");
        assert_invalid_token(authenticate(&config, &bearer(&missing), BEARER_ONLY));
    }

    #[test]
    fn the_audience_is_checked_when_configured() {
        let strict = from_vars(
            Needs::default(),
            &[("JWT_SECRET", SECRET), ("JWT_AUDIENCE", "blog-api")],
        )
        .unwrap();
        let exp = now() + 60;
        let good = sign(SECRET, json!({"sub": "u", "exp": exp, "aud": "blog-api"}));
        let listed = sign(
            SECRET,
            json!({"sub": "u", "exp": exp, "aud": ["other", "blog-api"]}),
        );
        let wrong = sign(SECRET, json!({"sub": "u", "exp": exp, "aud": "other-api"}));
        assert!(authenticate(&strict, &bearer(&good), BEARER_ONLY).is_ok());
        assert!(authenticate(&strict, &bearer(&listed), BEARER_ONLY).is_ok());
        let detail = assert_invalid_token(authenticate(&strict, &bearer(&wrong), BEARER_ONLY));
        assert!(detail.contains("aud"), "{detail}");
        // Without JWT_AUDIENCE, `aud` is not checked.
        assert!(authenticate(config(), &bearer(&wrong), BEARER_ONLY).is_ok());
    }

    #[test]
    fn scopes_come_from_scope_or_scp() {
        let exp = now() + 60;
        for claims in [
            json!({"sub": "u", "exp": exp, "scope": "posts:read  posts:write"}),
            json!({"sub": "u", "exp": exp, "scp": ["posts:read", "posts:write"]}),
            json!({"sub": "u", "exp": exp, "scp": "posts:read posts:write"}),
            json!({"sub": "u", "exp": exp, "scope": "posts:read", "scp": ["posts:write"]}),
        ] {
            let token = sign(SECRET, claims);
            let principal = authenticate(config(), &bearer(&token), READ_WRITE)
                .unwrap()
                .unwrap();
            assert_eq!(principal.scopes, ["posts:read", "posts:write"]);
            assert_eq!(principal.scheme, "oauth");
        }
    }

    #[test]
    fn a_missing_scope_is_403_insufficient_scope() {
        let token = mint(config(), "u", &["posts:read"]);
        let problem = authenticate(config(), &bearer(&token), READ_WRITE).unwrap_err();
        assert_eq!(problem.status, 403);
        assert_eq!(
            challenges(&problem),
            ["Bearer error=\"insufficient_scope\", scope=\"posts:read posts:write\""]
        );
        assert!(problem.detail.as_deref().unwrap().contains("posts:write"));
    }

    #[test]
    fn no_credentials_is_401_with_a_plain_challenge() {
        let problem = authenticate(config(), &request("/", &[]), BEARER_ONLY).unwrap_err();
        assert_eq!(problem.status, 401);
        assert_eq!(challenges(&problem), ["Bearer realm=\"api\""]);
        assert!(problem.detail.as_deref().unwrap().contains("bearer token"));
        // A Basic header is not a bearer token.
        let problem = authenticate(config(), &basic("alice", "wonderland"), BEARER_ONLY);
        assert_eq!(challenges(&problem.unwrap_err()), ["Bearer realm=\"api\""]);
    }

    #[test]
    fn api_keys_are_read_from_header_query_and_cookie() {
        const QUERY_ONLY: &[Requirement] = &[Requirement {
            schemes: &[(QUERY_KEY, &[])],
        }];
        const COOKIE_ONLY: &[Requirement] = &[Requirement {
            schemes: &[(COOKIE_KEY, &[])],
        }];
        let cases = [
            (
                HEADER_ONLY,
                request("/", &[("x-api-key", "k3y")]),
                "headerKey",
            ),
            (
                QUERY_ONLY,
                request("/posts?limit=1&api_key=k3y", &[]),
                "queryKey",
            ),
            (
                COOKIE_ONLY,
                request("/", &[("cookie", "a=b; session=k3y")]),
                "cookieKey",
            ),
        ];
        for (alternatives, parts, scheme) in cases {
            let principal = authenticate(config(), &parts, alternatives)
                .unwrap()
                .unwrap();
            assert_eq!(principal.subject, "test");
            assert_eq!(principal.scheme, scheme);
            // The wrong key in the same place is rejected.
            let wrong = request(
                &parts.uri.to_string().replace("k3y", "nope"),
                &[("x-api-key", "nope"), ("cookie", "session=nope")],
            );
            assert_eq!(
                authenticate(config(), &wrong, alternatives)
                    .unwrap_err()
                    .status,
                401
            );
        }
    }

    #[test]
    fn wrong_or_missing_api_keys_are_401() {
        for parts in [
            request("/", &[("x-api-key", "k3y-wrong")]),
            request("/", &[("x-api-key", "")]),
            request("/?X-API-Key=k3y", &[]),
            request("/", &[]),
        ] {
            let problem = authenticate(config(), &parts, HEADER_ONLY).unwrap_err();
            assert_eq!(problem.status, 401);
            assert_eq!(
                challenges(&problem),
                ["ApiKey realm=\"api\", in=\"header\", name=\"X-API-Key\""]
            );
        }
    }

    #[test]
    fn api_keys_parse_plain_hashed_and_bare_entries() {
        let hashed = format!("{:x}", Sha256::digest(b"hashed-key"));
        let config = from_vars(
            Needs {
                api_key: true,
                ..Needs::default()
            },
            &[(
                "API_KEYS",
                &format!(" admin=plain-key , ci=sha256:{hashed}, bare-one,bare-two"),
            )],
        )
        .unwrap();
        let id = |key: &str| config.api_key_id(key).map(str::to_owned);
        assert_eq!(id("plain-key").as_deref(), Some("admin"));
        assert_eq!(id("hashed-key").as_deref(), Some("ci"));
        assert_eq!(id("bare-one").as_deref(), Some("key1"));
        assert_eq!(id("bare-two").as_deref(), Some("key2"));
        // The digest itself is not the key.
        assert_eq!(id(&hashed), None);

        let parts = request("/", &[("x-api-key", "hashed-key")]);
        let principal = authenticate(&config, &parts, HEADER_ONLY).unwrap().unwrap();
        assert_eq!(principal.subject, "ci");

        for bad in ["ci=sha256:abc", "=key", "id=", "a=same,b=same", "a=x,a=y"] {
            let error = from_vars(Needs::default(), &[("API_KEYS", bad)]).unwrap_err();
            assert!(error.to_string().starts_with("API_KEYS"), "{error}");
        }
    }

    #[test]
    fn basic_credentials_are_checked_with_argon2() {
        let principal = authenticate(config(), &basic("alice", "wonderland"), BASIC_ONLY)
            .unwrap()
            .unwrap();
        assert_eq!(principal.subject, "alice");
        assert_eq!(principal.scheme, "basicAuth");
        for parts in [
            basic("alice", "wrong"),
            basic("bob", "wonderland"),
            request("/", &[("authorization", "Basic !!notbase64")]),
            request("/", &[]),
        ] {
            let problem = authenticate(config(), &parts, BASIC_ONLY).unwrap_err();
            assert_eq!(problem.status, 401);
            assert_eq!(challenges(&problem), ["Basic realm=\"api\""]);
        }
    }

    #[test]
    fn basic_users_parse_phc_hashes_with_commas() {
        let (one, two) = (cheap_hash("first"), cheap_hash("second"));
        assert!(
            one.contains(','),
            "PHC parameters are comma-separated: {one}"
        );
        let config = from_vars(
            Needs {
                basic: true,
                ..Needs::default()
            },
            &[("BASIC_USERS", &format!("ann={one}, bo={two}"))],
        )
        .unwrap();
        assert!(authenticate(&config, &basic("ann", "first"), BASIC_ONLY).is_ok());
        assert!(authenticate(&config, &basic("bo", "second"), BASIC_ONLY).is_ok());
        assert!(authenticate(&config, &basic("bo", "first"), BASIC_ONLY).is_err());

        for bad in [
            "ann=plaintext",
            "ann",
            "a:b=$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
        ] {
            let error = from_vars(Needs::default(), &[("BASIC_USERS", bad)]).unwrap_err();
            assert!(error.to_string().starts_with("BASIC_USERS"), "{error}");
        }
    }

    #[test]
    fn every_scheme_of_an_and_requirement_must_succeed() {
        let token = mint(config(), "user-1", &["posts:read"]);
        let auth = format!("Bearer {token}");
        let both = request("/", &[("x-api-key", "k3y"), ("authorization", &auth)]);
        let principal = authenticate(config(), &both, KEY_AND_TOKEN)
            .unwrap()
            .unwrap();
        // The first scheme's subject, the union of the scopes.
        assert_eq!(principal.subject, "test");
        assert_eq!(principal.scheme, "headerKey");
        assert_eq!(principal.scopes, ["posts:read"]);

        let key_only = request("/", &[("x-api-key", "k3y")]);
        let problem = authenticate(config(), &key_only, KEY_AND_TOKEN).unwrap_err();
        assert_eq!(problem.status, 401);
        assert_eq!(challenges(&problem).len(), 2);
        let problem = authenticate(config(), &bearer(&token), KEY_AND_TOKEN).unwrap_err();
        assert_eq!(problem.status, 401);
    }

    #[test]
    fn any_alternative_may_succeed() {
        let token = mint(config(), "user-1", &["posts:read"]);
        let by_token = authenticate(config(), &bearer(&token), KEY_OR_TOKEN)
            .unwrap()
            .unwrap();
        assert_eq!(by_token.scheme, "oauth");
        let by_key = authenticate(
            config(),
            &request("/", &[("x-api-key", "k3y")]),
            KEY_OR_TOKEN,
        )
        .unwrap()
        .unwrap();
        assert_eq!(by_key.scheme, "headerKey");

        // A token without the scope, but a valid key: the key wins.
        let weak = mint(config(), "user-1", &[]);
        let auth = format!("Bearer {weak}");
        let parts = request("/", &[("x-api-key", "k3y"), ("authorization", &auth)]);
        let principal = authenticate(config(), &parts, KEY_OR_TOKEN)
            .unwrap()
            .unwrap();
        assert_eq!(principal.scheme, "headerKey");
        // The same token alone: 403, since its credentials are valid.
        let problem = authenticate(config(), &bearer(&weak), KEY_OR_TOKEN).unwrap_err();
        assert_eq!(problem.status, 403);

        let problem = authenticate(config(), &request("/", &[]), KEY_OR_TOKEN).unwrap_err();
        assert_eq!(problem.status, 401);
        let detail = problem.detail.clone().unwrap();
        assert!(
            detail.contains("bearer token") && detail.contains("X-API-Key"),
            "{detail}"
        );
        assert_eq!(
            challenges(&problem),
            [
                "Bearer realm=\"api\"",
                "ApiKey realm=\"api\", in=\"header\", name=\"X-API-Key\""
            ]
        );
    }

    #[test]
    fn public_and_optional_operations() {
        let anonymous = request("/", &[]);
        assert_eq!(authenticate(config(), &anonymous, &[]).unwrap(), None);
        const OPTIONAL: &[Requirement] = &[
            Requirement { schemes: &[] },
            Requirement {
                schemes: &[(BEARER, &[])],
            },
        ];
        assert_eq!(authenticate(config(), &anonymous, OPTIONAL).unwrap(), None);
        let token = mint(config(), "user-1", &[]);
        let principal = authenticate(config(), &bearer(&token), OPTIONAL).unwrap();
        assert_eq!(principal.unwrap().subject, "user-1");
    }

    #[test]
    fn production_without_credentials_is_an_error() {
        let all = Needs {
            bearer: true,
            api_key: true,
            basic: true,
        };
        let error = from_vars(all, &[("APP_ENV", "production")]).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("JWT_SECRET"), "{message}");
        assert!(message.contains("JWT_PUBLIC_KEY_FILE"), "{message}");

        let with_jwt = [("APP_ENV", "prod"), ("JWT_SECRET", SECRET)];
        let error = from_vars(all, &with_jwt).unwrap_err();
        assert!(error.to_string().contains("API_KEYS"), "{error}");

        let hash = cheap_hash("pw");
        let error = from_vars(
            all,
            &[
                ("APP_ENV", "prod"),
                ("JWT_SECRET", SECRET),
                ("API_KEYS", "a=b"),
            ],
        )
        .unwrap_err();
        assert!(error.to_string().contains("BASIC_USERS"), "{error}");
        let users = format!("u={hash}");
        let complete = [
            ("APP_ENV", "production"),
            ("JWT_SECRET", SECRET),
            ("API_KEYS", "a=b"),
            ("BASIC_USERS", users.as_str()),
        ];
        assert!(from_vars(all, &complete).is_ok());
        // What the API does not use need not be configured.
        assert!(from_vars(Needs::default(), &[("APP_ENV", "production")]).is_ok());
    }

    #[test]
    fn development_uses_an_ephemeral_secret() {
        let needs = Needs {
            bearer: true,
            api_key: true,
            basic: true,
        };
        let config = from_vars(needs, &[]).unwrap();
        let token = mint(&config, "dev", &["posts:read"]);
        let principal = authenticate(&config, &bearer(&token), BEARER_ONLY)
            .unwrap()
            .unwrap();
        assert_eq!(principal.subject, "dev");
        // Another start, another secret.
        let other = from_vars(needs, &[("APP_ENV", "staging")]).unwrap();
        assert!(authenticate(&other, &bearer(&token), BEARER_ONLY).is_err());
        // No API keys configured: every key is rejected.
        let parts = request("/", &[("x-api-key", "anything")]);
        assert_eq!(
            authenticate(&config, &parts, HEADER_ONLY)
                .unwrap_err()
                .status,
            401
        );
    }

    #[test]
    fn minted_tokens_round_trip_with_issuer_and_audience() {
        let config = from_vars(
            Needs::default(),
            &[
                ("JWT_SECRET", SECRET),
                ("JWT_ISSUER", "https://issuer.test"),
                ("JWT_AUDIENCE", "blog-api, admin-api"),
            ],
        )
        .unwrap();
        let token = mint(&config, "user-9", &["posts:read", "posts:write"]);
        let claims: serde_json::Value =
            jsonwebtoken::dangerous::insecure_decode_claims(&token).unwrap();
        assert_eq!(claims["sub"], "user-9");
        assert_eq!(claims["scope"], "posts:read posts:write");
        assert_eq!(claims["iss"], "https://issuer.test");
        assert_eq!(claims["aud"], "blog-api");
        assert_eq!(
            claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
            300
        );
        let principal = authenticate(&config, &bearer(&token), READ_WRITE)
            .unwrap()
            .unwrap();
        assert_eq!(principal.subject, "user-9");

        assert!(config.mint_token("", &[], Duration::from_secs(1)).is_err());
        let spaced = ["a b".to_owned()];
        assert!(
            config
                .mint_token("u", &spaced, Duration::from_secs(1))
                .is_err()
        );
    }

    #[test]
    fn minting_needs_an_hmac_secret() {
        let path = temp_file(EC_PUBLIC_PEM);
        let vars = [("JWT_PUBLIC_KEY_FILE", path.to_str().unwrap())];
        let config = from_vars(Needs::default(), &vars).unwrap();
        std::fs::remove_file(&path).ok();
        let error = config
            .mint_token("u", &[], Duration::from_secs(60))
            .unwrap_err();
        assert!(error.to_string().contains("JWT_SECRET"), "{error}");
    }

    #[test]
    fn es256_tokens_verify_with_a_pem_public_key() {
        let path = temp_file(EC_PUBLIC_PEM);
        let vars = [("JWT_PUBLIC_KEY_FILE", path.to_str().unwrap())];
        let config = from_vars(Needs::default(), &vars).unwrap();
        std::fs::remove_file(&path).ok();
        let key = EncodingKey::from_ec_pem(EC_PRIVATE_PEM.as_bytes()).unwrap();
        let claims = json!({"sub": "ec-user", "exp": now() + 60, "scope": "posts:read"});
        let token = jsonwebtoken::encode(&Header::new(Algorithm::ES256), &claims, &key).unwrap();
        let principal = authenticate(&config, &bearer(&token), BEARER_ONLY)
            .unwrap()
            .unwrap();
        assert_eq!(principal.subject, "ec-user");
        // An HS256 token "signed" with the public key is not accepted (algorithm confusion).
        let forged = sign(EC_PUBLIC_PEM, json!({"sub": "x", "exp": now() + 60}));
        assert_invalid_token(authenticate(&config, &bearer(&forged), BEARER_ONLY));
        // Private keys are refused as JWT_PUBLIC_KEY_FILE.
        let private = temp_file(EC_PRIVATE_PEM);
        let vars = [("JWT_PUBLIC_KEY_FILE", private.to_str().unwrap())];
        let error = from_vars(Needs::default(), &vars).unwrap_err();
        std::fs::remove_file(&private).ok();
        assert!(error.to_string().contains("private key"), "{error}");
    }

    #[test]
    fn jwks_keys_are_picked_by_kid() {
        let jwks = json!({"keys": [
            {"kty": "EC", "crv": "P-256", "x": EC_X, "y": EC_Y, "kid": "ec-1", "alg": "ES256", "use": "sig"},
            {"kty": "RSA", "n": RSA_N, "e": "AQAB", "kid": "rsa-1", "alg": "RS256"},
        ]});
        let path = temp_file(&jwks.to_string());
        let vars = [("JWT_JWKS_FILE", path.to_str().unwrap())];
        let config = from_vars(Needs::default(), &vars).unwrap();
        std::fs::remove_file(&path).ok();

        let principal = authenticate(&config, &bearer(RSA_TOKEN), BEARER_ONLY)
            .unwrap()
            .unwrap();
        assert_eq!(principal.subject, "rsa-user");
        assert_eq!(principal.scopes, ["read"]);

        let key = EncodingKey::from_ec_pem(EC_PRIVATE_PEM.as_bytes()).unwrap();
        let claims = json!({"sub": "ec-user", "exp": now() + 60});
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some("ec-1".to_owned());
        let token = jsonwebtoken::encode(&header, &claims, &key).unwrap();
        assert!(authenticate(&config, &bearer(&token), BEARER_ONLY).is_ok());
        for kid in [Some("rsa-1"), Some("unknown"), None] {
            header.kid = kid.map(str::to_owned);
            let token = jsonwebtoken::encode(&header, &claims, &key).unwrap();
            assert_invalid_token(authenticate(&config, &bearer(&token), BEARER_ONLY));
        }

        let path = temp_file("{\"not\": \"a jwks\"}");
        let vars = [("JWT_JWKS_FILE", path.to_str().unwrap())];
        let error = from_vars(Needs::default(), &vars).unwrap_err();
        std::fs::remove_file(&path).ok();
        assert!(error.to_string().starts_with("JWT_JWKS_FILE"), "{error}");
        let vars = [("JWT_PUBLIC_KEY_FILE", "/nonexistent/key.pem")];
        let error = from_vars(Needs::default(), &vars).unwrap_err();
        assert!(
            error.to_string().starts_with("JWT_PUBLIC_KEY_FILE"),
            "{error}"
        );
    }

    #[test]
    fn hash_password_makes_verifiable_argon2id_hashes() {
        let hash = hash_password("s3cret").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        let users = parse_basic_users(&format!("me={hash}")).unwrap();
        assert_eq!(users[0].name, "me");
        assert!(hash_password("").is_err());
    }

    #[tokio::test]
    async fn the_middleware_inserts_the_principal_or_answers_the_problem() {
        use axum::Router;
        use axum::routing::get;
        use tower::ServiceExt;

        async fn whoami(request: Request) -> String {
            request
                .extensions()
                .get::<Principal>()
                .map(|p| p.subject.clone())
                .unwrap_or_default()
        }
        let state = (
            Arc::new(AuthConfig::for_tests(SECRET, "k", "u", "p")),
            BASIC_ONLY,
        );
        let app = Router::new()
            .route("/", get(whoami))
            .layer(axum::middleware::from_fn_with_state(state, require));

        let credentials = BASE64.encode("u:p");
        let authorized = HttpRequest::builder()
            .uri("/")
            .header("authorization", format!("Basic {credentials}"))
            .body(axum::body::Body::empty())
            .unwrap();
        let response = app.clone().oneshot(authorized).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let body = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .unwrap();
        assert_eq!(&body[..], b"u");

        let anonymous = HttpRequest::builder()
            .uri("/")
            .body(axum::body::Body::empty())
            .unwrap();
        let response = app.oneshot(anonymous).await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            response.headers()[header::WWW_AUTHENTICATE],
            "Basic realm=\"api\""
        );
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
    }
}
