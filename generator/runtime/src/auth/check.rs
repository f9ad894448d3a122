//! Checking a request: [`authenticate`] against an operation's alternatives, the
//! [`require`] middleware, and the 401/403 problems with their `WWW-Authenticate`
//! challenges.
//!
//! Kept apart from the schemes because this is OpenAPI's logic (alternatives, schemes that
//! must all succeed, scopes) and RFC 6750/9110's answers; each scheme's module only says
//! whether one credential is valid.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::api_key::api_key_value;
use super::{AuthConfig, Outcome, Requirement, Scheme, Verified};
use crate::context::{Credential, Principal};
use crate::params::Location;
use crate::problem::Problem;

/// The realm named in every challenge.
const REALM: &str = "api";

impl Scheme {
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

impl AuthConfig {
    /// Reads and checks the credential `source` in a request.
    fn evaluate(&self, parts: &Parts, source: Source) -> Outcome {
        match source {
            Source::Bearer => match authorization(parts, "bearer") {
                None => Outcome::Missing,
                Some(Err(reason)) => Outcome::Invalid(reason.into()),
                Some(Ok("")) => Outcome::Invalid("the bearer token is empty".into()),
                Some(Ok(token)) => match self.bearer.verify(token) {
                    Ok(verified) => Outcome::Valid(verified),
                    Err(reason) => Outcome::Invalid(reason),
                },
            },
            Source::Basic => match authorization(parts, "basic") {
                None => Outcome::Missing,
                Some(Err(reason)) => Outcome::Invalid(reason.into()),
                Some(Ok(credentials)) => self.basic_users.verify(credentials),
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
                if location == Location::Cookie && is_cross_site_write(parts) {
                    return Outcome::Invalid(
                        "a cookie credential is not accepted on a state-changing request \
                         from another site"
                            .into(),
                    );
                }
                match self.api_keys.find(&presented) {
                    Some((id, grants)) => Outcome::Valid(Verified {
                        subject: id.to_owned(),
                        scopes: grants.scopes.clone(),
                        roles: grants.roles.clone(),
                    }),
                    None => Outcome::Invalid("it is not a known API key".into()),
                }
            }
        }
    }
}

/// Whether a request changes state (not GET, HEAD or OPTIONS) and a browser says it came
/// from another site: the shape of a cross-site request forgery, where a page elsewhere
/// makes the victim's browser send the cookie it holds (F14 of the security review).
/// `Sec-Fetch-Site` is what browsers send on every request; older ones only `Origin`, which
/// then must name this host. A client that is not a browser sends neither and is not
/// refused: it has no victim's cookie to forge with.
fn is_cross_site_write(parts: &Parts) -> bool {
    use axum::http::Method;
    if matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site") {
        return !matches!(site, "same-origin" | "none");
    }
    match (header("origin"), header("host")) {
        (Some(origin), Some(host)) => {
            origin
                .split_once("://")
                .map_or(origin, |(_, rest)| rest)
                .trim_end_matches('/')
                != host
        }
        (Some(_), None) => true,
        (None, _) => false,
    }
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
    authenticate_or_not(config, parts, alternatives, Anonymous::IfTheSpecSays)
}

/// Whether a request without credentials may be served: when an alternative is empty
/// (`{}`), or always (a public operation that only wants to know who calls).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anonymous {
    IfTheSpecSays,
    Always,
}

/// [`authenticate`], with anonymous callers let through as `anonymous` says.
fn authenticate_or_not(
    config: &AuthConfig,
    parts: &Parts,
    alternatives: &[Requirement],
    anonymous: Anonymous,
) -> Result<Option<Principal>, Problem> {
    if alternatives.is_empty() {
        return Ok(None);
    }
    let mut outcomes: Vec<(Source, Outcome)> = Vec::new();
    let mut anonymous = anonymous == Anonymous::Always;
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
                        roles: verified.roles.clone(),
                        admin: false,
                        credential: source.credential(),
                        scheme: scheme.name().to_owned(),
                    })
                }
                Some(principal) => {
                    for scope in &verified.scopes {
                        if !principal.scopes.contains(scope) {
                            principal.scopes.push(scope.clone());
                        }
                    }
                    for role in &verified.roles {
                        if !principal.roles.contains(role) {
                            principal.roles.push(role.clone());
                        }
                    }
                }
            }
        }
        if !authenticated {
            continue;
        }
        if missing_scopes.is_empty() {
            return Ok(principal.map(|mut principal| {
                principal.admin = config.is_admin(&principal);
                principal
            }));
        }
        if insufficient.is_none() {
            insufficient = Some((requirement, missing_scopes));
        }
    }
    // Credentials that were sent but did not pass are refused even where the operation
    // could be served anonymously: an expired token or a mistyped key is a mistake the
    // caller should hear about (and a guess an attacker should not have hidden), not a
    // silent downgrade to an anonymous request.
    let rejected = outcomes
        .iter()
        .any(|(_, outcome)| matches!(outcome, Outcome::Invalid(_)));
    if anonymous && !rejected {
        return Ok(None);
    }
    Err(match insufficient {
        Some((requirement, missing)) => forbidden(requirement, &missing),
        None => unauthorized(config, alternatives, &outcomes),
    })
}

/// How long a request waits for a verification turn before it is told to come back.
const ARGON2_WAIT: Duration = Duration::from_secs(2);

/// 503 with `Retry-After`: every verification turn stayed busy for [`ARGON2_WAIT`].
fn busy_verifying() -> Response {
    let mut problem = Problem::new(StatusCode::SERVICE_UNAVAILABLE)
        .with_detail("too many password checks at once; retry in a moment");
    problem
        .headers
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    problem.into_response()
}

/// axum middleware (use with `axum::middleware::from_fn_with_state`): authenticates,
/// inserts the [`Principal`] into the request extensions (where `RequestContext` finds
/// it), or answers with the problem. An answer to an authenticated request says
/// `Cache-Control: no-store` unless the handler chose otherwise: it is the caller's, and
/// no shared cache may keep it.
///
/// Argon2 verification takes tens of milliseconds of CPU by design, so requests carrying
/// basic credentials are checked on tokio's blocking pool instead of stalling a worker, a
/// bounded number at a time ([`argon2_turns`]).
pub async fn require(
    State((config, alternatives)): State<(Arc<AuthConfig>, &'static [Requirement])>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    match verify(&config, &parts, alternatives, Anonymous::IfTheSpecSays).await {
        Ok(principal) => serve_as(principal, parts, body, next).await,
        Err(response) => response,
    }
}

/// Middleware for a public operation whose result depends on who calls (creating an item
/// that records its owner): a caller whose credentials pass one of `alternatives` is the
/// request's [`Principal`]; a caller with none is served anonymously. Credentials that are
/// sent but do not pass get 401, as anywhere else: an expired token must not silently make
/// an item nobody owns.
pub async fn identify(
    State((config, alternatives)): State<(Arc<AuthConfig>, &'static [Requirement])>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    match verify(&config, &parts, alternatives, Anonymous::Always).await {
        Ok(principal) => serve_as(principal, parts, body, next).await,
        Err(response) => response,
    }
}

/// Checks a request's credentials against `alternatives`: the principal (`None` when an
/// alternative needs none), or the answer that refuses the request.
async fn verify(
    config: &Arc<AuthConfig>,
    parts: &Parts,
    alternatives: &'static [Requirement],
    anonymous: Anonymous,
) -> Result<Option<Principal>, Response> {
    let needs_argon2 = alternatives.iter().any(|requirement| {
        requirement
            .schemes
            .iter()
            .any(|(scheme, _)| matches!(scheme, Scheme::Basic { .. }))
    }) && matches!(authorization(parts, "basic"), Some(Ok(_)));
    let result = if needs_argon2 {
        let turn = match tokio::time::timeout(
            ARGON2_WAIT,
            Arc::clone(&config.argon2_turns).acquire_owned(),
        )
        .await
        {
            Ok(Ok(turn)) => turn,
            _ => return Err(busy_verifying()),
        };
        let snapshot = parts.clone();
        let config = Arc::clone(config);
        tokio::task::spawn_blocking(move || {
            let verified = authenticate_or_not(&config, &snapshot, alternatives, anonymous);
            drop(turn);
            verified
        })
        .await
        .unwrap_or_else(|error| {
            Err(Problem::internal(format!(
                "the authentication task failed: {error}"
            )))
        })
    } else {
        authenticate_or_not(config, parts, alternatives, anonymous)
    };
    result.map_err(IntoResponse::into_response)
}

/// Runs the handler with `principal` in the request's extensions; an answer to an
/// authenticated caller is not stored by shared caches.
async fn serve_as(
    principal: Option<Principal>,
    mut parts: Parts,
    body: axum::body::Body,
    next: Next,
) -> Response {
    let authenticated = principal.is_some();
    if let Some(principal) = principal {
        parts.extensions.insert(principal);
    }
    let mut response = next.run(Request::from_parts(parts, body)).await;
    if authenticated {
        response
            .headers_mut()
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
    }
    response
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
    /// The kind of credential this source carries, for the principal it authenticates.
    fn credential(self) -> Credential {
        match self {
            Source::Bearer | Source::Unsupported(_) => Credential::Token,
            Source::Basic => Credential::Basic,
            Source::ApiKey(..) => Credential::ApiKey,
        }
    }

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

/// 401: no alternative had valid credentials. One challenge per credential source the
/// alternatives name (in their order); the detail says what was wrong or what to send.
fn unauthorized(
    config: &AuthConfig,
    alternatives: &[Requirement],
    outcomes: &[(Source, Outcome)],
) -> Problem {
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
                Some(_) if config.terse_refusals => {
                    format!("Bearer realm=\"{REALM}\", error=\"invalid_token\"")
                }
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
    let detail = if config.terse_refusals && !problems.is_empty() {
        "the credentials sent were not accepted".to_owned()
    } else {
        detail
    };
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::test_support::*;
    use axum::Router;
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;

    /// `/` and `/cached` (which sets its own `Cache-Control`) behind `requirements`.
    fn guarded(requirements: &'static [Requirement]) -> Router {
        let config = Arc::new(AuthConfig::for_tests(SECRET, "k3y", "alice", "wonderland"));
        guarded_by(config, requirements)
    }

    fn guarded_by(config: Arc<AuthConfig>, requirements: &'static [Requirement]) -> Router {
        Router::new()
            .route("/", get(|| async { "mine" }))
            .route(
                "/cached",
                get(|| async { ([(header::CACHE_CONTROL, "private, max-age=60")], "mine") }),
            )
            .layer(axum::middleware::from_fn_with_state(
                (config, requirements),
                require,
            ))
    }

    async fn call(app: &Router, uri: &str, headers: &[(&str, &str)]) -> Response {
        let mut request = axum::http::Request::builder().uri(uri);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request.body(Body::empty()).expect("a request");
        app.clone().oneshot(request).await.expect("infallible")
    }

    #[tokio::test]
    async fn an_answer_to_an_authenticated_request_is_not_stored_by_caches() {
        let app = guarded(HEADER_ONLY);
        let answer = call(&app, "/", &[("x-api-key", "k3y")]).await;
        assert_eq!(answer.status(), StatusCode::OK);
        assert_eq!(answer.headers()[header::CACHE_CONTROL], "no-store");
        let chosen = call(&app, "/cached", &[("x-api-key", "k3y")]).await;
        assert_eq!(
            chosen.headers()[header::CACHE_CONTROL],
            "private, max-age=60",
            "a handler's own choice stands"
        );
    }

    #[cfg(feature = "basic-auth")]
    #[tokio::test]
    async fn password_checks_past_one_per_core_wait_their_turn_then_get_503() {
        // A configuration of its own: its turns are not the other tests'.
        let config = Arc::new(AuthConfig::for_tests(SECRET, "k3y", "alice", "wonderland"));
        let turns = Arc::clone(&config.argon2_turns);
        let app = guarded_by(config, BASIC_ONLY);
        let credentials = {
            use base64::Engine;
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode("alice:wonderland")
            )
        };
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let held = Arc::clone(&turns)
            .acquire_many_owned(u32::try_from(cores).expect("a few cores"))
            .await
            .expect("every turn");
        let refused = call(&app, "/", &[("authorization", &credentials)]).await;
        assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(refused.headers()[header::RETRY_AFTER], "1");
        drop(held);
        let served = call(&app, "/", &[("authorization", &credentials)]).await;
        assert_eq!(
            served.status(),
            StatusCode::OK,
            "a free turn checks the password"
        );
    }

    #[cfg(feature = "jwt")]
    const KEY_AND_TOKEN: &[Requirement] = &[Requirement {
        schemes: &[(HEADER_KEY, &[]), (OAUTH, &["posts:read"])],
    }];
    #[cfg(feature = "jwt")]
    const KEY_OR_TOKEN: &[Requirement] = &[
        Requirement {
            schemes: &[(OAUTH, &["posts:read"])],
        },
        Requirement {
            schemes: &[(HEADER_KEY, &[])],
        },
    ];

    #[cfg(feature = "jwt")]
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

    #[cfg(feature = "jwt")]
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

    #[cfg(feature = "jwt")]
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

    #[cfg(feature = "jwt")]
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

    #[cfg(feature = "jwt")]
    #[test]
    fn credentials_that_do_not_pass_are_refused_even_where_none_are_needed() {
        const OPTIONAL: &[Requirement] = &[
            Requirement { schemes: &[] },
            Requirement {
                schemes: &[(BEARER, &[])],
            },
        ];
        let forged = bearer("not.a.token");
        let problem = authenticate(config(), &forged, OPTIONAL).unwrap_err();
        assert_eq!(problem.status, 401);
        assert!(
            challenges(&problem)[0].contains("invalid_token"),
            "{:?}",
            challenges(&problem)
        );
    }

    #[cfg(feature = "jwt")]
    #[test]
    fn in_production_a_refusal_does_not_say_which_check_failed() {
        let production = from_vars(
            crate::auth::Needs::default(),
            &[
                ("APP_ENV", "production"),
                ("JWT_SECRET", "a-production-secret-of-more-than-32-bytes"),
            ],
        )
        .unwrap();
        let forged = bearer("not.a.token");
        let refused = authenticate(&production, &forged, BEARER_ONLY).unwrap_err();
        assert_eq!(refused.status, 401);
        assert_eq!(
            refused.detail.as_deref(),
            Some("the credentials sent were not accepted")
        );
        assert_eq!(
            challenges(&refused),
            ["Bearer realm=\"api\", error=\"invalid_token\""]
        );
        // Development says why, to whoever is integrating.
        let explained = authenticate(config(), &forged, BEARER_ONLY).unwrap_err();
        assert_ne!(explained.detail, refused.detail);
        assert!(challenges(&explained)[0].contains("error_description"));
        // What to send is no secret: a request without credentials is told in production too.
        let missing = authenticate(&production, &request("/", &[]), BEARER_ONLY).unwrap_err();
        assert!(
            missing
                .detail
                .as_deref()
                .unwrap_or_default()
                .contains("bearer token")
        );
    }

    #[cfg(feature = "basic-auth")]
    #[tokio::test]
    async fn the_middleware_inserts_the_principal_or_answers_the_problem() {
        use axum::Router;
        use axum::http::Request as HttpRequest;
        use axum::routing::get;
        use base64::Engine;
        use base64::engine::general_purpose::STANDARD as BASE64;
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

    #[tokio::test]
    async fn a_public_operation_learns_who_calls_and_refuses_only_credentials_that_fail() {
        use axum::Router;
        use axum::http::Request as HttpRequest;
        use axum::routing::get;
        use tower::ServiceExt;

        async fn whoami(request: Request) -> String {
            request
                .extensions()
                .get::<Principal>()
                .map_or("anonymous".to_owned(), |p| p.owner_id())
        }
        let state = (
            Arc::new(AuthConfig::for_tests(SECRET, "k3y", "u", "p")),
            HEADER_ONLY,
        );
        let app = Router::new()
            .route("/", get(whoami))
            .layer(axum::middleware::from_fn_with_state(state, identify));
        let call = |key: Option<&str>| {
            let mut request = HttpRequest::builder().uri("/");
            if let Some(key) = key {
                request = request.header("X-API-Key", key);
            }
            let app = app.clone();
            async move {
                let response = app
                    .oneshot(request.body(axum::body::Body::empty()).unwrap())
                    .await
                    .unwrap();
                let status = response.status();
                let body = axum::body::to_bytes(response.into_body(), 1024)
                    .await
                    .unwrap();
                (status, String::from_utf8_lossy(&body).into_owned())
            }
        };
        assert_eq!(
            call(Some("k3y")).await,
            (StatusCode::OK, "key:test".to_owned())
        );
        assert_eq!(call(None).await, (StatusCode::OK, "anonymous".to_owned()));
        let (status, _) = call(Some("wrong")).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "a wrong key is a mistake to report, not a request to serve anonymously"
        );
    }

    #[cfg(feature = "jwt")]
    #[test]
    fn a_tokens_roles_claim_grants_roles_and_the_admin_role_makes_an_administrator() {
        let config = from_vars(
            crate::auth::Needs::default(),
            &[
                ("JWT_SECRET", SECRET),
                ("JWT_ROLES_CLAIM", "realm_access.roles"),
            ],
        )
        .unwrap();
        let token = config
            .mint_token_with_roles(
                "ann",
                &[],
                &["editor".to_owned(), "admin".to_owned()],
                std::time::Duration::from_secs(60),
            )
            .unwrap();
        let principal = authenticate(&config, &bearer(&token), BEARER_ONLY)
            .unwrap()
            .expect("authenticated");
        assert_eq!(principal.roles, ["editor", "admin"]);
        assert!(principal.admin);
        assert_eq!(principal.owner_id(), "token:ann");

        let plain = mint(&config, "bob", &[]);
        let principal = authenticate(&config, &bearer(&plain), BEARER_ONLY)
            .unwrap()
            .expect("authenticated");
        assert!(principal.roles.is_empty() && !principal.admin);
    }

    #[cfg(feature = "jwt")]
    #[test]
    fn admin_roles_and_scopes_come_from_configuration_and_can_be_turned_off() {
        let with = |vars: &[(&str, &str)]| {
            let mut all = vec![("JWT_SECRET", SECRET)];
            all.extend_from_slice(vars);
            from_vars(crate::auth::Needs::default(), &all).unwrap()
        };
        let admin_of = |config: &AuthConfig, scopes: &[&str], roles: &[&str]| {
            let own = |words: &[&str]| words.iter().map(|w| (*w).to_owned()).collect::<Vec<_>>();
            let token = config
                .mint_token_with_roles(
                    "x",
                    &own(scopes),
                    &own(roles),
                    std::time::Duration::from_secs(60),
                )
                .unwrap();
            authenticate(config, &bearer(&token), BEARER_ONLY)
                .unwrap()
                .expect("authenticated")
                .admin
        };
        let default = with(&[]);
        assert!(admin_of(&default, &[], &["admin"]));
        assert!(!admin_of(&default, &["admin"], &["staff"]));
        let scoped = with(&[
            ("ADMIN_ROLES", "staff,ops"),
            ("ADMIN_SCOPES", "orders:admin"),
        ]);
        assert!(admin_of(&scoped, &[], &["ops"]));
        assert!(admin_of(&scoped, &["orders:admin"], &[]));
        assert!(!admin_of(&scoped, &[], &["admin"]));
        let off = with(&[("ADMIN_ROLES", "-")]);
        assert!(!admin_of(&off, &[], &["admin"]));
    }

    #[test]
    fn api_keys_carry_the_scopes_and_roles_configured_beside_their_id() {
        let config = from_vars(
            crate::auth::Needs::default(),
            &[("API_KEYS", "ci[products:write role:admin]=k1, plain=k2")],
        )
        .unwrap();
        let key = |value: &str| {
            authenticate(&config, &request("/", &[("X-API-Key", value)]), HEADER_ONLY)
                .unwrap()
                .expect("authenticated")
        };
        let ci = key("k1");
        assert_eq!(
            (
                ci.subject.as_str(),
                ci.scopes.as_slice(),
                ci.roles.as_slice(),
                ci.admin
            ),
            (
                "ci",
                &["products:write".to_owned()][..],
                &["admin".to_owned()][..],
                true
            )
        );
        assert_eq!(ci.owner_id(), "key:ci");
        let plain = key("k2");
        assert!(plain.scopes.is_empty() && plain.roles.is_empty() && !plain.admin);

        for broken in ["ci[role:admin=k1", "ci[role:]=k1"] {
            let error =
                from_vars(crate::auth::Needs::default(), &[("API_KEYS", broken)]).unwrap_err();
            assert!(error.to_string().starts_with("API_KEYS: "), "{error}");
        }
    }

    #[cfg(feature = "basic-auth")]
    #[test]
    fn basic_users_carry_the_roles_configured_beside_their_name() {
        let users = format!("ann[role:admin reports:read]={}", cheap_hash("pw"));
        let config = from_vars(
            crate::auth::Needs::default(),
            &[("BASIC_USERS", users.as_str())],
        )
        .unwrap();
        let principal = authenticate(&config, &basic("ann", "pw"), BASIC_ONLY)
            .unwrap()
            .expect("authenticated");
        assert_eq!(principal.roles, ["admin"]);
        assert_eq!(principal.scopes, ["reports:read"]);
        assert!(principal.admin);
        assert_eq!(principal.owner_id(), "user:ann");
    }

    #[test]
    fn a_cookie_key_on_a_cross_site_write_is_refused_and_same_site_or_non_browser_requests_pass() {
        const COOKIE_KEY: Scheme = Scheme::ApiKey {
            name: "session",
            location: Location::Cookie,
            parameter: "sid",
        };
        const COOKIE_ONLY: &[Requirement] = &[Requirement {
            schemes: &[(COOKIE_KEY, &[])],
        }];
        let send = |method: &str, headers: &[(&str, &str)]| {
            let mut builder = axum::http::Request::builder()
                .method(method)
                .uri("/carts/1/checkout")
                .header("cookie", "sid=k3y");
            for (name, value) in headers {
                builder = builder.header(*name, *value);
            }
            let parts = builder.body(()).unwrap().into_parts().0;
            authenticate(config(), &parts, COOKIE_ONLY).map(|p| p.is_some())
        };
        assert_eq!(
            send("POST", &[("sec-fetch-site", "cross-site")])
                .unwrap_err()
                .status,
            401
        );
        assert_eq!(
            send("DELETE", &[("sec-fetch-site", "same-site")])
                .unwrap_err()
                .status,
            401
        );
        assert_eq!(
            send(
                "POST",
                &[("origin", "https://evil.example"), ("host", "api.example")]
            )
            .unwrap_err()
            .status,
            401
        );
        assert_eq!(send("POST", &[("sec-fetch-site", "same-origin")]), Ok(true));
        assert_eq!(
            send(
                "POST",
                &[("origin", "https://api.example"), ("host", "api.example")]
            ),
            Ok(true)
        );
        assert_eq!(send("POST", &[]), Ok(true), "curl sends no browser headers");
        assert_eq!(
            send("GET", &[("sec-fetch-site", "cross-site")]),
            Ok(true),
            "reads are safe"
        );
    }
}
