//! Demo mode's own history (server only): the built-in emulator seeds GitHub's side, this seeds
//! the app's, so a first `make run` already shows what the app records over time. Most seeded
//! campaigns are recorded as created here (with their alert sets), one is left as created on
//! GitHub, and each gets a snapshot a day since it started, easing down to its counts today.
//! Runs once per database: an org with any snapshot is left as it is.

use crate::domain::history::Snapshot;
use crate::emulator::world::{AlertState, World};
use crate::emulator::Emulator;
use crate::store::campaigns::RecordedAlert;
use crate::store::Store;
use chrono::{Duration, Utc};

/// The seeded campaign left as created on GitHub's own pages.
pub const CREATED_ON_GITHUB: &str = "Critical command injection";

struct Seeded {
    org: crate::domain::OrgLogin,
    number: i64,
    name: String,
    manager: String,
    created_at: chrono::DateTime<Utc>,
    alerts: Vec<RecordedAlert>,
    snapshots: Vec<Snapshot>,
}

pub async fn seed_store(store: &Store, emulator: &Emulator) -> crate::store::Result<()> {
    let seeded = {
        let w = emulator.world();
        seeded(&w)
    };
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
                let id = records
                    .begin_at(&s.org, &s.name, &s.manager, &s.alerts, s.created_at)
                    .await?;
                records.bind(id, s.number).await?;
            }
            records.seed_history(&s.org, s.number, &s.snapshots).await?;
        }
    }
    Ok(())
}

fn seeded(w: &World) -> Vec<Seeded> {
    let now = Utc::now();
    let mut out = Vec::new();
    for o in &w.orgs {
        // The seed's logins are GitHub logins; one that is not stays unseeded.
        let Ok(org) = o.login.parse::<crate::domain::OrgLogin>() else {
            continue;
        };
        for c in &o.campaigns {
            let alerts: Vec<RecordedAlert> = c
                .alerts
                .iter()
                .filter_map(|&i| o.alerts.get(i))
                .map(|a| RecordedAlert {
                    repository_id: o.repos[a.repo].id,
                    repository: format!("{}/{}", o.login, o.repos[a.repo].name),
                    number: a.number,
                })
                .collect();
            let total = alerts.len() as i64;
            let closed_now = c
                .alerts
                .iter()
                .filter_map(|&i| o.alerts.get(i))
                .filter(|a| a.state != AlertState::Open)
                .count() as i64;
            let end = c.closed_at.unwrap_or(now).min(now);
            let days = (end - c.published_at).num_days().max(1);
            // Closed alerts grow from none to today's count, a little unevenly.
            let snapshots = (0..=days)
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
                // Before this hour: the first view now keeps the live counts.
                .filter(|s| s.at.timestamp().div_euclid(3600) < now.timestamp().div_euclid(3600))
                .collect();
            let manager = c
                .managers
                .first()
                .and_then(|id| w.user(*id))
                .map(|u| u.login.clone())
                .unwrap_or_default();
            out.push(Seeded {
                org: org.clone(),
                number: c.number,
                name: c.name.clone(),
                manager,
                created_at: c.created_at,
                alerts,
                snapshots,
            });
        }
    }
    out
}
