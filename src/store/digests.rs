//! The channels an org's digests and reminders go to, and every delivery to them (see
//! `domain::digest`). A channel's target is stored sealed (the caller seals it with the session
//! key, as tokens are); a delivery is claimed before it is sent, once a channel, message and
//! period.

use super::Store;
use crate::domain::digest::{
    ChannelKind, ChannelView, DeliveryView, Message, Schedule, MAX_CHANNELS,
};
use crate::domain::OrgLogin;
use chrono::Utc;

/// A delivery left `sending` this long (its instance died mid-send) may be taken again.
const SENDING_LEASE_SECS: i64 = 300;
/// How long deliveries are kept.
const KEEP_DAYS: i64 = 90;

/// A channel with its sealed target, for the server only.
#[derive(Debug, Clone)]
pub struct StoredChannel {
    pub org: OrgLogin,
    pub sealed: String,
    pub view: ChannelView,
}

/// A delivery taken to be sent now.
#[derive(Debug, Clone)]
pub struct Taken {
    pub channel_id: i64,
    pub message: Message,
}

#[derive(Debug, Clone)]
pub struct Digests {
    store: Store,
}

type ChannelRow = (
    i64,
    String,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    String,
    i64,
    i64,
    String,
    i64,
);

const CHANNEL_COLUMNS: &str = "id, org, kind, target_sealed, target_hint, weekly, weekday, hour,
     time_zone, reminders, behind, created_by, created_at";

impl Digests {
    pub(super) fn new(store: Store) -> Self {
        Digests { store }
    }

    /// Subscribes a channel: its id, or `None` when the org has `MAX_CHANNELS` already.
    pub async fn add(
        &self,
        org: &OrgLogin,
        kind: ChannelKind,
        sealed: &str,
        hint: &str,
        s: &Schedule,
        by: &str,
    ) -> super::Result<Option<i64>> {
        let mut tx = self.store.begin_capped(&format!("channels:{org}")).await?;
        let (count,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM digest_channels WHERE org = $1")
                .bind(org.as_str())
                .fetch_one(&mut *tx)
                .await?;
        if count >= MAX_CHANNELS as i64 {
            return Ok(None);
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO digest_channels (org, kind, target_sealed, target_hint, weekly, weekday,
                 hour, time_zone, reminders, behind, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(org.as_str())
        .bind(kind.as_str())
        .bind(sealed)
        .bind(hint)
        .bind(i64::from(s.weekly))
        .bind(i64::from(s.weekday))
        .bind(i64::from(s.hour))
        .bind(&s.time_zone)
        .bind(i64::from(s.reminders))
        .bind(i64::from(s.behind))
        .bind(by)
        .bind(Utc::now().timestamp())
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    /// The org's channels, oldest first.
    pub async fn list(&self, org: &OrgLogin) -> super::Result<Vec<StoredChannel>> {
        let rows: Vec<ChannelRow> = sqlx::query_as(&format!(
            "SELECT {CHANNEL_COLUMNS} FROM digest_channels WHERE org = $1 ORDER BY id"
        ))
        .bind(org.as_str())
        .fetch_all(self.store.pool())
        .await?;
        Ok(rows.into_iter().filter_map(channel).collect())
    }

    /// Every org's channels (the scheduler's look at what is due).
    pub async fn all(&self) -> super::Result<Vec<StoredChannel>> {
        let rows: Vec<ChannelRow> = sqlx::query_as(&format!(
            "SELECT {CHANNEL_COLUMNS} FROM digest_channels ORDER BY id"
        ))
        .fetch_all(self.store.pool())
        .await?;
        Ok(rows.into_iter().filter_map(channel).collect())
    }

    pub async fn get(&self, id: i64) -> super::Result<Option<StoredChannel>> {
        let row: Option<ChannelRow> = sqlx::query_as(&format!(
            "SELECT {CHANNEL_COLUMNS} FROM digest_channels WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.store.pool())
        .await?;
        Ok(row.and_then(channel))
    }

    /// Removes the org's channel `id` and its deliveries: whether there was one.
    pub async fn remove(&self, org: &OrgLogin, id: i64) -> super::Result<bool> {
        let mut tx = self.store.begin_write().await?;
        let gone = sqlx::query("DELETE FROM digest_channels WHERE org = $1 AND id = $2")
            .bind(org.as_str())
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
        if gone {
            sqlx::query("DELETE FROM deliveries WHERE channel_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(gone)
    }

    /// Claims the delivery of `message` to a channel for `period`, writing its words: its id to
    /// send, or `None` when it was sent already (by another try or instance).
    pub async fn claim(
        &self,
        channel_id: i64,
        org: &OrgLogin,
        kind: &str,
        period: &str,
        message: &Message,
    ) -> super::Result<Option<i64>> {
        let inserted: Option<(i64,)> = sqlx::query_as(
            "INSERT INTO deliveries (channel_id, org, message, period, claimed_at, outcome,
                 subject, body)
             VALUES ($1, $2, $3, $4, $5, 'queued', $6, $7)
             ON CONFLICT (channel_id, message, period) DO NOTHING RETURNING id",
        )
        .bind(channel_id)
        .bind(org.as_str())
        .bind(kind)
        .bind(period)
        .bind(Utc::now().timestamp())
        .bind(&message.subject)
        .bind(&message.text)
        .fetch_optional(self.store.pool())
        .await?;
        if let Some((id,)) = inserted {
            return Ok(Some(id));
        }
        let (id, outcome): (i64, String) = sqlx::query_as(
            "SELECT id, outcome FROM deliveries
             WHERE channel_id = $1 AND message = $2 AND period = $3",
        )
        .bind(channel_id)
        .bind(kind)
        .bind(period)
        .fetch_one(self.store.pool())
        .await?;
        Ok((outcome != "sent").then_some(id))
    }

    /// Takes delivery `id` to send it now: its words, or `None` when it was sent, or another try
    /// is sending it (a send left for longer than the lease is taken again).
    pub async fn take(&self, id: i64) -> super::Result<Option<Taken>> {
        let now = Utc::now().timestamp();
        let took = sqlx::query(
            "UPDATE deliveries SET outcome = 'sending', claimed_at = $2, attempts = attempts + 1
             WHERE id = $1 AND outcome <> 'sent' AND (outcome <> 'sending' OR claimed_at < $3)",
        )
        .bind(id)
        .bind(now)
        .bind(now - SENDING_LEASE_SECS)
        .execute(self.store.pool())
        .await?
        .rows_affected()
            == 1;
        if !took {
            return Ok(None);
        }
        let row: Option<(i64, String, String)> =
            sqlx::query_as("SELECT channel_id, subject, body FROM deliveries WHERE id = $1")
                .bind(id)
                .fetch_optional(self.store.pool())
                .await?;
        Ok(row.map(|(channel_id, subject, text)| Taken {
            channel_id,
            message: Message { subject, text },
        }))
    }

    /// Delivery `id` ended: `sent`, or `failed` with a reason free of secrets.
    pub async fn finish(&self, id: i64, outcome: &str, error: &str) -> super::Result<()> {
        sqlx::query(
            "UPDATE deliveries SET outcome = $2, error = $3, finished_at = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(outcome)
        .bind(error)
        .bind(Utc::now().timestamp())
        .execute(self.store.pool())
        .await?;
        Ok(())
    }

    /// The org's newest `limit` deliveries, newest first.
    pub async fn recent(&self, org: &OrgLogin, limit: i64) -> super::Result<Vec<DeliveryView>> {
        type Row = (
            i64,
            i64,
            String,
            String,
            i64,
            Option<i64>,
            i64,
            String,
            String,
        );
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, channel_id, message, period, claimed_at, finished_at, attempts, outcome,
                 error
             FROM deliveries WHERE org = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(org.as_str())
        .bind(limit)
        .fetch_all(self.store.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, channel_id, message, period, at_, finished, attempts, outcome, error)| {
                    DeliveryView {
                        id,
                        channel_id,
                        message,
                        period,
                        at: super::unix_time(at_),
                        finished_at: finished.map(super::unix_time),
                        attempts,
                        outcome,
                        error,
                    }
                },
            )
            .collect())
    }

    /// Forgets deliveries older than `KEEP_DAYS`.
    pub async fn prune(&self) -> super::Result<u64> {
        let before = Utc::now().timestamp() - KEEP_DAYS * 86_400;
        Ok(sqlx::query("DELETE FROM deliveries WHERE claimed_at < $1")
            .bind(before)
            .execute(self.store.pool())
            .await?
            .rows_affected())
    }
}

fn channel(r: ChannelRow) -> Option<StoredChannel> {
    let (
        id,
        org,
        kind,
        sealed,
        hint,
        weekly,
        weekday,
        hour,
        time_zone,
        reminders,
        behind,
        by,
        created,
    ) = r;
    Some(StoredChannel {
        org: OrgLogin::parse(&org).ok()?,
        sealed,
        view: ChannelView {
            id,
            kind: ChannelKind::parse(&kind)?,
            hint,
            schedule: Schedule {
                weekly: weekly != 0,
                weekday: u8::try_from(weekday).ok()?,
                hour: u8::try_from(hour).ok()?,
                time_zone,
                reminders: reminders != 0,
                behind: behind != 0,
            },
            created_by: by,
            created_at: super::unix_time(created),
        },
    })
}
