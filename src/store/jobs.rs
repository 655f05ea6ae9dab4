//! Scheduled work: the job queue (apalis's SQL storage, in the same database) and the run
//! history (`job_runs`, ours).
//!
//! A due job runs once across every instance because enqueuing it starts with
//! [`JobRuns::claim`]: the first instance to insert the job's (kind, scope, period) row pushes the
//! job; the others find the row and push nothing. apalis then hands the job to one worker (a row
//! lock on PostgreSQL, a conditional update on SQLite), retries it, and gives a job whose
//! instance died to another after [`ORPHANED_AFTER`].

use super::{Backend, Store};
use crate::domain::background::{Job, JobRun};
use apalis_sql::{postgres::PostgresStorage, sqlite::SqliteStorage, Config};
use chrono::Utc;
use std::time::Duration;

/// apalis's name for our jobs (its `job_type` column).
const NAMESPACE: &str = "campaigns-admin";
/// A running job whose worker has not been seen for this long is handed to another.
pub const ORPHANED_AFTER: Duration = Duration::from_secs(120);
/// How long a finished job's row and run are kept.
const KEEP_DAYS: i64 = 30;
/// The most runs kept, whatever their age.
const KEEP_RUNS: i64 = 5_000;

/// A run left `running` this long is taken to be dead (its instance stopped mid-run): longer
/// than any job takes.
pub const RUNNING_LEASE_SECS: i64 = 600;

/// Whether a try of a job runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Begin {
    /// This try runs the job.
    Go,
    /// Another try is running it now: try again later.
    Busy,
    /// It has run already (done, stopped, or given up).
    Finished,
}

/// apalis's storage of our jobs, on the store's backend.
#[derive(Clone)]
pub enum JobQueue {
    Sqlite(SqliteStorage<Job>),
    Postgres(PostgresStorage<Job>),
}

impl std::fmt::Debug for JobQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            JobQueue::Sqlite(_) => "JobQueue(sqlite)",
            JobQueue::Postgres(_) => "JobQueue(postgres)",
        })
    }
}

impl JobQueue {
    /// A pool of its own (apalis's storages take the typed pools), with a worker's timing.
    pub(super) async fn connect(
        backend: Backend,
        url: &str,
        poll: Duration,
    ) -> Result<Self, sqlx::Error> {
        let config = Config::new(NAMESPACE)
            .set_poll_interval(poll)
            .set_keep_alive(Duration::from_secs(30))
            .set_reenqueue_orphaned_after(ORPHANED_AFTER)
            .set_buffer_size(4);
        // Typed pools (the storages take no `Any` pool); each backend's own type, the same size.
        Ok(match backend {
            Backend::Sqlite => {
                let pool = pool_options().connect(url).await?;
                JobQueue::Sqlite(SqliteStorage::new_with_config(pool, config))
            }
            Backend::Postgres => {
                let pool = pool_options().connect(url).await?;
                JobQueue::Postgres(PostgresStorage::new_with_config(pool, config))
            }
        })
    }

    /// apalis's own tables (beside ours, in the same migrations table: each set ignores the
    /// other's versions).
    pub(super) async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self {
            JobQueue::Sqlite(s) => {
                let mut m = SqliteStorage::migrations();
                m.set_ignore_missing(true);
                m.run(s.pool()).await
            }
            JobQueue::Postgres(s) => {
                let mut m = PostgresStorage::migrations();
                m.set_ignore_missing(true);
                m.run(s.pool()).await
            }
        }
    }

    /// Adds `job` to the queue, for whichever instance's worker takes it first.
    pub async fn push(&self, job: Job) -> super::Result<()> {
        use apalis::prelude::Storage;
        match self.clone() {
            JobQueue::Sqlite(mut s) => s.push(job).await.map(drop)?,
            JobQueue::Postgres(mut s) => s.push(job).await.map(drop)?,
        }
        Ok(())
    }

    /// Forgets finished jobs older than `KEEP_DAYS` (their outcome stays in `job_runs`).
    async fn prune(&self) -> super::Result<u64> {
        let before = Utc::now().timestamp() - KEEP_DAYS * 86_400;
        let done = match self {
            JobQueue::Sqlite(s) => {
                sqlx::query("DELETE FROM Jobs WHERE status IN ('Done', 'Killed') AND done_at < $1")
                    .bind(before)
                    .execute(s.pool())
                    .await?
                    .rows_affected()
            }
            JobQueue::Postgres(s) => sqlx::query(
                "DELETE FROM apalis.jobs WHERE status IN ('Done', 'Killed')
                 AND done_at < to_timestamp($1)",
            )
            .bind(before as f64)
            .execute(s.pool())
            .await?
            .rows_affected(),
        };
        Ok(done)
    }
}

/// The run history of scheduled jobs.
#[derive(Debug, Clone)]
pub struct JobRuns {
    store: Store,
}

impl JobRuns {
    pub(super) fn new(store: Store) -> Self {
        JobRuns { store }
    }

    /// Claims the job's run and enqueues it: `true` when this call did, `false` when another
    /// (instance) had claimed the same kind, scope and period already. A push that fails gives
    /// the claim back, so the next tick tries again.
    pub async fn enqueue_once(&self, job: Job) -> super::Result<bool> {
        if !self.claim(&job).await? {
            return Ok(false);
        }
        if let Err(e) = self.store.queue.push(job.clone()).await {
            let (kind, scope, period) = job.run_key();
            sqlx::query("DELETE FROM job_runs WHERE kind = $1 AND scope = $2 AND period = $3")
                .bind(kind)
                .bind(&scope)
                .bind(&period)
                .execute(self.store.pool())
                .await?;
            return Err(e);
        }
        Ok(true)
    }

    /// Enqueues `job` (its period is its own: a test message a person asked for).
    pub async fn enqueue(&self, job: Job) -> super::Result<()> {
        self.claim(&job).await?;
        self.store.queue.push(job).await
    }

    /// Inserts the job's run as queued: whether it was not there yet.
    async fn claim(&self, job: &Job) -> super::Result<bool> {
        let (kind, scope, period) = job.run_key();
        self.record(kind, &scope, &period, "queued", "", false)
            .await
    }

    /// Writes a run's row: inserted when new (`true`), or, when `replace`, its outcome and
    /// detail replaced (the per-org lines of a job over every org).
    pub async fn record(
        &self,
        kind: &str,
        scope: &str,
        period: &str,
        outcome: &str,
        detail: &str,
        replace: bool,
    ) -> super::Result<bool> {
        let now = Utc::now().timestamp();
        let on_conflict = if replace {
            "ON CONFLICT (kind, scope, period) DO UPDATE SET outcome = excluded.outcome,
                 detail = excluded.detail, finished_at = excluded.finished_at,
                 attempts = job_runs.attempts + 1"
        } else {
            "ON CONFLICT DO NOTHING"
        };
        let finished = replace.then_some(now);
        let done = sqlx::query(&format!(
            "INSERT INTO job_runs (kind, scope, period, enqueued_at, finished_at, attempts, outcome, detail)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) {on_conflict}"
        ))
        .bind(kind)
        .bind(scope)
        .bind(period)
        .bind(now)
        .bind(finished)
        .bind(i64::from(replace))
        .bind(outcome)
        .bind(detail)
        .execute(self.store.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// A try of the job begins, if it is this try's to run: [`Begin::Go`] for exactly one
    /// caller at a time (of every instance), one more attempt written. apalis may hand a job to
    /// a second worker while the first still runs it (a starting instance takes back every job
    /// locked by a worker it has not heard from in this second); the run's row decides. A run
    /// left `running` longer than [`RUNNING_LEASE_SECS`] (its instance died) is taken over.
    pub async fn begin(&self, job: &Job) -> super::Result<Begin> {
        let (kind, scope, period) = job.run_key();
        let now = Utc::now().timestamp();
        // A job run by hand (not through `enqueue_once`) has no row yet.
        self.record(kind, &scope, &period, "queued", "", false)
            .await?;
        let took = sqlx::query(
            "UPDATE job_runs SET started_at = $4, attempts = attempts + 1, outcome = 'running'
             WHERE kind = $1 AND scope = $2 AND period = $3
               AND (outcome IN ('queued', 'retrying') OR (outcome = 'running' AND started_at < $5))",
        )
        .bind(kind)
        .bind(&scope)
        .bind(&period)
        .bind(now)
        .bind(now - RUNNING_LEASE_SECS)
        .execute(self.store.pool())
        .await?
        .rows_affected()
            == 1;
        if took {
            return Ok(Begin::Go);
        }
        let (outcome,): (String,) = sqlx::query_as(
            "SELECT outcome FROM job_runs WHERE kind = $1 AND scope = $2 AND period = $3",
        )
        .bind(kind)
        .bind(&scope)
        .bind(&period)
        .fetch_one(self.store.pool())
        .await?;
        Ok(if outcome == "running" {
            Begin::Busy
        } else {
            Begin::Finished
        })
    }

    /// A try of the job ended with `outcome` (`done`, `retrying`, `failed`, `stopped`).
    pub async fn finished(&self, job: &Job, outcome: &str, detail: &str) -> super::Result<()> {
        let (kind, scope, period) = job.run_key();
        sqlx::query(
            "UPDATE job_runs SET finished_at = $4, outcome = $5, detail = $6
             WHERE kind = $1 AND scope = $2 AND period = $3",
        )
        .bind(kind)
        .bind(&scope)
        .bind(&period)
        .bind(Utc::now().timestamp())
        .bind(outcome)
        .bind(detail)
        .execute(self.store.pool())
        .await?;
        Ok(())
    }

    /// The newest `limit` runs whose scope is one of `scopes`, newest first.
    pub async fn recent(&self, scopes: &[String], limit: i64) -> super::Result<Vec<JobRun>> {
        let mut runs = Vec::new();
        for scope in scopes {
            let rows: Vec<RunRow> = sqlx::query_as(
                "SELECT kind, scope, period, enqueued_at, finished_at, attempts, outcome, detail
                     FROM job_runs WHERE scope = $1 ORDER BY enqueued_at DESC LIMIT $2",
            )
            .bind(scope)
            .bind(limit)
            .fetch_all(self.store.pool())
            .await?;
            runs.extend(rows.into_iter().map(
                |(kind, scope, period, enqueued, finished, attempts, outcome, detail)| JobRun {
                    kind,
                    scope,
                    period,
                    enqueued_at: super::unix_time(enqueued),
                    finished_at: finished.map(super::unix_time),
                    attempts,
                    outcome,
                    detail,
                },
            ));
        }
        runs.sort_by_key(|r| std::cmp::Reverse(r.enqueued_at));
        runs.truncate(usize::try_from(limit).unwrap_or(0));
        Ok(runs)
    }

    /// Keeps the history and the queue bounded: runs older than `KEEP_DAYS`, and any past the
    /// newest `KEEP_RUNS`, are forgotten.
    pub async fn prune(&self) -> super::Result<u64> {
        let before = Utc::now().timestamp() - KEEP_DAYS * 86_400;
        let old = sqlx::query("DELETE FROM job_runs WHERE enqueued_at < $1")
            .bind(before)
            .execute(self.store.pool())
            .await?
            .rows_affected();
        let over = sqlx::query(
            "DELETE FROM job_runs WHERE enqueued_at < (
                 SELECT enqueued_at FROM job_runs ORDER BY enqueued_at DESC LIMIT 1 OFFSET $1)",
        )
        .bind(KEEP_RUNS)
        .execute(self.store.pool())
        .await?
        .rows_affected();
        Ok(old + over + self.store.queue.prune().await?)
    }
}

/// The job queue's own pool: a worker's fetch, its heartbeat and the ticks' pushes.
fn pool_options<DB: sqlx::Database>() -> sqlx::pool::PoolOptions<DB> {
    sqlx::pool::PoolOptions::new()
        .max_connections(3)
        .acquire_timeout(super::ACQUIRE_TIMEOUT)
}

/// kind, scope, period, enqueued_at, finished_at, attempts, outcome, detail
type RunRow = (
    String,
    String,
    String,
    i64,
    Option<i64>,
    i64,
    String,
    String,
);
