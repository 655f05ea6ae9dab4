//! Acting on a campaign's alerts (`service::triage`): who can be assigned, what a triage form
//! would change, and a run that changes them.

use crate::domain::campaign::Person;
use crate::domain::triage::{TriageForm, TriagePreview, TriageRun};
use crate::domain::{CampaignNumber, OrgLogin};
use crate::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {super::context::Ctx, crate::service::triage};

/// The org's members, offered as assignees.
#[server(endpoint = "campaigns/assignable")]
pub async fn load_assignable(org: OrgLogin) -> Result<Vec<Person>, AppError> {
    let cx = Ctx::take().await?;
    cx.settle(triage::assignable(&cx.state, &cx.token, &org).await)
        .await
}

/// What `form` would change, changing nothing.
#[server(endpoint = "campaigns/triage/preview")]
pub async fn preview_triage(
    org: OrgLogin,
    number: CampaignNumber,
    form: TriageForm,
) -> Result<TriagePreview, AppError> {
    let cx = Ctx::take().await?;
    let (state, token, me) = (&cx.state, &cx.token, cx.me.login.as_str());
    cx.settle(triage::preview(state, token, me, &org, number, &form).await)
        .await
}

/// Changes the alerts named in `alerts` (`owner/repo#number`, separated by spaces; at most a
/// page's worth). A plain form post (no JavaScript) is sent on to the run's audit log entry.
#[server(endpoint = "campaigns/triage/run")]
pub async fn run_triage(
    org: OrgLogin,
    number: CampaignNumber,
    action: String,
    #[server(default)] assignee: String,
    #[server(default)] reason: String,
    #[server(default)] comment: String,
    alerts: String,
) -> Result<TriageRun, AppError> {
    let form = TriageForm {
        action,
        assignee,
        reason,
        comment,
        scope: "checked".into(),
        alert: alerts
            .split_whitespace()
            .take(1_001)
            .map(str::to_owned)
            .collect(),
        ..Default::default()
    };
    let cx = Ctx::take().await?;
    let (state, token, me) = (&cx.state, &cx.token, cx.me.login.as_str());
    let result = triage::run(state, token, me, &org, number, &form).await;
    if super::context::is_form_post() {
        let page = crate::domain::paths::campaign_triage(&org, number);
        match &result {
            Ok((_, Some(id))) => leptos_axum::redirect(&format!("{page}?done={id}")),
            Ok((_, None)) => {
                leptos_axum::redirect(&crate::domain::paths::campaign_alerts(&org, number))
            }
            // Back to the preview, saying (in fixed words) why nothing more changed.
            Err(e) => {
                let code = match e {
                    AppError::Invalid { .. } if e.field_message("alert").is_some() => "budget",
                    AppError::Invalid { .. } => "invalid",
                    AppError::RateLimited { .. } => "rate",
                    _ => "github",
                };
                let query = form.query();
                leptos_axum::redirect(&format!("{page}{query}&refused={code}"));
            }
        }
    }
    cx.settle(result.map(|(run, _)| run)).await
}

/// A run's audit log entry, as its results page shows it (owners and security managers only).
#[server(endpoint = "campaigns/triage/done")]
pub async fn load_triage_done(
    org: OrgLogin,
    number: CampaignNumber,
    id: i64,
) -> Result<crate::domain::audit::AuditEntry, AppError> {
    let cx = Ctx::take().await?;
    cx.settle(triage::done(&cx.state, &cx.token, &org, number, id).await)
        .await
}
