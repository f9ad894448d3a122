//! Conditional requests (RFC 9110 §13) for every route, without help from the handlers.
//!
//! A successful `GET` gets a strong `ETag` computed from its body, and `If-None-Match`
//! that matches it turns the answer into `304 Not Modified`. A `PUT`, `PATCH` or
//! `DELETE` carrying `If-Match` first asks the same router for the current
//! representation (a `GET` of the same URI with the same credentials) and answers
//! `412 Precondition Failed` when it no longer matches. The check and the write are two
//! steps, so two writers racing with the same tag can both pass; handlers that need
//! strict compare-and-swap should also check a version column in their transaction.

use super::problem::Problem;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{BoxError, Router};
use http_body_util::BodyExt;
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};
use tower::ServiceExt;

/// Bodies larger than this are not hashed: they pass through as they are, without an
/// `ETag`, as do bodies whose size is not known in advance (a stream is never buffered).
const MAX_HASHED_BODY: usize = 4 * 1024 * 1024;

/// Adds conditional request handling to `router`. [`super::platform::layers`] already
/// does this as part of its stack; this is for routers served without it.
pub fn layer(router: Router) -> Router {
    let probe = router.clone();
    router.layer(ConditionalLayer { probe })
}

/// Wraps each route in [`Conditional`]. A plain tower layer rather than
/// `middleware::from_fn`: no boxed inner service per request.
#[derive(Clone)]
pub struct ConditionalLayer {
    probe: Router,
}

impl ConditionalLayer {
    /// Conditional requests for the routes of `probe`, which answers the `GET` an
    /// `If-Match` is checked against.
    pub fn new(probe: Router) -> Self {
        Self { probe }
    }
}

impl<S> tower::Layer<S> for ConditionalLayer {
    type Service = Conditional<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Conditional {
            inner,
            probe: self.probe.clone(),
        }
    }
}

/// See the module documentation.
#[derive(Clone)]
pub struct Conditional<S> {
    inner: S,
    /// The router without this layer, for reading the current representation.
    probe: Router,
}

impl<S, B> tower::Service<Request<B>> for Conditional<S>
where
    S: tower::Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let request = request.map(Body::new);
        let method = request.method();
        if method == Method::GET || method == Method::HEAD {
            // The common case needs no copy of the inner service: call it right away.
            let if_none_match = request.headers().get(header::IF_NONE_MATCH).cloned();
            let response = self.inner.call(request);
            return Box::pin(async move {
                let response = response.await?;
                Ok(with_etag(response, if_none_match.as_ref()).await)
            });
        }
        let if_match = matches!(*method, Method::PUT | Method::PATCH | Method::DELETE)
            .then(|| request.headers().get(header::IF_MATCH).cloned())
            .flatten();
        let Some(if_match) = if_match else {
            return Box::pin(self.inner.call(request));
        };
        // The write waits for the probe, so it needs a service of its own: the one that
        // was driven to readiness; a fresh clone stays for next time.
        let fresh = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, fresh);
        let probe = self.probe.clone();
        Box::pin(async move {
            let current = match probe_for(&request) {
                Some(probe_request) => current_etag(probe, probe_request).await,
                None => Current::Refused,
            };
            let current = match current {
                // The caller may not read it (no or wrong credentials, a rate limit...):
                // the write itself gives the answer that explains why, and a caller who
                // could not authenticate learns nothing about the resource from a 412.
                Current::Refused => return inner.call(request).await,
                Current::Absent => None,
                Current::Tagged(tag) => Some(tag),
            };
            if !matches_any(&if_match, current.as_deref()) {
                return Ok(Problem::new(StatusCode::PRECONDITION_FAILED)
                    .with_detail("the resource changed since it was read (If-Match)")
                    .into_response());
            }
            inner.call(request).await
        })
    }
}

/// Headers of the write that say nothing about who asks or what they may see, and so stay
/// off the probe: the write's body and its conditions.
const NOT_PROBED: [header::HeaderName; 8] = [
    header::CONTENT_TYPE,
    header::CONTENT_LENGTH,
    header::CONTENT_ENCODING,
    header::TRANSFER_ENCODING,
    header::EXPECT,
    header::IF_MATCH,
    header::IF_NONE_MATCH,
    header::IF_UNMODIFIED_SINCE,
];

/// A `GET` of the request's URI with its credentials: every header but the body's and the
/// conditions, so an API key in a header of any name, a cookie or a tenant header reaches
/// the probe as it reaches the write.
fn probe_for(request: &Request) -> Option<Request> {
    let mut probe = Request::builder()
        .method(Method::GET)
        .uri(request.uri().clone());
    for (name, value) in request.headers() {
        if !NOT_PROBED.contains(name) {
            probe = probe.header(name, value);
        }
    }
    probe.body(Body::empty()).ok()
}

/// What the probe found.
enum Current {
    /// The representation's tag now.
    Tagged(String),
    /// There is none (404, 410): no tag matches.
    Absent,
    /// The probe was not answered with the representation for another reason (401, 403,
    /// 429, 5xx): the write is not decided here.
    Refused,
}

/// The `ETag` of what the probe answers now.
async fn current_etag(inner: Router, probe: Request) -> Current {
    let Ok(response) = inner.oneshot(probe).await;
    let status = response.status();
    if status == StatusCode::NOT_FOUND || status == StatusCode::GONE {
        return Current::Absent;
    }
    if !status.is_success() {
        return Current::Refused;
    }
    match response.into_body().collect().await {
        Ok(body) => Current::Tagged(tag_of(&body.to_bytes())),
        Err(_) => Current::Refused,
    }
}

async fn with_etag(response: Response, if_none_match: Option<&HeaderValue>) -> Response {
    if response.status() != StatusCode::OK || response.headers().contains_key(header::ETAG) {
        return response;
    }
    // Only a body of known size within the bound is read whole to be hashed: a larger one
    // (a long list of big items) or a stream goes out untagged, never as an error.
    let hashable = response
        .body()
        .size_hint()
        .exact()
        .is_some_and(|size| size <= MAX_HASHED_BODY as u64);
    if !hashable {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes: Bytes = match axum::body::to_bytes(body, MAX_HASHED_BODY).await {
        Ok(bytes) => bytes,
        Err(error) => return Problem::internal(error).into_response(),
    };
    let tag = tag_of(&bytes);
    if let Ok(value) = HeaderValue::from_str(&tag) {
        parts.headers.insert(header::ETAG, value);
    }
    if if_none_match.is_some_and(|v| matches_any(v, Some(&tag))) {
        let mut not_modified = Response::new(Body::empty());
        *not_modified.status_mut() = StatusCode::NOT_MODIFIED;
        copy_validators(&parts.headers, not_modified.headers_mut());
        return not_modified;
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn copy_validators(from: &HeaderMap, to: &mut HeaderMap) {
    for name in [header::ETAG, header::CACHE_CONTROL, header::VARY] {
        if let Some(value) = from.get(&name) {
            to.insert(name, value.clone());
        }
    }
}

/// A strong tag: the body's 128-bit XXH3 hash, in hex.
///
/// A tag only has to change whenever the body does, and be the same on every replica and
/// after a restart: XXH3 is deterministic and spreads 128 bits well, at a tenth of
/// SHA-256's cost on CPUs without SHA instructions. Nothing secret is hashed, so no one
/// gains from forging a collision: whoever could write a body that collides with another
/// version of the same resource could overwrite it without If-Match anyway.
fn tag_of(body: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let hash = xxhash_rust::xxh3::xxh3_128(body).to_be_bytes();
    let mut tag = [b'"'; 34];
    for (i, byte) in hash.iter().enumerate() {
        tag[1 + 2 * i] = HEX[usize::from(byte >> 4)];
        tag[2 + 2 * i] = HEX[usize::from(byte & 0x0f)];
    }
    String::from_utf8_lossy(&tag).into_owned()
}

/// Whether an `If-Match`/`If-None-Match` list names `current` (`*` names any current one).
fn matches_any(header: &HeaderValue, current: Option<&str>) -> bool {
    let Some(current) = current else {
        return false;
    };
    let Ok(list) = header.to_str() else {
        return false;
    };
    list.split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.trim_start_matches("W/") == current.trim_start_matches("W/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_matches_itself_its_weak_form_and_a_star_but_nothing_else() {
        let tag = tag_of(b"{}");
        let value = |s: &str| HeaderValue::from_str(s).expect("a header value");
        assert!(matches_any(&value(&tag), Some(&tag)));
        assert!(matches_any(&value(&format!("\"x\", W/{tag}")), Some(&tag)));
        assert!(matches_any(&value("*"), Some(&tag)));
        assert!(!matches_any(&value("\"other\""), Some(&tag)));
        assert!(!matches_any(&value("*"), None));
    }

    #[test]
    fn different_bodies_get_different_tags() {
        assert_ne!(tag_of(b"{\"a\":1}"), tag_of(b"{\"a\":2}"));
        assert_eq!(tag_of(b"same"), tag_of(b"same"));
        // XXH3-128 of the empty input, from the reference implementation's test vectors.
        assert_eq!(tag_of(b""), "\"99aa06d3014798d86001c324468d497f\"");
    }

    use axum::routing::get;

    fn app() -> Router {
        let router = Router::new()
            .route("/small", get(|| async { "small" }))
            .route("/large", get(|| async { "x".repeat(MAX_HASHED_BODY + 1) }));
        layer(router)
    }

    async fn get_from(app: &Router, uri: &str) -> Response {
        let request = Request::builder()
            .uri(uri)
            .body(Body::empty())
            .expect("a request");
        app.clone().oneshot(request).await.expect("infallible")
    }

    #[tokio::test]
    async fn a_body_past_the_bound_passes_through_untagged_not_as_an_error() {
        let app = app();
        let small = get_from(&app, "/small").await;
        assert_eq!(small.status(), StatusCode::OK);
        assert!(
            small.headers().contains_key(header::ETAG),
            "a small body is tagged"
        );

        let large = get_from(&app, "/large").await;
        assert_eq!(large.status(), StatusCode::OK, "never a 500 for its size");
        assert!(!large.headers().contains_key(header::ETAG));
        let body = axum::body::to_bytes(large.into_body(), usize::MAX)
            .await
            .expect("the whole body");
        assert_eq!(body.len(), MAX_HASHED_BODY + 1, "and sent whole");
    }

    /// A resource behind an API key in `api-token` (a header name without `x-`): reads and
    /// writes without the key get 401, and `reads` counts the reads that got past it.
    fn guarded(reads: std::sync::Arc<std::sync::atomic::AtomicUsize>) -> Router {
        use axum::http::request::Parts;
        use std::sync::atomic::Ordering;
        let allowed = |parts: &Parts| {
            parts.headers.get("api-token").and_then(|v| v.to_str().ok()) == Some("k")
        };
        let router = Router::new().route(
            "/item",
            get(move |parts: Parts| async move {
                if !allowed(&parts) {
                    return StatusCode::UNAUTHORIZED.into_response();
                }
                reads.fetch_add(1, Ordering::SeqCst);
                "item".into_response()
            })
            .put(move |parts: Parts| async move {
                if allowed(&parts) {
                    StatusCode::NO_CONTENT
                } else {
                    StatusCode::UNAUTHORIZED
                }
            }),
        );
        layer(router)
    }

    fn put(token: Option<&str>, if_match: &str) -> Request {
        let mut request = Request::builder()
            .method(Method::PUT)
            .uri("/item")
            .header(header::IF_MATCH, if_match);
        if let Some(token) = token {
            request = request.header("api-token", token);
        }
        request.body(Body::empty()).expect("a request")
    }

    #[tokio::test]
    async fn the_if_match_probe_carries_the_writes_credentials_whatever_their_header() {
        let reads = std::sync::Arc::default();
        let app = guarded(std::sync::Arc::clone(&reads));
        let current = tag_of(b"item");
        let write = app.clone().oneshot(put(Some("k"), &current)).await.unwrap();
        assert_eq!(write.status(), StatusCode::NO_CONTENT);
        let stale = app.oneshot(put(Some("k"), "\"stale\"")).await.unwrap();
        assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    }

    #[tokio::test]
    async fn a_write_without_credentials_gets_401_not_412_and_reads_nothing() {
        use std::sync::atomic::Ordering;
        let reads = std::sync::Arc::default();
        let app = guarded(std::sync::Arc::clone(&reads));
        let anonymous = app.clone().oneshot(put(None, "\"guess\"")).await.unwrap();
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
        let wrong = app.oneshot(put(Some("wrong"), "*")).await.unwrap();
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            reads.load(Ordering::SeqCst),
            0,
            "the resource was never read"
        );
    }
}
