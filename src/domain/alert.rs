//! A code-scanning alert as the picker and the server-rendered list show it.

use super::alert_selection::AlertKey;
use super::campaign_alerts::LiveState;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One alert: everything the filter reads and the lists group by, nothing more.
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
    pub fn key(&self) -> AlertKey {
        AlertKey {
            repo_id: self.repo_id,
            number: self.number,
        }
    }
}

/// An alert of the org's index (the app's copy of GitHub's list): the row the lists show, with
/// its state and times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexedAlert {
    pub row: AlertRow,
    pub state: LiveState,
    pub dismissed_reason: Option<String>,
    pub updated_at: DateTime<Utc>,
    pub fixed_at: Option<DateTime<Utc>>,
    pub dismissed_at: Option<DateTime<Utc>>,
    /// Logins of the people the alert is assigned to.
    pub assignees: Vec<String>,
}

/// What GitHub answered to a change of an alert: its state now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertNow {
    pub state: LiveState,
    pub dismissed_reason: Option<String>,
    pub updated_at: DateTime<Utc>,
    pub fixed_at: Option<DateTime<Utc>>,
    pub dismissed_at: Option<DateTime<Utc>>,
    pub assignees: Vec<String>,
}

/// The server-rendered list's answer: the first matches, how many match, and, when they were read
/// from the app's alert index, the time it last matched GitHub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertSearch {
    pub rows: Vec<AlertRow>,
    pub total: usize,
    pub synced_at: Option<DateTime<Utc>>,
}

/// Pages `from..from+count` of the org's open alerts, and the number of the last page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertBatch {
    pub alerts: Vec<AlertRow>,
    /// GitHub's last page (100 alerts a page), when its `Link` header says so.
    pub last_page: Option<u32>,
    /// The last page fetched links a next one (`rel="next"`), or is full.
    pub more: bool,
    /// When the alerts were read from the app's index, the time it last matched GitHub; `None`
    /// when they were read from GitHub now.
    #[serde(default)]
    pub synced_at: Option<DateTime<Utc>>,
}

/// `external/cwe/cwe-079` → `CWE-79`.
pub fn cwe_of(tag: &str) -> Option<String> {
    let n = tag.strip_prefix("external/cwe/cwe-")?;
    let n: u32 = n.parse().ok()?;
    Some(format!("CWE-{n}"))
}

/// The rank of a severity, most severe first: security severities, then the rule's own.
pub fn severity_rank(s: &str) -> u8 {
    match s {
        "critical" => 0,
        "high" => 1,
        "medium" => 2,
        "low" => 3,
        "error" => 4,
        "warning" => 5,
        "note" => 6,
        _ => 7,
    }
}

#[cfg(test)]
mod tests {
    use super::cwe_of;

    #[test]
    fn cwe_tags_read_as_people_write_them() {
        assert_eq!(cwe_of("external/cwe/cwe-079").as_deref(), Some("CWE-79"));
        assert_eq!(cwe_of("external/cwe/cwe-1333").as_deref(), Some("CWE-1333"));
        assert_eq!(cwe_of("security"), None);
    }
}
