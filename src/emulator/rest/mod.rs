//! GitHub's REST operations with GitHub's semantics: authentication, per-org roles and scopes deciding
//! 403/404, campaign validation with 422 bodies, filtering, `Link` pagination, rate-limit headers, ETags.

mod alerts;
mod apps;
mod campaigns;
mod orgs;

use super::json::error_body;
use super::world::*;
use super::Emulator;
use axum::{
    extract::{FromRequestParts, Query},
    http::{header, request::Parts, HeaderMap, HeaderValue, Method, StatusCode, Uri},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use chrono::{Duration, Utc};
use serde_json::{json, Value};
use std::collections::HashMap;

pub(super) const DOCS: &str = "https://docs.github.com/rest";
pub(super) const CAMPAIGN_DOCS: &str = "https://docs.github.com/rest/campaigns/campaigns";

pub fn routes() -> Router<Emulator> {
    Router::new()
        .route("/user", get(orgs::get_user))
        .route("/user/orgs", get(orgs::list_user_orgs))
        .route("/orgs/{org}/members", get(orgs::list_members))
        .route("/orgs/{org}/teams", get(orgs::list_teams))
        .route(
            "/orgs/{org}/campaigns",
            get(campaigns::list_campaigns).post(campaigns::create_campaign),
        )
        .route(
            "/orgs/{org}/campaigns/{number}",
            get(campaigns::get_campaign)
                .patch(campaigns::update_campaign)
                .delete(campaigns::delete_campaign),
        )
        .route("/orgs/{org}/code-scanning/alerts", get(alerts::list_alerts))
        .route("/orgs/{org}/repos", get(orgs::list_repos))
        .route("/orgs/{org}/installation", get(apps::get_org_installation))
        .route("/app/installations", get(apps::list_installations))
        .route(
            "/app/installations/{installation_id}/access_tokens",
            axum::routing::post(apps::create_installation_token),
        )
        .route(
            "/repos/{owner}/{repo}/code-scanning/alerts",
            get(alerts::list_repo_alerts),
        )
        .route(
            "/repos/{owner}/{repo}/code-scanning/alerts/{number}",
            axum::routing::patch(alerts::update_alert),
        )
}

/// The authenticated caller of one request: a user's token, or an App installation's.
pub(super) struct Caller {
    /// The user; for an installation, its id negated (a bot is nobody's member).
    pub(super) user_id: i64,
    pub(super) scopes: Vec<String>,
    /// Set when an installation token authenticated the request.
    pub(super) installation: Option<Installation>,
    limit_headers: [(&'static str, String); 5],
}

/// The answer of a handler, before the common headers are added.
pub(super) type Reply = Result<Response, Response>;

pub(super) fn error(status: StatusCode, message: &str, docs: &str) -> Response {
    let body = error_body(status.as_u16(), message, docs, vec![]);
    (status, json_headers(), body.to_string()).into_response()
}

pub(super) fn json_headers() -> [(header::HeaderName, HeaderValue); 1] {
    [(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    )]
}

pub(super) fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "Not Found", DOCS)
}

pub(super) fn validation_failed(errors: Vec<Value>, docs: &str) -> Response {
    let body = error_body(422, "Validation Failed", docs, errors);
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        json_headers(),
        body.to_string(),
    )
        .into_response()
}

pub(super) fn field_error(field: &str, code: &str, message: impl Into<String>) -> Value {
    json!({ "resource": "Campaign", "field": field, "code": code, "message": message.into() })
}

impl Emulator {
    /// Checks the token and charges its user's rate limit (`rate_limit` an hour, GitHub's 5,000
    /// by default), which all of the user's tokens share.
    fn authenticate(&self, headers: &HeaderMap) -> Result<Caller, Response> {
        let Some(token) = bearer(headers) else {
            return Err(error(
                StatusCode::UNAUTHORIZED,
                "Requires authentication",
                DOCS,
            ));
        };
        let now = Utc::now();
        let limit = self.config().rate_limit;
        let mut w = self.world();
        let bad_credentials = || error(StatusCode::UNAUTHORIZED, "Bad credentials", DOCS);
        let (user_id, scopes, installation) = match (w.tokens.get(token), token.starts_with("ghs_"))
        {
            (Some(t), _) if t.expires_at.is_none_or(|e| e > now) => {
                (t.user_id, t.scopes.clone(), None)
            }
            (None, true) => {
                // An installation token: good for an hour, and only while the App stays installed.
                let installation = (w.installation_tokens.get(token))
                    .filter(|t| t.expires_at > now)
                    .and_then(|t| w.installations.iter().find(|i| i.id == t.installation_id))
                    .cloned()
                    .ok_or_else(bad_credentials)?;
                (-installation.id, Vec::new(), Some(installation))
            }
            _ => return Err(bad_credentials()),
        };
        let usage = w.usage.entry(user_id).or_insert(Usage {
            window_reset: now + Duration::hours(1),
            used: 0,
        });
        if usage.window_reset <= now {
            *usage = Usage {
                window_reset: now + Duration::hours(1),
                used: 0,
            };
        }
        let exhausted = usage.used >= limit;
        if !exhausted {
            usage.used += 1;
        }
        let limit_headers = [
            ("x-ratelimit-limit", limit.to_string()),
            (
                "x-ratelimit-remaining",
                limit.saturating_sub(usage.used).to_string(),
            ),
            ("x-ratelimit-used", usage.used.to_string()),
            (
                "x-ratelimit-reset",
                usage.window_reset.timestamp().to_string(),
            ),
            ("x-ratelimit-resource", "core".to_owned()),
        ];
        let caller = Caller {
            user_id,
            scopes,
            installation,
            limit_headers,
        };
        if exhausted {
            let msg = format!("API rate limit exceeded for user ID {}.", caller.user_id);
            let mut res = error(
                StatusCode::FORBIDDEN,
                &msg,
                "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting",
            );
            add_headers(&mut res, &caller, "");
            return Err(res);
        }
        Ok(caller)
    }

    /// Wraps a handler: authentication, the common headers, and `ETag`/`If-None-Match` for GETs.
    fn respond(
        &self,
        method: &Method,
        headers: &HeaderMap,
        accepted_scopes: &str,
        handler: impl FnOnce(&Caller, &mut World) -> Reply,
    ) -> Response {
        let caller = match self.authenticate(headers) {
            Ok(c) => c,
            Err(res) => return res,
        };
        let result = {
            let mut w = self.world();
            handler(&caller, &mut w)
        };
        let mut res = result.unwrap_or_else(|e| e);
        add_headers(&mut res, &caller, accepted_scopes);
        if method == Method::GET && res.status() == StatusCode::OK {
            let res = with_etag(headers, res);
            if res.status() == StatusCode::NOT_MODIFIED {
                // GitHub: a 304 to an authorised conditional request costs no rate limit.
                self.refund(headers);
            }
            return res;
        }
        res
    }

    /// Gives back the request that `authenticate` charged to the token in `headers`.
    fn refund(&self, headers: &HeaderMap) {
        let Some(token) = bearer(headers) else { return };
        let mut w = self.world();
        let installation = (w.installation_tokens.get(token)).map(|t| -t.installation_id);
        let Some(user) = (w.tokens.get(token).map(|t| t.user_id)).or(installation) else {
            return;
        };
        if let Some(usage) = w.usage.get_mut(&user) {
            usage.used = usage.used.saturating_sub(1);
        }
    }

    /// The requests charged to `token`'s user in the current rate-limit window (for tests).
    pub fn rate_limit_used(&self, token: &str) -> u32 {
        let w = self.world();
        let user = w.tokens.get(token).map(|t| t.user_id);
        user.and_then(|u| w.usage.get(&u)).map_or(0, |u| u.used)
    }
}

/// The token after `Bearer ` (or `token `).
pub(super) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
                .or_else(|| v.strip_prefix("token "))
        })
        .map(str::trim)
}

pub(super) fn add_headers(res: &mut Response, caller: &Caller, accepted_scopes: &str) {
    let h = res.headers_mut();
    for (name, value) in &caller.limit_headers {
        if let Ok(v) = HeaderValue::from_str(value) {
            h.insert(*name, v);
        }
    }
    if let Ok(v) = HeaderValue::from_str(&caller.scopes.join(", ")) {
        h.insert("x-oauth-scopes", v);
    }
    if let Ok(v) = HeaderValue::from_str(accepted_scopes) {
        h.insert("x-accepted-oauth-scopes", v);
    }
    h.insert(
        "x-github-api-version-selected",
        HeaderValue::from_static("2022-11-28"),
    );
    h.insert(
        "x-github-media-type",
        HeaderValue::from_static("github.v3; format=json"),
    );
    let id = format!(
        "{:08X}:{:04X}",
        rand::random::<u32>(),
        rand::random::<u16>()
    );
    if let Ok(v) = HeaderValue::from_str(&id) {
        h.insert("x-github-request-id", v);
    }
}

/// A weak ETag over the body; a matching `If-None-Match` gets 304 with no body.
pub(super) fn with_etag(req_headers: &HeaderMap, res: Response) -> Response {
    use sha2::{Digest, Sha256};
    let (mut parts, body) = res.into_parts();
    // Handlers build bodies as strings; collecting is immediate.
    let bytes = match futures_util::FutureExt::now_or_never(axum::body::to_bytes(body, usize::MAX))
    {
        Some(Ok(b)) => b,
        _ => return (StatusCode::INTERNAL_SERVER_ERROR, "body").into_response(),
    };
    let digest = Sha256::digest(&bytes);
    let etag = format!(
        "W/\"{}\"",
        digest
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let matches = req_headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        parts.headers.insert(header::ETAG, v);
    }
    parts.headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=60, s-maxage=60"),
    );
    parts.headers.insert(
        header::VARY,
        HeaderValue::from_static("Accept, Authorization, Cookie, X-GitHub-OTP"),
    );
    if matches {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_TYPE);
        return Response::from_parts(parts, axum::body::Body::empty());
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

pub(super) fn ok_json(body: &Value) -> Response {
    (StatusCode::OK, json_headers(), body.to_string()).into_response()
}

pub(super) fn has_scope(caller: &Caller, scope: &str) -> bool {
    caller.scopes.iter().any(|s| {
        s == scope
            || (scope == "read:org" && (s == "admin:org" || s == "write:org"))
            || (scope == "security_events" && s == "repo")
    })
}

/// The org, if the caller can see it (members only; others get 404 as on GitHub). An
/// installation sees its own org, and only with `permission` (read); a bot has no role there.
pub(super) fn visible_org(
    w: &World,
    caller: &Caller,
    login: &str,
    permission: &str,
) -> Result<(usize, Role), Response> {
    let idx = w.org_index(login).ok_or_else(not_found)?;
    if let Some(installation) = &caller.installation {
        installed_on(w, installation, idx, permission, "read")?;
        return Ok((idx, Role::Member));
    }
    let role = w.orgs[idx].role_of(caller.user_id).ok_or_else(not_found)?;
    Ok((idx, role))
}

/// What an installation token may do in org `idx`: only its own org (else 404), only with the
/// permission granted (else GitHub's 403 for integrations).
fn installed_on(
    w: &World,
    installation: &Installation,
    idx: usize,
    permission: &str,
    access: &str,
) -> Result<(), Response> {
    if w.orgs[idx].id != installation.org_id {
        return Err(not_found());
    }
    if !installation.allows(permission, access) {
        return Err(error(
            StatusCode::FORBIDDEN,
            "Resource not accessible by integration",
            DOCS,
        ));
    }
    Ok(())
}

/// What a request to the campaign and alert operations asks: which of the App permissions an
/// installation needs for it (a user needs the role and the `security_events` scope for all).
#[derive(Clone, Copy)]
pub(super) enum Need {
    ReadCampaigns,
    WriteCampaigns,
    ReadAlerts,
    WriteAlerts,
}

/// Campaigns and org alerts: owner or security manager (anyone else gets 404), with the
/// `security_events` scope; or an installation on the org with the permission `need` names.
pub(super) fn security_org(
    w: &World,
    caller: &Caller,
    login: &str,
    need: Need,
) -> Result<usize, Response> {
    if let Some(installation) = &caller.installation {
        let idx = w.org_index(login).ok_or_else(not_found)?;
        let (permission, access) = match need {
            Need::ReadCampaigns => ("organization_campaigns", "read"),
            Need::WriteCampaigns => ("organization_campaigns", "write"),
            Need::ReadAlerts => ("security_events", "read"),
            Need::WriteAlerts => ("security_events", "write"),
        };
        installed_on(w, installation, idx, permission, access)?;
        return Ok(idx);
    }
    let (idx, role) = visible_org(w, caller, login, "members")?;
    if !has_scope(caller, "security_events") {
        return Err(error(
            StatusCode::FORBIDDEN,
            "Resource not accessible by integration: this OAuth token lacks the security_events scope.",
            CAMPAIGN_DOCS,
        ));
    }
    // GitHub's description of these operations lists 200/404/503 only: a member without the
    // role is told nothing more than a stranger.
    if !role.can_manage_security() {
        return Err(not_found());
    }
    Ok(idx)
}

// ---- paging -------------------------------------------------------------------------------

pub(super) struct Paging {
    pub(super) page: usize,
    pub(super) per_page: usize,
}

pub(super) fn paging(q: &HashMap<String, String>) -> Result<Paging, Response> {
    let num = |k: &str, default: usize| -> Result<usize, Response> {
        match q.get(k) {
            None => Ok(default),
            Some(v) => v.parse::<usize>().map_err(|_| {
                validation_failed(
                    vec![json!({ "resource": "Search", "field": k, "code": "invalid" })],
                    DOCS,
                )
            }),
        }
    };
    Ok(Paging {
        page: num("page", 1)?.max(1),
        per_page: num("per_page", 30)?.clamp(1, 100),
    })
}

/// `uri` with its `page` (or cursor) parameter replaced, as an absolute URL.
pub(super) fn page_url(base: &str, uri: &Uri, set: &[(&str, String)], drop: &[&str]) -> String {
    let mut pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .into_owned()
            .filter(|(k, _)| !set.iter().any(|(s, _)| s == k) && !drop.contains(&k.as_str()))
            .collect();
    pairs.extend(set.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("{base}{}?{query}", uri.path())
}

/// Slices one page and builds GitHub's `Link` header (prev, next, last, first).
pub(super) fn page_of<T: Clone>(
    items: &[T],
    p: &Paging,
    base: &str,
    uri: &Uri,
) -> (Vec<T>, Option<String>) {
    let total = items.len();
    let last = total.div_ceil(p.per_page).max(1);
    let start = (p.page - 1).saturating_mul(p.per_page).min(total);
    let end = (start + p.per_page).min(total);
    let mut links = Vec::new();
    let link = |n: usize, rel: &str| {
        format!(
            "<{}>; rel=\"{rel}\"",
            page_url(base, uri, &[("page", n.to_string())], &[])
        )
    };
    if p.page > 1 {
        links.push(link((p.page - 1).min(last), "prev"));
    }
    if p.page < last {
        links.push(link(p.page + 1, "next"));
        links.push(link(last, "last"));
    }
    if p.page > 1 {
        links.push(link(1, "first"));
    }
    let header = (!links.is_empty()).then(|| links.join(", "));
    (items[start..end].to_vec(), header)
}

pub(super) fn with_link(mut res: Response, link: Option<String>) -> Response {
    if let Some(v) = link.and_then(|l| HeaderValue::from_str(&l).ok()) {
        res.headers_mut().insert(header::LINK, v);
    }
    res
}

/// One request as every handler reads it: the emulator, and the request's method, headers,
/// address and query. (Path parameters differ per route; handlers take them beside it.)
pub(super) struct Call {
    pub(super) em: Emulator,
    method: Method,
    headers: HeaderMap,
    pub(super) uri: Uri,
    pub(super) query: HashMap<String, String>,
}

impl FromRequestParts<Emulator> for Call {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, em: &Emulator) -> Result<Self, Response> {
        let Query(query) = Query::<HashMap<String, String>>::from_request_parts(parts, em)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Call {
            em: em.clone(),
            method: parts.method.clone(),
            headers: parts.headers.clone(),
            uri: parts.uri.clone(),
            query,
        })
    }
}

impl Call {
    /// Runs `handler` as `Emulator::respond` does: authenticated, with the common headers.
    pub(super) fn respond(
        &self,
        accepted_scopes: &str,
        handler: impl FnOnce(&Caller, &mut World) -> Reply,
    ) -> Response {
        self.em
            .respond(&self.method, &self.headers, accepted_scopes, handler)
    }
}
