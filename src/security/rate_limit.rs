//! Request rate limits: `/auth/*` per client address, server functions (`/api/*`) per session
//! and per client address. Over the limit the answer is 429 with `Retry-After`. The counters
//! live in this process: with several instances each counts its own share.

use crate::error::AppError;
use crate::settings::LimitSettings;
use axum::{
    extract::{ConnectInfo, Request, State},
    http::{header, HeaderMap, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use governor::{clock::Clock, DefaultKeyedRateLimiter, Quota};
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

/// A client address may make this many times a session's server-function calls (a team behind
/// one proxy or NAT shares it).
const SHARED_ADDRESS_FACTOR: u32 = 4;

#[derive(Clone)]
pub struct RateLimits {
    api_by_session: Arc<DefaultKeyedRateLimiter<String>>,
    api_by_address: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    auth_by_address: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    trusted_proxies: Arc<[IpAddr]>,
    cookie: &'static str,
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN))
}

impl RateLimits {
    /// The limits, and a task that forgets idle clients every minute so memory stays flat.
    pub fn new(limits: &LimitSettings, cookie: &'static str) -> Self {
        let api = limits.api_per_minute;
        let this = RateLimits {
            api_by_session: Arc::new(DefaultKeyedRateLimiter::keyed(per_minute(api))),
            api_by_address: Arc::new(DefaultKeyedRateLimiter::keyed(per_minute(
                api.saturating_mul(SHARED_ADDRESS_FACTOR),
            ))),
            auth_by_address: Arc::new(DefaultKeyedRateLimiter::keyed(per_minute(
                limits.auth_per_minute,
            ))),
            trusted_proxies: limits.trusted_proxies.clone().into(),
            cookie,
        };
        let weak = (
            Arc::downgrade(&this.api_by_session),
            Arc::downgrade(&this.api_by_address),
            Arc::downgrade(&this.auth_by_address),
        );
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                let (Some(a), Some(b), Some(c)) =
                    (weak.0.upgrade(), weak.1.upgrade(), weak.2.upgrade())
                else {
                    return;
                };
                a.retain_recent();
                b.retain_recent();
                c.retain_recent();
            }
        });
        this
    }

    /// The client's address: the peer, or, when the peer is a trusted proxy, the nearest
    /// address in `X-Forwarded-For` that is not one.
    pub fn client_address(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusted_proxies.contains(&peer) {
            return peer;
        }
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse::<IpAddr>().ok())
            .collect::<Vec<_>>();
        forwarded
            .into_iter()
            .rev()
            .find(|a| !self.trusted_proxies.contains(a))
            .unwrap_or(peer)
    }

    fn session_key(&self, headers: &HeaderMap) -> Option<String> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .find(|(name, _)| *name == self.cookie)
            .map(|(_, value)| value.to_owned())
    }
}

/// Seconds until the limiter lets the next request through, at least 1.
fn wait_secs(not_until: governor::NotUntil<governor::clock::QuantaInstant>) -> u64 {
    let clock = governor::clock::DefaultClock::default();
    not_until.wait_time_from(clock.now()).as_secs() + 1
}

fn too_many(path: &str, secs: u64) -> Response {
    let retry = [(header::RETRY_AFTER, secs.to_string())];
    if path.starts_with("/api/") {
        let err = AppError::TooManyRequests {
            retry_after_secs: secs,
        };
        (StatusCode::TOO_MANY_REQUESTS, retry, axum::Json(err)).into_response()
    } else {
        let text = format!("Too many requests. Try again in {secs} seconds.");
        (StatusCode::TOO_MANY_REQUESTS, retry, text).into_response()
    }
}

pub async fn middleware(State(limits): State<RateLimits>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let api = path.starts_with("/api/");
    if !api && !path.starts_with("/auth/") {
        return next.run(req).await;
    }
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]));
    let address = limits.client_address(peer, req.headers());
    let verdict = if api {
        let by_session = match limits.session_key(req.headers()) {
            Some(key) => limits.api_by_session.check_key(&key),
            None => Ok(()),
        };
        by_session.and_then(|()| limits.api_by_address.check_key(&address))
    } else {
        limits.auth_by_address.check_key(&address)
    };
    match verdict {
        Ok(()) => next.run(req).await,
        Err(not_until) => {
            let secs = wait_secs(not_until);
            tracing::info!(%path, retry_after = secs, "rate limit reached");
            too_many(path, secs)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(trusted: &[&str]) -> RateLimits {
        RateLimits {
            api_by_session: Arc::new(DefaultKeyedRateLimiter::keyed(per_minute(1))),
            api_by_address: Arc::new(DefaultKeyedRateLimiter::keyed(per_minute(1))),
            auth_by_address: Arc::new(DefaultKeyedRateLimiter::keyed(per_minute(1))),
            trusted_proxies: trusted.iter().map(|a| a.parse().unwrap()).collect(),
            cookie: "campaigns_session",
        }
    }

    fn forwarded(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", value.parse().unwrap());
        h
    }

    #[test]
    fn forwarded_for_counts_only_from_a_trusted_proxy() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let h = forwarded("203.0.113.9, 10.0.0.2");
        // From anyone else the header is the client's own say-so.
        assert_eq!(
            limits(&[]).client_address(ip("198.51.100.1"), &h),
            ip("198.51.100.1")
        );
        // Through two trusted proxies: the first address they did not add.
        let l = limits(&["10.0.0.1", "10.0.0.2"]);
        assert_eq!(l.client_address(ip("10.0.0.1"), &h), ip("203.0.113.9"));
        // A client cannot hide behind a forged entry before the real one.
        let h = forwarded("1.2.3.4, 203.0.113.9");
        assert_eq!(l.client_address(ip("10.0.0.1"), &h), ip("203.0.113.9"));
    }

    #[test]
    fn the_session_is_read_from_its_own_cookie_only() {
        let l = limits(&[]);
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            "other=1; campaigns_session=abc".parse().unwrap(),
        );
        assert_eq!(l.session_key(&h).as_deref(), Some("abc"));
        assert_eq!(l.session_key(&HeaderMap::new()), None);
    }
}
