//! Where setting values come from: defaults, the settings file (flattened to `section.key`), the
//! environment (`CAMPAIGNS_SECTION_KEY`), and secrets from the environment or a `…_FILE` only.

use super::{bad, env_name, SettingsError};
use std::collections::BTreeMap;
use std::time::Duration;

/// Keys a settings file may hold (secrets are deliberately absent), with their defaults.
pub(super) const KEYS: &[(&str, &str)] = &[
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
    ("github.app_id", ""),
    ("github.alert_index", "on"),
    ("github.alert_index_fresh_secs", "10"),
    ("github.first_byte_wait_ms", "40"),
    ("session.inactivity_minutes", "480"),
    ("session.lifetime_minutes", "1440"),
    ("session.cookie_secure", "auto"),
    ("limits.api_per_minute", "600"),
    ("limits.auth_per_minute", "60"),
    ("limits.heavy_per_minute", "30"),
    ("limits.trusted_proxies", ""),
    ("limits.request_timeout_secs", "90"),
    ("jobs.enabled", "on"),
    ("jobs.poll_ms", "1000"),
    ("jobs.retries", "5"),
    ("jobs.retry_base_secs", "30"),
    ("smtp.host", ""),
    ("smtp.port", "587"),
    ("smtp.user", ""),
    ("smtp.from", "campaigns-admin@localhost"),
    ("smtp.starttls", "required"),
    ("demo.emulator_addr", "127.0.0.1:3100"),
    ("demo.emulator_url", ""),
    ("demo.profile", "standard"),
    ("demo.expiring_tokens", "false"),
    ("demo.list_stats", "false"),
    ("demo.rate_limit", "5000"),
];

/// Secrets: environment (or `<NAME>_FILE`) only.
pub(super) const SECRET_KEYS: &[&str] = &[
    "github.client_secret",
    "github.app_private_key",
    "smtp.password",
    "session.key",
];

/// Raw string values by key, after file and environment are merged.
pub(super) struct Sources {
    pub(super) values: BTreeMap<&'static str, String>,
    pub(super) secrets: BTreeMap<&'static str, String>,
}

impl Sources {
    pub(super) fn get(&self, key: &str) -> &str {
        self.values.get(key).map(String::as_str).unwrap_or_default()
    }

    pub(super) fn parse<T>(&self, key: &str, what: &str) -> Result<T, SettingsError>
    where
        T: std::str::FromStr,
    {
        let raw = self.get(key).trim();
        raw.parse()
            .map_err(|_| bad(key, format!("expected {what}, got `{raw}`")))
    }

    /// Defaults, then the file's values, then the environment's; and the secrets.
    pub(super) fn merge(
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
        Ok(Sources { values, secrets })
    }

    /// A positive whole number of `unit`s (`seconds`, `minutes`, `requests per minute`).
    pub(super) fn positive(&self, key: &str, unit: &str) -> Result<u64, SettingsError> {
        let n: u64 = self.parse(key, &format!("a whole number of {unit}"))?;
        if n == 0 {
            return Err(bad(key, "must be at least 1"));
        }
        Ok(n)
    }

    pub(super) fn seconds(&self, key: &str) -> Result<Duration, SettingsError> {
        self.positive(key, "seconds").map(Duration::from_secs)
    }

    pub(super) fn minutes(&self, key: &str) -> Result<Duration, SettingsError> {
        self.positive(key, "minutes")
            .map(|n| Duration::from_secs(n * 60))
    }

    /// One of a few words, each naming a value.
    pub(super) fn choice<T: Copy>(
        &self,
        key: &str,
        words: &[(&str, T)],
    ) -> Result<T, SettingsError> {
        let raw = self.get(key).trim();
        words
            .iter()
            .find(|(w, _)| *w == raw)
            .map(|(_, v)| *v)
            .ok_or_else(|| {
                let expected: Vec<String> = words.iter().map(|(w, _)| format!("`{w}`")).collect();
                let expected = match expected.split_last() {
                    Some((last, [])) => last.clone(),
                    Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
                    None => String::new(),
                };
                bad(key, format!("expected {expected}, got `{raw}`"))
            })
    }

    /// A list separated by commas or spaces.
    pub(super) fn list(&self, key: &str) -> Vec<&str> {
        self.get(key)
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .collect()
    }
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
