//! Fault injection and the request log. Tests switch faults on and off, in process or over HTTP:
//! `POST /_emulator/faults` (a `FaultRule` as JSON), `DELETE /_emulator/faults`, `GET /_emulator/requests`
//! (`DELETE` empties it).

use super::{json::error_body, Emulator, LoggedRequest};
use axum::{
    body::Body,
    extract::{Path, Request, State},
    http::{header, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// What a fault does to a matching request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultAction {
    /// Answer with this status and GitHub's error body for it. 429, and 403 with
    /// `secondary: true`, carry `retry-after`.
    Status {
        status: u16,
        #[serde(default)]
        retry_after: Option<u64>,
        #[serde(default)]
        secondary: bool,
    },
    /// Send the status line and headers, then break the connection mid-body.
    Drop,
    /// Answer 200 with a body that is not JSON.
    Malformed,
    /// Carry the request out, then hold the answer back for `latency_ms` (past the client's
    /// timeout, the change is made but its answer is lost).
    AnswerLate,
}

/// Which requests a fault applies to, how much latency it adds and what it does.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FaultRule {
    /// e.g. `POST`; any method when absent.
    #[serde(default)]
    pub method: Option<String>,
    /// A path prefix, e.g. `/orgs/acme-corp/campaigns`; any path when absent.
    #[serde(default)]
    pub path_prefix: Option<String>,
    #[serde(default)]
    pub latency_ms: u64,
    #[serde(default)]
    pub action: Option<FaultAction>,
    /// How many requests it applies to; forever when absent.
    #[serde(default)]
    pub times: Option<u32>,
}

impl FaultRule {
    /// Answers the next request under `path_prefix` (any method) with `status` and GitHub's
    /// error body for it.
    pub fn status_once(path_prefix: &str, status: u16) -> Self {
        FaultRule {
            path_prefix: Some(path_prefix.into()),
            action: Some(FaultAction::Status {
                status,
                retry_after: None,
                secondary: false,
            }),
            times: Some(1),
            ..Default::default()
        }
    }

    /// The same fault for requests with `method` only.
    pub fn for_method(self, method: &str) -> Self {
        FaultRule {
            method: Some(method.into()),
            ..self
        }
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self
                .path_prefix
                .as_deref()
                .is_none_or(|p| path.starts_with(p))
    }
}

/// A request to log once answered, or with status 0 when the client left before the answer.
struct Logging {
    em: Emulator,
    request: Option<LoggedRequest>,
}

impl Drop for Logging {
    fn drop(&mut self) {
        if let Some(request) = self.request.take() {
            self.em.record(request);
        }
    }
}

/// Applies the first matching fault, if any, and records the request with its answer's status.
pub async fn middleware(State(em): State<Emulator>, req: Request, next: Next) -> Response {
    let request = LoggedRequest {
        method: req.method().as_str().to_owned(),
        path: req.uri().path().to_owned(),
        query: req.uri().query().unwrap_or_default().to_owned(),
        authorized: req.headers().contains_key(header::AUTHORIZATION),
        status: 0,
    };
    let (method, path) = (request.method.clone(), request.path.clone());
    let mut logging = Logging {
        em: em.clone(),
        request: Some(request),
    };
    let res = answer(&em, &method, &path, req, next).await;
    if let Some(request) = logging.request.as_mut() {
        request.status = res.status().as_u16();
    }
    res
}

async fn answer(em: &Emulator, method: &str, path: &str, req: Request, next: Next) -> Response {
    let rule = {
        let mut faults = super::lock(&em.inner.faults);
        let found = faults.iter_mut().position(|f| f.matches(method, path));
        found.map(|i| {
            let rule = faults[i].clone();
            if let Some(times) = faults[i].times.as_mut() {
                *times = times.saturating_sub(1);
                if *times == 0 {
                    faults.remove(i);
                }
            }
            rule
        })
    };
    let Some(rule) = rule else {
        return next.run(req).await;
    };
    let latency = Duration::from_millis(rule.latency_ms);
    if rule.action == Some(FaultAction::AnswerLate) {
        // The change is made even when the client has stopped waiting for it.
        let res = tokio::spawn(next.run(req)).await;
        tokio::time::sleep(latency).await;
        return res.unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response());
    }
    tokio::time::sleep(latency).await;
    match rule.action {
        None | Some(FaultAction::AnswerLate) => next.run(req).await,
        Some(FaultAction::Status {
            status,
            retry_after,
            secondary,
        }) => status_fault(status, retry_after, secondary),
        Some(FaultAction::Drop) => {
            let body = Body::from_stream(futures_util::stream::once(async {
                Err::<bytes::Bytes, _>(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "fault injection: connection dropped",
                ))
            }));
            Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
                .body(body)
                .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
        Some(FaultAction::Malformed) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            "{\"message\": \"this body is cut o",
        )
            .into_response(),
    }
}

fn status_fault(status: u16, retry_after: Option<u64>, secondary: bool) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let message = match (status, secondary) {
        (403, true) | (429, _) => "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.",
        (500, _) => "Server Error",
        (502, _) => "Server Error",
        (503, _) => "Service Unavailable",
        _ => "Injected fault",
    };
    let body = error_body(
        status,
        message,
        "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits",
        vec![],
    );
    let mut res = (code, Json(body)).into_response();
    let retry = retry_after.or((status == 429 || secondary).then_some(60));
    if let Some(secs) = retry {
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    res
}

#[derive(Deserialize)]
struct BulkCampaigns {
    count: usize,
}

/// A token for a demo user, as if they had signed in (benchmarks call GitHub's side directly).
#[derive(Deserialize)]
struct TokenRequest {
    login: String,
    scopes: Vec<String>,
}

/// A new state for an alert (`POST /_emulator/repos/{owner}/{repo}/code-scanning/alerts/{n}`).
#[derive(Deserialize)]
struct AlertChange {
    /// `open`, `fixed` or `dismissed`.
    state: String,
    dismissed_reason: Option<String>,
    /// Logins to assign it to instead (an empty list: nobody); left as they are when absent.
    #[serde(default)]
    assignees: Option<Vec<String>>,
}

/// Markup payloads to plant in the `hostile-org` organisation (XSS tests).
#[derive(Deserialize)]
struct HostileText {
    payloads: Vec<String>,
}

pub fn control_routes() -> Router<Emulator> {
    Router::new()
        .route("/_emulator/faults", post(add_fault).delete(clear_faults))
        .route("/_emulator/requests", get(requests).delete(clear_requests))
        .route("/_emulator/avatars/{file}", get(avatar))
        .route("/_emulator/tokens", post(issue_token))
        .route(
            "/_emulator/repos/{owner}/{repo}/code-scanning/alerts/{number}",
            post(set_alert_state),
        )
        .route(
            "/_emulator/repos/{owner}/{repo}",
            axum::routing::delete(delete_repo),
        )
        .route(
            "/_emulator/orgs/{org}/installation",
            axum::routing::delete(remove_installation),
        )
        .route("/_emulator/hostile", post(plant_hostile_text))
        .route(
            "/_emulator/orgs/{org}/closed-campaigns",
            post(add_closed_campaigns),
        )
        .route("/_emulator/orgs/{org}/repositories", post(add_repositories))
}

/// More repositories for an org, each with open alerts (benchmarks of work over many of them).
#[derive(Deserialize)]
struct BulkRepositories {
    count: usize,
    open_alerts_each: usize,
}

async fn add_repositories(
    State(em): State<Emulator>,
    Path(org): Path<String>,
    Json(req): Json<BulkRepositories>,
) -> StatusCode {
    let mut w = em.world();
    let Some(i) = w.org_index(&org) else {
        return StatusCode::NOT_FOUND;
    };
    let now = chrono::Utc::now();
    let (count, each) = (req.count.min(500), req.open_alerts_each.min(100));
    super::seed::add_repositories(&mut w.orgs[i], count, each, now);
    StatusCode::NO_CONTENT
}

async fn add_fault(State(em): State<Emulator>, Json(rule): Json<FaultRule>) -> StatusCode {
    em.add_fault(rule);
    StatusCode::NO_CONTENT
}

async fn clear_faults(State(em): State<Emulator>) -> StatusCode {
    em.clear_faults();
    StatusCode::NO_CONTENT
}

async fn requests(State(em): State<Emulator>) -> Response {
    Json(em.requests()).into_response()
}

async fn clear_requests(State(em): State<Emulator>) -> StatusCode {
    em.clear_requests();
    StatusCode::NO_CONTENT
}

/// A token for `login` with `scopes`, without the OAuth dance (tests sign many users in).
async fn issue_token(State(em): State<Emulator>, Json(req): Json<TokenRequest>) -> Response {
    let scopes: Vec<&str> = req.scopes.iter().map(String::as_str).collect();
    match em.issue_token(&req.login, &scopes) {
        Some(token) => Json(serde_json::json!({ "token": token })).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Fixes, dismisses or reopens an alert, as work done on GitHub would.
async fn set_alert_state(
    State(em): State<Emulator>,
    Path((owner, repo, number)): Path<(String, String, i64)>,
    Json(req): Json<AlertChange>,
) -> StatusCode {
    let reason = req.dismissed_reason.as_deref();
    let assigned = match &req.assignees {
        Some(logins) => em.set_alert_assignees(&owner, &repo, number, logins),
        None => true,
    };
    if assigned && em.set_alert_state(&owner, &repo, number, &req.state, reason) {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::NOT_FOUND
    }
}

/// Uninstalls the demo App from an org, as an owner of it would on GitHub.
async fn remove_installation(State(em): State<Emulator>, Path(org): Path<String>) -> StatusCode {
    if em.remove_installation(&org) {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::NOT_FOUND
    }
}

/// Deletes a repository, as its owner would on GitHub.
async fn delete_repo(
    State(em): State<Emulator>,
    Path((owner, repo)): Path<(String, String)>,
) -> StatusCode {
    if em.delete_repo(&owner, &repo) {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::NOT_FOUND
    }
}

async fn plant_hostile_text(State(em): State<Emulator>, Json(req): Json<HostileText>) -> Response {
    Json(em.plant_hostile_text(&req.payloads)).into_response()
}

/// Adds up to 500 closed campaigns to `org` (GitHub keeps any number of those).
async fn add_closed_campaigns(
    State(em): State<Emulator>,
    Path(org): Path<String>,
    Json(req): Json<BulkCampaigns>,
) -> StatusCode {
    let mut w = em.world();
    let Some(i) = w.org_index(&org) else {
        return StatusCode::NOT_FOUND;
    };
    let now = chrono::Utc::now();
    super::seed::add_closed_campaigns(&mut w.orgs[i], req.count.min(500), now);
    StatusCode::NO_CONTENT
}

/// A small generated avatar, so demo mode shows faces without the network.
async fn avatar(Path(file): Path<String>) -> Response {
    let id: u64 = file.trim_end_matches(".svg").parse().unwrap_or_default();
    let hue = (id.wrapping_mul(47)) % 360;
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 40 40\"><rect width=\"40\" height=\"40\" fill=\"hsl({hue},55%,55%)\"/><circle cx=\"20\" cy=\"16\" r=\"7\" fill=\"#fff\"/><path d=\"M7 38c2-9 8-12 13-12s11 3 13 12z\" fill=\"#fff\"/></svg>"
    );
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        svg,
    )
        .into_response()
}
