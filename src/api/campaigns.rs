//! Campaign server functions: list, read, create, edit, close/reopen, delete. Each takes typed
//! arguments (a malformed organisation or number never reaches a body), checks the session, parses
//! the form with the shared domain types and then calls GitHub from its `*_inner` function.

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
    use super::context::{finish, with_github};
    use crate::auth::access::not_found_as_role;
    finish(
        with_github(|state, token| async move {
            let (items, pages) = match ssr::list_inner(&state.github, &token, &org, view).await {
                Ok(listed) => listed,
                Err(e) => return Err(not_found_as_role(&state.github, &token, e, &org, SEE).await),
            };
            state.managers.seen_managing(&token, &org).await;
            let campaigns = super::campaign_alerts::ssr::viewed(&state, &org, items);
            Ok(CampaignPage { campaigns, pages })
        })
        .await,
    )
}

#[server(endpoint = "campaigns/get")]
pub async fn get_campaign(org: OrgLogin, number: CampaignNumber) -> Result<CampaignView, AppError> {
    use super::context::{finish, with_github};
    finish(
        with_github(|state, token| async move {
            let c = state.github.get_campaign(&token, &org, number).await?;
            Ok(super::views::view_of(&state.settings, &org, c))
        })
        .await,
    )
}

/// Who the manager fields offer: the organisation's owners and the signed-in user (GitHub takes
/// only owners and security managers), and its teams.
#[server(endpoint = "campaigns/manager_choices")]
pub async fn load_manager_choices(org: OrgLogin) -> Result<ManagerChoices, AppError> {
    use super::context::{finish, signed_in, with_github};
    finish(
        async move {
            let me = signed_in().await?.user;
            with_github(|state, token| async move {
                ssr::manager_choices_inner(&state.github, &token, &org, me).await
            })
            .await
        }
        .await,
    )
}

/// The create form's context: the manager choices, and how many campaigns are open (GitHub
/// allows ten).
#[server(endpoint = "campaigns/new_context")]
pub async fn new_campaign_context(org: OrgLogin) -> Result<CreateFormContext, AppError> {
    use super::context::{finish, signed_in, with_github};
    finish(
        async move {
            let me = signed_in().await?.user;
            with_github(|state, token| async move {
                let (choices, open_campaigns) = tokio::join!(
                    ssr::manager_choices_inner(&state.github, &token, &org, me),
                    ssr::open_campaigns(&state.github, &token, &org),
                );
                Ok(CreateFormContext {
                    choices: choices?,
                    open_campaigns: open_campaigns?,
                })
            })
            .await
        }
        .await,
    )
}

/// Creates a campaign from the form and the chosen alerts. Never retried: a second POST could
/// create a second campaign.
#[server(endpoint = "campaigns/create")]
pub async fn create_campaign(
    org: OrgLogin,
    #[server(flatten)] form: NewCampaignForm,
) -> Result<CampaignView, AppError> {
    use super::context::{signed_in, with_github};
    use super::flash::{finish_form, FailedForm};
    let echo = FailedForm {
        generate_issues: form.generate_issues(),
        alerts: form.chosen_alerts(),
        ..FailedForm::new(format!("create:{org}"), form.fields.clone())
    };
    let result = async move {
        let body = ssr::create_body(&form)?;
        let me = signed_in().await?.user.login;
        with_github(|state, token| async move {
            let c = ssr::create_recorded(&state, &token, &org, &me, &body).await?;
            // Made from a draft (opened in this form): the draft has become this campaign.
            if let Some(id) = form.draft() {
                ssr::draft_published(&state, &org, id).await;
            }
            Ok(ssr::go_to_campaign(&state.settings, &org, c, "?created=1"))
        })
        .await
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
    use super::context::with_github;
    use super::flash::{finish_form, FailedForm};
    use crate::domain::campaign_form::fields_need_attention;
    let echo = FailedForm::new(format!("edit:{org}/{number}"), form.fields.clone());
    let result = async move {
        let draft = (form.fields)
            .parse(form.loaded_ends_at(), chrono::Utc::now())
            .map_err(fields_need_attention)?;
        with_github(|state, token| async move {
            let c = ssr::update_inner(&state, &token, &org, number, &form, draft).await?;
            Ok(ssr::go_to_campaign(&state.settings, &org, c, "?saved=1"))
        })
        .await
    }
    .await;
    finish_form(result, echo).await
}

/// Closes (`state=closed`) or reopens (`state=open`) a campaign.
#[server(endpoint = "campaigns/set_state")]
pub async fn set_campaign_state(
    org: OrgLogin,
    number: CampaignNumber,
    state: String,
) -> Result<CampaignView, AppError> {
    use super::audit::ssr::{record, Change};
    use super::context::with_github;
    use super::flash::{finish_form, FailedForm};
    use crate::domain::audit::{AuditAction, FieldChange};
    use crate::github::models::{CampaignState, UpdateCampaignBody};
    let echo = FailedForm::new(format!("state:{org}/{number}"), Default::default());
    let result = async move {
        let target = match state.as_str() {
            "open" => CampaignState::Open,
            "closed" => CampaignState::Closed,
            _ => return Err(AppError::invalid("state", "Choose open or closed.")),
        };
        let (action, before) = match target {
            CampaignState::Open => (AuditAction::Reopen, CampaignState::Closed),
            _ => (AuditAction::Close, CampaignState::Open),
        };
        with_github(|app, token| async move {
            let body = UpdateCampaignBody::set_state(target);
            let result = app
                .github
                .update_campaign(&token, &org, number, &body)
                .await;
            let change = Change {
                org: &org,
                campaign: Some(number),
                campaign_name: result
                    .as_ref()
                    .ok()
                    .and_then(|c| c.name.clone())
                    .unwrap_or_default(),
                action,
                changes: vec![FieldChange {
                    field: "state".into(),
                    before: before.as_str().into(),
                    after: target.as_str().into(),
                }],
            };
            record(&app, change, &result).await;
            Ok(ssr::go_to_campaign(&app.settings, &org, result?, ""))
        })
        .await
    }
    .await;
    finish_form(result, echo).await
}

/// Deletes a campaign; the list then shows a notice naming it.
#[server(endpoint = "campaigns/delete")]
pub async fn delete_campaign(org: OrgLogin, number: CampaignNumber) -> Result<(), AppError> {
    use super::audit::ssr::{record, Change};
    use super::context::with_github;
    use super::flash::{finish_form, FailedForm};
    use crate::domain::audit::AuditAction;
    let echo = FailedForm::new(format!("delete:{org}/{number}"), Default::default());
    let result = with_github(|state, token| async move {
        // Its name, for the audit log: a deleted campaign cannot be read afterwards.
        let current = state.github.get_campaign(&token, &org, number).await?;
        let result = state.github.delete_campaign(&token, &org, number).await;
        let change = Change {
            org: &org,
            campaign: Some(number),
            campaign_name: current.name.unwrap_or_default(),
            action: AuditAction::Delete,
            changes: Vec::new(),
        };
        record(&state, change, &result).await;
        result?;
        // The notice names the number only: a name in the address would let any link show any
        // text on our page.
        let list = crate::domain::paths::campaigns(&org);
        leptos_axum::redirect(&format!("{list}?deleted={number}"));
        Ok(())
    })
    .await;
    finish_form(result, echo).await
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use super::super::audit::ssr::{record, Change};
    use super::super::views::{person, view_of};
    use crate::domain::alert_selection::AlertSelection;
    use crate::domain::audit::AuditAction;
    use crate::domain::campaign::{CampaignView, ManagerChoices, PageNumbers, Person, TeamRef};
    use crate::domain::campaign_form::{
        fields_need_attention, CampaignDraft, EditCampaignForm, NewCampaignForm,
    };
    use crate::domain::list_view::{Choice, ListView, StateFilter};
    use crate::domain::user::CurrentUser;
    use crate::domain::{paths, CampaignNumber, OrgLogin};
    use crate::error::{AppError, FieldError};
    use crate::github::models::{
        CampaignListQuery, CampaignState, CampaignSummary, CreateCampaignBody, UpdateCampaignBody,
    };
    use crate::github::GitHubClient;
    use crate::settings::Settings;
    use crate::state::AppState;
    use chrono::Utc;
    use futures_util::StreamExt;
    use secrecy::SecretString;

    /// Sends the browser to the campaign's page (`query` added; a plain form post follows it),
    /// answering with the campaign as GitHub now has it.
    pub fn go_to_campaign(
        settings: &Settings,
        org: &OrgLogin,
        c: CampaignSummary,
        query: &str,
    ) -> CampaignView {
        leptos_axum::redirect(&format!("{}{query}", paths::campaign(org, c.number)));
        view_of(settings, org, c)
    }

    pub async fn list_inner(
        github: &GitHubClient,
        token: &SecretString,
        org: &OrgLogin,
        view: ListView,
    ) -> Result<(Vec<CampaignSummary>, PageNumbers), AppError> {
        let query = CampaignListQuery {
            state: match view.state {
                StateFilter::Open => Some(CampaignState::Open),
                StateFilter::Closed => Some(CampaignState::Closed),
                StateFilter::All => None,
            },
            sort: Some(view.sort.value().to_owned()),
            direction: Some(view.direction.value().to_owned()),
            page: Some(view.page),
            per_page: Some(view.per_page.get()),
        };
        let page = github.list_campaigns(token, org, &query).await?;
        let items = with_stats(github, token, org, page.items).await;
        let l = page.links;
        Ok((
            items,
            PageNumbers {
                first: l.first,
                prev: l.prev,
                next: l.next,
                last: l.last,
            },
        ))
    }

    /// List items with their alert counts. GitHub's list may leave `alert_stats` out (its
    /// example does); those items are read one by one, eight at a time, and one that cannot be
    /// read keeps no counts rather than failing the list.
    async fn with_stats(
        github: &GitHubClient,
        token: &SecretString,
        org: &OrgLogin,
        items: Vec<CampaignSummary>,
    ) -> Vec<CampaignSummary> {
        futures_util::stream::iter(items)
            .map(|c| async move {
                if c.alert_stats.is_some() {
                    return c;
                }
                match github.get_campaign(token, org, c.number).await {
                    Ok(full) if full.alert_stats.is_some() => full,
                    _ => c,
                }
            })
            .buffered(8)
            .collect()
            .await
    }

    pub async fn manager_choices_inner(
        github: &GitHubClient,
        token: &SecretString,
        org: &OrgLogin,
        me: CurrentUser,
    ) -> Result<ManagerChoices, AppError> {
        let (owners, teams) = tokio::join!(
            github.list_org_owners(token, org, 1_000),
            github.list_teams(token, org, 1_000)
        );
        let mut managers: Vec<Person> = owners?.into_iter().map(person).collect();
        if !managers.iter().any(|p| p.login == me.login) {
            managers.push(Person {
                login: me.login,
                avatar_url: me.avatar_url,
            });
        }
        managers.sort_by_key(|p| p.login.to_ascii_lowercase());
        let teams = teams?
            .into_iter()
            .map(|t| TeamRef {
                slug: t.slug,
                name: t.name,
            })
            .collect();
        Ok(ManagerChoices { managers, teams })
    }

    /// The org's open campaigns, in one list call (GitHub allows ten open), as listed: an item
    /// without counts stays so.
    pub async fn list_open(
        github: &GitHubClient,
        token: &SecretString,
        org: &OrgLogin,
    ) -> Result<Vec<CampaignSummary>, AppError> {
        let q = CampaignListQuery {
            state: Some(CampaignState::Open),
            per_page: Some(100),
            ..Default::default()
        };
        Ok(github.list_campaigns(token, org, &q).await?.items)
    }

    pub async fn open_campaigns(
        github: &GitHubClient,
        token: &SecretString,
        org: &OrgLogin,
    ) -> Result<usize, AppError> {
        Ok(list_open(github, token, org).await?.len())
    }

    /// The create request for a posted form: every field and the selection checked, every
    /// problem named with its field.
    pub fn create_body(form: &NewCampaignForm) -> Result<CreateCampaignBody, AppError> {
        let draft = form.fields.parse(None, Utc::now());
        // `alerts` comes from the JavaScript picker, `picked` from the server-rendered list.
        let selection = AlertSelection::parse(&form.chosen_alerts().join(" "));
        match (draft, selection) {
            (Ok(draft), Ok(selection)) => Ok(CreateCampaignBody::new(
                draft,
                &selection,
                form.generate_issues(),
            )),
            (draft, selection) => {
                let mut errors = draft.err().unwrap_or_default();
                errors.extend(selection.err().map(|message| FieldError {
                    field: Some("alerts".into()),
                    message,
                }));
                Err(fields_need_attention(errors))
            }
        }
    }

    /// Creates the campaign of `body` as `me`, with its alert set recorded first and an audit
    /// entry after: a create whose answer was lost before lands on the campaign it made.
    pub async fn create_recorded(
        state: &AppState,
        token: &SecretString,
        org: &OrgLogin,
        me: &str,
        body: &CreateCampaignBody,
    ) -> Result<CampaignSummary, AppError> {
        use super::super::campaign_alerts::ssr::{begin_record, finish_record, landed_already};
        // The alert set is kept before GitHub is asked: only for someone who may create here.
        crate::api::context::require_manager(state, token, org, "create its campaigns").await?;
        if let Some(c) = landed_already(state, token, org, &body.name).await? {
            return Ok(c);
        }
        // The alert set is recorded first: GitHub never has a campaign we have no record of.
        let alerts = &body.code_scanning_alerts;
        let kept = begin_record(state, token, org, &body.name, me, alerts).await?;
        let result = create_inner(&state.github, token, org, body).await;
        let number = result.as_ref().ok().map(|c| c.number.get());
        finish_record(state, kept, &result, number).await;
        let change = Change {
            org,
            campaign: result.as_ref().ok().map(|c| c.number),
            campaign_name: body.name.clone(),
            action: AuditAction::Create,
            changes: body.field_changes(),
        };
        record(state, change, &result).await;
        result
    }

    /// Removes a draft that became a campaign; a failure leaves it listed, and is logged.
    pub async fn draft_published(
        state: &AppState,
        org: &OrgLogin,
        id: crate::domain::draft::DraftId,
    ) {
        if let Err(e) = state.store.drafts().remove(org.as_str(), id).await {
            tracing::warn!(error = %e, draft = id.get(), "could not remove a published draft");
        }
    }

    pub async fn create_inner(
        github: &GitHubClient,
        token: &SecretString,
        org: &OrgLogin,
        body: &CreateCampaignBody,
    ) -> Result<CampaignSummary, AppError> {
        github
            .create_campaign(token, org, body)
            .await
            .map_err(alerts_field)
    }

    /// GitHub names the selection `code_scanning_alerts`; the form calls it `alerts`.
    fn alerts_field(err: AppError) -> AppError {
        match err {
            AppError::Invalid {
                message,
                mut errors,
            } => {
                for e in &mut errors {
                    if e.field.as_deref() == Some("code_scanning_alerts") {
                        e.field = Some("alerts".into());
                    }
                }
                AppError::Invalid { message, errors }
            }
            other => other,
        }
    }

    /// Saves `draft` unless GitHub's copy changed since the form was opened (and the form does
    /// not say to overwrite); sends only the fields that differ, and nothing when none does.
    pub async fn update_inner(
        state: &AppState,
        token: &SecretString,
        org: &OrgLogin,
        number: CampaignNumber,
        form: &EditCampaignForm,
        draft: CampaignDraft,
    ) -> Result<CampaignSummary, AppError> {
        let github = &state.github;
        let current = github.get_campaign(token, org, number).await?;
        if !form.overwrite() && form.loaded_updated_at() != Some(current.updated_at) {
            return Err(AppError::invalid(
                "conflict",
                format!(
                    "Someone changed this campaign on GitHub at {} UTC, after you opened this form. Check the current version, then tick “Overwrite” to save yours anyway.",
                    current.updated_at.format("%Y-%m-%d %H:%M")
                ),
            ));
        }
        let body = UpdateCampaignBody::changes(&current, draft, Utc::now())
            .map_err(|e| fields_need_attention(vec![e]))?;
        if body == UpdateCampaignBody::default() {
            return Ok(current);
        }
        let result = github.update_campaign(token, org, number, &body).await;
        let change = Change {
            org,
            campaign: Some(number),
            campaign_name: current.name.clone().unwrap_or_default(),
            action: AuditAction::Edit,
            changes: body.field_changes(&current),
        };
        record(state, change, &result).await;
        result
    }
}
