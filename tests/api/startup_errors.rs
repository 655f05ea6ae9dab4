//! Bad settings stop the real binary with a non-zero exit and one line naming the setting.

use crate::helpers::server_binary;

fn run_with(env: &[(&str, &str)]) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = server_binary(dir.path(), env)
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code().unwrap_or(-1), stderr)
}

const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

#[test]
fn github_mode_without_a_client_secret_names_the_variable() {
    let (code, stderr) = run_with(&[
        ("CAMPAIGNS_MODE", "github"),
        ("CAMPAIGNS_GITHUB_CLIENT_ID", "Iv1.x"),
        ("CAMPAIGNS_SESSION_KEY", KEY),
    ]);
    assert_eq!(code, 2);
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(
        stderr.contains("CAMPAIGNS_GITHUB_CLIENT_SECRET"),
        "{stderr}"
    );
}

#[test]
fn github_mode_without_a_client_id_names_the_variable() {
    let (code, stderr) = run_with(&[
        ("CAMPAIGNS_MODE", "github"),
        ("CAMPAIGNS_GITHUB_CLIENT_SECRET", "s"),
        ("CAMPAIGNS_SESSION_KEY", KEY),
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("CAMPAIGNS_GITHUB_CLIENT_ID"), "{stderr}");
}

#[test]
fn a_plain_http_api_url_outside_demo_mode_is_refused() {
    let (code, stderr) = run_with(&[
        ("CAMPAIGNS_MODE", "github"),
        ("CAMPAIGNS_GITHUB_CLIENT_ID", "Iv1.x"),
        ("CAMPAIGNS_GITHUB_CLIENT_SECRET", "s"),
        ("CAMPAIGNS_SESSION_KEY", KEY),
        ("CAMPAIGNS_GITHUB_API_URL", "http://api.github.com"),
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("CAMPAIGNS_GITHUB_API_URL") && stderr.contains("https"),
        "{stderr}"
    );
}

#[test]
fn an_unknown_mode_is_refused() {
    let (code, stderr) = run_with(&[("CAMPAIGNS_MODE", "production")]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("CAMPAIGNS_MODE") && stderr.contains("production"),
        "{stderr}"
    );
}

#[test]
fn a_missing_settings_file_named_by_campaigns_config_is_refused() {
    let (code, stderr) = run_with(&[("CAMPAIGNS_CONFIG", "/nonexistent/settings.toml")]);
    assert_eq!(code, 2);
    assert!(stderr.contains("/nonexistent/settings.toml"), "{stderr}");
}

#[test]
fn a_busy_listen_address_is_reported_with_its_setting() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = busy.local_addr().unwrap().to_string();
    let (code, stderr) = run_with(&[
        ("CAMPAIGNS_LISTEN_ADDR", &addr),
        ("CAMPAIGNS_DEMO_EMULATOR_ADDR", "127.0.0.1:0"),
    ]);
    assert_eq!(code, 1);
    assert!(stderr.contains("CAMPAIGNS_LISTEN_ADDR"), "{stderr}");
}

#[tokio::test]
async fn a_failed_migration_stops_start_up_naming_the_setting_and_the_migration() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("app.db").display());
    crate::helpers::break_the_first_migration(&url).await;
    let (code, stderr) = tokio::task::spawn_blocking(move || {
        run_with(&[
            ("CAMPAIGNS_DATABASE_URL", &url),
            ("CAMPAIGNS_LISTEN_ADDR", "127.0.0.1:0"),
            ("CAMPAIGNS_DEMO_EMULATOR_ADDR", "127.0.0.1:0"),
        ])
    })
    .await
    .unwrap();
    assert_eq!(code, 1);
    let line = stderr
        .lines()
        .find(|l| l.contains("could not start"))
        .unwrap_or_else(|| panic!("a start-up error: {stderr}"));
    assert!(line.contains("CAMPAIGNS_DATABASE_URL"), "{line}");
    assert!(line.contains("migration 0001 (sessions)"), "{line}");
}

#[test]
fn a_github_app_key_that_is_not_a_key_is_named_and_never_shown() {
    let (code, stderr) = run_with(&[
        ("CAMPAIGNS_GITHUB_APP_ID", "123"),
        ("CAMPAIGNS_GITHUB_APP_PRIVATE_KEY", "hunter2-is-not-a-key"),
    ]);
    assert_ne!(code, 0, "{stderr}");
    assert!(
        stderr.contains("CAMPAIGNS_GITHUB_APP_PRIVATE_KEY"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("hunter2"),
        "the key is not shown: {stderr}"
    );
}
