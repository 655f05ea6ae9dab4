//! What is in a campaign, beyond GitHub's three counts: the alert set recorded when it was created
//! here, those alerts' live states (read from each repository's alert list), its progress per
//! repository, and its counts over time (a snapshot kept, at most hourly, whenever they are read).

use crate::domain::campaign_alerts::{AlertsFilter, CampaignAlerts, CampaignDetail};
use crate::domain::{CampaignNumber, OrgLogin};
use crate::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {super::context::Ctx, crate::service::campaigns, crate::service::live_alerts};

/// The detail page: the campaign, whether it was created here, and its history.
#[server(endpoint = "campaigns/detail")]
pub async fn load_campaign_detail(
    org: OrgLogin,
    number: CampaignNumber,
) -> Result<CampaignDetail, AppError> {
    let cx = Ctx::take().await?;
    cx.settle(campaigns::detail(&cx.state, &cx.token, &org, number).await)
        .await
}

/// The alerts page: per-repository progress and one page of the filtered alerts.
#[server(endpoint = "campaigns/alerts")]
pub async fn load_campaign_alerts(
    org: OrgLogin,
    number: CampaignNumber,
    #[server(flatten)] filter: AlertsFilter,
) -> Result<CampaignAlerts, AppError> {
    let query = filter.parse().map_err(AppError::filter_refused)?;
    let cx = Ctx::take().await?;
    let query = query.for_user(&cx.me.login);
    let (state, token) = (&cx.state, &cx.token);
    cx.settle(live_alerts::alerts_page(state, token, &org, number, &query).await)
        .await
}
