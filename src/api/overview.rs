//! The org overview's server function (`service::overview`).

use crate::domain::overview::OrgOverview;
use crate::domain::OrgLogin;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "orgs/overview")]
pub async fn load_org_overview(org: OrgLogin) -> Result<OrgOverview, AppError> {
    let cx = super::context::Ctx::take().await?;
    cx.settle(crate::service::overview::overview(&cx.state, &cx.token, &org).await)
        .await
}
