//! A campaign as the pages show it, and the people and teams a form may choose as its managers.

use super::history::Snapshot;
use super::CampaignNumber;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub login: String,
    pub avatar_url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamRef {
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Progress {
    pub open: i64,
    pub in_progress: i64,
    pub closed: i64,
}

/// The most alerts one count is taken to hold: GitHub caps a campaign at 1,000, so anything
/// near `i64::MAX` is a broken answer, and bounding it keeps every sum and projection in range.
pub const COUNT_MAX: i64 = 1_000_000_000;

impl Progress {
    /// GitHub's three counts, each kept within `0..=COUNT_MAX`.
    pub fn counted(open: i64, in_progress: i64, closed: i64) -> Self {
        let bound = |n: i64| n.clamp(0, COUNT_MAX);
        Progress {
            open: bound(open),
            in_progress: bound(in_progress),
            closed: bound(closed),
        }
    }

    pub fn total(&self) -> i64 {
        self.open
            .saturating_add(self.in_progress)
            .saturating_add(self.closed)
    }

    /// Both sets of counts, added without overflow.
    pub fn plus(self, other: Progress) -> Progress {
        Progress {
            open: self.open.saturating_add(other.open),
            in_progress: self.in_progress.saturating_add(other.in_progress),
            closed: self.closed.saturating_add(other.closed),
        }
    }
    /// Whole percent of alerts closed.
    pub fn closed_percent(&self) -> i64 {
        if self.total() == 0 {
            0
        } else {
            self.closed * 100 / self.total()
        }
    }
}

/// Due status of a campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    Closed,
    Overdue,
    DueSoon,
    OnTrack,
}

impl Due {
    pub fn of(open: bool, ends_at: DateTime<Utc>, now: DateTime<Utc>) -> Self {
        if !open {
            Due::Closed
        } else if ends_at <= now {
            Due::Overdue
        } else if ends_at - now <= chrono::Duration::days(7) {
            Due::DueSoon
        } else {
            Due::OnTrack
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Due::Closed => "Closed",
            Due::Overdue => "Overdue",
            Due::DueSoon => "Due soon",
            Due::OnTrack => "On track",
        }
    }
    pub fn class(self) -> &'static str {
        match self {
            Due::Closed => "due closed",
            Due::Overdue => "due overdue",
            Due::DueSoon => "due soon",
            Due::OnTrack => "due on-track",
        }
    }
}

/// A campaign as the pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignView {
    pub number: super::CampaignNumber,
    pub name: String,
    pub description: String,
    pub open: bool,
    pub managers: Vec<Person>,
    pub team_managers: Vec<TeamRef>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub ends_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub contact_link: Option<String>,
    pub progress: Option<Progress>,
    /// `{web}/orgs/{org}/security/campaigns/{number}`
    pub github_url: String,
    /// This app's own link to the campaign, to share.
    pub share_url: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PageNumbers {
    pub first: Option<u32>,
    pub prev: Option<u32>,
    pub next: Option<u32>,
    pub last: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignPage {
    pub campaigns: Vec<ListedCampaign>,
    pub pages: PageNumbers,
}

/// A campaign as a list shows it, and where its counts come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedCampaign {
    pub campaign: CampaignView,
    /// When the app recorded the counts shown, if GitHub's list left them out; `None` when
    /// they are GitHub's own (or unknown).
    pub counted_at: Option<DateTime<Utc>>,
}

impl From<CampaignView> for ListedCampaign {
    /// A campaign whose counts (if any) are GitHub's own, as just read.
    fn from(campaign: CampaignView) -> Self {
        ListedCampaign {
            campaign,
            counted_at: None,
        }
    }
}

/// The campaigns of a list, each whose counts GitHub's list left out given the latest the app
/// recorded (`recorded`: campaign number, counts), marked with when they were counted.
pub fn with_recorded_counts(
    campaigns: Vec<CampaignView>,
    recorded: &[(CampaignNumber, Snapshot)],
) -> Vec<ListedCampaign> {
    let latest: std::collections::BTreeMap<CampaignNumber, Snapshot> =
        recorded.iter().copied().collect();
    campaigns
        .into_iter()
        .map(|mut campaign| {
            let counted_at = match (campaign.progress, latest.get(&campaign.number)) {
                (None, Some(s)) => {
                    campaign.progress = Some(Progress::counted(s.open, s.in_progress, s.closed));
                    Some(s.at)
                }
                _ => None,
            };
            ListedCampaign {
                campaign,
                counted_at,
            }
        })
        .collect()
}

/// Who a campaign form offers as managers. GitHub accepts only organisation owners and security
/// managers as a campaign's manager: `managers` holds the owners, the signed-in user (who can
/// only run campaigns as one of the two) and the campaign's current managers, nobody else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagerChoices {
    pub managers: Vec<Person>,
    pub teams: Vec<TeamRef>,
}

/// What the create form needs besides the alerts: the choices, and how many campaigns are open
/// (GitHub allows ten).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateFormContext {
    pub choices: ManagerChoices,
    pub open_campaigns: usize,
}

/// What a close or reopen asks for: `state=open` or `state=closed` in the form (anything else is
/// refused as the request is read).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WantedState {
    Open,
    Closed,
}

impl WantedState {
    /// The value the form posts.
    pub fn as_str(self) -> &'static str {
        match self {
            WantedState::Open => "open",
            WantedState::Closed => "closed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_percentages_round_down_and_handle_empty() {
        assert_eq!(Progress::default().closed_percent(), 0);
        assert_eq!(
            Progress {
                open: 2,
                in_progress: 0,
                closed: 1
            }
            .closed_percent(),
            33
        );
    }
}
