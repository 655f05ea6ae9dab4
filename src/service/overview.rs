//! The org overview: its open campaigns from one GitHub list call (conditional, so a repeat costs
//! no rate limit) and the app's own snapshots for the chart.

use crate::auth::access::not_found_as_role;
use crate::domain::overview::OrgOverview;
use crate::domain::OrgLogin;
use crate::error::AppError;
use crate::service::campaigns::{list_open, SEE};
use crate::state::AppState;
use secrecy::SecretString;

/// How far back the chart reaches.
const CHART_DAYS: i64 = 90;

pub async fn overview(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
) -> Result<OrgOverview, AppError> {
    let open = match list_open(&state.github, token, org).await {
        Ok(open) => open,
        Err(e) => return Err(not_found_as_role(&state.github, token, e, org, SEE).await),
    };
    state.managers.seen_managing(token, org).await;
    let open = crate::service::snapshots::viewed(state, org, open);
    let now = chrono::Utc::now();
    let since = now - chrono::Duration::days(CHART_DAYS);
    let snapshots = state.store.campaigns().org_history(org, since).await?;
    Ok(OrgOverview::new(open, snapshots, now))
}
