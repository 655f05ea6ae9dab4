//! Plans: `/orgs/{org}/plans` (the org's plans and a plain GET form for a new one),
//! `/orgs/{org}/plans/new?…` (the waves that form would make, keeping nothing, and the button
//! that keeps it) and `/orgs/{org}/plans/{id}` (its waves, progress over all of them, one
//! burndown across them, and what the next wave waits for).

use crate::api::plans::{load_plan, load_plans, preview_plan};
use crate::components::burndown::OrgTrend;
use crate::components::dates::When;
use crate::components::error_view::{set_status, ErrorView};
use crate::components::params::{org_param, org_text, url_state};
use crate::components::streaming::pending;
use crate::domain::plan::{PlanForm, PlanPage, PlanPreview, PlansPage, Split, WAVE_MAX};
use crate::domain::{paths, OrgLogin};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params;
use leptos_router::params::Params;

#[component]
pub fn PlansListPage() -> impl IntoView {
    let org = org_param();
    let data = Resource::new(
        move || org.get(),
        |org| async move {
            let org = org?;
            let page = load_plans(org.clone()).await;
            Ok::<_, AppError>((org, page))
        },
    );
    let title = org_text(org);
    view! {
        <Title text=move || format!("Plans · {}", title())/>
        {pending(data, "Loading the plans…")}
        <Suspense fallback=|| ()>
            {move || data.get().map(|r| match r {
                Ok((org, Ok(page))) => view! { <PlansView org page/> }.into_any(),
                Ok((_, Err(error))) | Err(error) => view! { <ErrorView error/> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn PlansView(org: OrgLogin, page: PlansPage) -> impl IntoView {
    let rows = page
        .plans
        .iter()
        .map(|p| {
            let href = paths::plan(&org, p.id);
            view! {
                <tr>
                    <th scope="row"><a href=href class="plan-link">{p.name.clone()}</a></th>
                    <td class="num">{p.alerts.to_string()}</td>
                    <td class="num">{format!("{} of {}", p.published, p.waves)}</td>
                    <td>{p.status.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let slots = format!(
        "{} has {} of GitHub's 10 open campaigns.",
        org, page.open_campaigns
    );
    view! {
        <nav class="breadcrumbs" aria-label="Breadcrumbs">
            <a href=paths::org(&org)>{org.to_string()}</a> " / Plans"
        </nav>
        <h1>"Plans"</h1>
        <p class="lead">
            "A plan holds more alerts than one campaign may (GitHub allows 1,000), split into waves. "
            "Each wave is published as a campaign when the one before it is closed, far enough closed, or due, "
            "as long as the org has a free slot."
        </p>
        {if page.plans.is_empty() {
            view! { <p class="empty">"No plan yet."</p> }.into_any()
        } else {
            view! {
                <table class="audit plans">
                    <thead>
                        <tr>
                            <th scope="col">"Plan"</th>
                            <th scope="col" class="num">"Alerts"</th>
                            <th scope="col" class="num">"Waves published"</th>
                            <th scope="col">"Next wave"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            }.into_any()
        }}
        <h2 id="new-plan">"A new plan"</h2>
        <p class="muted">{slots}</p>
        <PlanFields org form=PlanForm::default() templates=page.templates drafts=page.drafts refused=None/>
    }
}

/// The plan form: a plain GET form whose answer is the preview of its waves.
#[component]
fn PlanFields(
    org: OrgLogin,
    form: PlanForm,
    templates: Vec<String>,
    /// Drafts: id, name, alerts picked.
    drafts: Vec<(i64, String, usize)>,
    refused: Option<AppError>,
) -> impl IntoView {
    let message = |field: &str| refused.as_ref().and_then(|e| e.field_message(field));
    let field = move |id: &'static str,
                      name: &'static str,
                      label: &'static str,
                      value: String,
                      hint: &'static str| {
        let m = message(name);
        let error_id = format!("{id}-error");
        let invalid = m.is_some();
        view! {
            <label for=id>{label}
                <input type="text" id=id name=name value=value aria-invalid=invalid.then_some("true")
                    aria-describedby=invalid.then(|| error_id.clone())/>
            </label>
            {(!hint.is_empty()).then(|| view! { <small class="muted">{hint}</small> })}
            {m.map(|m| view! { <p class="field-error" id=error_id role="alert">{m}</p> })}
        }
    };
    let chosen_split = if form.split.is_empty() {
        "repository".to_owned()
    } else {
        form.split.clone()
    };
    let chosen_when = if form.publish_when.is_empty() {
        "closed".to_owned()
    } else {
        form.publish_when.clone()
    };
    let template = form.template.clone();
    let draft = form.draft.clone();
    let select_error =
        |name: &str| message(name).map(|m| view! { <p class="field-error" role="alert">{m}</p> });
    view! {
        <form method="get" action=paths::new_plan(&org) class="plan-form stacked">
            {field("plan-name", "name", "Name", form.name.clone(), "At most 36 characters: each wave's campaign is named “name · wave 2/3”.")}
            {field("plan-description", "description", "Description", form.description.clone(), "")}
            <fieldset>
                <legend>"Alerts"</legend>
                <label for="plan-draft">"Picked in a draft"
                    <select id="plan-draft" name="draft">
                        <option value="" selected=draft.is_empty()>"No draft: a template or the filter below"</option>
                        {drafts.into_iter().map(|(id, name, n)| {
                            let value = id.to_string();
                            let selected = value == draft;
                            view! { <option value=value selected=selected>{format!("{name} ({n} alerts)")}</option> }
                        }).collect_view()}
                    </select>
                </label>
                {select_error("draft")}
                <label for="plan-template">"From a template"
                    <select id="plan-template" name="template">
                        <option value="" selected=template.is_empty()>"No template: the filter below"</option>
                        {templates.into_iter().map(|t| {
                            let selected = t == template;
                            view! { <option value=t.clone() selected=selected>{t.clone()}</option> }
                        }).collect_view()}
                    </select>
                </label>
                {select_error("template")}
                {field("plan-q", "q", "Text (rule, path or repository)", form.q.clone(), "")}
                {field("plan-severity", "severity", "Severity", form.severity.clone(), "e.g. critical+high")}
                {field("plan-repo", "repo", "Repository", form.repo.clone(), "")}
            </fieldset>
            <fieldset>
                <legend>"Waves"</legend>
                <label for="plan-split">"Split"
                    <select id="plan-split" name="split">
                        {Split::ALL.map(|s| view! {
                            <option value=s.as_str() selected=chosen_split == s.as_str()>{s.label()}</option>
                        })}
                    </select>
                </label>
                {select_error("split")}
                {field("plan-wave-size", "wave_size", "Alerts a wave", if form.wave_size.is_empty() { WAVE_MAX.to_string() } else { form.wave_size.clone() }, "At most 1,000, GitHub's limit for a campaign.")}
                <label for="plan-when">"Publish the next wave"
                    <select id="plan-when" name="publish_when">
                        <option value="closed" selected=chosen_when == "closed">"When the wave before it is closed"</option>
                        <option value="share" selected=chosen_when == "share">"When a share of the wave before it is closed"</option>
                        <option value="due" selected=chosen_when == "due">"When the wave before it is due"</option>
                    </select>
                </label>
                {select_error("publish_when")}
                {field("plan-share", "share", "Share closed (percent)", if form.share.is_empty() { "80".to_owned() } else { form.share.clone() }, "Used with “a share closed”.")}
                {field("plan-cadence", "cadence_days", "Days to each wave's due date", if form.cadence_days.is_empty() { "30".to_owned() } else { form.cadence_days.clone() }, "")}
            </fieldset>
            {select_error("slots")}
            <button type="submit">"Preview the waves"</button>
        </form>
    }
}

#[component]
pub fn PlanNewPage() -> impl IntoView {
    let org = org_param();
    let form = url_state::<PlanForm>();
    let refused = {
        let query = leptos_router::hooks::use_query_map();
        Memo::new(move |_| query.with(|q| q.get("refused")))
    };
    let data = Resource::new(
        move || (org.get(), form.get()),
        |(org, form)| async move {
            let org = org?;
            let (preview, list) = futures_util::join!(
                preview_plan(org.clone(), form.clone()),
                load_plans(org.clone())
            );
            let (templates, drafts) = list.map(|l| (l.templates, l.drafts)).unwrap_or_default();
            Ok::<_, AppError>((org, form, preview, templates, drafts))
        },
    );
    view! {
        <Title text="A new plan"/>
        {pending(data, "Working out the waves…")}
        <Suspense fallback=|| ()>
            {move || data.get().map(|r| match r {
                Err(error) => view! { <ErrorView error/> }.into_any(),
                Ok((org, form, Ok(preview), _, _)) => {
                    let refused = refused.get().map(|field| view! {
                        <p class="notice error" role="alert">
                            {format!("The plan was not kept: GitHub or the app refused it ({field}). Preview again.")}
                        </p>
                    });
                    view! { {refused} <PreviewView org form preview/> }.into_any()
                }
                Ok((org, form, Err(refused @ AppError::Invalid { .. }), templates, drafts)) => {
                    set_status(refused.status_code());
                    view! {
                        <h1>"A new plan"</h1>
                        <p class="notice error" role="alert">{refused.to_string()} " Nothing was kept."</p>
                        <PlanFields org form templates drafts refused=Some(refused.clone())/>
                    }.into_any()
                }
                Ok((_, _, Err(error), _, _)) => view! { <ErrorView error/> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn PreviewView(org: OrgLogin, form: PlanForm, preview: PlanPreview) -> impl IntoView {
    let n = preview.waves.len();
    let title = format!(
        "{} alerts in {n} wave{}",
        preview.total,
        if n == 1 { "" } else { "s" }
    );
    let hidden = crate::domain::url_state::UrlState::pairs(&form)
        .into_iter()
        .map(|(k, v)| view! { <input type="hidden" name=k value=v/> })
        .collect_view();
    let rule = format!(
        "The first wave is published now; each next one {}, each due {} days after it is published.",
        preview.publish_when.describe(),
        preview.cadence_days
    );
    let back = format!(
        "{}{}",
        paths::plans(&org),
        crate::domain::url_state::UrlState::query_string(&form)
    );
    view! {
        <Title text=title.clone()/>
        <nav class="breadcrumbs" aria-label="Breadcrumbs">
            <a href=paths::plans(&org)>{org.to_string()} " plans"</a> " / A new plan"
        </nav>
        <h1>{title}</h1>
        <p id="plan-rule">{rule}</p>
        <table class="audit waves" id="plan-waves">
            <caption class="muted">{preview.split.label()}</caption>
            <thead><tr><th scope="col">"Wave"</th><th scope="col">"Campaign"</th><th scope="col" class="num">"Alerts"</th></tr></thead>
            <tbody>
                {preview.waves.iter().enumerate().map(|(i, (name, size))| view! {
                    <tr><th scope="row">{(i + 1).to_string()}</th><td>{name.clone()}</td><td class="num">{size.to_string()}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
        <form method="post" action="/api/plans/create" class="plan-confirm">
            <input type="hidden" name="org" value=org.to_string()/>
            {hidden}
            <button type="submit" class="primary">"Keep the plan and publish wave 1"</button>
        </form>
        <p><a href=back>"Change the plan"</a></p>
    }
}

/// `/orgs/{org}/plans/{id}`
#[derive(Params, Debug, Clone, PartialEq)]
struct PlanParams {
    org: OrgLogin,
    id: i64,
}

#[component]
pub fn PlanDetailPage() -> impl IntoView {
    let params = use_params::<PlanParams>();
    let data = Resource::new(
        move || params.get().map_err(|_| AppError::NotFound),
        |params| async move {
            let PlanParams { org, id } = params?;
            let page = load_plan(org.clone(), id).await;
            Ok::<_, AppError>((org, page))
        },
    );
    view! {
        <Title text="Plan"/>
        {pending(data, "Loading the plan…")}
        <Suspense fallback=|| ()>
            {move || data.get().map(|r| match r {
                Ok((org, Ok(page))) => view! { <PlanView org page/> }.into_any(),
                Ok((_, Err(error))) | Err(error) => view! { <ErrorView error/> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn PlanView(org: OrgLogin, page: PlanPage) -> impl IntoView {
    let plan = page.plan;
    let (total, closed) = (plan.total(), plan.closed());
    let percent = closed * 100 / (total as i64).max(1);
    let status = (!plan.status.is_empty()).then(|| {
        let class = if plan.failed {
            "notice error"
        } else {
            "notice"
        };
        let role = if plan.failed { "alert" } else { "status" };
        view! { <p class=class role=role id="plan-status">{plan.status.clone()}</p> }
    });
    let rows =
        plan.waves
            .iter()
            .map(|w| {
                let campaign = match w.campaign {
                    Some(n) => view! { <a href=paths::campaign(&org, n)>"#" {n.to_string()}</a> }
                        .into_any(),
                    None => view! { <span class="muted">"Not published"</span> }.into_any(),
                };
                let state = match (w.campaign, w.closed) {
                    (None, _) => "waiting",
                    (Some(_), true) => "closed",
                    (Some(_), false) => "open",
                };
                view! {
                    <tr>
                        <th scope="row">{w.wave.to_string()}</th>
                        <td>{campaign}</td>
                        <td>{state}</td>
                        <td class="num">{format!("{} of {}", w.closed_alerts(), w.size)}</td>
                        <td>{w.due_at.map(|at| view! { <When at/> })}</td>
                    </tr>
                }
            })
            .collect_view();
    let check = paths::plan(&org, plan.id);
    let summary = format!(
        "{closed} of {total} alerts closed ({percent}%) over {} waves.",
        plan.waves.len()
    );
    view! {
        <Title text=format!("{} · plan", plan.name)/>
        <nav class="breadcrumbs" aria-label="Breadcrumbs">
            <a href=paths::plans(&org)>{org.to_string()} " plans"</a> " / " {plan.name.clone()}
        </nav>
        <h1>{plan.name.clone()}</h1>
        {(!plan.description.is_empty()).then(|| view! { <p>{plan.description.clone()}</p> })}
        <p id="plan-progress"><strong>{summary}</strong></p>
        <p class="muted">{format!(
            "{}; waves of at most {}, each next one published {}, due {} days after. Planned by {}.",
            plan.split.label(), plan.wave_size, plan.publish_when.describe(), plan.cadence_days, plan.created_by
        )}</p>
        {status}
        <table class="audit waves" id="plan-waves">
            <thead>
                <tr>
                    <th scope="col">"Wave"</th>
                    <th scope="col">"Campaign"</th>
                    <th scope="col">"State"</th>
                    <th scope="col" class="num">"Closed"</th>
                    <th scope="col">"Due"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        {plan.next_wave().is_some().then(|| view! {
            <form method="post" action="/api/plans/check" class="plan-check">
                <input type="hidden" name="org" value=org.to_string()/>
                <input type="hidden" name="id" value=plan.id.to_string()/>
                <button type="submit">"Check the next wave now"</button>
                <span class="muted">" The app checks every five minutes by itself."</span>
            </form>
        })}
        <h2>"Burndown across the waves"</h2>
        <OrgTrend history=page.burndown/>
        <p><a href=check>"Reload"</a></p>
    }
}
