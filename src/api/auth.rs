//! Who is signed in, and which organisations they can open.

use crate::domain::user::{CurrentUser, OrgSummary};
use crate::error::AppError;
use leptos::prelude::*;

/// The signed-in user, or `None`.
#[server(endpoint = "signed_in_user")]
pub async fn signed_in_user() -> Result<Option<CurrentUser>, AppError> {
    use super::context::signed_in;
    match signed_in().await {
        Ok(record) => Ok(Some(record.user)),
        Err(AppError::NotSignedIn) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The organisations the signed-in user belongs to (needs the `read:org` scope).
#[server(endpoint = "my_orgs")]
pub async fn my_orgs() -> Result<Vec<OrgSummary>, AppError> {
    use super::context::Ctx;
    let cx = Ctx::take().await?;
    let (state, token) = (&cx.state, &cx.token);
    cx.settle(async { ssr::my_orgs_inner(&state.github, token).await }.await)
        .await
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::domain::campaign_fields::web_url_or_empty;
    use crate::domain::user::OrgSummary;
    use crate::error::AppError;
    use crate::github::GitHubClient;
    use secrecy::SecretString;

    pub async fn my_orgs_inner(
        github: &GitHubClient,
        token: &SecretString,
    ) -> Result<Vec<OrgSummary>, AppError> {
        let orgs = github.list_orgs_for_user(token).await?;
        Ok(orgs
            .iter()
            .map(|o| OrgSummary {
                login: o.login.clone(),
                avatar_url: web_url_or_empty(o.avatar_url.clone()),
                description: o.description.clone().filter(|d| !d.is_empty()),
            })
            .collect())
    }
}
