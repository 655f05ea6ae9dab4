//! The accept loop: each connection gets `TCP_NODELAY` (no Nagle wait on keep-alive
//! connections), a deadline for its request headers (a client that trickles them ties up
//! nothing for long), the peer address for the rate limits, and a share in the graceful
//! shutdown: on the signal, stop accepting and let requests in flight finish, up to a deadline.
//!
//! HTTP/1.1 only: cleartext HTTP/2 would keep idle connections open for as long as the client
//! answers pings. TLS and HTTP/2 belong to the proxy in front. At most `MAX_CONNECTIONS` are open
//! at once; past that the next waits in the kernel's queue until one closes.

use axum::{extract::ConnectInfo, Router};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt as _;

/// How long a client may take to send a request's headers (an idle keep-alive connection too).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections open at once, at most (each holds a task and its buffers).
pub const MAX_CONNECTIONS: usize = 4_096;

/// Serves `router` on `listener` until `signal`, then waits up to `drain` for open requests.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    signal: impl Future<Output = ()>,
    drain: Duration,
) -> std::io::Result<()> {
    serve_at_most(listener, router, signal, drain, MAX_CONNECTIONS).await
}

/// [`serve`], with at most `max_connections` open at once.
pub async fn serve_at_most(
    listener: TcpListener,
    router: Router,
    signal: impl Future<Output = ()>,
    drain: Duration,
    max_connections: usize,
) -> std::io::Result<()> {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    let open = std::sync::Arc::new(tokio::sync::Semaphore::new(max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut connections = tokio::task::JoinSet::new();
    tokio::pin!(signal);
    loop {
        // A place first: at the cap, nothing more is accepted until a connection ends.
        let place = tokio::select! {
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            place = open.clone().acquire_owned() => match place {
                Ok(place) => place,
                Err(_) => break,
            },
            () = &mut signal => break,
        };
        let (stream, peer) = tokio::select! {
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                Err(err) => {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    tracing::warn!(error = %err, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut signal => break,
        };
        if let Err(err) = stream.set_nodelay(true) {
            tracing::debug!(error = %err, "cannot set TCP_NODELAY");
        }
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<_>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(req)
        });
        let conn = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        connections.spawn(async move {
            let _place = place;
            if let Err(err) = conn.await {
                tracing::debug!(error = %err, "connection ended with an error");
            }
        });
    }
    drop(listener);
    tracing::info!("shutting down: finishing open requests");
    if tokio::time::timeout(drain, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            "requests still open after {} ms: stopping anyway",
            drain.as_millis()
        );
        connections.abort_all();
    }
    Ok(())
}
