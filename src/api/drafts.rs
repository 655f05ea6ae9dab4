//! Draft server functions: save (new or over an opened draft), list, read with what changed on
//! GitHub since, comment, publish and discard. Each checks the session, then asks GitHub whether
//! the user is a member of the org (a draft's link proves nothing), then works on the store.

use crate::domain::campaign::CampaignView;
use crate::domain::campaign_form::NewCampaignForm;
use crate::domain::draft::{DraftId, DraftPage, DraftSummary};
use crate::domain::OrgLogin;
use crate::error::AppError;
use leptos::prelude::*;

/// What only the org's owners and security managers may do with its drafts.
#[cfg(feature = "ssr")]
const DRAFTS: &str = "see and change its drafts";

/// Keeps the create form as a draft: a new one, or over the draft it was opened from. Needs a
/// name; nothing else is checked until it is published. Drafts are capped per org and per person
/// (`store::drafts`).
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
            super::context::require_manager(&state, &token, &org, DRAFTS).await?;
            ssr::selection_exists(&state, &token, &org, &form).await?;
            let drafts = state.store.drafts();
            let id = match opened {
                Some(id) => {
                    let found = drafts.update(org.as_str(), id, &form, &me).await;
                    if !found.map_err(ssr::unavailable)? {
                        return Err(AppError::NotFound);
                    }
                    id
                }
                None => (drafts.create(org.as_str(), &form, &me).await).map_err(ssr::refused)?,
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
            super::context::require_manager(&state, &token, &org, DRAFTS).await?;
            (state.store.drafts().list(org.as_str()).await).map_err(ssr::unavailable)
        })
        .await,
    )
}

/// One draft with a page of its comments (the newest, or those before `comments_before`), and
/// the alerts of its selection closed on GitHub since.
#[server(endpoint = "drafts/get")]
pub async fn load_draft(
    org: OrgLogin,
    id: DraftId,
    comments_before: Option<i64>,
) -> Result<DraftPage, AppError> {
    use super::context::{finish, with_github};
    finish(
        with_github(|state, token| async move {
            let draft = ssr::draft_of(&state, &token, &org, id, comments_before).await?;
            let (closed, closed_budget_spent) =
                ssr::closed_since(&state, &token, &org, &draft).await;
            Ok(DraftPage {
                draft,
                closed,
                closed_budget_spent,
            })
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
            super::context::require_manager(&state, &token, &org, DRAFTS).await?;
            let added = state
                .store
                .drafts()
                .comment(org.as_str(), id, &me, &body)
                .await;
            added.map_err(ssr::refused)?;
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
    use super::context::{signed_in, with_github};
    use super::flash::{finish_form, FailedForm};
    let echo = FailedForm::new(format!("draft:{org}/{id}"), Default::default());
    let result = async move {
        let me = signed_in().await?.user.login;
        with_github(|state, token| async move {
            let draft = ssr::draft_of(&state, &token, &org, id, None).await?;
            ssr::same_revision(&draft, revision)?;
            let body = super::campaigns::ssr::create_body(&draft.form)?;
            let drafts = state.store.drafts();
            if !(drafts.hold(org.as_str(), id, revision).await).map_err(ssr::unavailable)? {
                // Changed between the read above and the hold, or held by another publish.
                let now = ssr::draft_of(&state, &token, &org, id, None).await?;
                ssr::same_revision(&now, revision)?;
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
        super::context::require_manager(&state, &token, &org, DRAFTS).await?;
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
    use crate::api::campaign_alerts::ssr::live_alerts;
    use crate::domain::alert_selection::AlertKey;
    use crate::domain::campaign_form::NewCampaignForm;
    use crate::domain::draft::{ClosedAlert, Draft, DraftId, CLOSED_SINCE_PAGES};
    use crate::domain::OrgLogin;
    use crate::error::AppError;
    use crate::github::models::{AlertListQuery, AlertState as GitHubAlertState};
    use crate::state::AppState;
    use crate::store::campaigns::RecordedAlert;
    use crate::store::drafts::{Refused, MAX_COMMENTS, MAX_PER_AUTHOR, MAX_PER_ORG};
    use secrecy::SecretString;
    use std::collections::{HashMap, HashSet};

    pub fn unavailable(err: sqlx::Error) -> AppError {
        tracing::error!(error = %err, "could not read or write drafts");
        AppError::StoreUnavailable
    }

    /// A draft or comment the store did not keep, in words next to the field it concerns.
    pub fn refused(r: Refused) -> AppError {
        match r {
            Refused::TooManyDrafts { mine: true } => AppError::invalid(
                "name",
                format!("You keep {MAX_PER_AUTHOR} drafts in this org already, as many as one person may: publish or discard one first."),
            ),
            Refused::TooManyDrafts { mine: false } => AppError::invalid(
                "name",
                format!("This org keeps {MAX_PER_ORG} drafts already, as many as it may: publish or discard one first."),
            ),
            Refused::TooManyComments => AppError::invalid(
                "body",
                format!("This draft has {MAX_COMMENTS} comments, as many as one draft keeps."),
            ),
            Refused::NotFound => AppError::NotFound,
            Refused::Store(e) => unavailable(e),
        }
    }

    /// Refuses to publish a draft changed since the page that posts `revision` was read.
    pub fn same_revision(draft: &Draft, revision: i64) -> Result<(), AppError> {
        if draft.revision == revision {
            return Ok(());
        }
        Err(AppError::invalid(
            "publish",
            format!(
                "{} changed this draft at {} UTC, after you opened it. Read it again, then publish.",
                draft.updated_by,
                draft.updated_at.format("%Y-%m-%d %H:%M:%S")
            ),
        ))
    }

    /// The org's draft `id`, for an owner or security manager, with a page of its comments.
    pub async fn draft_of(
        state: &AppState,
        token: &SecretString,
        org: &OrgLogin,
        id: DraftId,
        comments_before: Option<i64>,
    ) -> Result<Draft, AppError> {
        crate::api::context::require_manager(state, token, org, super::DRAFTS).await?;
        let found = state
            .store
            .drafts()
            .get(org.as_str(), id, comments_before)
            .await;
        found.map_err(unavailable)?.ok_or(AppError::NotFound)
    }

    /// The keys of a draft's selection.
    fn keys_of(form: &NewCampaignForm) -> Vec<AlertKey> {
        form.alerts
            .split_whitespace()
            .filter_map(AlertKey::decode)
            .collect()
    }

    /// Refuses a selection naming an alert the org does not have, the first few named: checked
    /// once, at save (each repository of the selection read up to its largest alert number), so
    /// that a draft holds only alerts that exist.
    pub async fn selection_exists(
        state: &AppState,
        token: &SecretString,
        org: &OrgLogin,
        form: &NewCampaignForm,
    ) -> Result<(), AppError> {
        let keys = keys_of(form);
        if keys.is_empty() {
            return Ok(());
        }
        let mut ids: Vec<i64> = keys.iter().map(|k| k.repo_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let repos = state.github.find_org_repos(token, org, &ids).await?;
        let name_of: HashMap<i64, String> =
            repos.into_iter().map(|r| (r.id, r.full_name)).collect();
        let (found, elsewhere): (Vec<&AlertKey>, Vec<&AlertKey>) =
            keys.iter().partition(|k| name_of.contains_key(&k.repo_id));
        let recorded: Vec<RecordedAlert> = found
            .iter()
            .map(|k| RecordedAlert {
                repository_id: k.repo_id,
                repository: name_of[&k.repo_id].clone(),
                number: k.number,
            })
            .collect();
        let (alerts, unreadable) = live_alerts(&state.github, token, org, &recorded).await;
        if !unreadable.is_empty() {
            return Err(AppError::GitHubUnavailable);
        }
        let unknown: Vec<String> = elsewhere
            .iter()
            .map(|k| format!("repository {}#{}", k.repo_id, k.number))
            .chain(
                alerts
                    .iter()
                    .filter(|a| a.state == "unknown")
                    .map(|a| format!("{}#{}", a.repository, a.number)),
            )
            .collect();
        if unknown.is_empty() {
            return Ok(());
        }
        let named = unknown
            .iter()
            .take(3)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        Err(AppError::invalid(
            "alerts",
            format!(
                "{} of the chosen alerts are not alerts of {org}'s repositories ({named}). Choose them again in the list.",
                unknown.len()
            ),
        ))
    }

    /// The draft's alerts closed on GitHub since it was saved, read from the org's closed
    /// alerts, most recently changed first, back to a day before the draft was saved: one
    /// request per hundred alerts closed in the org since, whatever the selection spans, and
    /// [`CLOSED_SINCE_PAGES`] at most. `None` when GitHub could not tell; `true` beside it when
    /// the budget ran out before the draft's save (the newest were compared).
    pub async fn closed_since(
        state: &AppState,
        token: &SecretString,
        org: &OrgLogin,
        draft: &Draft,
    ) -> (Option<Vec<ClosedAlert>>, bool) {
        let keys = keys_of(&draft.form);
        if keys.is_empty() {
            return (Some(Vec::new()), false);
        }
        let wanted: HashSet<(i64, i64)> = keys.iter().map(|k| (k.repo_id, k.number)).collect();
        // The alerts were picked before the draft was first saved; a day's margin covers that.
        let since = draft.created_at - chrono::Duration::days(1);
        let query = AlertListQuery {
            state: Some("closed".into()),
            sort: Some("updated".into()),
            direction: Some("desc".into()),
            ..Default::default()
        };
        let mut closed = Vec::new();
        for page in 1..=CLOSED_SINCE_PAGES {
            let read = state
                .github
                .list_org_alerts_page(token, org, &query, page)
                .await;
            let Ok(read) = read else {
                return (None, false);
            };
            let reached = read
                .items
                .last()
                .is_none_or(|a| a.updated_at.unwrap_or(a.created_at) < since);
            let last_page = read.links.next.is_none();
            closed.extend(
                read.items
                    .into_iter()
                    .filter(|a| wanted.contains(&(a.repository.id, a.number)))
                    .map(|a| ClosedAlert {
                        repository: a.repository.full_name,
                        number: a.number,
                        state: match a.state {
                            Some(GitHubAlertState::Dismissed) => "dismissed",
                            _ => "fixed",
                        }
                        .into(),
                        html_url: crate::domain::campaign_fields::web_url_or_empty(a.html_url),
                    }),
            );
            if reached || last_page {
                return (Some(closed), false);
            }
        }
        (Some(closed), true)
    }
}
