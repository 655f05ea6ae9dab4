//! Changes to a campaign on GitHub, each with its audit entry: an edit (only what changed, unless
//! GitHub's copy moved on since the form was opened), a close or reopen, a delete.

use crate::domain::audit::{AuditAction, FieldChange};
use crate::domain::campaign::{CampaignView, WantedState};
use crate::domain::campaign_form::{fields_need_attention, CampaignDraft, EditCampaignForm};
use crate::domain::{CampaignNumber, OrgLogin};
use crate::error::AppError;
use crate::github::models::{CampaignState, UpdateCampaignBody};
use crate::service::audit::{record, Change};
use crate::service::campaigns::go_to_campaign;
use crate::state::AppState;
use chrono::Utc;
use secrecy::SecretString;

/// Saves `draft` unless GitHub's copy changed since the form was opened (and the form does
/// not say to overwrite); sends only the fields that differ, and nothing when none does.
pub async fn update(
    state: &AppState,
    token: &SecretString,
    actor: &str,
    org: &OrgLogin,
    number: CampaignNumber,
    form: &EditCampaignForm,
    draft: CampaignDraft,
) -> Result<CampaignView, AppError> {
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
        return Ok(go_to_campaign(&state.settings, org, current, "?saved=1"));
    }
    let result = github.update_campaign(token, org, number, &body).await;
    let change = Change {
        actor,
        org,
        campaign: Some(number),
        campaign_name: current.name.clone().unwrap_or_default(),
        action: AuditAction::Edit,
        changes: crate::service::audit::updated(&body, &current),
    };
    record(state, change, &result).await;
    Ok(go_to_campaign(&state.settings, org, result?, "?saved=1"))
}

/// Closes or reopens campaign `number`, with its audit entry, and goes back to it.
pub async fn set_state(
    state: &AppState,
    token: &SecretString,
    actor: &str,
    org: &OrgLogin,
    number: CampaignNumber,
    wanted: WantedState,
) -> Result<CampaignView, AppError> {
    let (target, action, before) = match wanted {
        WantedState::Open => (
            CampaignState::Open,
            AuditAction::Reopen,
            CampaignState::Closed,
        ),
        WantedState::Closed => (
            CampaignState::Closed,
            AuditAction::Close,
            CampaignState::Open,
        ),
    };
    let body = UpdateCampaignBody::set_state(target);
    let result = state
        .github
        .update_campaign(token, org, number, &body)
        .await;
    let change = Change {
        actor,
        org,
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
    record(state, change, &result).await;
    Ok(go_to_campaign(&state.settings, org, result?, ""))
}

/// Deletes campaign `number`, with its audit entry (naming it: a deleted campaign cannot be read
/// afterwards), and goes to the list, whose notice names the number only (a name in the address
/// would let any link show any text on our page).
pub async fn delete(
    state: &AppState,
    token: &SecretString,
    actor: &str,
    org: &OrgLogin,
    number: CampaignNumber,
) -> Result<(), AppError> {
    let current = state.github.get_campaign(token, org, number).await?;
    let result = state.github.delete_campaign(token, org, number).await;
    let change = Change {
        actor,
        org,
        campaign: Some(number),
        campaign_name: current.name.unwrap_or_default(),
        action: AuditAction::Delete,
        changes: Vec::new(),
    };
    record(state, change, &result).await;
    result?;
    let list = crate::domain::paths::campaigns(org);
    leptos_axum::redirect(&format!("{list}?deleted={number}"));
    Ok(())
}
