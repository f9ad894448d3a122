//! The middleware every request passes through, in this order (outermost first):
//!
//! 1. CORS, when origins are configured: outermost, so every answer — a 429 or a 503
//!    included — carries `Access-Control-Allow-Origin` and a browser can show it;
//!    pre-flights are answered here and never reach the API.
//! 2. [`Edge`]: request id (`X-Request-Id` honoured or generated, echoed; every log line
//!    written while serving the request carries it), one access-log line per request (a
//!    tracing span too, when traces are exported), Prometheus metrics and security
//!    headers; then the per-client rate limit (429 with `Retry-After`) and the request
//!    timeout (503). One service does all of it, so a request pays for one boxed future
//!    here, not five; every answer below it, refusals included, is counted, logged and
//!    tagged.
//! 3. Compression of responses (gzip, br) and decompression of requests (gzip only: a
//!    brotli body may claim a 16 MiB window), only for requests that send
//!    `Accept-Encoding` or `Content-Encoding`: the others skip both layers and what
//!    wrapping their bodies would cost. The body limit applies to the compressed bytes
//!    and to the decompressed bytes, so neither a small zip bomb nor an endless stream of
//!    empty deflate blocks gets past it.
//! 4. Panic catching, so the 500 problem it makes passes back through the layers above
//!    and is counted, logged and tagged like any other answer.
//! 5. The body limit (`MAX_BODY_BYTES`) and conditional requests ([`etag`](super::etag)),
//!    innermost.
//!
//! The whole stack is one layer of the router: axum boxes a route's service once per
//! `Router::layer` and clones that box for every request, so stacking the same work as
//! several router layers costs a few allocations and boxed futures more per request.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{ConnectInfo, DefaultBodyLimit, MatchedPath, Request};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Response, StatusCode, header};
use axum::response::IntoResponse;
use axum::{BoxError, Router};
use tower::{Layer, Service, ServiceBuilder};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowHeaders, AllowMethods, AllowOrigin, CorsLayer, ExposeHeaders};
use tower_http::decompression::RequestDecompressionLayer;
use tracing::Instrument;

use super::etag;
use super::problem::Problem;
use super::rate_limit::{RateLimiter, Refusal};
use super::settings::{CorsOrigins, Settings};
use super::telemetry;

/// The header that carries a request's correlation id.
pub const REQUEST_ID: HeaderName = HeaderName::from_static(super::REQUEST_ID_HEADER);

/// Paths of the operational endpoints: never rate limited, so probes and scrapes keep
/// working when a client floods the API.
const OPERATIONAL_PATHS: &[&str] = &["/healthz", "/readyz", "/metrics"];

tokio::task_local! {
    /// The current request's id, so that every problem+json answer can carry it.
    static CURRENT_REQUEST_ID: HeaderValue;
}

/// The id of the request being served, if any.
pub fn current_request_id() -> Option<String> {
    with_current_request_id(|id| id.to_owned())
}

/// Calls `f` with the id of the request being served, if any, without copying it.
pub fn with_current_request_id<R>(f: impl FnOnce(&str) -> R) -> Option<R> {
    CURRENT_REQUEST_ID
        .try_with(|id| id.to_str().ok().map(f))
        .ok()
        .flatten()
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
            proxy_hops: settings.trusted_proxy_hops,
            limiter,
            fail_open: settings.rate_limit_fail_open,
            timeout: settings.request_timeout,
            compression: settings.compression,
            max_body: settings.max_body_bytes,
        }),
    };
    let conditional = etag::ConditionalLayer::new(router.clone());
    router.layer(
        ServiceBuilder::new()
            .option_layer(cors(&settings.cors_origins))
            .layer(edge)
            .layer(CatchPanicLayer::custom(panic_response))
            .layer(DefaultBodyLimit::max(settings.max_body_bytes))
            .layer(conditional),
    )
}

/// CORS for the configured origins; with none configured, no CORS layer at all (the
/// browser then refuses cross-origin calls, the safe default).
fn cors(origins: &CorsOrigins) -> Option<CorsLayer> {
    let origin = match origins {
        CorsOrigins::None => return None,
        CorsOrigins::Any => AllowOrigin::any(),
        CorsOrigins::List(list) => AllowOrigin::list(list.iter().cloned()),
    };
    Some(
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
            .max_age(Duration::from_secs(600)),
    )
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
    /// `TRUSTED_PROXY_HOPS`: which `X-Forwarded-For` entry, from the right, is the client.
    proxy_hops: usize,
    limiter: Option<RateLimiter>,
    /// `RATE_LIMIT_FAIL_OPEN`: let requests through when the limiter cannot be asked.
    fail_open: bool,
    timeout: Option<Duration>,
    /// Whether responses may be compressed and requests decompressed (`COMPRESSION`).
    compression: bool,
    /// `MAX_BODY_BYTES`, applied to a compressed body as it arrives as well as to what it
    /// decompresses to.
    max_body: usize,
}

#[derive(Clone)]
struct EdgeLayer {
    config: Arc<EdgeConfig>,
}

/// The inner service with response compression and request decompression around it.
type Coded<S> =
    tower_http::compression::Compression<tower_http::decompression::RequestDecompression<S>>;

impl<S: Clone> Layer<S> for EdgeLayer {
    type Service = Edge<S>;

    fn layer(&self, inner: S) -> Edge<S> {
        let coded = ServiceBuilder::new()
            .layer(CompressionLayer::new())
            // gzip only (tower-http's `decompression-br` is off): a brotli stream may ask
            // for a 16 MiB window, allocated per request before a byte of it is checked
            // against the body limit.
            .layer(RequestDecompressionLayer::new())
            .service(inner.clone());
        Edge {
            plain: inner,
            coded,
            config: self.config.clone(),
        }
    }
}

/// What every request gets on its way in and out: id, span, log, metrics, security
/// headers, rate limit and timeout; and, for requests that negotiate a content coding,
/// compression.
#[derive(Clone)]
pub struct Edge<S> {
    /// The inner service as is, for requests that neither send nor accept a coding.
    plain: S,
    /// The same service behind compression and decompression.
    coded: Coded<S>,
    config: Arc<EdgeConfig>,
}

type BoxedResponse = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

impl<S, B, C> Service<Request> for Edge<S>
where
    S: Service<Request, Response = Response<B>, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
    Coded<S>: Service<Request, Response = Response<C>, Error = Infallible> + Clone + Send + 'static,
    <Coded<S> as Service<Request>>::Future: Send + 'static,
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
    C: HttpBody<Data = Bytes> + Send + 'static,
    C::Error: Into<BoxError>,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = BoxedResponse;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        ready!(self.plain.poll_ready(cx))?;
        self.coded.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        let config = self.config.clone();
        let started = Instant::now();
        let in_flight = telemetry::InFlight::start();

        let id = request_id(request.headers());
        request.headers_mut().insert(REQUEST_ID, id.clone());
        let method = request.method().clone();
        let route = request.extensions().get::<MatchedPath>().cloned();
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
            .map(|_| client_key(&request, config.trust_proxy.then_some(config.proxy_hops)));
        let coded = config.compression && negotiates_coding(request.headers());
        if coded && request.headers().contains_key(header::CONTENT_ENCODING) {
            // The limit on what a body decompresses to does not bound how much compressed
            // input it takes to get there: empty deflate blocks decompress to nothing and
            // could stream until the request timeout.
            let max_body = config.max_body;
            request = request.map(|body| Body::new(http_body_util::Limited::new(body, max_body)));
        }
        // Use the service that was driven to readiness; keep a fresh clone for next time.
        let inner = if coded {
            let fresh = self.coded.clone();
            Inner::Coded(std::mem::replace(&mut self.coded, fresh))
        } else {
            let fresh = self.plain.clone();
            Inner::Plain(std::mem::replace(&mut self.plain, fresh))
        };
        // A span per request only when traces leave the process: log lines get the request
        // id from the request's task-local (see `telemetry::LineFormat`), and a span is
        // a per-request cost (a slab entry, its fields formatted, an enter and exit per
        // poll) that only a trace needs.
        let span = telemetry::request_spans().then(|| {
            tracing::info_span!(
                "request",
                method = %method,
                route = %route.as_ref().map_or("unmatched", MatchedPath::as_str),
                request_id = %id.to_str().unwrap_or_default(),
            )
        });
        let served = async move {
            let route = route.as_ref().map_or("unmatched", MatchedPath::as_str);
            // The access line is written inside the request's scope, so it carries the id.
            let (mut response, latency) = CURRENT_REQUEST_ID
                .scope(id.clone(), async {
                    let response = guarded(inner, request, client, &config).await;
                    let latency = started.elapsed();
                    let status = response.status().as_u16();
                    // Whole microseconds: `0.054`, not `0.054861999999999994`.
                    let latency_ms = latency.as_micros() as f64 / 1000.0;
                    if response.status().is_server_error() {
                        tracing::warn!(%method, route, status, latency_ms, "request failed");
                    } else {
                        tracing::info!(%method, route, status, latency_ms, "request finished");
                    }
                    (response, latency)
                })
                .await;
            telemetry::record_request(&method, route, response.status().as_u16(), latency);
            drop(in_flight);

            let headers = response.headers_mut();
            headers.reserve(8);
            headers.insert(REQUEST_ID, id);
            for (name, value) in security_headers(docs) {
                headers.entry(name).or_insert(value);
            }
            if over_tls && let Some(hsts) = &config.hsts {
                headers
                    .entry(header::STRICT_TRANSPORT_SECURITY)
                    .or_insert_with(|| hsts.clone());
            }
            if config.compression && !coded {
                // The answer would have been compressed for a client that asked.
                vary_on_accept_encoding(headers);
            }
            Ok(response)
        };
        match span {
            Some(span) => Box::pin(served.instrument(span)),
            None => Box::pin(served),
        }
    }
}

/// The inner service a request goes to.
enum Inner<S> {
    Plain(S),
    Coded(Coded<S>),
}

/// Whether the request asks for a compressed answer or sends a compressed body.
fn negotiates_coding(headers: &HeaderMap) -> bool {
    headers.contains_key(header::ACCEPT_ENCODING) || headers.contains_key(header::CONTENT_ENCODING)
}

/// Adds `Vary: accept-encoding`, as the compression layer does for the requests it sees.
fn vary_on_accept_encoding(headers: &mut HeaderMap) {
    let present = headers.get_all(header::VARY).iter().any(|value| {
        value.to_str().is_ok_and(|v| {
            v.split(',')
                .any(|name| name.trim().eq_ignore_ascii_case("accept-encoding"))
        })
    });
    if !present {
        headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
}

/// The rate limit (when `client` is being limited), then the inner service under the
/// request timeout.
async fn guarded<S, B, C>(
    inner: Inner<S>,
    request: Request,
    client: Option<String>,
    config: &EdgeConfig,
) -> Response<Body>
where
    S: Service<Request, Response = Response<B>, Error = Infallible>,
    Coded<S>: Service<Request, Response = Response<C>, Error = Infallible>,
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
    C: HttpBody<Data = Bytes> + Send + 'static,
    C::Error: Into<BoxError>,
{
    if let (Some(limiter), Some(client)) = (&config.limiter, client)
        && let Err(refusal) = limiter.check(&client).await
        && let Some(answer) = refused(refusal, config.fail_open)
    {
        return answer;
    }
    let answer = async move {
        match inner {
            Inner::Plain(mut service) => {
                let Ok(response) = service.call(request).await;
                response.map(Body::new)
            }
            Inner::Coded(mut service) => {
                let Ok(response) = service.call(request).await;
                response.map(Body::new)
            }
        }
    };
    let Some(timeout) = config.timeout else {
        return answer.await;
    };
    match tokio::time::timeout(timeout, answer).await {
        Ok(response) => response,
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

/// The answer to a request the limiter did not admit: 429 when the client is over its
/// limit; when the limiter could not be asked, none (the request goes ahead) if failing
/// open, else 503.
fn refused(refusal: Refusal, fail_open: bool) -> Option<Response<Body>> {
    match refusal {
        Refusal::Limited(retry_after) => Some(too_many_requests(retry_after)),
        Refusal::Unavailable if fail_open => None,
        Refusal::Unavailable => {
            let mut problem = Problem::new(StatusCode::SERVICE_UNAVAILABLE)
                .with_detail("the rate limiter is unavailable; retry in a moment");
            problem
                .headers
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            Some(problem.into_response())
        }
    }
}

/// The client's `X-Request-Id` when it is a sane token (visible ASCII, at most 128
/// bytes), otherwise a new UUID: a hostile id never reaches the logs verbatim.
fn request_id(headers: &HeaderMap) -> HeaderValue {
    if let Some(id) = headers.get(REQUEST_ID).filter(|id| {
        let id = id.as_bytes();
        !id.is_empty() && id.len() <= 128 && id.iter().all(u8::is_ascii_graphic)
    }) {
        return id.clone();
    }
    let mut buffer = uuid::Uuid::encode_buffer();
    let id = uuid::Uuid::new_v4().hyphenated().encode_lower(&mut buffer);
    HeaderValue::from_str(id).unwrap_or_else(|_| HeaderValue::from_static("unknown"))
}

/// Headers every answer gets unless the handler set its own. The API answers JSON, so its
/// content policy forbids everything; the docs page may load its own scripts and styles.
/// Constants, so a request copies them instead of checking their bytes again.
fn security_headers(docs: bool) -> [(HeaderName, HeaderValue); 4] {
    const NOSNIFF: HeaderValue = HeaderValue::from_static("nosniff");
    const DENY: HeaderValue = HeaderValue::from_static("DENY");
    const NO_REFERRER: HeaderValue = HeaderValue::from_static("no-referrer");
    const API_POLICY: HeaderValue =
        HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'");
    const DOCS_POLICY: HeaderValue = HeaderValue::from_static(
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
    );
    [
        (header::X_CONTENT_TYPE_OPTIONS, NOSNIFF),
        (header::X_FRAME_OPTIONS, DENY),
        (header::REFERRER_POLICY, NO_REFERRER),
        (
            header::CONTENT_SECURITY_POLICY,
            if docs { DOCS_POLICY } else { API_POLICY },
        ),
    ]
}

/// Who is asking, for the rate limit: the peer address, or, behind `hops` trusted proxies
/// (`TRUST_PROXY`, `TRUSTED_PROXY_HOPS`), the `X-Forwarded-For` entry that many places from
/// the right. Each proxy appends the address it saw, so the entries further left are
/// whatever the client wrote: taking the leftmost let a client pick a new bucket for every
/// request, or drain someone else's.
fn client_key(request: &Request, hops: Option<usize>) -> String {
    if let Some(hops) = hops {
        let entries: Vec<&str> = request
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect();
        if let Some(client) = entries.len().checked_sub(hops).map(|at| entries[at]) {
            return client.to_owned();
        }
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

#[cfg(test)]
mod tests {
    use super::super::settings::LogFormat;
    use super::super::telemetry::tests::Captured;
    use super::*;
    use tracing_subscriber::layer::SubscriberExt;

    /// A router whose one route answers with the length of the body it was given, behind
    /// the whole stack with a 1 KiB body limit.
    fn measuring_app() -> Router {
        let mut settings = Settings::for_tests();
        settings.max_body_bytes = 1024;
        settings.compression = true;
        let router = Router::new().route(
            "/",
            axum::routing::post(|body: Bytes| async move { body.len().to_string() }),
        );
        layers(router, &settings, None)
    }

    async fn post_encoded(app: Router, encoding: &str, body: Vec<u8>) -> StatusCode {
        use tower::ServiceExt;
        let request = Request::builder()
            .method("POST")
            .uri("/")
            .header(header::CONTENT_ENCODING, encoding)
            .body(Body::from(body))
            .expect("a request");
        app.oneshot(request).await.expect("infallible").status()
    }

    /// A gzip member whose deflate stream is `empty_blocks` empty stored blocks, then an
    /// empty final one: valid, and it decompresses to nothing whatever its length.
    fn gzip_of_nothing(empty_blocks: usize) -> Vec<u8> {
        let mut gzip = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
        for _ in 0..empty_blocks {
            gzip.extend([0x00, 0x00, 0x00, 0xff, 0xff]);
        }
        gzip.extend([0x01, 0x00, 0x00, 0xff, 0xff]);
        gzip.extend([0; 8]); // CRC-32 and length of the empty output
        gzip
    }

    #[tokio::test]
    async fn compressed_input_counts_against_the_body_limit_not_only_its_output() {
        let small = post_encoded(measuring_app(), "gzip", gzip_of_nothing(10)).await;
        assert_eq!(small, StatusCode::OK, "a short valid gzip body is accepted");
        let endless = post_encoded(measuring_app(), "gzip", gzip_of_nothing(10_000)).await;
        assert!(
            endless.is_client_error(),
            "50 KB of compressed input for a 1 KiB limit: {endless}"
        );
    }

    #[tokio::test]
    async fn a_brotli_request_body_is_refused_before_its_window_is_allocated() {
        let status = post_encoded(measuring_app(), "br", vec![0x0b, 0x02, 0x80]).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }

    #[test]
    fn a_limiter_that_cannot_be_asked_lets_requests_through_only_when_failing_open() {
        assert!(refused(Refusal::Unavailable, true).is_none());
        let closed = refused(Refusal::Unavailable, false).expect("an answer");
        assert_eq!(closed.status(), StatusCode::SERVICE_UNAVAILABLE);
        let limited = refused(Refusal::Limited(Duration::from_millis(300)), true).unwrap();
        assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    }

    #[test]
    fn behind_trusted_proxies_the_client_is_counted_from_the_right_of_x_forwarded_for() {
        let request = |values: &[&str]| {
            let mut builder = Request::builder().uri("/");
            for value in values {
                builder = builder.header("x-forwarded-for", *value);
            }
            builder.body(axum::body::Body::empty()).expect("a request")
        };
        // The client wrote `6.6.6.6`; the one proxy appended the address it saw.
        let spoofed = request(&["6.6.6.6, 203.0.113.7"]);
        assert_eq!(client_key(&spoofed, Some(1)), "203.0.113.7");
        // Two proxies: the second appended the first's address.
        let two = request(&["6.6.6.6, 203.0.113.7", "10.0.0.2"]);
        assert_eq!(client_key(&two, Some(2)), "203.0.113.7");
        // Fewer entries than proxies, or no trust: the peer, never the header.
        assert_eq!(client_key(&request(&["6.6.6.6"]), Some(2)), "local");
        assert_eq!(client_key(&spoofed, None), "local");
    }

    /// The lines logged in `format` by one event outside a request and one inside a request
    /// whose id needs escaping in JSON.
    fn logged(format: LogFormat) -> Vec<String> {
        let captured = Captured::default();
        let sink = captured.clone();
        let layer = telemetry::log_layer(format, move || sink.clone());
        tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
            tracing::info!("outside");
            CURRENT_REQUEST_ID.sync_scope(HeaderValue::from_static("req-\"7\""), || {
                tracing::info!(answer = 42, "inside");
            });
        });
        captured.lines()
    }

    #[test]
    fn text_lines_logged_while_serving_a_request_end_with_its_id() {
        let lines = logged(LogFormat::Text);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines[0].ends_with("outside"), "{}", lines[0]);
        assert!(
            lines[1].ends_with("inside answer=42 request_id=req-\"7\""),
            "{}",
            lines[1]
        );
    }

    #[test]
    fn json_lines_logged_while_serving_a_request_hold_its_id() {
        let lines: Vec<serde_json::Value> = logged(LogFormat::Json)
            .iter()
            .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
            .collect();
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(lines[0].get("request_id"), None);
        assert_eq!(lines[1]["request_id"], "req-\"7\"");
        assert_eq!(lines[1]["fields"]["answer"], 42);
        assert_eq!(lines[1]["fields"]["message"], "inside");
    }
}
