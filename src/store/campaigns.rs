//! What the app keeps about campaigns that GitHub does not: the alert set of each campaign created
//! here, and the campaign's counts over time.
//!
//! A create is recorded in two steps around GitHub's answer: [`CampaignRecords::begin`] writes
//! the record and its alerts (one transaction) before the request is sent, then
//! [`CampaignRecords::bind`] gives it the number GitHub chose, or [`CampaignRecords::discard`]
//! removes it when GitHub refused. A record left pending (GitHub's answer was lost) is claimed by
//! the first read of a campaign of the same name created at about the same time
//! ([`CampaignRecords::find`]).

use super::Store;
use crate::domain::campaign_alerts::RepoProgress;
use crate::domain::history::Snapshot;
use crate::domain::{CampaignNumber, OrgLogin};
use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone)]
pub struct CampaignRecords {
    store: Store,
}

/// One alert of a recorded campaign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedAlert {
    pub repository_id: i64,
    /// `owner/name`.
    pub repository: String,
    pub number: i64,
}

/// A campaign created through the app, with its alerts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub alerts: Vec<RecordedAlert>,
}

/// The hour's snapshot of a campaign; an hour already kept keeps its counts, and gains the
/// repositories' when it had none.
fn insert_snapshot(
    org: &OrgLogin,
    number: CampaignNumber,
    s: &Snapshot,
    repos: Option<String>,
) -> sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments<'static>> {
    sqlx::query(
        "INSERT INTO campaign_snapshots
             (org, campaign_number, hour, taken_at, open_count, in_progress_count,
              closed_count, repositories)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (org, campaign_number, hour) DO UPDATE SET repositories =
             COALESCE(campaign_snapshots.repositories, excluded.repositories)",
    )
    .bind(org.to_string())
    .bind(number.get())
    .bind(s.at.timestamp().div_euclid(3600))
    .bind(s.at.timestamp())
    .bind(s.open)
    .bind(s.in_progress)
    .bind(s.closed)
    .bind(repos)
}

/// The hours whose snapshot this instance has kept: (org, campaign, Unix hour) → whether it has
/// the repositories' counts. Every view of a campaign keeps one; only the first of the hour writes.
#[derive(Debug, Clone)]
pub(super) struct Kept(moka::sync::Cache<(String, CampaignNumber, i64), bool>);

impl Default for Kept {
    fn default() -> Self {
        Kept(
            moka::sync::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(std::time::Duration::from_secs(2 * 3600))
                .build(),
        )
    }
}

/// How far apart GitHub's `created_at` and ours may be for a pending record to be claimed.
const CLAIM_WINDOW: i64 = 15 * 60;

impl CampaignRecords {
    pub(super) fn new(store: Store) -> Self {
        CampaignRecords { store }
    }

    /// Records a campaign about to be created (now), with its alerts; its id, for `bind` or
    /// `discard`.
    pub async fn begin(
        &self,
        org: &OrgLogin,
        name: &str,
        created_by: &str,
        alerts: &[RecordedAlert],
    ) -> super::Result<i64> {
        self.insert(org, None, name, created_by, alerts, Utc::now())
            .await
    }

    /// Records campaign `number`, created at `at` with its alerts (demo mode's seeded
    /// campaigns): bound from the start, so the clean-up of stale pending records never sees it.
    pub async fn record_at(
        &self,
        org: &OrgLogin,
        number: CampaignNumber,
        name: &str,
        created_by: &str,
        alerts: &[RecordedAlert],
        at: DateTime<Utc>,
    ) -> super::Result<()> {
        self.insert(org, Some(number), name, created_by, alerts, at)
            .await
            .map(|_| ())
    }

    async fn insert(
        &self,
        org: &OrgLogin,
        number: Option<CampaignNumber>,
        name: &str,
        created_by: &str,
        alerts: &[RecordedAlert],
        at: DateTime<Utc>,
    ) -> super::Result<i64> {
        let mut tx = self.store.begin_write().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO campaign_records (org, campaign_number, name, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(org.as_str())
        .bind(number.map(CampaignNumber::get))
        .bind(name)
        .bind(created_by)
        .bind(at.timestamp())
        .fetch_one(&mut *tx)
        .await?;
        for a in alerts {
            sqlx::query(
                "INSERT INTO campaign_alerts (record_id, repository_id, repository, alert_number)
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(a.repository_id)
            .bind(&a.repository)
            .bind(a.number)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// Gives a pending record the number GitHub chose.
    pub async fn bind(&self, id: i64, number: CampaignNumber) -> super::Result<()> {
        sqlx::query("UPDATE campaign_records SET campaign_number = $1 WHERE id = $2")
            .bind(number.get())
            .bind(id)
            .execute(self.store.pool())
            .await?;
        Ok(())
    }

    /// Removes a pending record (GitHub refused the create).
    pub async fn discard(&self, id: i64) -> super::Result<()> {
        let mut tx = self.store.begin_write().await?;
        sqlx::query("DELETE FROM campaign_alerts WHERE record_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM campaign_records WHERE id = $1 AND campaign_number IS NULL")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        Ok(tx.commit().await?)
    }

    /// When the oldest pending record of `name` still claimable was begun: a create of that name
    /// whose answer was lost in the last `CLAIM_WINDOW`.
    pub async fn pending_since(
        &self,
        org: &OrgLogin,
        name: &str,
    ) -> super::Result<Option<DateTime<Utc>>> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT created_at FROM campaign_records
             WHERE org = $1 AND name = $2 AND campaign_number IS NULL AND created_at >= $3
             ORDER BY created_at LIMIT 1",
        )
        .bind(org.as_str())
        .bind(name)
        .bind(Utc::now().timestamp() - CLAIM_WINDOW)
        .fetch_optional(self.store.pool())
        .await?;
        Ok(row.and_then(|(t,)| DateTime::from_timestamp(t, 0)))
    }

    /// The record of campaign `number`, if it was created here. A pending record of the same
    /// name, begun within `CLAIM_WINDOW` of GitHub's `created_at`, is claimed for it first.
    pub async fn find(
        &self,
        org: &OrgLogin,
        number: CampaignNumber,
        name: &str,
        created_at: DateTime<Utc>,
    ) -> super::Result<Option<Record>> {
        let mut row = self.bound_row(org, number).await?;
        if row.is_none() {
            row = self.claim(org, number, name, created_at).await?;
        }
        match row {
            Some(row) => Ok(Some(self.with_alerts(row).await?)),
            None => Ok(None),
        }
    }

    /// The record already bound to campaign `number` (none for a create whose answer was lost
    /// and not claimed yet: [`Self::find`] claims it): readable before GitHub names the campaign.
    pub async fn bound(
        &self,
        org: &OrgLogin,
        number: CampaignNumber,
    ) -> super::Result<Option<Record>> {
        match self.bound_row(org, number).await? {
            Some(row) => Ok(Some(self.with_alerts(row).await?)),
            None => Ok(None),
        }
    }

    async fn bound_row(
        &self,
        org: &OrgLogin,
        number: CampaignNumber,
    ) -> super::Result<Option<(i64, String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT id, created_by, created_at FROM campaign_records
             WHERE org = $1 AND campaign_number = $2",
        )
        .bind(org.as_str())
        .bind(number.get())
        .fetch_optional(self.store.pool())
        .await?)
    }

    /// A record's row with its alerts.
    async fn with_alerts(&self, (id, created_by, at): (i64, String, i64)) -> super::Result<Record> {
        let alerts: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT repository_id, repository, alert_number FROM campaign_alerts
             WHERE record_id = $1 ORDER BY repository, alert_number",
        )
        .bind(id)
        .fetch_all(self.store.pool())
        .await?;
        Ok(Record {
            created_by,
            created_at: DateTime::from_timestamp(at, 0).unwrap_or_default(),
            alerts: alerts
                .into_iter()
                .map(|(repository_id, repository, number)| RecordedAlert {
                    repository_id,
                    repository,
                    number,
                })
                .collect(),
        })
    }

    async fn claim(
        &self,
        org: &OrgLogin,
        number: CampaignNumber,
        name: &str,
        created_at: DateTime<Utc>,
    ) -> super::Result<Option<(i64, String, i64)>> {
        let t = created_at.timestamp();
        let pending: Option<(i64, String, i64)> = sqlx::query_as(
            "SELECT id, created_by, created_at FROM campaign_records
             WHERE org = $1 AND campaign_number IS NULL AND name = $2
               AND created_at BETWEEN $3 AND $4
             ORDER BY id LIMIT 1",
        )
        .bind(org.as_str())
        .bind(name)
        .bind(t - CLAIM_WINDOW)
        .bind(t + CLAIM_WINDOW)
        .fetch_optional(self.store.pool())
        .await?;
        let Some(pending) = pending else {
            return Ok(None);
        };
        // Two readers may claim at once: the unique (org, number) index lets one win.
        let claimed = sqlx::query(
            "UPDATE campaign_records SET campaign_number = $1
             WHERE id = $2 AND campaign_number IS NULL",
        )
        .bind(number.get())
        .bind(pending.0)
        .execute(self.store.pool())
        .await;
        match claimed {
            Ok(done) if done.rows_affected() == 1 => {
                tracing::info!(%org, %number, "a pending campaign record was claimed");
                Ok(Some(pending))
            }
            _ => Ok(None),
        }
    }

    /// Keeps a campaign's counts (and its repositories' when known), unless one was kept in the
    /// same hour (whose repositories are then filled in if it had none).
    pub async fn snapshot(
        &self,
        org: &OrgLogin,
        number: CampaignNumber,
        s: &Snapshot,
        repos: Option<&[RepoProgress]>,
    ) -> super::Result<()> {
        let hour = (org.to_string(), number, s.at.timestamp().div_euclid(3600));
        let with_repos = repos.is_some();
        let kept = &self.store.snapshots_kept.0;
        // Kept already, and nothing to add: the write would change nothing.
        if kept.get(&hour).is_some_and(|had| had || !with_repos) {
            return Ok(());
        }
        let repos = repos.and_then(|r| serde_json::to_string(r).ok());
        insert_snapshot(org, number, s, repos)
            .execute(self.store.pool())
            .await?;
        kept.insert(hour, with_repos);
        Ok(())
    }

    /// A campaign's snapshots since `since`, oldest first.
    pub async fn history(
        &self,
        org: &OrgLogin,
        number: CampaignNumber,
        since: DateTime<Utc>,
    ) -> super::Result<Vec<Snapshot>> {
        let rows: Vec<(i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT taken_at, open_count, in_progress_count, closed_count
             FROM campaign_snapshots
             WHERE org = $1 AND campaign_number = $2 AND taken_at >= $3
             ORDER BY hour",
        )
        .bind(org.as_str())
        .bind(number.get())
        .bind(since.timestamp())
        .fetch_all(self.store.pool())
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(at, open, in_progress, closed)| {
                Some(Snapshot {
                    at: DateTime::from_timestamp(at, 0)?,
                    open,
                    in_progress,
                    closed,
                })
            })
            .collect())
    }

    /// Every snapshot of the org's campaigns since `since`, with its campaign's number, oldest
    /// first.
    pub async fn org_history(
        &self,
        org: &OrgLogin,
        since: DateTime<Utc>,
    ) -> super::Result<Vec<(CampaignNumber, Snapshot)>> {
        let rows: Vec<(i64, i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT campaign_number, taken_at, open_count, in_progress_count, closed_count
             FROM campaign_snapshots
             WHERE org = $1 AND taken_at >= $2
             ORDER BY taken_at",
        )
        .bind(org.as_str())
        .bind(since.timestamp())
        .fetch_all(self.store.pool())
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(number, at, open, in_progress, closed)| {
                let at = DateTime::from_timestamp(at, 0)?;
                Some((
                    CampaignNumber::new(number).ok()?,
                    Snapshot {
                        at,
                        open,
                        in_progress,
                        closed,
                    },
                ))
            })
            .collect())
    }

    /// Writes a campaign's earlier snapshots at once (demo mode's seeded history).
    pub async fn seed_history(
        &self,
        org: &OrgLogin,
        number: CampaignNumber,
        points: &[Snapshot],
    ) -> super::Result<()> {
        let mut tx = self.store.begin_write().await?;
        for s in points {
            insert_snapshot(org, number, s, None)
                .execute(&mut *tx)
                .await?;
        }
        Ok(tx.commit().await?)
    }

    /// Whether any snapshot of the org's campaigns is kept (demo seeding runs once).
    pub async fn has_history(&self, org: &OrgLogin) -> super::Result<bool> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT campaign_number FROM campaign_snapshots WHERE org = $1 LIMIT 1")
                .bind(org.as_str())
                .fetch_optional(self.store.pool())
                .await?;
        Ok(row.is_some())
    }

    /// Runs `forget_stale` every hour, for as long as the app runs.
    pub fn clean_up_in_background(self) {
        tokio::spawn(async move {
            loop {
                if let Err(e) = self.forget_stale().await {
                    tracing::warn!(error = %e, "could not remove stale campaign records");
                }
                tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
            }
        });
    }

    /// Removes pending records older than a day: their create never reached GitHub, or nobody
    /// has read the campaign since.
    pub async fn forget_stale(&self) -> super::Result<u64> {
        let before = (Utc::now() - Duration::days(1)).timestamp();
        let mut tx = self.store.begin_write().await?;
        sqlx::query(
            "DELETE FROM campaign_alerts WHERE record_id IN
                 (SELECT id FROM campaign_records WHERE campaign_number IS NULL AND created_at < $1)",
        )
        .bind(before)
        .execute(&mut *tx)
        .await?;
        let gone = sqlx::query(
            "DELETE FROM campaign_records WHERE campaign_number IS NULL AND created_at < $1",
        )
        .bind(before)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(gone)
    }
}
