//! Security headers on every response: a strict Content-Security-Policy whose script nonce is
//! made per response and handed to Leptos (its hydration and resource scripts carry it), plus
//! COOP, CORP, Permissions-Policy, HSTS over https, and `Cache-Control: no-store` on everything
//! but static files (whose caching the bundle decides: `crate::assets`).

use crate::assets::Bundle;
use crate::settings::Settings;
use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode},
    middleware::Next,
    response::Response,
};
use base64::Engine as _;
use rand::RngCore as _;
use std::sync::Arc;

/// This response's CSP nonce, in the request's extensions for Leptos to use.
#[derive(Debug, Clone)]
pub struct CspNonce(pub String);

/// What the middleware sets, worked out once from the settings.
#[derive(Debug, Clone)]
pub struct SecurityHeaders {
    /// The CSP with `{nonce}` where each response's nonce goes.
    policy: Arc<str>,
    hsts: bool,
    bundle: Arc<Bundle>,
}

impl SecurityHeaders {
    pub fn new(settings: &Settings, bundle: Bundle) -> Self {
        // Avatars come from GitHub's avatar host, or from the GitHub (Enterprise) host itself.
        let mut images = vec![
            "'self'".to_owned(),
            "https://avatars.githubusercontent.com".to_owned(),
        ];
        for url in [&settings.github.web_url, &settings.github.api_url] {
            let origin = url.origin().ascii_serialization();
            if origin != "null" && !images.contains(&origin) {
                images.push(origin);
            }
        }
        let policy = format!(
            "default-src 'self'; \
             script-src 'nonce-{{nonce}}' 'strict-dynamic' 'wasm-unsafe-eval'; \
             style-src 'self'; style-src-attr 'unsafe-inline'; \
             img-src {}; connect-src 'self'; \
             object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
            images.join(" ")
        );
        SecurityHeaders {
            policy: policy.into(),
            hsts: settings.public_url.scheme() == "https",
            bundle: Arc::new(bundle),
        }
    }

    fn policy_with(&self, nonce: &str) -> Option<HeaderValue> {
        HeaderValue::from_str(&self.policy.replace("{nonce}", nonce)).ok()
    }
}

/// 128 random bits, URL-safe base64: fresh for every response.
fn new_nonce() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Gives Leptos this response's nonce (runs inside Leptos' rendering and server functions,
/// after Leptos has provided a nonce of its own, which this replaces).
pub fn provide_response_nonce() {
    let nonce = leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|p| p.extensions.get::<CspNonce>().cloned());
    if let Some(CspNonce(nonce)) = nonce {
        leptos::prelude::provide_context(leptos::nonce::Nonce::from_value(nonce));
    }
}

fn static_file(path: &str) -> bool {
    path.starts_with("/pkg/") || path.starts_with("/favicon")
}

pub async fn middleware(
    State(headers): State<SecurityHeaders>,
    mut req: Request,
    next: Next,
) -> Response {
    let nonce = new_nonce();
    let cache =
        static_file(req.uri().path()).then(|| headers.bundle.cache_control(req.uri().path()));
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut res = next.run(req).await;
    let found = res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED;
    let h = res.headers_mut();
    if let Some(policy) = headers.policy_with(&nonce) {
        h.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(h, header::REFERRER_POLICY, "same-origin");
    set(
        h,
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set(
        h,
        HeaderName::from_static("cross-origin-resource-policy"),
        "same-origin",
    );
    set(
        h,
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), clipboard-write=(self)",
    );
    if headers.hsts {
        set(
            h,
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    match cache {
        Some(cache) if found => set(h, header::CACHE_CONTROL, cache),
        // Signed-in pages and answers must not outlive the session in any cache.
        _ => set(h, header::CACHE_CONTROL, "no-store"),
    }
    res
}

fn set(h: &mut HeaderMap, name: HeaderName, value: &'static str) {
    h.insert(name, HeaderValue::from_static(value));
}
