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

/// Work a scheduled job does in every org the App is installed on, each with its own
/// installation's token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgWork {
    /// The hour's snapshot of every open campaign, so a campaign nobody opens has no gaps in its
    /// history.
    Snapshots,
    /// The alert index brought up to date with GitHub (a whole read when `full`).
    IndexSync { full: bool },
}

impl OrgWork {
    /// Its name in the run history.
    pub fn kind(self) -> &'static str {
        match self {
            OrgWork::Snapshots => "snapshots",
            OrgWork::IndexSync { .. } => "index",
        }
    }

    fn detail(self, n: usize) -> String {
        match self {
            OrgWork::Snapshots => format!("{n} open campaign(s) snapshotted."),
            OrgWork::IndexSync { .. } if n > 0 => "Alert index synced.".to_owned(),
            OrgWork::IndexSync { .. } => "Another sync held the index: left to it.".to_owned(),
        }
    }
}

/// What one run over every installed org did.
#[derive(Debug, Default)]
pub struct OrgRun {
    /// Each org done, with how much: campaigns kept, or 1 for an index synced.
    pub done: Vec<(OrgLogin, usize)>,
    /// Orgs that could not be done, and why (the others went on).
    pub failed: Vec<(OrgLogin, AppError)>,
}

/// `work` in every org the App is installed on; `None` without an App (the work is off). An
/// org that fails is logged and the others go on.
pub async fn every_org(state: &AppState, work: OrgWork) -> Result<Option<OrgRun>, AppError> {
    let Some(app) = &state.app else {
        return Ok(None);
    };
    let mut run = OrgRun::default();
    for org in app.installed_orgs(&state.github).await? {
        match in_org(state, app, &org, work).await {
            Ok(n) => run.done.push((org, n)),
            Err(e) => {
                tracing::warn!(%org, error = %e, kind = work.kind(), "a scheduled job failed in an org");
                run.failed.push((org, e));
            }
        }
    }
    Ok(Some(run))
}

/// The scheduled job: [`every_org`], each org's outcome written to the run history under the
/// org (its digests page shows it). An org that failed for a reason a retry may mend fails the
/// job, which apalis then retries (the orgs already done do the same work again, no more).
pub async fn run_every_org(
    state: &AppState,
    work: OrgWork,
    period: &str,
) -> Result<String, AppError> {
    let Some(run) = every_org(state, work).await? else {
        return Ok("No GitHub App is configured: nothing to do.".to_owned());
    };
    let runs = state.store.jobs();
    let kind = work.kind();
    let mut retry = None;
    for (org, e) in &run.failed {
        let why = e.to_string();
        runs.record(kind, org.as_str(), period, "failed", &why, true)
            .await?;
        if !matches!(e, AppError::NotFound | AppError::Forbidden { .. }) {
            retry = Some(e.clone());
        }
    }
    for (org, n) in &run.done {
        let detail = work.detail(*n);
        runs.record(kind, org.as_str(), period, "done", &detail, true)
            .await?;
    }
    if let Some(e) = retry {
        return Err(e);
    }
    Ok(format!(
        "{} org(s) done; {} failed.",
        run.done.len(),
        run.failed.len()
    ))
}

/// `work` in one org, with its installation's token; a token GitHub no longer takes (the App
/// was uninstalled since) is forgotten, so the next run asks for the installation again.
async fn in_org(
    state: &AppState,
    app: &GitHubApp,
    org: &OrgLogin,
    work: OrgWork,
) -> Result<usize, AppError> {
    let token = app.token_for(&state.github, org).await?;
    let done = match work {
        OrgWork::Snapshots => keep_open_campaigns(state, &token, org).await,
        OrgWork::IndexSync { full } => {
            crate::service::alert_index::sync_now(state, &token, org, full)
                .await
                .map(usize::from)
        }
    };
    if let Err(AppError::NotSignedIn) = done {
        app.forget(org).await;
    }
    done
}

/// Keeps a snapshot of each of `org`'s open campaigns as read now with `token` (a job's: the App
/// installation's), written before it returns. At most one a campaign an hour, as page views
/// keep them. How many campaigns had counts to keep.
async fn keep_open_campaigns(
    state: &AppState,
    token: &secrecy::SecretString,
    org: &OrgLogin,
) -> Result<usize, AppError> {
    let open = crate::service::campaigns::list_open_with_counts(&state.github, token, org).await?;
    let at = chrono::Utc::now();
    let records = state.store.campaigns();
    let mut kept = 0;
    for c in open {
        let c = crate::service::views::view_of(&state.settings, org, c);
        if let Some(snapshot) = crate::service::snapshots::snapshot_of(&c, at) {
            records.snapshot(org, c.number, &snapshot, None).await?;
            kept += 1;
        }
    }
    Ok(kept)
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
