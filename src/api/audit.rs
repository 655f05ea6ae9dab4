//! The audit log's page: a page at a time, for the org's owners and security managers (the entries
//! are written, and the CSV file served, by `service::audit`).

use crate::domain::audit::{AuditFilter, AuditPage};
use crate::domain::OrgLogin;
use crate::error::AppError;
use leptos::prelude::*;

/// A page of the org's audit log, filtered as the address says.
#[server(endpoint = "audit/list")]
pub async fn audit_log(
    org: OrgLogin,
    #[server(flatten)] filter: AuditFilter,
) -> Result<AuditPage, AppError> {
    use super::context::Ctx;
    let (query, page) = filter.parse().map_err(AppError::filter_refused)?;
    let cx = Ctx::take().await?;
    cx.settle(crate::service::audit::page(&cx.state, &cx.token, &org, &query, page).await)
        .await
}
