//! GitHub Apps: an org's installation and installation access tokens, asked as the App itself
//! with a JWT (RS256, signed by the App's private key, `exp` at most ten minutes after `iat`).

use super::*;
use crate::emulator::json;
use axum::extract::Path;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

const APP_DOCS: &str = "https://docs.github.com/rest/apps/apps";
const JWT_DOCS: &str =
    "https://docs.github.com/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app";

/// How long an installation token lasts on GitHub.
const TOKEN_LIFETIME: Duration = Duration::hours(1);

impl Call {
    /// Runs `handler` as the App whose JWT signed the request (an unsigned or bad one gets 401).
    fn as_app(&self, handler: impl FnOnce(&mut World, u64) -> Reply) -> Response {
        let mut w = self.em.world();
        app_of_jwt(&w, &self.headers)
            .and_then(|app_id| handler(&mut w, app_id))
            .unwrap_or_else(|res| res)
    }
}

fn no_installation() -> Response {
    error(StatusCode::NOT_FOUND, "Not Found", APP_DOCS)
}

/// `apps/get-org-installation`.
pub(super) async fn get_org_installation(call: Call, Path(org): Path<String>) -> Response {
    let base = call.em.base().to_owned();
    call.as_app(|w, app_id| {
        let o = w.org_index(&org).map(|idx| &w.orgs[idx]);
        let found = o.and_then(|o| {
            let i = (w.installations.iter()).find(|i| i.app_id == app_id && i.org_id == o.id)?;
            let app = w.apps.iter().find(|a| a.id == app_id)?;
            Some(json::installation(&base, o, app, i))
        });
        found.map(|body| ok_json(&body)).ok_or_else(no_installation)
    })
}

/// `apps/list-installations`: the App's installations, oldest first, a page at a time.
pub(super) async fn list_installations(call: Call) -> Response {
    let base = call.em.base().to_owned();
    let (q, uri, headers) = (&call.query, &call.uri, &call.headers);
    let listed = call.as_app(|w, app_id| {
        let p = paging(q)?;
        let app = w
            .apps
            .iter()
            .find(|a| a.id == app_id)
            .ok_or_else(not_found)?;
        let installations: Vec<Value> = (w.installations.iter())
            .filter(|i| i.app_id == app_id)
            .filter_map(|i| {
                let o = w.orgs.iter().find(|o| o.id == i.org_id)?;
                Some(json::installation(&base, o, app, i))
            })
            .collect();
        let (page, link) = page_of(&installations, &p, &base, uri);
        Ok(with_link(ok_json(&Value::Array(page)), link))
    });
    if listed.status() == StatusCode::OK {
        return with_etag(headers, listed);
    }
    listed
}

/// `apps/create-installation-access-token`: every permission the installation has.
pub(super) async fn create_installation_token(
    call: Call,
    Path(installation_id): Path<i64>,
) -> Response {
    call.as_app(|w, app_id| {
        let installation = (w.installations.iter())
            .find(|i| i.id == installation_id && i.app_id == app_id)
            .cloned()
            .ok_or_else(no_installation)?;
        let token = super::super::oauth::random_token("ghs_", 36);
        let expires_at = Utc::now() + TOKEN_LIFETIME;
        w.installation_tokens.insert(
            token.clone(),
            InstallationToken {
                installation_id,
                expires_at,
            },
        );
        let body = json!({
            "token": token,
            "expires_at": json::ts(expires_at),
            "permissions": json::permissions(&installation),
            "repository_selection": "all",
        });
        Ok((StatusCode::CREATED, json_headers(), body.to_string()).into_response())
    })
}

/// The App a request's JWT was signed by, checked as GitHub checks it: RS256 by a registered
/// App's key, issued no later than a minute from now, not expired, and at most ten minutes long.
fn app_of_jwt(w: &World, headers: &HeaderMap) -> Result<u64, Response> {
    let refuse = |message: &str| error(StatusCode::UNAUTHORIZED, message, JWT_DOCS);
    let Some(jwt) = super::bearer(headers) else {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            "Requires authentication",
            DOCS,
        ));
    };
    let undecodable = || refuse("A JSON web token could not be decoded");
    let parts: Vec<&str> = jwt.split('.').collect();
    let [header, claims, signature] = parts[..] else {
        return Err(undecodable());
    };
    let part = |p: &str| -> Result<Value, Response> {
        let bytes = URL_SAFE_NO_PAD.decode(p).map_err(|_| undecodable())?;
        serde_json::from_slice(&bytes).map_err(|_| undecodable())
    };
    if part(header)?["alg"] != "RS256" {
        return Err(undecodable());
    }
    let claims = part(claims)?;
    let app_id = match &claims["iss"] {
        Value::String(s) => s.parse::<u64>().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    };
    let app = app_id
        .and_then(|id| w.apps.iter().find(|a| a.id == id))
        .ok_or_else(|| refuse("'Issuer' claim ('iss') must be an Integer"))?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| undecodable())?;
    let key = ring::signature::UnparsedPublicKey::new(
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        &app.public_key,
    );
    let signed = format!("{}.{}", parts[0], parts[1]);
    if key.verify(signed.as_bytes(), &signature).is_err() {
        return Err(undecodable());
    }
    let now = Utc::now().timestamp();
    let (Some(iat), Some(exp)) = (claims["iat"].as_i64(), claims["exp"].as_i64()) else {
        return Err(refuse(
            "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
        ));
    };
    if iat > now + 60 {
        return Err(refuse(
            "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
        ));
    }
    if exp <= now {
        return Err(refuse(
            "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
        ));
    }
    if exp - iat > 600 {
        return Err(refuse(
            "'Expiration time' claim ('exp') is too far in the future",
        ));
    }
    Ok(app.id)
}
