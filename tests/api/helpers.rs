//! `spawn_app()`: the app on a free port, in demo mode, with its own data directory.

use campaigns_admin::settings::Settings;
use campaigns_admin::startup::Application;
use std::collections::BTreeMap;
use std::net::SocketAddr;

pub struct TestApp {
    pub address: SocketAddr,
    /// Keeps cookies, never follows redirects.
    pub client: reqwest::Client,
    pub emulator_url: url::Url,
    _data_dir: tempfile::TempDir,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("the app answers")
    }
}

/// Settings as demo mode would have them, on free ports, plus `extra` environment overrides.
pub fn test_settings(data_dir: &std::path::Path, extra: &[(&str, &str)]) -> Settings {
    let mut env = BTreeMap::from([
        ("CAMPAIGNS_MODE".to_owned(), "demo".to_owned()),
        ("CAMPAIGNS_LISTEN_ADDR".to_owned(), "127.0.0.1:0".to_owned()),
        (
            "CAMPAIGNS_DEMO_EMULATOR_ADDR".to_owned(),
            "127.0.0.1:0".to_owned(),
        ),
        (
            "CAMPAIGNS_DATA_DIR".to_owned(),
            data_dir.display().to_string(),
        ),
    ]);
    for (k, v) in extra {
        env.insert((*k).to_owned(), (*v).to_owned());
    }
    Settings::from_sources("test", None, &env).expect("test settings are valid")
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

pub async fn spawn_app_with(extra: &[(&str, &str)]) -> TestApp {
    let data_dir = tempfile::tempdir().expect("a temporary directory");
    let settings = test_settings(data_dir.path(), extra);
    let app = Application::build(settings).await.expect("the app starts");
    let address = app.address();
    let emulator_url = app.settings().github.api_url.clone();
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .expect("a test HTTP client");
    TestApp {
        address,
        client,
        emulator_url,
        _data_dir: data_dir,
    }
}

/// A standalone emulator on a free port, and a client for its API.
pub struct TestEmulator {
    pub handle: campaigns_admin::emulator::EmulatorHandle,
    pub client: campaigns_admin::github::GitHubClient,
}

pub const CLIENT_ID: &str = "Iv1.test-client";
pub const CLIENT_SECRET: &str = "test-client-secret";
pub const CALLBACK: &str = "http://127.0.0.1:9/auth/callback";

impl TestEmulator {
    pub fn emulator(&self) -> &campaigns_admin::emulator::Emulator {
        self.handle.emulator()
    }

    /// A token for `login`, as if the OAuth flow had granted `scopes`.
    pub fn token(&self, login: &str, scopes: &[&str]) -> secrecy::SecretString {
        secrecy::SecretString::from(
            self.emulator()
                .issue_token(login, scopes)
                .expect("a seeded user"),
        )
    }

    pub fn mona(&self) -> secrecy::SecretString {
        self.token("mona", &["security_events", "read:org"])
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.handle.address(), path)
    }
}

pub async fn spawn_emulator() -> TestEmulator {
    spawn_emulator_with(false).await
}

pub async fn spawn_emulator_with(expiring_tokens: bool) -> TestEmulator {
    use campaigns_admin::emulator::{spawn, EmulatorConfig};
    let config = EmulatorConfig {
        client_id: CLIENT_ID.to_owned(),
        client_secret: secrecy::SecretString::from(CLIENT_SECRET),
        callback_url: url::Url::parse(CALLBACK).unwrap(),
        expiring_tokens,
        profile: campaigns_admin::settings::SeedProfile::Standard,
    };
    let handle = spawn("127.0.0.1:0".parse().unwrap(), config)
        .await
        .expect("the emulator starts");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .unwrap();
    let client = campaigns_admin::github::GitHubClient::with_http(http, handle.url());
    TestEmulator { handle, client }
}
