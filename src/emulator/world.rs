//! The emulator's state: users, orgs with roles, teams, repositories, code-scanning alerts, campaigns,
//! OAuth grants and tokens. Everything is in memory behind one lock; nothing awaits while holding it.

use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Owner,
    SecurityManager,
    Member,
}

impl Role {
    /// Campaigns and org-wide alerts need an owner or a security manager.
    pub fn can_manage_security(self) -> bool {
        matches!(self, Role::Owner | Role::SecurityManager)
    }
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub login: String,
    pub name: String,
    /// Shown on the consent page.
    pub blurb: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Team {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
}

#[derive(Debug, Clone)]
pub struct Repo {
    pub id: i64,
    pub name: String,
    pub private: bool,
    pub description: String,
    /// Deleted on GitHub (tests): its alerts leave every list, its own pages answer 404.
    pub deleted: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertState {
    Open,
    Dismissed,
    Fixed,
}

impl AlertState {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertState::Open => "open",
            AlertState::Dismissed => "dismissed",
            AlertState::Fixed => "fixed",
        }
    }
}

/// A rule as a scanning tool reports it.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub name: String,
    pub description: String,
    pub tool: usize,
    /// `error`, `warning`, `note`.
    pub severity: &'static str,
    /// `critical`, `high`, `medium`, `low`, or none for quality rules.
    pub security_severity: Option<&'static str>,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Tool {
    pub name: String,
    pub version: &'static str,
    pub guid: Option<&'static str>,
}

#[derive(Debug, Clone)]
pub struct Alert {
    pub repo: usize,
    pub number: i64,
    pub rule: usize,
    pub state: AlertState,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub path: String,
    pub line: i64,
    /// An assigned open alert counts as "in progress" in campaign stats.
    pub assignees: Vec<i64>,
    /// GitHub's reason, when dismissed: `false positive`, `won't fix`, `used in tests`, `mitigated`.
    pub dismissed_reason: Option<&'static str>,
    /// The comment given with a dismissal (at most 280 characters).
    pub dismissed_comment: Option<String>,
    /// Who dismissed it (a user id), when it was dismissed through the API.
    pub dismissed_by: Option<i64>,
}

/// The reasons GitHub accepts for dismissing an alert.
pub const DISMISSED_REASONS: [&str; 4] =
    ["false positive", "won't fix", "used in tests", "mitigated"];

#[derive(Debug, Clone)]
pub struct Campaign {
    pub number: i64,
    pub name: String,
    pub description: String,
    pub managers: Vec<i64>,
    pub team_managers: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub open: bool,
    pub contact_link: Option<String>,
    /// Indexes into the org's `alerts`.
    pub alerts: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Org {
    pub id: i64,
    pub login: String,
    pub description: String,
    pub members: Vec<(i64, Role)>,
    pub teams: Vec<Team>,
    pub repos: Vec<Repo>,
    /// Ordered by `created_at`, oldest first.
    pub alerts: Vec<Alert>,
    pub campaigns: Vec<Campaign>,
    pub next_campaign_number: i64,
}

impl Org {
    pub fn role_of(&self, user_id: i64) -> Option<Role> {
        self.members
            .iter()
            .find(|(id, _)| *id == user_id)
            .map(|(_, r)| *r)
    }

    pub fn alert_index(&self, repo_id: i64, number: i64) -> Option<usize> {
        let repo = self.repos.iter().position(|r| r.id == repo_id)?;
        self.alerts
            .iter()
            .position(|a| a.repo == repo && a.number == number)
    }

    pub fn open_campaigns(&self) -> usize {
        self.campaigns.iter().filter(|c| c.open).count()
    }
}

/// An authorization code between the consent page and the token exchange.
#[derive(Debug, Clone)]
pub struct Grant {
    pub user_id: i64,
    pub scopes: Vec<String>,
    pub redirect_uri: String,
    pub code_challenge: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Token {
    pub user_id: i64,
    pub scopes: Vec<String>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// A user's rate-limit window: GitHub counts a user's requests together, whichever of their
/// tokens sent them.
#[derive(Debug, Clone, Copy)]
pub struct Usage {
    pub window_reset: DateTime<Utc>,
    pub used: u32,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RefreshToken {
    pub user_id: i64,
    pub scopes: Vec<String>,
    pub expires_at: DateTime<Utc>,
}

/// A GitHub App registered with the emulator (demo mode's), with the public half of its key.
#[derive(Debug, Clone)]
pub struct App {
    pub id: u64,
    pub slug: String,
    pub client_id: String,
    /// The DER `RSAPublicKey` that checks its JWTs.
    pub public_key: Vec<u8>,
}

/// An App installed on an org, with the permissions the org granted it (`read`, `write`).
#[derive(Debug, Clone)]
pub struct Installation {
    pub id: i64,
    pub app_id: u64,
    pub org_id: i64,
    pub permissions: Vec<(String, String)>,
    pub created_at: DateTime<Utc>,
}

impl Installation {
    /// Whether the installation was granted `permission` at `access` (`write` covers `read`).
    pub fn allows(&self, permission: &str, access: &str) -> bool {
        self.permissions.iter().any(|(p, a)| {
            p == permission && (a == access || (access == "read" && (a == "write" || a == "admin")))
        })
    }
}

/// An installation access token: an hour, as on GitHub.
#[derive(Debug, Clone)]
pub struct InstallationToken {
    pub installation_id: i64,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Default)]
pub struct World {
    pub users: Vec<User>,
    pub orgs: Vec<Org>,
    pub rules: Vec<Rule>,
    pub tools: Vec<Tool>,
    pub grants: HashMap<String, Grant>,
    pub used_codes: HashSet<String>,
    pub tokens: HashMap<String, Token>,
    pub refresh_tokens: HashMap<String, RefreshToken>,
    /// Each user's rate-limit window, by user id (an installation's by its id, negated).
    pub usage: HashMap<i64, Usage>,
    pub apps: Vec<App>,
    pub installations: Vec<Installation>,
    pub installation_tokens: HashMap<String, InstallationToken>,
}

impl World {
    pub fn user(&self, id: i64) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    pub fn user_by_login(&self, login: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| u.login.eq_ignore_ascii_case(login))
    }

    pub fn org_index(&self, login: &str) -> Option<usize> {
        self.orgs
            .iter()
            .position(|o| o.login.eq_ignore_ascii_case(login))
    }
}

#[derive(serde::Serialize, serde::Deserialize, Default)]
struct SavedTokens {
    tokens: HashMap<String, Token>,
    refresh_tokens: HashMap<String, RefreshToken>,
}

/// Loads tokens saved by an earlier run; a missing or unreadable file means none.
pub fn load_tokens(w: &mut World, path: &std::path::Path) {
    let Ok(text) = std::fs::read_to_string(path) else {
        return;
    };
    match serde_json::from_str::<SavedTokens>(&text) {
        Ok(saved) => {
            w.tokens = saved.tokens;
            w.refresh_tokens = saved.refresh_tokens;
        }
        Err(e) => tracing::warn!(error = %e, "ignoring an unreadable emulator token file"),
    }
}

pub fn save_tokens(w: &World, path: &std::path::Path) {
    let saved = SavedTokens {
        tokens: w.tokens.clone(),
        refresh_tokens: w.refresh_tokens.clone(),
    };
    let write = serde_json::to_vec(&saved)
        .map_err(std::io::Error::other)
        .and_then(|bytes| {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let tmp = path.with_extension("tmp");
            std::fs::write(&tmp, bytes)?;
            std::fs::rename(&tmp, path)
        });
    if let Err(e) = write {
        tracing::warn!(error = %e, "could not save the emulator's tokens");
    }
}
