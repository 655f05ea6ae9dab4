//! Draft server functions: save (new or over an opened draft), list, read with what changed on
//! GitHub since, comment, publish and discard. Each checks the session, then asks GitHub whether
//! the user is an owner or security manager of the org (a draft's link proves nothing), then works
//! on the store through `service::drafts`.

use crate::domain::campaign::CampaignView;
use crate::domain::campaign_form::NewCampaignForm;
use crate::domain::draft::{DraftId, DraftPage, DraftSummary};
use crate::domain::OrgLogin;
use crate::error::AppError;
use leptos::prelude::*;

/// Keeps the create form as a draft: a new one, or over the draft it was opened from. Needs a
/// name; nothing else is checked until it is published. Drafts are capped per org and per person
/// (`store::drafts`).
#[server(endpoint = "drafts/save")]
pub async fn save_draft(
    org: OrgLogin,
    #[server(flatten)] form: NewCampaignForm,
) -> Result<DraftId, AppError> {
    use super::context::{signed_in, Ctx};
    use super::flash::{finish_form, FailedForm};
    let echo = FailedForm {
        generate_issues: form.generate_issues(),
        alerts: form.chosen_alerts(),
        ..FailedForm::new(format!("create:{org}"), form.fields.clone())
    };
    let result = async move {
        let opened = form.draft();
        let mut form = crate::domain::draft::keepable(form)?;
        form.draft = String::new();
        let me = signed_in().await?.user.login;
        let cx = Ctx::take().await?;
        let (state, token) = (&cx.state, &cx.token);
        let result = async {
            super::context::require_manager(state, token, &org, crate::service::drafts::DRAFTS)
                .await?;
            crate::service::drafts::selection_exists(state, token, &org, &form).await?;
            let drafts = state.store.drafts();
            let id = match opened {
                Some(id) => {
                    let found = drafts.update(&org, id, &form, &me).await;
                    if !found? {
                        return Err(AppError::NotFound);
                    }
                    id
                }
                None => (drafts.create(&org, &form, &me).await)
                    .map_err(crate::service::drafts::refused)?,
            };
            leptos_axum::redirect(&format!(
                "{}?saved=1",
                crate::domain::paths::draft(&org, id)
            ));
            Ok(id)
        }
        .await;
        cx.settle(result).await
    }
    .await;
    finish_form(result, echo).await
}

/// The org's drafts, newest change first.
#[server(endpoint = "drafts/list")]
pub async fn list_drafts(org: OrgLogin) -> Result<Vec<DraftSummary>, AppError> {
    use super::context::Ctx;
    let cx = Ctx::take().await?;
    let (state, token) = (&cx.state, &cx.token);
    let result = async {
        super::context::require_manager(state, token, &org, crate::service::drafts::DRAFTS).await?;
        (state.store.drafts().list(&org).await).map_err(AppError::from)
    }
    .await;
    cx.settle(result).await
}

/// One draft with a page of its comments (the newest, or those before `comments_before`), and
/// the alerts of its selection closed on GitHub since.
#[server(endpoint = "drafts/get")]
pub async fn load_draft(
    org: OrgLogin,
    id: DraftId,
    comments_before: Option<i64>,
) -> Result<DraftPage, AppError> {
    use super::context::Ctx;
    let cx = Ctx::take().await?;
    let (state, token) = (&cx.state, &cx.token);
    let result = async {
        let draft =
            crate::service::drafts::draft_of(state, token, &org, id, comments_before).await?;
        let (closed, closed_budget_spent) =
            crate::service::drafts::closed_since(state, token, &org, &draft).await;
        Ok(DraftPage {
            draft,
            closed,
            closed_budget_spent,
        })
    }
    .await;
    cx.settle(result).await
}

/// Adds a plain-text comment to a draft; the page then shows the thread.
#[server(endpoint = "drafts/comment")]
pub async fn comment_on_draft(org: OrgLogin, id: DraftId, body: String) -> Result<(), AppError> {
    use super::context::{signed_in, Ctx};
    use super::flash::{finish_form, FailedForm};
    let mut echo = FailedForm::new(format!("draft:{org}/{id}"), Default::default());
    echo.values.description = body.clone();
    let result = async move {
        let body = crate::domain::draft::comment_body(&body)?;
        let me = signed_in().await?.user.login;
        let cx = Ctx::take().await?;
        let (state, token) = (&cx.state, &cx.token);
        let result = async {
            super::context::require_manager(state, token, &org, crate::service::drafts::DRAFTS)
                .await?;
            let added = state.store.drafts().comment(&org, id, &me, &body).await;
            added.map_err(crate::service::drafts::refused)?;
            let page = crate::domain::paths::draft(&org, id);
            leptos_axum::redirect(&format!("{page}#comments"));
            Ok(())
        }
        .await;
        cx.settle(result).await
    }
    .await;
    finish_form(result, echo).await
}

/// Creates the campaign on GitHub from the draft, as the create form does (every field checked
/// first, the alert set and the audit entry recorded), then removes the draft. Only the
/// `revision` the page showed is published: a draft changed since is refused, naming who changed
/// it and when. One publish at a time: a second one meanwhile is refused, so the campaign is made
/// once.
#[server(endpoint = "drafts/publish")]
pub async fn publish_draft(
    org: OrgLogin,
    id: DraftId,
    revision: i64,
) -> Result<CampaignView, AppError> {
    use super::context::{signed_in, Ctx};
    use super::flash::{finish_form, FailedForm};
    let echo = FailedForm::new(format!("draft:{org}/{id}"), Default::default());
    let result = async move {
        let me = signed_in().await?.user.login;
        {
        let cx = Ctx::take().await?;
        let (state, token) = (&cx.state, &cx.token);
        cx.settle(async {
            let draft = crate::service::drafts::draft_of(state, token, &org, id, None).await?;
            crate::service::drafts::same_revision(&draft, revision)?;
            let body = crate::service::campaigns::create_body(&draft.form)?;
            let drafts = state.store.drafts();
            if !(drafts.hold(&org, id, revision).await)? {
                // Changed between the read above and the hold, or held by another publish.
                let now = crate::service::drafts::draft_of(state, token, &org, id, None).await?;
                crate::service::drafts::same_revision(&now, revision)?;
                return Err(AppError::invalid(
                    "publish",
                    "Someone is publishing this draft right now. Reload the page in a minute.",
                ));
            }
            let created =
                crate::service::campaigns::create_recorded(state, token, &org, &me, &body).await;
            match created {
                Ok(c) => {
                    crate::service::campaigns::draft_published(state, &org, id).await;
                    Ok(crate::service::campaigns::go_to_campaign(
                        &state.settings,
                        &org,
                        c,
                        "?created=1",
                    ))
                }
                Err(e) => {
                    if let Err(e) = drafts.release(&org, id).await {
                        tracing::warn!(error = %e, "could not release a draft after a failed publish");
                    }
                    Err(e)
                }
            }
        }
        .await)
        .await
    }
    }
    .await;
    finish_form(result, echo).await
}

/// Removes a draft without publishing it.
#[server(endpoint = "drafts/discard")]
pub async fn discard_draft(org: OrgLogin, id: DraftId) -> Result<(), AppError> {
    use super::context::Ctx;
    use super::flash::{finish_form, FailedForm};
    let echo = FailedForm::new(format!("draft:{org}/{id}"), Default::default());
    let result = {
        let cx = Ctx::take().await?;
        let (state, token) = (&cx.state, &cx.token);
        let result = async {
            super::context::require_manager(state, token, &org, crate::service::drafts::DRAFTS)
                .await?;
            let removed = state.store.drafts().remove(&org, id).await;
            if !removed? {
                return Err(AppError::NotFound);
            }
            let list = crate::domain::paths::campaigns(&org);
            leptos_axum::redirect(&format!("{list}?discarded={id}"));
            Ok(())
        }
        .await;
        cx.settle(result).await
    };
    finish_form(result, echo).await
}
