//! The built-in GitHub emulator (server only): GitHub's OAuth endpoints and the REST operations this
//! app uses, held to GitHub's OpenAPI description. Demo mode runs it in-process; tests start it on port 0.

use axum::{routing::get, Json, Router};
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use url::Url;

/// A running emulator; stops when dropped.
pub struct EmulatorHandle {
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl EmulatorHandle {
    pub fn address(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL, which serves both GitHub's web (OAuth) and API paths.
    pub fn url(&self) -> Url {
        Url::parse(&format!("http://{}/", self.addr)).expect("a socket address forms a valid URL")
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub fn router() -> Router {
    Router::new().route(
        "/",
        get(|| async {
            Json(serde_json::json!({ "emulator": "campaigns-admin GitHub emulator" }))
        }),
    )
}

/// Binds `addr` (port 0 picks a free one) and serves the emulator in the background.
pub async fn spawn(addr: SocketAddr) -> std::io::Result<EmulatorHandle> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let app = router();
    let task = tokio::spawn(async move {
        if let Err(err) = axum::serve(listener, app).await {
            tracing::error!(error = %err, "the GitHub emulator stopped");
        }
    });
    Ok(EmulatorHandle { addr, task })
}
