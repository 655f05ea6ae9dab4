//! An organisation's members, owners, teams and repositories.

use super::client::*;
use super::models::*;
use crate::domain::OrgLogin;
use crate::error::AppError;
use secrecy::SecretString;

impl GitHubClient {
    /// `orgs/list-members`: `GET /orgs/{org}/members`, every page up to `cap` items.
    pub async fn list_org_members(
        &self,
        token: &SecretString,
        org: &OrgLogin,
        cap: usize,
    ) -> Result<Vec<SimpleUser>, AppError> {
        self.list_members_in_role(token, org, None, cap).await
    }

    /// `orgs/list-members` with `role=admin`: the organisation's owners, up to `cap`.
    pub async fn list_org_owners(
        &self,
        token: &SecretString,
        org: &OrgLogin,
        cap: usize,
    ) -> Result<Vec<SimpleUser>, AppError> {
        self.list_members_in_role(token, org, Some("admin"), cap)
            .await
    }

    async fn list_members_in_role(
        &self,
        token: &SecretString,
        org: &OrgLogin,
        role: Option<&str>,
        cap: usize,
    ) -> Result<Vec<SimpleUser>, AppError> {
        let url = self.url(&["orgs", org.as_str(), "members"]);
        let params: Vec<(&str, &str)> = role.map(|r| ("role", r)).into_iter().collect();
        self.get_all(url, &params, token, cap).await
    }

    /// `teams/list`: `GET /orgs/{org}/teams`, every page up to `cap` items.
    pub async fn list_teams(
        &self,
        token: &SecretString,
        org: &OrgLogin,
        cap: usize,
    ) -> Result<Vec<Team>, AppError> {
        let url = self.url(&["orgs", org.as_str(), "teams"]);
        self.get_all(url, &[], token, cap).await
    }

    /// `repos/list-for-org`: the org's repositories, a page of 100 at a time, until every id in
    /// `wanted` has been seen (or the list ends). Those found, in GitHub's order.
    pub async fn find_org_repos(
        &self,
        token: &SecretString,
        org: &OrgLogin,
        wanted: &[i64],
    ) -> Result<Vec<RepositoryRef>, AppError> {
        let url = self.url(&["orgs", org.as_str(), "repos"]);
        let mut missing: std::collections::HashSet<i64> = wanted.iter().copied().collect();
        let seen: Vec<RepositoryRef> = self
            .get_while(
                url,
                &[("sort", "created")],
                token,
                |page: &[RepositoryRef]| {
                    for r in page {
                        missing.remove(&r.id);
                    }
                    !missing.is_empty()
                },
            )
            .await?;
        Ok(seen
            .into_iter()
            .filter(|r| wanted.contains(&r.id))
            .collect())
    }
}
