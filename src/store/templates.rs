//! Templates an org's members saved (see `domain::template`); the built-in ones are not stored.

use super::Store;
use crate::domain::template::Template;
use crate::domain::OrgLogin;

#[derive(Debug, Clone)]
pub struct Templates {
    store: Store,
}

/// An org keeps at most this many templates.
pub const MAX_PER_ORG: i64 = 100;

impl Templates {
    pub(super) fn new(store: Store) -> Self {
        Templates { store }
    }

    /// Keeps `t` for `org` (replacing one of the same label): its id, or `None` when the org has
    /// `MAX_PER_ORG` templates already.
    pub async fn save(&self, org: &OrgLogin, t: &Template, by: &str) -> super::Result<Option<i64>> {
        // Counted and added under one lock: two saves at once cannot both take the last place.
        let mut tx = self.store.begin_capped(&format!("templates:{org}")).await?;
        let (count,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM templates WHERE org = $1 AND label <> $2")
                .bind(org.as_str())
                .bind(&t.label)
                .fetch_one(&mut *tx)
                .await?;
        if count >= MAX_PER_ORG {
            return Ok(None);
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO templates
                 (org, label, filter, name_pattern, description_pattern, saved_by, saved_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (org, label) DO UPDATE SET filter = excluded.filter,
                 name_pattern = excluded.name_pattern,
                 description_pattern = excluded.description_pattern,
                 saved_by = excluded.saved_by, saved_at = excluded.saved_at
             RETURNING id",
        )
        .bind(org.as_str())
        .bind(&t.label)
        .bind(serde_json::to_string(&t.filter).unwrap_or_default())
        .bind(&t.name_pattern)
        .bind(&t.description_pattern)
        .bind(by)
        .bind(chrono::Utc::now().timestamp())
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    /// The org's saved templates, by label.
    pub async fn list(&self, org: &OrgLogin) -> super::Result<Vec<Template>> {
        let rows: Vec<(i64, String, String, String, String, String)> = sqlx::query_as(
            "SELECT id, label, filter, name_pattern, description_pattern, saved_by
             FROM templates WHERE org = $1 ORDER BY label",
        )
        .bind(org.as_str())
        .fetch_all(self.store.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, label, filter, name_pattern, description_pattern, by)| Template {
                    id: Some(id),
                    label,
                    filter: serde_json::from_str(&filter).unwrap_or_default(),
                    name_pattern,
                    description_pattern,
                    saved_by: Some(by),
                },
            )
            .collect())
    }

    /// Removes one of the org's templates; false when it has no such template.
    pub async fn remove(&self, org: &OrgLogin, id: i64) -> super::Result<bool> {
        let done = sqlx::query("DELETE FROM templates WHERE org = $1 AND id = $2")
            .bind(org.as_str())
            .bind(id)
            .execute(self.store.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
