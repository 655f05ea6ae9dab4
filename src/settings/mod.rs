//! Typed runtime settings, loaded once at startup from `Leptos.toml` and the environment.
//!
//! Every key `section.name` in the file can be overridden by the environment variable
//! `CAMPAIGNS_SECTION_NAME` (for example `github.api_url` → `CAMPAIGNS_GITHUB_API_URL`).
//! Secrets come only from the environment, or from a file named by `…_FILE`.
//! Everything is validated here, so a bad setting stops the server with one line naming it.

mod sources;
mod validate;

use secrecy::{ExposeSecret, SecretString};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use url::Url;
/// The file read when `CAMPAIGNS_CONFIG` names none.
pub const DEFAULT_CONFIG_FILE: &str = "Leptos.toml";
const ENV_PREFIX: &str = "CAMPAIGNS_";

/// The OAuth client id the built-in emulator registers in demo mode.
pub const DEMO_CLIENT_ID: &str = "Iv1.demo0campaigns0admin";

/// The GitHub App the built-in emulator registers in demo mode, installed on every demo org.
#[cfg(feature = "demo")]
pub const DEMO_APP_ID: u64 = 1_000_001;

/// The demo App's private key: made for the emulator alone, never registered on GitHub, and
/// public with this source. Real Apps' keys come from `CAMPAIGNS_GITHUB_APP_PRIVATE_KEY[_FILE]`.
#[cfg(feature = "demo")]
pub const DEMO_APP_PRIVATE_KEY: &str = include_str!("demo-app-key.pem");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The built-in GitHub emulator, seeded with demo data.
    Demo,
    /// Real GitHub, GitHub Enterprise Cloud or Server.
    GitHub,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeedProfile {
    /// About 3,000 open alerts: demo mode and tests.
    Standard,
    /// 10,000+ open alerts: performance work.
    Large,
    /// 100,000 open alerts in one org: the alert index's first sync (`make bench`).
    Huge,
}

#[derive(Debug, Clone)]
pub struct GitHubSettings {
    pub web_url: Url,
    pub api_url: Url,
    pub client_id: String,
    pub client_secret: SecretString,
    pub scopes: Vec<String>,
    pub connect_timeout: Duration,
    pub timeout: Duration,
    /// A PEM file of extra CA certificates to trust for GitHub (GitHub Enterprise Server behind
    /// a company CA), on top of the system's store.
    pub ca_file: Option<PathBuf>,
    /// Whether the app keeps each org's alerts in its database (the alert index); off, every read
    /// of alerts goes to GitHub.
    pub alert_index: bool,
    /// How long the app's alert index of an org is read as it is before a read syncs it with
    /// GitHub again (one sync an org at a time, shared by every viewer; 0: every read syncs).
    pub alert_index_fresh: Duration,
    /// How long a page opened in a browser waits for GitHub's answer before its first byte leaves
    /// (`components::streaming`): an answer within it sets the page's status and title; a later
    /// one streams in place under the frame, with status 200.
    pub first_byte_wait: Duration,
    /// The GitHub App that background work acts as (`github.app_id` and
    /// `CAMPAIGNS_GITHUB_APP_PRIVATE_KEY`); none: background work that needs GitHub is off.
    pub app: Option<GitHubAppSettings>,
}

/// A GitHub App's id and private key (PEM, as GitHub hands it out). Its key is checked when the
/// server starts (`github::app`).
#[derive(Debug, Clone)]
pub struct GitHubAppSettings {
    pub id: u64,
    pub private_key: SecretString,
}

/// How much anyone may ask of the server.
#[derive(Debug, Clone)]
pub struct LimitSettings {
    /// Server-function calls per minute, for each session and for each client address.
    pub api_per_minute: u32,
    /// `/auth/*` requests per minute for each client address.
    pub auth_per_minute: u32,
    /// Views of the pages and files that cost many GitHub requests (a campaign's alerts, a draft,
    /// the overview, the exports) per minute, for each session (four times as many for each
    /// client address).
    pub heavy_per_minute: u32,
    /// Proxies whose `X-Forwarded-For` names the client; from anyone else it is ignored.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The longest a request may take, GitHub's answers included (the default fits a batch of
    /// 20 alert pages, eight at a time, at GitHub's slowest).
    pub request_timeout: Duration,
}

/// The scheduled jobs (`crate::jobs`): whether this instance runs them, and how a failed one is
/// tried again.
#[derive(Debug, Clone)]
pub struct JobSettings {
    pub enabled: bool,
    /// How often an idle worker looks for a due job.
    pub poll_interval: Duration,
    /// Tries after the first before a job is given up.
    pub retries: usize,
    /// The wait before the first retry; each next one waits twice as long (at most an hour).
    pub retry_base: Duration,
}

/// The mail server digests go out through; none: email channels are refused.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
    pub password: Option<SecretString>,
    pub from: String,
    /// STARTTLS required (the default); `off` is accepted for a server on loopback only.
    pub starttls: bool,
}

#[derive(Debug, Clone)]
pub struct SessionSettings {
    pub inactivity: Duration,
    pub lifetime: Duration,
    pub cookie_secure: bool,
    /// 32-byte key for the token cipher; `None` in demo mode when none was given.
    pub key: Option<SecretString>,
}

#[derive(Debug, Clone)]
pub struct DemoSettings {
    pub emulator_addr: SocketAddr,
    /// An emulator already serving (started by another instance): used instead of starting one,
    /// so several demo instances behind one address share their GitHub.
    pub emulator_url: Option<Url>,
    pub profile: SeedProfile,
    pub expiring_tokens: bool,
    /// The emulator puts `alert_stats` in list items (GitHub's list example has none).
    pub list_stats: bool,
    /// The emulator's requests an hour per user: GitHub's 5,000 unless a benchmark raises it.
    pub rate_limit: u32,
}

#[derive(Clone)]
pub struct Settings {
    pub mode: Mode,
    pub listen_addr: SocketAddr,
    pub public_url: Url,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub log_filter: String,
    pub github: GitHubSettings,
    pub session: SessionSettings,
    pub limits: LimitSettings,
    pub demo: DemoSettings,
    pub jobs: JobSettings,
    pub smtp: Option<SmtpSettings>,
}

/// Every setting, the database URL's password written as `***` (secrets are redacted by their
/// own types): settings end up in logs and panic messages.
impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("mode", &self.mode)
            .field("listen_addr", &self.listen_addr)
            .field("public_url", &self.public_url.as_str())
            .field("data_dir", &self.data_dir)
            .field("database_url", &redacted(&self.database_url))
            .field("log_filter", &self.log_filter)
            .field("github", &self.github)
            .field("session", &self.session)
            .field("limits", &self.limits)
            .field("demo", &self.demo)
            .field("jobs", &self.jobs)
            .field("smtp", &self.smtp)
            .finish()
    }
}

/// `url` with its password, if it has one, as `***`; a URL that does not parse is withheld.
fn redacted(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => "(not shown)".to_owned(),
    }
}

/// A setting that is missing or wrong. Displays as one line that names it and its variable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error("setting `{key}` (environment variable {env}): {message}")]
    Bad {
        key: String,
        env: String,
        message: String,
    },
    #[error("settings file {path}: {message}")]
    File { path: String, message: String },
}
/// The environment variable that overrides `key`.
pub fn env_name(key: &str) -> String {
    format!("{ENV_PREFIX}{}", key.replace('.', "_").to_ascii_uppercase())
}

fn bad(key: &str, message: impl Into<String>) -> SettingsError {
    SettingsError::Bad {
        key: key.to_owned(),
        env: env_name(key),
        message: message.into(),
    }
}
impl Settings {
    /// Reads the file named by `CAMPAIGNS_CONFIG` (default `Leptos.toml`, which may be absent)
    /// and the process environment.
    pub fn load() -> Result<Self, SettingsError> {
        let env: BTreeMap<String, String> = std::env::vars().collect();
        let (path, required) = match env.get("CAMPAIGNS_CONFIG") {
            Some(p) => (p.clone(), true),
            None => (DEFAULT_CONFIG_FILE.to_owned(), false),
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => Some(text),
            Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                return Err(SettingsError::File {
                    path,
                    message: e.to_string(),
                })
            }
        };
        Self::from_sources(&path, text.as_deref(), &env)
    }

    /// Builds settings from a settings file's text and an environment map. Pure, for tests.
    pub fn from_sources(
        path: &str,
        file: Option<&str>,
        env: &BTreeMap<String, String>,
    ) -> Result<Self, SettingsError> {
        validate::validate(sources::Sources::merge(path, file, env)?)
    }

    /// The one OAuth callback this app registers: `{public_url}/auth/callback`.
    pub fn redirect_uri(&self) -> Url {
        let mut url = self.public_url.clone();
        url.set_path("/auth/callback");
        url
    }
}

/// Redacted view of the secrets, for start-up logs.
impl GitHubSettings {
    pub fn secret_is_set(&self) -> bool {
        !self.client_secret.expose_secret().is_empty()
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    fn github_env() -> Vec<(&'static str, &'static str)> {
        vec![
            ("CAMPAIGNS_MODE", "github"),
            ("CAMPAIGNS_GITHUB_CLIENT_ID", "Iv1.abc"),
            ("CAMPAIGNS_GITHUB_CLIENT_SECRET", "s3cret"),
            ("CAMPAIGNS_SESSION_KEY", KEY),
            ("CAMPAIGNS_PUBLIC_URL", "https://campaigns.example.com"),
        ]
    }

    fn err_text(r: Result<Settings, SettingsError>) -> String {
        r.expect_err("settings should be refused").to_string()
    }

    #[test]
    fn defaults_alone_start_demo_mode() {
        let s = Settings::from_sources("x", None, &env(&[])).unwrap();
        assert_eq!(s.mode, Mode::Demo);
        assert_eq!(s.github.client_id, DEMO_CLIENT_ID);
        assert!(!s.session.cookie_secure);
        assert_eq!(
            s.redirect_uri().as_str(),
            "http://127.0.0.1:3000/auth/callback"
        );
        assert!(s
            .database_url
            .starts_with("sqlite://target/data/campaigns.db"));
    }

    #[test]
    fn debug_output_does_not_show_the_database_password() {
        let s = Settings::from_sources(
            "x",
            None,
            &env(&[(
                "CAMPAIGNS_DATABASE_URL",
                "postgres://app:hunter2-secret@db.internal:5432/campaigns",
            )]),
        )
        .unwrap();
        let shown = format!("{s:?}");
        assert!(!shown.contains("hunter2-secret"), "{shown}");
        assert!(
            shown.contains("postgres://app:***@db.internal:5432/campaigns"),
            "{shown}"
        );
    }

    #[test]
    fn environment_overrides_the_file() {
        let file = "mode = \"demo\"\n[github]\napi_url = \"https://api.acme.ghe.com\"\n";
        let s = Settings::from_sources(
            "x",
            Some(file),
            &env(&[(
                "CAMPAIGNS_GITHUB_API_URL",
                "https://ghes.example.com/api/v3",
            )]),
        )
        .unwrap();
        assert_eq!(s.github.api_url.as_str(), "https://ghes.example.com/api/v3");
    }

    #[test]
    fn github_mode_needs_client_id_secret_and_session_key() {
        let mut e = github_env();
        e.retain(|(k, _)| *k != "CAMPAIGNS_GITHUB_CLIENT_ID");
        assert!(err_text(Settings::from_sources("x", None, &env(&e)))
            .contains("CAMPAIGNS_GITHUB_CLIENT_ID"));

        let mut e = github_env();
        e.retain(|(k, _)| *k != "CAMPAIGNS_GITHUB_CLIENT_SECRET");
        assert!(err_text(Settings::from_sources("x", None, &env(&e)))
            .contains("CAMPAIGNS_GITHUB_CLIENT_SECRET"));

        let mut e = github_env();
        e.retain(|(k, _)| *k != "CAMPAIGNS_SESSION_KEY");
        assert!(
            err_text(Settings::from_sources("x", None, &env(&e))).contains("CAMPAIGNS_SESSION_KEY")
        );

        let mut e = github_env();
        e.push(("CAMPAIGNS_SESSION_KEY", "c2hvcnQ="));
        let e = env(&e);
        assert!(err_text(Settings::from_sources("x", None, &e)).contains("32 bytes"));

        assert!(Settings::from_sources("x", None, &env(&github_env())).is_ok());
    }

    #[test]
    fn github_mode_refuses_plain_http_api_urls() {
        let mut e = github_env();
        e.push(("CAMPAIGNS_GITHUB_API_URL", "http://api.github.com"));
        let text = err_text(Settings::from_sources("x", None, &env(&e)));
        assert!(
            text.contains("`github.api_url`") && text.contains("https"),
            "{text}"
        );
    }

    #[test]
    fn github_mode_refuses_a_plain_http_public_url() {
        let mut e = github_env();
        e.retain(|(k, _)| *k != "CAMPAIGNS_PUBLIC_URL");
        let text = err_text(Settings::from_sources("x", None, &env(&e)));
        assert!(
            text.contains("CAMPAIGNS_PUBLIC_URL") && text.contains("https"),
            "{text}"
        );
    }

    #[test]
    fn limits_and_trusted_proxies_are_checked() {
        let s = Settings::from_sources(
            "x",
            None,
            &env(&[("CAMPAIGNS_LIMITS_TRUSTED_PROXIES", "10.0.0.1, ::1")]),
        )
        .unwrap();
        assert_eq!(s.limits.trusted_proxies.len(), 2);
        let text = err_text(Settings::from_sources(
            "x",
            None,
            &env(&[("CAMPAIGNS_LIMITS_TRUSTED_PROXIES", "proxy.local")]),
        ));
        assert!(text.contains("CAMPAIGNS_LIMITS_TRUSTED_PROXIES"), "{text}");
        let text = err_text(Settings::from_sources(
            "x",
            None,
            &env(&[("CAMPAIGNS_LIMITS_API_PER_MINUTE", "0")]),
        ));
        assert!(text.contains("CAMPAIGNS_LIMITS_API_PER_MINUTE"), "{text}");
        let text = err_text(Settings::from_sources(
            "x",
            None,
            &env(&[("CAMPAIGNS_GITHUB_CA_FILE", "/nonexistent/ca.pem")]),
        ));
        assert!(text.contains("CAMPAIGNS_GITHUB_CA_FILE"), "{text}");
    }

    #[test]
    fn secrets_in_the_file_are_refused() {
        let file = "[github]\nclient_secret = \"oops\"\n";
        let text = err_text(Settings::from_sources("x", Some(file), &env(&[])));
        assert!(text.contains("CAMPAIGNS_GITHUB_CLIENT_SECRET"), "{text}");
    }

    #[test]
    fn unknown_keys_and_bad_values_are_named() {
        let text = err_text(Settings::from_sources(
            "Leptos.toml",
            Some("colour = \"red\""),
            &env(&[]),
        ));
        assert!(text.contains("unknown setting `colour`"), "{text}");
        let text = err_text(Settings::from_sources(
            "x",
            None,
            &env(&[("CAMPAIGNS_MODE", "prod")]),
        ));
        assert!(text.contains("CAMPAIGNS_MODE"), "{text}");
        let text = err_text(Settings::from_sources(
            "x",
            None,
            &env(&[("CAMPAIGNS_GITHUB_TIMEOUT_SECS", "soon")]),
        ));
        assert!(text.contains("CAMPAIGNS_GITHUB_TIMEOUT_SECS"), "{text}");
        let text = err_text(Settings::from_sources(
            "x",
            None,
            &env(&[("CAMPAIGNS_DEMO_RATE_LIMIT", "0")]),
        ));
        assert!(text.contains("CAMPAIGNS_DEMO_RATE_LIMIT"), "{text}");
    }

    #[test]
    fn the_emulators_rate_limit_is_githubs_unless_a_benchmark_raises_it() {
        let s = Settings::from_sources("x", None, &env(&[])).unwrap();
        assert_eq!(s.demo.rate_limit, 5_000);
        let raised = env(&[("CAMPAIGNS_DEMO_RATE_LIMIT", "10000000")]);
        let s = Settings::from_sources("x", None, &raised).unwrap();
        assert_eq!(s.demo.rate_limit, 10_000_000);
    }

    #[test]
    fn https_public_url_makes_cookies_secure() {
        let s = Settings::from_sources(
            "x",
            None,
            &env(&[("CAMPAIGNS_PUBLIC_URL", "https://campaigns.example.com")]),
        )
        .unwrap();
        assert!(s.session.cookie_secure);
        let text = err_text(Settings::from_sources(
            "x",
            None,
            &env(&[
                ("CAMPAIGNS_PUBLIC_URL", "https://campaigns.example.com"),
                ("CAMPAIGNS_SESSION_COOKIE_SECURE", "false"),
            ]),
        ));
        assert!(text.contains("CAMPAIGNS_SESSION_COOKIE_SECURE"), "{text}");
    }

    #[test]
    fn secret_can_come_from_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret");
        std::fs::write(&path, "from-file\n").unwrap();
        let mut e = github_env();
        e.retain(|(k, _)| *k != "CAMPAIGNS_GITHUB_CLIENT_SECRET");
        let mut e = env(&e);
        e.insert(
            "CAMPAIGNS_GITHUB_CLIENT_SECRET_FILE".into(),
            path.display().to_string(),
        );
        let s = Settings::from_sources("x", None, &e).unwrap();
        assert_eq!(s.github.client_secret.expose_secret(), "from-file");
    }

    #[test]
    fn a_github_app_needs_its_id_and_key_together() {
        let mut e = github_env();
        e.push(("CAMPAIGNS_GITHUB_APP_ID", "12345"));
        let text = err_text(Settings::from_sources("x", None, &env(&e)));
        assert!(text.contains("CAMPAIGNS_GITHUB_APP_PRIVATE_KEY"), "{text}");

        let mut e = github_env();
        e.push((
            "CAMPAIGNS_GITHUB_APP_PRIVATE_KEY",
            "-----BEGIN RSA PRIVATE KEY-----",
        ));
        let text = err_text(Settings::from_sources("x", None, &env(&e)));
        assert!(text.contains("CAMPAIGNS_GITHUB_APP_ID"), "{text}");

        let mut e = github_env();
        e.push(("CAMPAIGNS_GITHUB_APP_ID", "my-app"));
        let text = err_text(Settings::from_sources("x", None, &env(&e)));
        assert!(text.contains("CAMPAIGNS_GITHUB_APP_ID"), "{text}");

        let s = Settings::from_sources("x", None, &env(&github_env())).unwrap();
        assert!(
            s.github.app.is_none(),
            "github mode has no App unless one is set"
        );
        let mut e = github_env();
        e.push(("CAMPAIGNS_GITHUB_APP_ID", "12345"));
        e.push(("CAMPAIGNS_GITHUB_APP_PRIVATE_KEY", "pem"));
        let s = Settings::from_sources("x", None, &env(&e)).unwrap();
        let app = s.github.app.expect("the App is set");
        assert_eq!(app.id, 12345);
        assert!(!format!("{app:?}").contains("pem\""), "the key is redacted");
    }

    #[test]
    #[cfg(feature = "demo")]
    fn demo_mode_acts_as_the_demo_app_unless_turned_off() {
        let s = Settings::from_sources("x", None, &env(&[])).unwrap();
        assert_eq!(s.github.app.map(|a| a.id), Some(DEMO_APP_ID));
        let off = env(&[("CAMPAIGNS_GITHUB_APP_ID", "off")]);
        let s = Settings::from_sources("x", None, &off).unwrap();
        assert!(s.github.app.is_none());
    }

    #[test]
    fn the_shipped_settings_file_is_valid() {
        let text = include_str!("../../Leptos.toml");
        Settings::from_sources("Leptos.toml", Some(text), &env(&[])).unwrap();
    }
}
