//! The security rows: headers and the CSP nonce, sessions that stay dead, rotation, lifetimes,
//! methods, limits on bodies, pages and requests, and graceful shutdown.

use crate::helpers::{spawn_app, spawn_app_with, TestApp};
use campaigns_admin::emulator::FaultRule;
use scraper::{Html, Selector};
use std::time::Duration;

fn header<'a>(res: &'a reqwest::Response, name: &str) -> &'a str {
    res.headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

/// The nonce in a CSP's `script-src`.
fn csp_nonce(policy: &str) -> String {
    let start = policy.find("'nonce-").expect("a nonce") + "'nonce-".len();
    let len = policy[start..].find('\'').unwrap();
    policy[start..start + len].to_owned()
}

/// Slows every GitHub call under `path` by `ms`.
fn slow(app: &TestApp, path: &str, ms: u64) {
    app.emulator.add_fault(FaultRule {
        path_prefix: Some(path.into()),
        latency_ms: ms,
        ..Default::default()
    });
}

/// A GET with this session cookie only, from a client that keeps none.
async fn get_with_cookie(app: &TestApp, path: &str, session: &str) -> reqwest::Response {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url(path))
        .header("cookie", format!("campaigns_session={session}"))
        .send()
        .await
        .unwrap()
}

/// Starts a server-function call that GitHub answers after `ms`; returns its status.
fn call_in_background(app: &TestApp, ms: u64) -> tokio::task::JoinHandle<Option<u16>> {
    slow(app, "/user/orgs", ms);
    let client = app.client.clone();
    let url = app.url("/api/my_orgs");
    let origin = app.origin();
    tokio::spawn(async move {
        let res = client
            .post(url)
            .header("origin", origin)
            .send()
            .await
            .ok()?;
        let status = res.status().as_u16();
        res.text().await.ok()?;
        Some(status)
    })
}

#[tokio::test]
async fn every_page_has_a_strict_csp_whose_nonce_is_on_its_own_scripts_only() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    let res = app.get("/orgs/acme-corp/campaigns").await;
    assert_eq!(res.status(), 200);
    let policy = header(&res, "content-security-policy").to_owned();
    for part in [
        "script-src 'nonce-",
        "'strict-dynamic' 'wasm-unsafe-eval'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ] {
        assert!(policy.contains(part), "{part} in {policy}");
    }
    let script_src = policy
        .split(';')
        .find(|d| d.contains("script-src"))
        .unwrap();
    assert!(!script_src.contains("unsafe-inline"), "{script_src}");
    assert_eq!(header(&res, "cross-origin-opener-policy"), "same-origin");
    assert_eq!(header(&res, "cross-origin-resource-policy"), "same-origin");
    assert!(header(&res, "permissions-policy").contains("camera=()"));
    assert_eq!(header(&res, "cache-control"), "no-store");
    assert!(res.headers().get("strict-transport-security").is_none());
    let nonce = csp_nonce(&policy);
    let html = Html::parse_document(&res.text().await.unwrap());
    let scripts: Vec<_> = html.select(&Selector::parse("script").unwrap()).collect();
    assert!(!scripts.is_empty(), "the page hydrates");
    for s in scripts {
        assert_eq!(
            s.value().attr("nonce"),
            Some(nonce.as_str()),
            "{}",
            s.html()
        );
    }
    let again = app.get("/orgs/acme-corp/campaigns").await;
    let other = csp_nonce(header(&again, "content-security-policy"));
    assert_ne!(other, nonce, "a new nonce for every response");

    // Server-function answers are signed-in data too.
    let res = app.post("/api/my_orgs", "").await;
    assert_eq!(header(&res, "cache-control"), "no-store");
}

#[tokio::test]
async fn hsts_is_sent_when_the_app_is_served_over_https() {
    let app = spawn_app_with(&[("CAMPAIGNS_PUBLIC_URL", "https://campaigns.example.com")]).await;
    let res = app.get("/healthz").await;
    assert!(header(&res, "strict-transport-security").contains("max-age="));
}

#[tokio::test]
async fn sign_out_clears_the_sites_cookies_and_storage_and_needs_a_post() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    let res = app.get("/auth/logout").await;
    assert_eq!(res.status(), 405, "no sign-out by a link or an image");
    assert_eq!(app.get("/").await.status(), 200, "still signed in");
    let res = app.post("/auth/logout", "").await;
    assert_eq!(res.status(), 303);
    assert_eq!(header(&res, "clear-site-data"), "\"cookies\", \"storage\"");
}

#[tokio::test]
async fn a_request_in_flight_during_sign_out_cannot_bring_the_session_back() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    let cookie = app.session_cookie().expect("a session cookie");
    // GitHub cannot revoke the token at sign-out, so the slow call still succeeds.
    app.emulator
        .add_fault(FaultRule::status_once("/applications/", 503));
    let in_flight = call_in_background(&app, 1_500);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.post("/auth/logout", "").await.status(), 303);
    assert_eq!(
        in_flight.await.unwrap(),
        Some(200),
        "the slow call finished"
    );
    assert!(app.session_rows().await.is_empty(), "nothing written back");
    let res = get_with_cookie(&app, "/", &cookie).await;
    assert_eq!(
        res.status(),
        303,
        "the old cookie, replayed, no longer signs in"
    );
}

#[tokio::test]
async fn a_stale_request_cannot_undo_a_token_refresh() {
    let app = spawn_app_with(&[("CAMPAIGNS_DEMO_EXPIRING_TOKENS", "true")]).await;
    app.sign_in("mona").await;
    // A slow request reads the session (generation 0) and holds it…
    let stale = call_in_background(&app, 1_500);
    tokio::time::sleep(Duration::from_millis(300)).await;
    // …while the token runs out and another request refreshes it (rotating the refresh token).
    let expire = "UPDATE sessions SET data = json_set(data, '$.data.signed_in.expires_at', '2000-01-01T00:00:00Z') RETURNING id, data";
    assert_eq!(app.session_db(expire).await.len(), 1);
    let before = app.token_requests();
    assert_eq!(app.post("/api/signed_in_user", "").await.status(), 200);
    let res = app.post("/api/my_orgs", "").await;
    assert_eq!(res.status(), 200, "refreshed");
    assert_eq!(app.token_requests() - before, 1);
    // The stale copy ends and is saved over the refreshed one.
    assert_eq!(stale.await.unwrap(), Some(200));
    let rows = app.session_rows().await;
    assert!(rows[0].1.contains("\"generation\":1"), "{}", rows[0].1);
    // The rotated refresh token still works: the next refresh succeeds.
    app.session_db(expire).await;
    let res = app.post("/api/my_orgs", "").await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    assert_eq!(app.token_requests() - before, 2);
}

#[tokio::test]
async fn a_refused_refresh_ends_the_session() {
    let app = spawn_app_with(&[("CAMPAIGNS_DEMO_EXPIRING_TOKENS", "true")]).await;
    app.sign_in("mona").await;
    app.emulator.revoke_refresh_tokens("mona");
    app.session_db("UPDATE sessions SET data = json_set(data, '$.data.signed_in.expires_at', '2000-01-01T00:00:00Z') RETURNING id, data").await;
    let res = app.post("/api/my_orgs", "").await;
    assert_eq!(res.status(), 401);
    assert!(res.text().await.unwrap().contains("not_signed_in"));
    assert!(app.session_rows().await.is_empty(), "the session is gone");
}

#[tokio::test]
async fn a_forged_session_id_is_not_adopted() {
    let app = spawn_app().await;
    let forged = "AAAAAAAAAAAAAAAAAAAAAA";
    let res = get_with_cookie(&app, "/auth/login", forged).await;
    assert_eq!(res.status(), 303);
    let set = header(&res, "set-cookie");
    assert!(set.starts_with("campaigns_session="), "{set}");
    assert!(
        !set.contains(forged),
        "a new id, not the one offered: {set}"
    );
    let ids: Vec<String> = app.session_rows().await.into_iter().map(|r| r.0).collect();
    assert!(!ids.iter().any(|id| id == forged));
}

#[tokio::test]
async fn sign_in_retires_the_id_used_before_it() {
    let app = spawn_app().await;
    let authorize = app.start_sign_in("/").await;
    let before = app
        .session_cookie()
        .expect("a pending sign-in has a session");
    assert_eq!(app.session_rows().await.len(), 1);
    let callback = app.consent(&authorize, "mona").await;
    app.finish_sign_in(&callback).await;
    let after = app.session_cookie().unwrap();
    assert_ne!(before, after);
    let ids: Vec<String> = app.session_rows().await.into_iter().map(|r| r.0).collect();
    assert_eq!(ids.len(), 1, "the old row is gone");
    assert!(!ids.contains(&before));
}

#[tokio::test]
async fn idle_timeout_and_absolute_lifetime_each_end_a_session() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    // Idle past the inactivity limit: the store's expiry is in the past.
    app.session_db("UPDATE sessions SET expiry_date = 0 RETURNING id, data")
        .await;
    assert_eq!(app.get("/").await.status(), 303);

    app.sign_in("mona").await;
    assert_eq!(app.get("/").await.status(), 200);
    // Active all along, but signed in longer ago than the absolute lifetime.
    app.session_db("UPDATE sessions SET data = json_set(data, '$.data.signed_in.signed_in_at', '2000-01-01T00:00:00Z') WHERE expiry_date > 0 RETURNING id, data").await;
    assert_eq!(app.get("/").await.status(), 303);
    let live = app
        .session_db("SELECT id, data FROM sessions WHERE expiry_date > 0")
        .await;
    assert!(live.is_empty(), "ended, not just refused");
}

#[tokio::test]
async fn head_requests_need_a_session_like_get() {
    let app = spawn_app().await;
    let res = app
        .client
        .head(app.url("/orgs/acme-corp/campaigns"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
}

#[tokio::test]
async fn server_functions_refuse_get() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    let res = app.get("/api/my_orgs").await;
    assert!(res.status().is_client_error(), "{}", res.status());
    assert_eq!(app.post("/api/my_orgs", "").await.status(), 200);
}

#[tokio::test]
async fn bad_arguments_are_the_callers_mistake_not_a_500() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    let res = app.post("/api/alerts/load", "org=acme-corp&pages=1").await;
    assert_eq!(res.status(), 400, "a missing field");
    let res = app
        .post(
            "/api/alerts/load",
            "org=acme-corp&from_page=4294967295&pages=20",
        )
        .await;
    assert_eq!(
        res.status(),
        422,
        "a page beyond the last one GitHub serves"
    );
    assert!(res.text().await.unwrap().contains("from_page"));
    let res = app
        .post(
            "/api/alerts/load",
            "org=acme-corp&from_page=99999999999&pages=1",
        )
        .await;
    assert_eq!(res.status(), 400, "not a number a page can be");
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    let body = format!("org=acme-corp&name={}", "x".repeat(300 * 1024));
    let res = app.post("/api/campaigns/create", &body).await;
    assert_eq!(res.status(), 413);
    // The largest legitimate post, 1,000 picked alerts, fits.
    let picked: String = (0..1000)
        .map(|i| format!("&picked%5B{i}%5D=610000003%3A{}", 100_000 + i))
        .collect();
    let res = app
        .post(
            "/api/campaigns/create",
            &format!("org=acme-corp&name=x{picked}"),
        )
        .await;
    assert_ne!(res.status(), 413);
}

#[tokio::test]
async fn nothing_is_stored_for_a_visitor_who_is_not_signed_in() {
    let app = spawn_app().await;
    let long = "x".repeat(100_000);
    let res = app
        .post_without_js(
            "/api/campaigns/create",
            &[
                ("org", "acme-corp"),
                ("name", &long),
                ("description", &long),
            ],
            "/orgs/acme-corp/campaigns/new",
        )
        .await;
    assert!(res.status().is_redirection() || res.status().is_client_error());
    for page in ["/", "/orgs/acme-corp/campaigns", "/signed-out", "/nowhere"] {
        app.get(page).await;
    }
    assert!(app.session_rows().await.is_empty(), "no session rows");
    // A sign-in under way is the one thing kept, and it is small.
    app.start_sign_in("/").await;
    let rows = app.session_rows().await;
    assert_eq!(rows.len(), 1);
    assert!(rows[0].1.len() < 2_000, "{} bytes", rows[0].1.len());
}

#[tokio::test]
async fn a_failed_post_keeps_only_a_few_kilobytes() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    let long = "x".repeat(40_000);
    let form = [
        ("org", "acme-corp"),
        ("name", long.as_str()),
        ("description", long.as_str()),
        ("ends_at", "2001-01-01T09:00"),
        ("tz_offset", "0"),
        ("manager", long.as_str()),
        ("contact_link", long.as_str()),
        ("alerts", ""),
        ("picked[0]", "610000003:1"),
        ("picked[1]", long.as_str()),
    ];
    let res = app
        .post_without_js(
            "/api/campaigns/create",
            &form,
            "/orgs/acme-corp/campaigns/new",
        )
        .await;
    assert!(res.status().is_redirection(), "{}", res.status());
    let rows = app.session_rows().await;
    assert_eq!(rows.len(), 1);
    assert!(rows[0].1.contains("failed_form"), "the post was kept");
    assert!(
        rows[0].1.len() < 8_000,
        "{} bytes: {}",
        rows[0].1.len(),
        rows[0].1.replace(&"x".repeat(100), "X")
    );
}

#[tokio::test]
async fn sign_in_is_rate_limited_per_client_address() {
    let app = spawn_app_with(&[("CAMPAIGNS_LIMITS_AUTH_PER_MINUTE", "3")]).await;
    for _ in 0..3 {
        assert_eq!(app.get("/auth/login").await.status(), 303);
    }
    let res = app.get("/auth/login").await;
    assert_eq!(res.status(), 429);
    let wait: u64 = header(&res, "retry-after").parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    // A forwarded-for header from an untrusted peer changes nothing.
    let res = app
        .client
        .get(app.url("/auth/login"))
        .header("x-forwarded-for", "203.0.113.7")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
}

#[tokio::test]
async fn server_functions_are_rate_limited_per_session() {
    let app = spawn_app_with(&[("CAMPAIGNS_LIMITS_API_PER_MINUTE", "5")]).await;
    app.sign_in("mona").await;
    for _ in 0..5 {
        assert_eq!(app.post("/api/signed_in_user", "").await.status(), 200);
    }
    let res = app.post("/api/signed_in_user", "").await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
    assert!(res.text().await.unwrap().contains("too_many_requests"));
    // Pages are not server-function calls.
    assert_eq!(app.get("/").await.status(), 200);
}

#[tokio::test]
async fn pages_and_files_that_cost_many_github_requests_are_rate_limited_per_session() {
    let app = spawn_app_with(&[("CAMPAIGNS_LIMITS_HEAVY_PER_MINUTE", "2")]).await;
    app.sign_in("mona").await;
    for _ in 0..2 {
        assert_eq!(app.get("/orgs/acme-corp/audit.csv").await.status(), 200);
    }
    for heavy in [
        "/orgs/acme-corp/audit.csv",
        "/orgs/acme-corp/campaigns/1/alerts",
    ] {
        let res = app.get(heavy).await;
        assert_eq!(res.status(), 429, "{heavy}");
        assert!(res.headers().contains_key("retry-after"));
    }
    // The list and detail pages cost one GitHub request each: not limited here.
    for _ in 0..4 {
        assert_eq!(app.get("/orgs/acme-corp/campaigns").await.status(), 200);
    }
}

#[tokio::test]
async fn a_request_that_takes_too_long_is_ended_with_a_503() {
    let app = spawn_app_with(&[("CAMPAIGNS_LIMITS_REQUEST_TIMEOUT_SECS", "1")]).await;
    app.sign_in("mona").await;
    let call = call_in_background(&app, 5_000);
    let started = std::time::Instant::now();
    assert_eq!(call.await.unwrap(), Some(503));
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_client_that_trickles_its_headers_is_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app().await;
    let mut conn = tokio::net::TcpStream::connect(app.address).await.unwrap();
    conn.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(30), conn.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the server closed the connection");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(5) && waited < Duration::from_secs(25),
        "{waited:?}"
    );
}

#[tokio::test]
async fn graceful_shutdown_lets_requests_in_flight_finish() {
    let mut app = spawn_app().await;
    app.sign_in("mona").await;
    let call = call_in_background(&app, 1_000);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _ = app.stop.take().unwrap().send(());
    assert_eq!(call.await.unwrap(), Some(200), "finished, not cut");
    let served = tokio::time::timeout(Duration::from_secs(5), &mut app.task).await;
    assert!(served.is_ok(), "the server stopped");
    assert!(
        app.client.get(app.url("/healthz")).send().await.is_err(),
        "no longer listening"
    );
}

#[tokio::test]
async fn graceful_shutdown_ends_at_its_deadline() {
    let mut app = spawn_app().await;
    app.sign_in("mona").await;
    let call = call_in_background(&app, 20_000);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = std::time::Instant::now();
    let _ = app.stop.take().unwrap().send(());
    let served = tokio::time::timeout(Duration::from_secs(10), &mut app.task).await;
    assert!(served.is_ok(), "the server stopped");
    let took = started.elapsed();
    assert!(
        took >= crate::helpers::DRAIN && took < Duration::from_secs(8),
        "{took:?}"
    );
    assert_eq!(call.await.unwrap(), None, "the request still open was cut");
}

#[tokio::test]
async fn cleartext_http2_is_not_spoken_so_no_idle_http2_connection_stays_open() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app().await;
    let mut s = tokio::net::TcpStream::connect(app.address).await.unwrap();
    // HTTP/2's connection preface with prior knowledge, then an empty SETTINGS frame.
    s.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        .await
        .unwrap();
    s.write_all(&[0, 0, 0, 4, 0, 0, 0, 0, 0]).await.unwrap();
    let mut buf = vec![0u8; 64];
    let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf))
        .await
        .expect("an answer or a close")
        .unwrap_or(0);
    // An HTTP/2 server answers with its own SETTINGS frame (type 4).
    assert!(
        !(n >= 9 && buf[3] == 4),
        "answered as HTTP/2: {:?}",
        &buf[..n]
    );
    assert!(
        n == 0 || buf.starts_with(b"HTTP/1.1 4"),
        "{:?}",
        String::from_utf8_lossy(&buf[..n])
    );
}

#[tokio::test]
async fn connections_past_the_cap_wait_until_one_closes() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = axum::Router::new().route("/", axum::routing::get(|| async { "ok" }));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(campaigns_admin::serve::serve_at_most(
        listener,
        router,
        async move {
            stopped.await.ok();
        },
        Duration::from_secs(1),
        2,
    ));
    let request = b"GET / HTTP/1.1\r\nhost: localhost\r\n\r\n";
    let answer = |mut s: tokio::net::TcpStream, wait: Duration| async move {
        let mut buf = vec![0u8; 256];
        let n = tokio::time::timeout(wait, s.read(&mut buf)).await;
        (s, n.ok().and_then(Result::ok).map(|n| buf[..n].to_vec()))
    };
    // Two connections, kept open after their answers.
    let mut open = Vec::new();
    for _ in 0..2 {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(request).await.unwrap();
        let (s, got) = answer(s, Duration::from_secs(5)).await;
        assert!(got.unwrap().starts_with(b"HTTP/1.1 200"));
        open.push(s);
    }
    let mut third = tokio::net::TcpStream::connect(addr).await.unwrap();
    third.write_all(request).await.unwrap();
    let (third, got) = answer(third, Duration::from_millis(500)).await;
    assert_eq!(got, None, "not served while two are open");
    drop(open.pop());
    let (_third, got) = answer(third, Duration::from_secs(5)).await;
    assert!(got
        .expect("served once one closed")
        .starts_with(b"HTTP/1.1 200"));
    let _ = stop.send(());
}
