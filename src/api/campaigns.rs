//! Campaign server functions: list, read, create, edit, close/reopen, delete. Each takes typed
//! arguments (a malformed organisation or number never reaches a body), parses the form with the
//! shared domain types, takes the request's context (the session checked) and makes one call to
//! `service::campaigns` or `service::campaign_edits`.

use crate::domain::campaign::{
    CampaignPage, CampaignView, CreateFormContext, ManagerChoices, WantedState,
};
use crate::domain::campaign_form::{EditCampaignForm, NewCampaignForm};
use crate::domain::list_view::ListView;
use crate::domain::{CampaignNumber, OrgLogin};
use crate::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    super::context::Ctx,
    super::flash::form_post,
    crate::domain::failed_form::{FailedForm, FormId},
    crate::service::{campaign_edits, campaigns},
};

#[server(endpoint = "campaigns/list")]
pub async fn list_campaigns(org: OrgLogin, view: ListView) -> Result<CampaignPage, AppError> {
    let cx = Ctx::take().await?;
    cx.settle(campaigns::list(&cx.state, &cx.token, &org, view).await)
        .await
}

#[server(endpoint = "campaigns/get")]
pub async fn get_campaign(org: OrgLogin, number: CampaignNumber) -> Result<CampaignView, AppError> {
    let cx = Ctx::take().await?;
    cx.settle(campaigns::get(&cx.state, &cx.token, &org, number).await)
        .await
}

/// Who the manager fields offer: the organisation's owners and the signed-in user (GitHub takes
/// only owners and security managers), and its teams.
#[server(endpoint = "campaigns/manager_choices")]
pub async fn load_manager_choices(org: OrgLogin) -> Result<ManagerChoices, AppError> {
    let cx = Ctx::take().await?;
    let me = cx.me.clone();
    cx.settle(campaigns::manager_choices(&cx.state, &cx.token, &org, me).await)
        .await
}

/// The create form's context: the manager choices, and how many campaigns are open (GitHub
/// allows ten).
#[server(endpoint = "campaigns/new_context")]
pub async fn new_campaign_context(org: OrgLogin) -> Result<CreateFormContext, AppError> {
    let cx = Ctx::take().await?;
    let me = cx.me.clone();
    cx.settle(campaigns::new_form_context(&cx.state, &cx.token, &org, me).await)
        .await
}

/// Creates a campaign from the form and the chosen alerts. Never retried: a second POST could
/// create a second campaign.
#[server(endpoint = "campaigns/create")]
pub async fn create_campaign(
    org: OrgLogin,
    #[server(flatten)] form: NewCampaignForm,
) -> Result<CampaignView, AppError> {
    let echo = FailedForm {
        generate_issues: form.generate_issues(),
        alerts: form.chosen_alerts(),
        ..FailedForm::new(FormId::Create(org.clone()), form.fields.clone())
    };
    form_post(echo, async {
        let body = campaigns::create_body(&form)?;
        let cx = Ctx::take().await?;
        let (state, token, me) = (&cx.state, &cx.token, &cx.me.login);
        cx.settle(campaigns::create(state, token, &org, me, &form, &body).await)
            .await
    })
    .await
}

/// Saves the edit form, sending GitHub only what changed. If GitHub's copy changed since the form
/// was opened, nothing is saved unless the form says to overwrite.
#[server(endpoint = "campaigns/update")]
pub async fn update_campaign(
    org: OrgLogin,
    number: CampaignNumber,
    #[server(flatten)] form: EditCampaignForm,
) -> Result<CampaignView, AppError> {
    use crate::domain::campaign_form::fields_need_attention;
    let echo = FailedForm::new(FormId::Edit(org.clone(), number), form.fields.clone());
    form_post(echo, async {
        let draft = (form.fields)
            .parse(form.loaded_ends_at(), chrono::Utc::now())
            .map_err(fields_need_attention)?;
        let cx = Ctx::take().await?;
        let (state, token, me) = (&cx.state, &cx.token, &cx.me.login);
        cx.settle(campaign_edits::update(state, token, me, &org, number, &form, draft).await)
            .await
    })
    .await
}

/// Closes (`state=closed`) or reopens (`state=open`) a campaign.
#[server(endpoint = "campaigns/set_state")]
pub async fn set_campaign_state(
    org: OrgLogin,
    number: CampaignNumber,
    state: WantedState,
) -> Result<CampaignView, AppError> {
    let echo = FailedForm::new(FormId::State(org.clone(), number), Default::default());
    form_post(echo, async {
        let cx = Ctx::take().await?;
        let (app, token, me) = (&cx.state, &cx.token, &cx.me.login);
        cx.settle(campaign_edits::set_state(app, token, me, &org, number, state).await)
            .await
    })
    .await
}

/// Deletes a campaign; the list then shows a notice naming it.
#[server(endpoint = "campaigns/delete")]
pub async fn delete_campaign(org: OrgLogin, number: CampaignNumber) -> Result<(), AppError> {
    let echo = FailedForm::new(FormId::Delete(org.clone(), number), Default::default());
    form_post(echo, async {
        let cx = Ctx::take().await?;
        let (state, token, me) = (&cx.state, &cx.token, &cx.me.login);
        cx.settle(campaign_edits::delete(state, token, me, &org, number).await)
            .await
    })
    .await
}
