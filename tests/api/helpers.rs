//! `spawn_app()`: the app on a free port, in demo mode, with its own data directory.

use campaigns_admin::settings::Settings;
use campaigns_admin::startup::Application;
use std::collections::BTreeMap;
use std::net::SocketAddr;

pub struct TestApp {
    pub address: SocketAddr,
    public_origin: String,
    /// Keeps cookies, never follows redirects.
    pub client: reqwest::Client,
    /// The client's cookie jar.
    pub cookies: std::sync::Arc<reqwest::cookie::Jar>,
    pub emulator_url: url::Url,
    pub emulator: campaigns_admin::emulator::Emulator,
    /// The app's state, to call its services directly.
    pub state: campaigns_admin::state::AppState,
    /// The app's database (`database_url`).
    pub database_url: String,
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
    /// Ends serving gracefully (as SIGTERM does), with a drain deadline of `DRAIN`.
    pub stop: Option<tokio::sync::oneshot::Sender<()>>,
    _data_dir: Option<tempfile::TempDir>,
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

    /// The app's public origin (`public_url`), which a browser's requests come from: this
    /// instance's own address, or the first one's when two share a public URL.
    /// A page's status and HTML.
    pub async fn page(&self, path: &str) -> (u16, String) {
        let res = self.get(path).await;
        (res.status().as_u16(), res.text().await.unwrap())
    }

    /// A page that must be there (200): its HTML. An error page fails the test here, so no
    /// later "absent" assertion can pass on it by accident.
    pub async fn ok_page(&self, path: &str) -> String {
        let (status, html) = self.page(path).await;
        assert_eq!(status, 200, "{path}: {html}");
        html
    }

    pub fn origin(&self) -> String {
        self.public_origin.clone()
    }

    /// A same-origin POST, as a browser form or server-function call sends it.
    pub async fn post(&self, path: &str, body: &str) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("origin", self.origin())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_owned())
            .send()
            .await
            .expect("the app answers")
    }

    /// A plain form post, as a browser without JavaScript sends it from the page at `referer`.
    pub async fn post_without_js(
        &self,
        path: &str,
        pairs: &[(&str, &str)],
        referer: &str,
    ) -> reqwest::Response {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        self.client
            .post(self.url(path))
            .header("origin", self.origin())
            .header("referer", self.url(referer))
            .header("accept", "text/html,application/xhtml+xml")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("the app answers")
    }

    /// A plain form post from `page` that fails: the app must send the browser back to `page`
    /// itself, with no error in the address. Returns the page as it then shows.
    pub async fn failed_post_without_js(
        &self,
        path: &str,
        pairs: &[(&str, &str)],
        page: &str,
    ) -> String {
        let res = self.post_without_js(path, pairs, page).await;
        assert!(res.status().is_redirection(), "{}", res.status());
        assert_eq!(
            res.headers()["location"],
            page,
            "back to {page}, with no error in the address"
        );
        self.get(page).await.text().await.unwrap()
    }

    /// This app's browser (its client and cookies).
    pub fn browser(&self) -> Browser {
        Browser {
            client: self.client.clone(),
            cookies: self.cookies.clone(),
        }
    }

    /// Starts a sign-in at `/auth/login?next=…` and returns GitHub's authorize URL.
    pub async fn start_sign_in(&self, next: &str) -> url::Url {
        self.browser().start_sign_in(&self.url(""), next).await
    }

    /// Approves the emulator's consent page for `login`; returns the callback URL it sends back to.
    pub async fn consent(&self, authorize: &url::Url, login: &str) -> String {
        self.browser().consent(authorize, login).await
    }

    /// Follows the callback; returns where the app sends the browser next.
    pub async fn finish_sign_in(&self, callback: &str) -> String {
        self.browser().finish_sign_in(callback).await
    }

    /// The whole round trip for `login`, landing on `next`.
    pub async fn sign_in_to(&self, login: &str, next: &str) -> String {
        self.browser().sign_in_at(&self.url(""), login, next).await
    }

    pub async fn sign_in(&self, login: &str) {
        let landed = self.sign_in_to(login, "/").await;
        assert_eq!(landed, "/");
    }

    /// The session store's rows: (id, record as stored).
    pub async fn session_rows(&self) -> Vec<(String, String)> {
        self.session_db("SELECT id, data FROM sessions").await
    }

    /// Runs `sql` on the session database (to age sessions without waiting); returns the rows'
    /// (id, data) when it selects them.
    pub async fn session_db(&self, sql: &str) -> Vec<(String, String)> {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&self.database_url).await.unwrap();
        let rows = sqlx::query_as(sql).fetch_all(&pool).await.unwrap();
        pool.close().await;
        rows
    }

    /// The session cookie's value, as the browser holds it.
    pub fn session_cookie(&self) -> Option<String> {
        use reqwest::cookie::CookieStore;
        self.cookies
            .cookies(&url::Url::parse(&self.origin()).unwrap())
            .and_then(|h| {
                h.to_str()
                    .ok()?
                    .split(';')
                    .filter_map(|c| c.trim().split_once('='))
                    .find(|(k, _)| *k == "campaigns_session")
                    .map(|(_, v)| v.to_owned())
            })
    }

    /// How many token requests (exchanges and refreshes) reached the emulator.
    pub fn token_requests(&self) -> usize {
        self.emulator
            .requests()
            .iter()
            .filter(|r| r.path == "/login/oauth/access_token")
            .count()
    }
}

/// Runs `sql` on the database at `url` (SQLite or PostgreSQL), outside any app.
pub async fn execute_sql(url: &str, sql: &str) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    sqlx::query(sql).execute(&pool).await.unwrap();
    pool.close().await;
}

/// A `sessions` table made by something else, without the column the first migration indexes:
/// migrating `url` fails.
pub async fn break_the_first_migration(url: &str) {
    execute_sql(url, "CREATE TABLE sessions (other TEXT)").await;
}

/// How long a test app's graceful shutdown waits for open requests.
pub const DRAIN: std::time::Duration = std::time::Duration::from_secs(2);

/// Settings as demo mode would have them, on free ports, plus `extra` environment overrides.
/// The real server binary, run in `dir` with nothing of this process's environment but a `PATH`:
/// the settings are the caller's `env` alone.
pub fn server_binary(dir: &std::path::Path, env: &[(&str, &str)]) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_campaigns-admin"));
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", "/usr/bin:/bin");
    cmd.envs(env.iter().copied());
    cmd
}

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
        // A test reads heavy pages faster than a person: the limit has a test of its own.
        (
            "CAMPAIGNS_LIMITS_HEAVY_PER_MINUTE".to_owned(),
            "100000".to_owned(),
        ),
        // Pages read GitHub live: a test counts the requests a page makes, and the index's first
        // sync runs in the background. The index has its own tests (`alert_index.rs`), which turn
        // it on, with every read syncing it (a test changes alerts and reads them back at once).
        ("CAMPAIGNS_GITHUB_ALERT_INDEX".to_owned(), "off".to_owned()),
        // The scheduled jobs read GitHub with the App's token at start: tests that count
        // GitHub's requests must not see them. Their own tests (`jobs.rs`) turn them on.
        ("CAMPAIGNS_JOBS_ENABLED".to_owned(), "off".to_owned()),
        (
            "CAMPAIGNS_GITHUB_ALERT_INDEX_FRESH_SECS".to_owned(),
            "0".to_owned(),
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
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().to_owned();
    let mut app = spawn_app_in(&path, extra).await;
    app._data_dir = Some(dir);
    app
}

/// The app with a given data directory (to restart it on the same sessions).
pub async fn spawn_app_in(data_dir: &std::path::Path, extra: &[(&str, &str)]) -> TestApp {
    let app = Application::build(test_settings(data_dir, extra))
        .await
        .expect("the app starts");
    let emulator = app.emulator().expect("demo mode").clone();
    serve(app, emulator, Browser::new())
}

/// What a test's browser keeps: cookies (one jar, whichever instance set them), and no
/// redirects followed.
#[derive(Clone)]
pub struct Browser {
    pub client: reqwest::Client,
    pub cookies: std::sync::Arc<reqwest::cookie::Jar>,
}

impl Browser {
    pub fn new() -> Self {
        let cookies = std::sync::Arc::new(reqwest::cookie::Jar::default());
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_provider(cookies.clone())
            .build()
            .expect("a test HTTP client");
        Browser { client, cookies }
    }

    /// Starts a sign-in at `/auth/login?next=…` and returns GitHub's authorize URL.
    pub async fn start_sign_in(&self, base: &str, next: &str) -> url::Url {
        let res = self
            .client
            .get(format!("{base}/auth/login"))
            .query(&[("next", next)])
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            303,
            "sign-in starts with a redirect to GitHub"
        );
        url::Url::parse(res.headers()["location"].to_str().unwrap()).unwrap()
    }

    /// Approves the emulator's consent page for `login`; returns the callback URL it sends back to.
    pub async fn consent(&self, authorize: &url::Url, login: &str) -> String {
        self.decide(authorize, &[("login", login), ("decision", "authorize")])
            .await
    }

    /// Answers the emulator's consent page with `fields`; returns the callback URL it sends
    /// back to.
    pub async fn decide(&self, authorize: &url::Url, fields: &[(&str, &str)]) -> String {
        let mut form: Vec<(String, String)> = authorize.query_pairs().into_owned().collect();
        form.extend(
            fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        let res = self
            .client
            .post(authorize.as_str().split('?').next().unwrap())
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        res.headers()["location"].to_str().unwrap().to_owned()
    }

    /// Follows the callback; returns where the app sends the browser next.
    pub async fn finish_sign_in(&self, callback: &str) -> String {
        let res = self.client.get(callback).send().await.unwrap();
        assert_eq!(res.status(), 303, "the callback redirects");
        res.headers()["location"].to_str().unwrap().to_owned()
    }

    /// The whole round trip for `login` at the app at `base`, landing on `next`.
    pub async fn sign_in_at(&self, base: &str, login: &str, next: &str) -> String {
        let authorize = self.start_sign_in(base, next).await;
        let callback = self.consent(&authorize, login).await;
        self.finish_sign_in(&callback).await
    }
}

/// Serves a built app until `stop`; `emulator` is the GitHub it talks to, `browser` the client
/// requests go through.
pub fn serve(
    app: Application,
    emulator: campaigns_admin::emulator::Emulator,
    browser: Browser,
) -> TestApp {
    let address = app.address();
    let settings = app.settings();
    let emulator_url = settings.github.api_url.clone();
    let database_url = settings.database_url.clone();
    let public_origin = settings.public_url.origin().ascii_serialization();
    let state = app.state().clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let signal = async {
        let _ = stopped.await;
    };
    let task = tokio::spawn(app.run_until(signal, DRAIN));
    TestApp {
        address,
        public_origin,
        client: browser.client,
        cookies: browser.cookies,
        emulator_url,
        emulator,
        state,
        database_url,
        task,
        stop: Some(stop),
        _data_dir: None,
    }
}

/// The digests page's subscribe form for a Slack channel of `org` to `target`: a weekly digest on
/// Mondays at 09:00 UTC (the body `/api/digests/subscribe` takes).
pub fn slack_channel_form(org: &str, target: &str) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("org", org),
            ("kind", "slack"),
            ("target", target),
            ("weekly", "on"),
            ("weekday", "0"),
            ("hour", "9"),
            ("time_zone", "UTC"),
        ])
        .finish()
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
        tokens_file: None,
        list_stats: false,
        rate_limit: 5_000,
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

/// A port free now (for an app that must come back on the same address after a restart).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A standalone emulator for apps built from `settings` (instances that share it, or an app
/// restarted while it keeps running), with `rate_limit` requests an hour per user.
pub async fn emulator_for(
    settings: &Settings,
    expiring_tokens: bool,
    rate_limit: u32,
) -> campaigns_admin::emulator::EmulatorHandle {
    use campaigns_admin::emulator::{spawn, EmulatorConfig};
    let config = EmulatorConfig {
        client_id: settings.github.client_id.clone(),
        client_secret: settings.github.client_secret.clone(),
        callback_url: settings.redirect_uri(),
        expiring_tokens,
        profile: settings.demo.profile,
        tokens_file: None,
        list_stats: false,
        rate_limit,
    };
    spawn("127.0.0.1:0".parse().unwrap(), config)
        .await
        .expect("the emulator starts")
}

/// `GET url` on GitHub (the emulator) with `token`: the answer's JSON list.
pub async fn github_list(url: impl reqwest::IntoUrl, token: &str) -> Vec<serde_json::Value> {
    reqwest::Client::new()
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .expect("the emulator answers")
        .json()
        .await
        .expect("a JSON list")
}
