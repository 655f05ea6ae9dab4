//! Typed runtime settings, loaded once at startup from `Leptos.toml` and the environment.
//!
//! Every key `section.name` in the file can be overridden by the environment variable
//! `CAMPAIGNS_SECTION_NAME` (for example `github.api_url` → `CAMPAIGNS_GITHUB_API_URL`).
//! Secrets come only from the environment, or from a file named by `…_FILE`.
//! Everything is validated here, so a bad setting stops the server with one line naming it.

use secrecy::{ExposeSecret, SecretString};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use url::Url;

/// The file read when `CAMPAIGNS_CONFIG` names none.
pub const DEFAULT_CONFIG_FILE: &str = "Leptos.toml";
const ENV_PREFIX: &str = "CAMPAIGNS_";

/// Keys a settings file may hold (secrets are deliberately absent), with their defaults.
const KEYS: &[(&str, &str)] = &[
    ("mode", "demo"),
    ("listen_addr", "127.0.0.1:3000"),
    ("public_url", "http://127.0.0.1:3000"),
    ("data_dir", "target/data"),
    ("database_url", ""),
    ("log", "info,campaigns_admin=debug,tower_http=info"),
    ("github.web_url", "https://github.com"),
    ("github.api_url", "https://api.github.com"),
    ("github.client_id", ""),
    ("github.scopes", "security_events read:org"),
    ("github.connect_timeout_secs", "5"),
    ("github.timeout_secs", "20"),
    ("github.ca_file", ""),
    ("session.inactivity_minutes", "480"),
    ("session.lifetime_minutes", "1440"),
    ("session.cookie_secure", "auto"),
    ("limits.api_per_minute", "600"),
    ("limits.auth_per_minute", "60"),
    ("limits.trusted_proxies", ""),
    ("limits.request_timeout_secs", "90"),
    ("demo.emulator_addr", "127.0.0.1:3100"),
    ("demo.profile", "standard"),
    ("demo.expiring_tokens", "false"),
    ("demo.list_stats", "false"),
];

/// Secrets: environment (or `<NAME>_FILE`) only.
const SECRET_KEYS: &[&str] = &["github.client_secret", "session.key"];

/// The OAuth client id the built-in emulator registers in demo mode.
pub const DEMO_CLIENT_ID: &str = "Iv1.demo0campaigns0admin";

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
}

/// How much anyone may ask of the server.
#[derive(Debug, Clone)]
pub struct LimitSettings {
    /// Server-function calls per minute, for each session and for each client address.
    pub api_per_minute: u32,
    /// `/auth/*` requests per minute for each client address.
    pub auth_per_minute: u32,
    /// Proxies whose `X-Forwarded-For` names the client; from anyone else it is ignored.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The longest a request may take, GitHub's answers included (the default fits a batch of
    /// 20 alert pages, eight at a time, at GitHub's slowest).
    pub request_timeout: Duration,
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
    pub profile: SeedProfile,
    pub expiring_tokens: bool,
    /// The emulator puts `alert_stats` in list items (GitHub's list example has none).
    pub list_stats: bool,
}

#[derive(Debug, Clone)]
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

/// Raw string values by key, after file and environment are merged.
struct Sources {
    values: BTreeMap<&'static str, String>,
    secrets: BTreeMap<&'static str, String>,
}

impl Sources {
    fn get(&self, key: &str) -> &str {
        self.values.get(key).map(String::as_str).unwrap_or_default()
    }

    fn parse<T>(&self, key: &str, what: &str) -> Result<T, SettingsError>
    where
        T: std::str::FromStr,
    {
        let raw = self.get(key).trim();
        raw.parse()
            .map_err(|_| bad(key, format!("expected {what}, got `{raw}`")))
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
        let mut values: BTreeMap<&'static str, String> =
            KEYS.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
        if let Some(text) = file {
            for (key, value) in flatten_file(path, text)? {
                let known = KEYS.iter().find(|(k, _)| *k == key).map(|(k, _)| *k);
                match known {
                    Some(k) => {
                        values.insert(k, value);
                    }
                    None if SECRET_KEYS.contains(&key.as_str()) => {
                        return Err(bad(
                            &key,
                            "secrets are not read from the settings file; set the environment variable (or its _FILE variant)",
                        ))
                    }
                    None => {
                        return Err(SettingsError::File {
                            path: path.to_owned(),
                            message: format!("unknown setting `{key}`"),
                        })
                    }
                }
            }
        }
        for (key, _) in KEYS {
            if let Some(v) = env.get(&env_name(key)) {
                values.insert(key, v.clone());
            }
        }
        let mut secrets = BTreeMap::new();
        for key in SECRET_KEYS {
            let name = env_name(key);
            if let Some(v) = env.get(&name).filter(|v| !v.is_empty()) {
                secrets.insert(*key, v.clone());
            } else if let Some(file) = env.get(&format!("{name}_FILE")).filter(|v| !v.is_empty()) {
                let v = std::fs::read_to_string(file).map_err(|e| {
                    bad(
                        key,
                        format!("cannot read the file {name}_FILE names ({file}): {e}"),
                    )
                })?;
                secrets.insert(*key, v.trim().to_owned());
            }
        }
        Self::validate(Sources { values, secrets })
    }

    fn validate(src: Sources) -> Result<Self, SettingsError> {
        let mode = match src.get("mode").trim() {
            "demo" => Mode::Demo,
            "github" => Mode::GitHub,
            other => {
                return Err(bad(
                    "mode",
                    format!("expected `demo` or `github`, got `{other}`"),
                ))
            }
        };
        let listen_addr: SocketAddr =
            src.parse("listen_addr", "an address such as 127.0.0.1:3000")?;
        let public_url = parse_url(&src, "public_url", false)?;
        if public_url.path() != "/" || public_url.query().is_some() {
            return Err(bad(
                "public_url",
                "must be an origin without a path, such as https://campaigns.example.com",
            ));
        }
        let web_url = parse_url(&src, "github.web_url", mode == Mode::GitHub)?;
        let api_url = parse_url(&src, "github.api_url", mode == Mode::GitHub)?;

        let scopes: Vec<String> = src
            .get("github.scopes")
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        if let Some(s) = scopes.iter().find(|s| {
            !s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':')
        }) {
            return Err(bad("github.scopes", format!("`{s}` is not an OAuth scope")));
        }

        let secs = |key: &str| -> Result<Duration, SettingsError> {
            let n: u64 = src.parse(key, "a whole number of seconds")?;
            if n == 0 {
                return Err(bad(key, "must be at least 1"));
            }
            Ok(Duration::from_secs(n))
        };
        let minutes = |key: &str| -> Result<Duration, SettingsError> {
            let n: u64 = src.parse(key, "a whole number of minutes")?;
            if n == 0 {
                return Err(bad(key, "must be at least 1"));
            }
            Ok(Duration::from_secs(n * 60))
        };
        let connect_timeout = secs("github.connect_timeout_secs")?;
        let timeout = secs("github.timeout_secs")?;
        let inactivity = minutes("session.inactivity_minutes")?;
        let lifetime = minutes("session.lifetime_minutes")?;
        if inactivity > lifetime {
            return Err(bad(
                "session.inactivity_minutes",
                "cannot be longer than session.lifetime_minutes",
            ));
        }
        let https = public_url.scheme() == "https";
        let cookie_secure = match src.get("session.cookie_secure").trim() {
            "auto" => https,
            "true" => true,
            "false" if https => {
                return Err(bad(
                    "session.cookie_secure",
                    "cannot be false when public_url is https",
                ))
            }
            "false" => false,
            other => {
                return Err(bad(
                    "session.cookie_secure",
                    format!("expected `auto`, `true` or `false`, got `{other}`"),
                ))
            }
        };

        let mut client_id = src.get("github.client_id").trim().to_owned();
        let client_secret = src.secrets.get("github.client_secret").cloned();
        let session_key = src.secrets.get("session.key").cloned();
        let client_secret = match (mode, client_secret) {
            (_, Some(secret)) => SecretString::from(secret),
            (Mode::Demo, None) => SecretString::from(random_hex(20)),
            (Mode::GitHub, None) => {
                return Err(bad("github.client_secret", "is required in github mode"))
            }
        };
        match mode {
            Mode::Demo => {
                if client_id.is_empty() {
                    client_id = DEMO_CLIENT_ID.to_owned();
                }
            }
            Mode::GitHub => {
                if client_id.is_empty() {
                    return Err(bad("github.client_id", "is required in github mode"));
                }
                match &session_key {
                    None => return Err(bad("session.key", "is required in github mode: 32 random bytes, base64-encoded (openssl rand -base64 32)")),
                    Some(k) => check_session_key(k)?,
                }
            }
        }
        if let (Mode::Demo, Some(k)) = (mode, &session_key) {
            check_session_key(k)?;
        }

        let data_dir = PathBuf::from(src.get("data_dir").trim());
        if data_dir.as_os_str().is_empty() {
            return Err(bad("data_dir", "cannot be empty"));
        }
        let database_url = match src.get("database_url").trim() {
            "" => format!(
                "sqlite://{}?mode=rwc",
                data_dir.join("sessions.db").display()
            ),
            url if url.starts_with("sqlite:") => url.to_owned(),
            other => {
                return Err(bad(
                    "database_url",
                    format!("only sqlite: URLs are supported, got `{other}`"),
                ))
            }
        };
        let log_filter = src.get("log").trim().to_owned();
        if tracing_subscriber::EnvFilter::try_new(&log_filter).is_err() {
            return Err(bad(
                "log",
                format!("`{log_filter}` is not a valid log filter"),
            ));
        }

        let profile = match src.get("demo.profile").trim() {
            "standard" => SeedProfile::Standard,
            "large" => SeedProfile::Large,
            other => {
                return Err(bad(
                    "demo.profile",
                    format!("expected `standard` or `large`, got `{other}`"),
                ))
            }
        };
        let expiring_tokens: bool = src.parse("demo.expiring_tokens", "`true` or `false`")?;
        let list_stats: bool = src.parse("demo.list_stats", "`true` or `false`")?;
        let per_minute = |key: &str| -> Result<u32, SettingsError> {
            let n: u32 = src.parse(key, "a whole number of requests per minute")?;
            if n == 0 {
                return Err(bad(key, "must be at least 1"));
            }
            Ok(n)
        };
        let request_timeout = secs("limits.request_timeout_secs")?;
        let api_per_minute = per_minute("limits.api_per_minute")?;
        let auth_per_minute = per_minute("limits.auth_per_minute")?;
        let trusted_proxies = src
            .get("limits.trusted_proxies")
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse().map_err(|_| {
                    bad(
                        "limits.trusted_proxies",
                        format!("`{s}` is not an IP address"),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let ca_file = match src.get("github.ca_file").trim() {
            "" => None,
            path => {
                let path = PathBuf::from(path);
                if !path.is_file() {
                    return Err(bad(
                        "github.ca_file",
                        format!("{} is not a readable file", path.display()),
                    ));
                }
                Some(path)
            }
        };
        // Sessions, tokens and CSRF checks lean on the browser's origin: real GitHub users
        // reach this app over https only.
        if mode == Mode::GitHub && public_url.scheme() != "https" {
            return Err(bad(
                "public_url",
                format!("must be an https URL in github mode, got `{public_url}`"),
            ));
        }
        let emulator_addr: SocketAddr =
            src.parse("demo.emulator_addr", "an address such as 127.0.0.1:3100")?;

        Ok(Settings {
            mode,
            listen_addr,
            public_url,
            data_dir,
            database_url,
            log_filter,
            github: GitHubSettings {
                web_url,
                api_url,
                client_id,
                client_secret,
                scopes,
                connect_timeout,
                timeout,
                ca_file,
            },
            session: SessionSettings {
                inactivity,
                lifetime,
                cookie_secure,
                key: session_key.map(SecretString::from),
            },
            limits: LimitSettings {
                api_per_minute,
                auth_per_minute,
                trusted_proxies,
                request_timeout,
            },
            demo: DemoSettings {
                emulator_addr,
                profile,
                expiring_tokens,
                list_stats,
            },
        })
    }

    /// The one OAuth callback this app registers: `{public_url}/auth/callback`.
    pub fn redirect_uri(&self) -> Url {
        let mut url = self.public_url.clone();
        url.set_path("/auth/callback");
        url
    }
}

fn parse_url(src: &Sources, key: &str, https_only: bool) -> Result<Url, SettingsError> {
    let raw = src.get(key).trim();
    let url = Url::parse(raw).map_err(|e| bad(key, format!("`{raw}` is not a URL ({e})")))?;
    match url.scheme() {
        "https" => {}
        "http" if !https_only => {}
        "http" => {
            return Err(bad(
                key,
                format!("must be an https URL outside demo mode, got `{raw}`"),
            ))
        }
        other => return Err(bad(key, format!("unsupported scheme `{other}` in `{raw}`"))),
    }
    if url.host_str().is_none() || !url.username().is_empty() || url.password().is_some() {
        return Err(bad(
            key,
            format!("`{raw}` must have a host and no credentials"),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad(key, format!("`{raw}` cannot have a query or fragment")));
    }
    Ok(url)
}

fn check_session_key(key: &str) -> Result<(), SettingsError> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(key.trim())
        .map_err(|_| bad("session.key", "is not valid base64"))?;
    if bytes.len() != 32 {
        return Err(bad(
            "session.key",
            format!("must decode to exactly 32 bytes, got {}", bytes.len()),
        ));
    }
    Ok(())
}

fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// `[github] api_url = "…"` → `("github.api_url", "…")`. Arrays of strings join with spaces.
fn flatten_file(path: &str, text: &str) -> Result<Vec<(String, String)>, SettingsError> {
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| SettingsError::File {
            path: path.to_owned(),
            message: e.message().to_owned(),
        })?;
    let mut out = Vec::new();
    fn scalar(v: &toml::Value) -> Option<String> {
        match v {
            toml::Value::String(s) => Some(s.clone()),
            toml::Value::Integer(i) => Some(i.to_string()),
            toml::Value::Boolean(b) => Some(b.to_string()),
            toml::Value::Array(items) => items
                .iter()
                .map(|i| i.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .map(|v| v.join(" ")),
            _ => None,
        }
    }
    for (k, v) in &table {
        match v {
            toml::Value::Table(inner) => {
                for (ik, iv) in inner {
                    let key = format!("{k}.{ik}");
                    let value = scalar(iv).ok_or_else(|| SettingsError::File {
                        path: path.to_owned(),
                        message: format!("`{key}` has an unsupported value"),
                    })?;
                    out.push((key, value));
                }
            }
            other => {
                let value = scalar(other).ok_or_else(|| SettingsError::File {
                    path: path.to_owned(),
                    message: format!("`{k}` has an unsupported value"),
                })?;
                out.push((k.clone(), value));
            }
        }
    }
    Ok(out)
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
            .starts_with("sqlite://target/data/sessions.db"));
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
    fn the_shipped_settings_file_is_valid() {
        let text = include_str!("../Leptos.toml");
        Settings::from_sources("Leptos.toml", Some(text), &env(&[])).unwrap();
    }
}
