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
            <RepoTable repos=data.repos.clone()/>
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
fn RepoTable(repos: Vec<RepoProgress>) -> impl IntoView {
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
                                <th scope="col">"Alert"</th>
                                <th scope="col">"Rule"</th>
                                <th scope="col">"Severity"</th>
                                <th scope="col">"State"</th>
                                <th scope="col">"Closed"</th>
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
    view! {
        <tr>
            <td>{alert}</td>
            <td><code>{a.rule_id.clone()}</code> " " {a.rule_name.clone()}</td>
            <td>{a.severity.clone()}</td>
            <td><span class=format!("alert-state {}", a.state.as_str())>{state}</span></td>
            <td>{closed.map(|t| view! { <When at=t with_time=true/> })}</td>
            <td><code>{place}</code></td>
        </tr>
    }
}
