//! Security campaigns: list a page, read, create, update, delete.

use super::client::*;
use super::models::*;
use crate::domain::{CampaignNumber, OrgLogin};
use crate::error::AppError;
use reqwest::Method;
use secrecy::SecretString;
use std::collections::HashMap;
use std::sync::Arc;
use url::Url;

impl GitHubClient {
    /// `campaigns/list-org-campaigns`: one page, with its page links.
    pub async fn list_campaigns(
        &self,
        token: &SecretString,
        org: &OrgLogin,
        query: &CampaignListQuery,
    ) -> Result<Page<CampaignSummary>, AppError> {
        self.get_page(self.list_url(org, query), token).await
    }

    /// One page of the list with every item's `alert_stats`. GitHub's list may leave them out
    /// (its example does): those items are read one by one, all at once, and one that cannot be
    /// read keeps no counts rather than failing the list. Which items of this very page came
    /// without counts is kept, so the next read of it asks for their counts beside the list
    /// itself: one round of GitHub waiting instead of two.
    pub async fn list_campaigns_with_stats(
        &self,
        token: &SecretString,
        org: &OrgLogin,
        query: &CampaignListQuery,
    ) -> Result<Page<CampaignSummary>, AppError> {
        let url = self.list_url(org, query);
        let key = url.to_string();
        let guessed = self.listed_without_stats.get(&key).unwrap_or_default();
        // One slot of the token's share is left for the list.
        let early = guessed
            .iter()
            .take(MAX_IN_FLIGHT_PER_TOKEN - 1)
            .map(|&n| async move { (n, self.get_campaign(token, org, n).await.ok()) });
        let (page, early) = tokio::join!(
            self.get_page::<CampaignSummary>(url, token),
            futures_util::future::join_all(early)
        );
        let mut page = page?;
        let without = (page.items.iter())
            .filter(|c| c.alert_stats.is_none())
            .map(|c| c.number)
            .collect();
        self.listed_without_stats.insert(key, Arc::new(without));
        let early = (early.into_iter())
            .filter_map(|(n, c)| Some((n, c?)))
            .collect();
        page.items = self
            .with_stats(token, org, std::mem::take(&mut page.items), early)
            .await;
        Ok(page)
    }

    /// `items`, each with its counts: from `known` (campaigns read already) or read now, all at
    /// once within the token's share; an item that cannot be read keeps none.
    async fn with_stats(
        &self,
        token: &SecretString,
        org: &OrgLogin,
        items: Vec<CampaignSummary>,
        mut known: HashMap<CampaignNumber, CampaignSummary>,
    ) -> Vec<CampaignSummary> {
        use futures_util::StreamExt;
        let filled = items.into_iter().map(|c| {
            let known = known.remove(&c.number);
            async move {
                if c.alert_stats.is_some() {
                    return c;
                }
                let full = match known {
                    Some(full) => Some(full),
                    None => self.get_campaign(token, org, c.number).await.ok(),
                };
                full.filter(|f| f.alert_stats.is_some()).unwrap_or(c)
            }
        });
        futures_util::stream::iter(filled)
            .buffered(MAX_IN_FLIGHT_PER_TOKEN)
            .collect()
            .await
    }

    fn list_url(&self, org: &OrgLogin, query: &CampaignListQuery) -> Url {
        let mut url = self.url(&["orgs", org.as_str(), "campaigns"]);
        {
            let mut q = url.query_pairs_mut();
            if let Some(state) = query.state {
                q.append_pair("state", state.as_str());
            }
            if let Some(sort) = &query.sort {
                q.append_pair("sort", sort);
            }
            if let Some(direction) = &query.direction {
                q.append_pair("direction", direction);
            }
            if let Some(page) = query.page {
                q.append_pair("page", &page.to_string());
            }
            if let Some(per_page) = query.per_page {
                q.append_pair("per_page", &per_page.min(MAX_PER_PAGE).to_string());
            }
        }
        url
    }

    /// `campaigns/get-campaign-summary`.
    pub async fn get_campaign(
        &self,
        token: &SecretString,
        org: &OrgLogin,
        number: CampaignNumber,
    ) -> Result<CampaignSummary, AppError> {
        let url = self.campaign_url(org, number);
        decode(self.send(Method::GET, url, token, None::<&()>).await?)
    }

    /// `campaigns/create-campaign`. Never retried: a retry could create a second campaign.
    pub async fn create_campaign(
        &self,
        token: &SecretString,
        org: &OrgLogin,
        body: &CreateCampaignBody,
    ) -> Result<CampaignSummary, AppError> {
        let url = self.url(&["orgs", org.as_str(), "campaigns"]);
        decode(self.send(Method::POST, url, token, Some(body)).await?)
    }

    /// `campaigns/update-campaign`.
    pub async fn update_campaign(
        &self,
        token: &SecretString,
        org: &OrgLogin,
        number: CampaignNumber,
        body: &UpdateCampaignBody,
    ) -> Result<CampaignSummary, AppError> {
        let url = self.campaign_url(org, number);
        decode(self.send(Method::PATCH, url, token, Some(body)).await?)
    }

    /// `campaigns/delete-campaign`.
    pub async fn delete_campaign(
        &self,
        token: &SecretString,
        org: &OrgLogin,
        number: CampaignNumber,
    ) -> Result<(), AppError> {
        let url = self.campaign_url(org, number);
        self.send(Method::DELETE, url, token, None::<&()>).await?;
        Ok(())
    }

    fn campaign_url(&self, org: &OrgLogin, number: CampaignNumber) -> Url {
        self.url(&["orgs", org.as_str(), "campaigns", &number.to_string()])
    }
}
