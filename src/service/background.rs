//! The app's background identity per org: whether the GitHub App can act there, and the
//! installation token that scheduled work uses (never a person's token).

use crate::domain::background::{BackgroundAccess, NeededPermission};
use crate::domain::OrgLogin;
use crate::error::AppError;
use crate::github::app::PERMISSIONS;
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

/// The token background work uses in `org`: the App's installation's. `NotFound` when no App is
/// configured or it is not installed there.
pub async fn installation_token(
    state: &AppState,
    org: &OrgLogin,
) -> Result<SecretString, AppError> {
    let app = state.app.as_ref().ok_or(AppError::NotFound)?;
    app.token_for(&state.github, org).await
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
