//! Drafts and their comments (see `domain::draft`). A draft belongs to an org; who may read it is
//! decided by the caller (org membership, asked of GitHub), never by this module.

use super::Store;
use crate::domain::campaign_form::NewCampaignForm;
use crate::domain::draft::{Draft, DraftComment, DraftId, DraftSummary};
use crate::domain::OrgLogin;
use chrono::Utc;

#[derive(Debug, Clone)]
pub struct Drafts {
    store: Store,
}

/// How long a publish holds its draft: one whose holder vanished is free again after this.
const PUBLISH_HOLD_SECONDS: i64 = 120;
/// Drafts an org keeps at most (the drafts list shows them all).
pub const MAX_PER_ORG: i64 = 200;
/// Drafts one person keeps at most in an org.
pub const MAX_PER_AUTHOR: i64 = 50;
/// Comments a draft keeps at most.
pub const MAX_COMMENTS: i64 = 200;
/// Comments a draft page shows at a time, newest last.
pub const COMMENTS_PAGE: i64 = 50;

/// Why a draft or comment was not kept.
#[derive(Debug)]
pub enum Refused {
    /// The org, or this person in it, has as many drafts as it may keep.
    TooManyDrafts {
        mine: bool,
    },
    /// The draft has as many comments as it may keep.
    TooManyComments,
    /// The org has no such draft.
    NotFound,
    Store(super::StoreError),
}

impl From<sqlx::Error> for Refused {
    fn from(e: sqlx::Error) -> Self {
        Refused::Store(e.into())
    }
}

impl From<super::StoreError> for Refused {
    fn from(e: super::StoreError) -> Self {
        Refused::Store(e)
    }
}

fn selected(form: &NewCampaignForm) -> i64 {
    form.alerts.split_whitespace().count() as i64
}

impl Drafts {
    pub(super) fn new(store: Store) -> Self {
        Drafts { store }
    }

    /// Keeps a new draft of `org` by `by`: its id, unless the org or `by` has as many drafts as
    /// it may keep.
    pub async fn create(
        &self,
        org: &OrgLogin,
        form: &NewCampaignForm,
        by: &str,
    ) -> Result<DraftId, Refused> {
        let now = Utc::now().timestamp();
        let json = serde_json::to_string(form).unwrap_or_default();
        let mut tx = self.store.begin_capped(&format!("drafts:{org}")).await?;
        let (all, mine): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN created_by = $2 THEN 1 ELSE 0 END), 0)
             FROM drafts WHERE org = $1",
        )
        .bind(org.as_str())
        .bind(by)
        .fetch_one(&mut *tx)
        .await?;
        if all >= MAX_PER_ORG || mine >= MAX_PER_AUTHOR {
            return Err(Refused::TooManyDrafts {
                mine: mine >= MAX_PER_AUTHOR,
            });
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO drafts
                 (org, name, form, alert_count, created_by, created_at, updated_by, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $5, $6) RETURNING id",
        )
        .bind(org.as_str())
        .bind(&form.fields.name)
        .bind(json)
        .bind(selected(form))
        .bind(by)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        DraftId::new(id).ok_or(Refused::Store(sqlx::Error::RowNotFound.into()))
    }

    /// Replaces a draft's form; false when the org has no such draft.
    pub async fn update(
        &self,
        org: &OrgLogin,
        id: DraftId,
        form: &NewCampaignForm,
        by: &str,
    ) -> super::Result<bool> {
        let json = serde_json::to_string(form).unwrap_or_default();
        let done = sqlx::query(
            "UPDATE drafts SET name = $1, form = $2, alert_count = $3, updated_by = $4,
                 updated_at = $5, revision = revision + 1
             WHERE org = $6 AND id = $7",
        )
        .bind(&form.fields.name)
        .bind(json)
        .bind(selected(form))
        .bind(by)
        .bind(Utc::now().timestamp())
        .bind(org.as_str())
        .bind(id.get())
        .execute(self.store.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The org's drafts, most recently changed first.
    pub async fn list(&self, org: &OrgLogin) -> super::Result<Vec<DraftSummary>> {
        let rows: Vec<(i64, String, i64, String, String, i64)> = sqlx::query_as(
            "SELECT id, name, alert_count, created_by, updated_by, updated_at FROM drafts
             WHERE org = $1 ORDER BY updated_at DESC, id DESC LIMIT 200",
        )
        .bind(org.as_str())
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
                    updated_at: super::unix_time(updated_at),
                })
            })
            .collect())
    }

    /// One draft of the org, if it has it, with a page of its comments: the newest
    /// [`COMMENTS_PAGE`], or those before the comment `before`, oldest first.
    pub async fn get(
        &self,
        org: &OrgLogin,
        id: DraftId,
        before: Option<i64>,
    ) -> super::Result<Option<Draft>> {
        let row: Option<(String, String, i64, String, i64, i64)> = sqlx::query_as(
            "SELECT form, created_by, created_at, updated_by, updated_at, revision FROM drafts
             WHERE org = $1 AND id = $2",
        )
        .bind(org.as_str())
        .bind(id.get())
        .fetch_optional(self.store.pool())
        .await?;
        let Some((form, created_by, created_at, updated_by, updated_at, revision)) = row else {
            return Ok(None);
        };
        let mut comments: Vec<(i64, String, String, i64)> = sqlx::query_as(
            "SELECT id, author, body, created_at FROM draft_comments
             WHERE draft_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
        )
        .bind(id.get())
        .bind(before.unwrap_or(i64::MAX))
        .bind(COMMENTS_PAGE + 1)
        .fetch_all(self.store.pool())
        .await?;
        let older = comments.len() as i64 > COMMENTS_PAGE;
        comments.truncate(COMMENTS_PAGE as usize);
        comments.reverse();
        Ok(Some(Draft {
            id,
            form: serde_json::from_str(&form).unwrap_or_default(),
            created_by,
            created_at: super::unix_time(created_at),
            updated_by,
            updated_at: super::unix_time(updated_at),
            revision,
            older_comments: older.then(|| comments.first().map(|c| c.0)).flatten(),
            comments: comments
                .into_iter()
                .map(|(_, author, body, t)| DraftComment {
                    author,
                    body,
                    at: super::unix_time(t),
                })
                .collect(),
        }))
    }

    /// Adds a comment, unless the org has no such draft or it has [`MAX_COMMENTS`] already.
    pub async fn comment(
        &self,
        org: &OrgLogin,
        id: DraftId,
        author: &str,
        body: &str,
    ) -> Result<(), Refused> {
        let mut tx = self
            .store
            .begin_capped(&format!("draft:{}", id.get()))
            .await?;
        let found: Option<(i64,)> = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM draft_comments WHERE draft_id = drafts.id)
             FROM drafts WHERE org = $1 AND id = $2",
        )
        .bind(org.as_str())
        .bind(id.get())
        .fetch_optional(&mut *tx)
        .await?;
        match found {
            None => return Err(Refused::NotFound),
            Some((count,)) if count >= MAX_COMMENTS => return Err(Refused::TooManyComments),
            Some(_) => {}
        }
        sqlx::query(
            "INSERT INTO draft_comments (draft_id, author, body, created_at)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id.get())
        .bind(author)
        .bind(body)
        .bind(Utc::now().timestamp())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Holds the draft at `revision` for one publish: false when it is gone, changed since that
    /// revision, or another publish holds it.
    pub async fn hold(&self, org: &OrgLogin, id: DraftId, revision: i64) -> super::Result<bool> {
        let now = Utc::now().timestamp();
        let done = sqlx::query(
            "UPDATE drafts SET publishing_at = $1
             WHERE org = $2 AND id = $3 AND revision = $5
                 AND (publishing_at IS NULL OR publishing_at < $4)",
        )
        .bind(now)
        .bind(org.as_str())
        .bind(id.get())
        .bind(now - PUBLISH_HOLD_SECONDS)
        .bind(revision)
        .execute(self.store.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Lets go of a draft whose publish failed.
    pub async fn release(&self, org: &OrgLogin, id: DraftId) -> super::Result<()> {
        sqlx::query("UPDATE drafts SET publishing_at = NULL WHERE org = $1 AND id = $2")
            .bind(org.as_str())
            .bind(id.get())
            .execute(self.store.pool())
            .await?;
        Ok(())
    }

    /// Removes a draft and its comments (published or discarded).
    pub async fn remove(&self, org: &OrgLogin, id: DraftId) -> super::Result<bool> {
        let mut tx = self.store.begin_write().await?;
        sqlx::query(
            "DELETE FROM draft_comments WHERE draft_id IN
                 (SELECT id FROM drafts WHERE org = $1 AND id = $2)",
        )
        .bind(org.as_str())
        .bind(id.get())
        .execute(&mut *tx)
        .await?;
        let done = sqlx::query("DELETE FROM drafts WHERE org = $1 AND id = $2")
            .bind(org.as_str())
            .bind(id.get())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }
}
