//! The GitHub token, the client secret, the OAuth code, the session id, the GitHub App's key, JWT
//! and installation tokens, and a digest channel's webhook URL never appear in logs, even at TRACE level (its own binary: it installs
//! the global log subscriber).

#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_token_secret_code_or_session_id_is_in_logs_captured_at_trace_level() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        // Everything at TRACE but the test's own HTTP client's cookie jar (it logs the cookies
        // this test receives, as a browser would hold them; the app has no cookie jar).
        .with_env_filter(tracing_subscriber::EnvFilter::new("trace,cookie_store=off"))
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();

    const SECRET: &str = "client-secret-that-must-not-be-logged";
    const HOOK_SECRET: &str = "webhook-secret-that-must-not-be-logged";
    let app = helpers::spawn_app_with(&[("CAMPAIGNS_GITHUB_CLIENT_SECRET", SECRET)]).await;
    let authorize = app.start_sign_in("/").await;
    let callback = app.consent(&authorize, "mona").await;
    let code = url::Url::parse(&callback)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("an OAuth code");
    assert_eq!(app.finish_sign_in(&callback).await, "/");
    let session_id = app.session_cookie().expect("a session cookie");
    assert_eq!(app.get("/").await.status(), 200);
    assert_eq!(app.post("/api/my_orgs", "").await.status(), 200);
    let token = app.emulator.tokens_of("mona").pop().expect("a live token");
    // Background work: the App's JWT and an installation token per org, and the settings page.
    use campaigns_admin::service::background::{every_org, OrgWork};
    let run = every_org(&app.state, OrgWork::Snapshots).await;
    assert!(
        matches!(run, Ok(Some(ref r)) if r.done.len() == 2),
        "{run:?}"
    );
    assert_eq!(app.get("/orgs/acme-corp/settings").await.status(), 200);
    // A digest channel's webhook URL holds its own secret: subscribed, sent to (a receiver that
    // answers 200) and failed on (a port nobody listens on), it is never logged.
    let receiver = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook_port = receiver.local_addr().unwrap().port();
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut conn, _)) = receiver.accept().await {
            let mut buf = vec![0u8; 64 * 1024];
            let _ = conn.read(&mut buf).await;
            let _ = conn
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                .await;
        }
    });
    for port in [hook_port, helpers::free_port()] {
        let target = format!("http://127.0.0.1:{port}/services/T/B/{HOOK_SECRET}");
        let body = helpers::slack_channel_form("acme-corp", &target);
        let res = app.post("/api/digests/subscribe", &body).await;
        assert_eq!(res.status(), 200);
        let id: i64 = res.text().await.unwrap().trim().parse().unwrap();
        let job = campaigns_admin::domain::background::Job::Digest {
            channel_id: id,
            week: "2026-W49".to_owned(),
        };
        let _ = campaigns_admin::jobs::run(&app.state, job, false).await;
    }
    assert_eq!(app.post("/auth/logout", "").await.status(), 303);
    // A callback's `error` is whatever the link said: it is not logged as given.
    const FORGED: &str = "forged-error-text-from-a-link";
    let authorize = app.start_sign_in("/").await;
    let state = authorize
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let res = app
        .client
        .get(app.url("/auth/callback"))
        .query(&[("state", state.as_str()), ("error", FORGED)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);

    let logs = String::from_utf8_lossy(&captured.0.lock().unwrap()).into_owned();
    assert!(logs.contains("campaigns_admin"), "logs were captured");
    assert!(
        logs.len() > 10_000,
        "TRACE logging really ran ({} bytes)",
        logs.len()
    );
    for (what, secret) in [
        ("the access token", token.as_str()),
        ("the client secret", SECRET),
        ("the OAuth code", code.as_str()),
        ("the session id", session_id.as_str()),
        ("a forged OAuth error", FORGED),
        ("a webhook URL's secret part", HOOK_SECRET),
    ] {
        assert!(secret.len() >= 16, "{what} is long enough to search for");
        let line = logs.lines().find(|l| l.contains(secret));
        assert!(line.is_none(), "{what} appears in the logs: {line:?}");
    }
    let key_body = campaigns_admin::settings::DEMO_APP_PRIVATE_KEY
        .lines()
        .nth(5)
        .expect("a PEM body line");
    assert!(
        !logs.contains(key_body) && !logs.contains("PRIVATE KEY"),
        "the App's private key appears in the logs"
    );
    // A JWT's header: base64url of `{"alg":"RS256",`.
    assert!(
        !logs.contains("eyJhbGciOiJSUzI1NiIs"),
        "a JWT appears in the logs"
    );
    for prefix in ["gho_", "ghu_", "ghr_", "ghs_"] {
        assert!(
            !logs.contains(prefix),
            "a {prefix} token appears in the logs"
        );
    }
}
