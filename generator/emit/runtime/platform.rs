//! The middleware every request passes through, in this order (outermost first):
//!
//! 1. CORS: outermost, so every answer — a 429 or a 503 included — carries
//!    `Access-Control-Allow-Origin` and a browser can show it; pre-flights are answered here
//!    and never reach the API.
//! 2. [`Edge`]: request id (`X-Request-Id` honoured or generated, echoed), one tracing span
//!    and access-log line per request, Prometheus metrics and security headers; then the
//!    per-client rate limit (429 with `Retry-After`) and the request timeout (503). One
//!    service does all of it, so a request pays for one boxed future here, not five; every
//!    answer below it, refusals included, is counted, logged and tagged.
//! 3. Compression of responses and decompression of requests (gzip, br); the body limit
//!    applies to the decompressed bytes, so a small zip bomb cannot get past it.
//! 4. Panic catching: innermost, so the 500 problem it makes passes back through the
//!    layers above and is counted, logged and tagged like any other answer.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{ConnectInfo, MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, Response, StatusCode, header};
use axum::response::IntoResponse;
use axum::{BoxError, Router};
use tower::{Layer, Service, ServiceBuilder};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowHeaders, AllowMethods, AllowOrigin, CorsLayer, ExposeHeaders};
use tower_http::decompression::RequestDecompressionLayer;
use tracing::Instrument;

use super::problem::Problem;
use super::rate_limit::RateLimiter;
use super::settings::{CorsOrigins, Settings};
use super::telemetry;

/// The header that carries a request's correlation id.
pub const REQUEST_ID: HeaderName = HeaderName::from_static(super::REQUEST_ID_HEADER);

/// Paths of the operational endpoints: never rate limited, so probes and scrapes keep
/// working when a client floods the API.
const OPERATIONAL_PATHS: &[&str] = &["/healthz", "/readyz", "/metrics"];

tokio::task_local! {
    /// The current request's id, so that every problem+json answer can carry it.
    static CURRENT_REQUEST_ID: Arc<str>;
}

/// The id of the request being served, if any.
pub fn current_request_id() -> Option<Arc<str>> {
    CURRENT_REQUEST_ID.try_with(Arc::clone).ok()
}

/// Wraps every route of `router` (the spec's and the operational ones) in the middleware
/// stack described at the top of this module.
pub fn layers(router: Router, settings: &Settings, limiter: Option<RateLimiter>) -> Router {
    let edge = EdgeLayer {
        config: Arc::new(EdgeConfig {
            hsts: (settings.hsts_max_age > 0)
                .then(|| {
                    HeaderValue::from_str(&format!(
                        "max-age={}; includeSubDomains",
                        settings.hsts_max_age
                    ))
                    .ok()
                })
                .flatten(),
            trust_proxy: settings.trust_proxy,
            limiter,
            timeout: settings.request_timeout,
        }),
    };
    let mut compression = CompressionLayer::new();
    let mut decompression = RequestDecompressionLayer::new();
    if !settings.compression {
        compression = compression.no_gzip().no_br();
        decompression = decompression.no_gzip().no_br();
    }
    router.layer(
        ServiceBuilder::new()
            .layer(cors(&settings.cors_origins))
            .layer(edge)
            .layer(compression)
            .layer(decompression)
            .layer(CatchPanicLayer::custom(panic_response)),
    )
}

/// CORS for the configured origins; with none configured, no CORS headers at all (the
/// browser then refuses cross-origin calls, the safe default).
fn cors(origins: &CorsOrigins) -> CorsLayer {
    let origin = match origins {
        CorsOrigins::None => return CorsLayer::new(),
        CorsOrigins::Any => AllowOrigin::any(),
        CorsOrigins::List(list) => AllowOrigin::list(list.iter().cloned()),
    };
    CorsLayer::new()
        .allow_origin(origin)
        .allow_methods(AllowMethods::mirror_request())
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers(ExposeHeaders::list([
            header::ETAG,
            header::LOCATION,
            header::RETRY_AFTER,
            REQUEST_ID,
            HeaderName::from_static("x-total-count"),
        ]))
        .max_age(Duration::from_secs(600))
}

/// A panic in a handler: a 500 problem, never a dropped connection. The message is
/// logged, not sent.
fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = message, "handler panicked");
    Problem::new(StatusCode::INTERNAL_SERVER_ERROR).into_response()
}

struct EdgeConfig {
    hsts: Option<HeaderValue>,
    trust_proxy: bool,
    limiter: Option<RateLimiter>,
    timeout: Option<Duration>,
}

#[derive(Clone)]
struct EdgeLayer {
    config: Arc<EdgeConfig>,
}

impl<S> Layer<S> for EdgeLayer {
    type Service = Edge<S>;

    fn layer(&self, inner: S) -> Edge<S> {
        Edge {
            inner,
            config: self.config.clone(),
        }
    }
}

/// What every request gets on its way in and out: id, span, log, metrics, security
/// headers, rate limit and timeout.
#[derive(Clone)]
pub struct Edge<S> {
    inner: S,
    config: Arc<EdgeConfig>,
}

type BoxedResponse = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

impl<S, B> Service<Request> for Edge<S>
where
    S: Service<Request, Response = Response<B>, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = BoxedResponse;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        let fresh = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, fresh);
        let config = self.config.clone();
        let started = Instant::now();
        let in_flight = telemetry::InFlight::start();

        let id = request_id(&request);
        if let Ok(value) = HeaderValue::from_str(&id) {
            request.headers_mut().insert(REQUEST_ID, value);
        }
        let method = request.method().clone();
        let route: Arc<str> = request
            .extensions()
            .get::<MatchedPath>()
            .map_or_else(|| Arc::from("unmatched"), |path| Arc::from(path.as_str()));
        let over_tls = request.uri().scheme_str() == Some("https")
            || (config.trust_proxy
                && request
                    .headers()
                    .get("x-forwarded-proto")
                    .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https")));
        let docs = request.uri().path().starts_with("/docs");
        let client = config
            .limiter
            .as_ref()
            .filter(|_| !OPERATIONAL_PATHS.contains(&request.uri().path()))
            .map(|_| client_key(&request, config.trust_proxy));
        let span = tracing::info_span!(
            "request",
            method = %method,
            route = %route,
            request_id = %id,
            status = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        let id: Arc<str> = Arc::from(id);
        Box::pin(
            async move {
                let answer = guarded(inner, request, client, &config);
                let mut response = CURRENT_REQUEST_ID.scope(id.clone(), answer).await;
                let latency = started.elapsed();
                let status = response.status();
                let span = tracing::Span::current();
                span.record("status", status.as_u16());
                // Whole microseconds: `0.054`, not `0.054861999999999994`.
                span.record("latency_ms", latency.as_micros() as f64 / 1000.0);
                if status.is_server_error() {
                    tracing::warn!("request failed");
                } else {
                    tracing::info!("request finished");
                }
                telemetry::record_request(&method, &route, status.as_u16(), latency);
                drop(in_flight);

                let headers = response.headers_mut();
                if let Ok(value) = HeaderValue::from_str(&id) {
                    headers.insert(REQUEST_ID, value);
                }
                for (name, value) in security_headers(docs) {
                    headers.entry(name).or_insert(value);
                }
                if over_tls && let Some(hsts) = &config.hsts {
                    headers
                        .entry(header::STRICT_TRANSPORT_SECURITY)
                        .or_insert_with(|| hsts.clone());
                }
                Ok(response)
            }
            .instrument(span),
        )
    }
}

/// The rate limit (when `client` is being limited), then the inner service under the
/// request timeout.
async fn guarded<S, B>(
    mut inner: S,
    request: Request,
    client: Option<String>,
    config: &EdgeConfig,
) -> Response<Body>
where
    S: Service<Request, Response = Response<B>, Error = Infallible>,
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    if let (Some(limiter), Some(client)) = (&config.limiter, client)
        && let Err(retry_after) = limiter.check(&client).await
    {
        return too_many_requests(retry_after);
    }
    let Some(timeout) = config.timeout else {
        let Ok(response) = inner.call(request).await;
        return response.map(Body::new);
    };
    match tokio::time::timeout(timeout, inner.call(request)).await {
        Ok(Ok(response)) => response.map(Body::new),
        Err(_) => {
            tracing::warn!(timeout_secs = timeout.as_secs_f64(), "request timed out");
            Problem::new(StatusCode::SERVICE_UNAVAILABLE)
                .with_detail(format!(
                    "the request took longer than {} s and was abandoned",
                    timeout.as_secs_f64()
                ))
                .into_response()
        }
    }
}

/// The client's `X-Request-Id` when it is a sane token (visible ASCII, at most 128
/// bytes), otherwise a new UUID: a hostile id never reaches the logs verbatim.
fn request_id(request: &Request) -> String {
    request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|id| !id.is_empty() && id.len() <= 128 && id.bytes().all(|b| b.is_ascii_graphic()))
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned)
}

/// Headers every answer gets unless the handler set its own. The API answers JSON, so its
/// content policy forbids everything; the docs page may load its own scripts and styles.
fn security_headers(docs: bool) -> [(HeaderName, HeaderValue); 4] {
    let policy = if docs {
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
    } else {
        "default-src 'none'; frame-ancestors 'none'"
    };
    [
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(policy),
        ),
    ]
}

/// Who is asking, for the rate limit: the peer address, or the first `X-Forwarded-For`
/// hop when `TRUST_PROXY` says a proxy sets it honestly.
fn client_key(request: &Request, trust_proxy: bool) -> String {
    if trust_proxy
        && let Some(forwarded) = request
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    {
        return forwarded.to_owned();
    }
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(
            || "local".to_owned(),
            |ConnectInfo(address)| address.ip().to_string(),
        )
}

fn too_many_requests(retry_after: Duration) -> Response<Body> {
    let seconds = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
    let seconds = seconds.max(1);
    let mut response = Problem::new(StatusCode::TOO_MANY_REQUESTS)
        .with_detail(format!("rate limit exceeded; retry in {seconds} s"))
        .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}
