//! GitHub's REST models, as lenient as GitHub is: optional where GitHub's own examples omit a field,
//! unknown fields ignored, unknown enum values kept as `Unknown` rather than failing the response.

use crate::domain::alert_selection::AlertSelection;
use crate::domain::campaign_form::{same_minute, CampaignDraft};
use crate::error::FieldError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// `simple-user` (and the parts of `private-user` we read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimpleUser {
    pub login: String,
    pub id: i64,
    #[serde(default)]
    pub avatar_url: String,
    #[serde(default)]
    pub html_url: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

/// `private-user` / `public-user`: the signed-in user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthenticatedUser {
    pub login: String,
    pub id: i64,
    #[serde(default)]
    pub avatar_url: String,
    #[serde(default)]
    pub html_url: String,
    #[serde(default)]
    pub name: Option<String>,
}

/// `organization-simple`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationSimple {
    pub login: String,
    pub id: i64,
    #[serde(default)]
    pub avatar_url: String,
    #[serde(default)]
    pub description: Option<String>,
}

/// `team`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    pub id: i64,
    pub name: String,
    pub slug: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub html_url: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignState {
    Open,
    Closed,
    #[serde(other)]
    Unknown,
}

impl CampaignState {
    pub fn as_str(self) -> &'static str {
        match self {
            CampaignState::Open => "open",
            CampaignState::Closed => "closed",
            CampaignState::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AlertStats {
    pub open_count: i64,
    pub closed_count: i64,
    pub in_progress_count: i64,
}

/// `campaign-summary`. GitHub's list example omits `contact_link` although the schema requires it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignSummary {
    pub number: crate::domain::CampaignNumber,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub managers: Vec<SimpleUser>,
    #[serde(default)]
    pub team_managers: Vec<Team>,
    #[serde(default)]
    pub published_at: Option<DateTime<Utc>>,
    pub ends_at: DateTime<Utc>,
    #[serde(default)]
    pub closed_at: Option<DateTime<Utc>>,
    pub state: CampaignState,
    #[serde(default)]
    pub contact_link: Option<String>,
    #[serde(default)]
    pub alert_stats: Option<AlertStats>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertState {
    Open,
    Dismissed,
    Fixed,
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertRule {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    /// `none`, `note`, `warning`, `error`; kept as text so a new level cannot fail the list.
    #[serde(default)]
    pub severity: Option<String>,
    /// `low`, `medium`, `high`, `critical`.
    #[serde(default)]
    pub security_severity_level: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertTool {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub guid: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AlertLocation {
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub start_line: Option<i64>,
    #[serde(default)]
    pub end_line: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AlertInstance {
    #[serde(default, rename = "ref")]
    pub git_ref: Option<String>,
    #[serde(default)]
    pub location: Option<AlertLocation>,
}

/// The `simple-repository` fields we use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepositoryRef {
    pub id: i64,
    pub name: String,
    pub full_name: String,
    #[serde(default)]
    pub html_url: String,
    #[serde(default)]
    pub private: bool,
}

/// `code-scanning-organization-alert-items`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeScanningAlert {
    pub number: i64,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub html_url: String,
    pub state: Option<AlertState>,
    #[serde(default)]
    pub fixed_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub dismissed_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub dismissed_reason: Option<String>,
    pub rule: AlertRule,
    pub tool: AlertTool,
    #[serde(default)]
    pub most_recent_instance: AlertInstance,
    pub repository: RepositoryRef,
    #[serde(default)]
    pub assignees: Option<Vec<SimpleUser>>,
}

/// `code-scanning-alert-items`: one repository's alert, as its own list gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoAlert {
    pub number: i64,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub html_url: String,
    pub state: Option<AlertState>,
    #[serde(default)]
    pub fixed_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub dismissed_at: Option<DateTime<Utc>>,
    /// `false positive`, `won't fix`, `used in tests`, `mitigated`; kept as text.
    #[serde(default)]
    pub dismissed_reason: Option<String>,
    pub rule: AlertRule,
    pub tool: AlertTool,
    #[serde(default)]
    pub most_recent_instance: AlertInstance,
    #[serde(default)]
    pub assignees: Option<Vec<SimpleUser>>,
}

/// The body of `code-scanning/update-alert`: a new state (with the reason and comment a
/// dismissal needs), or new assignees (an empty list unassigns everyone).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateAlertBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dismissed_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dismissed_comment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignees: Option<Vec<String>>,
}

/// The alerts of one repository, as `code_scanning_alerts` in a create request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepositoryAlerts {
    pub repository_id: i64,
    pub alert_numbers: Vec<i64>,
}

/// Body of `POST /orgs/{org}/campaigns`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateCampaignBody {
    pub name: String,
    pub description: String,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub managers: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub team_managers: Vec<String>,
    pub ends_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub contact_link: Option<String>,
    pub code_scanning_alerts: Vec<RepositoryAlerts>,
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub generate_issues: bool,
}

/// Body of `PATCH /orgs/{org}/campaigns/{number}`: only the fields that change are sent.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UpdateCampaignBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub managers: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team_managers: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<DateTime<Utc>>,
    /// `Some(None)` clears the link (sent as `null`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_link: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<CampaignState>,
}

impl CreateCampaignBody {
    /// The create request for a parsed form and its alerts.
    pub fn new(draft: CampaignDraft, alerts: &AlertSelection, generate_issues: bool) -> Self {
        CreateCampaignBody {
            name: draft.name.as_str().to_owned(),
            description: draft.description.as_str().to_owned(),
            managers: draft.manager.into_iter().map(String::from).collect(),
            team_managers: draft.team_managers,
            ends_at: draft.ends_at,
            contact_link: draft.contact_link.get().map(str::to_owned),
            code_scanning_alerts: alerts
                .by_repository()
                .into_iter()
                .map(|(repository_id, alert_numbers)| RepositoryAlerts {
                    repository_id,
                    alert_numbers,
                })
                .collect(),
            generate_issues,
        }
    }
}

/// A field's value as the audit log shows it.
impl UpdateCampaignBody {
    /// The fields of `draft` that differ from GitHub's `current` copy, and nothing else: what the
    /// form showed unchanged is not sent back. The form shows the first manager (GitHub's API
    /// sets one), so others stay unless the field is changed. A changed due date must be ahead
    /// of `now`; an unchanged past one is kept.
    pub fn changes(
        current: &CampaignSummary,
        draft: CampaignDraft,
        now: DateTime<Utc>,
    ) -> Result<Self, FieldError> {
        let ends_at = (!same_minute(draft.ends_at, current.ends_at)).then_some(draft.ends_at);
        if ends_at.is_some_and(|t| t <= now) {
            return Err(FieldError {
                field: Some("ends_at".into()),
                message: "The due date must be in the future.".into(),
            });
        }
        let shown_manager = current.managers.first().map(|m| m.login.as_str());
        let manager = draft.manager.map(String::from);
        let managers = (manager.as_deref() != shown_manager).then(|| manager.into_iter().collect());
        let sorted = |mut v: Vec<String>| {
            v.sort_unstable();
            v
        };
        let teams_now = sorted(
            current
                .team_managers
                .iter()
                .map(|t| t.slug.clone())
                .collect(),
        );
        let team_managers =
            (teams_now != sorted(draft.team_managers.clone())).then_some(draft.team_managers);
        let name = draft.name.as_str().to_owned();
        let description = draft.description.as_str().to_owned();
        let contact_link = draft.contact_link.get().map(str::to_owned);
        Ok(UpdateCampaignBody {
            name: (current.name.as_deref() != Some(name.as_str())).then_some(name),
            description: (current.description != description).then_some(description),
            managers,
            team_managers,
            ends_at,
            contact_link: (current.contact_link != contact_link).then_some(contact_link),
            state: None,
        })
    }

    /// Closes (`Closed`) or reopens (`Open`) a campaign, changing nothing else.
    pub fn set_state(state: CampaignState) -> Self {
        UpdateCampaignBody {
            state: Some(state),
            ..Default::default()
        }
    }
}

/// Query of `GET /orgs/{org}/campaigns`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CampaignListQuery {
    /// `None`: all states.
    pub state: Option<CampaignState>,
    /// `created`, `updated`, `ends_at`, `published`.
    pub sort: Option<String>,
    /// `asc` or `desc`.
    pub direction: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// Query of `GET /orgs/{org}/code-scanning/alerts` (no paging: the client pages itself).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AlertListQuery {
    /// `open`, `closed`, `dismissed`, `fixed`.
    pub state: Option<String>,
    pub severity: Option<String>,
    pub tool_name: Option<String>,
    pub sort: Option<String>,
    pub direction: Option<String>,
}

/// One page of a list and the `Link` header's page links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub links: PageLinks,
}

/// What a conditional read of a page found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Changed<T> {
    /// 304: the page is as it was when its ETag was given.
    NotModified,
    Page {
        items: Vec<T>,
        links: PageLinks,
        /// The page's new ETag, for the next read.
        etag: Option<String>,
    },
}

/// Page numbers from a `Link` header (`rel` = first, prev, next, last), where they carry `page=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PageLinks {
    pub first: Option<u32>,
    pub prev: Option<u32>,
    pub next: Option<u32>,
    pub last: Option<u32>,
}

/// `installation`: a GitHub App installed on an account (`apps/get-org-installation`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Installation {
    pub id: i64,
    pub app_id: i64,
    /// The account it is installed on (an organisation, for this app).
    #[serde(default)]
    pub account: Option<InstallationAccount>,
    /// What the account granted, by permission name: `read`, `write` or `admin`.
    #[serde(default)]
    pub permissions: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub suspended_at: Option<String>,
}

/// The account an installation belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstallationAccount {
    pub login: String,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

/// `installation-token`: an installation access token (`apps/create-installation-access-token`).
/// The token is a secret: never logged, never shown, kept only in memory until it expires.
#[derive(Debug, Clone, Deserialize)]
pub struct InstallationToken {
    pub token: secrecy::SecretString,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}
