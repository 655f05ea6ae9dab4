//! Draft server functions: save (new or over an opened draft), list, read with what changed on
//! GitHub since, comment, publish and discard. Each checks the session, then asks GitHub whether
//! the user is a member of the org (a draft's link proves nothing), then works on the store.

use crate::domain::campaign::CampaignView;
use crate::domain::campaign_form::NewCampaignForm;
use crate::domain::draft::{DraftId, DraftPage, DraftSummary};
use crate::domain::OrgLogin;
use crate::error::AppError;
use leptos::prelude::*;

/// Keeps the create form as a draft: a new one, or over the draft it was opened from. Needs a
/// name; nothing else is checked until it is published.
/// What only the org's members may do with its drafts.
#[cfg(feature = "ssr")]
const DRAFTS: &str = "see and change its drafts";

#[server(endpoint = "drafts/save")]
pub async fn save_draft(
    org: OrgLogin,
    #[server(flatten)] form: NewCampaignForm,
) -> Result<DraftId, AppError> {
    use super::context::{signed_in, with_github};
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
        with_github(|state, token| async move {
            super::context::member_of(&state.github, &token, &org, DRAFTS).await?;
            let drafts = state.store.drafts();
            let id = match opened {
                Some(id) => {
                    let found = drafts.update(org.as_str(), id, &form, &me).await;
                    if !found.map_err(ssr::unavailable)? {
                        return Err(AppError::NotFound);
                    }
                    id
                }
                None => {
                    (drafts.create(org.as_str(), &form, &me).await).map_err(ssr::unavailable)?
                }
            };
            leptos_axum::redirect(&format!(
                "{}?saved=1",
                crate::domain::paths::draft(&org, id)
            ));
            Ok(id)
        })
        .await
    }
    .await;
    finish_form(result, echo).await
}

/// The org's drafts, newest change first.
#[server(endpoint = "drafts/list")]
pub async fn list_drafts(org: OrgLogin) -> Result<Vec<DraftSummary>, AppError> {
    use super::context::{finish, with_github};
    finish(
        with_github(|state, token| async move {
            super::context::member_of(&state.github, &token, &org, DRAFTS).await?;
            (state.store.drafts().list(org.as_str()).await).map_err(ssr::unavailable)
        })
        .await,
    )
}

/// One draft with its comments, and the alerts of its selection closed on GitHub since.
#[server(endpoint = "drafts/get")]
pub async fn load_draft(org: OrgLogin, id: DraftId) -> Result<DraftPage, AppError> {
    use super::context::{finish, with_github};
    finish(
        with_github(|state, token| async move {
            let draft = ssr::draft_of(&state, &token, &org, id).await?;
            let closed = ssr::closed_since(&state, &token, &org, &draft.form).await;
            Ok(DraftPage { draft, closed })
        })
        .await,
    )
}

/// Adds a plain-text comment to a draft; the page then shows the thread.
#[server(endpoint = "drafts/comment")]
pub async fn comment_on_draft(org: OrgLogin, id: DraftId, body: String) -> Result<(), AppError> {
    use super::context::{signed_in, with_github};
    use super::flash::{finish_form, FailedForm};
    let mut echo = FailedForm::new(format!("draft:{org}/{id}"), Default::default());
    echo.values.description = body.clone();
    let result = async move {
        let body = crate::domain::draft::comment_body(&body)?;
        let me = signed_in().await?.user.login;
        with_github(|state, token| async move {
            super::context::member_of(&state.github, &token, &org, DRAFTS).await?;
            let added = state
                .store
                .drafts()
                .comment(org.as_str(), id, &me, &body)
                .await;
            if !added.map_err(ssr::unavailable)? {
                return Err(AppError::NotFound);
            }
            let page = crate::domain::paths::draft(&org, id);
            leptos_axum::redirect(&format!("{page}#comments"));
            Ok(())
        })
        .await
    }
    .await;
    finish_form(result, echo).await
}

/// Creates the campaign on GitHub from the draft, as the create form does (every field checked
/// first, the alert set and the audit entry recorded), then removes the draft. One publish at a
/// time: a second one meanwhile is refused, so the campaign is made once.
#[server(endpoint = "drafts/publish")]
pub async fn publish_draft(org: OrgLogin, id: DraftId) -> Result<CampaignView, AppError> {
    use super::context::{signed_in, with_github};
    use super::flash::{finish_form, FailedForm};
    let echo = FailedForm::new(format!("draft:{org}/{id}"), Default::default());
    let result = async move {
        let me = signed_in().await?.user.login;
        with_github(|state, token| async move {
            let draft = ssr::draft_of(&state, &token, &org, id).await?;
            let body = super::campaigns::ssr::create_body(&draft.form)?;
            let drafts = state.store.drafts();
            if !drafts.hold(org.as_str(), id).await.map_err(ssr::unavailable)? {
                return Err(AppError::invalid(
                    "publish",
                    "Someone is publishing this draft right now. Reload the page in a minute.",
                ));
            }
            let created =
                super::campaigns::ssr::create_recorded(&state, &token, &org, &me, &body).await;
            match created {
                Ok(c) => {
                    super::campaigns::ssr::draft_published(&state, &org, id).await;
                    Ok(super::campaigns::ssr::go_to_campaign(
                        &state.settings,
                        &org,
                        c,
                        "?created=1",
                    ))
                }
                Err(e) => {
                    if let Err(e) = drafts.release(org.as_str(), id).await {
                        tracing::warn!(error = %e, "could not release a draft after a failed publish");
                    }
                    Err(e)
                }
            }
        })
        .await
    }
    .await;
    finish_form(result, echo).await
}

/// Removes a draft without publishing it.
#[server(endpoint = "drafts/discard")]
pub async fn discard_draft(org: OrgLogin, id: DraftId) -> Result<(), AppError> {
    use super::context::with_github;
    use super::flash::{finish_form, FailedForm};
    let echo = FailedForm::new(format!("draft:{org}/{id}"), Default::default());
    let result = with_github(|state, token| async move {
        super::context::member_of(&state.github, &token, &org, DRAFTS).await?;
        let removed = state.store.drafts().remove(org.as_str(), id).await;
        if !removed.map_err(ssr::unavailable)? {
            return Err(AppError::NotFound);
        }
        let list = crate::domain::paths::campaigns(&org);
        leptos_axum::redirect(&format!("{list}?discarded={id}"));
        Ok(())
    })
    .await;
    finish_form(result, echo).await
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use crate::domain::campaign_form::NewCampaignForm;
    use crate::domain::draft::{ClosedAlert, Draft, DraftId};
    use crate::domain::OrgLogin;
    use crate::error::AppError;
    use crate::state::AppState;
    use crate::store::campaigns::RecordedAlert;
    use secrecy::SecretString;

    pub fn unavailable(err: sqlx::Error) -> AppError {
        tracing::error!(error = %err, "could not read or write drafts");
        AppError::StoreUnavailable
    }

    /// The org's draft `id`, for a member.
    pub async fn draft_of(
        state: &AppState,
        token: &SecretString,
        org: &OrgLogin,
        id: DraftId,
    ) -> Result<Draft, AppError> {
        crate::api::context::member_of(&state.github, token, org, super::DRAFTS).await?;
        let found = state.store.drafts().get(org.as_str(), id).await;
        found.map_err(unavailable)?.ok_or(AppError::NotFound)
    }

    /// The draft's alerts that are no longer open on GitHub, read repository by repository;
    /// `None` when GitHub could not tell.
    pub async fn closed_since(
        state: &AppState,
        token: &SecretString,
        org: &OrgLogin,
        form: &NewCampaignForm,
    ) -> Option<Vec<ClosedAlert>> {
        use crate::domain::alert_selection::AlertKey;
        use std::collections::HashMap;
        let keys: Vec<AlertKey> = form
            .alerts
            .split_whitespace()
            .filter_map(AlertKey::decode)
            .collect();
        if keys.is_empty() {
            return Some(Vec::new());
        }
        let mut ids: Vec<i64> = keys.iter().map(|k| k.repo_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let repos = state.github.find_org_repos(token, org, &ids).await.ok()?;
        let name_of: HashMap<i64, String> =
            repos.into_iter().map(|r| (r.id, r.full_name)).collect();
        let recorded: Vec<RecordedAlert> = keys
            .iter()
            .filter_map(|k| {
                Some(RecordedAlert {
                    repository_id: k.repo_id,
                    repository: name_of.get(&k.repo_id)?.clone(),
                    number: k.number,
                })
            })
            .collect();
        let (alerts, unreadable) =
            super::super::campaign_alerts::ssr::live_alerts(&state.github, token, org, &recorded)
                .await;
        if !unreadable.is_empty() {
            return None;
        }
        Some(
            alerts
                .into_iter()
                .filter(|a| a.state == "fixed" || a.state == "dismissed")
                .map(|a| ClosedAlert {
                    repository: a.repository,
                    number: a.number,
                    state: a.state,
                    html_url: a.html_url,
                })
                .collect(),
        )
    }
}
