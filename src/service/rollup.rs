//! Every org at once: the user's orgs (one GitHub list), then each org's open campaigns (one
//! GitHub list per org, all sent together), summed with the app's own snapshots of the orgs the
//! user manages. An org GitHub shows no campaign to (no role) is listed as such.

use crate::domain::rollup::{OrgRollup, OrgStanding, Rollup, RollupCounts};
use crate::domain::OrgLogin;
use crate::error::AppError;
use crate::service::campaigns::list_open;
use crate::state::AppState;
use chrono::{DateTime, Duration, Utc};
use secrecy::SecretString;

/// How far back the snapshots behind the pace and the week's closed count reach.
const HISTORY_DAYS: i64 = 90;

pub async fn rollup(
    state: &AppState,
    token: &SecretString,
    now: DateTime<Utc>,
) -> Result<Rollup, AppError> {
    let orgs = crate::service::orgs::my_orgs(&state.github, token).await?;
    let each = orgs.into_iter().map(|o| async move {
        let standing = match o.login.parse::<OrgLogin>() {
            Ok(org) => standing(state, token, &org, now).await?,
            Err(_) => OrgStanding::Unavailable("GitHub named an org the app cannot read.".into()),
        };
        Ok::<_, AppError>(OrgRollup {
            login: o.login,
            avatar_url: o.avatar_url,
            standing,
        })
    });
    let orgs = futures_util::future::try_join_all(each).await?;
    Ok(Rollup { at: now, orgs })
}

/// One org's standing: its counts once GitHub has listed its campaigns for this token (which
/// only an owner or security manager may), else why not. A token GitHub no longer accepts ends
/// the whole roll-up (the session ends).
async fn standing(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
    now: DateTime<Utc>,
) -> Result<OrgStanding, AppError> {
    let open = match list_open(&state.github, token, org).await {
        Ok(open) => open,
        // GitHub answers a member without the role with 404.
        Err(AppError::NotFound) => return Ok(OrgStanding::NoRole),
        Err(AppError::NotSignedIn) => return Err(AppError::NotSignedIn),
        Err(e) => return Ok(OrgStanding::Unavailable(e.to_string())),
    };
    state.managers.seen_managing(token, org).await;
    let open = crate::service::snapshots::viewed(state, org, open);
    let since = now - Duration::days(HISTORY_DAYS);
    Ok(
        match state.store.campaigns().org_history(org, since).await {
            Ok(snapshots) => OrgStanding::Managed(RollupCounts::of(open, &snapshots, now)),
            Err(e) => {
                tracing::warn!(%org, error = %e, "could not read the org's snapshots");
                OrgStanding::Unavailable("The app could not read its own records now.".into())
            }
        },
    )
}
