//! `/orgs/{org}/campaigns/{number}/alerts`: which alerts are in the campaign, which are fixed or
//! dismissed, and which repositories are behind. Filters, order and page live in the query string
//! (a plain GET form), so a link shows the same view, with or without JavaScript; the same filter
//! downloads as CSV or JSON.

use crate::api::campaign_alerts::load_campaign_alerts;
use crate::components::dates::When;
use crate::components::error_view::{set_status, ErrorView};
use crate::components::params::{campaign_params, campaign_title, url_state, CampaignParams};
use crate::components::progress_bar::{ProgressBar, SegmentedBar};
use crate::components::streaming::pending;
use crate::domain::campaign_alerts::{
    AlertsFilter, CampaignAlert, CampaignAlerts, LiveState, RepoProgress, RepoSort, SEVERITIES,
};
use crate::domain::triage::{alert_key, TriageKind, COMMENT_MAX, DISMISS_REASONS};
use crate::domain::{paths, CampaignNumber, OrgLogin};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn CampaignAlertsPage() -> impl IntoView {
    let params = campaign_params();
    let filter = url_state::<AlertsFilter>();
    let data = Resource::new(
        move || (params.get(), filter.get()),
        |(params, filter)| async move {
            let CampaignParams { org, number } = params?;
            let result = load_campaign_alerts(org.clone(), number, filter.clone()).await;
            Ok::<_, AppError>((org, number, filter, result))
        },
    );
    view! {
        <Title text=campaign_title(params)/>
        {pending(data, "Loading the campaign's alerts…")}
        <Suspense fallback=|| ()>
            {move || data.get().map(|r| match r {
                Err(error) => view! { <ErrorView error/> }.into_any(),
                Ok((org, number, filter, result)) => view! { <AlertsView org number filter result/> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn AlertsView(
    org: OrgLogin,
    number: CampaignNumber,
    filter: AlertsFilter,
    result: Result<CampaignAlerts, AppError>,
) -> impl IntoView {
    let data = match result {
        Ok(data) => data,
        Err(refused @ AppError::Invalid { .. }) => {
            // The form comes back with the messages next to the fields; the status says so too.
            set_status(refused.status_code());
            return view! {
                <Title text=format!("Alerts · #{number}")/>
                <h1>"Alerts of campaign #" {number.to_string()}</h1>
                <Filters org number filter data=None refused=Some(refused)/>
            }
            .into_any();
        }
        Err(error) => return view! { <ErrorView error/> }.into_any(),
    };
    let c = &data.campaign;
    let detail = paths::campaign(&org, number);
    let freshness = match data.synced_at {
        Some(at) => view! {
            "Their states are as GitHub listed them at " <When at with_time=true/>
            " (the app's alert index)."
        }
        .into_any(),
        None => "Their states are read from GitHub now.".into_any(),
    };
    let origin = match &data.record {
        Some(r) => view! {
            <p class="muted" id="alert-freshness">
                "Created in campaigns-admin by " <b>{r.created_by.clone()}</b> " "
                <When at=r.created_at with_time=true/> ", with " {r.alerts.to_string()} " alerts. "
                {freshness}
            </p>
        }
        .into_any(),
        None => view! {
            <p class="notice" role="status">
                "Created outside campaigns-admin: GitHub shares only its counts, so its alerts are unknown here. "
                "The counts and their history are on the "<a href=detail.clone()>"campaign's page"</a>"."
            </p>
        }
        .into_any(),
    };
    let unreadable = (!data.unreadable.is_empty()).then(|| {
        let names = data.unreadable.join(", ");
        view! {
            <p class="notice error" role="alert">
                "GitHub would not list the alerts of " {names}
                " right now; their alerts show as unknown. Reload the page to try again."
            </p>
        }
    });
    view! {
        <Title text=format!("Alerts · {}", c.name)/>
        <nav class="breadcrumbs" aria-label="Breadcrumbs">
            <a href=paths::campaigns(&org)>{org.to_string()} " campaigns"</a>
            " / " <a href=detail.clone()>"#" {number.to_string()} " " {c.name.clone()}</a>
            " / Alerts"
        </nav>
        <h1>"Alerts of " {c.name.clone()}</h1>
        <CampaignTabs org=org.clone() number current=CampaignTab::Alerts/>
        {origin}
        {c.progress.map(|p| view! { <ProgressBar progress=p detailed=true/> })}
        {unreadable}
        <Filters org=org.clone() number filter=filter.clone() data=Some(data.clone()) refused=None/>
        {(data.record.is_some()).then(|| view! {
            <RepoTable org=org.clone() number filter=filter.clone() repos=data.repos.clone()/>
            <TriagePanel org=org.clone() number filter=filter.clone() matching=data.matching
                shown=data.alerts.len() values=TriageValues::default()/>
            <AlertTable org number filter data/>
        })}
    }
    .into_any()
}

/// A campaign's two views.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CampaignTab {
    Overview,
    Alerts,
}

/// The campaign's two views, as tabs that are plain links.
#[component]
pub fn CampaignTabs(org: OrgLogin, number: CampaignNumber, current: CampaignTab) -> impl IntoView {
    let tab = |href: String, this: CampaignTab, label: &'static str| {
        let here = (this == current).then_some("page");
        view! { <a href=href aria-current=here>{label}</a> }
    };
    view! {
        <nav class="tabs" aria-label="Campaign views">
            {tab(paths::campaign(&org, number), CampaignTab::Overview, "Overview")}
            {tab(paths::campaign_alerts(&org, number), CampaignTab::Alerts, "Alerts and repositories")}
        </nav>
    }
}

/// A plain GET form: works without JavaScript, and its result is a shareable URL.
#[component]
fn Filters(
    org: OrgLogin,
    number: CampaignNumber,
    filter: AlertsFilter,
    data: Option<CampaignAlerts>,
    refused: Option<AppError>,
) -> impl IntoView {
    let message = |field: &str| {
        refused
            .as_ref()
            .and_then(|e| e.field_message(field))
            .map(|m| m.to_string())
    };
    let repos: Vec<String> = data
        .as_ref()
        .map(|d| {
            let mut names: Vec<String> = d.repos.iter().map(|r| r.repository.clone()).collect();
            names.sort();
            names
        })
        .unwrap_or_default();
    let rules = data.as_ref().map(|d| d.rules.clone()).unwrap_or_default();
    let mut assignees: Vec<(String, String)> = vec![
        ("mine".to_owned(), "Assigned to me".to_owned()),
        ("nobody".to_owned(), "Nobody".to_owned()),
    ];
    let people = data
        .as_ref()
        .map(|d| d.assignees.clone())
        .unwrap_or_default();
    assignees.extend(people.into_iter().map(|l| (l.clone(), l)));
    let sorts: Vec<(String, String)> = RepoSort::ALL
        .into_iter()
        .map(|s| (s.value().to_owned(), s.label().to_owned()))
        .collect();
    let owned = |list: &[&str]| {
        list.iter()
            .map(|s| ((*s).to_owned(), (*s).to_owned()))
            .collect()
    };
    let pairs = |list: Vec<String>| list.into_iter().map(|s| (s.clone(), s)).collect();
    let here = paths::campaign_alerts(&org, number);
    let action = here.clone();
    let query = filter.query_on(1);
    let files = [("csv", "Download CSV"), ("json", "Download JSON")].map(|(format, label)| {
        let href = format!(
            "{}{query}",
            paths::campaign_alerts_file(&org, number, format)
        );
        view! { <a href=href download>{label}</a> }
    });
    view! {
        <form class="filters" method="get" action=action>
            <Choice id="alerts-repo" name="repo" label="Repository" any="Any repository" options=pairs(repos)
                chosen=filter.repo.clone() message=message("repo")/>
            <Choice id="alerts-state" name="state" label="State" any="Any state" options=owned(&LiveState::CHOSEN.map(LiveState::as_str))
                chosen=filter.state.clone() message=message("state")/>
            <Choice id="alerts-severity" name="severity" label="Severity" any="Any severity" options=owned(&SEVERITIES)
                chosen=filter.severity.clone() message=message("severity")/>
            <Choice id="alerts-rule" name="rule" label="Rule" any="Any rule" options=pairs(rules)
                chosen=filter.rule.clone() message=message("rule")/>
            <Choice id="alerts-assignee" name="assignee" label="Assignee" any="Anyone or nobody" options=assignees
                chosen=filter.assignee.clone() message=message("assignee")/>
            <Choice id="alerts-sort" name="sort" label="Repositories" any="Most behind first" options=sorts
                chosen=filter.sort.clone() message=message("sort")/>
            {message("page").map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            <button type="submit">"Filter"</button>
            <a href=here>"Clear"</a>
            {files}
        </form>
    }
}

/// One labelled select of the filter form. A chosen value that is not among the options (a
/// refused one, typed into the address) is kept, so nothing typed is lost.
#[component]
fn Choice(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    any: &'static str,
    options: Vec<(String, String)>,
    chosen: String,
    /// Why the typed value was refused.
    message: Option<String>,
) -> impl IntoView {
    let chosen = chosen.trim().to_owned();
    let mut options = options;
    if !chosen.is_empty() && !options.iter().any(|(v, _)| *v == chosen) {
        options.push((chosen.clone(), chosen.clone()));
    }
    let error_id = format!("alerts-{name}-error");
    let invalid = message.is_some();
    let described = invalid.then(|| error_id.clone());
    let message =
        message.map(|m| view! { <p class="field-error" id=error_id role="alert">{m}</p> });
    view! {
        <label for=id>{label}</label>
        <select id=id name=name aria-invalid=invalid.then_some("true") aria-describedby=described>
            <option value="" selected=chosen.is_empty()>{any}</option>
            {options.into_iter().map(|(value, text)| {
                let selected = value == chosen;
                view! { <option value=value selected=selected>{text}</option> }
            }).collect_view()}
        </select>
        {message}
    }
}

#[component]
fn RepoTable(
    org: OrgLogin,
    number: CampaignNumber,
    filter: AlertsFilter,
    repos: Vec<RepoProgress>,
) -> impl IntoView {
    let here = paths::campaign_alerts(&org, number);
    // A repository's alerts: the filter with that repository (to act on them all at once).
    let only = move |repo: &str| {
        let f = AlertsFilter {
            repo: repo.to_owned(),
            page: String::new(),
            ..filter.clone()
        };
        format!("{here}{}#triage", f.query_on(1))
    };
    view! {
        <section aria-labelledby="repos-title">
            <h2 id="repos-title">"Progress by repository"</h2>
            <table class="audit repos">
                <thead>
                    <tr>
                        <th scope="col">"Repository"</th>
                        <th scope="col">"Progress"</th>
                        <th scope="col" class="num">"Open"</th>
                        <th scope="col" class="num">"Fixed"</th>
                        <th scope="col" class="num">"Dismissed"</th>
                        <th scope="col"><span class="visually-hidden">"Act on"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {repos.into_iter().map(|r| view! {
                        <tr>
                            <th scope="row">{r.repository.clone()}</th>
                            <td><RepoBar r=r.clone()/></td>
                            <td class="num">{r.open.to_string()}</td>
                            <td class="num">{r.fixed.to_string()}</td>
                            <td class="num">{r.dismissed.to_string()}</td>
                            <td>
                                <a href=only(&r.repository)>
                                    "Its alerts"
                                    <span class="visually-hidden">" of " {r.repository.clone()}</span>
                                </a>
                            </td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

/// Fixed (green), dismissed (grey), open (red), with the share done.
#[component]
fn RepoBar(r: RepoProgress) -> impl IntoView {
    let done = (r.fixed + r.dismissed) * 100 / r.total().max(1);
    let label = format!(
        "{done}% done: {} fixed, {} dismissed, {} open",
        r.fixed, r.dismissed, r.open
    );
    let segments = vec![
        ("closed", r.fixed),
        ("dismissed", r.dismissed),
        ("open", r.open),
    ];
    view! { <SegmentedBar segments percent=done label/> }
}

#[component]
fn AlertTable(
    org: OrgLogin,
    number: CampaignNumber,
    filter: AlertsFilter,
    data: CampaignAlerts,
) -> impl IntoView {
    let here = paths::campaign_alerts(&org, number);
    let pages = data.pages();
    let newer = (data.page > 1).then(|| format!("{here}{}", filter.query_on(data.page - 1)));
    let older = (data.page < pages).then(|| format!("{here}{}", filter.query_on(data.page + 1)));
    let heading = format!(
        "{} alert{} match",
        data.matching,
        if data.matching == 1 { "" } else { "s" }
    );
    view! {
        <section aria-labelledby="alerts-title">
            <h2 id="alerts-title">{heading}</h2>
            {if data.alerts.is_empty() {
                view! { <p class="empty">"No alert of this campaign matches."</p> }.into_any()
            } else {
                view! {
                    <table class="audit alerts">
                        <thead>
                            <tr>
                                <th scope="col"><span class="visually-hidden">"Choose"</span></th>
                                <th scope="col">"Alert"</th>
                                <th scope="col">"Rule"</th>
                                <th scope="col">"Severity"</th>
                                <th scope="col">"State"</th>
                                <th scope="col">"Closed"</th>
                                <th scope="col">"Assignees"</th>
                                <th scope="col">"Where"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {data.alerts.into_iter().map(|a| view! { <AlertRow a/> }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            <nav class="pager" aria-label="Pages">
                {newer.map(|href| view! { <a href=href rel="prev">"Previous"</a> })}
                " Page " {data.page.to_string()} " of " {pages.to_string()} " "
                {older.map(|href| view! { <a href=href rel="next">"Next"</a> })}
            </nav>
        </section>
    }
}

#[component]
fn AlertRow(a: CampaignAlert) -> impl IntoView {
    let name = format!("{} #{}", a.repository, a.number);
    let alert = if a.html_url.is_empty() {
        view! { <span>{name}</span> }.into_any()
    } else {
        view! { <a href=a.html_url.clone() rel="noopener noreferrer" target="_blank">{name}</a> }
            .into_any()
    };
    let state = match &a.dismissed_reason {
        Some(reason) if a.state == LiveState::Dismissed => format!("dismissed ({reason})"),
        _ => a.state.as_str().to_owned(),
    };
    let closed = a.fixed_at.or(a.dismissed_at);
    let place = match a.line {
        Some(line) if !a.path.is_empty() => format!("{}:{line}", a.path),
        _ => a.path.clone(),
    };
    let key = alert_key(&a.repository, a.number);
    let check_id = format!("alert-{}", key.replace(['/', '#', '.'], "-"));
    let check_label = format!("Choose {} #{}", a.repository, a.number);
    let assignees = if a.assignees.is_empty() {
        view! { <span class="muted">"Nobody"</span> }.into_any()
    } else {
        a.assignees.join(", ").into_any()
    };
    view! {
        <tr>
            <td>
                <input type="checkbox" form="triage" name="alert" value=key id=check_id.clone()
                    class="triage-check" aria-label=check_label/>
            </td>
            <td>{alert}</td>
            <td><code>{a.rule_id.clone()}</code> " " {a.rule_name.clone()}</td>
            <td>{a.severity.clone()}</td>
            <td><span class=format!("alert-state {}", a.state.as_str())>{state}</span></td>
            <td>{closed.map(|t| view! { <When at=t with_time=true/> })}</td>
            <td class="assignees">{assignees}</td>
            <td><code>{place}</code></td>
        </tr>
    }
}

/// What a triage form shows filled in: the values typed, and why the last ones were refused.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TriageValues {
    pub action: String,
    pub assignee: String,
    pub reason: String,
    pub comment: String,
    pub scope: String,
    /// The checked alerts, when the form is shown away from the list (hidden inputs).
    pub alerts: Vec<String>,
    pub refused: Option<AppError>,
}

/// The triage form: a plain GET form whose answer is the preview page (a link, changing
/// nothing). The list's checkboxes belong to it (`form="triage"`); or it takes every alert
/// that matches the filter, whose values it carries.
#[component]
pub fn TriagePanel(
    org: OrgLogin,
    number: CampaignNumber,
    filter: AlertsFilter,
    /// Alerts that match the filter, and those shown on this page.
    matching: usize,
    shown: usize,
    values: TriageValues,
) -> impl IntoView {
    let people = Resource::new(
        {
            let org = org.clone();
            move || org.clone()
        },
        crate::api::triage::load_assignable,
    );
    let message = |field: &str| values.refused.as_ref().and_then(|e| e.field_message(field));
    let field_error = |id: &'static str, m: Option<String>| {
        m.map(|m| view! { <p class="field-error" id=id role="alert">{m}</p> })
    };
    let (alert_msg, action_msg, assignee_msg, reason_msg, comment_msg) = (
        message("alert").or_else(|| message("scope")),
        message("action"),
        message("assignee"),
        message("reason"),
        message("comment"),
    );
    let hidden = [
        ("repo", filter.repo.clone()),
        ("state", filter.state.clone()),
        ("severity", filter.severity.clone()),
        ("rule", filter.rule.clone()),
        ("assignee_filter", filter.assignee.clone()),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| view! { <input type="hidden" name=k value=v/> })
    .collect_view();
    let checked_alerts = values
        .alerts
        .iter()
        .map(|k| view! { <input type="hidden" name="alert" value=k.clone()/> })
        .collect_view();
    let matching_scope = values.scope == "matching";
    let action = |kind: TriageKind| {
        let id = format!("triage-action-{}", kind.as_str());
        let checked = values.action == kind.as_str();
        view! {
            <label for=id.clone() class="inline">
                <input type="radio" name="action" id=id.clone() value=kind.as_str() checked=checked
                    aria-describedby=action_msg.is_some().then_some("triage-action-error")/>
                " " {kind.label()}
            </label>
        }
    };
    let chosen_assignee = values.assignee.clone();
    let assignee_invalid = assignee_msg.is_some();
    let chosen_reason = values.reason.clone();
    let selection_text = format!(
        "Every alert that matches the filter ({matching}{})",
        if matching > shown {
            ", over all pages"
        } else {
            ""
        }
    );
    view! {
        <section aria-labelledby="triage-title" class="triage" id="triage-section">
            <h2 id="triage-title">"Act on alerts"</h2>
            <form id="triage" method="get" action=paths::campaign_triage(&org, number) class="filters triage-form">
                {hidden}
                {checked_alerts}
                <fieldset>
                    <legend>"Which alerts"</legend>
                    <label for="triage-scope-checked" class="inline">
                        <input type="radio" name="scope" id="triage-scope-checked" value="checked" checked=!matching_scope
                            aria-describedby=alert_msg.is_some().then_some("triage-alert-error")/>
                        " The alerts checked below"
                    </label>
                    <label for="triage-scope-matching" class="inline">
                        <input type="radio" name="scope" id="triage-scope-matching" value="matching" checked=matching_scope/>
                        " " {selection_text}
                    </label>
                    {field_error("triage-alert-error", alert_msg.clone())}
                </fieldset>
                <fieldset>
                    <legend>"What to do"</legend>
                    {TriageKind::ALL.map(action)}
                    {field_error("triage-action-error", action_msg.clone())}
                </fieldset>
                <label for="triage-assignee">"Assign to"
                    <Transition fallback=|| view! { <select id="triage-assignee" name="assignee" disabled=true><option>"Loading…"</option></select> }>
                        {move || {
                            let chosen = chosen_assignee.clone();
                            let invalid = assignee_invalid;
                            people.get().map(|r| {
                                let people = r.unwrap_or_default();
                                let known = chosen.is_empty() || chosen == "-" || people.iter().any(|p| p.login == chosen);
                                view! {
                                    <select id="triage-assignee" name="assignee" aria-invalid=invalid.then_some("true")
                                        aria-describedby=invalid.then_some("triage-assignee-error")>
                                        <option value="" selected=chosen.is_empty()>"Choose a member"</option>
                                        <option value="-" selected=chosen == "-">"Nobody (unassign)"</option>
                                        {people.into_iter().map(|p| {
                                            let selected = p.login == chosen;
                                            view! { <option value=p.login.clone() selected=selected>{p.login.clone()}</option> }
                                        }).collect_view()}
                                        {(!known).then(|| view! { <option value=chosen.clone() selected=true>{chosen.clone()}</option> })}
                                    </select>
                                }
                            })
                        }}
                    </Transition>
                </label>
                {field_error("triage-assignee-error", assignee_msg.clone())}
                <label for="triage-reason">"Dismiss as"
                    <select id="triage-reason" name="reason" aria-invalid=reason_msg.is_some().then_some("true")
                        aria-describedby=reason_msg.is_some().then_some("triage-reason-error")>
                        <option value="" selected=chosen_reason.is_empty()>"Choose a reason"</option>
                        {DISMISS_REASONS.map(|r| view! { <option value=r selected=chosen_reason == r>{r}</option> })}
                    </select>
                </label>
                {field_error("triage-reason-error", reason_msg.clone())}
                <label for="triage-comment">"Dismissal comment"
                    <input type="text" id="triage-comment" name="comment" maxlength=COMMENT_MAX.to_string()
                        value=values.comment.clone() aria-invalid=comment_msg.is_some().then_some("true")
                        aria-describedby=comment_msg.is_some().then_some("triage-comment-error")/>
                </label>
                {field_error("triage-comment-error", comment_msg.clone())}
                <button type="submit">"Preview"</button>
            </form>
            <p class="muted">"Nothing changes until you confirm on the next page, which lists every alert the action would change."</p>
        </section>
    }
}
