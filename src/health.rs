//! Health for a load balancer and for people (server only): `/healthz` (the process answers),
//! `/readyz` (and its database does: 503 while it does not), and the page a request gets while
//! the database is away.

use crate::error::AppError;
use crate::store::Store;
use axum::{
    extract::{Request, State},
    http::{header, StatusCode},
    middleware::Next,
    response::{Html, IntoResponse, Response},
    Json,
};

/// How long a browser or balancer is asked to wait before trying again.
const RETRY_AFTER_SECS: &str = "30";

/// Liveness: the process serves requests.
pub async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

/// Readiness: 200 when the database answers, 503 while it does not (take the instance out).
pub async fn readyz(State(store): State<Store>) -> Response {
    if store.ready().await {
        Json(serde_json::json!({ "status": "ready" })).into_response()
    } else {
        let body = Json(serde_json::json!({ "status": "database unreachable" }));
        (StatusCode::SERVICE_UNAVAILABLE, body).into_response()
    }
}

/// The answer to a request that needs the database while it is away: the error as JSON for
/// server functions, a page for everything else. 503 with `Retry-After`, never cached.
pub fn database_unavailable(path: &str) -> Response {
    let headers = [
        (header::RETRY_AFTER, RETRY_AFTER_SECS),
        (header::CACHE_CONTROL, "no-store"),
    ];
    let err = AppError::StoreUnavailable;
    if path.starts_with("/api/") {
        return (StatusCode::SERVICE_UNAVAILABLE, headers, Json(err)).into_response();
    }
    let page = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · campaigns-admin</title></head><body><main>\
         <h1>{title}</h1><p>{err}</p><p><a href=\"\">Try again</a></p></main></body></html>",
        title = err.title(),
    );
    (StatusCode::SERVICE_UNAVAILABLE, headers, Html(page)).into_response()
}

/// Outside the session layer: a request that failed with a 500 while the database does not answer
/// (the session layer answers a bare 500 when it cannot save) gets the 503 that says why.
pub async fn database_outage(State(store): State<Store>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let res = next.run(req).await;
    if res.status() == StatusCode::INTERNAL_SERVER_ERROR && !store.ready().await {
        return database_unavailable(&path);
    }
    res
}
