//! The audit log: an entry for every change sent to GitHub by someone allowed to make it, read back
//! a page at a time, or as a CSV file read by key.

use crate::domain::audit::{
    AuditAction, AuditEntry, AuditFilter, AuditPage, AuditQuery, FieldChange, AUDIT_PAGE_SIZE,
};
use crate::domain::{CampaignNumber, OrgLogin};
use crate::error::AppError;
use crate::github::models::{CampaignSummary, CreateCampaignBody, UpdateCampaignBody};
use crate::service::files::{self, Format, Row};
use crate::state::AppState;
use crate::store::audit::Position;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde_json::json;
use tower_sessions::Session;

/// One change sent to GitHub: what it was, and (once GitHub answered) how it went.
pub struct Change<'a> {
    /// Who sent it: the signed-in user's login.
    pub actor: &'a str,
    pub org: &'a OrgLogin,
    pub campaign: Option<CampaignNumber>,
    pub campaign_name: String,
    pub action: AuditAction,
    pub changes: Vec<FieldChange>,
}

/// Appends the change and its outcome to the audit log. The change is made by then, so a
/// log that cannot be written does not undo it: it is logged as an error instead.
///
/// Only people allowed to make the change leave an entry: an attempt GitHub refused as not
/// signed in, forbidden or not found (a stranger's, or a member's without the role) goes to
/// the server log, never into the org's log, which nobody may then fill with rows.
pub async fn record<T>(
    state: &AppState,
    change: Change<'_>,
    outcome: &Result<T, AppError>,
) -> Option<i64> {
    let actor = change.actor;
    if let Err(
        refused @ (AppError::NotSignedIn | AppError::Forbidden { .. } | AppError::NotFound),
    ) = outcome
    {
        tracing::warn!(
            org = %change.org,
            campaign = change.campaign.map(|n| n.get()),
            action = change.action.as_str(),
            %actor,
            error = %refused,
            "GitHub refused a change: not written to the org's audit log"
        );
        return None;
    }
    let entry = AuditEntry {
        at: chrono::Utc::now(),
        org: change.org.to_string(),
        campaign: change.campaign,
        campaign_name: change.campaign_name,
        actor: actor.to_owned(),
        action: change.action,
        changes: change.changes,
        error: outcome.as_ref().err().map(ToString::to_string),
    };
    match state.store.audit().append(&entry).await {
        Ok(id) => Some(id),
        Err(err) => {
            let action = entry.action.as_str();
            tracing::error!(error = %err, action, "could not write the audit log");
            None
        }
    }
}

/// A page of the org's audit log, filtered by `query`, for its owners and security managers.
pub async fn page(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
    query: &AuditQuery,
    page: u32,
) -> Result<AuditPage, AppError> {
    (state.managers)
        .require(&state.github, token, org, "read its audit log")
        .await?;
    let store = &state.store;
    let size = i64::from(AUDIT_PAGE_SIZE);
    let offset = i64::from(page - 1) * size;
    let mut entries: Vec<AuditEntry> = store
        .audit()
        .page(org, query, Position::Skip(offset), size + 1)
        .await?
        .into_iter()
        .map(|(_, e)| e)
        .collect();
    let has_next = entries.len() > AUDIT_PAGE_SIZE as usize;
    entries.truncate(AUDIT_PAGE_SIZE as usize);
    Ok(AuditPage {
        entries,
        page,
        has_next,
    })
}

/// Rows read from the store for each piece of the file.
const EXPORT_CHUNK: i64 = 500;

const COLUMNS: &[&str] = &[
    "at",
    "actor",
    "action",
    "campaign_number",
    "campaign_name",
    "changes",
    "outcome",
    "error",
];

fn row(e: &AuditEntry) -> Row {
    let changes: Vec<String> = e
        .changes
        .iter()
        .map(|c| format!("{}: {} -> {}", c.field, c.before, c.after))
        .collect();
    vec![
        json!(e.at.to_rfc3339()),
        json!(e.actor),
        json!(e.action.as_str()),
        json!(e.campaign.map(|n| n.get())),
        json!(e.campaign_name),
        json!(changes.join("; ")),
        json!(if e.error.is_some() { "failed" } else { "done" }),
        json!(e.error),
    ]
}

/// `GET /orgs/{org}/audit.csv`: the filtered log as a file, written a chunk at a time.
pub async fn export_csv(
    State(state): State<AppState>,
    session: Session,
    Path(org): Path<String>,
    Query(filter): Query<AuditFilter>,
) -> Response {
    let started = async {
        let org: OrgLogin = org.parse().map_err(|_| AppError::NotFound)?;
        let (query, _) = filter.parse().map_err(AppError::filter_refused)?;
        let token = crate::auth::session::access_token(&session, &state.tokens()).await?;
        (state.managers)
            .require(&state.github, &token, &org, "read its audit log")
            .await?;
        Ok::<_, AppError>((org, query))
    }
    .await;
    let (org, query) = match started {
        Ok(ok) => ok,
        Err(err) => return files::not_started(err),
    };
    let (log, name) = (state.store.audit(), org.clone());
    let chunks = futures_util::stream::unfold(Some(Position::Skip(0)), move |at| {
        let (log, name, query) = (log.clone(), name.clone(), query.clone());
        async move {
            match log.page(&name, &query, at?, EXPORT_CHUNK).await {
                Ok(rows) => {
                    let next = match rows.last() {
                        Some((id, _)) if rows.len() as i64 == EXPORT_CHUNK => {
                            Some(Position::Before(*id))
                        }
                        _ => None,
                    };
                    Some((Ok(rows.iter().map(|(_, e)| row(e)).collect()), next))
                }
                Err(err) => Some((Err(AppError::from(err)), None)),
            }
        }
    });
    let deadline = state.settings.limits.request_timeout;
    files::file(
        Format::Csv,
        format!("{org}-audit"),
        COLUMNS,
        chunks,
        deadline,
    )
}

// ---- what a change changed, for its entry ----------------------------------------------------

fn when(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn change(field: &str, before: impl Into<String>, after: impl Into<String>) -> FieldChange {
    FieldChange {
        field: field.to_owned(),
        before: before.into(),
        after: after.into(),
    }
}

/// What the create sets, for the audit log (every "before" is empty).
pub fn created(body: &CreateCampaignBody) -> Vec<FieldChange> {
    let alerts: usize = body
        .code_scanning_alerts
        .iter()
        .map(|r| r.alert_numbers.len())
        .sum();
    vec![
        change("name", "", body.name.clone()),
        change("description", "", body.description.clone()),
        change("managers", "", body.managers.join(", ")),
        change("team_managers", "", body.team_managers.join(", ")),
        change("ends_at", "", when(body.ends_at)),
        change(
            "contact_link",
            "",
            body.contact_link.clone().unwrap_or_default(),
        ),
        change("alerts", "", alerts.to_string()),
    ]
    .into_iter()
    .filter(|c| !c.after.is_empty())
    .collect()
}

/// What this update changes on GitHub's `current` copy, before and after, for the audit log.
pub fn updated(body: &UpdateCampaignBody, current: &CampaignSummary) -> Vec<FieldChange> {
    let mut out = Vec::new();
    if let Some(name) = &body.name {
        out.push(change(
            "name",
            current.name.clone().unwrap_or_default(),
            name.clone(),
        ));
    }
    if let Some(d) = &body.description {
        out.push(change(
            "description",
            current.description.clone(),
            d.clone(),
        ));
    }
    if let Some(m) = &body.managers {
        let before: Vec<&str> = current.managers.iter().map(|u| u.login.as_str()).collect();
        out.push(change("managers", before.join(", "), m.join(", ")));
    }
    if let Some(t) = &body.team_managers {
        let before: Vec<&str> = current
            .team_managers
            .iter()
            .map(|t| t.slug.as_str())
            .collect();
        out.push(change("team_managers", before.join(", "), t.join(", ")));
    }
    if let Some(t) = body.ends_at {
        out.push(change("ends_at", when(current.ends_at), when(t)));
    }
    if let Some(link) = &body.contact_link {
        let before = current.contact_link.clone().unwrap_or_default();
        out.push(change(
            "contact_link",
            before,
            link.clone().unwrap_or_default(),
        ));
    }
    if let Some(state) = body.state {
        out.push(change("state", current.state.as_str(), state.as_str()));
    }
    out
}
