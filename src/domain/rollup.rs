//! Every org at once (`/`): for each org the signed-in user belongs to, what its open campaigns
//! add up to (or why it shows nothing), and the totals across the orgs the user manages.

use super::campaign::{with_recorded_counts, CampaignView, Due};
use super::history::{pace, Pace, Snapshot};
use super::CampaignNumber;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One org's open campaigns, summed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollupCounts {
    pub open_campaigns: usize,
    /// Open campaigns past their due date.
    pub overdue: usize,
    /// Open campaigns whose pace (from the kept snapshots) misses their due date.
    pub behind: usize,
    /// Alerts not yet closed (open or in progress) in the open campaigns.
    pub remaining: i64,
    /// Alerts closed in the last 7 days, from the snapshots kept before then (`None`: no
    /// campaign has one that old yet).
    pub closed_this_week: Option<i64>,
}

impl RollupCounts {
    /// The counts of `open` (an org's open campaigns as GitHub lists them) with the org's kept
    /// snapshots (campaign number, counts), at `now`.
    pub fn of(
        open: Vec<CampaignView>,
        snapshots: &[(CampaignNumber, Snapshot)],
        now: DateTime<Utc>,
    ) -> Self {
        let mut by_campaign: BTreeMap<CampaignNumber, Vec<Snapshot>> = BTreeMap::new();
        for (number, s) in snapshots {
            by_campaign.entry(*number).or_default().push(*s);
        }
        for points in by_campaign.values_mut() {
            points.sort_by_key(|s| s.at);
        }
        let week_ago = now - Duration::days(7);
        let mut counts = RollupCounts::default();
        let open: Vec<CampaignView> = open.into_iter().filter(|c| c.open).collect();
        for listed in with_recorded_counts(open, snapshots) {
            let c = listed.campaign;
            let points = by_campaign.get(&c.number).map_or(&[][..], Vec::as_slice);
            counts.open_campaigns += 1;
            if Due::of(true, c.ends_at, now) == Due::Overdue {
                counts.overdue += 1;
            }
            if matches!(pace(points, c.ends_at), Pace::Behind { .. }) {
                counts.behind += 1;
            }
            if let Some(p) = c.progress {
                counts.remaining = counts
                    .remaining
                    .saturating_add(p.open.saturating_add(p.in_progress).max(0));
                let before = points.iter().rev().find(|s| s.at <= week_ago);
                if let Some(then) = before {
                    let closed = (p.closed - then.closed).max(0);
                    counts.closed_this_week = Some(counts.closed_this_week.unwrap_or(0) + closed);
                }
            }
        }
        counts
    }

    pub fn plus(self, other: RollupCounts) -> RollupCounts {
        RollupCounts {
            open_campaigns: self.open_campaigns + other.open_campaigns,
            overdue: self.overdue + other.overdue,
            behind: self.behind + other.behind,
            remaining: self.remaining.saturating_add(other.remaining),
            closed_this_week: match (self.closed_this_week, other.closed_this_week) {
                (None, None) => None,
                (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
            },
        }
    }
}

/// What the roll-up knows of one org.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrgStanding {
    /// The user manages the org's campaigns: its counts.
    Managed(RollupCounts),
    /// A member without the owner or security manager role: GitHub shows them no campaign.
    NoRole,
    /// GitHub did not answer for this org now (the reason, in words).
    Unavailable(String),
}

impl OrgStanding {
    /// The standing as one word, for files.
    pub fn as_str(&self) -> &'static str {
        match self {
            OrgStanding::Managed(_) => "managed",
            OrgStanding::NoRole => "no role",
            OrgStanding::Unavailable(_) => "unavailable",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgRollup {
    pub login: String,
    pub avatar_url: String,
    pub standing: OrgStanding,
}

/// The roll-up of every org the user belongs to, in GitHub's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rollup {
    pub at: DateTime<Utc>,
    pub orgs: Vec<OrgRollup>,
}

impl Rollup {
    /// The counts summed over the orgs the user manages.
    pub fn totals(&self) -> RollupCounts {
        self.managed()
            .map(|(_, c)| c)
            .fold(RollupCounts::default(), RollupCounts::plus)
    }

    /// The orgs the user manages, with their counts.
    pub fn managed(&self) -> impl Iterator<Item = (&OrgRollup, RollupCounts)> {
        self.orgs.iter().filter_map(|o| match o.standing {
            OrgStanding::Managed(c) => Some((o, c)),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::campaign::{CampaignView, Progress};

    fn campaign(number: i64, ends_in_days: i64, progress: Option<Progress>) -> CampaignView {
        let now = Utc::now();
        CampaignView {
            number: CampaignNumber::new(number).unwrap(),
            name: format!("c{number}"),
            description: String::new(),
            open: true,
            managers: vec![],
            team_managers: vec![],
            created_at: now - Duration::days(30),
            updated_at: now,
            published_at: None,
            ends_at: now + Duration::days(ends_in_days),
            closed_at: None,
            contact_link: None,
            progress,
            github_url: String::new(),
            share_url: String::new(),
        }
    }

    fn snap(days_ago: i64, open: i64, closed: i64) -> Snapshot {
        Snapshot {
            at: Utc::now() - Duration::days(days_ago),
            open,
            in_progress: 0,
            closed,
        }
    }

    #[test]
    fn counts_overdue_behind_remaining_and_the_week() {
        let now = Utc::now();
        let n = |i| CampaignNumber::new(i).unwrap();
        let open = vec![
            // Overdue, 4 left, 3 closed since 8 days ago.
            campaign(1, -1, Some(Progress::counted(3, 1, 6))),
            // Not going down: behind.
            campaign(2, 30, Some(Progress::counted(10, 0, 0))),
            // GitHub's list left its counts out: the latest snapshot stands in.
            campaign(3, 30, None),
        ];
        let snapshots = vec![
            (n(1), snap(8, 7, 3)),
            (n(2), snap(3, 10, 0)),
            (n(2), snap(1, 10, 0)),
            (n(3), snap(2, 5, 1)),
        ];
        let c = RollupCounts::of(open, &snapshots, now);
        assert_eq!(c.open_campaigns, 3);
        assert_eq!(c.overdue, 1);
        assert_eq!(c.behind, 1);
        assert_eq!(c.remaining, 4 + 10 + 5);
        assert_eq!(c.closed_this_week, Some(3));
        let none = RollupCounts::of(vec![campaign(4, 3, None)], &[], now);
        assert_eq!(none.closed_this_week, None);
        assert_eq!(none.remaining, 0);
        let both = c.plus(none);
        assert_eq!((both.open_campaigns, both.closed_this_week), (4, Some(3)));
    }
}
