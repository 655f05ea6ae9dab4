//! Security campaigns: list a page, read, create, update, delete.

use super::client::*;
use super::models::*;
use crate::domain::{CampaignNumber, OrgLogin};
use crate::error::AppError;
use reqwest::Method;
use secrecy::SecretString;
use url::Url;

impl GitHubClient {
    /// `campaigns/list-org-campaigns`: one page, with its page links.
    pub async fn list_campaigns(
        &self,
        token: &SecretString,
        org: &OrgLogin,
        query: &CampaignListQuery,
    ) -> Result<Page<CampaignSummary>, AppError> {
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
        self.get_page(url, token).await
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
