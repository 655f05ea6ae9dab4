//! Sign-in with GitHub (server only): the OAuth routes, the typed session, token encryption and
//! refresh, and the two guards (pages need a session; state changes must come from this origin).

pub mod access;
pub mod cookie;
pub mod crypto;
pub mod oauth;
pub mod routes;
pub mod session;
pub mod single_flight;

use crate::settings::Settings;
use axum::{
    extract::{Request, State},
    http::{header, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use std::sync::Arc;
use tower_sessions::Session;

/// Paths anyone may open: sign-in and its outcome pages, health, and static assets.
const PUBLIC_PREFIXES: &[&str] = &[
    "/auth/",
    "/healthz",
    "/readyz",
    "/pkg/",
    "/favicon",
    "/signed-out",
    "/sign-in-failed",
    // Server functions check the session themselves and answer NotSignedIn.
    "/api/",
];

/// `next` if it is a path of this app, else `/`. Rejects `//host`, `/\host`, schemes, control
/// characters, and the same hidden behind percent-encoding. A good path is kept byte for byte.
pub fn safe_next(next: Option<&str>) -> String {
    let Some(raw) = next else {
        return "/".to_owned();
    };
    let mut candidate = raw.to_owned();
    for _ in 0..4 {
        if !looks_local(&candidate) {
            return "/".to_owned();
        }
        let decoded = percent_decode(&candidate);
        if decoded == candidate {
            return raw.to_owned();
        }
        candidate = decoded;
    }
    "/".to_owned()
}

fn looks_local(s: &str) -> bool {
    s.starts_with('/')
        && !s.starts_with("//")
        && !s.starts_with("/\\")
        && !s.chars().any(|c| c.is_control() || c == '\\')
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Pages need a session: a signed-out GET goes to sign-in and comes back to exactly this URL.
pub async fn require_session(
    State(settings): State<Arc<Settings>>,
    session: Session,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path();
    let public = PUBLIC_PREFIXES.iter().any(|p| path.starts_with(p));
    // HEAD is a GET without the body: it needs a session as much.
    let read = matches!(*req.method(), Method::GET | Method::HEAD);
    if public || !read {
        return next.run(req).await;
    }
    match session::signed_in(&session, settings.session.lifetime).await {
        Ok(Some(_)) => next.run(req).await,
        Ok(None) => {
            let here = req
                .uri()
                .path_and_query()
                .map(|pq| pq.as_str().to_owned())
                .unwrap_or_else(|| "/".to_owned());
            Redirect::to(&crate::domain::paths::sign_in_then(&here)).into_response()
        }
        Err(crate::error::AppError::StoreUnavailable) => crate::health::database_unavailable(path),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// Leptos adds no cross-site request protection to server functions: every state-changing request
/// to `/api/` or `/auth/` must come from this origin (`Sec-Fetch-Site`, else `Origin`).
pub async fn same_origin_only(
    State(settings): State<Arc<Settings>>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path();
    let guarded = path.starts_with("/api/") || path.starts_with("/auth/");
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !guarded || safe {
        return next.run(req).await;
    }
    let headers = req.headers();
    let allowed = match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        Some(site) => site == "same-origin",
        None => {
            let ours = settings.public_url.origin().ascii_serialization();
            headers
                .get(header::ORIGIN)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|o| o == ours)
        }
    };
    if allowed {
        next.run(req).await
    } else {
        tracing::warn!(%path, "refused a cross-site state-changing request");
        (
            StatusCode::FORBIDDEN,
            "Cross-site requests are not allowed.",
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn open_redirects_fall_back_to_home() {
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "/%2F%2Fevil.example",
            "/%2f%2fevil.example",
            "/%5Cevil.example",
            "%2F%2Fevil.example",
            "/%252F%252Fevil.example",
            "javascript:alert(1)",
            "/\t/evil.example",
            "/\n/evil.example",
            "/%09/evil.example",
            "/%0A/evil.example",
            "\t//evil.example",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn legitimate_paths_are_kept_byte_for_byte() {
        for good in [
            "/",
            "/orgs/acme/campaigns/42?tab=x",
            "/orgs/acme/campaigns?state=open&sort=ends_at&page=2",
            "/orgs/acme/campaigns?q=a%20b%26c",
            "/orgs/acme/campaigns?next=https://x.example",
        ] {
            assert_eq!(safe_next(Some(good)), good);
        }
    }
}
