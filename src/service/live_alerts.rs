//! A campaign's alerts with their live states, read repository by repository (GitHub lists a
//! campaign's counts only), and the alerts page built from them.

use crate::domain::alert::IndexedAlert;
use crate::domain::campaign_alerts::{
    progress_by_repository, AlertsQuery, CampaignAlert, CampaignAlerts, LiveState, ALERTS_PAGE_SIZE,
};
use crate::domain::{CampaignNumber, OrgLogin};
use crate::error::AppError;
use crate::github::models::RepoAlert;
use crate::github::GitHubClient;
use crate::service::alert_index;
use crate::service::campaign_records::{info, record_of};
use crate::service::snapshots::keep_snapshot;
use crate::state::AppState;
use crate::store::campaigns::{Record, RecordedAlert};
use futures_util::StreamExt;
use secrecy::SecretString;
use std::collections::{BTreeMap, HashMap};

/// Repositories read at once: as many as the token may have under way (`github::client`).
const IN_FLIGHT: usize = crate::github::client::MAX_IN_FLIGHT_PER_TOKEN;

pub async fn alerts_page(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
    number: CampaignNumber,
    query: &AlertsQuery,
) -> Result<CampaignAlerts, AppError> {
    // One round of GitHub waiting for someone GitHub has just said manages the org's campaigns:
    // the campaign and, at the same time, the live states of the alerts recorded for its number.
    // Anyone else waits for GitHub's own check (the campaign) before the app's record is read.
    // A record still pending (its create's answer was lost) is claimed once GitHub has named the
    // campaign, and read then.
    // Not known yet: the index's sync asks GitHub beside the campaign, its answer used only
    // once the campaign has shown the caller may read the org's alerts.
    let known = state.managers.known_managing(token, org).await;
    let (c, early, asked) = tokio::join!(
        state.github.get_campaign(token, org, number),
        async {
            match known {
                true => bound_with_live_states(state, token, org, number).await,
                false => Ok(None),
            }
        },
        async {
            match known {
                true => None,
                false => alert_index::ask_first_page(state, token, org).await,
            }
        }
    );
    let campaign = crate::service::views::view_of(&state.settings, org, c?);
    // GitHub shows a campaign to its org's owners and security managers only.
    state.managers.seen_managing(token, org).await;
    let (record, (alerts, unreadable, synced_at)) = match early? {
        Some(read) => read,
        None => {
            let record = record_of(state, org, &campaign).await?;
            let read = match &record {
                Some(r) => states_read(state, token, org, &r.alerts, asked).await?,
                None => (Vec::new(), Vec::new(), None),
            };
            (record, read)
        }
    };
    let mut repos = progress_by_repository(&alerts);
    if record.is_some() {
        keep_snapshot(state, org, &campaign, Some(repos.clone()));
    } else {
        keep_snapshot(state, org, &campaign, None);
    }
    query.sort.sort(&mut repos);
    let mut rules: Vec<String> = alerts.iter().map(|a| a.rule_id.clone()).collect();
    rules.sort();
    rules.dedup();
    let mut assignees: Vec<String> = alerts.iter().flat_map(|a| a.assignees.clone()).collect();
    assignees.sort();
    assignees.dedup();
    let matching: Vec<CampaignAlert> = alerts.into_iter().filter(|a| query.matches(a)).collect();
    let page = query.page;
    let shown = matching
        .iter()
        .skip((page - 1) * ALERTS_PAGE_SIZE)
        .take(ALERTS_PAGE_SIZE)
        .cloned()
        .collect();
    Ok(CampaignAlerts {
        campaign,
        record: record.as_ref().map(info),
        repos,
        alerts: shown,
        matching: matching.len(),
        page,
        rules,
        assignees,
        unreadable,
        synced_at,
    })
}

/// The record bound to campaign `number`, with its alerts' states; `None` when there is none
/// yet (created elsewhere, or pending).
async fn bound_with_live_states(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
    number: CampaignNumber,
) -> Result<Option<(Option<Record>, StatesRead)>, AppError> {
    let Some(record) = state.store.campaigns().bound(org, number).await? else {
        return Ok(None);
    };
    let read = campaign_alert_states(state, token, org, &record.alerts).await?;
    Ok(Some((Some(record), read)))
}

/// The recorded alerts with their states, and the repositories whose alerts could not be read
/// (their alerts stay `unknown`): from the org's alert index once it is ready, else read live
/// from GitHub. The time the index last matched GitHub, when it was read.
pub async fn campaign_alert_states(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
    recorded: &[RecordedAlert],
) -> Result<StatesRead, AppError> {
    states_read(state, token, org, recorded, None).await
}

/// [`campaign_alert_states`], with the index's sync begun already ([`alert_index::ask_first_page`]).
async fn states_read(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
    recorded: &[RecordedAlert],
    asked: Option<alert_index::FirstPage>,
) -> Result<StatesRead, AppError> {
    if let Some(read) = from_index(state, token, org, recorded, asked).await? {
        return Ok(read);
    }
    let (alerts, unreadable) = live_alerts(&state.github, token, org, recorded).await;
    Ok((alerts, unreadable, None))
}

/// The recorded alerts with their states from the org's alert index, synced first if it is due;
/// `None` when the index is not ready (read GitHub then).
pub async fn from_index(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
    recorded: &[RecordedAlert],
    asked: Option<alert_index::FirstPage>,
) -> Result<Option<StatesRead>, AppError> {
    let Some(at) = alert_index::ready_with(state, token, org, asked).await? else {
        return Ok(None);
    };
    let (alerts, unreadable) = indexed_states(state, org, recorded).await?;
    Ok(Some((alerts, unreadable, Some(at))))
}

/// A campaign's alerts with their states, the repositories not read, and the index's time.
pub type StatesRead = (
    Vec<CampaignAlert>,
    Vec<String>,
    Option<chrono::DateTime<chrono::Utc>>,
);

/// The recorded alerts with their states in the org's index; a repository none of whose alerts
/// the index holds (deleted, or no longer scanned) is named as not read.
async fn indexed_states(
    state: &AppState,
    org: &OrgLogin,
    recorded: &[RecordedAlert],
) -> Result<(Vec<CampaignAlert>, Vec<String>), AppError> {
    let keys: Vec<(i64, i64)> = recorded
        .iter()
        .map(|a| (a.repository_id, a.number))
        .collect();
    let mut found: HashMap<(i64, i64), IndexedAlert> = (state.store.alert_index())
        .alerts(org, &keys)
        .await?
        .into_iter()
        .map(|a| ((a.row.repo_id, a.row.number), a))
        .collect();
    let mut read: BTreeMap<&str, bool> = BTreeMap::new();
    let mut alerts: Vec<CampaignAlert> = recorded
        .iter()
        .map(|r| {
            let hit = found.remove(&(r.repository_id, r.number));
            *read.entry(&r.repository).or_default() |= hit.is_some();
            match hit {
                Some(a) => indexed_row(&r.repository, a),
                None => unknown(&r.repository, r.number),
            }
        })
        .collect();
    let unreadable = read
        .into_iter()
        .filter(|(_, any)| !any)
        .map(|(repo, _)| repo.to_owned());
    let unreadable = unreadable.collect();
    alerts.sort_by(|a, b| (&a.repository, a.number).cmp(&(&b.repository, b.number)));
    Ok((alerts, unreadable))
}

fn indexed_row(repo: &str, a: IndexedAlert) -> CampaignAlert {
    let r = a.row;
    CampaignAlert {
        repository: repo.to_owned(),
        number: r.number,
        rule_id: r.rule_id,
        rule_name: r.rule_name,
        severity: r.severity,
        state: a.state,
        dismissed_reason: a.dismissed_reason,
        fixed_at: a.fixed_at,
        dismissed_at: a.dismissed_at,
        path: r.path,
        line: Some(r.line).filter(|l| *l > 0),
        html_url: r.html_url,
        assignees: a.assignees,
    }
}

/// The recorded alerts with their live states, repository by repository, `IN_FLIGHT` at a
/// time; and the repositories that could not be read (their alerts stay `unknown`).
pub async fn live_alerts(
    github: &GitHubClient,
    token: &SecretString,
    org: &OrgLogin,
    recorded: &[RecordedAlert],
) -> (Vec<CampaignAlert>, Vec<String>) {
    let mut alerts = Vec::new();
    let mut unreadable = Vec::new();
    let mut reads = repository_reads(github.clone(), token.clone(), org.clone(), recorded);
    while let Some((repo, result)) = reads.next().await {
        match result {
            Ok(rows) => alerts.extend(rows),
            Err(rows) => {
                unreadable.push(repo);
                alerts.extend(rows);
            }
        }
    }
    alerts.sort_by(|a, b| (&a.repository, a.number).cmp(&(&b.repository, b.number)));
    (alerts, unreadable)
}

/// A repository's campaign alerts, live (`Ok`) or `unknown` because GitHub would not list them.
pub type RepositoryRead = Result<Vec<CampaignAlert>, Vec<CampaignAlert>>;

/// One read a repository: its campaign alerts with live states (`Err` with them `unknown`
/// when GitHub would not list them), as each repository finishes.
pub fn repository_reads(
    github: GitHubClient,
    token: SecretString,
    org: OrgLogin,
    recorded: &[RecordedAlert],
) -> impl futures_util::Stream<Item = (String, RepositoryRead)> + Send + 'static {
    let mut by_repo: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for a in recorded {
        by_repo
            .entry(a.repository.clone())
            .or_default()
            .push(a.number);
    }
    futures_util::stream::iter(by_repo)
        .map(move |(repo, numbers)| {
            let (github, token, org) = (github.clone(), token.clone(), org.clone());
            async move {
            // `owner/name`: the owner is the org, whose login has no slash.
            let name = repo.split_once('/').map_or(repo.as_str(), |(_, n)| n).to_owned();
            let up_to = numbers.iter().copied().max().unwrap_or(0);
            match github.list_repo_alerts(&token, &org, &name, up_to).await {
                Ok(live) => {
                    let rows = rows_of(&repo, &numbers, live);
                    (repo, Ok(rows))
                }
                Err(e) => {
                    tracing::info!(repository = %repo, error = %e, "could not list a repository's alerts");
                    let rows = rows_of(&repo, &numbers, Vec::new());
                    (repo, Err(rows))
                }
            }
            }
        })
        .buffer_unordered(IN_FLIGHT)
}

fn rows_of(repo: &str, numbers: &[i64], live: Vec<RepoAlert>) -> Vec<CampaignAlert> {
    let mut live: HashMap<i64, RepoAlert> = live.into_iter().map(|a| (a.number, a)).collect();
    numbers
        .iter()
        .map(|n| match live.remove(n) {
            Some(a) => row(repo, a),
            None => unknown(repo, *n),
        })
        .collect()
}

/// An alert GitHub did not list (deleted, or its repository is gone).
fn unknown(repo: &str, number: i64) -> CampaignAlert {
    CampaignAlert {
        repository: repo.to_owned(),
        number,
        rule_id: String::new(),
        rule_name: String::new(),
        severity: String::new(),
        state: LiveState::Unknown,
        dismissed_reason: None,
        fixed_at: None,
        dismissed_at: None,
        path: String::new(),
        line: None,
        html_url: String::new(),
        assignees: Vec::new(),
    }
}

fn row(repo: &str, a: RepoAlert) -> CampaignAlert {
    let state = crate::service::alert_index::live_state(a.state);
    let location = a.most_recent_instance.location.unwrap_or_default();
    CampaignAlert {
        repository: repo.to_owned(),
        number: a.number,
        rule_id: a.rule.id.unwrap_or_default(),
        rule_name: a.rule.name.unwrap_or_default(),
        severity: a
            .rule
            .security_severity_level
            .or(a.rule.severity)
            .unwrap_or_default(),
        state,
        dismissed_reason: a.dismissed_reason,
        fixed_at: a.fixed_at,
        dismissed_at: a.dismissed_at,
        path: location.path.unwrap_or_default(),
        line: location.start_line,
        html_url: crate::domain::campaign_fields::web_url_or_empty(a.html_url),
        assignees: alert_index::logins(a.assignees),
    }
}
