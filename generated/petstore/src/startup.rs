// specgen:id src/startup.rs (keep this line: regen finds the file by it if you move it)
//! Putting the service together: the router with its middleware, the database, and a
//! server that shuts down gracefully. Settings come from the environment
//! ([`Settings`]); the middleware order is explained in `runtime/src/platform.rs`.

use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;

use crate::generated::resources::MIGRATIONS;
use crate::generated::runtime::rate_limit::RateLimiter;
use crate::generated::runtime::settings::Settings;
use crate::generated::runtime::store::Database;
use crate::generated::runtime::{endpoints, platform, server, telemetry};
use crate::generated::{self, AuthConfig, PUBLISHED_SPEC};
use crate::handlers::Handlers;

/// The whole application: every route of the spec served by [`Handlers`] on `db`,
/// checking credentials with `auth`, with the operational endpoints (`/healthz`,
/// `/readyz`, `/metrics`, `/openapi.json`, `/docs`) and the middleware stack, which
/// includes the body limit and conditional requests (`ETag`, `If-None-Match`,
/// `If-Match`).
pub fn app(
    settings: &Settings,
    auth: Arc<AuthConfig>,
    db: Database,
    limiter: Option<RateLimiter>,
) -> Router {
    let routes = generated::router(Arc::new(Handlers::new(db.clone())), auth)
        .merge(endpoints::routes(settings, db, PUBLISHED_SPEC));
    platform::layers(routes, settings, limiter)
}

/// Connects to the configured database and applies the migrations in `migrations/`.
pub async fn database(settings: &Settings) -> Result<Database, String> {
    let db = Database::connect(&settings.database_url, settings.pool)
        .await
        .map_err(|e| e.to_string())?;
    db.migrate(&MIGRATIONS).await.map_err(|e| e.to_string())?;
    Ok(db)
}

/// The per-client rate limiter: shared through Redis when `REDIS_URL` is set, in
/// this process otherwise; none when limiting is off.
pub async fn rate_limiter(settings: &Settings) -> Result<Option<RateLimiter>, String> {
    let Some(limit) = settings.rate_limit else {
        return Ok(None);
    };
    match &settings.redis_url {
        Some(url) => RateLimiter::redis(url, limit)
            .await
            .map(Some)
            .map_err(|e| format!("cannot connect to REDIS_URL: {e}")),
        None => Ok(Some(RateLimiter::local(limit))),
    }
}

/// The app on a fresh, migrated database: in-memory SQLite, or a new schema in the
/// PostgreSQL database `TEST_DATABASE_URL` names. What tests drive.
pub async fn test_app(auth: Arc<AuthConfig>) -> Result<Router, String> {
    test_app_with(&Settings::for_tests(), auth).await
}

/// [`test_app`] with settings of the test's choosing (rate limits, CORS...).
pub async fn test_app_with(settings: &Settings, auth: Arc<AuthConfig>) -> Result<Router, String> {
    Ok(test_app_and_database(settings, auth).await?.0)
}

/// [`test_app_with`] and the database behind it, for tests that look at what is stored.
pub async fn test_app_and_database(
    settings: &Settings,
    auth: Arc<AuthConfig>,
) -> Result<(Router, Database), String> {
    let db = Database::for_tests().await.map_err(|e| e.to_string())?;
    db.migrate(&MIGRATIONS).await.map_err(|e| e.to_string())?;
    let limiter = rate_limiter(settings).await?;
    Ok((app(settings, auth, db.clone(), limiter), db))
}

/// Serves until SIGTERM or Ctrl-C, then lets in-flight requests finish (for at most
/// `SHUTDOWN_GRACE_SECS`) and closes the database pool. The accept loop
/// (`runtime/src/server.rs`) closes connections that are slow to send their headers and
/// caps how many are open at once.
pub async fn run(settings: Settings, auth: AuthConfig) -> Result<(), String> {
    let db = database(&settings).await?;
    let limiter = rate_limiter(&settings).await?;
    let listener = TcpListener::bind(settings.address)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", settings.address))?;
    // Readiness and metrics on their own port (`OPS_PORT`), off the public one, when set.
    if let Some(address) = settings.ops_address {
        let listener = TcpListener::bind(address)
            .await
            .map_err(|e| format!("cannot listen on {address} (OPS_PORT): {e}"))?;
        let operations = endpoints::operations(&settings, db.clone());
        let limits = settings.connection_limits();
        tokio::spawn(server::serve(
            listener,
            operations,
            limits,
            shutdown_signal(),
        ));
    }
    let app = app(&settings, Arc::new(auth), db.clone(), limiter);
    server::serve(
        listener,
        app,
        settings.connection_limits(),
        shutdown_signal(),
    )
    .await
    .map_err(|e| e.to_string())?;
    db.close().await;
    tracing::info!("stopped");
    telemetry::shutdown_tracing();
    Ok(())
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: no new connections; finishing requests in flight");
}
