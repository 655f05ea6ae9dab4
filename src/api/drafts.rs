//! Draft server functions: save (new or over an opened draft), list, read with what changed on
//! GitHub since, comment, publish and discard. Each checks its input and the session, then makes
//! one call to `service::drafts`, which asks GitHub whether the user is an owner or security
//! manager of the org (a draft's link proves nothing).

use crate::domain::campaign::CampaignView;
use crate::domain::campaign_form::NewCampaignForm;
use crate::domain::draft::{DraftId, DraftPage, DraftSummary};
use crate::domain::OrgLogin;
use crate::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    super::context::Ctx,
    super::flash::form_post,
    crate::domain::failed_form::{FailedForm, FormId},
    crate::service::drafts,
};

/// Keeps the create form as a draft: a new one, or over the draft it was opened from. Needs a
/// name; nothing else is checked until it is published. Drafts are capped per org and per person
/// (`store::drafts`).
#[server(endpoint = "drafts/save")]
pub async fn save_draft(
    org: OrgLogin,
    #[server(flatten)] form: NewCampaignForm,
) -> Result<DraftId, AppError> {
    let echo = FailedForm {
        generate_issues: form.generate_issues(),
        alerts: form.chosen_alerts(),
        ..FailedForm::new(FormId::Create(org.clone()), form.fields.clone())
    };
    form_post(echo, async {
        let opened = form.draft();
        let mut form = crate::domain::draft::keepable(form)?;
        form.draft = String::new();
        let cx = Ctx::take().await?;
        let (state, token, me) = (&cx.state, &cx.token, &cx.me.login);
        cx.settle(drafts::save(state, token, me, &org, opened, &form).await)
            .await
    })
    .await
}

/// The org's drafts, newest change first.
#[server(endpoint = "drafts/list")]
pub async fn list_drafts(org: OrgLogin) -> Result<Vec<DraftSummary>, AppError> {
    let cx = Ctx::take().await?;
    cx.settle(drafts::list(&cx.state, &cx.token, &org).await)
        .await
}

/// One draft with a page of its comments (the newest, or those before `comments_before`), and
/// the alerts of its selection closed on GitHub since.
#[server(endpoint = "drafts/get")]
pub async fn load_draft(
    org: OrgLogin,
    id: DraftId,
    comments_before: Option<i64>,
) -> Result<DraftPage, AppError> {
    let cx = Ctx::take().await?;
    cx.settle(drafts::page(&cx.state, &cx.token, &org, id, comments_before).await)
        .await
}

/// Adds a plain-text comment to a draft; the page then shows the thread.
#[server(endpoint = "drafts/comment")]
pub async fn comment_on_draft(org: OrgLogin, id: DraftId, body: String) -> Result<(), AppError> {
    let mut echo = FailedForm::new(FormId::Draft(org.clone(), id), Default::default());
    echo.values.description = body.clone();
    form_post(echo, async {
        let body = crate::domain::draft::comment_body(&body)?;
        let cx = Ctx::take().await?;
        let (state, token, me) = (&cx.state, &cx.token, &cx.me.login);
        cx.settle(drafts::comment(state, token, me, &org, id, &body).await)
            .await
    })
    .await
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
    let echo = FailedForm::new(FormId::Draft(org.clone(), id), Default::default());
    form_post(echo, async {
        let cx = Ctx::take().await?;
        let (state, token, me) = (&cx.state, &cx.token, &cx.me.login);
        cx.settle(drafts::publish(state, token, me, &org, id, revision).await)
            .await
    })
    .await
}

/// Removes a draft without publishing it.
#[server(endpoint = "drafts/discard")]
pub async fn discard_draft(org: OrgLogin, id: DraftId) -> Result<(), AppError> {
    let echo = FailedForm::new(FormId::Draft(org.clone(), id), Default::default());
    form_post(echo, async {
        let cx = Ctx::take().await?;
        cx.settle(drafts::discard(&cx.state, &cx.token, &org, id).await)
            .await
    })
    .await
}
