//! Each org's alert index: its code-scanning alerts of every state as GitHub last listed them,
//! and the state of the org's sync (see `service::alert_index`, which fills it).
//!
//! A sync is taken under a lease ([`AlertIndex::lease`]): one statement that succeeds for one
//! caller of all instances, and only when the index is older than the caller accepts. Rows are
//! written in batches ([`AlertIndex::upsert`]); [`AlertIndex::finish`] records where the next sync
//! stops and, after a full read, removes what that read did not see.

use super::Store;
use crate::domain::alert::{AlertNow, AlertRow, IndexedAlert};
use crate::domain::campaign_alerts::LiveState;
use crate::domain::OrgLogin;
use chrono::{DateTime, Utc};
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct AlertIndex {
    store: Store,
}

/// An org's sync, as the last one left it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SyncState {
    /// When the index last matched GitHub; `None` until a first sync has finished.
    pub synced_at: Option<DateTime<Utc>>,
    /// When a sync last read every page (and removed what it did not see).
    pub full_at: Option<DateTime<Utc>>,
    /// The newest `updated_at` the index holds: the next sync reads down to it.
    pub watermark: Option<DateTime<Utc>>,
    /// Page 1's ETag at the last sync.
    pub etag: Option<String>,
}

/// What a finished sync records.
#[derive(Debug, Clone)]
pub struct SyncDone {
    /// When the sync began: its rows were written with this time.
    pub started: DateTime<Utc>,
    pub watermark: Option<DateTime<Utc>>,
    pub etag: Option<String>,
    /// Every page was read: rows this sync did not see are gone from GitHub.
    pub full: bool,
}

/// Rows written in one statement: 20 values each, well under both backends' limits.
const ROWS_PER_INSERT: usize = 100;
/// Alerts read by key in one statement: two values each.
const KEYS_PER_QUERY: usize = 500;
/// Open alerts this instance keeps as read, over every org: about 450 bytes each, so at most
/// some 14 MB.
const OPEN_ROWS_KEPT: u64 = 30_000;
/// An org with more open alerts than this is read from the database every time: its copy would
/// crowd out the others' and cost its size again in memory (the cache's own eviction comes later
/// than the copy).
const OPEN_ROWS_KEPT_AN_ORG: usize = 15_000;

/// What a sync leaves different when it changes any row: a full sync's time, the newest update
/// and page 1's ETag (an incremental sync that wrote rows moved one of the last two).
type Version = (Option<DateTime<Utc>>, Option<DateTime<Utc>>, Option<String>);

/// Each org's open alerts as this instance last read them, with the sync state they were read
/// under: the picker's one call reads 10,000 rows, which costs the database far more than the
/// one-row read of the state that says whether they are still what it holds. Rows read after a
/// sync began and before it finished are kept under the state read before them, so the next
/// read after the sync, finding a new state, reads them again: a kept read is never newer in
/// name than in content. (A sync that fails after writing some rows leaves the state as it was:
/// those rows show once the next sync succeeds, within `github.alert_index_fresh`.)
#[derive(Clone)]
pub(super) struct OpenRead(moka::sync::Cache<String, Arc<(Version, Vec<AlertRow>)>>);

impl Default for OpenRead {
    fn default() -> Self {
        let rows = |_: &String, kept: &Arc<(Version, Vec<AlertRow>)>| {
            u32::try_from(kept.1.len()).unwrap_or(u32::MAX)
        };
        OpenRead(
            moka::sync::Cache::builder()
                .weigher(rows)
                .max_capacity(OPEN_ROWS_KEPT)
                .build(),
        )
    }
}

impl OpenRead {
    fn get(&self, org: &OrgLogin) -> Option<Arc<(Version, Vec<AlertRow>)>> {
        self.0.get(org.as_str())
    }

    fn keep(&self, org: &OrgLogin, read: Arc<(Version, Vec<AlertRow>)>) {
        self.0.insert(org.as_str().to_owned(), read);
    }
}

impl std::fmt::Debug for OpenRead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OpenRead({} orgs)", self.0.entry_count())
    }
}

const COLUMNS: &str = "org, repo_id, repo, number, rule_id, rule_name, rule_severity, severity, \
     tool, cwes, path, line, state, dismissed_reason, created_at, updated_at, fixed_at, \
     dismissed_at, html_url, seen_at, assignees";

#[derive(sqlx::FromRow)]
struct Row {
    repo_id: i64,
    repo: String,
    number: i64,
    rule_id: String,
    rule_name: String,
    rule_severity: String,
    severity: String,
    tool: String,
    cwes: String,
    path: String,
    line: i64,
    state: String,
    dismissed_reason: Option<String>,
    created_at: i64,
    updated_at: i64,
    fixed_at: Option<i64>,
    dismissed_at: Option<i64>,
    html_url: String,
    assignees: String,
}

impl From<Row> for IndexedAlert {
    fn from(r: Row) -> Self {
        IndexedAlert {
            row: AlertRow {
                repo_id: r.repo_id,
                repo: r.repo,
                number: r.number,
                rule_id: r.rule_id,
                rule_name: r.rule_name,
                severity: r.severity,
                rule_severity: r.rule_severity,
                tool: r.tool,
                path: r.path,
                line: r.line,
                created_at: super::unix_time(r.created_at),
                html_url: r.html_url,
                cwes: r.cwes.split_whitespace().map(str::to_owned).collect(),
            },
            state: LiveState::chosen(&r.state).unwrap_or(LiveState::Unknown),
            dismissed_reason: r.dismissed_reason,
            updated_at: super::unix_time(r.updated_at),
            fixed_at: r.fixed_at.map(super::unix_time),
            dismissed_at: r.dismissed_at.map(super::unix_time),
            assignees: r.assignees.split_whitespace().map(str::to_owned).collect(),
        }
    }
}

const SELECT: &str = "SELECT repo_id, repo, number, rule_id, rule_name, rule_severity, severity, \
     tool, cwes, path, line, state, dismissed_reason, created_at, updated_at, fixed_at, \
     dismissed_at, html_url, assignees FROM alert_index";

impl AlertIndex {
    pub(super) fn new(store: Store) -> Self {
        AlertIndex { store }
    }

    /// The org's sync as the last one left it (all `None` before the first).
    pub async fn state(&self, org: &OrgLogin) -> super::Result<SyncState> {
        type Times = (Option<i64>, Option<i64>, Option<i64>, Option<String>);
        let row: Option<Times> = sqlx::query_as(
            "SELECT synced_at, full_at, watermark, etag FROM alert_index_syncs WHERE org = $1",
        )
        .bind(org.as_str())
        .fetch_optional(self.store.pool())
        .await?;
        Ok(
            row.map_or_else(SyncState::default, |(s, f, w, e)| SyncState {
                synced_at: s.map(super::unix_time),
                full_at: f.map(super::unix_time),
                watermark: w.map(super::unix_time),
                etag: e,
            }),
        )
    }

    /// Repositories of the org with open alerts and none fixed or dismissed since `since`, by
    /// name (at most `limit`).
    pub async fn quiet_repositories(
        &self,
        org: &OrgLogin,
        since: DateTime<Utc>,
        limit: i64,
    ) -> super::Result<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT repo FROM alert_index WHERE org = $1 GROUP BY repo
             HAVING SUM(CASE WHEN state = 'open' THEN 1 ELSE 0 END) > 0
                AND SUM(CASE WHEN fixed_at >= $2 OR dismissed_at >= $2 THEN 1 ELSE 0 END) = 0
             ORDER BY repo LIMIT $3",
        )
        .bind(org.as_str())
        .bind(since.timestamp())
        .bind(limit)
        .fetch_all(self.store.pool())
        .await?;
        Ok(rows.into_iter().map(|(r,)| r).collect())
    }

    /// Takes the org's sync for `holder` until `until`, when no lease is held and the index was
    /// synced at or before `stale_before` (or never): true for exactly one caller of all
    /// instances.
    pub async fn lease(
        &self,
        org: &OrgLogin,
        holder: &str,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> super::Result<bool> {
        let done = sqlx::query(
            "INSERT INTO alert_index_syncs (org, lease_until, lease_holder) VALUES ($1, $2, $3)
             ON CONFLICT (org) DO UPDATE SET lease_until = excluded.lease_until,
                 lease_holder = excluded.lease_holder
             WHERE alert_index_syncs.lease_until <= $4
               AND (alert_index_syncs.synced_at IS NULL OR alert_index_syncs.synced_at <= $5)",
        )
        .bind(org.as_str())
        .bind(until.timestamp())
        .bind(holder)
        .bind(now.timestamp())
        .bind(stale_before.timestamp())
        .execute(self.store.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives the lease back without recording a sync (the sync failed).
    pub async fn release(&self, org: &OrgLogin, holder: &str) -> super::Result<()> {
        sqlx::query(
            "UPDATE alert_index_syncs SET lease_until = 0, lease_holder = NULL
             WHERE org = $1 AND lease_holder = $2",
        )
        .bind(org.as_str())
        .bind(holder)
        .execute(self.store.pool())
        .await?;
        Ok(())
    }

    /// Writes `alerts` as seen by the sync begun at `seen_at` (a row already there is replaced).
    pub async fn upsert(
        &self,
        org: &OrgLogin,
        alerts: &[IndexedAlert],
        seen_at: DateTime<Utc>,
    ) -> super::Result<()> {
        let mut tx = self.store.begin_write().await?;
        for chunk in alerts.chunks(ROWS_PER_INSERT) {
            let sql = upsert_sql(chunk.len());
            let mut q = sqlx::query(&sql);
            for a in chunk {
                let r = &a.row;
                q = q
                    .bind(org.as_str())
                    .bind(r.repo_id)
                    .bind(r.repo.clone())
                    .bind(r.number)
                    .bind(r.rule_id.clone())
                    .bind(r.rule_name.clone())
                    .bind(r.rule_severity.clone())
                    .bind(r.severity.clone())
                    .bind(r.tool.clone())
                    .bind(r.cwes.join(" "))
                    .bind(r.path.clone())
                    .bind(r.line)
                    .bind(a.state.as_str())
                    .bind(a.dismissed_reason.clone())
                    .bind(r.created_at.timestamp())
                    .bind(a.updated_at.timestamp())
                    .bind(a.fixed_at.map(|t| t.timestamp()))
                    .bind(a.dismissed_at.map(|t| t.timestamp()))
                    .bind(r.html_url.clone())
                    .bind(seen_at.timestamp_millis())
                    .bind(a.assignees.join(" "));
            }
            q.execute(&mut *tx).await?;
        }
        Ok(tx.commit().await?)
    }

    /// Records a finished sync and gives its lease back; after a full one, removes the rows it
    /// did not see (alerts of deleted repositories, deleted alerts).
    pub async fn finish(&self, org: &OrgLogin, holder: &str, done: &SyncDone) -> super::Result<()> {
        let mut tx = self.store.begin_write().await?;
        if done.full {
            sqlx::query("DELETE FROM alert_index WHERE org = $1 AND seen_at < $2")
                .bind(org.as_str())
                .bind(done.started.timestamp_millis())
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "UPDATE alert_index_syncs SET synced_at = $2,
                 full_at = CASE WHEN $3 = 1 THEN $2 ELSE full_at END,
                 watermark = COALESCE($4, watermark), etag = $5,
                 lease_until = 0, lease_holder = NULL
             WHERE org = $1 AND lease_holder = $6",
        )
        .bind(org.as_str())
        .bind(done.started.timestamp())
        .bind(i64::from(done.full))
        .bind(done.watermark.map(|t| t.timestamp()))
        .bind(done.etag.clone())
        .bind(holder)
        .execute(&mut *tx)
        .await?;
        Ok(tx.commit().await?)
    }

    /// The org's open alerts, newest first (GitHub's own order for the org's list).
    pub async fn open(&self, org: &OrgLogin) -> super::Result<Vec<AlertRow>> {
        let was = self.state(org).await?;
        let version = (was.full_at, was.watermark, was.etag);
        if let Some(kept) = self.store.open_read.get(org) {
            if kept.0 == version {
                return Ok(kept.1.clone());
            }
        }
        let rows = self.read_open(org).await?;
        if rows.len() <= OPEN_ROWS_KEPT_AN_ORG {
            (self.store.open_read).keep(org, Arc::new((version, rows.clone())));
        }
        Ok(rows)
    }

    async fn read_open(&self, org: &OrgLogin) -> super::Result<Vec<AlertRow>> {
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "{SELECT} WHERE org = $1 AND state = 'open'
             ORDER BY created_at DESC, repo_id DESC, number DESC"
        ))
        .bind(org.as_str())
        .fetch_all(self.store.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| IndexedAlert::from(r).row)
            .collect())
    }

    /// The indexed alerts among `keys` (repository id, alert number), any state, in no order; an
    /// alert the index lacks is left out. One query for each `KEYS_PER_QUERY` keys.
    pub async fn alerts(
        &self,
        org: &OrgLogin,
        keys: &[(i64, i64)],
    ) -> super::Result<Vec<IndexedAlert>> {
        let mut found = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(KEYS_PER_QUERY) {
            let pairs: Vec<String> = (0..chunk.len())
                .map(|i| format!("(${}, ${})", 2 * i + 2, 2 * i + 3))
                .collect();
            let sql = format!(
                "{SELECT} WHERE org = $1 AND (repo_id, number) IN (VALUES {})",
                pairs.join(", ")
            );
            let mut q = sqlx::query_as::<_, Row>(&sql).bind(org.as_str());
            for (repo_id, number) in chunk {
                q = q.bind(*repo_id).bind(*number);
            }
            let rows = q.fetch_all(self.store.pool()).await?;
            found.extend(rows.into_iter().map(IndexedAlert::from));
        }
        Ok(found)
    }

    /// Writes what GitHub answered to a change of one alert (its state, reason, times and
    /// assignees), if the index holds the alert; the next sync reads it again all the same. The
    /// sync's ETag is dropped: every instance's kept read of the org's open alerts (keyed by it)
    /// is then stale, and the next sync reads GitHub's page rather than take a 304.
    pub async fn changed(
        &self,
        org: &OrgLogin,
        repo_id: i64,
        number: i64,
        a: &AlertNow,
    ) -> super::Result<()> {
        let mut tx = self.store.begin_write().await?;
        sqlx::query(
            "UPDATE alert_index SET state = $4, dismissed_reason = $5, updated_at = $6,
                 fixed_at = $7, dismissed_at = $8, assignees = $9
             WHERE org = $1 AND repo_id = $2 AND number = $3",
        )
        .bind(org.as_str())
        .bind(repo_id)
        .bind(number)
        .bind(a.state.as_str())
        .bind(a.dismissed_reason.clone())
        .bind(a.updated_at.timestamp())
        .bind(a.fixed_at.map(|t| t.timestamp()))
        .bind(a.dismissed_at.map(|t| t.timestamp()))
        .bind(a.assignees.join(" "))
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE alert_index_syncs SET etag = NULL WHERE org = $1")
            .bind(org.as_str())
            .execute(&mut *tx)
            .await?;
        Ok(tx.commit().await?)
    }

    /// How many alerts the org's index holds.
    pub async fn count(&self, org: &OrgLogin) -> super::Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM alert_index WHERE org = $1")
            .bind(org.as_str())
            .fetch_one(self.store.pool())
            .await?;
        Ok(n)
    }
}

/// `INSERT … VALUES (…), (…) ON CONFLICT … DO UPDATE` for `rows` rows, numbered `$1…`.
fn upsert_sql(rows: usize) -> String {
    const PER_ROW: usize = 21;
    let values: Vec<String> = (0..rows)
        .map(|r| {
            let marks: Vec<String> = (1..=PER_ROW)
                .map(|c| format!("${}", r * PER_ROW + c))
                .collect();
            format!("({})", marks.join(", "))
        })
        .collect();
    let updated: Vec<String> = COLUMNS
        .split(", ")
        .map(str::trim)
        .filter(|c| !matches!(*c, "org" | "repo_id" | "number"))
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    format!(
        "INSERT INTO alert_index ({COLUMNS}) VALUES {} ON CONFLICT (org, repo_id, number) DO UPDATE SET {}",
        values.join(", "),
        updated.join(", ")
    )
}
