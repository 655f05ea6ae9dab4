//! Campaign server functions: list, read, create, edit, close/reopen, delete. Each takes typed
//! arguments (a malformed organisation or number never reaches a body), checks the session, parses
//! the form with the shared domain types and then calls `service::campaigns` or
//! `service::campaign_edits`.

use crate::domain::campaign::{CampaignPage, CampaignView, CreateFormContext, ManagerChoices};
use crate::domain::campaign_form::{EditCampaignForm, NewCampaignForm};
use crate::domain::list_view::ListView;
use crate::domain::{CampaignNumber, OrgLogin};
use crate::error::AppError;
use leptos::prelude::*;

/// What the org's campaign list needs, said when GitHub answers 404 (which it does for a member
/// without the role as for a stranger).
#[cfg(feature = "ssr")]
pub(crate) const SEE: &str = "see its security campaigns";

#[server(endpoint = "campaigns/list")]
pub async fn list_campaigns(org: OrgLogin, view: ListView) -> Result<CampaignPage, AppError> {
    use super::context::Ctx;
    use crate::auth::access::not_found_as_role;
    let cx = Ctx::take().await?;
    let (state, token) = (&cx.state, &cx.token);
    let result = async {
        let (items, pages) =
            match crate::service::campaigns::list_inner(&state.github, token, &org, view).await {
                Ok(listed) => listed,
                Err(e) => return Err(not_found_as_role(&state.github, token, e, &org, SEE).await),
            };
        state.managers.seen_managing(token, &org).await;
        let campaigns = crate::service::snapshots::viewed(state, &org, items);
        Ok(CampaignPage { campaigns, pages })
    }
    .await;
    cx.settle(result).await
}

#[server(endpoint = "campaigns/get")]
pub async fn get_campaign(org: OrgLogin, number: CampaignNumber) -> Result<CampaignView, AppError> {
    use super::context::Ctx;
    let cx = Ctx::take().await?;
    let (state, token) = (&cx.state, &cx.token);
    let result = async {
        let c = state.github.get_campaign(token, &org, number).await?;
        Ok(crate::service::views::view_of(&state.settings, &org, c))
    }
    .await;
    cx.settle(result).await
}

/// Who the manager fields offer: the organisation's owners and the signed-in user (GitHub takes
/// only owners and security managers), and its teams.
#[server(endpoint = "campaigns/manager_choices")]
pub async fn load_manager_choices(org: OrgLogin) -> Result<ManagerChoices, AppError> {
    use super::context::{signed_in, Ctx};
    let me = signed_in().await?.user;
    let cx = Ctx::take().await?;
    let (state, token) = (&cx.state, &cx.token);
    let result = async {
        let what = "choose its campaigns' managers";
        state
            .managers
            .require(&state.github, token, &org, what)
            .await?;
        crate::service::campaigns::manager_choices_inner(&state.github, token, &org, me).await
    }
    .await;
    cx.settle(result).await
}

/// The create form's context: the manager choices, and how many campaigns are open (GitHub
/// allows ten).
#[server(endpoint = "campaigns/new_context")]
pub async fn new_campaign_context(org: OrgLogin) -> Result<CreateFormContext, AppError> {
    use super::context::{signed_in, Ctx};
    let me = signed_in().await?.user;
    let cx = Ctx::take().await?;
    let (state, token) = (&cx.state, &cx.token);
    let result = async {
        let (choices, open_campaigns) = tokio::join!(
            crate::service::campaigns::manager_choices_inner(&state.github, token, &org, me),
            crate::service::campaigns::open_campaigns(&state.github, token, &org),
        );
        Ok(CreateFormContext {
            choices: choices?,
            open_campaigns: open_campaigns?,
        })
    }
    .await;
    cx.settle(result).await
}

/// Creates a campaign from the form and the chosen alerts. Never retried: a second POST could
/// create a second campaign.
#[server(endpoint = "campaigns/create")]
pub async fn create_campaign(
    org: OrgLogin,
    #[server(flatten)] form: NewCampaignForm,
) -> Result<CampaignView, AppError> {
    use super::context::{signed_in, Ctx};
    use super::flash::{finish_form, FailedForm};
    let echo = FailedForm {
        generate_issues: form.generate_issues(),
        alerts: form.chosen_alerts(),
        ..FailedForm::new(format!("create:{org}"), form.fields.clone())
    };
    let result = async move {
        let body = crate::service::campaigns::create_body(&form)?;
        let me = signed_in().await?.user.login;
        let cx = Ctx::take().await?;
        let (state, token) = (&cx.state, &cx.token);
        let result = async {
            let c =
                crate::service::campaigns::create_recorded(state, token, &org, &me, &body).await?;
            // Made from a draft (opened in this form): the draft has become this campaign.
            if let Some(id) = form.draft() {
                crate::service::campaigns::draft_published(state, &org, id).await;
            }
            Ok(crate::service::campaigns::go_to_campaign(
                &state.settings,
                &org,
                c,
                "?created=1",
            ))
        }
        .await;
        cx.settle(result).await
    }
    .await;
    finish_form(result, echo).await
}

/// Saves the edit form, sending GitHub only what changed. If GitHub's copy changed since the form
/// was opened, nothing is saved unless the form says to overwrite.
#[server(endpoint = "campaigns/update")]
pub async fn update_campaign(
    org: OrgLogin,
    number: CampaignNumber,
    #[server(flatten)] form: EditCampaignForm,
) -> Result<CampaignView, AppError> {
    use super::context::{signed_in, Ctx};
    use super::flash::{finish_form, FailedForm};
    use crate::domain::campaign_form::fields_need_attention;
    use crate::service::{campaign_edits, campaigns::go_to_campaign};
    let echo = FailedForm::new(format!("edit:{org}/{number}"), form.fields.clone());
    let result = async move {
        let draft = (form.fields)
            .parse(form.loaded_ends_at(), chrono::Utc::now())
            .map_err(fields_need_attention)?;
        let me = signed_in().await?.user.login;
        let cx = Ctx::take().await?;
        let (state, token) = (&cx.state, &cx.token);
        let result = async {
            let c = campaign_edits::update(state, token, &me, &org, number, &form, draft).await?;
            Ok(go_to_campaign(&state.settings, &org, c, "?saved=1"))
        }
        .await;
        cx.settle(result).await
    }
    .await;
    finish_form(result, echo).await
}

/// Closes (`state=closed`) or reopens (`state=open`) a campaign.
#[server(endpoint = "campaigns/set_state")]
pub async fn set_campaign_state(
    org: OrgLogin,
    number: CampaignNumber,
    state: crate::domain::campaign::WantedState,
) -> Result<CampaignView, AppError> {
    use super::context::{signed_in, Ctx};
    use super::flash::{finish_form, FailedForm};
    use crate::github::models::CampaignState;
    use crate::service::{campaign_edits, campaigns::go_to_campaign};
    let echo = FailedForm::new(format!("state:{org}/{number}"), Default::default());
    let result = async move {
        let target = match state {
            crate::domain::campaign::WantedState::Open => CampaignState::Open,
            crate::domain::campaign::WantedState::Closed => CampaignState::Closed,
        };
        let me = signed_in().await?.user.login;
        let cx = Ctx::take().await?;
        let (app, token) = (&cx.state, &cx.token);
        let result = async {
            let c = campaign_edits::set_state(app, token, &me, &org, number, target).await?;
            Ok(go_to_campaign(&app.settings, &org, c, ""))
        }
        .await;
        cx.settle(result).await
    }
    .await;
    finish_form(result, echo).await
}

/// Deletes a campaign; the list then shows a notice naming it.
#[server(endpoint = "campaigns/delete")]
pub async fn delete_campaign(org: OrgLogin, number: CampaignNumber) -> Result<(), AppError> {
    use super::context::{signed_in, Ctx};
    use super::flash::{finish_form, FailedForm};
    let echo = FailedForm::new(format!("delete:{org}/{number}"), Default::default());
    let result = async move {
        let me = signed_in().await?.user.login;
        let cx = Ctx::take().await?;
        let (state, token) = (&cx.state, &cx.token);
        let result = async {
            crate::service::campaign_edits::delete(state, token, &me, &org, number).await?;
            // The notice names the number only: a name in the address would let any link show
            // any text on our page.
            let list = crate::domain::paths::campaigns(&org);
            leptos_axum::redirect(&format!("{list}?deleted={number}"));
            Ok(())
        }
        .await;
        cx.settle(result).await
    }
    .await;
    finish_form(result, echo).await
}
