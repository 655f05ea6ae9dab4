//! `/orgs/{org}/campaigns/{number}/alerts/triage`: what a triage form (the alerts page's "Act on
//! alerts") would change, before anything changes: the alerts it changes, those it leaves alone
//! and why, and the person's budget. Confirming runs it: with JavaScript a run of
//! `RUN_SIZE` alerts at a time with its progress, each alert's answer shown as it comes; without,
//! one post of up to a page's worth, answered with the run's audit log entry (`?done={id}`).

use crate::api::triage::{load_triage_done, preview_triage, run_triage};
use crate::components::error_view::{set_status, ErrorView};
use crate::components::params::{campaign_params, campaign_title, CampaignParams};
use crate::components::streaming::pending;
use crate::domain::audit::AuditEntry;
use crate::domain::campaign_alerts::{AlertsFilter, CampaignAlert};
use crate::domain::triage::{
    alert_key, state_words, AlertOutcome, TriageForm, TriagePreview, BUDGET_PER_HOUR, MAX_PER_RUN,
    RUN_SIZE,
};
use crate::domain::{paths, CampaignNumber, OrgLogin};
use crate::error::AppError;
use crate::pages::campaign_alerts::{TriagePanel, TriageValues};
use leptos::prelude::*;
use leptos_meta::Title;

/// The page's address: the triage form, or the run whose answer to show.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
enum Asked {
    Preview(Box<TriageForm>),
    Done(i64),
}

fn asked() -> Memo<(Asked, Option<String>)> {
    let query = leptos_router::hooks::use_query_map();
    Memo::new(move |_| {
        query.with(|q| {
            let get = |k: &str| q.get(k).unwrap_or_default();
            let refused = q.get("refused");
            if let Some(id) = q.get("done").and_then(|d| d.parse::<i64>().ok()) {
                return (Asked::Done(id), refused);
            }
            let form = TriageForm {
                action: get("action"),
                assignee: get("assignee"),
                reason: get("reason"),
                comment: get("comment"),
                scope: get("scope"),
                alert: q.get_all("alert").unwrap_or_default(),
                filter: AlertsFilter {
                    repo: get("repo"),
                    state: get("state"),
                    severity: get("severity"),
                    rule: get("rule"),
                    assignee: get("assignee_filter"),
                    ..Default::default()
                },
            };
            (Asked::Preview(Box::new(form)), refused)
        })
    })
}

/// What a refused plain post says (fixed words: the address carries a code, not a message).
fn refusal_text(code: &str) -> &'static str {
    match code {
        "budget" => "Nothing was changed: this would pass your hourly budget of alert changes.",
        "rate" => {
            "GitHub asked the app to slow down: nothing more was changed. Try again in a minute."
        }
        "invalid" => "Nothing was changed: the form was refused. Check it and try again.",
        _ => "GitHub did not take the change: nothing more was changed. Try again.",
    }
}

#[component]
pub fn CampaignTriagePage() -> impl IntoView {
    let params = campaign_params();
    let asked = asked();
    let data = Resource::new(
        move || (params.get(), asked.get()),
        |(params, (asked, refused))| async move {
            let CampaignParams { org, number } = params?;
            let answer = match asked {
                Asked::Preview(form) => {
                    let preview = preview_triage(org.clone(), number, (*form).clone()).await;
                    Answer::Preview(Box::new((*form, preview)))
                }
                Asked::Done(id) => Answer::Done(load_triage_done(org.clone(), number, id).await),
            };
            Ok::<_, AppError>((org, number, refused, answer))
        },
    );
    view! {
        <Title text=campaign_title(params)/>
        {pending(data, "Working out what would change…")}
        <Suspense fallback=|| ()>
            {move || data.get().map(|r| match r {
                Err(error) => view! { <ErrorView error/> }.into_any(),
                Ok((org, number, refused, answer)) => {
                    let refused = refused.map(|c| view! {
                        <p class="notice error" role="alert">{refusal_text(&c)}</p>
                    });
                    let back = paths::campaign_alerts(&org, number);
                    let body = match answer {
                        Answer::Done(Ok(entry)) => view! { <DoneView entry back/> }.into_any(),
                        Answer::Preview(answer) => match *answer {
                        (form, Ok(preview)) => {
                            view! { <PreviewView org=org.clone() number form preview/> }.into_any()
                        }
                        (form, Err(refused @ AppError::Invalid { .. })) => {
                            set_status(refused.status_code());
                            view! { <RefusedView org=org.clone() number form refused/> }.into_any()
                        }
                        (_, Err(error)) => view! { <ErrorView error/> }.into_any(),
                        },
                        Answer::Done(Err(error)) => view! { <ErrorView error/> }.into_any(),
                    };
                    view! {
                        <nav class="breadcrumbs" aria-label="Breadcrumbs">
                            <a href=paths::campaigns(&org)>{org.to_string()} " campaigns"</a>
                            " / " <a href=paths::campaign(&org, number)>"#" {number.to_string()}</a>
                            " / " <a href=paths::campaign_alerts(&org, number)>"Alerts"</a>
                            " / Act on alerts"
                        </nav>
                        {refused}
                        {body}
                    }.into_any()
                }
            })}
        </Suspense>
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
enum Answer {
    Preview(Box<(TriageForm, Result<TriagePreview, AppError>)>),
    Done(Result<AuditEntry, AppError>),
}

/// The form again, with its values and why they were refused.
#[component]
fn RefusedView(
    org: OrgLogin,
    number: CampaignNumber,
    form: TriageForm,
    refused: AppError,
) -> impl IntoView {
    let values = TriageValues {
        action: form.action.clone(),
        assignee: form.assignee.clone(),
        reason: form.reason.clone(),
        comment: form.comment.clone(),
        scope: form.scope.clone(),
        alerts: form.alert.clone(),
        refused: Some(refused.clone()),
    };
    view! {
        <Title text="Act on alerts: check the form"/>
        <h1>"Act on alerts"</h1>
        <p class="notice error" role="alert">{refused.to_string()} " Nothing was changed."</p>
        <TriagePanel org number filter=form.filter.clone() matching=0 shown=0 values/>
    }
}

fn alert_cells(a: &CampaignAlert) -> impl IntoView {
    let name = format!("{} #{}", a.repository, a.number);
    let now = state_words(a.state, a.dismissed_reason.as_deref(), &a.assignees);
    view! {
        <th scope="row">{name}</th>
        <td><code>{a.rule_id.clone()}</code> " " {a.rule_name.clone()}</td>
        <td>{a.severity.clone()}</td>
        <td>{now}</td>
    }
}

#[component]
fn PreviewView(
    org: OrgLogin,
    number: CampaignNumber,
    form: TriageForm,
    preview: TriagePreview,
) -> impl IntoView {
    let count = preview.change.len();
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let verb = preview.kind.label();
    let title = format!("{verb} {count} alert{}?", plural(count));
    let over_budget = count > preview.budget_left;
    let keys: Vec<String> = (preview.change.iter())
        .map(|a| alert_key(&a.repository, a.number))
        .collect();
    let budget = format!(
        "You have {} of your {BUDGET_PER_HOUR} alert changes an hour left.",
        preview.budget_left
    );
    let left_alone = (!preview.left_alone.is_empty()).then(|| {
        let n = preview.left_alone.len();
        view! {
            <details class="left-alone">
                <summary>{format!("{n} alert{} left alone", plural(n))}</summary>
                <ul>
                    {preview.left_alone.iter().map(|l| view! {
                        <li>{format!("{} #{}: {}", l.alert.repository, l.alert.number, l.why)}</li>
                    }).collect_view()}
                </ul>
            </details>
        }
    });
    let confirm = if count == 0 {
        view! { <p class="empty">"Nothing to change: every alert picked is already so."</p> }
            .into_any()
    } else if over_budget {
        view! {
            <p class="notice error" role="alert">
                "This is more than you have left this hour: nothing can be changed now. Pick fewer alerts, or come back later."
            </p>
        }
        .into_any()
    } else {
        view! { <Confirm org=org.clone() number form=form.clone() keys verb/> }.into_any()
    };
    let sentence = format!(
        "This will {} {count} alert{} of campaign \u{201c}{}\u{201d} on GitHub.",
        preview.action,
        plural(count),
        preview.campaign_name
    );
    view! {
        <Title text=title.clone()/>
        <h1>{title}</h1>
        <p id="triage-summary">{sentence}</p>
        <p class="muted" id="triage-budget">{budget}</p>
        {left_alone}
        {(count > 0).then(|| view! {
            <table class="audit alerts" id="triage-alerts">
                <caption class="visually-hidden">"The alerts that will change"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Alert"</th>
                        <th scope="col">"Rule"</th>
                        <th scope="col">"Severity"</th>
                        <th scope="col">"Now"</th>
                    </tr>
                </thead>
                <tbody>
                    {preview.change.iter().map(|a| view! { <tr>{alert_cells(a)}</tr> }).collect_view()}
                </tbody>
            </table>
        })}
        {confirm}
        <p><a href=paths::campaign_alerts(&org, number)>"Back to the alerts"</a></p>
    }
}

/// The confirm button: a plain post of the first page's worth without JavaScript; with it, runs of
/// `RUN_SIZE` alerts one after another, with progress and each alert's answer.
#[component]
fn Confirm(
    org: OrgLogin,
    number: CampaignNumber,
    form: TriageForm,
    keys: Vec<String>,
    verb: &'static str,
) -> impl IntoView {
    let total = keys.len();
    let first_page = keys
        .iter()
        .take(MAX_PER_RUN)
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    let outcomes = RwSignal::new(Vec::<AlertOutcome>::new());
    let sent = RwSignal::new(0usize);
    let running = RwSignal::new(false);
    let failed = RwSignal::new(None::<AppError>);
    let budget_left = RwSignal::new(None::<usize>);
    let run = {
        let (org, form) = (org.clone(), form.clone());
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if running.get_untracked() {
                return;
            }
            running.set(true);
            failed.set(None);
            let (org, form, keys) = (org.clone(), form.clone(), keys.clone());
            leptos::task::spawn_local(async move {
                let done: Vec<String> = outcomes
                    .get_untracked()
                    .into_iter()
                    .map(|o| o.key)
                    .collect();
                let todo: Vec<String> = keys.into_iter().filter(|k| !done.contains(k)).collect();
                for chunk in todo.chunks(RUN_SIZE) {
                    let answer = run_triage(
                        org.clone(),
                        number,
                        form.action.clone(),
                        form.assignee.clone(),
                        form.reason.clone(),
                        form.comment.clone(),
                        chunk.join(" "),
                    )
                    .await;
                    match answer {
                        Ok(run) => {
                            budget_left.set(Some(run.budget_left));
                            outcomes.update(|o| o.extend(run.outcomes));
                            sent.update(|n| *n += chunk.len());
                        }
                        Err(e) => {
                            failed.set(Some(e));
                            break;
                        }
                    }
                }
                running.set(false);
            });
        }
    };
    let hidden = [
        ("org", org.to_string()),
        ("number", number.to_string()),
        ("action", form.action.clone()),
        ("assignee", form.assignee.clone()),
        ("reason", form.reason.clone()),
        ("comment", form.comment.clone()),
        ("alerts", first_page),
    ]
    .map(|(k, v)| view! { <input type="hidden" name=k value=v/> });
    let label = format!("{verb} {total} alert{}", if total == 1 { "" } else { "s" });
    let no_js_note = (total > MAX_PER_RUN).then(|| view! {
        <noscript>
            <p class="muted">{format!("Without JavaScript the first {MAX_PER_RUN} are changed; preview again for the rest.")}</p>
        </noscript>
    });
    let progress = move || {
        let (n, list) = (sent.get(), outcomes.get());
        (n > 0 || running.get()).then(|| {
            let done = list.iter().filter(|o| o.done).count();
            let refused = list.iter().filter(|o| !o.done && !o.message.starts_with("left alone")).count();
            let summary = format!("{n} of {total} sent: {done} changed, {refused} refused by GitHub.");
            view! {
                <progress max=total.to_string() value=n.to_string() aria-label="Alerts sent"></progress>
                <p id="triage-progress">{summary}</p>
            }
        })
    };
    let results = move || {
        let list = outcomes.get();
        (!list.is_empty()).then(|| view! { <OutcomeTable outcomes=list/> })
    };
    let error = move || {
        failed.get().map(|e| view! {
            <p class="notice error" role="alert">{e.to_string()} " The alerts not yet sent were not changed."</p>
        })
    };
    let budget = move || {
        budget_left.get().map(|b| view! {
        <p class="muted">{format!("You have {b} of your {BUDGET_PER_HOUR} alert changes an hour left.")}</p>
    })
    };
    view! {
        <form method="post" action="/api/campaigns/triage/run" on:submit=run class="triage-confirm">
            {hidden}
            {no_js_note}
            <button type="submit" class="primary" disabled=move || running.get()>{label}</button>
        </form>
        <div aria-live="polite" class="triage-run">
            {progress}
            {error}
            {budget}
            {results}
        </div>
    }
}

#[component]
fn OutcomeTable(outcomes: Vec<AlertOutcome>) -> impl IntoView {
    view! {
        <table class="audit" id="triage-results">
            <caption>"What GitHub answered"</caption>
            <thead>
                <tr><th scope="col">"Alert"</th><th scope="col">"Result"</th></tr>
            </thead>
            <tbody>
                {outcomes.into_iter().map(|o| {
                    let class = if o.done { "done" } else { "refused" };
                    let text = if o.done { format!("Done: {}", o.message) } else if o.message.starts_with("left alone") { o.message.clone() } else { format!("Refused: {}", o.message) };
                    view! { <tr class=class><th scope="row">{o.key}</th><td>{text}</td></tr> }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// A run's answer from the audit log (the page a plain post lands on).
#[component]
fn DoneView(entry: AuditEntry, back: String) -> impl IntoView {
    let outcomes: Vec<AlertOutcome> = entry
        .changes
        .iter()
        .map(|c| AlertOutcome {
            key: c.field.clone(),
            done: !c.after.starts_with("refused"),
            message: c
                .after
                .strip_prefix("refused: ")
                .unwrap_or(&c.after)
                .to_owned(),
        })
        .collect();
    let done = outcomes.iter().filter(|o| o.done).count();
    let refused = outcomes.len() - done;
    let title = format!("{done} alert{} changed", if done == 1 { "" } else { "s" });
    let summary = format!(
        "{} by {} on campaign \u{201c}{}\u{201d}: {done} changed, {refused} refused by GitHub.",
        entry.action.as_str().replace('_', " "),
        entry.actor,
        entry.campaign_name
    );
    view! {
        <Title text=title.clone()/>
        <h1>{title}</h1>
        <p id="triage-progress">{summary}</p>
        <OutcomeTable outcomes/>
        <p><a href=back>"Back to the alerts"</a></p>
    }
}
