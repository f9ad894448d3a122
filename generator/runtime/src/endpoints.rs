//! The operational endpoints every service has besides its API: liveness, readiness,
//! metrics, the spec itself and interactive docs. None of them needs credentials.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use utoipa_swagger_ui::Config;

use super::problem::Problem;
use super::settings::Settings;
use super::store::Database;
use super::telemetry;

/// The spec as the service publishes it.
#[derive(Debug, Clone, Copy)]
pub struct PublishedSpec {
    pub json: &'static str,
    pub yaml: &'static str,
    /// Operational paths the spec itself defines: those stay the API's.
    pub taken: &'static [&'static str],
}

/// The operational routes that are switched on and not taken by the spec. With an ops
/// port (`OPS_PORT`), `/readyz` and `/metrics` are served there ([`operations`]) and not
/// here; `/healthz` stays, for load balancers that only see the public port.
pub fn routes(settings: &Settings, db: Database, spec: PublishedSpec) -> Router {
    let free = |path: &str| !spec.taken.contains(&path);
    let public = settings.ops_address.is_none();
    let mut router = Router::new();
    if free("/healthz") {
        router = router.route("/healthz", get(healthz));
    }
    if public && free("/readyz") {
        router = router.route("/readyz", readiness_endpoint(db.clone()));
    }
    if public && settings.metrics && free("/metrics") {
        router = router.route("/metrics", metrics_endpoint(db));
    }
    if settings.docs {
        if free("/openapi.json") {
            router = router.route(
                "/openapi.json",
                get(move || document(spec.json, "application/json")),
            );
        }
        if free("/openapi.yaml") {
            router = router.route(
                "/openapi.yaml",
                get(move || document(spec.yaml, "application/yaml")),
            );
        }
        if free("/docs") {
            let config = Arc::new(Config::from("/openapi.json"));
            router = router
                .route("/docs", get(|| async { Redirect::permanent("/docs/") }))
                .route("/docs/", get(docs_index).with_state(config.clone()))
                .route("/docs/{*file}", get(docs_file).with_state(config));
        }
    }
    router
}

/// What the ops port (`OPS_PORT`) serves: liveness, readiness and, when on, metrics. No
/// middleware: probes and scrapes are neither rate limited nor logged.
pub fn operations(settings: &Settings, db: Database) -> Router {
    let mut router = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", readiness_endpoint(db.clone()));
    if settings.metrics {
        router = router.route("/metrics", metrics_endpoint(db));
    }
    router
}

/// `GET /readyz` on `db`, with its own cached answer.
fn readiness_endpoint(db: Database) -> axum::routing::MethodRouter {
    let readiness = Arc::new(Readiness::new(READINESS_TTL));
    get(readyz).with_state((db, readiness))
}

/// `GET /metrics`, with the Prometheus recorder installed.
fn metrics_endpoint(db: Database) -> axum::routing::MethodRouter {
    telemetry::prometheus();
    get(metrics).with_state(db)
}

/// Liveness: the process answers. Deliberately checks nothing else, so a database outage
/// does not get every replica restarted.
async fn healthz() -> impl IntoResponse {
    axum::Json(serde_json::json!({ "status": "ok" }))
}

/// Readiness: the database answers. A replica that cannot reach it is taken out of the
/// load balancer until it can. The answer is kept for [`READINESS_TTL`], and one probe at a
/// time asks the database: a flood of `/readyz` requests (the endpoint is public) costs
/// one ping a second, not a share of the connection pool the API needs.
async fn readyz(State((db, readiness)): State<(Database, Arc<Readiness>)>) -> Response {
    let ready = readiness
        .check(|| async {
            match db.ping().await {
                Ok(()) => true,
                Err(error) => {
                    tracing::warn!(%error, "readiness check: database unavailable");
                    false
                }
            }
        })
        .await;
    if ready {
        axum::Json(serde_json::json!({ "status": "ready" })).into_response()
    } else {
        Problem::new(StatusCode::SERVICE_UNAVAILABLE)
            .with_detail("the database is unavailable")
            .into_response()
    }
}

/// How long a readiness answer is reused.
pub const READINESS_TTL: std::time::Duration = std::time::Duration::from_secs(1);

/// The last readiness answer and when it was found. The lock is held across the probe, so
/// concurrent checks wait for one probe instead of each running their own.
#[derive(Debug)]
pub struct Readiness {
    ttl: std::time::Duration,
    last: tokio::sync::Mutex<Option<(std::time::Instant, bool)>>,
}

impl Readiness {
    /// Answers kept for `ttl`.
    pub fn new(ttl: std::time::Duration) -> Self {
        Self {
            ttl,
            last: tokio::sync::Mutex::new(None),
        }
    }

    /// The answer found less than the `ttl` ago, or `probe`'s.
    pub async fn check<F, Fut>(&self, probe: F) -> bool
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let mut last = self.last.lock().await;
        if let Some((at, ready)) = *last
            && at.elapsed() < self.ttl
        {
            return ready;
        }
        let ready = probe().await;
        *last = Some((std::time::Instant::now(), ready));
        ready
    }
}

async fn metrics(State(db): State<Database>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4"),
        )],
        telemetry::render(&db),
    )
        .into_response()
}

async fn document(text: &'static str, media_type: &'static str) -> Response {
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static(media_type))],
        text,
    )
        .into_response()
}

async fn docs_index(State(config): State<Arc<Config<'static>>>) -> Response {
    docs_asset("index.html", config)
}

async fn docs_file(
    Path(file): Path<String>,
    State(config): State<Arc<Config<'static>>>,
) -> Response {
    docs_asset(&file, config)
}

/// A Swagger UI asset, embedded in the binary at build time (nothing is fetched at run
/// time, so the docs work offline).
fn docs_asset(file: &str, config: Arc<Config<'static>>) -> Response {
    match utoipa_swagger_ui::serve(file, config) {
        Ok(Some(asset)) => match HeaderValue::from_str(&asset.content_type) {
            Ok(content_type) => (
                [(header::CONTENT_TYPE, content_type)],
                asset.bytes.into_owned(),
            )
                .into_response(),
            Err(_) => asset.bytes.into_owned().into_response(),
        },
        Ok(None) => Problem::not_found().into_response(),
        Err(error) => Problem::internal(error).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn a_burst_of_readiness_checks_asks_the_database_once() {
        let readiness = Arc::new(Readiness::new(READINESS_TTL));
        let probes = Arc::new(AtomicUsize::new(0));
        let checks: Vec<_> = (0..200)
            .map(|_| {
                let (readiness, probes) = (readiness.clone(), probes.clone());
                tokio::spawn(async move {
                    readiness
                        .check(|| async move {
                            probes.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                            true
                        })
                        .await
                })
            })
            .collect();
        for check in checks {
            assert!(check.await.expect("the check ran"));
        }
        assert_eq!(probes.load(Ordering::SeqCst), 1, "one probe for the burst");
    }

    /// The status `router` answers a GET of `path` with.
    async fn status_of(router: &Router, path: &str) -> StatusCode {
        use tower::ServiceExt;
        let request = axum::http::Request::builder()
            .uri(path)
            .body(axum::body::Body::empty())
            .expect("a request");
        router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible")
            .status()
    }

    const SPEC: PublishedSpec = PublishedSpec {
        json: "{}",
        yaml: "{}",
        taken: &[],
    };

    #[tokio::test]
    async fn with_an_ops_port_readiness_and_metrics_leave_the_public_port() {
        let db = Database::for_tests().await.expect("a database");
        let mut settings = Settings::for_tests();
        let public = routes(&settings, db.clone(), SPEC);
        for path in ["/healthz", "/readyz", "/metrics"] {
            assert_eq!(status_of(&public, path).await, StatusCode::OK, "{path}");
        }

        settings.ops_address = Some("127.0.0.1:9090".parse().expect("an address"));
        let public = routes(&settings, db.clone(), SPEC);
        assert_eq!(status_of(&public, "/healthz").await, StatusCode::OK);
        for path in ["/readyz", "/metrics"] {
            assert_eq!(
                status_of(&public, path).await,
                StatusCode::NOT_FOUND,
                "{path}"
            );
        }
        let ops = operations(&settings, db);
        for path in ["/healthz", "/readyz", "/metrics"] {
            assert_eq!(
                status_of(&ops, path).await,
                StatusCode::OK,
                "{path} on the ops port"
            );
        }
        assert_eq!(status_of(&ops, "/docs/").await, StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn a_stale_answer_is_asked_again() {
        let ttl = std::time::Duration::from_millis(50);
        let readiness = Readiness::new(ttl);
        assert!(!readiness.check(|| async { false }).await);
        assert!(
            !readiness.check(|| async { true }).await,
            "still the kept answer"
        );
        tokio::time::sleep(ttl).await;
        assert!(
            readiness.check(|| async { true }).await,
            "asked again once stale"
        );
    }

    #[test]
    fn the_docs_serve_their_embedded_assets_and_nothing_from_the_disk() {
        let config = Arc::new(Config::from("/openapi.json"));
        let index = docs_asset("index.html", config.clone());
        assert_eq!(index.status(), StatusCode::OK);
        for traversal in [
            "../../Cargo.toml",
            "..%2f..%2fCargo.toml",
            "/etc/passwd",
            "../src/lib.rs",
        ] {
            let response = docs_asset(traversal, config.clone());
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{traversal}");
        }
    }
}
