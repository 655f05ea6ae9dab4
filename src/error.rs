//! `AppError`: the one error type that crosses the wire between server functions and the UI.
//!
//! Every variant means something to a user. Internal causes are logged on the server with their
//! whole chain and never serialised toward the browser.

use serde::{Deserialize, Serialize};

/// A problem with one input field, as GitHub's 422 `errors[]` or our own validation reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The form field it concerns (`name`, `description`, `ends_at`, …), when known.
    pub field: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AppError {
    #[error("You are not signed in, or your GitHub sign-in has expired.")]
    NotSignedIn,
    #[error("{reason}")]
    Forbidden { reason: String },
    #[error("Not found.")]
    NotFound,
    #[error("{message}")]
    Invalid {
        message: String,
        errors: Vec<FieldError>,
    },
    #[error("GitHub's rate limit was reached. Try again in {}.", human_seconds(*retry_after_secs))]
    RateLimited { retry_after_secs: u64 },
    /// This app's own limit on requests from one session or network.
    #[error("Too many requests from this browser or network. Try again in {}.", human_seconds(*retry_after_secs))]
    TooManyRequests { retry_after_secs: u64 },
    #[error("GitHub could not be reached or did not answer properly. Try again in a moment.")]
    GitHubUnavailable,
    #[error("Something went wrong on our side. It has been logged.")]
    Internal,
    /// This app's own database cannot be reached; the instance heals when it is back.
    #[error("This app's database cannot be reached right now. Try again in a minute.")]
    StoreUnavailable,
    /// A request that could not be read as this server function's arguments (the caller's
    /// mistake, not the user's input).
    #[error("The request was malformed: {message}")]
    BadRequest { message: String },
    /// The browser could not reach this app's server, or the answer could not be read.
    #[error("The request could not be completed: {message}")]
    Transport { message: String },
}

impl AppError {
    /// A filter's refused values (from the address), each next to its field: a 422.
    pub fn filter_refused(errors: Vec<(&'static str, String)>) -> Self {
        AppError::Invalid {
            message: "Some fields need attention.".into(),
            errors: errors
                .into_iter()
                .map(|(field, message)| FieldError {
                    field: Some(field.into()),
                    message,
                })
                .collect(),
        }
    }

    /// One invalid field, with a message meant for the person who typed it.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        let message = message.into();
        AppError::Invalid {
            message: message.clone(),
            errors: vec![FieldError {
                field: Some(field.into()),
                message,
            }],
        }
    }

    /// The HTTP status this error renders with, during SSR and from server functions.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::NotSignedIn => 401,
            AppError::Forbidden { .. } => 403,
            AppError::NotFound => 404,
            AppError::BadRequest { .. } => 400,
            AppError::Invalid { .. } => 422,
            AppError::RateLimited { .. } | AppError::TooManyRequests { .. } => 429,
            AppError::GitHubUnavailable | AppError::StoreUnavailable => 503,
            AppError::Internal => 500,
            AppError::Transport { .. } => 502,
        }
    }

    /// A short title for an error page.
    pub fn title(&self) -> &'static str {
        match self {
            AppError::NotSignedIn => "Sign-in needed",
            AppError::Forbidden { .. } => "Not allowed",
            AppError::NotFound => "Page not found",
            AppError::Invalid { .. } => "Please check what you entered",
            AppError::BadRequest { .. } => "Bad request",
            AppError::RateLimited { .. } => "GitHub asks us to slow down",
            AppError::TooManyRequests { .. } => "Slow down",
            AppError::GitHubUnavailable => "GitHub is unavailable",
            AppError::Internal => "Something went wrong",
            AppError::StoreUnavailable => "Temporarily unavailable",
            AppError::Transport { .. } => "Connection problem",
        }
    }

    /// The message for a given field, if this is a validation error that names it.
    pub fn field_message(&self, field: &str) -> Option<String> {
        match self {
            AppError::Invalid { errors, .. } => errors
                .iter()
                .filter(|e| e.field.as_deref() == Some(field))
                .map(|e| e.message.clone())
                .reduce(|a, b| format!("{a} {b}")),
            _ => None,
        }
    }
}

/// "45 seconds", "3 minutes", "1 hour 5 minutes".
pub fn human_seconds(secs: u64) -> String {
    fn unit(n: u64, one: &str) -> String {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {one}s")
        }
    }
    match secs {
        0..=59 => unit(secs, "second"),
        60..=3599 => unit(secs.div_ceil(60), "minute"),
        _ => {
            let (h, m) = (secs / 3600, (secs % 3600).div_ceil(60));
            if m == 0 {
                unit(h, "hour")
            } else {
                format!("{} {}", unit(h, "hour"), unit(m, "minute"))
            }
        }
    }
}

impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        use leptos::server_fn::error::ServerFnErrorErr as E;
        match value {
            // Bad arguments are the caller's fault, and say which input was unreadable.
            E::Args(message) | E::MissingArg(message) => AppError::BadRequest { message },
            other => AppError::Transport {
                message: other.to_string(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_seconds_reads_naturally() {
        assert_eq!(human_seconds(1), "1 second");
        assert_eq!(human_seconds(45), "45 seconds");
        assert_eq!(human_seconds(61), "2 minutes");
        assert_eq!(human_seconds(3600), "1 hour");
        assert_eq!(human_seconds(3900), "1 hour 5 minutes");
    }

    #[test]
    fn field_message_joins_all_messages_for_that_field() {
        let err = AppError::Invalid {
            message: "Validation Failed".into(),
            errors: vec![
                FieldError {
                    field: Some("name".into()),
                    message: "is too long".into(),
                },
                FieldError {
                    field: Some("ends_at".into()),
                    message: "must be in the future".into(),
                },
                FieldError {
                    field: Some("name".into()),
                    message: "is taken".into(),
                },
            ],
        };
        assert_eq!(
            err.field_message("name").as_deref(),
            Some("is too long is taken")
        );
        assert_eq!(err.field_message("description"), None);
    }

    #[test]
    fn errors_round_trip_through_json_as_tagged_objects() {
        let err = AppError::RateLimited {
            retry_after_secs: 30,
        };
        let json = serde_json::to_string(&err).unwrap();
        assert_eq!(json, r#"{"kind":"rate_limited","retry_after_secs":30}"#);
        assert_eq!(serde_json::from_str::<AppError>(&json).unwrap(), err);
    }

    #[test]
    fn every_kind_of_error_crosses_the_wire() {
        // A tagged enum cannot carry a bare string: each variant must serialise (the server
        // would panic answering with one that does not).
        for err in [
            AppError::NotSignedIn,
            AppError::Forbidden { reason: "r".into() },
            AppError::NotFound,
            AppError::StoreUnavailable,
            AppError::invalid("name", "m"),
            AppError::BadRequest {
                message: "m".into(),
            },
            AppError::RateLimited {
                retry_after_secs: 1,
            },
            AppError::TooManyRequests {
                retry_after_secs: 1,
            },
            AppError::GitHubUnavailable,
            AppError::Internal,
            AppError::Transport {
                message: "m".into(),
            },
        ] {
            let json = serde_json::to_string(&err).expect("serialisable");
            assert_eq!(serde_json::from_str::<AppError>(&json).unwrap(), err);
        }
    }

    #[test]
    fn statuses_match_their_meaning() {
        assert_eq!(AppError::NotFound.status_code(), 404);
        assert_eq!(AppError::invalid("name", "x").status_code(), 422);
        assert_eq!(AppError::GitHubUnavailable.status_code(), 503);
    }
}
