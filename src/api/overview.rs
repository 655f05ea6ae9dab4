//! The org overview's server function: one GitHub list call for the open campaigns (conditional,
//! so a repeat costs no rate limit) and the app's own snapshots for the chart.

use crate::domain::overview::OrgOverview;
use crate::domain::OrgLogin;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "orgs/overview")]
pub async fn load_org_overview(org: OrgLogin) -> Result<OrgOverview, AppError> {
    use super::context::Ctx;
    use crate::auth::access::not_found_as_role;
    let cx = Ctx::take().await?;
    let (state, token) = (&cx.state, &cx.token);
    let result = async {
        let open = match crate::service::campaigns::list_open(&state.github, token, &org).await {
            Ok(open) => open,
            Err(e) => {
                let (github, what) = (&state.github, super::campaigns::SEE);
                return Err(not_found_as_role(github, token, e, &org, what).await);
            }
        };
        state.managers.seen_managing(token, &org).await;
        let open = crate::service::snapshots::viewed(state, &org, open);
        // The chart reaches back 90 days.
        let now = chrono::Utc::now();
        let since = now - chrono::Duration::days(90);
        let snapshots = state.store.campaigns().org_history(&org, since).await;
        let snapshots = snapshots?;
        Ok(OrgOverview::new(open, snapshots, now))
    }
    .await;
    cx.settle(result).await
}
