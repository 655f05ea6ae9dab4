//! Work that runs when nobody is looking (server only), on the `apalis` job library.
//!
//! - Every instance ticks once a minute ([`tick`], on an `apalis-cron` schedule, and once at
//!   start): it works out what is due (the hour's snapshots, the quarter hour's alert-index sync,
//!   a channel's weekly digest, an org's reminders) and enqueues each with [`crate::store::jobs::JobRuns::enqueue_once`], which only
//!   the first instance to claim the job's period gets to do.
//! - Every instance runs a worker on apalis's SQL storage ([`run`]): a job is taken by one worker,
//!   retried with exponential backoff (`jobs.retries`, `jobs.retry_base_secs`), and taken over by
//!   another instance when its own died (`store::jobs::ORPHANED_AFTER`).
//! - Each try is written to the run history (`job_runs`): the org settings and digests pages
//!   read it.
//!
//! GitHub is read with the GitHub App's installation token for the org, never a person's.

use crate::domain::background::Job;
use crate::error::AppError;
use crate::service;
use crate::service::background::OrgWork;
use crate::state::AppState;
use apalis::layers::retry::backoff::{ExponentialBackoffMaker, MakeBackoff};
use apalis::layers::retry::{HasherRng, RetryPolicy};
use apalis::prelude::*;
use chrono::{DateTime, Timelike, Utc};
use std::str::FromStr;
use std::time::Duration;

/// A minute of the schedule, as `apalis-cron` hands it over.
#[derive(Debug, Clone, Default)]
pub struct Tick(DateTime<Utc>);

impl From<DateTime<Utc>> for Tick {
    fn from(at: DateTime<Utc>) -> Self {
        Tick(at)
    }
}

/// Why a try of a job did not finish its work, as the worker sees it.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Failed(String);

/// Starts this instance's ticker and worker, until `stop` resolves. Nothing when the setting
/// `jobs.enabled` is off (another instance runs them, or a test runs them by hand).
pub fn start(
    state: AppState,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> Option<tokio::task::JoinHandle<()>> {
    if !state.settings.jobs.enabled {
        return None;
    }
    let instance = format!("{:016x}", rand::random::<u64>());
    let settings = &state.settings.jobs;
    let backoff = ExponentialBackoffMaker::new(
        settings.retry_base,
        Duration::from_secs(3_600).max(settings.retry_base),
        0.25,
        HasherRng::default(),
    );
    let backoff = match backoff {
        Ok(mut maker) => maker.make_backoff(),
        Err(e) => {
            tracing::error!(error = %e, "the scheduled jobs are off: jobs.retry_base_secs gives no backoff");
            return None;
        }
    };
    let retry = RetryPolicy::retries(settings.retries).with_backoff(backoff);
    let every_minute = apalis_cron::Schedule::from_str("0 * * * * *").expect("a valid schedule");
    let ticker = WorkerBuilder::new(format!("tick-{instance}"))
        .data(state.clone())
        .backend(apalis_cron::CronStream::new(every_minute))
        .build_fn(on_tick);
    let queue = state.store.job_queue();
    let first = state.clone();
    Some(tokio::spawn(async move {
        if let Err(e) = tick(&first, Utc::now()).await {
            tracing::warn!(error = %e, "the first tick of the jobs failed");
        }
        let monitor = Monitor::new().register(ticker);
        let monitor = match queue {
            crate::store::jobs::JobQueue::Sqlite(s) => monitor.register(
                WorkerBuilder::new(format!("jobs-{instance}"))
                    .data(state)
                    .retry(retry)
                    .backend(s)
                    .build_fn(on_job),
            ),
            crate::store::jobs::JobQueue::Postgres(s) => monitor.register(
                WorkerBuilder::new(format!("jobs-{instance}"))
                    .data(state)
                    .retry(retry)
                    .backend(s)
                    .build_fn(on_job),
            ),
        };
        let signal = async move {
            stop.await;
            Ok(())
        };
        if let Err(e) = monitor.run_with_signal(signal).await {
            tracing::error!(error = %e, "the job workers stopped");
        }
    }))
}

async fn on_tick(t: Tick, state: Data<AppState>) -> Result<(), Failed> {
    tick(&state, t.0).await.map_err(|e| Failed(e.to_string()))
}

async fn on_job(job: Job, state: Data<AppState>, attempt: Attempt) -> Result<(), Failed> {
    let last = attempt.current() > state.settings.jobs.retries;
    run(&state, job, last).await
}

/// Enqueues what is due at `now` (each once across every instance) and, at the top of the hour,
/// keeps the run history, the queue and the delivery log bounded.
pub async fn tick(state: &AppState, now: DateTime<Utc>) -> Result<(), AppError> {
    let runs = state.store.jobs();
    if state.app.is_some() {
        let hour = now.format("%Y-%m-%dT%H").to_string();
        runs.enqueue_once(Job::Snapshots { hour }).await?;
        if state.settings.github.alert_index {
            let quarter = now.minute() / 15 * 15;
            let quarter = format!("{}:{quarter:02}", now.format("%Y-%m-%dT%H"));
            runs.enqueue_once(Job::IndexSync { quarter }).await?;
        }
    }
    for job in service::digests::due(state, now).await? {
        runs.enqueue_once(job).await?;
    }
    // Plans' next waves are checked every five minutes, while some plan has a wave to publish
    // (no run a day for nothing in the history).
    let waves_due = state.app.is_some() && now.minute().is_multiple_of(5);
    if waves_due && !state.store.plans().unfinished().await?.is_empty() {
        let at = now.format("%Y-%m-%dT%H:%M").to_string();
        runs.enqueue_once(Job::Waves { at }).await?;
    }
    // The history is kept bounded once an hour, not at every tick.
    if now.minute() == 0 {
        runs.prune().await?;
        state.store.digests().prune().await?;
    }
    Ok(())
}

/// One try of `job`: its work, and its outcome in the run history. An error GitHub or a channel
/// may get over is returned (apalis retries it after the backoff, unless this was the `last`
/// try); one that no retry mends (the App was uninstalled, the channel removed) stops the job.
pub async fn run(state: &AppState, job: Job, last: bool) -> Result<(), Failed> {
    use crate::store::jobs::Begin;
    let runs = state.store.jobs();
    match runs.begin(&job).await {
        Ok(Begin::Go) => {}
        Ok(Begin::Finished) => return Ok(()),
        Ok(Begin::Busy) => return Err(Failed("another instance is running it".to_owned())),
        Err(e) => return Err(Failed(e.to_string())),
    }
    let note =
        |e: crate::store::StoreError| tracing::warn!(error = %e, "could not write a job's run");
    let result = match &job {
        Job::Snapshots { hour } => {
            service::background::run_every_org(state, OrgWork::Snapshots, hour).await
        }
        Job::IndexSync { quarter } => {
            let full = quarter.ends_with("T00:00");
            service::background::run_every_org(state, OrgWork::IndexSync { full }, quarter).await
        }
        Job::Digest { channel_id, week } => {
            service::digests::send_weekly(state, *channel_id, week).await
        }
        Job::Reminders { org, .. } => service::digests::send_reminders(state, org).await,
        Job::Send { delivery_id } => service::digests::send_claimed(state, *delivery_id).await,
        Job::Waves { .. } => service::plans::check_all(state, chrono::Utc::now()).await,
        Job::PublishWave { plan_id, wave } => service::plans::publish(state, *plan_id, *wave).await,
    };
    let (outcome, detail, retry) = match result {
        Ok(done) => ("done", done, false),
        Err(e) if stops(&e) => ("stopped", e.to_string(), false),
        Err(e) if last => ("failed", e.to_string(), false),
        Err(e) => ("retrying", e.to_string(), true),
    };
    runs.finished(&job, outcome, &detail)
        .await
        .unwrap_or_else(note);
    if retry {
        tracing::warn!(?job, %detail, "a job failed; it will be tried again");
        return Err(Failed(detail));
    }
    Ok(())
}

/// Errors no retry mends.
fn stops(e: &AppError) -> bool {
    matches!(
        e,
        AppError::NotFound | AppError::Forbidden { .. } | AppError::Invalid { .. }
    )
}
