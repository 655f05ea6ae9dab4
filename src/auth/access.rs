//! The one access rule for what the app keeps about an org (drafts and their comments, templates,
//! the audit log, campaign history, exports): what GitHub asks for the org's campaigns, an
//! organisation owner or security manager.
//!
//! Asked of GitHub with the user's own token, as the question whose answer is the rule ("may this
//! token list the org's campaigns?"), and remembered briefly per token and org. GitHub answers a
//! member without the role, and a stranger, with 404 (its description of the campaign operations
//! lists 200/404/503 only), so the app says in words which role is needed.

use crate::domain::OrgLogin;
use crate::error::AppError;
use crate::github::cache::token_key;
use crate::github::models::CampaignListQuery;
use crate::github::GitHubClient;
use moka::future::Cache;
use secrecy::SecretString;
use std::time::Duration;

/// How long an answer is trusted: a role taken away stops working within this.
pub const ROLE_CACHE_SECONDS: u64 = 60;
/// Answers kept at most (one per token and org); the oldest go first.
const ROLE_CACHE_ENTRIES: u64 = 20_000;

/// The role answers, keyed by a digest of the token (never the token itself) and the org.
#[derive(Clone)]
pub struct Managers {
    answers: Cache<([u8; 32], OrgLogin), bool>,
}

impl Default for Managers {
    fn default() -> Self {
        Managers {
            answers: Cache::builder()
                .max_capacity(ROLE_CACHE_ENTRIES)
                .time_to_live(Duration::from_secs(ROLE_CACHE_SECONDS))
                .build(),
        }
    }
}

/// The refusal a user without the role sees: which role, in which org, to do what.
pub fn role_needed(org: &OrgLogin, what: &str) -> AppError {
    AppError::Forbidden {
        reason: format!(
            "Only an owner or security manager of {org} can {what}. Ask an owner of {org} for the security manager role."
        ),
    }
}

/// A 404 from one of GitHub's campaign operations on `org`, said as the role it needs to a
/// member of the org; to anyone else the org stays hidden (a 404), as on GitHub.
pub async fn not_found_as_role(
    github: &GitHubClient,
    token: &SecretString,
    err: AppError,
    org: &OrgLogin,
    what: &str,
) -> AppError {
    if err != AppError::NotFound {
        return err;
    }
    match github.list_orgs_for_user(token).await {
        Ok(orgs)
            if orgs
                .iter()
                .any(|o| o.login.eq_ignore_ascii_case(org.as_str())) =>
        {
            role_needed(org, what)
        }
        _ => AppError::NotFound,
    }
}

impl Managers {
    /// Passes an owner or security manager of `org`; refuses anyone else with a 403 that names
    /// the role. Callers asking at once share one question to GitHub; a GitHub failure is passed
    /// on (and not remembered).
    pub async fn require(
        &self,
        github: &GitHubClient,
        token: &SecretString,
        org: &OrgLogin,
        what: &str,
    ) -> Result<(), AppError> {
        let allowed = self
            .answers
            .try_get_with((token_key(token), org.clone()), ask(github, token, org))
            .await
            .map_err(|e| (*e).clone())?;
        if allowed {
            Ok(())
        } else {
            Err(role_needed(org, what))
        }
    }

    /// Whether GitHub said, within the last minute, that `token` manages `org`'s campaigns (no
    /// question asked now).
    pub async fn known_managing(&self, token: &SecretString, org: &OrgLogin) -> bool {
        let key = (token_key(token), org.clone());
        self.answers.get(&key).await == Some(true)
    }

    /// Remembers that `token` manages `org`'s campaigns: GitHub just listed them for it.
    pub async fn seen_managing(&self, token: &SecretString, org: &OrgLogin) {
        self.answers
            .insert((token_key(token), org.clone()), true)
            .await;
    }
}

/// One campaign list call of one item: 200 for an owner or security manager, 404 otherwise.
async fn ask(
    github: &GitHubClient,
    token: &SecretString,
    org: &OrgLogin,
) -> Result<bool, AppError> {
    let probe = CampaignListQuery {
        per_page: Some(1),
        ..Default::default()
    };
    match github.list_campaigns(token, org, &probe).await {
        Ok(_) => Ok(true),
        Err(AppError::NotFound) => Ok(false),
        Err(other) => Err(other),
    }
}
