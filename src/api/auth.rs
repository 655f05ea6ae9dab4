//! Who is signed in, and which organisations they can open.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The signed-in user as the UI shows them. No token, ever.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub login: String,
    pub name: Option<String>,
    pub avatar_url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgSummary {
    pub login: String,
    pub avatar_url: String,
    pub description: Option<String>,
}

/// The signed-in user, or `None`.
#[server(endpoint = "signed_in_user")]
pub async fn signed_in_user() -> Result<Option<CurrentUser>, AppError> {
    use crate::state::AppState;
    super::context::finish(
        async move {
            let state = expect_context::<AppState>();
            let session = super::context::session().await?;
            Ok(crate::auth::session::signed_in(&session, &state)
                .await?
                .map(|r| r.user))
        }
        .await,
    )
}

/// The organisations the signed-in user belongs to (needs the `read:org` scope).
#[server(endpoint = "my_orgs")]
pub async fn my_orgs() -> Result<Vec<OrgSummary>, AppError> {
    let result = super::context::with_github(|state, token| async move {
        let orgs = state.github.list_orgs_for_user(&token, 1_000).await?;
        Ok(orgs
            .into_iter()
            .map(|o| OrgSummary {
                login: o.login,
                avatar_url: crate::domain::campaign_fields::web_url_or_empty(o.avatar_url),
                description: o.description.filter(|d| !d.is_empty()),
            })
            .collect())
    })
    .await;
    super::context::finish(result)
}
