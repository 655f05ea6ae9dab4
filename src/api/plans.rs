//! Plans (`service::plans`): the org's plans, what a plan form would make, keeping one (its
//! first wave published at once, through the job that publishes every wave), a plan's page, and
//! checking its next wave now.

use crate::domain::plan::{PlanForm, PlanPage, PlanPreview, PlansPage};
use crate::domain::OrgLogin;
use crate::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {super::context::Ctx, crate::domain::paths, crate::service::plans};

#[server(endpoint = "plans/list")]
pub async fn load_plans(org: OrgLogin) -> Result<PlansPage, AppError> {
    let cx = Ctx::take().await?;
    cx.settle(plans::page(&cx.state, &cx.token, &org).await)
        .await
}

#[server(endpoint = "plans/preview")]
pub async fn preview_plan(org: OrgLogin, form: PlanForm) -> Result<PlanPreview, AppError> {
    let cx = Ctx::take().await?;
    cx.settle(plans::preview(&cx.state, &cx.token, &org, &form).await)
        .await
}

/// Keeps the plan and publishes its first wave; the plan's id. A plain form post is sent on to
/// the plan's page (or, refused, back to its preview with the refusal's field named).
#[server(endpoint = "plans/create")]
pub async fn create_plan(
    org: OrgLogin,
    #[server(flatten)] form: PlanForm,
) -> Result<i64, AppError> {
    let cx = Ctx::take().await?;
    let (state, token) = (&cx.state, &cx.token);
    let created = plans::create(state, token, &cx.me.login, &org, &form).await;
    if let Ok(id) = created {
        check_and_publish(state, token, &org, id).await;
    }
    if super::context::is_form_post() {
        match &created {
            Ok(id) => leptos_axum::redirect(&paths::plan(&org, *id)),
            Err(e) => {
                let field = match e {
                    AppError::Invalid { errors, .. } => {
                        errors.first().and_then(|f| f.field.clone())
                    }
                    _ => None,
                };
                let field = field.unwrap_or_else(|| "plan".to_owned());
                let query = crate::domain::url_state::UrlState::query_string(&form);
                let sep = if query.is_empty() { '?' } else { '&' };
                let back = paths::new_plan(&org);
                leptos_axum::redirect(&format!("{back}{query}{sep}refused={field}"));
            }
        }
    }
    cx.settle(created).await
}

/// Plan `id`'s page.
#[server(endpoint = "plans/get")]
pub async fn load_plan(org: OrgLogin, id: i64) -> Result<PlanPage, AppError> {
    let cx = Ctx::take().await?;
    cx.settle(plans::view(&cx.state, &cx.token, &org, id).await)
        .await
}

/// Checks plan `id`'s next wave now, and publishes it if it is due (as the scheduled check
/// would, through the same job: once, whichever gets there first). A plain post is sent back to
/// the plan's page.
#[server(endpoint = "plans/check")]
pub async fn check_plan(org: OrgLogin, id: i64) -> Result<(), AppError> {
    let cx = Ctx::take().await?;
    let (state, token) = (&cx.state, &cx.token);
    let checked = async {
        (state.managers)
            .require(&state.github, token, &org, "plan its campaigns")
            .await?;
        state
            .store
            .plans()
            .get(&org, id)
            .await?
            .ok_or(AppError::NotFound)?;
        check_and_publish(state, token, &org, id).await;
        Ok(())
    }
    .await;
    if super::context::is_form_post() && checked.is_ok() {
        leptos_axum::redirect(&paths::plan(&org, id));
    }
    cx.settle(checked).await
}

/// Whether plan `id`'s next wave is due; if so, its publish job is queued and run now (a job
/// already queued or run by another instance is left to it). What goes wrong is written on the
/// plan (its page shows it).
#[cfg(feature = "ssr")]
async fn check_and_publish(
    state: &crate::state::AppState,
    token: &secrecy::SecretString,
    org: &OrgLogin,
    id: i64,
) {
    let store = state.store.plans();
    let plan = match store.get(org, id).await {
        Ok(Some(plan)) => plan,
        _ => return,
    };
    match plans::check(state, token, &plan, chrono::Utc::now()).await {
        Ok(Some(job)) => {
            if let Ok(true) = state.store.jobs().enqueue_once(job.clone()).await {
                if crate::jobs::run(state, job, false).await.is_err() {
                    tracing::info!(plan = id, "a wave's publish failed; the job retries it");
                }
            }
        }
        Ok(None) => {}
        Err(e) => {
            let status = format!("Could not check the next wave: {e}");
            let _ = store.set_status(id, &status, false).await;
        }
    }
}
