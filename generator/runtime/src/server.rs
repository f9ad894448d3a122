//! The accept loop: HTTP/1 on a TCP listener, with the limits `axum::serve`
//! does not set, and a graceful shutdown.
//!
//! - **A deadline for the request head** (`HEADER_READ_TIMEOUT_SECS`, default 65 s):
//!   `axum::serve` installs no timer in hyper, so hyper's own header timeout never fires
//!   (tokio-rs/axum#2741) and a client that sends its headers one byte a minute (slowloris)
//!   holds a connection and a file descriptor for as long as it likes. `REQUEST_TIMEOUT`
//!   cannot help: it starts once the head has arrived. Hyper starts the deadline whenever
//!   it waits for a head, so it also closes keep-alive connections idle that long; hence
//!   the default above load balancers' usual 60 s idle timeout (see `Settings`).
//! - **A cap on open connections** (`MAX_CONNECTIONS`, default 2048): past it, the loop
//!   stops accepting and new connections wait in the kernel's backlog, instead of the
//!   process running out of file descriptors and failing every accept, the database's
//!   included.
//! - **Graceful shutdown**: when `shutdown` resolves, the listener closes, idle keep-alive
//!   connections are closed, and requests in flight get `grace` to finish.
//!
//! This is the loop `axum::serve` runs, with those three additions; each connection is
//! hyper's HTTP/1 (axum's default: TLS and HTTP/2 end at the ingress), with upgrades, so
//! WebSocket works as before.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::extract::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
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
///
/// A connection holds one of `max_connections` slots from accept to close; shutdown waits
/// until every slot is back, which is when the last connection has closed.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    if let Ok(address) = listener.local_addr() {
        tracing::info!(%address, max_connections = limits.max_connections, "listening");
    }
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let capacity = limits.max_connections.clamp(1, Semaphore::MAX_PERMITS);
    let slots = Arc::new(Semaphore::new(capacity));
    let (stopping, stop_signal) = watch::channel(false);
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
            .serve_connection(TokioIo::new(stream), service)
            .with_upgrades();
        let mut stop_signal = stop_signal.clone();
        tokio::spawn(async move {
            let mut connection = std::pin::pin!(connection);
            let outcome = tokio::select! {
                outcome = connection.as_mut() => outcome,
                () = async { let _ = stop_signal.wait_for(|stopping| *stopping).await; } => {
                    // Finish the request in flight, if any, then close; an idle
                    // keep-alive connection closes now.
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(error) = outcome {
                tracing::debug!(%peer, %error, "connection ended with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    let _ = stopping.send(true);
    let all_closed = slots.acquire_many(u32::try_from(capacity).unwrap_or(u32::MAX));
    if tokio::time::timeout(limits.grace, all_closed)
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
        let started = Arc::new(tokio::sync::Notify::new());
        let handler_started = Arc::clone(&started);
        let app = Router::new().route(
            "/slow",
            get(move || async move {
                handler_started.notify_one();
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
        // Shut down once the request is being served, however busy the machine is.
        started.notified().await;
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
