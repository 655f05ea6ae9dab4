//! The OAuth web flow against GitHub (or the emulator) with the `oauth2` crate: authorize URL with
//! PKCE S256, code exchange, refresh of expiring tokens, and best-effort revocation.

use super::session::TokenSet;
use crate::error::AppError;
use crate::state::AppState;
use chrono::Utc;
use oauth2::basic::BasicClient;
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken, Scope,
    TokenResponse, TokenUrl,
};
use secrecy::{ExposeSecret, SecretString};

type Client = BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

fn client(state: &AppState) -> Result<Client, AppError> {
    let s = &state.settings;
    let web = s.github.web_url.as_str().trim_end_matches('/');
    let bad = |e: oauth2::url::ParseError| {
        tracing::error!(error = %e, "OAuth endpoints cannot be built from the settings");
        AppError::Internal
    };
    Ok(BasicClient::new(ClientId::new(s.github.client_id.clone()))
        .set_client_secret(ClientSecret::new(
            s.github.client_secret.expose_secret().to_owned(),
        ))
        .set_auth_uri(AuthUrl::new(format!("{web}/login/oauth/authorize")).map_err(bad)?)
        .set_token_uri(TokenUrl::new(format!("{web}/login/oauth/access_token")).map_err(bad)?)
        .set_redirect_uri(RedirectUrl::new(s.redirect_uri().to_string()).map_err(bad)?)
        // GitHub documents the client credentials as form fields.
        .set_auth_type(AuthType::RequestBody))
}

/// Where to send the browser, and the secrets to keep for the way back.
pub struct Authorization {
    pub url: String,
    pub state: String,
    pub verifier: String,
}

pub fn authorize_url(state: &AppState) -> Result<Authorization, AppError> {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let client = client(state)?;
    let mut req = client.authorize_url(CsrfToken::new_random);
    for scope in &state.settings.github.scopes {
        req = req.add_scope(Scope::new(scope.clone()));
    }
    let (url, csrf) = req.set_pkce_challenge(challenge).url();
    Ok(Authorization {
        url: url.to_string(),
        state: csrf.secret().clone(),
        verifier: verifier.secret().clone(),
    })
}

fn token_set(answer: &oauth2::basic::BasicTokenResponse) -> TokenSet {
    TokenSet {
        access: SecretString::from(answer.access_token().secret().clone()),
        refresh: answer
            .refresh_token()
            .map(|r| SecretString::from(r.secret().clone())),
        expires_at: answer
            .expires_in()
            .and_then(|d| chrono::Duration::from_std(d).ok())
            .map(|d| Utc::now() + d),
    }
}

/// Why an exchange failed, in words for the sign-in-failed page (and logs).
fn describe<E: std::error::Error>(
    err: &oauth2::RequestTokenError<E, oauth2::basic::BasicErrorResponse>,
) -> String {
    match err {
        oauth2::RequestTokenError::ServerResponse(r) => format!("GitHub refused: {}", r.error()),
        oauth2::RequestTokenError::Request(_) => "GitHub could not be reached".to_owned(),
        // GitHub answers errors with 200 and an `error` field, which does not parse as a token.
        oauth2::RequestTokenError::Parse(_, body) => {
            let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
            let code = parsed
                .as_ref()
                .and_then(|v| v.get("error"))
                .and_then(|v| v.as_str())
                .unwrap_or("unreadable answer");
            format!("GitHub refused: {code}")
        }
        oauth2::RequestTokenError::Other(msg) => msg.clone(),
    }
}

pub async fn exchange(state: &AppState, code: &str, verifier: &str) -> Result<TokenSet, String> {
    let client = client(state).map_err(|e| e.to_string())?;
    client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_owned()))
        .request_async(state.github.http())
        .await
        .map(|answer| token_set(&answer))
        .map_err(|e| describe(&e))
}

/// Rotates an expiring token. A refused refresh token ends the session (`NotSignedIn`).
pub async fn refresh(state: &AppState, refresh_token: &SecretString) -> Result<TokenSet, AppError> {
    let client = client(state)?;
    let result = client
        .exchange_refresh_token(&RefreshToken::new(refresh_token.expose_secret().to_owned()))
        .request_async(state.github.http())
        .await;
    match result {
        Ok(answer) => {
            tracing::info!("refreshed an expiring GitHub token");
            Ok(token_set(&answer))
        }
        Err(oauth2::RequestTokenError::Request(e)) => {
            tracing::warn!(error = %e, "token refresh could not reach GitHub");
            Err(AppError::GitHubUnavailable)
        }
        Err(e) => {
            tracing::info!(reason = %describe(&e), "GitHub refused the refresh token; ending the session");
            Err(AppError::NotSignedIn)
        }
    }
}

/// `DELETE {api}/applications/{client_id}/token`, authenticated as the app. Best effort.
pub async fn revoke(state: &AppState, token: &SecretString) {
    let s = &state.settings.github;
    let mut url = s.api_url.clone();
    if let Ok(mut segs) = url.path_segments_mut() {
        segs.pop_if_empty()
            .extend(["applications", &s.client_id, "token"]);
    }
    let res = state
        .github
        .http()
        .delete(url)
        .basic_auth(&s.client_id, Some(s.client_secret.expose_secret()))
        .header("accept", "application/vnd.github+json")
        .header("x-github-api-version", crate::github::API_VERSION)
        .json(&serde_json::json!({ "access_token": token.expose_secret() }))
        .send()
        .await;
    match res {
        Ok(r) if r.status().is_success() => tracing::info!("revoked the GitHub token at sign-out"),
        Ok(r) => tracing::warn!(
            status = r.status().as_u16(),
            "GitHub did not revoke the token"
        ),
        Err(e) => tracing::warn!(error = %e, "could not reach GitHub to revoke the token"),
    }
}
