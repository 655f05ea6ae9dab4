//! The audit log's entries as pages show them: who changed which campaign, how, and whether
//! GitHub took the change. The store (`store::audit`) only appends them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    Create,
    Edit,
    Close,
    Reopen,
    Delete,
}

impl AuditAction {
    pub const ALL: [AuditAction; 5] = [
        AuditAction::Create,
        AuditAction::Edit,
        AuditAction::Close,
        AuditAction::Reopen,
        AuditAction::Delete,
    ];

    /// The name kept in the store and in addresses.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Create => "create",
            AuditAction::Edit => "edit",
            AuditAction::Close => "close",
            AuditAction::Reopen => "reopen",
            AuditAction::Delete => "delete",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == text)
    }
}

/// One field an edit changed (or a create set), as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// One change made through this app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub org: String,
    /// `None` when a create failed: GitHub gave the campaign no number.
    pub campaign: Option<super::CampaignNumber>,
    pub campaign_name: String,
    /// The signed-in user's login.
    pub actor: String,
    pub action: AuditAction,
    pub changes: Vec<FieldChange>,
    /// `None` when GitHub took the change; else what it (or the app) said.
    pub error: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_reads_back_from_its_name() {
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::parse(a.as_str()), Some(a));
        }
        assert_eq!(AuditAction::parse("drop"), None);
    }
}
