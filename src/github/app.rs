//! The app's own GitHub identity, for work that runs when nobody is signed in: a GitHub App.
//!
//! A JWT signed with the App's private key (RS256, good for nine minutes) asks GitHub for an org's
//! installation and for a short-lived installation token (an hour). Tokens are kept in memory per
//! org until five minutes before they expire: never stored, never logged. People's requests never
//! use them; only background jobs do.

use super::client::{decode, Condition, GitHubClient};
use super::models::{Installation, InstallationToken};
use crate::domain::OrgLogin;
use crate::error::AppError;
use crate::settings::GitHubAppSettings;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use reqwest::Method;
use ring::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;

/// The permissions background work needs of an installation, and why; nothing more is asked.
pub const PERMISSIONS: &[(&str, &str, &str)] = &[
    (
        "organization_campaigns",
        "write",
        "Campaigns (organization): read each open campaign for its hourly snapshot and the digests; create a plan's next wave",
    ),
    (
        "security_events",
        "read",
        "Code scanning alerts (repository): count a campaign's alerts closed and still open",
    ),
    (
        "metadata",
        "read",
        "Metadata (repository): granted to every App; names the repositories",
    ),
];

/// How long a JWT is good for: GitHub takes ten minutes at most; a minute is left for clock skew.
const JWT_LIFETIME_SECS: i64 = 9 * 60;
/// `iat` is set this far in the past, as GitHub advises, in case this machine's clock runs ahead.
const JWT_BACKDATE_SECS: i64 = 60;
/// The most installations background work reads: this many organisations.
pub const MAX_INSTALLATIONS: usize = 1_000;
/// An installation token is taken again when it has less than this left.
const TOKEN_MARGIN: chrono::Duration = chrono::Duration::minutes(5);

/// A GitHub App: its id, its key, its JWT while it is good, and the installation tokens taken
/// lately.
#[derive(Clone)]
pub struct GitHubApp {
    id: u64,
    key: Arc<RsaKeyPair>,
    /// The JWT last signed and its `exp`: reused while it has a minute left, so GitHub's
    /// answers to the App (its list of installations) are asked again conditionally.
    jwt: Arc<std::sync::Mutex<Option<(SecretString, i64)>>>,
    tokens: moka::future::Cache<OrgLogin, Arc<InstallationToken>>,
}

impl std::fmt::Debug for GitHubApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitHubApp").field("id", &self.id).finish()
    }
}

/// Why the App's private key could not be used. Names what to fix, never shows the key.
#[derive(Debug, thiserror::Error)]
#[error("setting `github.app_private_key` (CAMPAIGNS_GITHUB_APP_PRIVATE_KEY): {0}")]
pub struct AppKeyError(String);

impl GitHubApp {
    /// Reads the App's key: PEM, PKCS#1 (`BEGIN RSA PRIVATE KEY`, as GitHub hands it out) or
    /// PKCS#8 (`BEGIN PRIVATE KEY`). A key pasted into one environment variable with `\n` for its
    /// line ends is read too.
    pub fn new(settings: &GitHubAppSettings) -> Result<Self, AppKeyError> {
        let text = settings.private_key.expose_secret().replace("\\n", "\n");
        let pem = pem::parse(text.trim()).map_err(|_| {
            AppKeyError(
                "not a PEM private key (expected the .pem file GitHub made for the App)".into(),
            )
        })?;
        let key = match pem.tag() {
            "RSA PRIVATE KEY" => RsaKeyPair::from_der(pem.contents()),
            "PRIVATE KEY" => RsaKeyPair::from_pkcs8(pem.contents()),
            other => {
                return Err(AppKeyError(format!(
                    "a PEM `{other}`, not an RSA private key"
                )))
            }
        }
        .map_err(|e| {
            AppKeyError(format!(
                "GitHub App keys are RSA keys of 2048 bits or more: {e}"
            ))
        })?;
        Ok(GitHubApp {
            id: settings.id,
            key: Arc::new(key),
            jwt: Arc::default(),
            tokens: moka::future::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(std::time::Duration::from_secs(55 * 60))
                .build(),
        })
    }

    pub fn id(&self) -> u64 {
        self.id
    }

    /// A JWT that authenticates as the App itself (RS256; `iss` is the App's id), issued at `now`.
    pub fn jwt(&self, now: DateTime<Utc>) -> Result<SecretString, AppError> {
        self.sign(now).map(|(jwt, _)| jwt)
    }

    /// A JWT issued at `now`, and its `exp`.
    fn sign(&self, now: DateTime<Utc>) -> Result<(SecretString, i64), AppError> {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
        let iat = now.timestamp() - JWT_BACKDATE_SECS;
        let exp = iat + JWT_LIFETIME_SECS;
        let claims = serde_json::json!({ "iat": iat, "exp": exp, "iss": self.id.to_string() });
        let claims = URL_SAFE_NO_PAD.encode(claims.to_string());
        let signed = format!("{header}.{claims}");
        let mut signature = vec![0; self.key.public().modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &ring::rand::SystemRandom::new(),
                signed.as_bytes(),
                &mut signature,
            )
            .map_err(|_| {
                tracing::error!("signing the GitHub App's JWT failed");
                AppError::Internal
            })?;
        let jwt = format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature));
        Ok((SecretString::from(jwt), exp))
    }

    /// The kept JWT while it has more than a minute left; else a new one, kept.
    fn current_jwt(&self) -> Result<SecretString, AppError> {
        let now = Utc::now();
        let mut kept = self.jwt.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((jwt, exp)) = kept.as_ref() {
            if *exp - 60 > now.timestamp() {
                return Ok(jwt.clone());
            }
        }
        let (jwt, exp) = self.sign(now)?;
        *kept = Some((jwt.clone(), exp));
        Ok(jwt)
    }

    /// The App's installation on `org`; `NotFound` when the App is not installed there (or the
    /// installation was removed).
    pub async fn installation(
        &self,
        github: &GitHubClient,
        org: &OrgLogin,
    ) -> Result<Installation, AppError> {
        github.org_installation(&self.current_jwt()?, org).await
    }

    /// The organisations the App is installed on and not suspended: where background work runs.
    pub async fn installed_orgs(&self, github: &GitHubClient) -> Result<Vec<OrgLogin>, AppError> {
        let installations = github.list_app_installations(&self.current_jwt()?).await?;
        Ok(installations
            .into_iter()
            .filter(|i| i.suspended_at.is_none())
            .filter_map(|i| i.account)
            .filter(|a| a.kind.as_deref() == Some("Organization"))
            .filter_map(|a| OrgLogin::parse(&a.login).ok())
            .collect())
    }

    /// A token that acts as the App's installation on `org`, taken from GitHub when none is kept
    /// or the kept one is about to expire. Jobs asking at once share one request.
    pub async fn token_for(
        &self,
        github: &GitHubClient,
        org: &OrgLogin,
    ) -> Result<SecretString, AppError> {
        if let Some(kept) = self.tokens.get(org).await {
            if kept.expires_at - TOKEN_MARGIN > Utc::now() {
                return Ok(kept.token.clone());
            }
            self.tokens.invalidate(org).await;
        }
        let taken = self
            .tokens
            .try_get_with(org.clone(), async {
                let installation = self.installation(github, org).await?;
                let jwt = self.current_jwt()?;
                let token = github
                    .create_installation_token(&jwt, installation.id)
                    .await?;
                Ok::<_, AppError>(Arc::new(token))
            })
            .await
            .map_err(|e: Arc<AppError>| (*e).clone())?;
        Ok(taken.token.clone())
    }

    /// Forgets `org`'s token: GitHub refused it (the installation was removed or suspended).
    pub async fn forget(&self, org: &OrgLogin) {
        self.tokens.invalidate(org).await;
    }
}

impl GitHubClient {
    /// `apps/get-org-installation`: `GET /orgs/{org}/installation`, as the App (a JWT). Never
    /// kept for a conditional request: each JWT is new.
    pub async fn org_installation(
        &self,
        jwt: &SecretString,
        org: &OrgLogin,
    ) -> Result<Installation, AppError> {
        let url = self.url(&["orgs", org.as_str(), "installation"]);
        let answer = self
            .send_if(Method::GET, url, jwt, None::<&()>, &Condition::Given(None))
            .await?;
        decode(answer)
    }

    /// `apps/list-installations`: `GET /app/installations`, as the App, every page (up to
    /// `MAX_INSTALLATIONS`).
    pub async fn list_app_installations(
        &self,
        jwt: &SecretString,
    ) -> Result<Vec<Installation>, AppError> {
        let url = self.url(&["app", "installations"]);
        self.get_all(url, &[], jwt, MAX_INSTALLATIONS).await
    }

    /// `apps/create-installation-access-token`: `POST /app/installations/{id}/access_tokens`,
    /// as the App, with every permission the installation was granted.
    pub async fn create_installation_token(
        &self,
        jwt: &SecretString,
        installation_id: i64,
    ) -> Result<InstallationToken, AppError> {
        let id = installation_id.to_string();
        let url = self.url(&["app", "installations", &id, "access_tokens"]);
        decode(self.send(Method::POST, url, jwt, None::<&()>).await?)
    }
}

#[cfg(all(test, feature = "demo"))]
mod tests {
    use super::*;

    fn demo_app() -> GitHubApp {
        GitHubApp::new(&GitHubAppSettings {
            id: 42,
            private_key: SecretString::from(crate::settings::DEMO_APP_PRIVATE_KEY),
        })
        .unwrap()
    }

    #[test]
    fn the_jwt_is_rs256_signed_by_the_apps_key_and_short_lived() {
        let app = demo_app();
        let now = Utc::now();
        let jwt = app.jwt(now).unwrap();
        let parts: Vec<&str> = jwt.expose_secret().split('.').collect();
        assert_eq!(parts.len(), 3);
        let claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(claims["iss"], "42");
        let (iat, exp) = (
            claims["iat"].as_i64().unwrap(),
            claims["exp"].as_i64().unwrap(),
        );
        assert!(iat < now.timestamp() && exp > now.timestamp() && exp - iat <= 600);
        let public = ring::signature::UnparsedPublicKey::new(
            &ring::signature::RSA_PKCS1_2048_8192_SHA256,
            app.key.public().as_ref().to_vec(),
        );
        let signed = format!("{}.{}", parts[0], parts[1]);
        let signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
        public.verify(signed.as_bytes(), &signature).unwrap();
        assert!(public.verify(b"something else", &signature).is_err());
    }

    #[test]
    fn a_bad_key_is_named_without_being_shown() {
        for bad in [
            "",
            "not a key",
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
        ] {
            let err = GitHubApp::new(&GitHubAppSettings {
                id: 1,
                private_key: SecretString::from(bad),
            })
            .unwrap_err()
            .to_string();
            assert!(err.contains("CAMPAIGNS_GITHUB_APP_PRIVATE_KEY"), "{err}");
        }
        let one_line = crate::settings::DEMO_APP_PRIVATE_KEY.replace('\n', "\\n");
        GitHubApp::new(&GitHubAppSettings {
            id: 1,
            private_key: SecretString::from(one_line),
        })
        .expect("a key with \\n for its line ends is read");
    }
}
