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
    use super::context::{finish, with_github};
    finish(
        with_github(|state, token| async move {
            let c = state.github.get_campaign(&token, &org, number).await?;
            // GitHub shows a campaign to its org's owners and security managers only.
            state.managers.seen_managing(&token, &org).await;
            let campaign = super::views::view_of(&state.settings, &org, c);
            ssr::keep_snapshot(&state, &org, &campaign, None);
            let (record, history) = tokio::join!(
                ssr::record_of(&state, &org, &campaign),
                ssr::history_of(&state, &org, &campaign),
            );
            Ok(CampaignDetail {
                record: record?.map(|r| ssr::info(&r)),
                history: history?,
                campaign,
            })
        })
        .await,
    )
}

/// The alerts page: per-repository progress and one page of the filtered alerts.
#[server(endpoint = "campaigns/alerts")]
pub async fn load_campaign_alerts(
    org: OrgLogin,
    number: CampaignNumber,
    #[server(flatten)] filter: AlertsFilter,
) -> Result<CampaignAlerts, AppError> {
    use super::context::{finish, with_github};
    finish(
        async move {
            let query = filter.parse().map_err(super::context::filter_refused)?;
            with_github(|state, token| async move {
                ssr::alerts_page(&state, &token, &org, number, &query).await
            })
            .await
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use crate::domain::campaign::CampaignView;
    use crate::domain::campaign_alerts::{
        progress_by_repository, AlertsQuery, CampaignAlert, CampaignAlerts, RecordInfo,
        ALERTS_PAGE_SIZE,
    };
    use crate::domain::history::{thin, Snapshot};
    use crate::domain::{CampaignNumber, OrgLogin};
    use crate::error::AppError;
    use crate::github::models::{
        AlertState, CampaignListQuery, CampaignSummary, RepoAlert, RepositoryAlerts,
    };
    use crate::github::GitHubClient;
    use crate::state::AppState;
    use crate::store::campaigns::{Record, RecordedAlert};
    use futures_util::StreamExt;
    use secrecy::SecretString;
    use std::collections::{BTreeMap, HashMap};

    /// Repositories read at once (GitHub asks integrators to keep concurrency low).
    const IN_FLIGHT: usize = 8;
    /// Points the burndown is drawn from, at most.
    const HISTORY_POINTS: usize = 200;

    pub fn unavailable(err: sqlx::Error) -> AppError {
        tracing::error!(error = %err, "could not read the campaign records");
        AppError::StoreUnavailable
    }

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
        let number = c.number.get();
        (records
            .find(org.as_str(), number, &c.name, c.created_at)
            .await)
            .map_err(unavailable)
    }

    pub async fn history_of(
        state: &AppState,
        org: &OrgLogin,
        c: &CampaignView,
    ) -> Result<Vec<Snapshot>, AppError> {
        let since = c.created_at - chrono::Duration::days(1);
        let records = state.store.campaigns();
        let points = records.history(org.as_str(), c.number.get(), since).await;
        Ok(thin(points.map_err(unavailable)?, HISTORY_POINTS))
    }

    /// GitHub's campaigns as the pages show them, each one's counts kept as read now.
    pub fn viewed(
        state: &AppState,
        org: &OrgLogin,
        items: Vec<crate::github::models::CampaignSummary>,
    ) -> Vec<CampaignView> {
        let views: Vec<CampaignView> = items
            .into_iter()
            .map(|c| super::super::views::view_of(&state.settings, org, c))
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
        let Some(p) = c.progress else {
            return;
        };
        let snapshot = Snapshot {
            at: chrono::Utc::now(),
            open: p.open,
            in_progress: p.in_progress,
            closed: p.closed,
        };
        let (records, org, number) = (state.store.campaigns(), org.to_string(), c.number.get());
        tokio::spawn(async move {
            let repos = repos.as_deref();
            if let Err(e) = records.snapshot(&org, number, &snapshot, repos).await {
                tracing::warn!(error = %e, "could not keep a campaign snapshot");
            }
        });
    }

    pub async fn alerts_page(
        state: &AppState,
        token: &SecretString,
        org: &OrgLogin,
        number: CampaignNumber,
        query: &AlertsQuery,
    ) -> Result<CampaignAlerts, AppError> {
        let c = state.github.get_campaign(token, org, number).await?;
        let campaign = super::super::views::view_of(&state.settings, org, c);
        let record = record_of(state, org, &campaign).await?;
        let (alerts, unreadable) = match &record {
            Some(r) => live_alerts(&state.github, token, org, &r.alerts).await,
            None => (Vec::new(), Vec::new()),
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
        let matching: Vec<CampaignAlert> =
            alerts.into_iter().filter(|a| query.matches(a)).collect();
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
            unreadable,
        })
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
                None => CampaignAlert {
                    repository: repo.to_owned(),
                    number: *n,
                    rule_id: String::new(),
                    rule_name: String::new(),
                    severity: String::new(),
                    state: "unknown".into(),
                    dismissed_reason: None,
                    fixed_at: None,
                    dismissed_at: None,
                    path: String::new(),
                    line: None,
                    html_url: String::new(),
                },
            })
            .collect()
    }

    fn row(repo: &str, a: RepoAlert) -> CampaignAlert {
        let state = match a.state {
            Some(AlertState::Open) => "open",
            Some(AlertState::Fixed) => "fixed",
            Some(AlertState::Dismissed) => "dismissed",
            _ => "unknown",
        };
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
            state: state.into(),
            dismissed_reason: a.dismissed_reason,
            fixed_at: a.fixed_at,
            dismissed_at: a.dismissed_at,
            path: location.path.unwrap_or_default(),
            line: location.start_line,
            html_url: crate::domain::campaign_fields::web_url_or_empty(a.html_url),
        }
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
        let since = records.pending_since(org.as_str(), name).await;
        let Some(since) = since.map_err(unavailable)? else {
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
            let found = records.find(org.as_str(), c.number.get(), name, c.created_at);
            if found.await.map_err(unavailable)?.is_some() {
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
        let name_of: HashMap<i64, String> =
            repos.into_iter().map(|r| (r.id, r.full_name)).collect();
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
        (records.begin(org.as_str(), name, created_by, &alerts).await).map_err(|e| {
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
        number: Option<i64>,
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
}
