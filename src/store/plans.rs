//! Plans and their waves (see `domain::plan`): what each wave holds, which campaign published it,
//! and the last check's word on the next one. A wave is marked published once, whoever marks it.

use super::Store;
use crate::domain::plan::{PlanSummary, PublishWhen, Split, PLANS_MAX};
use crate::domain::{CampaignNumber, OrgLogin};
use chrono::{DateTime, Utc};

/// A new plan: its settings and its waves' alerts (repository id, `owner/name`, number).
#[derive(Debug, Clone)]
pub struct NewPlan<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub split: Split,
    pub wave_size: usize,
    pub publish_when: PublishWhen,
    pub cadence_days: u32,
    pub created_by: &'a str,
    pub waves: Vec<Vec<PlanAlert>>,
}

/// One alert of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanAlert {
    pub repository_id: i64,
    pub repository: String,
    pub number: i64,
}

/// A wave as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredWave {
    pub wave: usize,
    pub size: usize,
    pub campaign: Option<CampaignNumber>,
    pub published_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
}

/// A plan as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPlan {
    pub id: i64,
    pub org: OrgLogin,
    pub name: String,
    pub description: String,
    pub split: Split,
    pub wave_size: usize,
    pub publish_when: PublishWhen,
    pub cadence_days: u32,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub status: String,
    pub failed: bool,
    pub waves: Vec<StoredWave>,
}

#[derive(Debug, Clone)]
pub struct Plans {
    store: Store,
}

type PlanRow = (
    i64,
    String,
    String,
    String,
    String,
    i64,
    String,
    i64,
    i64,
    String,
    i64,
    String,
    i64,
);

/// A wave's row: number, size, campaign, published at, due at.
type WaveRow = (i64, i64, Option<i64>, Option<i64>, Option<i64>);

const PLAN_COLUMNS: &str = "id, org, name, description, split, wave_size, publish_when, share,
     cadence_days, created_by, created_at, status, failed";

impl Plans {
    pub(super) fn new(store: Store) -> Self {
        Plans { store }
    }

    /// Keeps a new plan: its id, or `None` when the org keeps `PLANS_MAX` plans already.
    pub async fn create(&self, org: &OrgLogin, p: &NewPlan<'_>) -> super::Result<Option<i64>> {
        let mut tx = self.store.begin_capped(&format!("plans:{org}")).await?;
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM plans WHERE org = $1")
            .bind(org.as_str())
            .fetch_one(&mut *tx)
            .await?;
        if count >= PLANS_MAX as i64 {
            return Ok(None);
        }
        let share = match p.publish_when {
            PublishWhen::Share(s) => i64::from(s),
            _ => 0,
        };
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO plans (org, name, description, split, wave_size, publish_when, share,
                 cadence_days, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(org.as_str())
        .bind(p.name)
        .bind(p.description)
        .bind(p.split.as_str())
        .bind(p.wave_size as i64)
        .bind(p.publish_when.as_str())
        .bind(share)
        .bind(i64::from(p.cadence_days))
        .bind(p.created_by)
        .bind(Utc::now().timestamp())
        .fetch_one(&mut *tx)
        .await?;
        for (i, wave) in p.waves.iter().enumerate() {
            let n = i as i64 + 1;
            sqlx::query("INSERT INTO plan_waves (plan_id, wave, size) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(n)
                .bind(wave.len() as i64)
                .execute(&mut *tx)
                .await?;
            for chunk in wave.chunks(200) {
                let marks: Vec<String> = (0..chunk.len())
                    .map(|k| {
                        let b = k * 5;
                        format!(
                            "(${}, ${}, ${}, ${}, ${})",
                            b + 1,
                            b + 2,
                            b + 3,
                            b + 4,
                            b + 5
                        )
                    })
                    .collect();
                let sql = format!(
                    "INSERT INTO plan_alerts (plan_id, wave, repository_id, repository, number) VALUES {}",
                    marks.join(", ")
                );
                let mut q = sqlx::query(&sql);
                for a in chunk {
                    q = q
                        .bind(id)
                        .bind(n)
                        .bind(a.repository_id)
                        .bind(a.repository.clone())
                        .bind(a.number);
                }
                q.execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        Ok(Some(id))
    }

    /// The org's plans, newest first.
    pub async fn list(&self, org: &OrgLogin) -> super::Result<Vec<PlanSummary>> {
        let rows: Vec<(i64, String, String, i64, i64, i64)> = sqlx::query_as(
            "SELECT p.id, p.name, p.status, COUNT(w.wave), COUNT(w.campaign_number),
                 COALESCE(SUM(w.size), 0)
             FROM plans p LEFT JOIN plan_waves w ON w.plan_id = p.id
             WHERE p.org = $1 GROUP BY p.id, p.name, p.status ORDER BY p.id DESC",
        )
        .bind(org.as_str())
        .fetch_all(self.store.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, status, waves, published, alerts)| PlanSummary {
                id,
                name,
                waves: waves as usize,
                published: published as usize,
                alerts: alerts as usize,
                status,
            })
            .collect())
    }

    /// Plan `id` of `org`, with its waves.
    pub async fn get(&self, org: &OrgLogin, id: i64) -> super::Result<Option<StoredPlan>> {
        Ok(self.by_id(id).await?.filter(|p| p.org == *org))
    }

    /// Plan `id` whatever its org (a job names plans by id).
    pub async fn by_id(&self, id: i64) -> super::Result<Option<StoredPlan>> {
        let row: Option<PlanRow> =
            sqlx::query_as(&format!("SELECT {PLAN_COLUMNS} FROM plans WHERE id = $1"))
                .bind(id)
                .fetch_optional(self.store.pool())
                .await?;
        match row {
            Some(row) => Ok(self.with_waves(row).await?),
            None => Ok(None),
        }
    }

    /// Every plan with a wave still to publish, oldest first (the scheduled check).
    pub async fn unfinished(&self) -> super::Result<Vec<(OrgLogin, i64)>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT DISTINCT p.org, p.id FROM plans p JOIN plan_waves w ON w.plan_id = p.id
             WHERE w.campaign_number IS NULL ORDER BY p.id",
        )
        .fetch_all(self.store.pool())
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(org, id)| Some((org.parse().ok()?, id)))
            .collect())
    }

    async fn with_waves(&self, row: PlanRow) -> super::Result<Option<StoredPlan>> {
        let (
            id,
            org,
            name,
            description,
            split,
            wave_size,
            when,
            share,
            cadence,
            by,
            at,
            status,
            failed,
        ) = row;
        let waves: Vec<WaveRow> = sqlx::query_as(
            "SELECT wave, size, campaign_number, published_at, due_at FROM plan_waves
             WHERE plan_id = $1 ORDER BY wave",
        )
        .bind(id)
        .fetch_all(self.store.pool())
        .await?;
        let publish_when = match when.as_str() {
            "share" => PublishWhen::Share(share.clamp(1, 100) as u8),
            "due" => PublishWhen::Due,
            _ => PublishWhen::Closed,
        };
        let (Ok(org), Some(split)) = (org.parse::<OrgLogin>(), Split::parse(&split)) else {
            return Ok(None);
        };
        Ok(Some(StoredPlan {
            id,
            org,
            name,
            description,
            split,
            wave_size: wave_size.max(0) as usize,
            publish_when,
            cadence_days: cadence.clamp(1, 365) as u32,
            created_by: by,
            created_at: super::unix_time(at),
            status,
            failed: failed != 0,
            waves: waves
                .into_iter()
                .map(|(wave, size, campaign, published, due)| StoredWave {
                    wave: wave.max(0) as usize,
                    size: size.max(0) as usize,
                    campaign: campaign.and_then(|n| CampaignNumber::try_from(n).ok()),
                    published_at: published.map(super::unix_time),
                    due_at: due.map(super::unix_time),
                })
                .collect(),
        }))
    }

    /// The alerts of wave `wave` of plan `id`.
    pub async fn wave_alerts(&self, id: i64, wave: usize) -> super::Result<Vec<PlanAlert>> {
        let rows: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT repository_id, repository, number FROM plan_alerts
             WHERE plan_id = $1 AND wave = $2 ORDER BY repository_id, number",
        )
        .bind(id)
        .bind(wave as i64)
        .fetch_all(self.store.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(repository_id, repository, number)| PlanAlert {
                repository_id,
                repository,
                number,
            })
            .collect())
    }

    /// Marks wave `wave` of plan `id` published as `campaign`, unless it is already: whether
    /// this call marked it.
    pub async fn published(
        &self,
        id: i64,
        wave: usize,
        campaign: CampaignNumber,
        due_at: DateTime<Utc>,
    ) -> super::Result<bool> {
        let done = sqlx::query(
            "UPDATE plan_waves SET campaign_number = $3, published_at = $4, due_at = $5
             WHERE plan_id = $1 AND wave = $2 AND campaign_number IS NULL",
        )
        .bind(id)
        .bind(wave as i64)
        .bind(campaign.get())
        .bind(Utc::now().timestamp())
        .bind(due_at.timestamp())
        .execute(self.store.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The last check's word on the plan's next wave (`failed`: a publish that failed).
    pub async fn set_status(&self, id: i64, status: &str, failed: bool) -> super::Result<()> {
        sqlx::query("UPDATE plans SET status = $2, failed = $3 WHERE id = $1")
            .bind(id)
            .bind(status)
            .bind(i64::from(failed))
            .execute(self.store.pool())
            .await?;
        Ok(())
    }
}
