//! Demo mode's own history (server only): the built-in emulator seeds GitHub's side, this seeds
//! the app's, so a first `make run` already shows what the app records over time. Most seeded
//! campaigns are recorded as created here (with their alert sets), one is left as created on
//! GitHub, and each gets a snapshot a day since it started, easing down to its counts today.
//! Runs once per database: an org with any snapshot is left as it is.

use crate::domain::history::Snapshot;
use crate::emulator::{CampaignFacts, Emulator};
use crate::store::campaigns::RecordedAlert;
use crate::store::Store;
use chrono::{Duration, Utc};

/// The seeded campaign left as created on GitHub's own pages.
pub const CREATED_ON_GITHUB: &str = "Critical command injection";

struct Seeded {
    org: crate::domain::OrgLogin,
    number: crate::domain::CampaignNumber,
    name: String,
    manager: String,
    created_at: chrono::DateTime<Utc>,
    alerts: Vec<RecordedAlert>,
    snapshots: Vec<Snapshot>,
}

pub async fn seed_store(store: &Store, emulator: &Emulator) -> crate::store::Result<()> {
    let seeded = seeded(emulator.campaigns());
    let records = store.campaigns();
    for org in seeded
        .iter()
        .map(|s| s.org.clone())
        .collect::<std::collections::BTreeSet<_>>()
    {
        if records.has_history(&org).await? {
            continue;
        }
        for s in seeded.iter().filter(|s| s.org == org) {
            if s.name != CREATED_ON_GITHUB {
                let (name, by) = (&s.name, &s.manager);
                (records.record_at(&s.org, s.number, name, by, &s.alerts, s.created_at)).await?;
            }
            records.seed_history(&s.org, s.number, &s.snapshots).await?;
        }
    }
    Ok(())
}

fn seeded(campaigns: Vec<CampaignFacts>) -> Vec<Seeded> {
    let now = Utc::now();
    campaigns
        .into_iter()
        // The seed's logins are GitHub logins; one that is not stays unseeded.
        .filter_map(|c| {
            let org = c.org.parse::<crate::domain::OrgLogin>().ok()?;
            let number = crate::domain::CampaignNumber::new(c.number).ok()?;
            Some((org, number, c))
        })
        .map(|(org, number, c)| Seeded {
            snapshots: history(&c, now),
            org,
            number,
            name: c.name,
            manager: c.manager.unwrap_or_default(),
            created_at: c.created_at,
            alerts: (c.alerts.into_iter())
                .map(|a| RecordedAlert {
                    repository_id: a.repository_id,
                    repository: a.repository,
                    number: a.number,
                })
                .collect(),
        })
        .collect()
}

/// A snapshot a day since the campaign started: closed alerts grow from none to today's count, a
/// little unevenly. Only those before this hour: the first view now keeps the live counts.
fn history(c: &CampaignFacts, now: chrono::DateTime<Utc>) -> Vec<Snapshot> {
    let total = c.alerts.len() as i64;
    let closed_now = c.alerts.iter().filter(|a| !a.open).count() as i64;
    let end = c.closed_at.unwrap_or(now).min(now);
    let days = (end - c.published_at).num_days().max(1);
    (0..=days)
        .map(|d| {
            let wobble = if d % 3 == 1 { 1 } else { 0 };
            let closed = (closed_now * d / days - wobble).clamp(0, closed_now);
            Snapshot {
                at: c.published_at + Duration::days(d) - Duration::minutes(30),
                open: total - closed,
                in_progress: 0,
                closed,
            }
        })
        .filter(|s| s.at.timestamp().div_euclid(3600) < now.timestamp().div_euclid(3600))
        .collect()
}
