//! `/orgs/{org}`: the org at a glance, where choosing an org leads. Its open campaigns with their
//! progress (overdue and due within 7 days first), what they add up to, who runs them, and the
//! org's alerts not yet closed over time, from one GitHub list call and the app's own snapshots.

use crate::api::drafts::list_drafts;
use crate::api::overview::load_org_overview;
use crate::components::burndown::OrgTrend;
use crate::components::campaigns_table::{campaigns_table, Column};
use crate::components::drafts::Drafts;
use crate::components::error_view::or_error;
use crate::components::params::{org_param, org_text};
use crate::components::streaming::pending;
use crate::domain::draft::DraftSummary;
use crate::domain::overview::{Load, OrgOverview, OPEN_LIMIT};
use crate::domain::{paths, OrgLogin};
use crate::error::AppError;
use chrono::Utc;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn OrgOverviewPage() -> impl IntoView {
    let org = org_param();
    let overview = Resource::new(
        move || org.get(),
        |org| async move {
            let org = org?;
            // The overview first: GitHub's answer to it is the role check the drafts need.
            let overview = load_org_overview(org.clone()).await?;
            let drafts = list_drafts(org.clone()).await;
            Ok::<_, crate::error::AppError>((org, overview, drafts))
        },
    );
    let org_text = org_text(org);
    view! {
        <Title text=move || format!("Overview · {}", org_text())/>
        <div class="page-head">
            <h1>{org_text} <span class="muted">" at a glance"</span></h1>
            {move || org.get().ok().map(|o| view! {
                <a class="button" href=paths::campaigns(&o)>"All campaigns"</a>
                <a class="button" href=paths::audit_log(&o)>"Audit log"</a>
                <a class="button" href=paths::plans(&o)>"Plans (waves)"</a>
                <a class="button" href=paths::org_settings(&o)>"Settings"</a>
                <a class="button primary" href=paths::new_campaign(&o)>"New campaign"</a>
            })}
        </div>
        {pending(overview, "Loading the overview…")}
        <Suspense fallback=|| ()>
            {move || overview.get().map(|r| or_error(r, |(org, overview, drafts)| view! { <Overview org overview drafts/> }))}
        </Suspense>
    }
}

#[component]
fn Overview(
    org: OrgLogin,
    overview: OrgOverview,
    drafts: Result<Vec<DraftSummary>, AppError>,
) -> impl IntoView {
    let now = Utc::now();
    let t = overview.totals;
    let full = overview.campaigns.len() >= OPEN_LIMIT;
    view! {
        <ul class="stats" aria-label="The org's open campaigns in figures">
            <li class=if full { "stat full" } else { "stat" }>
                <strong id="open-limit">{overview.limit_text()}</strong>
                <span>{if full { "GitHub allows no more open campaigns" } else { "campaigns GitHub allows" }}</span>
            </li>
            <li class="stat"><strong>{overview.urgent(now)}</strong><span>"overdue or due within 7 days"</span></li>
            <li class="stat"><strong>{t.open}</strong><span>"open alerts"</span></li>
            <li class="stat"><strong>{t.in_progress}</strong><span>"in progress"</span></li>
            <li class="stat"><strong>{t.closed}</strong><span>"closed"</span></li>
        </ul>
        <section class="card" aria-labelledby="open-title">
            <h2 id="open-title">"Open campaigns"</h2>
            <OpenCampaigns org=org.clone() overview=overview.clone() now/>
        </section>
        <Drafts org=org.clone() drafts/>
        <div class="columns">
            <section class="card" aria-labelledby="managers-title">
                <h2 id="managers-title">"Per manager"</h2>
                <LoadTable who="Manager" loads=overview.managers/>
            </section>
            <section class="card" aria-labelledby="teams-title">
                <h2 id="teams-title">"Per team"</h2>
                <LoadTable who="Team" loads=overview.teams/>
            </section>
        </div>
        <section class="card" aria-labelledby="trend-heading">
            <h2 id="trend-heading">"Alerts not yet closed, over time"</h2>
            <OrgTrend history=overview.history/>
            <p class="muted">
                "Counted from what this app recorded each time a campaign was viewed here: GitHub "
                "keeps no history of a campaign's counts."
            </p>
        </section>
    }
}

/// The overview's columns after the name.
const COLUMNS: &[Column] = &[Column::Due, Column::Managers, Column::Progress];

#[component]
fn OpenCampaigns(
    org: OrgLogin,
    overview: OrgOverview,
    now: chrono::DateTime<Utc>,
) -> impl IntoView {
    if overview.campaigns.is_empty() {
        return view! {
            <div class="empty-state">
                <p><strong>"No open campaigns."</strong></p>
                <a class="button primary" href=paths::new_campaign(&org)>"New campaign"</a>
            </div>
        }
        .into_any();
    }
    let caption = "Open campaigns, overdue and due soon first".to_owned();
    campaigns_table(&org, caption, COLUMNS, overview.campaigns, now).into_any()
}

#[component]
fn LoadTable(who: &'static str, loads: Vec<Load>) -> impl IntoView {
    if loads.is_empty() {
        return view! { <p class="muted">"None of the open campaigns names one."</p> }.into_any();
    }
    view! {
        <table class="loads">
            <thead>
                <tr>
                    <th scope="col">{who}</th>
                    <th scope="col">"Open campaigns"</th>
                    <th scope="col">"Alerts not yet closed"</th>
                </tr>
            </thead>
            <tbody>
                {loads.into_iter().map(|l| view! {
                    <tr><td>{l.name}</td><td>{l.campaigns}</td><td>{l.remaining}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
