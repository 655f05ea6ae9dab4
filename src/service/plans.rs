//! Plans: a plan's alerts (a template's filter, or the form's, over the org's open alerts) split
//! into waves; each wave published as a campaign by the GitHub App in a background job, once,
//! when the one before it is closed, far enough closed or due and the org has a free slot. The
//! decision is [`check`]; the publishing [`publish`]; the scheduled job [`check_all`].

use crate::domain::alert::AlertRow;
use crate::domain::alert_selection::AlertKey;
use crate::domain::background::Job;
use crate::domain::campaign::Progress;
use crate::domain::history::Snapshot;
use crate::domain::overview::{OrgPoint, OPEN_LIMIT};
use crate::domain::plan::{
    split_waves, wave_name, PlanForm, PlanPage, PlanPreview, PlanRequest, PlanView, PlansPage,
    PublishWhen, WaveView, PLAN_ALERTS_MAX,
};
use crate::domain::{CampaignNumber, OrgLogin};
use crate::error::AppError;
use crate::github::models::{CampaignState, CreateCampaignBody, RepositoryAlerts};
use crate::service::campaigns::{create_recorded, list_open};
use crate::state::AppState;
use crate::store::plans::{NewPlan, PlanAlert, StoredPlan};
use chrono::{DateTime, Duration, Utc};
use secrecy::SecretString;
use std::collections::BTreeMap;

const PLAN: &str = "plan its campaigns";

/// The org's plans, the templates a plan may start from, and its open campaigns.
pub async fn page(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
) -> Result<PlansPage, AppError> {
    (state.managers)
        .require(&state.github, token, org, PLAN)
        .await?;
    let (store, drafts) = (state.store.plans(), state.store.drafts());
    let (open, plans, templates, drafts) = tokio::join!(
        list_open(&state.github, token, org),
        store.list(org),
        crate::service::templates::list(state, token, org),
        drafts.list(org)
    );
    Ok(PlansPage {
        plans: plans?,
        templates: templates?.into_iter().map(|t| t.label).collect(),
        drafts: (drafts?.into_iter())
            .map(|d| (d.id.get(), d.name, d.alerts))
            .collect(),
        open_campaigns: open?.len(),
    })
}

/// Keeps a new plan of `form` and gives its id; its first wave is then to be published (the
/// caller queues [`check`]'s job). Refused, keeping nothing, when a field is wrong, no open
/// alert matches, there is no GitHub App to publish with, or the org has no free slot.
pub async fn create(
    state: &AppState,
    token: &SecretString,
    me: &str,
    org: &OrgLogin,
    form: &PlanForm,
) -> Result<i64, AppError> {
    let request = form.parse().map_err(AppError::filter_refused)?;
    (state.managers)
        .require(&state.github, token, org, PLAN)
        .await?;
    if state.app.is_none() {
        return Err(AppError::Forbidden {
            reason: "Waves are published by the app's GitHub App, and none is configured (see the README, \"The GitHub App\").".into(),
        });
    }
    let (waves, _) = selection(state, token, org, &request).await?;
    let waves: Vec<Vec<PlanAlert>> = waves
        .into_iter()
        .map(|w| {
            w.into_iter()
                .map(|a| PlanAlert {
                    repository_id: a.repo_id,
                    repository: if a.repo.contains('/') {
                        a.repo
                    } else {
                        format!("{org}/{}", a.repo)
                    },
                    number: a.number,
                })
                .collect()
        })
        .collect();
    let plan = NewPlan {
        name: &request.name,
        description: &request.description,
        split: request.split,
        wave_size: request.wave_size,
        publish_when: request.publish_when,
        cadence_days: request.cadence_days,
        created_by: me,
        waves,
    };
    state
        .store
        .plans()
        .create(org, &plan)
        .await?
        .ok_or_else(|| {
            AppError::invalid("name", "This org keeps 50 plans already: that is the most.")
        })
}

/// What `form` would make: its waves' sizes and names, keeping nothing.
pub async fn preview(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
    form: &PlanForm,
) -> Result<PlanPreview, AppError> {
    let request = form.parse().map_err(AppError::filter_refused)?;
    (state.managers)
        .require(&state.github, token, org, PLAN)
        .await?;
    let (waves, open_campaigns) = selection(state, token, org, &request).await?;
    let count = waves.len();
    Ok(PlanPreview {
        total: waves.iter().map(Vec::len).sum(),
        waves: (waves.iter().enumerate())
            .map(|(i, w)| (wave_name(&request.name, i + 1, count), w.len()))
            .collect(),
        split: request.split,
        publish_when: request.publish_when,
        cadence_days: request.cadence_days,
        open_campaigns,
    })
}

/// The request's alerts split into waves, and the org's open campaigns; refused when no open
/// alert matches, too many do, or the org has no free slot for the first wave.
async fn selection(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
    request: &PlanRequest,
) -> Result<(Vec<Vec<AlertRow>>, usize), AppError> {
    let picked = match request.draft {
        Some(id) => {
            let draft = state.store.drafts().get(org, id, None).await?;
            let draft =
                draft.ok_or_else(|| AppError::invalid("draft", "Choose a draft from the list."))?;
            let keys: std::collections::HashSet<AlertKey> = (draft.form.alerts)
                .split([' ', ',', '\n'])
                .filter_map(AlertKey::decode)
                .collect();
            Some(keys)
        }
        None => None,
    };
    let filter = match (&request.template, &picked) {
        (_, Some(_)) => Default::default(),
        (None, None) => request.filter.clone(),
        (Some(label), None) => {
            let templates = crate::service::templates::list(state, token, org).await?;
            match templates.into_iter().find(|t| &t.label == label) {
                Some(t) => t.filter,
                None => {
                    return Err(AppError::invalid(
                        "template",
                        "Choose a template from the list.",
                    ))
                }
            }
        }
    };
    let (open, found) = tokio::join!(
        list_open(&state.github, token, org),
        crate::service::org_alerts::search(state, token, org, &filter, PLAN_ALERTS_MAX + 1)
    );
    let open = open?.len();
    if open >= OPEN_LIMIT {
        return Err(no_free_slot(org, open));
    }
    let mut found = found?;
    if let Some(keys) = &picked {
        // The draft's alerts still open (those closed since are left out).
        found.rows.retain(|a| keys.contains(&a.key()));
        found.total = found.rows.len();
    }
    if found.total == 0 {
        return Err(AppError::invalid(
            "q",
            "No open alert matches: nothing to plan.",
        ));
    }
    if found.total > PLAN_ALERTS_MAX {
        return Err(AppError::invalid(
            "q",
            format!(
                "{} open alerts match; a plan holds at most {PLAN_ALERTS_MAX}. Narrow the filter.",
                found.total
            ),
        ));
    }
    Ok((
        split_waves(found.rows, request.split, request.wave_size),
        open,
    ))
}

fn no_free_slot(org: &OrgLogin, open: usize) -> AppError {
    AppError::invalid(
        "slots",
        format!("{org} has {open} open campaigns, GitHub's limit of {OPEN_LIMIT}: the plan's first wave could not be published. Close a campaign first; nothing was saved."),
    )
}

/// Whether plan `id`'s next wave is to be published now (with `token`, a person's or the App's):
/// the job that publishes it; `None`, with the plan's status saying why, when it waits.
pub async fn check(
    state: &AppState,
    token: &SecretString,
    plan: &StoredPlan,
    now: DateTime<Utc>,
) -> Result<Option<Job>, AppError> {
    let plans = state.store.plans();
    let Some(next) = plan.waves.iter().find(|w| w.campaign.is_none()) else {
        return Ok(None);
    };
    if next.wave > 1 {
        let before = &plan.waves[next.wave - 2];
        let Some(number) = before.campaign else {
            return Ok(None);
        };
        // A wave campaign deleted on GitHub (404) leaves nothing to wait for.
        match state.github.get_campaign(token, &plan.org, number).await {
            Ok(c) => {
                let closed = c.state == CampaignState::Closed;
                let share = c.alert_stats.map_or(0, |s| {
                    let total = (s.open_count + s.in_progress_count + s.closed_count).max(1);
                    s.closed_count * 100 / total
                });
                let due = before.due_at.is_some_and(|d| now >= d);
                let ready = closed
                    || match plan.publish_when {
                        PublishWhen::Closed => false,
                        PublishWhen::Share(p) => share >= i64::from(p),
                        PublishWhen::Due => due,
                    };
                if !ready {
                    let status = format!(
                        "Waiting: wave {} is {share}% closed; wave {} is published {}.",
                        before.wave,
                        next.wave,
                        plan.publish_when.describe()
                    );
                    plans.set_status(plan.id, &status, false).await?;
                    return Ok(None);
                }
            }
            Err(AppError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    let open = list_open(&state.github, token, &plan.org).await?.len();
    if open >= OPEN_LIMIT {
        let status = format!(
            "Waiting for a free slot: {} has {open} open campaigns, GitHub's limit. Wave {} is published when one closes.",
            plan.org, next.wave
        );
        plans.set_status(plan.id, &status, false).await?;
        return Ok(None);
    }
    plans
        .set_status(plan.id, &format!("Publishing wave {}…", next.wave), false)
        .await?;
    Ok(Some(Job::PublishWave {
        plan_id: plan.id,
        wave: next.wave,
    }))
}

/// The scheduled check: every unfinished plan, each with its org's installation token; a wave
/// to publish is queued once (whichever instance gets there first).
pub async fn check_all(state: &AppState, now: DateTime<Utc>) -> Result<String, AppError> {
    let Some(app) = &state.app else {
        return Ok("No GitHub App is configured: nothing to do.".to_owned());
    };
    let plans = state.store.plans();
    let mut queued = 0;
    for (org, id) in plans.unfinished().await? {
        let Some(plan) = plans.get(&org, id).await? else {
            continue;
        };
        let checked = async {
            let token = app.token_for(&state.github, &org).await?;
            check(state, &token, &plan, now).await
        };
        match checked.await {
            Ok(Some(job)) => {
                if state.store.jobs().enqueue_once(job).await? {
                    queued += 1;
                }
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(%org, plan = id, error = %e, "could not check a plan"),
        }
    }
    Ok(format!("{queued} wave(s) queued to publish."))
}

/// Publishes wave `wave` of plan `plan_id` as a campaign, with the GitHub App's token for the
/// plan's org and the plan's author as its manager; nothing when it is published already. A
/// failure is written on the plan (its page shows it) and returned (the job retries it).
pub async fn publish(state: &AppState, plan_id: i64, wave: usize) -> Result<String, AppError> {
    let plans = state.store.plans();
    let Some(plan) = plans.by_id(plan_id).await? else {
        return Ok("The plan was removed: nothing to publish.".to_owned());
    };
    let Some(w) = plan.waves.iter().find(|w| w.wave == wave) else {
        return Ok("No such wave.".to_owned());
    };
    if let Some(n) = w.campaign {
        return Ok(format!("Wave {wave} is published already (#{n})."));
    }
    let result = publish_wave(state, &plan, wave).await;
    match &result {
        Ok(n) => {
            let status = format!("Wave {wave} published as campaign #{n}.");
            plans.set_status(plan_id, &status, false).await?;
        }
        Err(e) => {
            let status = format!("Publishing wave {wave} failed: {e}");
            plans.set_status(plan_id, &status, true).await?;
        }
    }
    result.map(|n| format!("Wave {wave} published as #{n}."))
}

async fn publish_wave(
    state: &AppState,
    plan: &StoredPlan,
    wave: usize,
) -> Result<CampaignNumber, AppError> {
    let Some(app) = &state.app else {
        return Err(AppError::Forbidden {
            reason: "No GitHub App is configured to publish with.".into(),
        });
    };
    let token = app.token_for(&state.github, &plan.org).await?;
    let alerts = state.store.plans().wave_alerts(plan.id, wave).await?;
    let mut by_repo: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for a in &alerts {
        by_repo.entry(a.repository_id).or_default().push(a.number);
    }
    let ends_at = Utc::now() + Duration::days(i64::from(plan.cadence_days));
    let description = if plan.description.is_empty() {
        format!(
            "Wave {wave} of {} of the plan \u{201c}{}\u{201d}.",
            plan.waves.len(),
            plan.name
        )
    } else {
        plan.description.clone()
    };
    let body = CreateCampaignBody {
        name: wave_name(&plan.name, wave, plan.waves.len()),
        description,
        managers: vec![plan.created_by.clone()],
        team_managers: vec![],
        ends_at,
        contact_link: None,
        code_scanning_alerts: by_repo
            .into_iter()
            .map(|(repository_id, alert_numbers)| RepositoryAlerts {
                repository_id,
                alert_numbers,
            })
            .collect(),
        generate_issues: false,
    };
    let c = create_recorded(state, &token, &plan.org, &plan.created_by, &body).await?;
    state
        .store
        .plans()
        .published(plan.id, wave, c.number, ends_at)
        .await?;
    Ok(c.number)
}

/// Plan `id`'s page: each published wave's counts from GitHub (asked together), and the alerts
/// not yet closed across every wave over time.
pub async fn view(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
    id: i64,
) -> Result<PlanPage, AppError> {
    (state.managers)
        .require(&state.github, token, org, PLAN)
        .await?;
    let plan = state
        .store
        .plans()
        .get(org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let reads = plan.waves.iter().map(|w| async move {
        match w.campaign {
            Some(n) => match state.github.get_campaign(token, org, n).await {
                Ok(c) => Ok(Some(c)),
                Err(AppError::NotFound) => Ok(None),
                Err(e) => Err(e),
            },
            None => Ok(None),
        }
    });
    let campaigns = futures_util::future::try_join_all(reads).await?;
    let since = plan.created_at - Duration::days(1);
    let snapshots = state.store.campaigns().org_history(org, since).await?;
    let waves: Vec<WaveView> = plan
        .waves
        .iter()
        .zip(campaigns)
        .map(|(w, c)| WaveView {
            wave: w.wave,
            size: w.size,
            campaign: w.campaign,
            published_at: w.published_at,
            due_at: w.due_at,
            progress: c.as_ref().and_then(|c| {
                c.alert_stats
                    .map(|s| Progress::counted(s.open_count, s.in_progress_count, s.closed_count))
            }),
            closed: c.is_some_and(|c| c.state == CampaignState::Closed),
        })
        .collect();
    let burndown = burndown(&waves, &snapshots, Utc::now());
    Ok(PlanPage {
        plan: PlanView {
            id: plan.id,
            name: plan.name,
            description: plan.description,
            split: plan.split,
            wave_size: plan.wave_size,
            publish_when: plan.publish_when,
            cadence_days: plan.cadence_days,
            created_by: plan.created_by,
            created_at: plan.created_at,
            waves,
            status: plan.status,
            failed: plan.failed,
        },
        burndown,
    })
}

/// The plan's alerts not yet closed over time: at each snapshot of a wave's campaign, the
/// latest counts of every published wave, and every wave not yet published counted whole; the
/// last point is now.
fn burndown(
    waves: &[WaveView],
    snapshots: &[(CampaignNumber, Snapshot)],
    now: DateTime<Utc>,
) -> Vec<OrgPoint> {
    let ours: BTreeMap<CampaignNumber, usize> = waves
        .iter()
        .filter_map(|w| w.campaign.map(|n| (n, w.size)))
        .collect();
    let mut points: Vec<&(CampaignNumber, Snapshot)> = snapshots
        .iter()
        .filter(|(n, _)| ours.contains_key(n))
        .collect();
    points.sort_by_key(|(_, s)| s.at);
    let total: i64 = waves.iter().map(|w| w.size as i64).sum();
    let mut latest: BTreeMap<CampaignNumber, i64> = BTreeMap::new();
    let mut out = Vec::new();
    for (n, s) in points {
        latest.insert(*n, s.closed);
        let closed: i64 = latest.values().sum();
        out.push(OrgPoint {
            at: s.at,
            remaining: (total - closed).max(0),
        });
    }
    let closed_now: i64 = waves.iter().map(WaveView::closed_alerts).sum();
    out.push(OrgPoint {
        at: now,
        remaining: (total - closed_now).max(0),
    });
    out
}
