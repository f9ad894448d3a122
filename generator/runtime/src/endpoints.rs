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

/// The operational routes that are switched on and not taken by the spec.
pub fn routes(settings: &Settings, db: Database, spec: PublishedSpec) -> Router {
    let free = |path: &str| !spec.taken.contains(&path);
    let mut router = Router::new();
    if free("/healthz") {
        router = router.route("/healthz", get(healthz));
    }
    if free("/readyz") {
        router = router.route("/readyz", get(readyz).with_state(db.clone()));
    }
    if settings.metrics && free("/metrics") {
        telemetry::prometheus();
        router = router.route("/metrics", get(metrics).with_state(db));
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

/// Liveness: the process answers. Deliberately checks nothing else, so a database outage
/// does not get every replica restarted.
async fn healthz() -> impl IntoResponse {
    axum::Json(serde_json::json!({ "status": "ok" }))
}

/// Readiness: the database answers. A replica that cannot reach it is taken out of the
/// load balancer until it can.
async fn readyz(State(db): State<Database>) -> Response {
    match db.ping().await {
        Ok(()) => axum::Json(serde_json::json!({ "status": "ready" })).into_response(),
        Err(error) => {
            tracing::warn!(%error, "readiness check: database unavailable");
            Problem::new(StatusCode::SERVICE_UNAVAILABLE)
                .with_detail("the database is unavailable")
                .into_response()
        }
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
