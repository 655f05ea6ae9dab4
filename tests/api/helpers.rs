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
