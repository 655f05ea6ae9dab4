//! `/orgs/{org}/campaigns`: the campaign table. Filter, sort, page and page size live in the query
//! string, so a copied link reproduces the view; everything works as plain GET forms and links.

use crate::api::campaigns::list_campaigns;
use crate::api::drafts::list_drafts;
use crate::components::campaigns_table::{campaigns_table, Column};
use crate::components::drafts::Drafts;
use crate::components::error_view::or_error;
use crate::components::params::{org_param, org_text, url_state};
use crate::components::streaming::pending;
use crate::domain::campaign::{CampaignPage, PageNumbers};
use crate::domain::list_view::{Choice, Direction, ListView, PageSize, SortKey, StateFilter};
use crate::domain::{paths, CampaignNumber, OrgLogin};
use chrono::Utc;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn CampaignListPage() -> impl IntoView {
    let org = org_param();
    let query = use_query_map();
    let view = url_state::<ListView>();
    let deleted = move || {
        query.with(|q| {
            q.get("deleted")
                .and_then(|n| CampaignNumber::parse(&n).ok())
        })
    };
    let discarded = move || {
        query.with(|q| {
            q.get("discarded")
                .and_then(|n| crate::domain::draft::DraftId::parse(&n).ok())
        })
    };
    let campaigns = Resource::new(
        move || (org.get(), view.get()),
        |(org, view)| async move {
            let org = org?;
            // The list first: GitHub's answer to it is the role check the drafts need.
            let page = list_campaigns(org.clone(), view).await?;
            let drafts = list_drafts(org.clone()).await;
            Ok::<_, crate::error::AppError>((org, view, page, drafts))
        },
    );
    let org_text = org_text(org);

    view! {
        <Title text=move || format!("Campaigns · {}", org_text())/>
        <div class="page-head">
            <h1>"Campaigns " <span class="muted">"in " {org_text}</span></h1>
            {move || org.get().ok().map(|o| view! {
                <a class="button" href=paths::org(&o)>"Overview"</a>
                <a class="button" href=paths::audit_log(&o)>"Audit log"</a>
                <a class="button primary" href=paths::new_campaign(&o)>"New campaign"</a>
            })}
        </div>
        {move || deleted().map(|number| view! {
            <p class="notice success" role="status">{format!("Campaign #{number} was deleted.")}</p>
        })}
        {move || discarded().map(|id| view! {
            <p class="notice success" role="status">{format!("Draft {id} was discarded.")}</p>
        })}
        {move || org.get().ok().map(|o| view! { <Filters org=o view=view.into()/> })}

        {pending(campaigns, "Loading campaigns…")}
        <Suspense fallback=|| ()>
            {move || campaigns.get().map(|r| or_error(r, |(org, view, page, drafts)| view! {
                <CampaignTable org=org.clone() view page/>
                <Drafts org drafts/>
            }))}
        </Suspense>
    }
}

/// A plain GET form: works without JavaScript, and its result is a shareable URL.
#[component]
fn Filters(org: OrgLogin, view: Signal<ListView>) -> impl IntoView {
    view! {
        <form class="filters" method="get" action=paths::campaigns(&org)>
            {list_select::<StateFilter>(view, "State", "state", |v| v.state)}
            {list_select::<SortKey>(view, "Sort by", "sort", |v| v.sort)}
            {list_select::<Direction>(view, "Order", "direction", |v| v.direction)}
            {list_select::<PageSize>(view, "Per page", "per_page", |v| v.per_page)}
            <button type="submit">"Apply"</button>
            // Every campaign in the chosen state, not only this page's, with its counts.
            {["csv", "json"].map(|format| {
                let label = format!("Download {}", format.to_uppercase());
                let file = paths::campaigns_file(&org, format);
                let href = move || format!("{file}?state={}", view.get().state.value());
                view! { <a href=href download>{label}</a> }
            })}
        </form>
    }
}

/// One select of the list's filter form: every value of `C`, the current one selected.
fn list_select<C: Choice + Send + Sync>(
    view: Signal<ListView>,
    label: &'static str,
    name: &'static str,
    current: fn(&ListView) -> C,
) -> impl IntoView {
    view! {
        <label>
            {label} " "
            <select name=name>
                {move || {
                    let cur = view.with(current);
                    C::ALL
                        .iter()
                        .map(|c| view! { <option value=c.value() selected=cur == *c>{c.label()}</option> })
                        .collect_view()
                }}
            </select>
        </label>
    }
}

/// The list's columns after the name.
const COLUMNS: &[Column] = &[
    Column::State,
    Column::Managers,
    Column::Due,
    Column::Created,
    Column::Updated,
    Column::Progress,
];

#[component]
fn CampaignTable(org: OrgLogin, view: ListView, page: CampaignPage) -> impl IntoView {
    if page.campaigns.is_empty() {
        let new_href = paths::new_campaign(&org);
        let what = match view.state {
            StateFilter::Open => "open campaigns",
            StateFilter::Closed => "closed campaigns",
            StateFilter::All => "campaigns",
        };
        return view! {
            <div class="empty-state">
                <p><strong>"No " {what} " here yet."</strong></p>
                <p>"A campaign gathers code-scanning alerts with an owner and a due date."</p>
                <a class="button primary" href=new_href>"New campaign"</a>
            </div>
        }
        .into_any();
    }
    let caption = format!("Campaigns of {org}");
    view! {
        {campaigns_table(&org, caption, COLUMNS, page.campaigns, Utc::now())}
        <Pagination org view pages=page.pages/>
    }
    .into_any()
}

#[component]
fn Pagination(org: OrgLogin, view: ListView, pages: PageNumbers) -> impl IntoView {
    if pages.prev.is_none() && pages.next.is_none() {
        return ().into_any();
    }
    let current = view.page;
    let last = pages
        .last
        .or(pages.next.map(|_| current + 1))
        .unwrap_or(current);
    let list = paths::campaigns(&org);
    let link = move |n: u32| format!("{list}{}", view.query_for_page(n));
    view! {
        <nav class="pagination" aria-label="Pages">
            {pages.first.map(|n| view! { <a href=link(n) rel="first">"« First"</a> })}
            {pages.prev.map(|n| view! { <a href=link(n) rel="prev">"‹ Previous"</a> })}
            <span aria-current="page">{format!("Page {current} of {}", last.max(current))}</span>
            {pages.next.map(|n| view! { <a href=link(n) rel="next">"Next ›"</a> })}
            {pages.last.map(|n| view! { <a href=link(n) rel="last">"Last »"</a> })}
        </nav>
    }
    .into_any()
}
