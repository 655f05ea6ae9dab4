//! Every setting checked and typed, one section at a time: a bad one stops the server with one line
//! naming it and its variable.

use super::sources::Sources;
use super::{
    bad, DemoSettings, GitHubAppSettings, GitHubSettings, JobSettings, LimitSettings, Mode,
    SeedProfile, SessionSettings, Settings, SettingsError, SmtpSettings, DEMO_CLIENT_ID,
};
use secrecy::SecretString;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use url::Url;

pub(super) fn validate(src: Sources) -> Result<Settings, SettingsError> {
    let mode = src.choice("mode", &[("demo", Mode::Demo), ("github", Mode::GitHub)])?;
    if mode == Mode::Demo && !cfg!(feature = "demo") {
        return Err(bad(
            "mode",
            "`demo` needs a build with the built-in GitHub emulator (`make run`, or `make release DEMO=1`); this build serves real GitHub only: set it to `github`".to_owned(),
        ));
    }
    let listen_addr: SocketAddr = src.parse("listen_addr", "an address such as 127.0.0.1:3000")?;
    let public_url = public_url(&src)?;
    let github = github(&src, mode)?;
    let session = session(&src, mode, &public_url)?;
    let (data_dir, database_url) = store(&src)?;
    let log_filter = src.get("log").trim().to_owned();
    if tracing_subscriber::EnvFilter::try_new(&log_filter).is_err() {
        return Err(bad(
            "log",
            format!("`{log_filter}` is not a valid log filter"),
        ));
    }
    let limits = limits(&src)?;
    let demo = demo(&src)?;
    let jobs = jobs(&src)?;
    let smtp = smtp(&src)?;
    // Sessions, tokens and CSRF checks lean on the browser's origin: real GitHub users reach
    // this app over https only.
    if mode == Mode::GitHub && public_url.scheme() != "https" {
        return Err(bad(
            "public_url",
            format!("must be an https URL in github mode, got `{public_url}`"),
        ));
    }
    Ok(Settings {
        mode,
        listen_addr,
        public_url,
        data_dir,
        database_url,
        log_filter,
        github,
        session,
        limits,
        demo,
        jobs,
        smtp,
    })
}

fn jobs(src: &Sources) -> Result<JobSettings, SettingsError> {
    Ok(JobSettings {
        enabled: src.choice("jobs.enabled", &[("on", true), ("off", false)])?,
        poll_interval: Duration::from_millis(src.positive("jobs.poll_ms", "milliseconds")?),
        retries: src.parse("jobs.retries", "a whole number of tries")?,
        retry_base: src.seconds("jobs.retry_base_secs")?,
    })
}

/// The mail server, when `smtp.host` is set. Without STARTTLS the password would cross the
/// network in the clear: `off` is for a relay on this machine only.
fn smtp(src: &Sources) -> Result<Option<SmtpSettings>, SettingsError> {
    let host = src.get("smtp.host").trim();
    if host.is_empty() {
        return Ok(None);
    }
    let starttls = src.choice("smtp.starttls", &[("required", true), ("off", false)])?;
    let loopback = matches!(host, "localhost" | "127.0.0.1" | "::1");
    if !starttls && !loopback {
        return Err(bad(
            "smtp.starttls",
            format!(
                "can be `off` only for a mail server on this machine (localhost), not `{host}`"
            ),
        ));
    }
    let from = src.get("smtp.from").trim();
    if from.parse::<lettre::message::Mailbox>().is_err() {
        return Err(bad(
            "smtp.from",
            format!("`{from}` is not an email address"),
        ));
    }
    let user = Some(src.get("smtp.user").trim().to_owned()).filter(|u| !u.is_empty());
    let password = src
        .secrets
        .get("smtp.password")
        .cloned()
        .map(SecretString::from);
    if user.is_some() != password.is_some() {
        return Err(bad(
            "smtp.user",
            "and CAMPAIGNS_SMTP_PASSWORD go together: set both or neither",
        ));
    }
    Ok(Some(SmtpSettings {
        host: host.to_owned(),
        port: src.parse("smtp.port", "a port number")?,
        user,
        password,
        from: from.to_owned(),
        starttls,
    }))
}

/// An origin without a path.
fn public_url(src: &Sources) -> Result<Url, SettingsError> {
    let url = parse_url(src, "public_url", false)?;
    if url.path() != "/" || url.query().is_some() {
        return Err(bad(
            "public_url",
            "must be an origin without a path, such as https://campaigns.example.com",
        ));
    }
    Ok(url)
}

fn github(src: &Sources, mode: Mode) -> Result<GitHubSettings, SettingsError> {
    let real = mode == Mode::GitHub;
    let scopes: Vec<String> = src
        .list("github.scopes")
        .into_iter()
        .map(str::to_owned)
        .collect();
    if let Some(s) = scopes.iter().find(|s| {
        !s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':')
    }) {
        return Err(bad("github.scopes", format!("`{s}` is not an OAuth scope")));
    }
    let mut client_id = src.get("github.client_id").trim().to_owned();
    if client_id.is_empty() {
        if real {
            return Err(bad("github.client_id", "is required in github mode"));
        }
        client_id = DEMO_CLIENT_ID.to_owned();
    }
    let client_secret = match src.secrets.get("github.client_secret") {
        Some(secret) => SecretString::from(secret.clone()),
        None if real => return Err(bad("github.client_secret", "is required in github mode")),
        None => SecretString::from(random_hex(20)),
    };
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
    Ok(GitHubSettings {
        web_url: parse_url(src, "github.web_url", real)?,
        api_url: parse_url(src, "github.api_url", real)?,
        client_id,
        client_secret,
        scopes,
        connect_timeout: src.seconds("github.connect_timeout_secs")?,
        timeout: src.seconds("github.timeout_secs")?,
        ca_file,
        alert_index: src.choice("github.alert_index", &[("on", true), ("off", false)])?,
        alert_index_fresh: Duration::from_secs(
            src.parse("github.alert_index_fresh_secs", "a whole number of seconds")?,
        ),
        first_byte_wait: Duration::from_millis(src.parse(
            "github.first_byte_wait_ms",
            "a whole number of milliseconds",
        )?),
        app: app(src, mode)?,
    })
}

/// The GitHub App: an id and a private key together, or neither. Demo mode without one acts as
/// the emulator's demo App, unless `github.app_id` is `off`.
fn app(src: &Sources, mode: Mode) -> Result<Option<GitHubAppSettings>, SettingsError> {
    let key = src.secrets.get("github.app_private_key");
    let id = match src.get("github.app_id").trim() {
        "off" => None,
        "" if mode == Mode::Demo && key.is_none() => return Ok(demo_app()),
        "" => None,
        raw => match raw.parse::<u64>() {
            Ok(id) if id > 0 => Some(id),
            _ => {
                return Err(bad(
                    "github.app_id",
                    format!("expected the GitHub App's id (a number, shown on its settings page), got `{raw}`"),
                ))
            }
        },
    };
    match (id, key) {
        (Some(id), Some(key)) => Ok(Some(GitHubAppSettings {
            id,
            private_key: SecretString::from(key.clone()),
        })),
        (Some(_), None) => Err(bad(
            "github.app_private_key",
            "is required when github.app_id is set: the App's private key (PEM), or a file holding it in CAMPAIGNS_GITHUB_APP_PRIVATE_KEY_FILE",
        )),
        (None, Some(_)) => Err(bad(
            "github.app_id",
            "is required when the App's private key is set",
        )),
        (None, None) => Ok(None),
    }
}

#[cfg(feature = "demo")]
fn demo_app() -> Option<GitHubAppSettings> {
    Some(GitHubAppSettings {
        id: super::DEMO_APP_ID,
        private_key: SecretString::from(super::DEMO_APP_PRIVATE_KEY),
    })
}

#[cfg(not(feature = "demo"))]
fn demo_app() -> Option<GitHubAppSettings> {
    None
}

fn session(src: &Sources, mode: Mode, public_url: &Url) -> Result<SessionSettings, SettingsError> {
    let inactivity = src.minutes("session.inactivity_minutes")?;
    let lifetime = src.minutes("session.lifetime_minutes")?;
    if inactivity > lifetime {
        return Err(bad(
            "session.inactivity_minutes",
            "cannot be longer than session.lifetime_minutes",
        ));
    }
    let https = public_url.scheme() == "https";
    let cookie_secure = match src.choice(
        "session.cookie_secure",
        &[("auto", None), ("true", Some(true)), ("false", Some(false))],
    )? {
        None => https,
        Some(false) if https => {
            return Err(bad(
                "session.cookie_secure",
                "cannot be false when public_url is https",
            ))
        }
        Some(set) => set,
    };
    let key = src.secrets.get("session.key");
    match key {
        Some(k) => check_session_key(k)?,
        None if mode == Mode::GitHub => return Err(bad(
            "session.key",
            "is required in github mode: 32 random bytes, base64-encoded (openssl rand -base64 32)",
        )),
        None => {}
    }
    Ok(SessionSettings {
        inactivity,
        lifetime,
        cookie_secure,
        key: key.cloned().map(SecretString::from),
    })
}

/// Where the app keeps its files, and its database (by default a SQLite file there).
fn store(src: &Sources) -> Result<(PathBuf, String), SettingsError> {
    let data_dir = PathBuf::from(src.get("data_dir").trim());
    if data_dir.as_os_str().is_empty() {
        return Err(bad("data_dir", "cannot be empty"));
    }
    let database_url = match src.get("database_url").trim() {
        "" => format!(
            "sqlite://{}?mode=rwc",
            data_dir.join("campaigns.db").display()
        ),
        url if ["sqlite:", "postgres://", "postgresql://"]
            .iter()
            .any(|scheme| url.starts_with(scheme)) =>
        {
            url.to_owned()
        }
        other => {
            return Err(bad(
                "database_url",
                format!(
                    "must be a sqlite: or postgres:// URL, got `{}`",
                    without_password(other)
                ),
            ))
        }
    };
    Ok((data_dir, database_url))
}

/// `url` with any password replaced by `***`, to be quoted in a message.
fn without_password(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

fn limits(src: &Sources) -> Result<LimitSettings, SettingsError> {
    let per_minute = |key: &str| {
        src.positive(key, "requests per minute")
            .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
    };
    let trusted_proxies = src
        .list("limits.trusted_proxies")
        .into_iter()
        .map(|s| {
            s.parse().map_err(|_| {
                bad(
                    "limits.trusted_proxies",
                    format!("`{s}` is not an IP address"),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(LimitSettings {
        api_per_minute: per_minute("limits.api_per_minute")?,
        auth_per_minute: per_minute("limits.auth_per_minute")?,
        heavy_per_minute: per_minute("limits.heavy_per_minute")?,
        trusted_proxies,
        request_timeout: src.seconds("limits.request_timeout_secs")?,
    })
}

fn demo(src: &Sources) -> Result<DemoSettings, SettingsError> {
    Ok(DemoSettings {
        emulator_addr: src.parse("demo.emulator_addr", "an address such as 127.0.0.1:3100")?,
        emulator_url: match src.get("demo.emulator_url").trim() {
            "" => None,
            _ => Some(parse_url(src, "demo.emulator_url", false)?),
        },
        profile: src.choice(
            "demo.profile",
            &[
                ("standard", SeedProfile::Standard),
                ("large", SeedProfile::Large),
                ("huge", SeedProfile::Huge),
            ],
        )?,
        expiring_tokens: src.parse("demo.expiring_tokens", "`true` or `false`")?,
        list_stats: src.parse("demo.list_stats", "`true` or `false`")?,
        rate_limit: match src.parse::<u32>("demo.rate_limit", "a number of requests an hour")? {
            0 => return Err(bad("demo.rate_limit", "must be at least 1".to_owned())),
            n => n,
        },
    })
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
