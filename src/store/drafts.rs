//! Drafts and their comments (see `domain::draft`). A draft belongs to an org; who may read it is
//! decided by the caller (org membership, asked of GitHub), never by this module.

use super::Store;
use crate::domain::campaign_form::NewCampaignForm;
use crate::domain::draft::{Draft, DraftComment, DraftId, DraftSummary};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone)]
pub struct Drafts {
    store: Store,
}

/// How long a publish holds its draft: one whose holder vanished is free again after this.
const PUBLISH_HOLD_SECONDS: i64 = 120;

fn at(t: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(t, 0).unwrap_or_default()
}

fn selected(form: &NewCampaignForm) -> i64 {
    form.alerts.split_whitespace().count() as i64
}

impl Drafts {
    pub(super) fn new(store: Store) -> Self {
        Drafts { store }
    }

    /// Keeps a new draft of `org` by `by`: its id.
    pub async fn create(
        &self,
        org: &str,
        form: &NewCampaignForm,
        by: &str,
    ) -> sqlx::Result<DraftId> {
        let now = Utc::now().timestamp();
        let json = serde_json::to_string(form).unwrap_or_default();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO drafts
                 (org, name, form, alert_count, created_by, created_at, updated_by, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $5, $6) RETURNING id",
        )
        .bind(org.to_ascii_lowercase())
        .bind(&form.fields.name)
        .bind(json)
        .bind(selected(form))
        .bind(by)
        .bind(now)
        .fetch_one(self.store.pool())
        .await?;
        DraftId::new(id).ok_or(sqlx::Error::RowNotFound)
    }

    /// Replaces a draft's form; false when the org has no such draft.
    pub async fn update(
        &self,
        org: &str,
        id: DraftId,
        form: &NewCampaignForm,
        by: &str,
    ) -> sqlx::Result<bool> {
        let json = serde_json::to_string(form).unwrap_or_default();
        let done = sqlx::query(
            "UPDATE drafts SET name = $1, form = $2, alert_count = $3, updated_by = $4,
                 updated_at = $5
             WHERE org = $6 AND id = $7",
        )
        .bind(&form.fields.name)
        .bind(json)
        .bind(selected(form))
        .bind(by)
        .bind(Utc::now().timestamp())
        .bind(org.to_ascii_lowercase())
        .bind(id.get())
        .execute(self.store.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The org's drafts, most recently changed first.
    pub async fn list(&self, org: &str) -> sqlx::Result<Vec<DraftSummary>> {
        let rows: Vec<(i64, String, i64, String, String, i64)> = sqlx::query_as(
            "SELECT id, name, alert_count, created_by, updated_by, updated_at FROM drafts
             WHERE org = $1 ORDER BY updated_at DESC, id DESC LIMIT 200",
        )
        .bind(org.to_ascii_lowercase())
        .fetch_all(self.store.pool())
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, name, alerts, created_by, updated_by, updated_at)| {
                Some(DraftSummary {
                    id: DraftId::new(id)?,
                    name,
                    alerts: alerts as usize,
                    created_by,
                    updated_by,
                    updated_at: at(updated_at),
                })
            })
            .collect())
    }

    /// One draft of the org with its comments, if it has it.
    pub async fn get(&self, org: &str, id: DraftId) -> sqlx::Result<Option<Draft>> {
        let row: Option<(String, String, i64, String, i64)> = sqlx::query_as(
            "SELECT form, created_by, created_at, updated_by, updated_at FROM drafts
             WHERE org = $1 AND id = $2",
        )
        .bind(org.to_ascii_lowercase())
        .bind(id.get())
        .fetch_optional(self.store.pool())
        .await?;
        let Some((form, created_by, created_at, updated_by, updated_at)) = row else {
            return Ok(None);
        };
        let comments: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT author, body, created_at FROM draft_comments WHERE draft_id = $1 ORDER BY id",
        )
        .bind(id.get())
        .fetch_all(self.store.pool())
        .await?;
        Ok(Some(Draft {
            id,
            form: serde_json::from_str(&form).unwrap_or_default(),
            created_by,
            created_at: at(created_at),
            updated_by,
            updated_at: at(updated_at),
            comments: comments
                .into_iter()
                .map(|(author, body, t)| DraftComment {
                    author,
                    body,
                    at: at(t),
                })
                .collect(),
        }))
    }

    /// Adds a comment; false when the org has no such draft.
    pub async fn comment(
        &self,
        org: &str,
        id: DraftId,
        author: &str,
        body: &str,
    ) -> sqlx::Result<bool> {
        let done = sqlx::query(
            "INSERT INTO draft_comments (draft_id, author, body, created_at)
             SELECT id, $1, $2, $3 FROM drafts WHERE org = $4 AND id = $5",
        )
        .bind(author)
        .bind(body)
        .bind(Utc::now().timestamp())
        .bind(org.to_ascii_lowercase())
        .bind(id.get())
        .execute(self.store.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Holds the draft for one publish: false when it is gone or another publish holds it.
    pub async fn hold(&self, org: &str, id: DraftId) -> sqlx::Result<bool> {
        let now = Utc::now().timestamp();
        let done = sqlx::query(
            "UPDATE drafts SET publishing_at = $1
             WHERE org = $2 AND id = $3 AND (publishing_at IS NULL OR publishing_at < $4)",
        )
        .bind(now)
        .bind(org.to_ascii_lowercase())
        .bind(id.get())
        .bind(now - PUBLISH_HOLD_SECONDS)
        .execute(self.store.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Lets go of a draft whose publish failed.
    pub async fn release(&self, org: &str, id: DraftId) -> sqlx::Result<()> {
        sqlx::query("UPDATE drafts SET publishing_at = NULL WHERE org = $1 AND id = $2")
            .bind(org.to_ascii_lowercase())
            .bind(id.get())
            .execute(self.store.pool())
            .await?;
        Ok(())
    }

    /// Removes a draft and its comments (published or discarded).
    pub async fn remove(&self, org: &str, id: DraftId) -> sqlx::Result<bool> {
        let mut tx = self.store.begin_write().await?;
        sqlx::query(
            "DELETE FROM draft_comments WHERE draft_id IN
                 (SELECT id FROM drafts WHERE org = $1 AND id = $2)",
        )
        .bind(org.to_ascii_lowercase())
        .bind(id.get())
        .execute(&mut *tx)
        .await?;
        let done = sqlx::query("DELETE FROM drafts WHERE org = $1 AND id = $2")
            .bind(org.to_ascii_lowercase())
            .bind(id.get())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }
}
