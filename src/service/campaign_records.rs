//! The alert set of a campaign created here, recorded before GitHub is asked (GitHub has no list
//! of a campaign's alerts): record → create → bind, and the claim of a create whose answer was lost.

use crate::domain::campaign::CampaignView;
use crate::domain::campaign_alerts::RecordInfo;
use crate::domain::{CampaignNumber, OrgLogin};
use crate::error::AppError;
use crate::github::models::{CampaignListQuery, CampaignSummary, RepositoryAlerts};
use crate::state::AppState;
use crate::store::campaigns::{Record, RecordedAlert};
use secrecy::SecretString;
use std::collections::HashMap;

pub fn info(r: &Record) -> RecordInfo {
    RecordInfo {
        created_by: r.created_by.clone(),
        created_at: r.created_at,
        alerts: r.alerts.len(),
    }
}

pub async fn record_of(
    state: &AppState,
    org: &OrgLogin,
    c: &CampaignView,
) -> Result<Option<Record>, AppError> {
    let records = state.store.campaigns();
    (records.find(org, c.number, &c.name, c.created_at).await).map_err(AppError::from)
}

/// The campaign an earlier create of `name` made although its answer was lost (a timeout,
/// a dropped connection), if GitHub's newest campaigns show it: sending the form again
/// lands on that campaign, claimed for its pending record, instead of making a second one.
pub async fn landed_already(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
    name: &str,
) -> Result<Option<CampaignSummary>, AppError> {
    let records = state.store.campaigns();
    let since = records.pending_since(org, name).await;
    let Some(since) = since? else {
        return Ok(None);
    };
    let newest = CampaignListQuery {
        sort: Some("created".into()),
        direction: Some("desc".into()),
        per_page: Some(30),
        ..Default::default()
    };
    let page = state.github.list_campaigns(token, org, &newest).await?;
    // GitHub's clock and ours may differ by a little.
    let earliest = since - chrono::Duration::minutes(1);
    for c in page.items {
        if c.name.as_deref() != Some(name) || c.created_at < earliest {
            continue;
        }
        let found = records.find(org, c.number, name, c.created_at);
        if found.await?.is_some() {
            return Ok(Some(c));
        }
    }
    Ok(None)
}

/// Records the alert set of a campaign about to be created (with its repositories' names,
/// read from GitHub): its record id. No campaign is created if this fails.
pub async fn begin_record(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
    name: &str,
    created_by: &str,
    selection: &[RepositoryAlerts],
) -> Result<i64, AppError> {
    let ids: Vec<i64> = selection.iter().map(|r| r.repository_id).collect();
    let repos = state.github.find_org_repos(token, org, &ids).await?;
    let name_of: HashMap<i64, String> = repos.into_iter().map(|r| (r.id, r.full_name)).collect();
    let alerts: Vec<RecordedAlert> = selection
        .iter()
        .flat_map(|r| {
            // A repository GitHub did not list: GitHub will refuse the create anyway.
            let repository = name_of.get(&r.repository_id).cloned().unwrap_or_default();
            r.alert_numbers.iter().map(move |n| RecordedAlert {
                repository_id: r.repository_id,
                repository: repository.clone(),
                number: *n,
            })
        })
        .collect();
    let records = state.store.campaigns();
    (records.begin(org, name, created_by, &alerts).await).map_err(|e| {
        tracing::error!(error = %e, "could not record a campaign's alerts; not creating it");
        AppError::StoreUnavailable
    })
}

/// After GitHub's answer: binds the record to the new campaign, or removes it when GitHub
/// refused. When the answer was lost (GitHub unreachable, a timeout) the record stays
/// pending, to be claimed if the campaign turns out to exist.
pub async fn finish_record<T>(
    state: &AppState,
    id: i64,
    outcome: &Result<T, AppError>,
    number: Option<CampaignNumber>,
) {
    let records = state.store.campaigns();
    let done = match (outcome, number) {
        (Ok(_), Some(n)) => records.bind(id, n).await,
        (Err(AppError::GitHubUnavailable | AppError::Transport { .. }), _) => Ok(()),
        _ => records.discard(id).await,
    };
    if let Err(e) = done {
        // Left pending: the first read of the campaign claims it by name and time.
        tracing::warn!(error = %e, record = id, "could not finish a campaign record");
    }
}
