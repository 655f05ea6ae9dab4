//! Code-scanning alerts: the org's (all pages, or one page with its links) and a repository's.

use super::client::*;
use super::models::*;
use crate::domain::OrgLogin;
use crate::error::AppError;
use secrecy::SecretString;

impl GitHubClient {
    /// `code-scanning/list-alerts-for-org`: every page (100 at a time) up to `cap` alerts.
    pub async fn list_org_alerts(
        &self,
        token: &SecretString,
        org: &OrgLogin,
        query: &AlertListQuery,
        cap: usize,
    ) -> Result<Vec<CodeScanningAlert>, AppError> {
        let url = self.url(&["orgs", org.as_str(), "code-scanning", "alerts"]);
        self.get_all(url, &alert_params(query), token, cap).await
    }

    /// One page (100 alerts) of `code-scanning/list-alerts-for-org`, with its page links, so that
    /// callers can fetch the remaining pages concurrently once `last` is known.
    pub async fn list_org_alerts_page(
        &self,
        token: &SecretString,
        org: &OrgLogin,
        query: &AlertListQuery,
        page: u32,
    ) -> Result<Page<CodeScanningAlert>, AppError> {
        let mut url = self.url(&["orgs", org.as_str(), "code-scanning", "alerts"]);
        {
            let mut q = url.query_pairs_mut();
            q.extend_pairs(alert_params(query));
            q.append_pair("per_page", &MAX_PER_PAGE.to_string());
            q.append_pair("page", &page.max(1).to_string());
        }
        self.get_page(url, token).await
    }

    /// `code-scanning/list-alerts-for-repo`: every alert of `owner/repo` (all states), oldest
    /// first, up to the page that holds alert `up_to` (alert numbers grow with creation).
    pub async fn list_repo_alerts(
        &self,
        token: &SecretString,
        owner: &OrgLogin,
        repo: &str,
        up_to: i64,
    ) -> Result<Vec<RepoAlert>, AppError> {
        let url = self.url(&["repos", owner.as_str(), repo, "code-scanning", "alerts"]);
        let params = [("sort", "created"), ("direction", "asc")];
        self.get_while(url, &params, token, |page: &[RepoAlert]| {
            page.iter().all(|a| a.number < up_to)
        })
        .await
    }
}

/// The query parameters of an alert list request, for the filters that are set.
fn alert_params(query: &AlertListQuery) -> Vec<(&'static str, &str)> {
    [
        ("state", &query.state),
        ("severity", &query.severity),
        ("tool_name", &query.tool_name),
        ("sort", &query.sort),
        ("direction", &query.direction),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.as_deref().map(|v| (k, v)))
    .collect()
}
