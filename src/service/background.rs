//! The app's background identity per org: whether the GitHub App can act there, and the
//! installation token that scheduled work uses (never a person's token).

use crate::domain::background::{BackgroundAccess, NeededPermission};
use crate::domain::OrgLogin;
use crate::error::AppError;
use crate::github::app::{GitHubApp, PERMISSIONS};
use crate::state::AppState;
use secrecy::SecretString;

/// The org settings page's answer, for an owner or security manager of `org`.
pub async fn access(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
) -> Result<BackgroundAccess, AppError> {
    (state.managers)
        .require(&state.github, token, org, "see its settings")
        .await?;
    let Some(app) = &state.app else {
        return Ok(BackgroundAccess::NoApp);
    };
    let app_id = app.id();
    match app.installation(&state.github, org).await {
        Ok(installation) => Ok(BackgroundAccess::Installed {
            app_id,
            installation_id: installation.id,
            permissions: PERMISSIONS
                .iter()
                .map(|(name, access, why)| NeededPermission {
                    name: (*name).to_owned(),
                    access: (*access).to_owned(),
                    why: (*why).to_owned(),
                    granted: grants(&installation.permissions, name, access),
                })
                .collect(),
        }),
        Err(AppError::NotFound) => Ok(BackgroundAccess::NotInstalled { app_id }),
        // GitHub answers a JWT it cannot verify with 401: the App's id or key is wrong.
        Err(AppError::NotSignedIn) => {
            tracing::warn!(app_id, "GitHub refused the GitHub App's JWT: check github.app_id and the App's private key");
            Ok(BackgroundAccess::Refused { app_id })
        }
        Err(e) => Err(e),
    }
}

/// What one run of the snapshots did.
#[derive(Debug, Default)]
pub struct SnapshotRun {
    /// Installed orgs whose open campaigns were read.
    pub orgs: usize,
    /// Campaigns whose counts were kept.
    pub campaigns: usize,
    /// Orgs that could not be read, and why (the others went on).
    pub failed: Vec<(OrgLogin, AppError)>,
    /// Each org read, with its count of campaigns kept.
    pub kept: Vec<(OrgLogin, usize)>,
}

/// The hourly snapshots: every open campaign of every org the App is installed on, each org read
/// with its own installation's token, so a campaign nobody opens has no gaps in its history.
/// `None` without an App (the work is off); an org that fails is logged and the others go on.
pub async fn snapshot_every_org(state: &AppState) -> Result<Option<SnapshotRun>, AppError> {
    let Some(app) = &state.app else {
        return Ok(None);
    };
    let mut run = SnapshotRun::default();
    for org in app.installed_orgs(&state.github).await? {
        match snapshot_org(state, app, &org).await {
            Ok(kept) => {
                run.orgs += 1;
                run.campaigns += kept;
                run.kept.push((org, kept));
            }
            Err(e) => {
                tracing::warn!(%org, error = %e, "the hourly snapshot of an org failed");
                run.failed.push((org, e));
            }
        }
    }
    Ok(Some(run))
}

/// The hourly job: [`snapshot_every_org`], each org's outcome written to the run history under
/// the org (its settings page shows it). An org that failed for a reason a retry may mend fails
/// the job, which apalis then retries (the orgs already kept write the same hour again, no more).
pub async fn snapshot_hour(state: &AppState, hour: &str) -> Result<String, AppError> {
    let Some(run) = snapshot_every_org(state).await? else {
        return Ok("No GitHub App is configured: nothing to snapshot.".to_owned());
    };
    let runs = state.store.jobs();
    let mut retry = None;
    for (org, e) in &run.failed {
        runs.record(
            "snapshots",
            org.as_str(),
            hour,
            "failed",
            &e.to_string(),
            true,
        )
        .await?;
        if !matches!(e, AppError::NotFound | AppError::Forbidden { .. }) {
            retry = Some(e.clone());
        }
    }
    for (org, kept) in &run.kept {
        let detail = format!("{kept} open campaign(s) snapshotted.");
        runs.record("snapshots", org.as_str(), hour, "done", &detail, true)
            .await?;
    }
    if let Some(e) = retry {
        return Err(e);
    }
    Ok(format!(
        "{} org(s), {} campaign(s) snapshotted; {} org(s) failed.",
        run.orgs,
        run.campaigns,
        run.failed.len()
    ))
}

/// One org's snapshots, with its installation's token; a token GitHub no longer takes (the App
/// was uninstalled since) is forgotten, so the next run asks for the installation again.
async fn snapshot_org(
    state: &AppState,
    app: &GitHubApp,
    org: &OrgLogin,
) -> Result<usize, AppError> {
    let token = app.token_for(&state.github, org).await?;
    let kept = crate::service::snapshots::keep_open_campaigns(state, &token, org).await;
    if let Err(AppError::NotSignedIn) = kept {
        app.forget(org).await;
    }
    kept
}

/// Whether `granted` (an installation's permissions) covers `access` to `name`.
fn grants(granted: &std::collections::BTreeMap<String, String>, name: &str, access: &str) -> bool {
    match granted.get(name).map(String::as_str) {
        Some("admin") => true,
        Some("write") => access != "admin",
        Some("read") => access == "read",
        _ => false,
    }
}
