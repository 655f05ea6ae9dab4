//! Campaigns as GitHub keeps them: the list with its counts, who may manage, how many are open,
//! and the create protocol (role checked, alert set recorded, campaign created, bound, audited).

use crate::auth::access::not_found_as_role;
use crate::domain::alert_selection::AlertSelection;
use crate::domain::audit::AuditAction;
use crate::domain::campaign::{
    CampaignPage, CampaignView, CreateFormContext, ListedCampaign, ManagerChoices, PageNumbers,
    Person, TeamRef,
};
use crate::domain::campaign_alerts::CampaignDetail;
use crate::domain::campaign_form::{fields_need_attention, NewCampaignForm};
use crate::domain::list_view::{Choice, ListView, StateFilter};
use crate::domain::user::CurrentUser;
use crate::domain::{paths, CampaignNumber, OrgLogin};
use crate::error::{AppError, FieldError};
use crate::github::models::{
    CampaignListQuery, CampaignState, CampaignSummary, CreateCampaignBody,
};
use crate::github::GitHubClient;
use crate::service::audit::{record, Change};
use crate::service::views::{person, view_of};
use crate::settings::Settings;
use crate::state::AppState;
use chrono::Utc;
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

/// What a campaign list needs, said when GitHub answers 404 (which it does for a member without
/// the role as for a stranger).
pub const SEE: &str = "see its security campaigns";

/// A page of the org's campaigns, with each one's counts over time. The answer tells the role
/// cache that this token manages the org, so the drafts that follow cost no second question.
pub async fn list(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
    view: ListView,
) -> Result<CampaignPage, AppError> {
    let (items, pages) = match list_page(&state.github, token, org, view).await {
        Ok(listed) => listed,
        Err(e) => return Err(not_found_as_role(&state.github, token, e, org, SEE).await),
    };
    state.managers.seen_managing(token, org).await;
    let campaigns = crate::service::snapshots::viewed(state, org, items);
    Ok(CampaignPage {
        campaigns: campaigns.into_iter().map(ListedCampaign::from).collect(),
        pages,
    })
}

/// One campaign as GitHub has it now.
pub async fn get(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
    number: CampaignNumber,
) -> Result<CampaignView, AppError> {
    let c = state.github.get_campaign(token, org, number).await?;
    Ok(view_of(&state.settings, org, c))
}

/// The detail page: the campaign (its counts kept as a snapshot), whether it was created here,
/// and its counts over time.
pub async fn detail(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
    number: CampaignNumber,
) -> Result<CampaignDetail, AppError> {
    use crate::service::{campaign_records, snapshots};
    let c = state.github.get_campaign(token, org, number).await?;
    // GitHub shows a campaign to its org's owners and security managers only.
    state.managers.seen_managing(token, org).await;
    let campaign = view_of(&state.settings, org, c);
    snapshots::keep_snapshot(state, org, &campaign, None);
    let (record, history) = tokio::join!(
        campaign_records::record_of(state, org, &campaign),
        snapshots::history_of(state, org, &campaign),
    );
    Ok(CampaignDetail {
        record: record?.map(|r| campaign_records::info(&r)),
        history: history?,
        campaign,
    })
}

/// Who the manager fields offer (for an owner or security manager of `org` only).
pub async fn manager_choices(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
    me: CurrentUser,
) -> Result<ManagerChoices, AppError> {
    let what = "choose its campaigns' managers";
    (state.managers)
        .require(&state.github, token, org, what)
        .await?;
    choices_for(&state.github, token, org, me).await
}

/// The create form's context: the manager choices, and how many campaigns are open.
pub async fn new_form_context(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
    me: CurrentUser,
) -> Result<CreateFormContext, AppError> {
    let (choices, open_campaigns) = tokio::join!(
        choices_for(&state.github, token, org, me),
        open_campaigns(&state.github, token, org),
    );
    Ok(CreateFormContext {
        choices: choices?,
        open_campaigns: open_campaigns?,
    })
}

/// Creates the campaign the form describes (its body checked by [`create_body`]) and goes to
/// it; made from a draft opened in the form, the draft has become this campaign.
pub async fn create(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
    me: &str,
    form: &NewCampaignForm,
    body: &CreateCampaignBody,
) -> Result<CampaignView, AppError> {
    let c = create_recorded(state, token, org, me, body).await?;
    if let Some(id) = form.draft() {
        draft_published(state, org, id).await;
    }
    Ok(go_to_campaign(&state.settings, org, c, "?created=1"))
}

/// One page of the org's campaigns as GitHub lists it, each with its counts (read from GitHub
/// when its list left them out).
pub async fn list_page(
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
    let page = github.list_campaigns_with_stats(token, org, &query).await?;
    let items = page.items;
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

async fn choices_for(
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
    Ok(github
        .list_campaigns(token, org, &open_query())
        .await?
        .items)
}

/// The org's open campaigns, each with its counts (read one by one where the list has none).
pub async fn list_open_with_counts(
    github: &GitHubClient,
    token: &SecretString,
    org: &OrgLogin,
) -> Result<Vec<CampaignSummary>, AppError> {
    let query = open_query();
    Ok(github
        .list_campaigns_with_stats(token, org, &query)
        .await?
        .items)
}

/// Every open campaign on one page.
fn open_query() -> CampaignListQuery {
    CampaignListQuery {
        state: Some(CampaignState::Open),
        per_page: Some(100),
        ..Default::default()
    }
}

async fn open_campaigns(
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
    use crate::service::campaign_records::{begin_record, finish_record, landed_already};
    // The alert set is kept before GitHub is asked: only for someone who may create here.
    (state.managers)
        .require(&state.github, token, org, "create its campaigns")
        .await?;
    if let Some(c) = landed_already(state, token, org, &body.name).await? {
        return Ok(c);
    }
    // The alert set is recorded first: GitHub never has a campaign we have no record of.
    let alerts = &body.code_scanning_alerts;
    let kept = begin_record(state, token, org, &body.name, me, alerts).await?;
    let result = create_on_github(&state.github, token, org, body).await;
    let number = result.as_ref().ok().map(|c| c.number);
    finish_record(state, kept, &result, number).await;
    let change = Change {
        actor: me,
        org,
        campaign: result.as_ref().ok().map(|c| c.number),
        campaign_name: body.name.clone(),
        action: AuditAction::Create,
        changes: crate::service::audit::created(body),
    };
    record(state, change, &result).await;
    result
}

/// Removes a draft that became a campaign; a failure leaves it listed, and is logged.
pub async fn draft_published(state: &AppState, org: &OrgLogin, id: crate::domain::draft::DraftId) {
    if let Err(e) = state.store.drafts().remove(org, id).await {
        tracing::warn!(error = %e, draft = id.get(), "could not remove a published draft");
    }
}

async fn create_on_github(
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
