//! Open code-scanning alerts for the picker, loaded in batches of pages so the browser can show
//! progress; and the context of the create form.

use crate::api::campaigns::EditOptions;
use crate::error::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One alert as the picker shows it: everything it filters and groups by, nothing more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertRow {
    pub repo_id: i64,
    pub repo: String,
    pub number: i64,
    pub rule_id: String,
    pub rule_name: String,
    /// Security severity (`critical`…`low`) when the rule has one, else the rule's `error`/`warning`/`note`.
    pub severity: String,
    /// The rule's own severity (`error`, `warning`, `note`), shown beside the security severity.
    pub rule_severity: String,
    pub tool: String,
    pub path: String,
    pub line: i64,
    pub created_at: DateTime<Utc>,
    pub html_url: String,
    /// `CWE-79`, from tags such as `external/cwe/cwe-079`.
    pub cwes: Vec<String>,
}

impl AlertRow {
    pub fn key(&self) -> crate::domain::alert_selection::AlertKey {
        crate::domain::alert_selection::AlertKey {
            repo_id: self.repo_id,
            number: self.number,
        }
    }
}

/// Pages `from..from+count` of the org's open alerts, and the number of the last page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertBatch {
    pub alerts: Vec<AlertRow>,
    /// GitHub's last page (100 alerts a page), when its `Link` header says so.
    pub last_page: Option<u32>,
    /// The last page fetched links a next one (`rel="next"`), or is full.
    pub more: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateFormContext {
    pub choices: EditOptions,
    pub open_campaigns: usize,
}

/// `CWE-89, cwe-78 79` → `["CWE-89", "CWE-78", "CWE-79"]`: what people type in a CWE filter.
pub fn parse_cwe_list(text: &str) -> Vec<String> {
    text.split([',', ' '])
        .map(|s| {
            s.trim()
                .trim_start_matches("CWE-")
                .trim_start_matches("cwe-")
        })
        .filter_map(|n| n.parse::<u32>().ok())
        .map(|n| format!("CWE-{n}"))
        .collect()
}

/// `external/cwe/cwe-079` → `CWE-79`.
pub fn cwe_of(tag: &str) -> Option<String> {
    let n = tag.strip_prefix("external/cwe/cwe-")?;
    let n: u32 = n.parse().ok()?;
    Some(format!("CWE-{n}"))
}

/// The most pages one call fetches; the browser calls again for the rest.
pub const MAX_PAGES_PER_CALL: u32 = 20;

/// The calls (`from_page`, `pages`) that fetch pages 2 to `last_page`, once the first page has
/// told how many there are. The browser runs a few at a time.
pub fn remaining_calls(last_page: u32) -> Vec<(u32, u32)> {
    (2..=last_page)
        .step_by(MAX_PAGES_PER_CALL as usize)
        .map(|from| (from, MAX_PAGES_PER_CALL.min(last_page + 1 - from)))
        .collect()
}

/// The highest page a call may start at: GitHub lists at most 100,000 alerts per query (1,000
/// pages of 100), and this app reads far fewer.
pub const MAX_FROM_PAGE: u32 = 1_000;

/// The pages a call asks for: `from_page` (at least 1) and up to `MAX_PAGES_PER_CALL` after it.
/// A start beyond `MAX_FROM_PAGE` is refused, so no page number overflows.
pub fn page_range(from_page: u32, pages: u32) -> Result<std::ops::Range<u32>, AppError> {
    if from_page > MAX_FROM_PAGE {
        return Err(AppError::invalid(
            "from_page",
            format!("Pages start at 1 and end at {MAX_FROM_PAGE}."),
        ));
    }
    let from = from_page.max(1);
    Ok(from..from + pages.clamp(1, MAX_PAGES_PER_CALL))
}

#[server(endpoint = "alerts/load")]
pub async fn load_alerts(org: String, from_page: u32, pages: u32) -> Result<AlertBatch, AppError> {
    use crate::domain::OrgLogin;
    super::context::finish(
        async move {
            let org = OrgLogin::parse(&org).map_err(|_| AppError::NotFound)?;
            let range = page_range(from_page, pages)?;
            super::context::with_github(|state, token| async move {
                let pages = open_alert_pages(&state.github, &token, &org, range).await;
                let mut alerts = Vec::new();
                let mut last_page = None;
                let mut more = false;
                for page in pages {
                    let page = page?;
                    last_page = last_page
                        .or(page.links.last)
                        .or(page.links.prev.map(|p| p + 1));
                    // A `next` link with a page number, or a full page (GitHub may link the next
                    // page by cursor, without `page=`): either way there may be more.
                    more = page.links.next.is_some()
                        || page.items.len() as u32 == crate::github::MAX_PER_PAGE;
                    let empty = page.items.is_empty();
                    alerts.extend(page.items.into_iter().map(row_of));
                    if empty {
                        break;
                    }
                }
                Ok(AlertBatch {
                    alerts,
                    last_page,
                    more,
                })
            })
            .await
        }
        .await,
    )
}

/// How many pages of alerts one server call asks GitHub for at a time. GitHub counts concurrent
/// requests per user against its secondary rate limits, so this stays well below its 100.
#[cfg(feature = "ssr")]
const PAGES_IN_FLIGHT: usize = 8;

#[cfg(feature = "ssr")]
fn open_only() -> crate::github::models::AlertListQuery {
    crate::github::models::AlertListQuery {
        state: Some("open".into()),
        ..Default::default()
    }
}

/// The given pages of the org's open alerts, in order, a few requests at a time.
#[cfg(feature = "ssr")]
async fn open_alert_pages(
    github: &crate::github::GitHubClient,
    token: &secrecy::SecretString,
    org: &crate::domain::OrgLogin,
    pages: std::ops::Range<u32>,
) -> Vec<Result<crate::github::models::Page<crate::github::models::CodeScanningAlert>, AppError>> {
    use futures_util::StreamExt;
    let query = &open_only();
    futures_util::stream::iter(pages)
        .map(|p| github.list_org_alerts_page(token, org, query, p))
        .buffered(PAGES_IN_FLIGHT)
        .collect()
        .await
}

/// Every open alert of the org (up to 20,000), each once: page 1, then the rest a few at a time
/// when its `Link` header names the last page; page by page otherwise.
#[cfg(feature = "ssr")]
async fn all_open_alerts(
    github: &crate::github::GitHubClient,
    token: &secrecy::SecretString,
    org: &crate::domain::OrgLogin,
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
        None if first.links.next.is_some()
            || first.items.len() as u32 == crate::github::MAX_PER_PAGE =>
        {
            let cap = (MAX_PAGES * crate::github::MAX_PER_PAGE) as usize;
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

#[cfg(feature = "ssr")]
fn row_of(a: crate::github::models::CodeScanningAlert) -> AlertRow {
    let location = a.most_recent_instance.location.unwrap_or_default();
    let tags = a.rule.tags.unwrap_or_default();
    // GitHub's `name` is often the rule id itself; the description is the readable title then.
    let readable = a
        .rule
        .name
        .clone()
        .filter(|n| Some(n) != a.rule.id.as_ref());
    AlertRow {
        repo_id: a.repository.id,
        repo: a.repository.name,
        number: a.number,
        rule_id: a.rule.id.unwrap_or_default(),
        rule_name: readable.or(a.rule.description).unwrap_or_default(),
        rule_severity: a.rule.severity.clone().unwrap_or_default(),
        severity: a
            .rule
            .security_severity_level
            .or(a.rule.severity)
            .unwrap_or_else(|| "none".into()),
        tool: a.tool.name.unwrap_or_default(),
        path: location.path.unwrap_or_default(),
        line: location.start_line.unwrap_or_default(),
        created_at: a.created_at,
        html_url: crate::domain::campaign_fields::web_url_or_empty(a.html_url),
        cwes: tags.iter().filter_map(|t| cwe_of(t)).collect(),
    }
}

/// Filters of the server-rendered alert list (the picker without JavaScript), from the URL.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AlertQuery {
    pub repo: String,
    /// `critical`, `high`, …, or `critical+high`.
    pub severity: String,
    pub tool: String,
    /// A rule id, e.g. `js/sql-injection`.
    pub rule: String,
    /// `CWE-89, CWE-79`
    pub cwe: String,
    pub path: String,
    pub q: String,
}

impl AlertQuery {
    pub fn matches(&self, a: &AlertRow) -> bool {
        let lower = |s: &str| s.to_ascii_lowercase();
        let cwes = parse_cwe_list(&self.cwe);
        (self.repo.is_empty() || a.repo == self.repo)
            && (self.severity.is_empty()
                || self.severity.split(['+', ' ']).any(|s| s == a.severity))
            && (self.tool.is_empty() || a.tool == self.tool)
            && (self.rule.is_empty() || a.rule_id == self.rule)
            && (cwes.is_empty() || a.cwes.iter().any(|c| cwes.contains(c)))
            && (self.path.is_empty() || lower(&a.path).contains(&lower(&self.path)))
            && (self.q.is_empty() || {
                let q = lower(&self.q);
                lower(&a.rule_name).contains(&q)
                    || lower(&a.rule_id).contains(&q)
                    || lower(&a.path).contains(&q)
                    || lower(&a.repo).contains(&q)
            })
    }
}

/// How many rows the server-rendered list shows.
pub const SERVER_LIST_MAX: usize = 200;

/// The picker without JavaScript: every open alert is read, filtered here, and the first 200
/// matches are returned with the total.
#[server(endpoint = "alerts/search")]
pub async fn search_alerts(
    org: String,
    query: AlertQuery,
) -> Result<(Vec<AlertRow>, usize), AppError> {
    use crate::domain::OrgLogin;
    super::context::finish(
        async move {
            let org = OrgLogin::parse(&org).map_err(|_| AppError::NotFound)?;
            super::context::with_github(|state, token| async move {
                let all = all_open_alerts(&state.github, &token, &org).await?;
                let matching: Vec<AlertRow> =
                    all.into_iter().filter(|a| query.matches(a)).collect();
                let total = matching.len();
                Ok((matching.into_iter().take(SERVER_LIST_MAX).collect(), total))
            })
            .await
        }
        .await,
    )
}

/// Members, teams and how many campaigns are open (GitHub allows ten).
#[server(endpoint = "alerts/new_campaign_context")]
pub async fn new_campaign_context(org: String) -> Result<CreateFormContext, AppError> {
    use crate::github::models::{CampaignListQuery, CampaignState};
    let choices = super::campaigns::load_edit_choices(org.clone()).await?;
    super::context::finish(
        async move {
            let org = crate::domain::OrgLogin::parse(&org).map_err(|_| AppError::NotFound)?;
            super::context::with_github(|state, token| async move {
                let q = CampaignListQuery {
                    state: Some(CampaignState::Open),
                    per_page: Some(100),
                    ..Default::default()
                };
                let open = state
                    .github
                    .list_campaigns(&token, &org, &q)
                    .await?
                    .items
                    .len();
                Ok(CreateFormContext {
                    choices,
                    open_campaigns: open,
                })
            })
            .await
        }
        .await,
    )
}

#[cfg(test)]
mod tests {
    use super::{cwe_of, remaining_calls, AlertQuery, AlertRow};

    #[test]
    fn the_server_list_filters_combine_like_the_picker() {
        let a = AlertRow {
            repo_id: 7,
            repo: "web-storefront".into(),
            number: 3,
            rule_id: "js/sql-injection".into(),
            rule_name: "Database query built from user-controlled sources".into(),
            severity: "high".into(),
            rule_severity: "error".into(),
            tool: "CodeQL".into(),
            path: "src/api/db.js".into(),
            line: 3,
            created_at: chrono::Utc::now(),
            html_url: String::new(),
            cwes: vec!["CWE-89".into()],
        };
        let q = |f: fn(&mut AlertQuery)| {
            let mut q = AlertQuery::default();
            f(&mut q);
            q.matches(&a)
        };
        assert!(q(|_| {}), "no filter: everything");
        assert!(q(|q| q.rule = "js/sql-injection".into()));
        assert!(!q(|q| q.rule = "js/xss".into()), "a rule id matches whole");
        assert!(q(|q| q.severity = "critical+high".into()));
        assert!(!q(|q| q.severity = "critical".into()));
        assert!(q(|q| q.cwe = "cwe-79, 89".into()));
        assert!(q(|q| q.path = "API/DB".into()), "path: any case");
        assert!(
            q(|q| q.q = "storefront".into()),
            "free text reads the repository too"
        );
        assert!(!q(|q| {
            q.rule = "js/sql-injection".into();
            q.tool = "Semgrep".into();
        }));
    }

    #[test]
    fn the_remaining_pages_are_split_into_calls_of_twenty() {
        assert_eq!(remaining_calls(1), vec![]);
        assert_eq!(remaining_calls(2), vec![(2, 1)]);
        assert_eq!(remaining_calls(21), vec![(2, 20)]);
        assert_eq!(remaining_calls(24), vec![(2, 20), (22, 3)]);
        let calls = remaining_calls(104);
        assert_eq!(calls.len(), 6);
        assert_eq!(calls.last(), Some(&(102, 3)));
        // Every page from 2 to the last, once.
        let pages: Vec<u32> = calls.iter().flat_map(|&(f, n)| f..f + n).collect();
        assert_eq!(pages, (2..=104).collect::<Vec<_>>());
    }

    #[test]
    fn cwe_tags_read_as_people_write_them() {
        assert_eq!(cwe_of("external/cwe/cwe-079").as_deref(), Some("CWE-79"));
        assert_eq!(cwe_of("external/cwe/cwe-1333").as_deref(), Some("CWE-1333"));
        assert_eq!(cwe_of("security"), None);
    }
}
