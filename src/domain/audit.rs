//! The audit log's entries as pages show them: who changed which campaign, how, and whether
//! GitHub took the change. The store (`store::audit`) only appends them.

use super::url_state::{page_as_typed, page_value, set_pairs, UrlState};
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
    /// Alerts of a campaign assigned (or unassigned).
    AssignAlerts,
    DismissAlerts,
    ReopenAlerts,
}

impl AuditAction {
    pub const ALL: [AuditAction; 8] = [
        AuditAction::Create,
        AuditAction::Edit,
        AuditAction::Close,
        AuditAction::Reopen,
        AuditAction::Delete,
        AuditAction::AssignAlerts,
        AuditAction::DismissAlerts,
        AuditAction::ReopenAlerts,
    ];

    /// The actions on a campaign's alerts, whose changes count against a person's hourly budget.
    pub const ON_ALERTS: [AuditAction; 3] = [
        AuditAction::AssignAlerts,
        AuditAction::DismissAlerts,
        AuditAction::ReopenAlerts,
    ];

    /// The name kept in the store and in addresses.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Create => "create",
            AuditAction::Edit => "edit",
            AuditAction::Close => "close",
            AuditAction::Reopen => "reopen",
            AuditAction::Delete => "delete",
            AuditAction::AssignAlerts => "assign_alerts",
            AuditAction::DismissAlerts => "dismiss_alerts",
            AuditAction::ReopenAlerts => "reopen_alerts",
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

/// What the audit page filters on; `None` is "any".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    pub campaign: Option<super::CampaignNumber>,
    pub actor: Option<String>,
    pub action: Option<AuditAction>,
}

/// The audit page's address: its filters and page, as typed (`campaign`, `person`, `action`,
/// `page`), so a refused value comes back as it was, with its message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    #[serde(default)]
    pub campaign: String,
    #[serde(default)]
    pub person: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub page: String,
}

/// Entries shown on one page of the audit log.
pub const AUDIT_PAGE_SIZE: u32 = 50;

/// The audit log's query names, in the order its links write them.
const AUDIT_QUERY: [&str; 4] = ["campaign", "person", "action", "page"];

impl UrlState for AuditFilter {
    fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        let [campaign, person, action, page] =
            AUDIT_QUERY.map(|name| get(name).unwrap_or_default());
        AuditFilter {
            campaign,
            person,
            action,
            page,
        }
    }

    fn pairs(&self) -> Vec<(&'static str, String)> {
        let page = page_as_typed(&self.page);
        let values = [&self.campaign, &self.person, &self.action];
        set_pairs(
            &AUDIT_QUERY,
            values.map(String::as_str).into_iter().chain([page]),
        )
    }
}

impl AuditFilter {
    /// What to ask the store for, and the page number (from 1); each refused value named.
    pub fn parse(&self) -> Result<(AuditQuery, u32), Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        let campaign = match self.campaign.trim().trim_start_matches('#') {
            "" => None,
            n => n
                .parse()
                .map_err(|_| {
                    errors.push(("campaign", "Enter a campaign number, such as 12.".into()))
                })
                .ok(),
        };
        let person = self.person.trim().trim_start_matches('@');
        let actor = if person.is_empty() {
            None
        } else if person.len() <= 39
            && person
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            Some(person.to_owned())
        } else {
            errors.push(("person", "Enter a GitHub login, such as mona.".into()));
            None
        };
        let action = match self.action.trim() {
            "" => None,
            a => AuditAction::parse(a).or_else(|| {
                errors.push(("action", "Choose an action from the list.".into()));
                None
            }),
        };
        let page = match self.page.trim() {
            "" => 1,
            p => match p.parse::<u32>() {
                Ok(n) if (1..=100_000).contains(&n) => n,
                _ => {
                    errors.push(("page", "Not a page of this log.".into()));
                    1
                }
            },
        };
        if errors.is_empty() {
            Ok((
                AuditQuery {
                    campaign,
                    actor,
                    action,
                },
                page,
            ))
        } else {
            Err(errors)
        }
    }

    /// The query string for this filter on `page` (empty values left out), with its `?`.
    pub fn query_on(&self, page: u32) -> String {
        let page = page_value(page);
        AuditFilter {
            page,
            ..self.clone()
        }
        .query_string()
    }
}

/// One page of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub page: u32,
    pub has_next: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_reads_what_people_type_and_names_what_it_refuses() {
        let f = |campaign: &str, person: &str, action: &str, page: &str| AuditFilter {
            campaign: campaign.into(),
            person: person.into(),
            action: action.into(),
            page: page.into(),
        };
        let (q, page) = f(" #12 ", "@mona", "close", "3").parse().unwrap();
        assert_eq!(q.campaign.map(|n| n.get()), Some(12));
        assert_eq!(q.actor.as_deref(), Some("mona"));
        assert_eq!(q.action, Some(AuditAction::Close));
        assert_eq!(page, 3);
        assert_eq!(
            f("", "", "", "").parse().unwrap(),
            (AuditQuery::default(), 1)
        );
        let errors = f("twelve", "<b>", "drop", "0").parse().unwrap_err();
        let fields: Vec<_> = errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["campaign", "person", "action", "page"]);
    }

    #[test]
    fn the_address_keeps_only_what_is_set() {
        let filter = AuditFilter {
            person: "mona".into(),
            action: "edit".into(),
            ..Default::default()
        };
        assert_eq!(filter.query_on(1), "?person=mona&action=edit");
        assert_eq!(filter.query_on(2), "?person=mona&action=edit&page=2");
        assert_eq!(AuditFilter::default().query_on(1), "");
        crate::domain::url_state::tests::round_trips(AuditFilter {
            campaign: "#12".into(),
            page: "7".into(),
            ..filter.clone()
        });
    }

    #[test]
    fn every_action_reads_back_from_its_name() {
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::parse(a.as_str()), Some(a));
        }
        assert_eq!(AuditAction::parse("drop"), None);
    }
}
