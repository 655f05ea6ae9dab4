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
