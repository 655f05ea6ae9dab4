//! The org's open code-scanning alerts, for the picker: a batch of pages at a time (so the
//! browser can show progress), or every one filtered on the server (the list that works without
//! JavaScript). Both read the app's alert index once it has been synced (`alert_index`), and
//! GitHub's pages live until then.

use crate::domain::alert::{AlertBatch, AlertRow, AlertSearch};
use crate::domain::alert_filter::AlertFilter;
use crate::domain::OrgLogin;
use crate::error::AppError;
use crate::github::models::{AlertListQuery, CodeScanningAlert, Page};
use crate::github::{GitHubClient, MAX_PER_PAGE};
use crate::service::alert_index::{self, row_of};
use crate::state::AppState;
use futures_util::StreamExt;
use secrecy::SecretString;

/// How many pages of alerts one server call asks GitHub for at a time: a picker batch (twenty
/// pages) in one round of waiting. The token's share of the client's slots (`github::client`,
/// well below GitHub's 100 concurrent requests a user) bounds what two calls at once ask.
const PAGES_IN_FLIGHT: usize = crate::github::client::MAX_IN_FLIGHT_PER_TOKEN;

fn open_only() -> AlertListQuery {
    AlertListQuery {
        state: Some("open".into()),
        ..Default::default()
    }
}

/// Pages `range` of the org's open alerts. The first batch is every open alert at once when the
/// index is ready (one page, so the browser asks no more); else GitHub's pages, as later batches.
pub async fn batch(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
    range: std::ops::Range<u32>,
) -> Result<AlertBatch, AppError> {
    if range.start == 1 {
        if let Some(at) = alert_index::ready(state, token, org).await? {
            return Ok(AlertBatch {
                alerts: state.store.alert_index().open(org).await?,
                last_page: Some(1),
                more: false,
                synced_at: Some(at),
            });
        }
    }
    let github = &state.github;
    let mut batch = AlertBatch {
        alerts: Vec::new(),
        last_page: None,
        more: false,
        synced_at: None,
    };
    for page in open_alert_pages(github, token, org, range).await {
        let page = page?;
        batch.last_page = batch
            .last_page
            .or(page.links.last)
            .or(page.links.prev.map(|p| p + 1));
        // A `next` link with a page number, or a full page (GitHub may link the next page
        // by cursor, without `page=`): either way there may be more.
        batch.more = page.links.next.is_some() || page.items.len() as u32 == MAX_PER_PAGE;
        let empty = page.items.is_empty();
        batch.alerts.extend(page.items.into_iter().map(row_of));
        if empty {
            break;
        }
    }
    Ok(batch)
}

/// The given pages of the org's open alerts, in order, a few requests at a time.
async fn open_alert_pages(
    github: &GitHubClient,
    token: &SecretString,
    org: &OrgLogin,
    pages: std::ops::Range<u32>,
) -> Vec<Result<Page<CodeScanningAlert>, AppError>> {
    let query = &open_only();
    futures_util::stream::iter(pages)
        .map(|p| github.list_org_alerts_page(token, org, query, p))
        .buffered(PAGES_IN_FLIGHT)
        .collect()
        .await
}

/// Every open alert of the org (up to 20,000), each once: page 1, then the rest a few at a
/// time when its `Link` header names the last page; page by page otherwise.
pub async fn all_open_alerts(
    github: &GitHubClient,
    token: &SecretString,
    org: &OrgLogin,
) -> Result<Vec<AlertRow>, AppError> {
    const MAX_PAGES: u32 = 200;
    let first = github
        .list_org_alerts_page(token, org, &open_only(), 1)
        .await?;
    let alerts = match first.links.last {
        Some(last) => {
            let rest = open_alert_pages(github, token, org, 2..last.min(MAX_PAGES) + 1).await;
            let mut alerts = first.items;
            for page in rest {
                alerts.extend(page?.items);
            }
            alerts
        }
        // GitHub may link the next page by cursor only: follow the links one by one.
        None if first.links.next.is_some() || first.items.len() as u32 == MAX_PER_PAGE => {
            let cap = (MAX_PAGES * MAX_PER_PAGE) as usize;
            github
                .list_org_alerts(token, org, &open_only(), cap)
                .await?
        }
        None => first.items,
    };
    // Alerts can move between pages while they are read: keep each once.
    let mut seen = std::collections::HashSet::new();
    Ok(alerts
        .into_iter()
        .map(row_of)
        .filter(|a| seen.insert(a.key()))
        .collect())
}

/// Every open alert of the org filtered by `filter`: the first `max` matches and how many match.
pub async fn search(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
    filter: &AlertFilter,
    max: usize,
) -> Result<AlertSearch, AppError> {
    let synced_at = alert_index::ready(state, token, org).await?;
    let all = match synced_at {
        Some(_) => state.store.alert_index().open(org).await?,
        None => all_open_alerts(&state.github, token, org).await?,
    };
    let matching = filter.select(&all);
    Ok(AlertSearch {
        total: matching.len(),
        rows: matching.into_iter().take(max).cloned().collect(),
        synced_at,
    })
}
