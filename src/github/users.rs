//! The signed-in user: who they are, their organisations, and giving their token back.

use super::client::*;
use super::models::*;
use crate::error::AppError;
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;

impl GitHubClient {
    /// `apps/delete-token`: `DELETE /applications/{client_id}/token`, authenticated as the OAuth
    /// app. Best effort: the outcome is logged, never the token.
    pub async fn revoke_token(
        &self,
        client_id: &str,
        client_secret: &SecretString,
        token: &SecretString,
    ) {
        let res = self
            .http
            .delete(self.url(&["applications", client_id, "token"]))
            .basic_auth(client_id, Some(client_secret.expose_secret()))
            .header("accept", "application/vnd.github+json")
            .header("x-github-api-version", API_VERSION)
            .json(&serde_json::json!({ "access_token": token.expose_secret() }))
            .send()
            .await;
        match res {
            Ok(r) if r.status().is_success() => {
                tracing::info!("revoked the GitHub token at sign-out")
            }
            Ok(r) => tracing::warn!(
                status = r.status().as_u16(),
                "GitHub did not revoke the token"
            ),
            Err(e) => tracing::warn!(error = %e, "could not reach GitHub to revoke the token"),
        }
    }

    /// `users/get-authenticated`: `GET /user`.
    pub async fn get_authenticated_user(
        &self,
        token: &SecretString,
    ) -> Result<AuthenticatedUser, AppError> {
        let answer = self
            .send(Method::GET, self.url(&["user"]), token, None::<&()>)
            .await?;
        decode(answer)
    }

    /// `orgs/list-for-authenticated-user`: `GET /user/orgs`, every page up to 1,000 items. Calls
    /// made at once with one token share one request, and its answer serves for
    /// `USER_ORGS_FRESH`.
    pub async fn list_orgs_for_user(
        &self,
        token: &SecretString,
    ) -> Result<Arc<Vec<OrganizationSimple>>, AppError> {
        let read = async {
            let url = self.url(&["user", "orgs"]);
            (self.get_all(url, &[], token, 1_000).await).map(Arc::new)
        };
        let key = super::cache::token_key(token);
        self.user_orgs
            .try_get_with(key, read)
            .await
            .map_err(|e: Arc<AppError>| (*e).clone())
    }
}
