//! The built-in GitHub emulator (server only): GitHub's OAuth endpoints and the REST operations this
//! app uses, held to GitHub's OpenAPI description. Demo mode runs it in-process; tests start it on port 0.
//!
//! Besides GitHub's own paths it serves `/_emulator/…`: fault injection, a request log and avatars,
//! for tests and demo mode. Real GitHub has none of these, and the app never calls them.

// Handlers short-circuit with ready HTTP responses; boxing every one would only add noise.
#![allow(clippy::result_large_err)]

mod faults;
mod hostile;
pub mod json;
mod oauth;
mod rest;
pub mod seed;
pub mod world;

pub use faults::{FaultAction, FaultRule};
pub use hostile::HOSTILE_ORG;

use crate::settings::SeedProfile;
use axum::Router;
use secrecy::SecretString;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use url::Url;
use world::World;

/// How the emulator is registered: the one OAuth app it knows, and what it serves.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    pub client_id: String,
    pub client_secret: SecretString,
    /// The registered callback URL; `redirect_uri` must be under it.
    pub callback_url: Url,
    /// GitHub-App-style user tokens: 8 hours, with rotating refresh tokens.
    pub expiring_tokens: bool,
    pub profile: SeedProfile,
    /// Where issued tokens are kept, so that demo sign-ins survive a restart of the app.
    pub tokens_file: Option<std::path::PathBuf>,
    /// Put `alert_stats` in campaign list items too. GitHub's own list example has none (only a
    /// single campaign's answer does), so off is the faithful default; on tests the other case.
    pub list_stats: bool,
    /// Requests an hour per user (GitHub's is 5,000; benchmarks raise it).
    pub rate_limit: u32,
}

/// One request as the emulator saw it (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LoggedRequest {
    pub method: String,
    pub path: String,
    pub query: String,
    pub authorized: bool,
    /// The answer's status (304: a conditional request that cost no rate limit; 0: the client
    /// left before the answer).
    #[serde(default)]
    pub status: u16,
}

/// The emulator's shared state. Cheap to clone.
#[derive(Clone)]
pub struct Emulator {
    inner: Arc<Inner>,
}

struct Inner {
    config: EmulatorConfig,
    world: Mutex<World>,
    base: OnceLock<String>,
    faults: Mutex<Vec<FaultRule>>,
    log: Mutex<Vec<LoggedRequest>>,
    /// Lifetime of expiring user tokens (GitHub's is 8 hours); tests shorten it.
    token_lifetime_secs: std::sync::atomic::AtomicI64,
}

/// Alert `number` of `org/repo`, to change.
fn alert_mut<'w>(
    w: &'w mut World,
    org: &str,
    repo: &str,
    number: i64,
) -> Option<&'w mut world::Alert> {
    let o = w.org_index(org).map(|i| &mut w.orgs[i])?;
    let r = (o.repos.iter()).position(|r| r.name.eq_ignore_ascii_case(repo))?;
    (o.alerts.iter_mut()).find(|a| a.repo == r && a.number == number)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves consistent data here: keep serving.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Emulator {
    pub fn new(config: EmulatorConfig) -> Self {
        let mut world = seed::seed(config.profile, chrono::Utc::now());
        if let Some(path) = &config.tokens_file {
            world::load_tokens(&mut world, path);
        }
        Self {
            inner: Arc::new(Inner {
                config,
                world: Mutex::new(world),
                base: OnceLock::new(),
                faults: Mutex::new(Vec::new()),
                log: Mutex::new(Vec::new()),
                token_lifetime_secs: std::sync::atomic::AtomicI64::new(8 * 3600),
            }),
        }
    }

    pub fn config(&self) -> &EmulatorConfig {
        &self.inner.config
    }

    /// The emulator's own origin (no trailing slash), used in the URLs of its answers.
    pub fn base(&self) -> &str {
        self.inner
            .base
            .get()
            .map(String::as_str)
            .unwrap_or("http://127.0.0.1")
    }

    pub(in crate::emulator) fn world(&self) -> MutexGuard<'_, World> {
        lock(&self.inner.world)
    }

    /// Every campaign of every org, as demo mode's history needs it.
    pub fn campaigns(&self) -> Vec<CampaignFacts> {
        let w = self.world();
        let mut out = Vec::new();
        for o in &w.orgs {
            for c in &o.campaigns {
                let alerts = (c.alerts.iter())
                    .filter_map(|&i| o.alerts.get(i))
                    .map(|a| AlertFacts {
                        repository_id: o.repos[a.repo].id,
                        repository: format!("{}/{}", o.login, o.repos[a.repo].name),
                        number: a.number,
                        open: a.state == world::AlertState::Open,
                    })
                    .collect();
                let manager = (c.managers.first())
                    .and_then(|id| w.user(*id))
                    .map(|u| u.login.clone());
                out.push(CampaignFacts {
                    org: o.login.clone(),
                    number: c.number,
                    name: c.name.clone(),
                    manager,
                    created_at: c.created_at,
                    published_at: c.published_at,
                    closed_at: c.closed_at,
                    alerts,
                });
            }
        }
        out
    }

    /// Adds a fault; it applies to matching requests until cleared or used up.
    pub fn add_fault(&self, rule: FaultRule) {
        lock(&self.inner.faults).push(rule);
    }

    pub fn clear_faults(&self) {
        lock(&self.inner.faults).clear();
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        lock(&self.inner.log).clone()
    }

    /// Empties the request log (a benchmark counts one page view's requests).
    pub fn clear_requests(&self) {
        lock(&self.inner.log).clear();
    }

    fn record(&self, req: LoggedRequest) {
        let mut log = lock(&self.inner.log);
        if log.len() >= 10_000 {
            log.drain(..5_000);
        }
        log.push(req);
    }

    /// How long expiring user tokens live from now on.
    pub fn set_token_lifetime(&self, secs: i64) {
        self.inner
            .token_lifetime_secs
            .store(secs, std::sync::atomic::Ordering::SeqCst);
    }

    pub(crate) fn token_lifetime(&self) -> chrono::Duration {
        chrono::Duration::seconds(
            self.inner
                .token_lifetime_secs
                .load(std::sync::atomic::Ordering::SeqCst),
        )
    }

    /// Writes the issued tokens to `tokens_file`, if configured. Called after every change.
    pub(crate) fn persist_tokens(&self, w: &World) {
        if let Some(path) = &self.inner.config.tokens_file {
            world::save_tokens(w, path);
        }
    }

    /// The access tokens currently valid for `login` (for tests that look for leaks).
    pub fn tokens_of(&self, login: &str) -> Vec<String> {
        let w = self.world();
        let Some(id) = w.user_by_login(login).map(|u| u.id) else {
            return Vec::new();
        };
        w.tokens
            .iter()
            .filter(|(_, t)| t.user_id == id)
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// Issues a token directly, as if `login` had completed the OAuth flow (for tests).
    pub fn issue_token(&self, login: &str, scopes: &[&str]) -> Option<String> {
        let mut w = self.world();
        let user_id = w.user_by_login(login)?.id;
        let scopes = scopes.iter().map(|s| (*s).to_owned()).collect();
        Some(oauth::mint_access_token(&mut w, user_id, scopes, None))
    }

    /// Makes a token expired, as an 8-hour GitHub App user token becomes (for tests).
    pub fn expire_token(&self, token: &str) {
        if let Some(t) = self.world().tokens.get_mut(token) {
            t.expires_at = Some(chrono::Utc::now() - chrono::Duration::seconds(1));
        }
    }

    /// Sets a campaign's due date and managers as if edited on GitHub's own pages, which allow
    /// a past date and several managers (for tests). False when there is no such campaign.
    pub fn edit_campaign_on_github(
        &self,
        org: &str,
        number: i64,
        ends_at: chrono::DateTime<chrono::Utc>,
        managers: &[&str],
    ) -> bool {
        let mut w = self.world();
        let ids: Vec<i64> = managers
            .iter()
            .filter_map(|l| w.user_by_login(l).map(|u| u.id))
            .collect();
        let Some(i) = w.org_index(org) else {
            return false;
        };
        let Some(c) = w.orgs[i].campaigns.iter_mut().find(|c| c.number == number) else {
            return false;
        };
        c.ends_at = ends_at;
        c.managers = ids;
        true
    }

    /// Assigns an alert to `logins` (an empty list: nobody), as a person on GitHub would. False
    /// when there is no such alert or a login is nobody the emulator knows.
    pub fn set_alert_assignees(
        &self,
        org: &str,
        repo: &str,
        number: i64,
        logins: &[String],
    ) -> bool {
        let mut w = self.world();
        let mut ids = Vec::new();
        for login in logins {
            match w.users.iter().find(|u| u.login.eq_ignore_ascii_case(login)) {
                Some(u) => ids.push(u.id),
                None => return false,
            }
        }
        match alert_mut(&mut w, org, repo, number) {
            Some(a) => {
                a.assignees = ids;
                a.updated_at = chrono::Utc::now();
                true
            }
            None => false,
        }
    }

    /// Fixes, dismisses (with one of GitHub's reasons) or reopens an alert, as a push or a
    /// person on GitHub would. False when there is no such alert or the state is not one of
    /// `open`, `fixed`, `dismissed`.
    pub fn set_alert_state(
        &self,
        org: &str,
        repo: &str,
        number: i64,
        state: &str,
        reason: Option<&str>,
    ) -> bool {
        use world::{AlertState, DISMISSED_REASONS};
        let (state, reason) = match (state, reason) {
            ("open", _) => (AlertState::Open, None),
            ("fixed", _) => (AlertState::Fixed, None),
            ("dismissed", r) => {
                let r = r.unwrap_or("won't fix");
                match DISMISSED_REASONS.iter().find(|d| **d == r) {
                    Some(known) => (AlertState::Dismissed, Some(*known)),
                    None => return false,
                }
            }
            _ => return false,
        };
        let mut w = self.world();
        let Some(a) = alert_mut(&mut w, org, repo, number) else {
            return false;
        };
        a.state = state;
        a.dismissed_reason = reason;
        a.dismissed_comment = None;
        a.dismissed_by = None;
        a.updated_at = chrono::Utc::now();
        if state != AlertState::Open {
            a.assignees.clear();
        }
        true
    }

    /// Deletes `org/repo`: its alerts leave every list (tests). False when there is no such
    /// repository.
    pub fn delete_repo(&self, org: &str, repo: &str) -> bool {
        let mut w = self.world();
        let Some(o) = w.org_index(org).map(|i| &mut w.orgs[i]) else {
            return false;
        };
        match o
            .repos
            .iter_mut()
            .find(|r| r.name.eq_ignore_ascii_case(repo) && !r.deleted)
        {
            Some(r) => {
                r.deleted = true;
                true
            }
            None => false,
        }
    }

    /// Uninstalls the App from `org`, as an owner of the org would on GitHub: the installation
    /// is gone and its tokens stop working at once. Whether there was one.
    pub fn remove_installation(&self, org: &str) -> bool {
        let mut w = self.world();
        let Some(org_id) = w.org_index(org).map(|i| w.orgs[i].id) else {
            return false;
        };
        let before = w.installations.len();
        w.installations.retain(|i| i.org_id != org_id);
        before != w.installations.len()
    }

    /// Revokes every refresh token of `login`, as GitHub does when the app's grant is withdrawn
    /// (for tests: the next refresh is refused with `invalid_grant`).
    pub fn revoke_refresh_tokens(&self, login: &str) {
        let mut w = self.world();
        if let Some(id) = w.user_by_login(login).map(|u| u.id) {
            w.refresh_tokens.retain(|_, t| t.user_id != id);
        }
    }

    /// Whether a token is still accepted.
    pub fn token_is_valid(&self, token: &str) -> bool {
        let now = chrono::Utc::now();
        self.world()
            .tokens
            .get(token)
            .is_some_and(|t| t.expires_at.is_none_or(|e| e > now))
    }

    pub fn router(&self) -> Router {
        Router::new()
            .merge(oauth::routes())
            .merge(rest::routes())
            .layer(axum::middleware::from_fn_with_state(
                self.clone(),
                faults::middleware,
            ))
            .merge(faults::control_routes())
            .with_state(self.clone())
    }

    /// Serves on `listener` in the background; the returned handle stops it when dropped.
    pub fn serve(self, listener: TcpListener) -> std::io::Result<EmulatorHandle> {
        let addr = listener.local_addr()?;
        let _ = self.inner.base.set(format!("http://{addr}"));
        let app = self.router();
        let task = tokio::spawn(async move {
            if let Err(err) = axum::serve(listener, app).await {
                tracing::error!(error = %err, "the GitHub emulator stopped");
            }
        });
        Ok(EmulatorHandle {
            addr,
            task,
            emulator: self,
        })
    }
}

/// A running emulator; stops when dropped.
pub struct EmulatorHandle {
    addr: SocketAddr,
    task: JoinHandle<()>,
    emulator: Emulator,
}

impl EmulatorHandle {
    pub fn address(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL; it serves both GitHub's web (OAuth) paths and its API paths.
    pub fn url(&self) -> Url {
        Url::parse(&format!("http://{}/", self.addr)).expect("a socket address forms a valid URL")
    }

    pub fn emulator(&self) -> &Emulator {
        &self.emulator
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Binds `addr` (port 0 picks a free one) and serves a freshly seeded emulator.
pub async fn spawn(addr: SocketAddr, config: EmulatorConfig) -> std::io::Result<EmulatorHandle> {
    let listener = TcpListener::bind(addr).await?;
    Emulator::new(config).serve(listener)
}

/// A seeded campaign as demo mode's own history needs it (`crate::demo`): the emulator's one
/// public view of its world, so nothing outside reads the world itself.
#[derive(Debug, Clone)]
pub struct CampaignFacts {
    pub org: String,
    pub number: i64,
    pub name: String,
    /// The first manager's login, if any.
    pub manager: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub published_at: chrono::DateTime<chrono::Utc>,
    pub closed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub alerts: Vec<AlertFacts>,
}

/// One alert of a campaign: where it is and whether it is still open.
#[derive(Debug, Clone)]
pub struct AlertFacts {
    pub repository_id: i64,
    /// `owner/name`.
    pub repository: String,
    pub number: i64,
    pub open: bool,
}
