//! The audit log: every change made through the app, appended and never changed (the schema's
//! triggers refuse an UPDATE or DELETE, whoever sends it). Read back newest first, by org, with
//! the audit page's filters.

use super::Store;
use crate::domain::audit::{AuditAction, AuditEntry, AuditQuery, FieldChange};
use crate::domain::{CampaignNumber, OrgLogin};
use chrono::{DateTime, Utc};

/// Where a read of the log starts.
#[derive(Debug, Clone, Copy)]
pub enum Position {
    /// After this many matching entries, newest first.
    Skip(i64),
    /// With the newest entry older than this id.
    Before(i64),
}

#[derive(Debug, Clone)]
pub struct AuditLog {
    store: Store,
}

type Row = (
    i64,
    i64,
    String,
    Option<i64>,
    String,
    String,
    String,
    String,
    Option<String>,
);

fn entry(
    (id, at, org, number, name, actor, action, changes, error): Row,
) -> Option<(i64, AuditEntry)> {
    Some((
        id,
        AuditEntry {
            at: DateTime::<Utc>::from_timestamp(at, 0)?,
            org,
            campaign: number.and_then(|n| CampaignNumber::try_from(n).ok()),
            campaign_name: name,
            actor,
            action: AuditAction::parse(&action)?,
            changes: serde_json::from_str::<Vec<FieldChange>>(&changes).unwrap_or_default(),
            error,
        },
    ))
}

impl AuditLog {
    pub(super) fn new(store: Store) -> Self {
        AuditLog { store }
    }

    /// Appends `e`; its id.
    pub async fn append(&self, e: &AuditEntry) -> super::Result<i64> {
        let changes = serde_json::to_string(&e.changes).unwrap_or_else(|_| "[]".to_owned());
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO audit_log
                 (at, org, campaign_number, campaign_name, actor, action, changes, error)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(e.at.timestamp())
        .bind(e.org.to_ascii_lowercase())
        .bind(e.campaign.map(CampaignNumber::get))
        .bind(&e.campaign_name)
        .bind(&e.actor)
        .bind(e.action.as_str())
        .bind(changes)
        .bind(e.error.clone())
        .fetch_one(self.store.pool())
        .await?;
        Ok(id)
    }

    /// The entry `id` of `org`, if there is one.
    pub async fn get(&self, org: &OrgLogin, id: i64) -> super::Result<Option<AuditEntry>> {
        let row: Option<Row> = sqlx::query_as(
            "SELECT id, at, org, campaign_number, campaign_name, actor, action, changes, error
             FROM audit_log WHERE org = $1 AND id = $2",
        )
        .bind(org.as_str())
        .bind(id)
        .fetch_optional(self.store.pool())
        .await?;
        Ok(row.and_then(entry).map(|(_, e)| e))
    }

    /// How many changes `actor`'s entries of `actions` since `since` hold, in every org (a
    /// person's budget for bulk actions).
    pub async fn changes_since(
        &self,
        actor: &str,
        actions: &[AuditAction],
        since: DateTime<Utc>,
    ) -> super::Result<usize> {
        let marks: Vec<String> = (0..actions.len()).map(|i| format!("${}", i + 3)).collect();
        let sql = format!(
            "SELECT changes FROM audit_log WHERE actor = $1 AND at >= $2 AND action IN ({})",
            marks.join(", ")
        );
        let mut q = sqlx::query_scalar::<_, String>(&sql)
            .bind(actor)
            .bind(since.timestamp());
        for a in actions {
            q = q.bind(a.as_str());
        }
        let rows = q.fetch_all(self.store.pool()).await?;
        Ok(rows
            .iter()
            .map(|c| serde_json::from_str::<Vec<FieldChange>>(c).map_or(0, |v| v.len()))
            .sum())
    }

    /// Up to `limit` entries of `org` that match `query`, newest first, from `at`: the audit
    /// page skips whole pages (it shows a page number), the CSV export reads on from the last id
    /// it wrote, so its thousandth chunk costs what its first does.
    pub async fn page(
        &self,
        org: &OrgLogin,
        query: &AuditQuery,
        at: Position,
        limit: i64,
    ) -> super::Result<Vec<(i64, AuditEntry)>> {
        let mut conditions = vec!["org = $1".to_owned()];
        let mut n = 1;
        let mut next = |column: &str, op: &str| {
            n += 1;
            format!("{column} {op} ${n}")
        };
        let (before, offset) = match at {
            Position::Skip(offset) => (None, offset),
            Position::Before(id) => (Some(id), 0),
        };
        if before.is_some() {
            conditions.push(next("id", "<"));
        }
        if query.campaign.is_some() {
            conditions.push(next("campaign_number", "="));
        }
        if query.actor.is_some() {
            conditions.push(next("actor", "="));
        }
        if query.action.is_some() {
            conditions.push(next("action", "="));
        }
        let sql = format!(
            "SELECT id, at, org, campaign_number, campaign_name, actor, action, changes, error
             FROM audit_log WHERE {} ORDER BY id DESC LIMIT {limit} OFFSET {offset}",
            conditions.join(" AND "),
        );
        let mut q = sqlx::query_as::<_, Row>(&sql).bind(org.as_str());
        if let Some(id) = before {
            q = q.bind(id);
        }
        if let Some(c) = query.campaign {
            q = q.bind(c.get());
        }
        if let Some(a) = &query.actor {
            q = q.bind(a.clone());
        }
        if let Some(a) = query.action {
            q = q.bind(a.as_str());
        }
        let rows = q.fetch_all(self.store.pool()).await?;
        Ok(rows.into_iter().filter_map(entry).collect())
    }
}
