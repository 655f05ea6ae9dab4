//! Acting on a campaign's alerts: a preview of what a triage form would change, and a run that
//! changes up to a page's worth of them on GitHub (`code-scanning/update-alert`, a few at a
//! time), within the person's hourly budget, each alert's answer reported and kept in the audit
//! log, and the alert index told at once.

use crate::auth::access::not_found_as_role;
use crate::domain::alert::AlertNow;
use crate::domain::audit::{AuditAction, AuditEntry, FieldChange};
use crate::domain::campaign::Person;
use crate::domain::campaign_alerts::CampaignAlert;
use crate::domain::triage::{
    alert_key, state_words, AlertOutcome, LeftAlone, Scope, TriageAction, TriageForm, TriageKind,
    TriagePreview, TriageRequest, TriageRun, BUDGET_PER_HOUR, MAX_PER_RUN, MAX_SELECTION,
};
use crate::domain::{CampaignNumber, OrgLogin};
use crate::error::AppError;
use crate::github::models::UpdateAlertBody;
use crate::service::audit::{record, Change};
use crate::service::campaign_records::record_of;
use crate::service::live_alerts::campaign_alert_states;
use crate::state::AppState;
use futures_util::StreamExt;
use secrecy::SecretString;
use std::collections::HashMap;

/// What the refusal of a person without the role says they cannot do.
const ACT: &str = "act on a campaign's alerts";
/// Alerts changed at once (GitHub asks integrations to send writes one at a time; a few in
/// flight keep a page's worth under a minute at GitHub's 300 ms without tripping its limits).
const IN_FLIGHT: usize = 4;
/// Members offered as assignees at most.
const MEMBERS_MAX: usize = 1_000;

/// The org's members, who can be assigned alerts (owners and security managers only).
pub async fn assignable(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
) -> Result<Vec<Person>, AppError> {
    (state.managers)
        .require(&state.github, token, org, ACT)
        .await?;
    members(state, token, org).await
}

async fn members(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
) -> Result<Vec<Person>, AppError> {
    let list = state
        .github
        .list_org_members(token, org, MEMBERS_MAX)
        .await?;
    let mut people: Vec<Person> = list
        .into_iter()
        .map(crate::service::views::person)
        .collect();
    people.sort_by_key(|p| p.login.to_ascii_lowercase());
    Ok(people)
}

/// What a triage form picks.
struct Selection {
    campaign_name: String,
    /// The picked alerts, with their states now.
    picked: Vec<CampaignAlert>,
    /// The org's members.
    people: Vec<Person>,
    /// Each recorded alert's repository id.
    repo_ids: HashMap<(String, i64), i64>,
}

/// The campaign's name, its alerts that the request picks (with their states now), and the
/// org's members: one round of GitHub (the campaign, which only an owner or security manager
/// may read, beside the members), then the app's record and the alerts' states.
async fn selection(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
    number: CampaignNumber,
    request: &TriageRequest,
) -> Result<Selection, AppError> {
    let (campaign, people) = tokio::join!(
        state.github.get_campaign(token, org, number),
        members(state, token, org)
    );
    let campaign = match campaign {
        Ok(c) => crate::service::views::view_of(&state.settings, org, c),
        Err(e) => return Err(not_found_as_role(&state.github, token, e, org, ACT).await),
    };
    state.managers.seen_managing(token, org).await;
    let people = people?;
    let record = record_of(state, org, &campaign).await?;
    let record = record.ok_or_else(|| AppError::Forbidden {
        reason: "This campaign was created outside campaigns-admin: GitHub shares only its counts, so its alerts are unknown here.".into(),
    })?;
    let (alerts, _, _) = campaign_alert_states(state, token, org, &record.alerts).await?;
    let repo_ids = (record.alerts.iter())
        .map(|r| ((r.repository.clone(), r.number), r.repository_id))
        .collect();
    let picked: Vec<CampaignAlert> = match &request.scope {
        Scope::Matching(query) => alerts.into_iter().filter(|a| query.matches(a)).collect(),
        Scope::Checked(keys) => {
            let mut by_key: HashMap<(String, i64), CampaignAlert> = alerts
                .into_iter()
                .map(|a| ((a.repository.clone(), a.number), a))
                .collect();
            let mut picked = Vec::with_capacity(keys.len());
            for key in keys {
                match by_key.remove(key) {
                    Some(a) => picked.push(a),
                    None => {
                        return Err(AppError::invalid(
                            "alert",
                            format!(
                                "{} is not an alert of this campaign.",
                                alert_key(&key.0, key.1)
                            ),
                        ))
                    }
                }
            }
            picked
        }
    };
    if picked.len() > MAX_SELECTION {
        return Err(AppError::invalid(
            "alert",
            format!(
                "{} alerts match: act on at most {MAX_SELECTION} at once. Narrow the filter (a repository, a rule, a severity).",
                picked.len()
            ),
        ));
    }
    if let TriageAction::Assign(Some(login)) = &request.action {
        if !people.iter().any(|p| p.login.eq_ignore_ascii_case(login)) {
            return Err(AppError::invalid(
                "assignee",
                format!("{login} cannot be assigned: only members of {org} can."),
            ));
        }
    }
    Ok(Selection {
        campaign_name: campaign.name,
        picked,
        people,
        repo_ids,
    })
}

/// Alert changes `me` has left this hour.
async fn budget_left(state: &AppState, me: &str) -> Result<usize, AppError> {
    let since = chrono::Utc::now() - chrono::Duration::hours(1);
    let used = (state.store.audit())
        .changes_since(me, &AuditAction::ON_ALERTS, since)
        .await?;
    Ok(BUDGET_PER_HOUR.saturating_sub(used))
}

/// What `form` would change, without changing anything.
pub async fn preview(
    state: &AppState,
    token: &SecretString,
    me: &str,
    org: &OrgLogin,
    number: CampaignNumber,
    form: &TriageForm,
) -> Result<TriagePreview, AppError> {
    let request = form.parse().map_err(AppError::filter_refused)?;
    let request = for_user(request, me);
    let picked = selection(state, token, org, number, &request).await?;
    let (change, left_alone) = split(&request.action, picked.picked);
    Ok(TriagePreview {
        campaign_name: picked.campaign_name,
        kind: request.action.kind(),
        action: request.action.describe(),
        change,
        left_alone,
        budget_left: budget_left(state, me).await?,
        assignable: picked.people,
    })
}

fn for_user(mut request: TriageRequest, me: &str) -> TriageRequest {
    if let Scope::Matching(query) = request.scope {
        request.scope = Scope::Matching(query.for_user(me));
    }
    request
}

/// The picked alerts the action changes, and those it leaves alone with why.
fn split(
    action: &TriageAction,
    picked: Vec<CampaignAlert>,
) -> (Vec<CampaignAlert>, Vec<LeftAlone>) {
    let mut change = Vec::new();
    let mut left = Vec::new();
    for a in picked {
        match action.applies_to(&a) {
            Ok(()) => change.push(a),
            Err(why) => left.push(LeftAlone {
                alert: a,
                why: why.to_owned(),
            }),
        }
    }
    (change, left)
}

/// Changes the checked alerts of `form` (at most [`MAX_PER_RUN`]) on GitHub; the id of the audit
/// log's entry beside the answer. Refused as a whole, changing nothing, when the form is
/// wrong, an alert is not the campaign's, or the run would pass the person's budget.
pub async fn run(
    state: &AppState,
    token: &SecretString,
    me: &str,
    org: &OrgLogin,
    number: CampaignNumber,
    form: &TriageForm,
) -> Result<(TriageRun, Option<i64>), AppError> {
    let request = form.parse().map_err(AppError::filter_refused)?;
    if !matches!(&request.scope, Scope::Checked(keys) if keys.len() <= MAX_PER_RUN) {
        return Err(AppError::invalid(
            "alert",
            format!("A run changes at most {MAX_PER_RUN} checked alerts."),
        ));
    }
    let Selection {
        campaign_name,
        picked,
        repo_ids,
        ..
    } = selection(state, token, org, number, &request).await?;
    let (change, left_alone) = split(&request.action, picked);
    let left = budget_left(state, me).await?;
    if change.len() > left {
        return Err(AppError::invalid(
            "alert",
            format!(
                "This would change {} alerts, and you have {left} of your {BUDGET_PER_HOUR} alert changes an hour left. Nothing was changed: choose fewer, or wait.",
                change.len()
            ),
        ));
    }
    let body = body_of(&request.action);
    let github = &state.github;
    let answers: Vec<(CampaignAlert, Result<AlertNow, AppError>)> =
        futures_util::stream::iter(change)
            .map(|a| {
                let body = &body;
                async move {
                    let name = a
                        .repository
                        .split_once('/')
                        .map_or("", |(_, n)| n)
                        .to_owned();
                    let answer = github.update_alert(token, org, &name, a.number, body).await;
                    let now = answer.map(|r| AlertNow {
                        state: crate::service::alert_index::live_state(r.state),
                        dismissed_reason: r.dismissed_reason,
                        updated_at: r.updated_at.unwrap_or_else(chrono::Utc::now),
                        fixed_at: r.fixed_at,
                        dismissed_at: r.dismissed_at,
                        assignees: crate::service::alert_index::logins(r.assignees),
                    });
                    (a, now)
                }
            })
            .buffered(IN_FLIGHT)
            .collect()
            .await;
    let mut outcomes = Vec::new();
    let mut changes = Vec::new();
    let mut first_error = None;
    for (a, answer) in answers {
        let key = alert_key(&a.repository, a.number);
        let before = state_words(a.state, a.dismissed_reason.as_deref(), &a.assignees);
        match answer {
            Ok(now) => {
                if let Some(repo_id) = repo_ids.get(&(a.repository.clone(), a.number)) {
                    let index = state.store.alert_index();
                    if let Err(e) = index.changed(org, *repo_id, a.number, &now).await {
                        tracing::warn!(error = %e, "could not write a changed alert to the index");
                    }
                }
                let after = now_words(&now);
                changes.push(FieldChange {
                    field: key.clone(),
                    before,
                    after: after.clone(),
                });
                outcomes.push(AlertOutcome {
                    key,
                    done: true,
                    message: after,
                });
            }
            Err(e) => {
                let why = format!("refused: {e}");
                changes.push(FieldChange {
                    field: key.clone(),
                    before: before.clone(),
                    after: why.clone(),
                });
                outcomes.push(AlertOutcome {
                    key,
                    done: false,
                    message: e.to_string(),
                });
                first_error.get_or_insert(e);
            }
        }
    }
    for l in left_alone {
        outcomes.push(AlertOutcome {
            key: alert_key(&l.alert.repository, l.alert.number),
            done: false,
            message: format!("left alone: {}", l.why),
        });
    }
    let done = changes
        .iter()
        .filter(|c| !c.after.starts_with("refused"))
        .count();
    let refused = changes.len() - done;
    // Nothing GitHub took, and it refused as it refuses a stranger: the person may not do
    // this (not written to the org's log: `audit::record`).
    let outcome: Result<(), AppError> = match first_error {
        Some(e) if done == 0 => Err(e),
        Some(_) => Err(AppError::Invalid {
            message: format!("GitHub refused {refused} of {} alerts.", changes.len()),
            errors: vec![],
        }),
        None => Ok(()),
    };
    // `record` leaves a refusal like a stranger's out of the org's log; it is the whole answer.
    let id = if changes.is_empty() {
        None
    } else {
        let entry = audit_change(me, org, number, campaign_name, &request, changes);
        record(state, entry, &outcome).await
    };
    if let Err(e @ (AppError::NotSignedIn | AppError::Forbidden { .. } | AppError::NotFound)) =
        outcome
    {
        return Err(e);
    }
    let budget_left = budget_left(state, me).await?;
    Ok((
        TriageRun {
            outcomes,
            budget_left,
        },
        id,
    ))
}

/// Audit log entry `id` when it is a run on campaign `number`'s alerts (owners and security
/// managers of the org only).
pub async fn done(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
    number: CampaignNumber,
    id: i64,
) -> Result<AuditEntry, AppError> {
    (state.managers)
        .require(&state.github, token, org, ACT)
        .await?;
    let entry = state.store.audit().get(org, id).await?;
    entry
        .filter(|e| e.campaign == Some(number) && AuditAction::ON_ALERTS.contains(&e.action))
        .ok_or(AppError::NotFound)
}

fn audit_change<'a>(
    me: &'a str,
    org: &'a OrgLogin,
    number: CampaignNumber,
    campaign_name: String,
    request: &TriageRequest,
    changes: Vec<FieldChange>,
) -> Change<'a> {
    Change {
        actor: me,
        org,
        campaign: Some(number),
        campaign_name,
        action: match request.action.kind() {
            TriageKind::Assign => AuditAction::AssignAlerts,
            TriageKind::Dismiss => AuditAction::DismissAlerts,
            TriageKind::Reopen => AuditAction::ReopenAlerts,
        },
        changes,
    }
}

fn body_of(action: &TriageAction) -> UpdateAlertBody {
    match action {
        TriageAction::Assign(to) => UpdateAlertBody {
            assignees: Some(to.iter().cloned().collect()),
            ..Default::default()
        },
        TriageAction::Dismiss { reason, comment } => UpdateAlertBody {
            state: Some("dismissed".into()),
            dismissed_reason: Some(reason.clone()),
            dismissed_comment: (!comment.is_empty()).then(|| comment.clone()),
            ..Default::default()
        },
        TriageAction::Reopen => UpdateAlertBody {
            state: Some("open".into()),
            ..Default::default()
        },
    }
}

/// An alert's state as GitHub answered it, in words.
fn now_words(now: &AlertNow) -> String {
    state_words(now.state, now.dismissed_reason.as_deref(), &now.assignees)
}
