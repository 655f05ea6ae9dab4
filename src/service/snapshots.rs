//! A campaign's counts over time: a snapshot kept (at most hourly) whenever they are read, and the
//! history the burndown is drawn from.

use crate::domain::campaign::CampaignView;
use crate::domain::history::{thin, Snapshot};
use crate::domain::OrgLogin;
use crate::error::AppError;
use crate::state::AppState;

/// Points the burndown is drawn from, at most.
const HISTORY_POINTS: usize = 200;

pub async fn history_of(
    state: &AppState,
    org: &OrgLogin,
    c: &CampaignView,
) -> Result<Vec<Snapshot>, AppError> {
    let since = c.created_at - chrono::Duration::days(1);
    let records = state.store.campaigns();
    let points = records.history(org, c.number, since).await;
    Ok(thin(points?, HISTORY_POINTS))
}

/// A campaign's counts at `at`, if it has any.
pub fn snapshot_of(c: &CampaignView, at: chrono::DateTime<chrono::Utc>) -> Option<Snapshot> {
    let p = c.progress?;
    Some(Snapshot {
        at,
        open: p.open,
        in_progress: p.in_progress,
        closed: p.closed,
    })
}

/// GitHub's campaigns as the pages show them, each one's counts kept as read now.
pub fn viewed(
    state: &AppState,
    org: &OrgLogin,
    items: Vec<crate::github::models::CampaignSummary>,
) -> Vec<CampaignView> {
    let views: Vec<CampaignView> = items
        .into_iter()
        .map(|c| crate::service::views::view_of(&state.settings, org, c))
        .collect();
    for c in &views {
        keep_snapshot(state, org, c, None);
    }
    views
}

/// Keeps the campaign's counts as read now, without making the reader wait for the store.
pub fn keep_snapshot(
    state: &AppState,
    org: &OrgLogin,
    c: &CampaignView,
    repos: Option<Vec<crate::domain::campaign_alerts::RepoProgress>>,
) {
    let Some(snapshot) = snapshot_of(c, chrono::Utc::now()) else {
        return;
    };
    let (records, org, number) = (state.store.campaigns(), org.clone(), c.number);
    tokio::spawn(async move {
        let repos = repos.as_deref();
        if let Err(e) = records.snapshot(&org, number, &snapshot, repos).await {
            tracing::warn!(error = %e, "could not keep a campaign snapshot");
        }
    });
}
