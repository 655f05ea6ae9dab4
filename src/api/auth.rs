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
    let cx = super::context::Ctx::take().await?;
    cx.settle(crate::service::orgs::my_orgs(&cx.state.github, &cx.token).await)
        .await
}
