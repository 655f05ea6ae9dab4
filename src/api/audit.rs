//! The audit log's page: a page at a time, for the org's owners and security managers (the entries
//! are written, and the CSV file served, by `service::audit`).

use crate::domain::audit::{AuditFilter, AuditPage};
use crate::domain::OrgLogin;
use crate::error::AppError;
use leptos::prelude::*;

/// A page of the org's audit log, filtered as the address says. Members of the org only.
#[server(endpoint = "audit/list")]
pub async fn audit_log(
    org: OrgLogin,
    #[server(flatten)] filter: AuditFilter,
) -> Result<AuditPage, AppError> {
    use super::context::Ctx;
    let (query, page) = filter.parse().map_err(AppError::filter_refused)?;
    let cx = Ctx::take().await?;
    let (state, token) = (&cx.state, &cx.token);
    let result = async {
        super::context::require_manager(state, token, &org, "read its audit log").await?;
        crate::service::audit::page(&state.store, &org, &query, page).await
    }
    .await;
    cx.settle(result).await
}
