//! Putting the service together: the router with its middleware, configuration from
//! the environment, and a server that shuts down gracefully.

use crate::generated::resources::MIGRATIONS;
use crate::generated::runtime::etag;
use crate::generated::runtime::store::Database;
use crate::generated::{self, AUTH_NEEDS, AuthConfig};
use crate::handlers::Handlers;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

/// The whole application: every route of the spec served by [`Handlers`] on `db`,
/// checking credentials with `auth`, with conditional requests (`ETag`,
/// `If-None-Match`, `If-Match`). Bodies larger than `MAX_BODY_BYTES` (default 2 MiB)
/// get 413.
pub fn app(auth: Arc<AuthConfig>, db: Database) -> Router {
    etag::layer(generated::router(Arc::new(Handlers::new(db)), auth))
        .layer(DefaultBodyLimit::max(max_body_bytes()))
        .layer(TraceLayer::new_for_http())
}

/// Connects to `DATABASE_URL` (default: a SQLite file under `data/`) and applies the
/// migrations in `migrations/`.
pub async fn database_from_env() -> Result<Database, String> {
    let db = Database::from_env().await.map_err(|e| e.to_string())?;
    db.migrate(&MIGRATIONS).await.map_err(|e| e.to_string())?;
    Ok(db)
}

/// The app on a fresh, migrated database: in-memory SQLite, or a new schema in the
/// PostgreSQL database `TEST_DATABASE_URL` names. What tests drive.
pub async fn test_app(auth: Arc<AuthConfig>) -> Result<Router, String> {
    let db = Database::for_tests().await.map_err(|e| e.to_string())?;
    db.migrate(&MIGRATIONS).await.map_err(|e| e.to_string())?;
    Ok(app(auth, db))
}

/// `MAX_BODY_BYTES`, the largest request body accepted (default 2 MiB).
pub fn max_body_bytes() -> usize {
    std::env::var("MAX_BODY_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2 * 1024 * 1024)
}

/// Logs to stderr; `RUST_LOG` filters (default `info`).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt().with_env_filter(filter).init();
}

/// Where to listen: `HOST` and `PORT` (default 127.0.0.1:8080).
pub fn listen_address() -> Result<SocketAddr, String> {
    let host = std::env::var("HOST").unwrap_or_else(|_| "127.0.0.1".to_owned());
    let port = std::env::var("PORT").unwrap_or_else(|_| "8080".to_owned());
    let port: u16 = port
        .parse()
        .map_err(|_| format!("PORT must be a number from 0 to 65535, got `{port}`"))?;
    format!("{host}:{port}")
        .parse()
        .or_else(|_| format!("[{host}]:{port}").parse())
        .map_err(|_| format!("HOST must be an IP address, got `{host}`"))
}

/// Serves on the address from the environment until SIGINT or SIGTERM. Refuses to
/// start when the credentials configuration is invalid (or missing in production).
pub async fn run_from_env() -> Result<(), String> {
    let address = listen_address()?;
    let auth = AuthConfig::from_env(AUTH_NEEDS).map_err(|e| e.to_string())?;
    let db = database_from_env().await?;
    let listener = TcpListener::bind(address)
        .await
        .map_err(|e| format!("cannot listen on {address}: {e}"))?;
    serve(listener, Arc::new(auth), db)
        .await
        .map_err(|e| e.to_string())
}

/// Serves the app on `listener`; in-flight requests finish before it returns.
pub async fn serve(
    listener: TcpListener,
    auth: Arc<AuthConfig>,
    db: Database,
) -> std::io::Result<()> {
    if let Ok(address) = listener.local_addr() {
        tracing::info!(% address, "listening");
    }
    axum::serve(listener, app(auth, db))
        .with_graceful_shutdown(shutdown_signal())
        .await
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(% error, "cannot listen for Ctrl-C");
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
                tracing::warn!(% error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };

    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}, () = terminate => {},
    }
    tracing::info!("shutting down");
}
