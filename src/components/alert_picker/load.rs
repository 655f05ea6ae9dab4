//! Loading the org's open alerts into the picker: in batches of pages, two calls at a time once
//! the page count is known, waiting out GitHub's short rate-limit pauses.

use super::list::{fmt_count, Loaded};
use crate::api::alerts::{load_alerts, remaining_calls, MAX_PAGES_PER_CALL};
use crate::components::browser::sleep_secs;
use crate::domain::alert::{AlertBatch, AlertRow};
use crate::domain::alert_selection::AlertKey;
use crate::domain::OrgLogin;
use crate::error::AppError;
use futures_util::{stream, StreamExt};
use leptos::prelude::*;
use std::collections::HashSet;

/// The longest pause GitHub may ask for that the load waits out, and how often it does so per call.
const MAX_PAUSE_SECS: u64 = 120;
const MAX_PAUSES: u32 = 3;

/// What the load reports as it goes.
#[derive(Clone, Copy)]
pub struct Progress {
    /// About how many alerts there are, once the first page says how many pages.
    pub estimate: RwSignal<Option<usize>>,
    /// Seconds GitHub asked the load to pause for, while it waits.
    pub slowed: RwSignal<Option<u64>>,
    /// When the alerts came from the app's alert index, the time it last matched GitHub.
    pub synced_at: RwSignal<Option<chrono::DateTime<chrono::Utc>>>,
}

/// The picker's loaded alerts, and how their load goes.
#[derive(Clone, Copy)]
pub struct Loading {
    /// Each alert once, in the order GitHub listed them.
    pub alerts: RwSignal<Vec<Loaded>>,
    /// The load has ended, with every alert or with `error`.
    pub loaded: RwSignal<bool>,
    pub error: RwSignal<Option<String>>,
    pub progress: Progress,
    /// One more with each Refresh: a load begun for an older one stops.
    pub generation: RwSignal<u32>,
}

impl Loading {
    pub fn new() -> Self {
        Loading {
            alerts: RwSignal::new(Vec::new()),
            loaded: RwSignal::new(false),
            error: RwSignal::new(None),
            progress: Progress {
                estimate: RwSignal::new(None),
                slowed: RwSignal::new(None),
                synced_at: RwSignal::new(None),
            },
            generation: RwSignal::new(0),
        }
    }

    /// Loads `org`'s open alerts in the browser (effects do not run on the server), and again
    /// whenever `generation` changes, so progress shows as it goes.
    pub fn start(self, org: OrgLogin) {
        let Loading {
            alerts,
            loaded,
            error,
            progress,
            generation,
        } = self;
        Effect::new(move |_| {
            let run = generation.get();
            let org = org.clone();
            alerts.set(Vec::new());
            loaded.set(false);
            error.set(None);
            progress.slowed.set(None);
            progress.synced_at.set(None);
            leptos::task::spawn_local(async move {
                let stale = move || generation.get_untracked() != run;
                let mut seen: HashSet<AlertKey> = HashSet::new();
                // Alerts can shift between pages while loading; each one is kept once.
                let append = move |rows: Vec<AlertRow>| {
                    alerts.update(|all| {
                        all.extend(
                            rows.into_iter()
                                .filter(|a| seen.insert(a.key()))
                                .map(Loaded::from),
                        )
                    })
                };
                let outcome = load_all(org, progress, stale, append).await;
                if stale() {
                    return;
                }
                if let Err(e) = outcome {
                    error.set(Some(e.to_string()));
                }
                loaded.set(true);
            });
        });
    }

    /// What the picker's status line says.
    pub fn status(self) -> String {
        let n = self.alerts.with(Vec::len);
        if let Some(e) = self.error.get() {
            format!("Loading stopped after {n} alerts: {e}")
        } else if let Some(secs) = self.progress.slowed.get() {
            format!(
                "{} alerts loaded. GitHub asks us to slow down: going on in {secs} s…",
                fmt_count(n)
            )
        } else if self.loaded.get() {
            format!("{} open alerts loaded.", fmt_count(n))
        } else {
            match self.progress.estimate.get() {
                Some(total) => format!(
                    "{} of about {} alerts loaded…",
                    fmt_count(n),
                    fmt_count(total.max(n))
                ),
                None if n > 0 => format!("{} alerts loaded…", fmt_count(n)),
                None => "Loading alerts…".to_owned(),
            }
        }
    }
}

/// Loads every open alert of `org`, handing each batch to `append` as it arrives. `stale()` says
/// the load was replaced (Refresh): it stops then, without error.
async fn load_all(
    org: OrgLogin,
    progress: Progress,
    stale: impl Fn() -> bool + Copy,
    mut append: impl FnMut(Vec<AlertRow>),
) -> Result<(), AppError> {
    let first = load_patiently(org.clone(), 1, 1, progress.slowed, stale).await?;
    if stale() {
        return Ok(());
    }
    let (last, mut more) = (first.last_page, first.more && !first.alerts.is_empty());
    progress.synced_at.set(first.synced_at);
    append(first.alerts);
    if let Some(last) = last {
        // The page count is known: fetch the rest two calls at a time.
        progress.estimate.set(Some(last as usize * 100));
        let mut calls = stream::iter(remaining_calls(last))
            .map(|(from, pages)| load_patiently(org.clone(), from, pages, progress.slowed, stale))
            .buffer_unordered(2);
        while let Some(batch) = calls.next().await {
            let batch = batch?;
            if stale() {
                return Ok(());
            }
            append(batch.alerts);
        }
    } else {
        // No last page in `Link`: follow `next` one call after another.
        let mut from = 2;
        while more {
            let batch = load_patiently(
                org.clone(),
                from,
                MAX_PAGES_PER_CALL,
                progress.slowed,
                stale,
            )
            .await?;
            if stale() {
                return Ok(());
            }
            more = batch.more && !batch.alerts.is_empty();
            append(batch.alerts);
            from += MAX_PAGES_PER_CALL;
        }
    }
    Ok(())
}

/// One load call. When GitHub's rate limit asks for a pause of at most two minutes (its secondary
/// limits usually say a minute), it waits that long, showing it in `slowed`, and asks again, up
/// to three times; any other answer is returned as it is. A load that `stale()` says was replaced
/// (Refresh) while it waited asks no more.
async fn load_patiently(
    org: OrgLogin,
    from: u32,
    pages: u32,
    slowed: RwSignal<Option<u64>>,
    stale: impl Fn() -> bool,
) -> Result<AlertBatch, AppError> {
    let mut pauses = 0;
    loop {
        match load_alerts(org.clone(), from, pages).await {
            Err(AppError::RateLimited { retry_after_secs })
                if pauses < MAX_PAUSES && retry_after_secs <= MAX_PAUSE_SECS =>
            {
                pauses += 1;
                let secs = retry_after_secs.max(1);
                slowed.set(Some(secs));
                sleep_secs(secs).await;
                if stale() {
                    return Err(AppError::RateLimited { retry_after_secs });
                }
                slowed.set(None);
            }
            answer => return answer,
        }
    }
}
