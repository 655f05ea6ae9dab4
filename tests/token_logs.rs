//! The GitHub token never appears in logs, even at TRACE level (its own binary: it installs the
//! global log subscriber).

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
async fn the_token_is_not_in_logs_captured_at_trace_level() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("trace"))
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();

    let app = helpers::spawn_app().await;
    app.sign_in("mona").await;
    assert_eq!(app.get("/").await.status(), 200);
    assert_eq!(app.post("/api/my_orgs", "").await.status(), 200);
    assert_eq!(app.post("/auth/logout", "").await.status(), 303);

    let logs = String::from_utf8_lossy(&captured.0.lock().unwrap()).into_owned();
    assert!(logs.contains("campaigns_admin"), "logs were captured");
    assert!(
        logs.len() > 10_000,
        "TRACE logging really ran ({} bytes)",
        logs.len()
    );
    let issued: Vec<String> = app
        .emulator
        .requests()
        .iter()
        .map(|r| r.path.clone())
        .collect();
    assert!(issued.iter().any(|p| p == "/login/oauth/access_token"));
    // The token was revoked at sign-out; look for any GitHub-style token in the logs instead.
    for prefix in ["gho_", "ghu_", "ghr_"] {
        assert!(
            !logs.contains(prefix),
            "a {prefix} token appears in the logs"
        );
    }
}
