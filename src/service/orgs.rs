//! The organisations a signed-in user can open.

use crate::domain::campaign_fields::web_url_or_empty;
use crate::domain::user::OrgSummary;
use crate::error::AppError;
use crate::github::GitHubClient;
use secrecy::SecretString;

/// The user's organisations as GitHub lists them (needs the `read:org` scope).
pub async fn my_orgs(
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
