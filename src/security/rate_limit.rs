//! Request rate limits: `/auth/*` per client address, server functions (`/api/*`) per client
//! address then per session, and the pages and files that cost many GitHub requests (a campaign's
//! alerts, a draft, the overview, the exports) per client address then per session. Over the
//! limit the answer is 429 with `Retry-After`. The counters live in this process: with several
//! instances each counts its own share.
//!
//! The address is counted first, so that a client sending a new cookie with every request is
//! stopped by its address before it can add a counter per cookie; the session counted is the one
//! the session layer loads (the last cookie of its name).

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
    heavy_by_session: Arc<DefaultKeyedRateLimiter<String>>,
    heavy_by_address: Arc<DefaultKeyedRateLimiter<IpAddr>>,
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
        let (api, heavy) = (limits.api_per_minute, limits.heavy_per_minute);
        let this = RateLimits {
            api_by_session: Arc::new(DefaultKeyedRateLimiter::keyed(per_minute(api))),
            api_by_address: Arc::new(DefaultKeyedRateLimiter::keyed(per_minute(
                api.saturating_mul(SHARED_ADDRESS_FACTOR),
            ))),
            heavy_by_session: Arc::new(DefaultKeyedRateLimiter::keyed(per_minute(heavy))),
            heavy_by_address: Arc::new(DefaultKeyedRateLimiter::keyed(per_minute(
                heavy.saturating_mul(SHARED_ADDRESS_FACTOR),
            ))),
            auth_by_address: Arc::new(DefaultKeyedRateLimiter::keyed(per_minute(
                limits.auth_per_minute,
            ))),
            trusted_proxies: limits.trusted_proxies.clone().into(),
            cookie,
        };
        let weak = (
            [
                Arc::downgrade(&this.api_by_session),
                Arc::downgrade(&this.heavy_by_session),
            ],
            [
                Arc::downgrade(&this.api_by_address),
                Arc::downgrade(&this.heavy_by_address),
                Arc::downgrade(&this.auth_by_address),
            ],
        );
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                for w in &weak.0 {
                    let Some(l) = w.upgrade() else { return };
                    l.retain_recent();
                }
                for w in &weak.1 {
                    let Some(l) = w.upgrade() else { return };
                    l.retain_recent();
                }
            }
        });
        this
    }

    /// The verdict on one request to `path` from `address`: the address first, then the session.
    fn check(&self, path: &str, address: IpAddr, headers: &HeaderMap) -> Verdict {
        let (by_address, by_session) = match Kind::of(path) {
            Kind::Api => (&self.api_by_address, &self.api_by_session),
            Kind::Heavy => (&self.heavy_by_address, &self.heavy_by_session),
            Kind::Auth => return self.auth_by_address.check_key(&address),
            Kind::Free => return Ok(()),
        };
        by_address.check_key(&address)?;
        match self.session_key(headers) {
            Some(key) => by_session.check_key(&key),
            None => Ok(()),
        }
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

    /// The session the session layer will load: the value of the last cookie of its name (a
    /// later cookie of the same name replaces an earlier one there), if it is a session id at
    /// all; anything else loads no session and is counted by its address alone.
    fn session_key(&self, headers: &HeaderMap) -> Option<String> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .rfind(|(name, _)| *name == self.cookie)
            .map(|(_, value)| value.trim_matches('"'))
            .filter(|value| value.parse::<tower_sessions::session::Id>().is_ok())
            .map(str::to_owned)
    }
}

type Verdict = Result<(), governor::NotUntil<governor::clock::QuantaInstant>>;

/// What a request is counted as.
enum Kind {
    Api,
    Heavy,
    Auth,
    Free,
}

impl Kind {
    fn of(path: &str) -> Kind {
        if path.starts_with("/api/") {
            return Kind::Api;
        }
        if path.starts_with("/auth/") {
            return Kind::Auth;
        }
        // `/orgs/{org}` (the overview) and `/orgs/{org}/…`: the pages and files that read many
        // GitHub pages a view.
        let heavy = path.strip_prefix("/orgs/").is_some_and(|rest| {
            let tail = rest.split_once('/').map_or("", |(_, tail)| tail);
            tail.is_empty()
                || tail.starts_with("drafts/")
                || tail.ends_with("/alerts")
                || tail.ends_with(".csv")
                || tail.ends_with(".json")
        });
        if heavy {
            Kind::Heavy
        } else {
            Kind::Free
        }
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
    if let Kind::Free = Kind::of(path) {
        return next.run(req).await;
    }
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]));
    let address = limits.client_address(peer, req.headers());
    match limits.check(path, address, req.headers()) {
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
            api_by_address: Arc::new(DefaultKeyedRateLimiter::keyed(per_minute(4))),
            heavy_by_session: Arc::new(DefaultKeyedRateLimiter::keyed(per_minute(1))),
            heavy_by_address: Arc::new(DefaultKeyedRateLimiter::keyed(per_minute(4))),
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

    fn cookies(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, value.parse().unwrap());
        h
    }

    /// A session id as tower-sessions writes it.
    fn id() -> String {
        tower_sessions::session::Id::default().to_string()
    }

    #[test]
    fn the_session_is_read_from_its_own_cookie_only() {
        let l = limits(&[]);
        let (a, b) = (id(), id());
        let h = cookies(&format!("other={b}; campaigns_session={a}"));
        assert_eq!(l.session_key(&h), Some(a.clone()));
        assert_eq!(l.session_key(&HeaderMap::new()), None);
        // Not a session id: no session is loaded for it, so none is counted.
        assert_eq!(l.session_key(&cookies("campaigns_session=abc")), None);
    }

    #[test]
    fn the_session_counted_is_the_one_the_session_layer_loads_the_last_cookie() {
        let l = limits(&[]);
        let (first, last) = (id(), id());
        let h = cookies(&format!(
            "campaigns_session={first}; campaigns_session={last}"
        ));
        assert_eq!(l.session_key(&h), Some(last.clone()));
        // A duplicate cookie in front does not buy a fresh bucket: the real session is spent.
        let ip = "198.51.100.7".parse().unwrap();
        assert!(l
            .check("/api/x", ip, &cookies(&format!("campaigns_session={last}")))
            .is_ok());
        let other = "198.51.100.8".parse().unwrap();
        let h = cookies(&format!(
            "campaigns_session={}; campaigns_session={last}",
            id()
        ));
        assert!(
            l.check("/api/x", other, &h).is_err(),
            "the same session, refused"
        );
    }

    #[test]
    fn a_client_that_changes_its_cookie_every_call_is_stopped_by_its_address_and_adds_no_counters()
    {
        let l = limits(&[]);
        let ip = "203.0.113.5".parse().unwrap();
        let refused = (0..40)
            .filter(|_| {
                l.check(
                    "/api/x",
                    ip,
                    &cookies(&format!("campaigns_session={}", id())),
                )
                .is_err()
            })
            .count();
        // The address allows four a minute here.
        assert_eq!(refused, 36);
        assert!(
            l.api_by_session.len() <= 4,
            "only the calls the address let through counted a session: {}",
            l.api_by_session.len()
        );
    }

    #[test]
    fn heavy_pages_and_downloads_are_limited_per_session_other_pages_are_not() {
        let l = limits(&[]);
        let ip = "192.0.2.9".parse().unwrap();
        let me = cookies(&format!("campaigns_session={}", id()));
        for path in [
            "/orgs/acme/campaigns/3/alerts",
            "/orgs/acme/drafts/7",
            "/orgs/acme",
            "/orgs/acme/audit.csv",
            "/orgs/acme/campaigns.json",
        ] {
            let l = limits(&[]);
            assert!(l.check(path, ip, &me).is_ok(), "{path}");
            assert!(
                l.check(path, ip, &me).is_err(),
                "{path}: the second in a minute"
            );
        }
        for path in [
            "/",
            "/orgs/acme/campaigns",
            "/orgs/acme/campaigns/3",
            "/pkg/app.js",
        ] {
            for _ in 0..10 {
                assert!(l.check(path, ip, &me).is_ok(), "{path}");
            }
        }
    }
}
