//! The org settings page's server function (`service::background`).

use crate::domain::background::BackgroundAccess;
use crate::domain::OrgLogin;
use crate::error::AppError;
use leptos::prelude::*;

/// What background work can do for `org`: for its owners and security managers.
#[server(endpoint = "orgs/background")]
pub async fn load_background_access(org: OrgLogin) -> Result<BackgroundAccess, AppError> {
    let cx = super::context::Ctx::take().await?;
    cx.settle(crate::service::background::access(&cx.state, &cx.token, &org).await)
        .await
}
