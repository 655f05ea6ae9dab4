//! GitHub's error answers as `AppError`: a status, its headers and its body in words a person can
//! act on (which scope or role is missing, when to try again, which field GitHub refused).

use crate::error::{AppError, FieldError};
use reqwest::header::HeaderMap;
use reqwest::StatusCode;

#[derive(serde::Deserialize, Default)]
struct ErrorBody {
    #[serde(default)]
    message: String,
    #[serde(default)]
    errors: Vec<serde_json::Value>,
}

/// GitHub's error answers, mapped to what they mean for the person using the app.
pub fn map_error(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> AppError {
    let parsed: ErrorBody = serde_json::from_slice(body).unwrap_or_default();
    let message = parsed.message.trim().to_owned();
    let wait = || {
        header_u64(headers, "retry-after").unwrap_or_else(|| {
            let now = chrono::Utc::now().timestamp().max(0) as u64;
            header_u64(headers, "x-ratelimit-reset")
                .map(|reset| reset.saturating_sub(now).max(1))
                .unwrap_or(60)
        })
    };
    match status.as_u16() {
        401 => AppError::NotSignedIn,
        403 => {
            let exhausted =
                header_str(headers, "x-ratelimit-remaining").map(str::trim) == Some("0");
            let lower = message.to_ascii_lowercase();
            if exhausted || lower.contains("rate limit") || headers.contains_key("retry-after") {
                AppError::RateLimited {
                    retry_after_secs: wait(),
                }
            } else {
                AppError::Forbidden {
                    reason: forbidden_reason(headers, &message),
                }
            }
        }
        // Our request or its input was wrong: retrying will not help, so say what GitHub said.
        400 | 409 => AppError::Invalid {
            message: if message.is_empty() {
                format!("GitHub refused the request ({}).", status.as_u16())
            } else {
                format!("GitHub refused the request: {message}")
            },
            errors: parsed.errors.iter().map(field_error).collect(),
        },
        404 | 410 => AppError::NotFound,
        422 => AppError::Invalid {
            message: if message.is_empty() {
                "GitHub did not accept these values.".to_owned()
            } else {
                message
            },
            errors: parsed.errors.iter().map(field_error).collect(),
        },
        429 => AppError::RateLimited {
            retry_after_secs: wait(),
        },
        _ => AppError::GitHubUnavailable,
    }
}

/// The comma-separated scopes of header `name`.
fn scopes<'a>(headers: &'a HeaderMap, name: &str) -> Vec<&'a str> {
    header_str(headers, name)
        .map(|s| {
            s.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// A 403 in words: what GitHub said, and what is needed to get past it.
fn forbidden_reason(headers: &HeaderMap, message: &str) -> String {
    let granted = scopes(headers, "x-oauth-scopes");
    let accepted = scopes(headers, "x-accepted-oauth-scopes");
    let mut reason = String::new();
    if !message.is_empty() {
        reason.push_str(&format!("GitHub says: \u{201c}{message}\u{201d}. "));
    }
    let has_accepted_scope = accepted.is_empty() || accepted.iter().any(|a| granted.contains(a));
    if headers.contains_key("x-oauth-scopes") && !has_accepted_scope {
        reason.push_str(&format!(
            "Your sign-in was not granted the {} scope this needs (granted: {}). Sign out and sign in again, and approve the requested scopes.",
            accepted.join(" or "),
            if granted.is_empty() { "none".to_owned() } else { granted.join(", ") }
        ));
    } else {
        reason.push_str(
            "Security campaigns and organisation alerts need an organisation owner or security manager, and a sign-in with the security_events scope.",
        );
    }
    reason
}

/// One item of GitHub's `errors[]`: an object with `field`/`message`/`code`, or a bare string.
fn field_error(value: &serde_json::Value) -> FieldError {
    match value {
        serde_json::Value::String(s) => FieldError {
            field: None,
            message: s.clone(),
        },
        other => {
            let field = other
                .get("field")
                .and_then(|f| f.as_str())
                .map(str::to_owned);
            let message = other
                .get("message")
                .and_then(|m| m.as_str())
                .map(str::to_owned)
                .unwrap_or_else(|| {
                    let code = other
                        .get("code")
                        .and_then(|c| c.as_str())
                        .unwrap_or("invalid");
                    match &field {
                        Some(f) => format!("{f} is {}", code.replace('_', " ")),
                        None => code.replace('_', " "),
                    }
                });
            FieldError { field, message }
        }
    }
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name)?.to_str().ok()
}
