//! GitHub's REST models, as lenient as GitHub is: optional where GitHub's own examples omit a field,
//! unknown fields ignored, unknown enum values kept as `Unknown` rather than failing the response.

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
    pub number: i64,
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
    pub rule: AlertRule,
    pub tool: AlertTool,
    #[serde(default)]
    pub most_recent_instance: AlertInstance,
    pub repository: RepositoryRef,
    #[serde(default)]
    pub assignees: Option<Vec<SimpleUser>>,
}

/// The alerts of one repository, as `code_scanning_alerts` in a create request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepositoryAlerts {
    pub repository_id: i64,
    pub alert_numbers: Vec<i64>,
}

/// Body of `POST /orgs/{org}/campaigns`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateCampaign {
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
pub struct UpdateCampaign {
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

/// Page numbers from a `Link` header (`rel` = first, prev, next, last), where they carry `page=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PageLinks {
    pub first: Option<u32>,
    pub prev: Option<u32>,
    pub next: Option<u32>,
    pub last: Option<u32>,
}
