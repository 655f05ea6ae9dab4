//! What is in a campaign, beyond GitHub's three counts: the alert set recorded when it was created
//! here, those alerts' live states (read from each repository's alert list), its progress per
//! repository, and its counts over time (a snapshot kept, at most hourly, whenever they are read).

use crate::domain::campaign_alerts::{AlertsFilter, CampaignAlerts, CampaignDetail};
use crate::domain::{CampaignNumber, OrgLogin};
use crate::error::AppError;
use leptos::prelude::*;

/// The detail page: the campaign, whether it was created here, and its history.
#[server(endpoint = "campaigns/detail")]
pub async fn load_campaign_detail(
    org: OrgLogin,
    number: CampaignNumber,
) -> Result<CampaignDetail, AppError> {
    use super::context::Ctx;
    let cx = Ctx::take().await?;
    let (state, token) = (&cx.state, &cx.token);
    let result = async {
        let c = state.github.get_campaign(token, &org, number).await?;
        // GitHub shows a campaign to its org's owners and security managers only.
        state.managers.seen_managing(token, &org).await;
        let campaign = crate::service::views::view_of(&state.settings, &org, c);
        crate::service::snapshots::keep_snapshot(state, &org, &campaign, None);
        let (record, history) = tokio::join!(
            crate::service::campaign_records::record_of(state, &org, &campaign),
            crate::service::snapshots::history_of(state, &org, &campaign),
        );
        Ok(CampaignDetail {
            record: record?.map(|r| crate::service::campaign_records::info(&r)),
            history: history?,
            campaign,
        })
    }
    .await;
    cx.settle(result).await
}

/// The alerts page: per-repository progress and one page of the filtered alerts.
#[server(endpoint = "campaigns/alerts")]
pub async fn load_campaign_alerts(
    org: OrgLogin,
    number: CampaignNumber,
    #[server(flatten)] filter: AlertsFilter,
) -> Result<CampaignAlerts, AppError> {
    use super::context::Ctx;
    let query = filter.parse().map_err(AppError::filter_refused)?;
    let cx = Ctx::take().await?;
    let (state, token) = (&cx.state, &cx.token);
    let result = async {
        crate::service::live_alerts::alerts_page(state, token, &org, number, &query).await
    }
    .await;
    cx.settle(result).await
}
