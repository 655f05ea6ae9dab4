//! The org at a glance (`/orgs/{org}`): its open campaigns, most urgent first, what they add up
//! to, who runs them, and the org's alerts not yet closed over time. Everything here comes from
//! one GitHub list call and the app's own snapshots; nothing is asked per campaign.

use super::campaign::{with_recorded_counts, CampaignView, Due, ListedCampaign, Progress};
use super::history::{thin, Snapshot};
use super::CampaignNumber;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// GitHub allows an organisation this many open campaigns.
pub const OPEN_LIMIT: usize = 10;

/// How many points the org's chart draws at most.
pub const CHART_POINTS: usize = 60;

/// How many campaigns (and alerts not yet closed in them) one manager or team runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Load {
    /// A login, or a team's name.
    pub name: String,
    pub campaigns: usize,
    pub remaining: i64,
}

/// The org's alerts not yet closed, across its campaigns, at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgPoint {
    pub at: DateTime<Utc>,
    pub remaining: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgOverview {
    /// Open campaigns: overdue first, then due within 7 days, then the rest, each by due date.
    pub campaigns: Vec<ListedCampaign>,
    /// Summed over the open campaigns that report counts.
    pub totals: Progress,
    pub managers: Vec<Load>,
    pub teams: Vec<Load>,
    /// Oldest first.
    pub history: Vec<OrgPoint>,
}

impl OrgOverview {
    /// The overview of `open` (the org's open campaigns as GitHub lists them) and the org's
    /// stored snapshots (campaign number, counts), at `now`.
    pub fn new(
        mut open: Vec<CampaignView>,
        snapshots: Vec<(CampaignNumber, Snapshot)>,
        now: DateTime<Utc>,
    ) -> Self {
        open.retain(|c| c.open);
        open.sort_by_key(|c| (urgency(Due::of(c.open, c.ends_at, now)), c.ends_at));
        // GitHub's list may leave a campaign's counts out: the latest the app recorded stand in.
        let campaigns = with_recorded_counts(open, &snapshots);
        let views = || campaigns.iter().map(|o| &o.campaign);
        let totals = views()
            .filter_map(|c| c.progress)
            .fold(Progress::default(), Progress::plus);
        let still_open: Vec<CampaignNumber> = views().map(|c| c.number).collect();
        let managers =
            loads(views().flat_map(|c| c.managers.iter().map(move |p| (p.login.clone(), c))));
        let teams =
            loads(views().flat_map(|c| c.team_managers.iter().map(move |t| (t.name.clone(), c))));
        OrgOverview {
            history: org_history(snapshots, &still_open, now),
            campaigns,
            totals,
            managers,
            teams,
        }
    }

    /// "7 of 10 open".
    pub fn limit_text(&self) -> String {
        format!("{} of {OPEN_LIMIT} open", self.campaigns.len())
    }

    /// The open campaigns that are overdue or due within 7 days.
    pub fn urgent(&self, now: DateTime<Utc>) -> usize {
        self.campaigns
            .iter()
            .map(|o| &o.campaign)
            .filter(|c| urgency(Due::of(c.open, c.ends_at, now)) < 2)
            .count()
    }
}

fn urgency(due: Due) -> u8 {
    match due {
        Due::Overdue => 0,
        Due::DueSoon => 1,
        Due::OnTrack => 2,
        Due::Closed => 3,
    }
}

/// Campaigns and remaining alerts per name, most campaigns first, then by name.
fn loads<'a>(pairs: impl Iterator<Item = (String, &'a CampaignView)>) -> Vec<Load> {
    let mut by_name: BTreeMap<String, Load> = BTreeMap::new();
    for (name, c) in pairs {
        let load = by_name.entry(name.clone()).or_insert(Load {
            name,
            campaigns: 0,
            remaining: 0,
        });
        load.campaigns += 1;
        let remaining = c
            .progress
            .map_or(0, |p| p.open.saturating_add(p.in_progress));
        load.remaining = load.remaining.saturating_add(remaining);
    }
    let mut list: Vec<Load> = by_name.into_values().collect();
    list.sort_by(|a, b| b.campaigns.cmp(&a.campaigns).then(a.name.cmp(&b.name)));
    list
}

/// The org's alerts not yet closed over time, one point per hour some campaign was seen in: at
/// each, every campaign's latest counts summed. A campaign open today counts from its first
/// snapshot until `now`; one that is not (closed or deleted since) only until its last snapshot,
/// as the app does not know when it left.
pub fn org_history(
    mut snapshots: Vec<(CampaignNumber, Snapshot)>,
    still_open: &[CampaignNumber],
    now: DateTime<Utc>,
) -> Vec<OrgPoint> {
    snapshots.sort_by_key(|(number, s)| (s.at, *number));
    let last_seen: BTreeMap<CampaignNumber, DateTime<Utc>> = snapshots
        .iter()
        .map(|(number, s)| (*number, s.at))
        .collect();
    let until = |number: CampaignNumber| {
        if still_open.contains(&number) {
            now
        } else {
            last_seen[&number]
        }
    };
    let mut latest: BTreeMap<CampaignNumber, Snapshot> = BTreeMap::new();
    let mut points: Vec<OrgPoint> = Vec::new();
    for (number, s) in snapshots {
        latest.insert(number, s);
        let remaining = latest
            .iter()
            .filter(|(n, _)| until(**n) >= s.at)
            .map(|(_, s)| s.remaining())
            .sum();
        let hour = s.at.timestamp().div_euclid(3600);
        match points.last_mut() {
            Some(p) if p.at.timestamp().div_euclid(3600) == hour => {
                *p = OrgPoint {
                    at: s.at,
                    remaining,
                }
            }
            _ => points.push(OrgPoint {
                at: s.at,
                remaining,
            }),
        }
    }
    thin(points, CHART_POINTS)
}

/// One sentence saying what the org's chart shows, for those who cannot see it.
pub fn history_summary(points: &[OrgPoint]) -> String {
    let day = |t: DateTime<Utc>| t.format("%-d %b %Y").to_string();
    match (points.first(), points.last()) {
        (Some(first), Some(last)) => {
            let peak = points.iter().max_by_key(|p| p.remaining).unwrap_or(last);
            format!(
                "Alerts not yet closed across the org's campaigns went from {} on {} to {} on {} \
                 (highest: {} on {}).",
                first.remaining,
                day(first.at),
                last.remaining,
                day(last.at),
                peak.remaining,
                day(peak.at)
            )
        }
        _ => {
            "No counts recorded yet: they are kept each time a campaign is viewed here.".to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::campaign::{Person, TeamRef};
    use crate::domain::CampaignNumber;
    use chrono::Duration;

    fn now() -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap()
    }

    fn campaign(number: i64, due_in_days: i64, remaining: i64, managers: &[&str]) -> CampaignView {
        let at = now();
        CampaignView {
            number: CampaignNumber::new(number).unwrap(),
            name: format!("c{number}"),
            description: String::new(),
            open: true,
            managers: managers
                .iter()
                .map(|m| Person {
                    login: m.to_string(),
                    avatar_url: String::new(),
                })
                .collect(),
            team_managers: vec![TeamRef {
                slug: "appsec".into(),
                name: "AppSec".into(),
            }],
            created_at: at - Duration::days(30),
            updated_at: at,
            published_at: None,
            ends_at: at + Duration::days(due_in_days),
            closed_at: None,
            contact_link: None,
            progress: Some(Progress {
                open: remaining,
                in_progress: 1,
                closed: 10,
            }),
            github_url: String::new(),
            share_url: String::new(),
        }
    }

    fn n(number: i64) -> CampaignNumber {
        CampaignNumber::new(number).unwrap()
    }

    fn snap(hours: i64, remaining: i64) -> Snapshot {
        Snapshot {
            at: now() - Duration::hours(hours),
            open: remaining,
            in_progress: 0,
            closed: 0,
        }
    }

    #[test]
    fn overdue_and_due_soon_come_first_and_everything_adds_up() {
        let mut closed = campaign(9, -3, 50, &["mona"]);
        closed.open = false;
        let list = vec![
            campaign(1, 30, 4, &["mona", "hubot"]),
            campaign(2, 5, 2, &["mona"]),
            campaign(3, -2, 1, &["hubot"]),
            campaign(4, 60, 0, &[]),
            closed,
        ];
        let o = OrgOverview::new(list, Vec::new(), now());
        let order: Vec<i64> = o
            .campaigns
            .iter()
            .map(|c| c.campaign.number.get())
            .collect();
        assert_eq!(order, [3, 2, 1, 4]);
        assert_eq!(o.urgent(now()), 2);
        assert_eq!(o.limit_text(), "4 of 10 open");
        assert_eq!(
            o.totals,
            Progress {
                open: 7,
                in_progress: 4,
                closed: 40
            }
        );
        // As many campaigns each: by name.
        let counts: Vec<_> = (o.managers.iter())
            .map(|l| (l.name.as_str(), l.campaigns, l.remaining))
            .collect();
        assert_eq!(counts, [("hubot", 2, 7), ("mona", 2, 8)]);
        assert_eq!(
            o.teams,
            [Load {
                name: "AppSec".into(),
                campaigns: 4,
                remaining: 11
            }]
        );
    }

    #[test]
    fn counts_the_list_left_out_are_the_latest_recorded() {
        let mut listed = campaign(1, 30, 4, &[]);
        listed.progress = None;
        let o = OrgOverview::new(
            vec![listed],
            vec![(n(1), snap(30, 9)), (n(1), snap(3, 6))],
            now(),
        );
        assert_eq!(o.campaigns[0].counted_at, Some(snap(3, 6).at));
        assert_eq!(o.totals.open, 6);
        assert_eq!(
            OrgOverview::new(
                vec![campaign(1, 30, 4, &[])],
                vec![(n(1), snap(3, 6))],
                now()
            )
            .totals
            .open,
            4
        );
    }

    #[test]
    fn the_org_history_sums_each_campaigns_latest_counts() {
        let snapshots = vec![
            (n(1), snap(48, 10)),
            (n(2), snap(47, 5)),
            (n(1), snap(24, 8)),
            // Campaign 3 is gone since: it counts only while it was seen.
            (n(3), snap(23, 100)),
            (n(2), snap(2, 1)),
        ];
        let points = org_history(snapshots, &[n(1), n(2)], now());
        let sums: Vec<i64> = points.iter().map(|p| p.remaining).collect();
        assert_eq!(sums, [10, 15, 13, 113, 9]);
        assert!(history_summary(&points).contains("went from 10 on"));
        // Two snapshots of the same hour make one point, with the later counts.
        let same_hour = vec![(n(1), snap(5, 10)), (n(1), snap(5, 7))];
        assert_eq!(org_history(same_hour, &[n(1)], now()).len(), 1);
        assert!(history_summary(&[]).starts_with("No counts recorded yet"));
    }

    #[test]
    fn a_long_history_is_thinned_to_the_chart_and_keeps_its_ends() {
        let snapshots: Vec<_> = (0..500).map(|h| (n(1), snap(500 - h, h))).collect();
        let points = org_history(snapshots, &[n(1)], now());
        assert_eq!(points.len(), CHART_POINTS);
        assert_eq!(points[0].remaining, 0);
        assert_eq!(points[CHART_POINTS - 1].remaining, 499);
    }
}
