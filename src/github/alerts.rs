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

    /// One page (100) of the org's alerts of every state (or of `state`: `open`, `closed`), the
    /// most recently updated first (what the app's alert index syncs from), asked with
    /// `If-None-Match: etag`: `NotModified` when GitHub answers 304 (nothing changed since; it
    /// costs no rate limit).
    pub async fn org_alerts_by_update(
        &self,
        token: &SecretString,
        org: &OrgLogin,
        state: Option<&str>,
        page: u32,
        etag: Option<&str>,
    ) -> Result<Changed<CodeScanningAlert>, AppError> {
        let mut url = self.url(&["orgs", org.as_str(), "code-scanning", "alerts"]);
        if let Some(state) = state {
            url.query_pairs_mut().append_pair("state", state);
        }
        url.query_pairs_mut()
            .append_pair("sort", "updated")
            .append_pair("direction", "desc")
            .append_pair("per_page", &MAX_PER_PAGE.to_string())
            .append_pair("page", &page.max(1).to_string());
        let etag = etag.and_then(|e| reqwest::header::HeaderValue::from_str(e).ok());
        let condition = Condition::Given(etag);
        let answer =
            (self.send_if(reqwest::Method::GET, url, token, None::<&()>, &condition)).await?;
        if answer.status() == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Changed::NotModified);
        }
        let etag = answer.header(reqwest::header::ETAG);
        Ok(Changed::Page {
            links: page_links(answer.headers()),
            items: decode(answer)?,
            etag,
        })
    }

    /// `code-scanning/list-alerts-for-repo`: the alerts of `owner/repo` (all states), oldest
    /// first, up to the page that holds alert `up_to`. Alert numbers grow with creation, so alert
    /// `up_to` is on page ⌈up_to / 100⌉ or before (before when alerts were deleted). Page 1 comes
    /// first and says (`Link: rel="last"`) how many pages there are; the others it takes are
    /// then asked for at once, whatever `up_to` claims: two rounds of waiting at most, and never a
    /// page past the last (the token's share of the client's slots bounds how many are under way).
    pub async fn list_repo_alerts(
        &self,
        token: &SecretString,
        owner: &OrgLogin,
        repo: &str,
        up_to: i64,
    ) -> Result<Vec<RepoAlert>, AppError> {
        let page_url = |page: u32| {
            let mut url = self.url(&["repos", owner.as_str(), repo, "code-scanning", "alerts"]);
            url.query_pairs_mut()
                .append_pair("sort", "created")
                .append_pair("direction", "asc")
                .append_pair("per_page", &MAX_PER_PAGE.to_string())
                .append_pair("page", &page.to_string());
            url
        };
        let first: Page<RepoAlert> = self.get_page(page_url(1), token).await?;
        let reached = first.items.iter().any(|a| a.number >= up_to);
        let last = match (first.links.last, first.links.next) {
            (Some(last), _) => i64::from(last),
            (None, None) => 1,
            // Pages linked by cursor only: follow them one by one.
            (None, Some(_)) if !reached => {
                let url = self.url(&["repos", owner.as_str(), repo, "code-scanning", "alerts"]);
                let params = [("sort", "created"), ("direction", "asc")];
                return (self.get_while(url, &params, token, |page: &[RepoAlert]| {
                    page.iter().all(|a| a.number < up_to)
                }))
                .await;
            }
            (None, Some(_)) => 1,
        };
        let holding = (up_to.max(1) - 1) / i64::from(MAX_PER_PAGE) + 1;
        let more = if reached {
            1
        } else {
            holding.min(last).min(MAX_PAGES as i64)
        };
        let rest = (2..=more).map(|page| self.get_page::<RepoAlert>(page_url(page as u32), token));
        let rest = futures_util::future::try_join_all(rest).await?;
        let mut alerts = first.items;
        alerts.extend(rest.into_iter().flat_map(|p| p.items));
        Ok(alerts)
    }
}

impl GitHubClient {
    /// `code-scanning/update-alert`: dismiss, reopen or assign alert `number` of `owner/repo`;
    /// GitHub's answer is the alert as it is now.
    pub async fn update_alert(
        &self,
        token: &SecretString,
        owner: &OrgLogin,
        repo: &str,
        number: i64,
        body: &UpdateAlertBody,
    ) -> Result<RepoAlert, AppError> {
        let number = number.to_string();
        let url = self.url(&[
            "repos",
            owner.as_str(),
            repo,
            "code-scanning",
            "alerts",
            &number,
        ]);
        decode(
            self.send(reqwest::Method::PATCH, url, token, Some(body))
                .await?,
        )
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
