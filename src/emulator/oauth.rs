//! GitHub's OAuth web flow: the consent page, the code-for-token exchange (with PKCE S256 and
//! optional expiring, rotating tokens) and revocation.

use super::world::*;
use super::Emulator;
use axum::{
    body::Bytes,
    extract::{Path, Query, State},
    http::{header, HeaderMap, StatusCode},
    response::{Html, IntoResponse, Redirect, Response},
    routing::{delete, get, post},
    Json, Router,
};
use chrono::{DateTime, Duration, Utc};
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde_json::{json, Value};
use url::Url;

const CODE_LIFETIME_MINUTES: i64 = 10;
const REFRESH_DAYS: i64 = 184;

pub fn routes() -> Router<Emulator> {
    Router::new()
        .route(
            "/login/oauth/authorize",
            get(authorize_page).post(authorize_decision),
        )
        .route("/login/oauth/access_token", post(access_token))
        .route("/applications/{client_id}/token", delete(revoke_token))
        .route("/applications/{client_id}/grant", delete(revoke_grant))
}

pub(super) fn random_token(prefix: &str, len: usize) -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    let body: String = (0..len)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{prefix}{body}")
}

/// Creates an access token for `user_id`; with `expires_in` it expires (GitHub App user tokens).
pub fn mint_access_token(
    w: &mut World,
    user_id: i64,
    scopes: Vec<String>,
    expires_in: Option<Duration>,
) -> String {
    let now = Utc::now();
    let prefix = if expires_in.is_some() { "ghu_" } else { "gho_" };
    let token = random_token(prefix, 36);
    w.tokens.insert(
        token.clone(),
        Token {
            user_id,
            scopes,
            expires_at: expires_in.map(|d| now + d),
        },
    );
    token
}

#[derive(Debug, Deserialize, Default)]
struct AuthorizeParams {
    client_id: Option<String>,
    redirect_uri: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    login: Option<String>,
    /// The consent form's answer: `authorize` or `cancel`.
    decision: Option<String>,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn page(title: &str, body: &str, status: StatusCode) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title} · GitHub (emulator)</title><style>{CSS}</style></head><body><main>{body}</main><p class=\"note\">This is campaigns-admin's built-in GitHub emulator (demo mode). Nothing here reaches github.com.</p></body></html>",
        title = esc(title)
    );
    (status, Html(html)).into_response()
}

const CSS: &str = "body{font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Helvetica,Arial,sans-serif;background:#f6f8fa;color:#1f2328;margin:0;padding:2rem 1rem}main{max-width:30rem;margin:0 auto;background:#fff;border:1px solid #d1d9e0;border-radius:6px;padding:1.5rem}h1{font-size:1.25rem}fieldset{border:1px solid #d1d9e0;border-radius:6px;margin:1rem 0}label{display:block;padding:.35rem 0}ul{padding-left:1.2rem}.actions{display:flex;gap:.5rem}button{font:inherit;padding:.4rem 1rem;border-radius:6px;border:1px solid #d1d9e0;background:#f6f8fa;cursor:pointer}button.primary{background:#1f883d;border-color:#1f883d;color:#fff}:focus-visible{outline:3px solid #0969da;outline-offset:2px}.note{text-align:center;color:#59636e;font-size:.85rem}.error{border-left:4px solid #d1242f;padding-left:.75rem}";

/// `redirect_uri` must be under the registered callback: same origin, path at or below it.
fn redirect_allowed(registered: &Url, given: &Url) -> bool {
    let base = registered.path().trim_end_matches('/');
    registered.origin() == given.origin()
        && (given.path() == registered.path() || given.path().starts_with(&format!("{base}/")))
}

/// Checks the request; on success gives the redirect URI to use.
fn check_authorize(em: &Emulator, p: &AuthorizeParams) -> Result<Url, Response> {
    let config = em.config();
    if p.client_id.as_deref() != Some(config.client_id.as_str()) {
        return Err(page(
            "Application not found",
            "<h1 class=\"error\">The application you are trying to sign in to does not exist.</h1><p>Check the <code>client_id</code>.</p>",
            StatusCode::NOT_FOUND,
        ));
    }
    let redirect = match p.redirect_uri.as_deref() {
        None | Some("") => config.callback_url.clone(),
        Some(raw) => match Url::parse(raw) {
            Ok(u) if redirect_allowed(&config.callback_url, &u) => u,
            _ => {
                // As GitHub does: back to the registered callback, with the error.
                let mut to = config.callback_url.clone();
                to.query_pairs_mut()
                    .append_pair("error", "redirect_uri_mismatch")
                    .append_pair("error_description", "The redirect_uri MUST match the registered callback URL for this application.")
                    .append_pair("error_uri", "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-authorization-request-errors/#redirect-uri-mismatch")
                    .append_pair("state", p.state.as_deref().unwrap_or_default());
                return Err(Redirect::to(to.as_str()).into_response());
            }
        },
    };
    if p.code_challenge.is_some() && p.code_challenge_method.as_deref().unwrap_or("plain") != "S256"
    {
        let mut to = redirect;
        to.query_pairs_mut()
            .append_pair("error", "invalid_request")
            .append_pair("error_description", "code_challenge_method must be S256")
            .append_pair("state", p.state.as_deref().unwrap_or_default());
        return Err(Redirect::to(to.as_str()).into_response());
    }
    Ok(redirect)
}

fn scope_list(raw: Option<&str>) -> Vec<String> {
    raw.unwrap_or_default()
        .split([' ', ','])
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn describe_scope(scope: &str) -> &'static str {
    match scope {
        "security_events" => {
            "Read and write security events (code scanning alerts, security campaigns)"
        }
        "read:org" => "Read org and team membership, read org projects",
        "user" => "Update all user data",
        "repo" => "Full control of private repositories",
        _ => "Other access",
    }
}

async fn authorize_page(State(em): State<Emulator>, Query(p): Query<AuthorizeParams>) -> Response {
    if let Err(res) = check_authorize(&em, &p) {
        return res;
    }
    let scopes = scope_list(p.scope.as_deref());
    let users: Vec<(String, String, String)> = em
        .world()
        .users
        .iter()
        .take(3)
        .map(|u| (u.login.clone(), u.name.clone(), u.blurb.clone()))
        .collect();
    let hidden = |name: &str, value: Option<&String>| {
        value
            .map(|v| {
                format!(
                    "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
                    esc(v)
                )
            })
            .unwrap_or_default()
    };
    let scope_items: String = if scopes.is_empty() {
        "<li>Public information only</li>".to_owned()
    } else {
        scopes
            .iter()
            .map(|s| format!("<li><code>{}</code>: {}</li>", esc(s), describe_scope(s)))
            .collect()
    };
    let preferred = p.login.as_deref().unwrap_or("mona");
    let user_items: String = users
        .iter()
        .map(|(login, name, blurb)| {
            let checked = if login == preferred { " checked" } else { "" };
            format!(
                "<label><input type=\"radio\" name=\"login\" value=\"{l}\"{checked}> <strong>{l}</strong> ({n}): {b}</label>",
                l = esc(login),
                n = esc(name),
                b = esc(blurb)
            )
        })
        .collect();
    let body = format!(
        "<h1>Authorize campaigns-admin</h1>\
         <form method=\"post\" action=\"/login/oauth/authorize\">\
         {h1}{h2}{h3}{h4}{h5}{h6}\
         <p>campaigns-admin would like permission to:</p><ul>{scope_items}</ul>\
         <fieldset><legend>Sign in as</legend>{user_items}</fieldset>\
         <div class=\"actions\"><button class=\"primary\" type=\"submit\" name=\"decision\" value=\"authorize\">Authorize</button>\
         <button type=\"submit\" name=\"decision\" value=\"cancel\">Cancel</button></div></form>",
        h1 = hidden("client_id", p.client_id.as_ref()),
        h2 = hidden("redirect_uri", p.redirect_uri.as_ref()),
        h3 = hidden("scope", p.scope.as_ref()),
        h4 = hidden("state", p.state.as_ref()),
        h5 = hidden("code_challenge", p.code_challenge.as_ref()),
        h6 = hidden("code_challenge_method", p.code_challenge_method.as_ref()),
    );
    page("Authorize application", &body, StatusCode::OK)
}

async fn authorize_decision(State(em): State<Emulator>, body: Bytes) -> Response {
    let p: AuthorizeParams = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let mut redirect = match check_authorize(&em, &p) {
        Ok(r) => r,
        Err(res) => return res,
    };
    let state = p.state.clone().unwrap_or_default();
    if p.decision.as_deref() != Some("authorize") {
        redirect
            .query_pairs_mut()
            .append_pair("error", "access_denied")
            .append_pair("error_description", "The user has denied your application access.")
            .append_pair("error_uri", "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-authorization-request-errors/#access-denied")
            .append_pair("state", &state);
        return Redirect::to(redirect.as_str()).into_response();
    }
    let mut w = em.world();
    let Some(user_id) = p
        .login
        .as_deref()
        .and_then(|l| w.user_by_login(l))
        .map(|u| u.id)
    else {
        drop(w);
        return page(
            "Choose a user",
            "<h1 class=\"error\">Choose a demo user to sign in as.</h1>",
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let code = random_token("", 20).to_ascii_lowercase();
    w.grants.insert(
        code.clone(),
        Grant {
            user_id,
            scopes: scope_list(p.scope.as_deref()),
            redirect_uri: p.redirect_uri.clone().unwrap_or_default(),
            code_challenge: p.code_challenge.clone(),
            created_at: Utc::now(),
        },
    );
    drop(w);
    redirect
        .query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &state);
    Redirect::to(redirect.as_str()).into_response()
}

#[derive(Debug, Deserialize, Default)]
struct TokenRequest {
    client_id: Option<String>,
    client_secret: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    grant_type: Option<String>,
    refresh_token: Option<String>,
}

/// Client credentials from the body, or from HTTP Basic authentication.
fn client_credentials(headers: &HeaderMap, req: &TokenRequest) -> (Option<String>, Option<String>) {
    if let Some((id, secret)) = basic_auth(headers) {
        return (Some(id), Some(secret));
    }
    (req.client_id.clone(), req.client_secret.clone())
}

fn basic_auth(headers: &HeaderMap) -> Option<(String, String)> {
    use base64::Engine;
    let raw = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = raw
        .strip_prefix("Basic ")
        .or_else(|| raw.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    let unescape = |s: &str| {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Some((unescape(id), unescape(secret)))
}

/// GitHub answers token errors with 200 and an `error` field, as JSON or form-encoded per `Accept`.
fn token_answer(headers: &HeaderMap, body: Value) -> Response {
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("json"));
    if wants_json {
        return Json(body).into_response();
    }
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    if let Some(obj) = body.as_object() {
        for (k, v) in obj {
            let text = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            ser.append_pair(k, &text);
        }
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/x-www-form-urlencoded; charset=utf-8",
        )],
        ser.finish(),
    )
        .into_response()
}

fn token_error(headers: &HeaderMap, error: &str, description: &str) -> Response {
    token_answer(
        headers,
        json!({
            "error": error,
            "error_description": description,
            "error_uri": "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors",
        }),
    )
}

fn pkce_matches(challenge: &str, verifier: &str) -> bool {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(verifier.as_bytes());
    let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest);
    use subtle::ConstantTimeEq;
    bool::from(computed.as_bytes().ct_eq(challenge.as_bytes()))
}

/// Why a token request was refused: GitHub's `error` and `error_description`.
type Refusal = (&'static str, &'static str);

const BAD_CODE: Refusal = (
    "bad_verification_code",
    "The code passed is incorrect or expired.",
);
const BAD_REFRESH: Refusal = (
    "bad_refresh_token",
    "The refresh token passed is incorrect or expired.",
);

/// The user and scopes of a refresh token, which is used up (a new one comes with the answer).
fn redeem_refresh_token(
    w: &mut World,
    req: &TokenRequest,
    now: DateTime<Utc>,
) -> Result<(i64, Vec<String>), Refusal> {
    let old = (req.refresh_token.as_deref())
        .and_then(|r| w.refresh_tokens.remove(r))
        .ok_or(BAD_REFRESH)?;
    if old.expires_at <= now {
        return Err(BAD_REFRESH);
    }
    Ok((old.user_id, old.scopes))
}

/// The user and scopes of an authorization code: single use (a replayed code fails even if the
/// first exchange failed later on), short-lived, for the callback it was issued to, and with the
/// PKCE verifier of its challenge.
fn redeem_code(
    w: &mut World,
    req: &TokenRequest,
    now: DateTime<Utc>,
) -> Result<(i64, Vec<String>), Refusal> {
    let code = req.code.clone().ok_or(BAD_CODE)?;
    let grant = w.grants.remove(&code).ok_or(BAD_CODE)?;
    w.used_codes.insert(code);
    if now - grant.created_at > Duration::minutes(CODE_LIFETIME_MINUTES) {
        return Err(BAD_CODE);
    }
    if let Some(uri) = req.redirect_uri.as_deref().filter(|u| !u.is_empty()) {
        if !grant.redirect_uri.is_empty() && uri != grant.redirect_uri {
            return Err((
                "redirect_uri_mismatch",
                "The redirect_uri MUST match the registered callback URL for this application.",
            ));
        }
    }
    if let Some(challenge) = &grant.code_challenge {
        let verified = (req.code_verifier.as_deref()).is_some_and(|v| pkce_matches(challenge, v));
        if !verified {
            return Err((
                "invalid_grant",
                "The code_verifier does not match the code_challenge.",
            ));
        }
    }
    Ok((grant.user_id, grant.scopes))
}

async fn access_token(State(em): State<Emulator>, headers: HeaderMap, body: Bytes) -> Response {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.contains("json"));
    let req: TokenRequest = if is_json {
        serde_json::from_slice(&body).unwrap_or_default()
    } else {
        serde_urlencoded::from_bytes(&body).unwrap_or_default()
    };
    let config = em.config().clone();
    let (client_id, client_secret) = client_credentials(&headers, &req);
    if client_id.as_deref() != Some(config.client_id.as_str())
        || client_secret.as_deref() != Some(config.client_secret.expose_secret())
    {
        return token_error(
            &headers,
            "incorrect_client_credentials",
            "The client_id and/or client_secret passed are incorrect.",
        );
    }
    let now = Utc::now();
    let mut w = em.world();
    let expiring = config.expiring_tokens.then(|| em.token_lifetime());

    let redeemed = if req.grant_type.as_deref() == Some("refresh_token") {
        redeem_refresh_token(&mut w, &req, now)
    } else {
        redeem_code(&mut w, &req, now)
    };
    let (user_id, scopes) = match redeemed {
        Ok(grant) => grant,
        Err((error, description)) => return token_error(&headers, error, description),
    };

    let access = mint_access_token(&mut w, user_id, scopes.clone(), expiring);
    let mut answer = json!({
        "access_token": access,
        "token_type": "bearer",
        "scope": scopes.join(","),
    });
    if let Some(d) = expiring {
        let refresh = random_token("ghr_", 76);
        w.refresh_tokens.insert(
            refresh.clone(),
            RefreshToken {
                user_id,
                scopes,
                expires_at: now + Duration::days(REFRESH_DAYS),
            },
        );
        answer["expires_in"] = json!(d.num_seconds());
        answer["refresh_token"] = json!(refresh);
        answer["refresh_token_expires_in"] = json!(Duration::days(REFRESH_DAYS).num_seconds());
    }
    em.persist_tokens(&w);
    drop(w);
    token_answer(&headers, answer)
}

fn check_app_auth(em: &Emulator, headers: &HeaderMap, client_id: &str) -> Result<(), Response> {
    let ok = basic_auth(headers).is_some_and(|(id, secret)| {
        id == client_id
            && id == em.config().client_id
            && secret == em.config().client_secret.expose_secret()
    });
    if ok {
        Ok(())
    } else {
        Err((
            StatusCode::NOT_FOUND,
            Json(super::json::error_body(
                404,
                "Not Found",
                "https://docs.github.com/rest/apps/oauth-applications",
                vec![],
            )),
        )
            .into_response())
    }
}

#[derive(Deserialize)]
struct RevokeBody {
    access_token: String,
}

const REVOKE_TOKEN_DOCS: &str =
    "https://docs.github.com/rest/apps/oauth-applications#delete-an-app-token";
const REVOKE_GRANT_DOCS: &str =
    "https://docs.github.com/rest/apps/oauth-applications#delete-an-app-authorization";

/// An error of the OAuth applications API, in GitHub's body.
fn app_api_error(status: StatusCode, message: &str, docs: &str) -> Response {
    let body = super::json::error_body(status.as_u16(), message, docs, vec![]);
    (status, Json(body)).into_response()
}

/// The token a revoke call names, once the app's own credentials check out.
fn revoke_request(
    em: &Emulator,
    headers: &HeaderMap,
    client_id: &str,
    body: &[u8],
    docs: &str,
) -> Result<String, Response> {
    check_app_auth(em, headers, client_id)?;
    serde_json::from_slice::<RevokeBody>(body)
        .map(|r| r.access_token)
        .map_err(|_| {
            let message = "Invalid request.\n\n\"access_token\" wasn't supplied.";
            app_api_error(StatusCode::UNPROCESSABLE_ENTITY, message, docs)
        })
}

/// `DELETE /applications/{client_id}/token`: revokes one token.
async fn revoke_token(
    State(em): State<Emulator>,
    Path(client_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let token = match revoke_request(&em, &headers, &client_id, &body, REVOKE_TOKEN_DOCS) {
        Ok(token) => token,
        Err(res) => return res,
    };
    let mut w = em.world();
    let removed = w.tokens.remove(&token);
    em.persist_tokens(&w);
    drop(w);
    match removed {
        Some(_) => StatusCode::NO_CONTENT.into_response(),
        None => app_api_error(StatusCode::NOT_FOUND, "Not Found", REVOKE_TOKEN_DOCS),
    }
}

/// `DELETE /applications/{client_id}/grant`: revokes every token of that user for this app.
async fn revoke_grant(
    State(em): State<Emulator>,
    Path(client_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let token = match revoke_request(&em, &headers, &client_id, &body, REVOKE_GRANT_DOCS) {
        Ok(token) => token,
        Err(res) => return res,
    };
    let mut w = em.world();
    let Some(user_id) = w.tokens.get(&token).map(|t| t.user_id) else {
        return app_api_error(StatusCode::NOT_FOUND, "Not Found", REVOKE_GRANT_DOCS);
    };
    w.tokens.retain(|_, t| t.user_id != user_id);
    w.refresh_tokens.retain(|_, t| t.user_id != user_id);
    em.persist_tokens(&w);
    StatusCode::NO_CONTENT.into_response()
}
