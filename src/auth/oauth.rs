//! The OAuth web flow against GitHub (or the emulator) with the `oauth2` crate: authorize URL with
//! PKCE S256, code exchange, refresh of expiring tokens, and best-effort revocation.

use crate::error::AppError;
use crate::settings::Settings;
use chrono::{DateTime, Utc};
use oauth2::basic::BasicClient;
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken, Scope,
    TokenResponse, TokenUrl,
};
use secrecy::{ExposeSecret, SecretString};

type Client = BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// Fresh tokens from a sign-in or a refresh.
#[derive(Debug, Clone)]
pub struct TokenSet {
    pub access: SecretString,
    pub refresh: Option<SecretString>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// The app's side of the OAuth web flow, built once at start-up from the settings.
pub struct OAuthApp {
    client: Client,
    scopes: Vec<String>,
    http: reqwest::Client,
}

/// Where to send the browser, and the secrets to keep for the way back.
pub struct Authorization {
    pub url: String,
    pub state: String,
    pub verifier: String,
}

impl OAuthApp {
    /// `http` is the GitHub client's, so the exchange trusts the same certificates.
    pub fn new(settings: &Settings, http: reqwest::Client) -> Result<Self, String> {
        let (authorize, token) = crate::github::web::oauth_endpoints(&settings.github.web_url);
        let bad = |e: oauth2::url::ParseError| format!("OAuth endpoints cannot be built: {e}");
        let client = BasicClient::new(ClientId::new(settings.github.client_id.clone()))
            .set_client_secret(ClientSecret::new(
                settings.github.client_secret.expose_secret().to_owned(),
            ))
            .set_auth_uri(AuthUrl::new(authorize).map_err(bad)?)
            .set_token_uri(TokenUrl::new(token).map_err(bad)?)
            .set_redirect_uri(RedirectUrl::new(settings.redirect_uri().to_string()).map_err(bad)?)
            // GitHub documents the client credentials as form fields.
            .set_auth_type(AuthType::RequestBody);
        Ok(OAuthApp {
            client,
            scopes: settings.github.scopes.clone(),
            http,
        })
    }

    pub fn authorize_url(&self) -> Authorization {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut req = self.client.authorize_url(CsrfToken::new_random);
        for scope in &self.scopes {
            req = req.add_scope(Scope::new(scope.clone()));
        }
        let (url, csrf) = req.set_pkce_challenge(challenge).url();
        Authorization {
            url: url.to_string(),
            state: csrf.secret().clone(),
            verifier: verifier.secret().clone(),
        }
    }

    pub async fn exchange(&self, code: &str, verifier: &str) -> Result<TokenSet, String> {
        self.client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_owned()))
            .request_async(&self.http)
            .await
            .map(|answer| token_set(&answer))
            .map_err(|e| describe(&e))
    }

    /// Rotates an expiring token. A refused refresh token ends the session (`NotSignedIn`).
    pub async fn refresh(&self, refresh_token: &SecretString) -> Result<TokenSet, AppError> {
        let result = self
            .client
            .exchange_refresh_token(&RefreshToken::new(refresh_token.expose_secret().to_owned()))
            .request_async(&self.http)
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
