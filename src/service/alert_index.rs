//! The org's alert index: the app's own copy of GitHub's code-scanning alert list (every state),
//! kept in the store and synced incrementally, so that the picker, the server-rendered list and
//! a campaign's alerts read one table instead of tens of GitHub pages.
//!
//! **Sync.** GitHub's org list sorted by `updated`, newest first, is read down to the first alert
//! not changed since the last sync (the watermark); page 1 is asked with the last sync's ETag, so
//! a sync with nothing new is one request answered 304. The first sync, and one an hour after
//! it, reads every page of the open alerts' list and of the closed ones' (each query is capped at
//! 1,000 pages; the remaining pages at once once `Link: rel="last"` names them, paced past the
//! first `BURST_PAGES` to stay under GitHub's 900 points a minute) and removes what it did not
//! see (a deleted repository's alerts).
//!
//! **Sync on read.** A read syncs first when the index is older than `github.alert_index_fresh`;
//! one sync an org at a time over every instance (a lease row in the store): a reader who finds
//! a sync under way reads the index as it is. Before the first sync has finished, readers are
//! told `None` and read GitHub live, while that first sync runs in the background.
//!
//! **Access.** [`ready`] asks the role check (`auth::access`) before anything else: the index is
//! read and synced only for an owner or security manager of the org, as GitHub's own list is.

use crate::domain::alert::{cwe_of, AlertRow, IndexedAlert};
use crate::domain::campaign_alerts::LiveState;
use crate::domain::campaign_fields::web_url_or_empty;
use crate::domain::OrgLogin;
use crate::error::AppError;
use crate::github::models::{AlertState, Changed, CodeScanningAlert, PageLinks};
use crate::github::MAX_PER_PAGE;
use crate::state::AppState;
use crate::store::alert_index::{SyncDone, SyncState};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use secrecy::SecretString;
use std::time::Duration;

/// How long a sync may hold the org's lease; one that dies with its instance is taken over after.
const LEASE: Duration = Duration::from_secs(120);
/// How often a sync reads every page (and forgets what GitHub no longer lists).
const FULL_EVERY: Duration = Duration::from_secs(3600);
/// Pages a full sync reads at once: half the token's share of the client's slots, so that the
/// pages its user opens meanwhile are not queued behind it.
const PAGES_IN_FLIGHT: usize = crate::github::client::MAX_IN_FLIGHT_PER_TOKEN / 2;
/// Pages a full sync reads at full speed; past them, `PACED_PAGES_PER_SEC`. GitHub allows 900
/// points (GETs) a minute: a 100,000-alert org's first sync (1,000 pages) takes about two
/// minutes, leaving the user's own requests room.
const BURST_PAGES: u64 = 200;
const PACED_PAGES_PER_SEC: u64 = 8;
/// The most pages a sync reads: GitHub lists at most 100,000 alerts a query.
const MAX_PAGES: u32 = 1_000;

/// The time the org's index last matched GitHub, once it is fit to read: synced now when older
/// than the settings allow. `None` while no sync has finished (one is started), or when the index
/// is off (`github.alert_index`): read GitHub live. Refused (403) for anyone but an owner or
/// security manager of the org.
pub async fn ready(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
) -> Result<Option<DateTime<Utc>>, AppError> {
    ready_with(state, token, org, None).await
}

/// [`ready`], with page 1 of a sync already asked ([`ask_first_page`]) while the caller waited
/// for GitHub's proof of the caller's role: the sync then costs no round of its own.
pub async fn ready_with(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
    asked: Option<FirstPage>,
) -> Result<Option<DateTime<Utc>>, AppError> {
    if !state.settings.github.alert_index {
        return Ok(None);
    }
    // First, so that nobody else's token ever syncs (or starts a first sync): the answer is
    // usually the role cache's (the page asked the same a moment before).
    let what = "read the org's code-scanning alerts";
    (state.managers.require(&state.github, token, org, what)).await?;
    sync_on_read(state, token, org, asked).await
}

/// Page 1 of GitHub's list as an incremental sync asks it, asked ahead: with the ETag it was
/// asked with, since only a sync from that same state may use it.
pub struct FirstPage {
    etag: Option<String>,
    answer: Result<Changed<CodeScanningAlert>, AppError>,
}

/// Asks page 1 of the incremental sync a read of the org's index is about to make, when one is
/// due, so that it can go out beside the request that proves the caller's role. Nothing is
/// written and nothing read from the index here: the answer is used by [`ready_with`] only once
/// the role check has passed, and dropped otherwise (a token that may not list the org's
/// alerts gets GitHub's refusal, which is dropped too).
pub async fn ask_first_page(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
) -> Option<FirstPage> {
    if !state.settings.github.alert_index {
        return None;
    }
    let was = state.store.alert_index().state(org).await.ok()?;
    if due(state, &was, Utc::now()) != Some(Kind::Changes(None)) {
        // Fresh enough to read as it is, or a full sync (in the background) is due.
        return None;
    }
    let etag = was.etag;
    let answer = (state.github)
        .org_alerts_by_update(token, org, None, 1, etag.as_deref())
        .await;
    Some(FirstPage { etag, answer })
}

async fn sync_on_read(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
    asked: Option<FirstPage>,
) -> Result<Option<DateTime<Utc>>, AppError> {
    let index = state.store.alert_index();
    let was = index.state(org).await?;
    let now = Utc::now();
    let Some(kind) = due(state, &was, now) else {
        return Ok(was.synced_at);
    };
    let holder = holder();
    let until = now + chrono::Duration::from_std(LEASE).unwrap_or_default();
    let stale_before = now - fresh(state);
    if !index.lease(org, &holder, now, stale_before, until).await? {
        // Another reader's sync is under way (or has just finished): the index as it is.
        return Ok(index.state(org).await?.synced_at);
    }
    if kind == Kind::Full {
        // Every page: in the background, the readers meanwhile read GitHub or the index as is.
        let synced_at = was.synced_at;
        let (state, token, org) = (state.clone(), token.clone(), org.clone());
        tokio::spawn(async move {
            let _ = run(&state, &token, &org, &holder, &was, Kind::Full).await;
        });
        return Ok(synced_at);
    }
    // Page 1 asked ahead answers for this sync only if asked from the state it starts from.
    let first = asked
        .filter(|a| a.etag == was.etag)
        .and_then(|a| a.answer.ok());
    match run(state, token, org, &holder, &was, Kind::Changes(first)).await {
        Ok(at) => Ok(Some(at)),
        // The index as it was; the reader is told how old it is.
        Err(_) => Ok(was.synced_at),
    }
}

/// How long the index is read as it is before a read syncs it.
fn fresh(state: &AppState) -> chrono::Duration {
    chrono::Duration::from_std(state.settings.github.alert_index_fresh).unwrap_or_default()
}

/// Which sync a read of the index left as `was` makes at `now`: none while it is fresh, every
/// page for the first and hourly, else the changes.
fn due(state: &AppState, was: &SyncState, now: DateTime<Utc>) -> Option<Kind> {
    if was.synced_at.is_some_and(|t| now - t < fresh(state)) {
        return None;
    }
    let full_every = chrono::Duration::from_std(FULL_EVERY).unwrap_or_default();
    let full_due = was.full_at.is_none_or(|t| now - t >= full_every);
    Some(match was.synced_at.is_none() || full_due {
        true => Kind::Full,
        false => Kind::Changes(None),
    })
}

/// How a sync reads GitHub: every page, or the changes since the last sync (with page 1 when it
/// has been asked already).
#[derive(Debug, PartialEq)]
enum Kind {
    Full,
    Changes(Option<Changed<CodeScanningAlert>>),
}

/// Syncs the org's index now under a lease the caller holds; the time the index matched GitHub.
/// On failure the lease is given back and the error logged.
async fn run(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
    holder: &str,
    was: &SyncState,
    kind: Kind,
) -> Result<DateTime<Utc>, AppError> {
    let index = state.store.alert_index();
    let started = Utc::now();
    let full = matches!(kind, Kind::Full);
    let synced = match kind {
        Kind::Full => full_sync(state, token, org, started).await,
        Kind::Changes(first) => changes_sync(state, token, org, was, first, started).await,
    };
    let done = match synced {
        Ok(done) => done,
        Err(e) => {
            tracing::warn!(%org, error = %e, full, "the alert index sync failed");
            index.release(org, holder).await?;
            return Err(e);
        }
    };
    index.finish(org, holder, &done).await?;
    Ok(started)
}

/// Syncs the org's index at once, whatever its age, when no other sync holds it (tests, and the
/// scheduled sync to come): whether this call did.
pub async fn sync_now(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
    full: bool,
) -> Result<bool, AppError> {
    let index = state.store.alert_index();
    let was = index.state(org).await?;
    let (now, holder) = (Utc::now(), holder());
    let until = now + chrono::Duration::from_std(LEASE).unwrap_or_default();
    let far = now + chrono::Duration::days(1);
    if !index.lease(org, &holder, now, far, until).await? {
        return Ok(false);
    }
    let kind = if full {
        Kind::Full
    } else {
        Kind::Changes(None)
    };
    run(state, token, org, &holder, &was, kind).await?;
    Ok(true)
}

/// A name for one sync's lease, unique across instances.
fn holder() -> String {
    format!("{}-{:016x}", std::process::id(), rand::random::<u64>())
}

/// What changed since the last sync: the whole list, most recently updated first, page 1 asked
/// with the last sync's ETag, read page by page down to the watermark (usually page 1 alone).
async fn changes_sync(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
    was: &SyncState,
    first: Option<Changed<CodeScanningAlert>>,
    started: DateTime<Utc>,
) -> Result<SyncDone, AppError> {
    let github = &state.github;
    let first = match first {
        Some(asked) => asked,
        None => (github.org_alerts_by_update(token, org, None, 1, was.etag.as_deref())).await?,
    };
    let (items, links, etag) = match first {
        Changed::NotModified => {
            let etag = was.etag.clone();
            let (watermark, full) = (None, false);
            return Ok(SyncDone {
                started,
                watermark,
                etag,
                full,
            });
        }
        Changed::Page { items, links, etag } => (items, links, etag),
    };
    let watermark = items.first().map(updated_at);
    let below = |items: &[CodeScanningAlert]| reaches(items, was.watermark);
    let read = |page| github.org_alerts_by_update(token, org, None, page, None);
    let pages = Pages {
        state,
        org,
        started,
    };
    pages.follow(items, links, read, below).await?;
    Ok(SyncDone {
        started,
        watermark,
        etag,
        full: false,
    })
}

/// Every alert of the org: the open ones, then the closed ones, each list read as one query
/// (GitHub lists at most 1,000 pages a query): page 1, then the rest at once once `Link` names
/// the last (page by page otherwise), paced together past the first `BURST_PAGES`.
async fn full_sync(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
    started: DateTime<Utc>,
) -> Result<SyncDone, AppError> {
    let (github, pages) = (
        &state.github,
        Pages {
            state,
            org,
            started,
        },
    );
    let pace = &Pace::default();
    let mut newest = None;
    for which in ["open", "closed"] {
        let read = |page| async move {
            pace.turn().await;
            (github.org_alerts_by_update(token, org, Some(which), page, None)).await
        };
        let Changed::Page { items, links, .. } = read(1).await? else {
            continue;
        };
        newest = newest.max(items.first().map(updated_at));
        let Some(last) = links.last else {
            pages.follow(items, links, read, |_| false).await?;
            continue;
        };
        pages.write(items).await?;
        let mut reads = futures_util::stream::iter(2..=last.min(MAX_PAGES))
            .map(read)
            .buffer_unordered(PAGES_IN_FLIGHT);
        while let Some(page) = reads.next().await {
            if let Changed::Page { items, .. } = page? {
                pages.write(items).await?;
            }
        }
    }
    Ok(SyncDone {
        started,
        watermark: newest,
        // The next sync asks page 1 of the whole list without a condition, and keeps its ETag.
        etag: None,
        full: true,
    })
}

/// Where a sync writes the pages it reads.
struct Pages<'a> {
    state: &'a AppState,
    org: &'a OrgLogin,
    started: DateTime<Utc>,
}

impl Pages<'_> {
    async fn write(&self, items: Vec<CodeScanningAlert>) -> Result<(), AppError> {
        let index = self.state.store.alert_index();
        Ok(index
            .upsert(self.org, &indexed(items), self.started)
            .await?)
    }

    /// Writes page 1 (`items`, `links`), then reads and writes pages 2, 3… one after another while
    /// GitHub says there are more and `done` says no page read so far reached what is kept.
    async fn follow<F, Fut>(
        &self,
        items: Vec<CodeScanningAlert>,
        links: PageLinks,
        read: F,
        done: impl Fn(&[CodeScanningAlert]) -> bool,
    ) -> Result<(), AppError>
    where
        F: Fn(u32) -> Fut,
        Fut: std::future::Future<Output = Result<Changed<CodeScanningAlert>, AppError>>,
    {
        let mut go_on = more_pages(&items, &links) && !done(&items);
        self.write(items).await?;
        let mut page = 2;
        while go_on && page <= MAX_PAGES {
            let Changed::Page { items, links, .. } = read(page).await? else {
                break;
            };
            go_on = more_pages(&items, &links) && !done(&items);
            self.write(items).await?;
            page += 1;
        }
        Ok(())
    }
}

/// Whether GitHub may have a page after this one: it links one, or this one is full (the next
/// may be linked by cursor only). An empty page ends the list, whatever `Link` says.
fn more_pages(items: &[CodeScanningAlert], links: &PageLinks) -> bool {
    !items.is_empty() && (links.next.is_some() || items.len() as u32 == MAX_PER_PAGE)
}

/// A full sync's pace: its first `BURST_PAGES` requests at once (within the token's share), then
/// `PACED_PAGES_PER_SEC`.
struct Pace {
    from: tokio::time::Instant,
    sent: std::sync::atomic::AtomicU64,
}

impl Default for Pace {
    fn default() -> Self {
        Pace {
            from: tokio::time::Instant::now(),
            sent: std::sync::atomic::AtomicU64::new(0),
        }
    }
}

impl Pace {
    /// Waits for this request's turn.
    async fn turn(&self) {
        let n = self.sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if let Some(over) = n.checked_sub(BURST_PAGES) {
            let due = Duration::from_millis(over * 1000 / PACED_PAGES_PER_SEC);
            tokio::time::sleep_until(self.from + due).await;
        }
    }
}

fn updated_at(a: &CodeScanningAlert) -> DateTime<Utc> {
    a.updated_at.unwrap_or(a.created_at)
}

/// Whether the page goes below `watermark` (GitHub's order: most recently updated first).
fn reaches(items: &[CodeScanningAlert], watermark: Option<DateTime<Utc>>) -> bool {
    watermark.is_some_and(|w| items.iter().any(|a| updated_at(a) < w))
}

fn indexed(items: Vec<CodeScanningAlert>) -> Vec<IndexedAlert> {
    items.into_iter().map(indexed_of).collect()
}

/// An alert's state as GitHub gave it (`Unknown` when it gave none).
pub fn live_state(state: Option<AlertState>) -> LiveState {
    match state {
        Some(AlertState::Open) => LiveState::Open,
        Some(AlertState::Fixed) => LiveState::Fixed,
        Some(AlertState::Dismissed) => LiveState::Dismissed,
        _ => LiveState::Unknown,
    }
}

/// The logins of an alert's assignees.
pub fn logins(assignees: Option<Vec<crate::github::models::SimpleUser>>) -> Vec<String> {
    assignees
        .unwrap_or_default()
        .into_iter()
        .map(|u| u.login)
        .collect()
}

/// An alert of GitHub's org list as the index keeps it.
fn indexed_of(a: CodeScanningAlert) -> IndexedAlert {
    let state = live_state(a.state);
    let updated_at = updated_at(&a);
    let (dismissed_reason, fixed_at, dismissed_at) =
        (a.dismissed_reason.clone(), a.fixed_at, a.dismissed_at);
    let assignees = logins(a.assignees.clone());
    IndexedAlert {
        assignees,
        row: row_of(a),
        state,
        dismissed_reason,
        updated_at,
        fixed_at,
        dismissed_at,
    }
}

/// An alert as the lists show it.
pub fn row_of(a: CodeScanningAlert) -> AlertRow {
    let location = a.most_recent_instance.location.unwrap_or_default();
    let tags = a.rule.tags.unwrap_or_default();
    // GitHub's `name` is often the rule id itself; the description is the readable title then.
    let readable = a
        .rule
        .name
        .clone()
        .filter(|n| Some(n) != a.rule.id.as_ref());
    AlertRow {
        repo_id: a.repository.id,
        repo: a.repository.name,
        number: a.number,
        rule_id: a.rule.id.unwrap_or_default(),
        rule_name: readable.or(a.rule.description).unwrap_or_default(),
        rule_severity: a.rule.severity.clone().unwrap_or_default(),
        severity: a
            .rule
            .security_severity_level
            .or(a.rule.severity)
            .unwrap_or_else(|| "none".into()),
        tool: a.tool.name.unwrap_or_default(),
        path: location.path.unwrap_or_default(),
        line: location.start_line.unwrap_or_default(),
        created_at: a.created_at,
        html_url: web_url_or_empty(a.html_url),
        cwes: tags.iter().filter_map(|t| cwe_of(t)).collect(),
    }
}
