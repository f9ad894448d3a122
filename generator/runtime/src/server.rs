//! The accept loop: HTTP/1 and HTTP/2 on a TCP listener, with the limits `axum::serve`
//! does not set, and a graceful shutdown.
//!
//! - **A deadline for the request head** (`HEADER_READ_TIMEOUT_SECS`, default 10 s):
//!   `axum::serve` installs no timer in hyper, so hyper's own header timeout never fires
//!   (tokio-rs/axum#2741) and a client that sends its headers one byte a minute (slowloris)
//!   holds a connection and a file descriptor for as long as it likes. `REQUEST_TIMEOUT`
//!   cannot help: it starts once the head has arrived.
//! - **A cap on open connections** (`MAX_CONNECTIONS`, default 2048): past it, the loop
//!   stops accepting and new connections wait in the kernel's backlog, instead of the
//!   process running out of file descriptors and failing every accept, the database's
//!   included.
//! - **Graceful shutdown**: when `shutdown` resolves, the listener closes, idle keep-alive
//!   connections are closed, and requests in flight get `grace` to finish.
//!
//! This is the loop `axum::serve` runs, with those three additions; the per-connection
//! work is hyper-util's `auto` builder, so HTTP/2 and upgrades (WebSocket) work as before.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::extract::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// How the server treats connections (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// How long a client has to send a request's head (`HEADER_READ_TIMEOUT_SECS`).
    pub header_read_timeout: Duration,
    /// How many connections are open at once, at most (`MAX_CONNECTIONS`).
    pub max_connections: usize,
    /// How long requests in flight may run once shutdown starts (`SHUTDOWN_GRACE_SECS`).
    pub grace: Duration,
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets requests in flight
/// finish for at most `limits.grace`. Each request carries the peer's
/// `ConnectInfo<SocketAddr>`, as with `into_make_service_with_connect_info`.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    if let Ok(address) = listener.local_addr() {
        tracing::info!(%address, max_connections = limits.max_connections, "listening");
    }
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    // The CONNECT protocol, for WebSocket over HTTP/2 (as `axum::serve` enables it).
    builder
        .http2()
        .timer(TokioTimer::new())
        .enable_connect_protocol();
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = Arc::clone(&slots).acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    wait_after_accept_error(error).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            app.clone().oneshot(request.map(axum::body::Body::new))
        });
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), service)
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%peer, %error, "connection ended with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(limits.grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            grace_secs = limits.grace.as_secs(),
            "grace period over; abandoning requests still in flight"
        );
    }
    Ok(())
}

/// After a failed accept: nothing for a connection the peer already reset; a pause when
/// the process is out of file descriptors or memory, so the loop does not spin while
/// they are short (what `axum::serve` does too).
async fn wait_after_accept_error(error: std::io::Error) {
    use std::io::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!(%error, "accepting a connection failed; retrying in 1 s");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use std::net::SocketAddr;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    fn limits(header_read_timeout: Duration, max_connections: usize) -> ConnectionLimits {
        ConnectionLimits {
            header_read_timeout,
            max_connections,
            grace: Duration::from_secs(1),
        }
    }

    /// A server for `app` on a free port, stopped when the returned sender is dropped.
    async fn start(
        app: Router,
        limits: ConnectionLimits,
    ) -> (SocketAddr, tokio::sync::oneshot::Sender<()>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(serve(listener, app, limits, async {
            let _ = stopped.await;
        }));
        (address, stop)
    }

    /// What the server sends back on `stream` until it closes it or `wait` passes.
    async fn read_until_closed(stream: &mut TcpStream, wait: Duration) -> Option<String> {
        let mut answer = Vec::new();
        match tokio::time::timeout(wait, stream.read_to_end(&mut answer)).await {
            Ok(_) => Some(String::from_utf8_lossy(&answer).into_owned()),
            Err(_) => None,
        }
    }

    fn peer_app() -> Router {
        Router::new().route(
            "/",
            get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move { peer.ip().to_string() }),
        )
    }

    #[tokio::test]
    async fn a_request_is_served_with_the_peers_address() {
        let (address, _stop) = start(peer_app(), limits(Duration::from_secs(5), 8)).await;
        let mut stream = TcpStream::connect(address).await.unwrap();
        stream
            .write_all(b"GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
            .await
            .unwrap();
        let answer = read_until_closed(&mut stream, Duration::from_secs(5))
            .await
            .expect("an answer");
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.ends_with("127.0.0.1"), "{answer}");
    }

    #[tokio::test]
    async fn a_client_that_never_finishes_its_headers_is_disconnected() {
        let (address, _stop) = start(peer_app(), limits(Duration::from_millis(300), 8)).await;
        let mut slow = TcpStream::connect(address).await.unwrap();
        slow.write_all(b"GET / HTTP/1.1\r\nhost: x\r\n")
            .await
            .unwrap();
        // It never sends the blank line that ends the head.
        let answer = read_until_closed(&mut slow, Duration::from_secs(5)).await;
        assert!(
            answer.is_some(),
            "the connection must be closed by the header deadline, not held open"
        );
    }

    #[tokio::test]
    async fn past_the_connection_cap_a_new_connection_waits_for_a_free_slot() {
        let (address, _stop) = start(peer_app(), limits(Duration::from_secs(30), 1)).await;
        // The one slot: a connection that has sent nothing yet.
        let holder = TcpStream::connect(address).await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut waiting = TcpStream::connect(address).await.unwrap();
        waiting
            .write_all(b"GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
            .await
            .unwrap();
        assert_eq!(
            read_until_closed(&mut waiting, Duration::from_millis(500)).await,
            None,
            "not served while the slot is taken"
        );
        drop(holder);
        let answer = read_until_closed(&mut waiting, Duration::from_secs(5))
            .await
            .expect("served once the slot is free");
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }

    #[tokio::test]
    async fn shutdown_lets_a_request_in_flight_finish() {
        let app = Router::new().route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_millis(300)).await;
                "done"
            }),
        );
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve(
            listener,
            app,
            limits(Duration::from_secs(5), 8),
            async {
                let _ = stopped.await;
            },
        ));
        let mut stream = TcpStream::connect(address).await.unwrap();
        stream
            .write_all(b"GET /slow HTTP/1.1\r\nhost: x\r\n\r\n")
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        drop(stop);
        let answer = read_until_closed(&mut stream, Duration::from_secs(5))
            .await
            .expect("an answer, then the connection closed");
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.ends_with("done"), "{answer}");
        tokio::time::timeout(Duration::from_secs(5), server)
            .await
            .expect("the server stops")
            .unwrap()
            .unwrap();
        assert!(
            TcpStream::connect(address).await.is_err(),
            "no longer listening"
        );
    }
}
