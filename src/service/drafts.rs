//! Drafts beyond the store: who may use them, a selection that must name existing alerts, the
//! revision a publish must match, and the chosen alerts closed on GitHub since.

use crate::domain::alert_selection::AlertKey;
use crate::domain::campaign::CampaignView;
use crate::domain::campaign_alerts::LiveState;
use crate::domain::campaign_form::NewCampaignForm;
use crate::domain::draft::{
    ClosedAlert, Draft, DraftId, DraftPage, DraftSummary, CLOSED_SINCE_PAGES,
};
use crate::domain::{paths, OrgLogin};
use crate::error::AppError;
use crate::github::models::{AlertListQuery, AlertState as GitHubAlertState};
use crate::service::campaigns::{create_body, create_recorded, draft_published, go_to_campaign};
use crate::service::live_alerts::campaign_alert_states;
use crate::state::AppState;
use crate::store::campaigns::RecordedAlert;
use crate::store::drafts::{Refused, MAX_COMMENTS, MAX_PER_AUTHOR, MAX_PER_ORG};
use secrecy::SecretString;
use std::collections::{HashMap, HashSet};

/// What only the org's owners and security managers may do with its drafts.
pub const DRAFTS: &str = "see and change its drafts";

async fn require(state: &AppState, token: &SecretString, org: &OrgLogin) -> Result<(), AppError> {
    (state.managers)
        .require(&state.github, token, org, DRAFTS)
        .await
}

/// Keeps `form` (already checked by `draft::keepable`) as a draft: over the draft it was
/// opened from, or a new one; then goes to it.
pub async fn save(
    state: &AppState,
    token: &SecretString,
    me: &str,
    org: &OrgLogin,
    opened: Option<DraftId>,
    form: &NewCampaignForm,
) -> Result<DraftId, AppError> {
    require(state, token, org).await?;
    selection_exists(state, token, org, form).await?;
    let drafts = state.store.drafts();
    let id = match opened {
        Some(id) if drafts.update(org, id, form, me).await? => id,
        Some(_) => return Err(AppError::NotFound),
        None => drafts.create(org, form, me).await.map_err(refused)?,
    };
    leptos_axum::redirect(&format!("{}?saved=1", paths::draft(org, id)));
    Ok(id)
}

/// The org's drafts, newest change first.
pub async fn list(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
) -> Result<Vec<DraftSummary>, AppError> {
    require(state, token, org).await?;
    Ok(state.store.drafts().list(org).await?)
}

/// A draft's page: the draft with a page of its comments, and its alerts closed since.
pub async fn page(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
    id: DraftId,
    comments_before: Option<i64>,
) -> Result<DraftPage, AppError> {
    let draft = draft_of(state, token, org, id, comments_before).await?;
    let (closed, closed_budget_spent, closed_synced_at) =
        match closed_in_index(state, token, org, &draft).await {
            Some((closed, at)) => (closed, false, Some(at)),
            None => {
                let (closed, spent) = closed_since(state, token, org, &draft).await;
                (closed, spent, None)
            }
        };
    Ok(DraftPage {
        draft,
        closed,
        closed_budget_spent,
        closed_synced_at,
    })
}

/// Adds `body` (checked by `draft::comment_body`) to the draft's thread and shows the thread.
pub async fn comment(
    state: &AppState,
    token: &SecretString,
    me: &str,
    org: &OrgLogin,
    id: DraftId,
    body: &str,
) -> Result<(), AppError> {
    require(state, token, org).await?;
    (state.store.drafts().comment(org, id, me, body).await).map_err(refused)?;
    leptos_axum::redirect(&format!("{}#comments", paths::draft(org, id)));
    Ok(())
}

/// Creates the campaign of draft `id` at `revision`, held so that one publish runs at a time,
/// then removes the draft; a failed create lets the draft go again.
pub async fn publish(
    state: &AppState,
    token: &SecretString,
    me: &str,
    org: &OrgLogin,
    id: DraftId,
    revision: i64,
) -> Result<CampaignView, AppError> {
    let draft = draft_of(state, token, org, id, None).await?;
    same_revision(&draft, revision)?;
    let body = create_body(&draft.form)?;
    let drafts = state.store.drafts();
    if !drafts.hold(org, id, revision).await? {
        // Changed between the read above and the hold, or held by another publish.
        let now = draft_of(state, token, org, id, None).await?;
        same_revision(&now, revision)?;
        return Err(AppError::invalid(
            "publish",
            "Someone is publishing this draft right now. Reload the page in a minute.",
        ));
    }
    match create_recorded(state, token, org, me, &body).await {
        Ok(c) => {
            draft_published(state, org, id).await;
            Ok(go_to_campaign(&state.settings, org, c, "?created=1"))
        }
        Err(e) => {
            if let Err(e) = drafts.release(org, id).await {
                tracing::warn!(error = %e, "could not release a draft after a failed publish");
            }
            Err(e)
        }
    }
}

/// Removes a draft without publishing it, and goes to the list, which says so.
pub async fn discard(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
    id: DraftId,
) -> Result<(), AppError> {
    require(state, token, org).await?;
    if !state.store.drafts().remove(org, id).await? {
        return Err(AppError::NotFound);
    }
    leptos_axum::redirect(&format!("{}?discarded={id}", paths::campaigns(org)));
    Ok(())
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
        Refused::Store(e) => AppError::from(e),
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
    require(state, token, org).await?;
    let found = state.store.drafts().get(org, id, comments_before).await;
    found?.ok_or(AppError::NotFound)
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
    let name_of: HashMap<i64, String> = repos.into_iter().map(|r| (r.id, r.full_name)).collect();
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
    let (alerts, unreadable, _) = campaign_alert_states(state, token, org, &recorded).await?;
    if !unreadable.is_empty() {
        return Err(AppError::GitHubUnavailable);
    }
    let unknown: Vec<String> = elsewhere
        .iter()
        .map(|k| format!("repository {}#{}", k.repo_id, k.number))
        .chain(
            alerts
                .iter()
                .filter(|a| a.state == LiveState::Unknown)
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

/// The draft's alerts closed now, from the org's alert index once it is ready (every chosen alert
/// looked up, no page budget), with the time the index last matched GitHub; `None` when the index
/// is not ready (GitHub's pages are read then). `Some((None, _))`: the store could not be read.
async fn closed_in_index(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
    draft: &Draft,
) -> Option<(Option<Vec<ClosedAlert>>, chrono::DateTime<chrono::Utc>)> {
    let at = crate::service::alert_index::ready(state, token, org)
        .await
        .ok()??;
    let keys: Vec<(i64, i64)> = keys_of(&draft.form)
        .iter()
        .map(|k| (k.repo_id, k.number))
        .collect();
    let found = state.store.alert_index().alerts(org, &keys).await.ok();
    let closed = found.map(|found| {
        let mut closed: Vec<ClosedAlert> = found
            .into_iter()
            .filter(|a| matches!(a.state, LiveState::Fixed | LiveState::Dismissed))
            .map(|a| ClosedAlert {
                repository: format!("{org}/{}", a.row.repo),
                number: a.row.number,
                state: a.state.as_str().into(),
                html_url: a.row.html_url,
            })
            .collect();
        closed.sort_by(|a, b| (&a.repository, a.number).cmp(&(&b.repository, b.number)));
        closed
    });
    Some((closed, at))
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
