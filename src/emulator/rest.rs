//! GitHub's REST operations with GitHub's semantics: authentication, per-org roles and scopes deciding
//! 403/404, campaign validation with 422 bodies, filtering, `Link` pagination, rate-limit headers, ETags.

use super::json::{self, error_body};
use super::world::*;
use super::Emulator;
use axum::{
    body::Bytes,
    extract::{Path, Query, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};
use std::collections::HashMap;

const RATE_LIMIT: u32 = 5_000;
const DOCS: &str = "https://docs.github.com/rest";
const CAMPAIGN_DOCS: &str = "https://docs.github.com/rest/campaigns/campaigns";
const MAX_OPEN_CAMPAIGNS: usize = 10;
const MAX_CAMPAIGN_ALERTS: usize = 1_000;

pub fn routes() -> Router<Emulator> {
    Router::new()
        .route("/user", get(get_user))
        .route("/user/orgs", get(list_user_orgs))
        .route("/orgs/{org}/members", get(list_members))
        .route("/orgs/{org}/teams", get(list_teams))
        .route(
            "/orgs/{org}/campaigns",
            get(list_campaigns).post(create_campaign),
        )
        .route(
            "/orgs/{org}/campaigns/{number}",
            get(get_campaign)
                .patch(update_campaign)
                .delete(delete_campaign),
        )
        .route("/orgs/{org}/code-scanning/alerts", get(list_alerts))
}

/// The authenticated caller of one request.
struct Caller {
    user_id: i64,
    scopes: Vec<String>,
    limit_headers: [(&'static str, String); 5],
}

/// The answer of a handler, before the common headers are added.
type Reply = Result<Response, Response>;

fn error(status: StatusCode, message: &str, docs: &str) -> Response {
    let body = error_body(status.as_u16(), message, docs, vec![]);
    (status, json_headers(), body.to_string()).into_response()
}

fn json_headers() -> [(header::HeaderName, HeaderValue); 1] {
    [(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    )]
}

fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "Not Found", DOCS)
}

fn validation_failed(errors: Vec<Value>, docs: &str) -> Response {
    let body = error_body(422, "Validation Failed", docs, errors);
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        json_headers(),
        body.to_string(),
    )
        .into_response()
}

fn field_error(field: &str, code: &str, message: impl Into<String>) -> Value {
    json!({ "resource": "Campaign", "field": field, "code": code, "message": message.into() })
}

impl Emulator {
    /// Checks the token and charges the per-token rate limit (5,000 an hour).
    fn authenticate(&self, headers: &HeaderMap) -> Result<Caller, Response> {
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
                    .or_else(|| v.strip_prefix("token "))
            })
            .map(str::trim);
        let Some(token) = token else {
            return Err(error(
                StatusCode::UNAUTHORIZED,
                "Requires authentication",
                DOCS,
            ));
        };
        let now = Utc::now();
        let mut w = self.world();
        let Some(t) = w.tokens.get_mut(token) else {
            return Err(error(StatusCode::UNAUTHORIZED, "Bad credentials", DOCS));
        };
        if t.expires_at.is_some_and(|e| e <= now) {
            return Err(error(StatusCode::UNAUTHORIZED, "Bad credentials", DOCS));
        }
        if t.window_reset <= now {
            t.window_reset = now + Duration::hours(1);
            t.used = 0;
        }
        let exhausted = t.used >= RATE_LIMIT;
        if !exhausted {
            t.used += 1;
        }
        let limit_headers = [
            ("x-ratelimit-limit", RATE_LIMIT.to_string()),
            (
                "x-ratelimit-remaining",
                RATE_LIMIT.saturating_sub(t.used).to_string(),
            ),
            ("x-ratelimit-used", t.used.to_string()),
            ("x-ratelimit-reset", t.window_reset.timestamp().to_string()),
            ("x-ratelimit-resource", "core".to_owned()),
        ];
        let caller = Caller {
            user_id: t.user_id,
            scopes: t.scopes.clone(),
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
            return with_etag(headers, res);
        }
        res
    }
}

fn add_headers(res: &mut Response, caller: &Caller, accepted_scopes: &str) {
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
fn with_etag(req_headers: &HeaderMap, res: Response) -> Response {
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

fn ok_json(body: &Value) -> Response {
    (StatusCode::OK, json_headers(), body.to_string()).into_response()
}

fn has_scope(caller: &Caller, scope: &str) -> bool {
    caller.scopes.iter().any(|s| {
        s == scope
            || (scope == "read:org" && (s == "admin:org" || s == "write:org"))
            || (scope == "security_events" && s == "repo")
    })
}

/// The org, if the caller can see it (members only; others get 404 as on GitHub).
fn visible_org(w: &World, caller: &Caller, login: &str) -> Result<(usize, Role), Response> {
    let idx = w.org_index(login).ok_or_else(not_found)?;
    let role = w.orgs[idx].role_of(caller.user_id).ok_or_else(not_found)?;
    Ok((idx, role))
}

/// Campaigns and org alerts: owner or security manager, with the `security_events` scope.
fn security_org(w: &World, caller: &Caller, login: &str) -> Result<usize, Response> {
    let (idx, role) = visible_org(w, caller, login)?;
    if !has_scope(caller, "security_events") {
        return Err(error(
            StatusCode::FORBIDDEN,
            "Resource not accessible by integration: this OAuth token lacks the security_events scope.",
            CAMPAIGN_DOCS,
        ));
    }
    if !role.can_manage_security() {
        return Err(error(
            StatusCode::FORBIDDEN,
            "You must be an organization owner or security manager to access this resource.",
            CAMPAIGN_DOCS,
        ));
    }
    Ok(idx)
}

// ---- paging -------------------------------------------------------------------------------

struct Paging {
    page: usize,
    per_page: usize,
}

fn paging(q: &HashMap<String, String>) -> Result<Paging, Response> {
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
fn page_url(base: &str, uri: &Uri, set: &[(&str, String)], drop: &[&str]) -> String {
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
fn page_of<T: Clone>(items: &[T], p: &Paging, base: &str, uri: &Uri) -> (Vec<T>, Option<String>) {
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

fn with_link(mut res: Response, link: Option<String>) -> Response {
    if let Some(v) = link.and_then(|l| HeaderValue::from_str(&l).ok()) {
        res.headers_mut().insert(header::LINK, v);
    }
    res
}

// ---- users and orgs ---------------------------------------------------------------------------

async fn get_user(State(em): State<Emulator>, method: Method, headers: HeaderMap) -> Response {
    let base = em.base().to_owned();
    em.respond(&method, &headers, "", |caller, w| {
        let user = w.user(caller.user_id).ok_or_else(not_found)?;
        Ok(ok_json(&json::private_user(&base, user)))
    })
}

async fn list_user_orgs(
    State(em): State<Emulator>,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let base = em.base().to_owned();
    em.respond(
        &method,
        &headers,
        "admin:org, read:org, user, write:org",
        |caller, w| {
            let p = paging(&q)?;
            // Without read:org (or user) GitHub lists only what the token may operate on: here, nothing.
            let visible = has_scope(caller, "read:org") || has_scope(caller, "user");
            let orgs: Vec<Value> = w
                .orgs
                .iter()
                .filter(|o| visible && o.role_of(caller.user_id).is_some())
                .map(|o| json::org_simple(&base, o))
                .collect();
            let (page, link) = page_of(&orgs, &p, &base, &uri);
            Ok(with_link(ok_json(&Value::Array(page)), link))
        },
    )
}

async fn list_members(
    State(em): State<Emulator>,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
    Path(org): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let base = em.base().to_owned();
    em.respond(&method, &headers, "", |caller, w| {
        let (idx, _) = visible_org(w, caller, &org)?;
        let p = paging(&q)?;
        let role_filter = q.get("role").map(String::as_str).unwrap_or("all");
        if !matches!(role_filter, "all" | "admin" | "member") {
            return Err(validation_failed(
                vec![json!({"resource": "Member", "field": "role", "code": "invalid"})],
                DOCS,
            ));
        }
        let o = &w.orgs[idx];
        let members: Vec<Value> = o
            .members
            .iter()
            .filter(|(_, r)| match role_filter {
                "admin" => *r == Role::Owner,
                "member" => *r != Role::Owner,
                _ => true,
            })
            .filter_map(|(id, _)| w.user(*id))
            .map(|u| json::simple_user(&base, u))
            .collect();
        let (page, link) = page_of(&members, &p, &base, &uri);
        Ok(with_link(ok_json(&Value::Array(page)), link))
    })
}

async fn list_teams(
    State(em): State<Emulator>,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
    Path(org): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let base = em.base().to_owned();
    em.respond(&method, &headers, "admin:org, read:org, write:org", |caller, w| {
        let (idx, _) = visible_org(w, caller, &org)?;
        if !has_scope(caller, "read:org") {
            return Err(error(StatusCode::FORBIDDEN, "Resource not accessible by integration: this OAuth token lacks the read:org scope.", DOCS));
        }
        let p = paging(&q)?;
        let o = &w.orgs[idx];
        let teams: Vec<Value> = o.teams.iter().map(|t| json::team(&base, o, t)).collect();
        let (page, link) = page_of(&teams, &p, &base, &uri);
        Ok(with_link(ok_json(&Value::Array(page)), link))
    })
}

// ---- campaigns ----------------------------------------------------------------------------

fn parse_number(raw: &str) -> Option<i64> {
    raw.parse::<i64>().ok().filter(|n| *n > 0)
}

async fn list_campaigns(
    State(em): State<Emulator>,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
    Path(org): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let base = em.base().to_owned();
    let list_stats = em.config().list_stats;
    em.respond(&method, &headers, "security_events", |caller, w| {
        let idx = security_org(w, caller, &org)?;
        let p = paging(&q)?;
        let invalid = |field: &str| {
            validation_failed(
                vec![json!({"resource": "Campaign", "field": field, "code": "invalid"})],
                CAMPAIGN_DOCS,
            )
        };
        let state = match q.get("state").map(String::as_str) {
            None => None,
            Some("open") => Some(true),
            Some("closed") => Some(false),
            Some(_) => return Err(invalid("state")),
        };
        let sort = q.get("sort").map(String::as_str).unwrap_or("created");
        let key: fn(&Campaign) -> DateTime<Utc> = match sort {
            "created" => |c| c.created_at,
            "updated" => |c| c.updated_at,
            "ends_at" => |c| c.ends_at,
            "published" => |c| c.published_at,
            _ => return Err(invalid("sort")),
        };
        let asc = match q.get("direction").map(String::as_str) {
            None | Some("desc") => false,
            Some("asc") => true,
            Some(_) => return Err(invalid("direction")),
        };
        let o = &w.orgs[idx];
        let mut list: Vec<&Campaign> = o
            .campaigns
            .iter()
            .filter(|c| state.is_none_or(|s| c.open == s))
            .collect();
        list.sort_by(|a, b| {
            let ord = key(a).cmp(&key(b)).then(a.number.cmp(&b.number));
            if asc {
                ord
            } else {
                ord.reverse()
            }
        });
        let (page, link) = page_of(&list, &p, &base, &uri);
        let body: Vec<Value> = page
            .iter()
            .map(|c| json::campaign(&base, w, o, c, list_stats))
            .collect();
        Ok(with_link(ok_json(&Value::Array(body)), link))
    })
}

async fn get_campaign(
    State(em): State<Emulator>,
    method: Method,
    headers: HeaderMap,
    Path((org, number)): Path<(String, String)>,
) -> Response {
    let base = em.base().to_owned();
    em.respond(&method, &headers, "security_events", |caller, w| {
        let idx = security_org(w, caller, &org)?;
        let n = parse_number(&number).ok_or_else(not_found)?;
        let o = &w.orgs[idx];
        let c = o
            .campaigns
            .iter()
            .find(|c| c.number == n)
            .ok_or_else(not_found)?;
        Ok(ok_json(&json::campaign(&base, w, o, c, true)))
    })
}

async fn delete_campaign(
    State(em): State<Emulator>,
    method: Method,
    headers: HeaderMap,
    Path((org, number)): Path<(String, String)>,
) -> Response {
    em.respond(&method, &headers, "security_events", |caller, w| {
        let idx = security_org(w, caller, &org)?;
        let n = parse_number(&number).ok_or_else(not_found)?;
        let o = &mut w.orgs[idx];
        let pos = o
            .campaigns
            .iter()
            .position(|c| c.number == n)
            .ok_or_else(not_found)?;
        o.campaigns.remove(pos);
        Ok(StatusCode::NO_CONTENT.into_response())
    })
}

/// The body as a JSON object, or GitHub's 400.
fn parse_body(body: &Bytes) -> Result<serde_json::Map<String, Value>, Response> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(error(
            StatusCode::BAD_REQUEST,
            "Problems parsing JSON",
            CAMPAIGN_DOCS,
        )),
    }
}

/// The fields shared by create and update, checked as GitHub checks them.
#[derive(Default)]
struct CampaignFields {
    name: Option<String>,
    description: Option<String>,
    managers: Option<Vec<i64>>,
    team_managers: Option<Vec<String>>,
    ends_at: Option<DateTime<Utc>>,
    contact_link: Option<Option<String>>,
    state: Option<bool>,
    alerts: Option<Vec<usize>>,
}

fn check_fields(
    w: &World,
    org: &Org,
    body: &serde_json::Map<String, Value>,
    allowed: &[&str],
    creating: bool,
    errors: &mut Vec<Value>,
) -> CampaignFields {
    let mut f = CampaignFields::default();
    for key in body.keys() {
        if !allowed.contains(&key.as_str()) {
            errors.push(json!({"resource": "Campaign", "field": key, "code": "unexpected_field", "message": format!("\"{key}\" is not a permitted key.")}));
        }
    }
    let text = |key: &str, max: usize, label: &str, errors: &mut Vec<Value>| -> Option<String> {
        match body.get(key)? {
            Value::String(s) if s.trim().is_empty() => {
                errors.push(field_error(
                    key,
                    "missing_field",
                    format!("{label} can't be blank"),
                ));
                None
            }
            Value::String(s) if s.chars().count() > max => {
                errors.push(field_error(
                    key,
                    "invalid",
                    format!("{label} is too long (maximum is {max} characters)"),
                ));
                None
            }
            Value::String(s) => Some(s.clone()),
            _ => {
                errors.push(field_error(
                    key,
                    "invalid",
                    format!("{label} must be a string"),
                ));
                None
            }
        }
    };
    f.name = text("name", 50, "Name", errors);
    f.description = text("description", 255, "Description", errors);
    if let Some(v) = body.get("ends_at") {
        match v
            .as_str()
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        {
            // GitHub wants a future date when a campaign is created; an update may keep (or
            // set) a past one, so an overdue campaign can be renamed without moving its date.
            Some(t) if t.with_timezone(&Utc) > Utc::now() || !creating => {
                f.ends_at = Some(t.with_timezone(&Utc))
            }
            Some(_) => errors.push(field_error(
                "ends_at",
                "invalid",
                "Ends at must be in the future",
            )),
            None => errors.push(field_error(
                "ends_at",
                "invalid",
                "Ends at must be an ISO 8601 date and time",
            )),
        }
    }
    if let Some(v) = body.get("managers") {
        f.managers = resolve_list(
            v,
            "managers",
            1,
            "Only a single manager can be supplied",
            "logins",
            errors,
            |login| {
                // GitHub takes only organization owners and security managers.
                let user = w
                    .user_by_login(login)
                    .filter(|u| org.role_of(u.id).is_some())
                    .ok_or_else(|| {
                        format!("Manager {login} is not a member of the organization")
                    })?;
                org.role_of(user.id)
                    .filter(|r| r.can_manage_security())
                    .map(|_| user.id)
                    .ok_or_else(|| {
                        format!("Manager {login} must be an organization owner or security manager")
                    })
            },
        );
    }
    if let Some(v) = body.get("team_managers") {
        f.team_managers = resolve_list(
            v,
            "team_managers",
            10,
            "At most 10 team managers can be supplied",
            "slugs",
            errors,
            |slug| {
                org.teams
                    .iter()
                    .find(|t| t.slug == slug)
                    .map(|t| t.slug.clone())
                    .ok_or_else(|| format!("Team {slug} does not exist in the organization"))
            },
        );
    }
    if let Some(v) = body.get("contact_link") {
        match v {
            Value::Null => f.contact_link = Some(None),
            Value::String(s) => match url::Url::parse(s) {
                Ok(u) if !u.cannot_be_a_base() || u.scheme() == "mailto" => {
                    f.contact_link = Some(Some(s.clone()))
                }
                _ => errors.push(field_error(
                    "contact_link",
                    "invalid",
                    "Contact link must be a valid URI",
                )),
            },
            _ => errors.push(field_error(
                "contact_link",
                "invalid",
                "Contact link must be a valid URI",
            )),
        }
    }
    if let Some(v) = body.get("state") {
        match v.as_str() {
            Some("open") => f.state = Some(true),
            Some("closed") => f.state = Some(false),
            _ => errors.push(field_error(
                "state",
                "invalid",
                "State must be open or closed",
            )),
        }
    }
    if let Some(v) = body.get("code_scanning_alerts") {
        f.alerts = check_alerts(org, v, errors);
    }
    f
}

/// An array of strings of at most `max` items, each resolved (a login to a user id, a slug to a
/// team); every problem becomes a field error.
fn resolve_list<T>(
    v: &Value,
    field: &str,
    max: usize,
    too_many: &str,
    what: &str,
    errors: &mut Vec<Value>,
    resolve: impl Fn(&str) -> Result<T, String>,
) -> Option<Vec<T>> {
    let Some(list) = v.as_array() else {
        errors.push(field_error(
            field,
            "invalid",
            format!("{field} must be an array of {what}"),
        ));
        return None;
    };
    if list.len() > max {
        errors.push(field_error(field, "invalid", too_many));
        return None;
    }
    let mut out = Vec::new();
    for item in list {
        match resolve(item.as_str().unwrap_or("?")) {
            Ok(x) => out.push(x),
            Err(message) => errors.push(field_error(field, "invalid", message)),
        }
    }
    Some(out)
}

fn check_alerts(org: &Org, v: &Value, errors: &mut Vec<Value>) -> Option<Vec<usize>> {
    let field = "code_scanning_alerts";
    let Some(groups) = v.as_array().filter(|g| !g.is_empty()) else {
        errors.push(field_error(
            field,
            "invalid",
            "At least one alert must be included",
        ));
        return None;
    };
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for g in groups {
        let repo_id = g.get("repository_id").and_then(Value::as_i64);
        let numbers = g
            .get("alert_numbers")
            .and_then(Value::as_array)
            .filter(|a| !a.is_empty());
        let (Some(repo_id), Some(numbers)) = (repo_id, numbers) else {
            errors.push(field_error(
                field,
                "invalid",
                "Each entry needs a repository_id and at least one alert number",
            ));
            return None;
        };
        if !org.repos.iter().any(|r| r.id == repo_id) {
            errors.push(field_error(
                field,
                "invalid",
                format!("Repository {repo_id} does not belong to the organization"),
            ));
            continue;
        }
        for n in numbers {
            match n.as_i64().and_then(|n| org.alert_index(repo_id, n)) {
                Some(i) => found.push(i),
                None => missing.push(format!("{repo_id}#{n}")),
            }
        }
    }
    if !missing.is_empty() {
        let shown: Vec<_> = missing.iter().take(5).cloned().collect();
        errors.push(field_error(
            field,
            "invalid",
            format!(
                "{} alert(s) were not found: {}",
                missing.len(),
                shown.join(", ")
            ),
        ));
    }
    found.sort_unstable();
    found.dedup();
    if found.len() > MAX_CAMPAIGN_ALERTS {
        errors.push(field_error(
            field,
            "invalid",
            format!(
                "A campaign can include at most {MAX_CAMPAIGN_ALERTS} alerts ({} given)",
                found.len()
            ),
        ));
    }
    Some(found)
}

async fn create_campaign(
    State(em): State<Emulator>,
    method: Method,
    headers: HeaderMap,
    Path(org): Path<String>,
    body: Bytes,
) -> Response {
    let base = em.base().to_owned();
    em.respond(&method, &headers, "security_events", |caller, w| {
        let idx = security_org(w, caller, &org)?;
        let body = parse_body(&body)?;
        let mut errors = Vec::new();
        let allowed = ["name", "description", "managers", "team_managers", "ends_at", "contact_link", "code_scanning_alerts", "generate_issues"];
        let f = check_fields(w, &w.orgs[idx], &body, &allowed, true, &mut errors);
        for (key, label) in [("name", "Name"), ("description", "Description"), ("ends_at", "Ends at")] {
            if !body.contains_key(key) {
                errors.push(field_error(key, "missing_field", format!("{label} can't be blank")));
            }
        }
        if !body.contains_key("code_scanning_alerts") {
            errors.push(field_error("code_scanning_alerts", "missing_field", "At least one alert must be included"));
        }
        if body.get("generate_issues").is_some_and(|v| !v.is_boolean()) {
            errors.push(field_error("generate_issues", "invalid", "Generate issues must be true or false"));
        }
        if w.orgs[idx].open_campaigns() >= MAX_OPEN_CAMPAIGNS {
            errors.push(json!({"resource": "Campaign", "code": "custom", "message": format!("The organization already has {MAX_OPEN_CAMPAIGNS} open campaigns, the maximum. Close one first.")}));
        }
        if !errors.is_empty() {
            return Err(validation_failed(errors, CAMPAIGN_DOCS));
        }
        let now = Utc::now();
        let o = &mut w.orgs[idx];
        let number = o.next_campaign_number;
        o.next_campaign_number += 1;
        o.campaigns.push(Campaign {
            number,
            name: f.name.unwrap_or_default(),
            description: f.description.unwrap_or_default(),
            managers: f.managers.unwrap_or_default(),
            team_managers: f.team_managers.unwrap_or_default(),
            created_at: now,
            updated_at: now,
            published_at: now,
            ends_at: f.ends_at.unwrap_or(now),
            closed_at: None,
            open: true,
            contact_link: f.contact_link.flatten(),
            alerts: f.alerts.unwrap_or_default(),
        });
        let o = &w.orgs[idx];
        let c = o.campaigns.last().ok_or_else(not_found)?;
        // The official description documents 200 for a successful create.
        Ok(ok_json(&json::campaign(&base, w, o, c, true)))
    })
}

async fn update_campaign(
    State(em): State<Emulator>,
    method: Method,
    headers: HeaderMap,
    Path((org, number)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let base = em.base().to_owned();
    em.respond(&method, &headers, "security_events", |caller, w| {
        let idx = security_org(w, caller, &org)?;
        let n = parse_number(&number).ok_or_else(not_found)?;
        let pos = w.orgs[idx].campaigns.iter().position(|c| c.number == n).ok_or_else(not_found)?;
        let body = parse_body(&body)?;
        let mut errors = Vec::new();
        let allowed = ["name", "description", "managers", "team_managers", "ends_at", "contact_link", "state"];
        let f = check_fields(w, &w.orgs[idx], &body, &allowed, false, &mut errors);
        let reopening = f.state == Some(true) && !w.orgs[idx].campaigns[pos].open;
        if reopening && w.orgs[idx].open_campaigns() >= MAX_OPEN_CAMPAIGNS {
            errors.push(field_error("state", "custom", format!("The organization already has {MAX_OPEN_CAMPAIGNS} open campaigns, the maximum. Close one first.")));
        }
        if !errors.is_empty() {
            return Err(validation_failed(errors, CAMPAIGN_DOCS));
        }
        let now = Utc::now();
        let c = &mut w.orgs[idx].campaigns[pos];
        if let Some(v) = f.name { c.name = v; }
        if let Some(v) = f.description { c.description = v; }
        if let Some(v) = f.managers { c.managers = v; }
        if let Some(v) = f.team_managers { c.team_managers = v; }
        if let Some(v) = f.ends_at { c.ends_at = v; }
        if let Some(v) = f.contact_link { c.contact_link = v; }
        if let Some(open) = f.state {
            if open != c.open {
                c.open = open;
                c.closed_at = (!open).then_some(now);
            }
        }
        c.updated_at = now;
        let o = &w.orgs[idx];
        Ok(ok_json(&json::campaign(&base, w, o, &o.campaigns[pos], true)))
    })
}

// ---- code scanning ------------------------------------------------------------------------

fn cursor(offset: usize) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("offset:{offset}"))
}

fn parse_cursor(raw: &str) -> Option<usize> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(raw)
        .ok()?;
    String::from_utf8(bytes)
        .ok()?
        .strip_prefix("offset:")?
        .parse()
        .ok()
}

async fn list_alerts(
    State(em): State<Emulator>,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
    Path(org): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let base = em.base().to_owned();
    em.respond(&method, &headers, "security_events", |caller, w| {
        let idx = security_org(w, caller, &org)?;
        let p = paging(&q)?;
        let invalid = |field: &str| {
            validation_failed(
                vec![json!({"resource": "CodeScanningAlert", "field": field, "code": "invalid"})],
                DOCS,
            )
        };
        let states: Option<&[AlertState]> = match q.get("state").map(String::as_str) {
            None => None,
            Some("open") => Some(&[AlertState::Open]),
            Some("closed") => Some(&[AlertState::Fixed, AlertState::Dismissed]),
            Some("dismissed") => Some(&[AlertState::Dismissed]),
            Some("fixed") => Some(&[AlertState::Fixed]),
            Some(_) => return Err(invalid("state")),
        };
        let severity = q.get("severity").map(String::as_str);
        if severity.is_some_and(|s| {
            !matches!(
                s,
                "critical" | "high" | "medium" | "low" | "warning" | "note" | "error"
            )
        }) {
            return Err(invalid("severity"));
        }
        let tool_name = q.get("tool_name").map(String::as_str);
        let tool_guid = q.get("tool_guid").map(String::as_str);
        let by_updated = match q.get("sort").map(String::as_str) {
            None | Some("created") => false,
            Some("updated") => true,
            Some(_) => return Err(invalid("sort")),
        };
        let asc = match q.get("direction").map(String::as_str) {
            None | Some("desc") => false,
            Some("asc") => true,
            Some(_) => return Err(invalid("direction")),
        };
        let o = &w.orgs[idx];
        let mut list: Vec<&Alert> = o
            .alerts
            .iter()
            .filter(|a| states.is_none_or(|s| s.contains(&a.state)))
            .filter(|a| {
                let rule = &w.rules[a.rule];
                let tool = &w.tools[rule.tool];
                severity.is_none_or(|s| {
                    rule.security_severity == Some(s)
                        || (rule.security_severity.is_none() && rule.severity == s)
                }) && tool_name.is_none_or(|t| tool.name == t)
                    && tool_guid.is_none_or(|g| tool.guid == Some(g))
            })
            .collect();
        list.sort_by(|a, b| {
            let key = |x: &Alert| {
                if by_updated {
                    x.updated_at
                } else {
                    x.created_at
                }
            };
            let ord = key(a)
                .cmp(&key(b))
                .then(a.repo.cmp(&b.repo))
                .then(a.number.cmp(&b.number));
            if asc {
                ord
            } else {
                ord.reverse()
            }
        });

        let (page, link): (Vec<&Alert>, Option<String>) = match (q.get("before"), q.get("after")) {
            (None, None) => page_of(&list, &p, &base, &uri),
            (before, after) => {
                let bad_cursor = || invalid(if before.is_some() { "before" } else { "after" });
                let (start, end) = match (before, after) {
                    (_, Some(a)) => {
                        let s = parse_cursor(a).ok_or_else(bad_cursor)?.min(list.len());
                        (s, (s + p.per_page).min(list.len()))
                    }
                    (Some(b), None) => {
                        let e = parse_cursor(b).ok_or_else(bad_cursor)?.min(list.len());
                        (e.saturating_sub(p.per_page), e)
                    }
                    (None, None) => (0, 0),
                };
                let mut links = Vec::new();
                if end < list.len() {
                    links.push(format!(
                        "<{}>; rel=\"next\"",
                        page_url(&base, &uri, &[("after", cursor(end))], &["before", "page"])
                    ));
                }
                if start > 0 {
                    links.push(format!(
                        "<{}>; rel=\"prev\"",
                        page_url(
                            &base,
                            &uri,
                            &[("before", cursor(start))],
                            &["after", "page"]
                        )
                    ));
                }
                (
                    list[start..end].to_vec(),
                    (!links.is_empty()).then(|| links.join(", ")),
                )
            }
        };
        let owner = json::org_as_owner(&base, o);
        let mut repo_cache: HashMap<usize, Value> = HashMap::new();
        let body: Vec<Value> = page
            .iter()
            .map(|a| {
                let repo = repo_cache
                    .entry(a.repo)
                    .or_insert_with(|| json::simple_repo(&base, o, &o.repos[a.repo], &owner));
                json::alert(&base, w, o, a, repo)
            })
            .collect();
        Ok(with_link(ok_json(&Value::Array(body)), link))
    })
}
