//! What the app's background work (scheduled snapshots, digests, reminders) can do for an org:
//! whether a GitHub App is configured, installed on the org, and granted what the work needs.

use serde::{Deserialize, Serialize};

/// One permission background work needs of the App's installation, and whether it has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeededPermission {
    /// GitHub's name for it, as in the App's settings (`organization_campaigns`).
    pub name: String,
    /// `read` or `write`.
    pub access: String,
    /// What it is for, in words.
    pub why: String,
    pub granted: bool,
}

/// The org settings page's "Background work" section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BackgroundAccess {
    /// No GitHub App is configured on this server: background work that needs GitHub is off.
    NoApp,
    /// The App is configured but not installed on the org (or its installation was removed).
    NotInstalled { app_id: u64 },
    /// GitHub refused the App's own credentials (a wrong id, or a key that is not the App's).
    Refused { app_id: u64 },
    /// Installed; background work runs when every needed permission is granted.
    Installed {
        app_id: u64,
        installation_id: i64,
        permissions: Vec<NeededPermission>,
    },
}

impl BackgroundAccess {
    /// Whether background work that needs GitHub runs for the org.
    pub fn runs(&self) -> bool {
        match self {
            BackgroundAccess::Installed { permissions, .. } => {
                permissions.iter().all(|p| p.granted)
            }
            _ => false,
        }
    }
}

/// Work the job queue holds (a row of apalis's table, as JSON). Each names its period, so a
/// retried or taken-over run does the same work as the first try.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "job", rename_all = "snake_case")]
pub enum Job {
    /// The hour's snapshot of every open campaign of every org the App is installed on.
    Snapshots { hour: String },
    /// Every installed org's alert index synced, for a quarter hour (`2026-12-06T19:15`); a
    /// whole read at midnight UTC.
    IndexSync { quarter: String },
    /// An org's weekly digest to one channel, for the week `week` (ISO, in the channel's zone).
    Digest { channel_id: i64, week: String },
    /// An org's due-date reminders and "now behind" messages, checked once an hour.
    Reminders { org: String, hour: String },
    /// A delivery already claimed and written (a test message): send it.
    Send { delivery_id: i64 },
    /// Every unfinished plan checked: a wave that is due, in an org with a free slot, is queued
    /// to be published (`PublishWave`), for a five-minute period (`2026-12-06T19:35`).
    Waves { at: String },
    /// Wave `wave` of plan `plan_id` published as a campaign (once, whoever queues it).
    PublishWave { plan_id: i64, wave: usize },
}

impl Job {
    /// The job's kind, scope and period: its row in the run history.
    pub fn run_key(&self) -> (&'static str, String, String) {
        match self {
            Job::Snapshots { hour } => ("snapshots", String::new(), hour.clone()),
            Job::IndexSync { quarter } => ("index", String::new(), quarter.clone()),
            Job::Digest { channel_id, week } => {
                ("digest", format!("channel:{channel_id}"), week.clone())
            }
            Job::Reminders { org, hour } => ("reminders", org.clone(), hour.clone()),
            Job::Send { delivery_id } => ("send", String::new(), format!("delivery:{delivery_id}")),
            Job::Waves { at } => ("waves", String::new(), at.clone()),
            Job::PublishWave { plan_id, wave } => {
                ("publish", format!("plan:{plan_id}"), format!("wave:{wave}"))
            }
        }
    }
}

/// One run of a scheduled job, as the history keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobRun {
    pub kind: String,
    pub scope: String,
    pub period: String,
    pub enqueued_at: chrono::DateTime<chrono::Utc>,
    pub finished_at: Option<chrono::DateTime<chrono::Utc>>,
    pub attempts: i64,
    /// `queued`, `running`, `retrying`, `done`, `failed` or `stopped`.
    pub outcome: String,
    /// What it did or why it failed, in words (never a token or a URL with one).
    pub detail: String,
}
