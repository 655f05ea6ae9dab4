//! `/orgs/{org}/campaigns`: the campaign table. Filter, sort, page and page size live in the query
//! string, so a copied link reproduces the view; everything works as plain GET forms and links.

use crate::api::campaigns::{list_campaigns, CampaignPage, CampaignView, ListView, PAGE_SIZES};
use crate::components::dates::{due_text, Due, When};
use crate::components::error_view::or_error;
use crate::components::progress_bar::ProgressBar;
use crate::domain::{CampaignNumber, OrgLogin};
use crate::error::AppError;
use chrono::Utc;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn CampaignListPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let org = move || params.with(|p| p.get("org").unwrap_or_default());
    let view = move || {
        query.with(|q| {
            let get = |k: &str| q.get(k).unwrap_or_default();
            ListView::parse(
                &get("state"),
                &get("sort"),
                &get("direction"),
                &get("page"),
                &get("per_page"),
            )
        })
    };
    let deleted = move || {
        query.with(|q| {
            q.get("deleted")
                .and_then(|n| CampaignNumber::parse(&n).ok())
        })
    };
    let campaigns = Resource::new(
        move || (org(), view()),
        |(org, view)| async move {
            // A malformed org never reaches GitHub.
            OrgLogin::parse(&org).map_err(|_| AppError::NotFound)?;
            list_campaigns(org, view).await
        },
    );

    view! {
        <Title text=move || format!("Campaigns · {}", org())/>
        <div class="page-head">
            <h1>"Campaigns " <span class="muted">"in " {org}</span></h1>
            <a class="button primary" href=move || format!("/orgs/{}/campaigns/new", org())>"New campaign"</a>
        </div>
        {move || deleted().map(|number| view! {
            <p class="notice success" role="status">{format!("Campaign #{number} was deleted.")}</p>
        })}
        <Filters org=Signal::derive(org) view=Signal::derive(view)/>
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading campaigns…"</p> }>
            {move || campaigns.get().map(|r| or_error(r, |page| view! { <CampaignTable org=org() view=view() page/> }))}
        </Suspense>
    }
}

/// A plain GET form: works without JavaScript, and its result is a shareable URL.
#[component]
fn Filters(org: Signal<String>, view: Signal<ListView>) -> impl IntoView {
    let fixed = |choices: &[(&str, &str)]| -> Vec<(String, String)> {
        choices
            .iter()
            .map(|(v, l)| ((*v).to_owned(), (*l).to_owned()))
            .collect()
    };
    let sizes = PAGE_SIZES
        .iter()
        .map(|n| (n.to_string(), n.to_string()))
        .collect();
    view! {
        <form class="filters" method="get" action=move || format!("/orgs/{}/campaigns", org.get())>
            {list_select(view, "State", "state", fixed(&[("open", "Open"), ("closed", "Closed"), ("all", "All")]), |v| v.state.clone())}
            {list_select(
                view,
                "Sort by",
                "sort",
                fixed(&[("created", "Created"), ("updated", "Updated"), ("ends_at", "Due date"), ("published", "Published")]),
                |v| v.sort.clone(),
            )}
            {list_select(
                view,
                "Order",
                "direction",
                fixed(&[("desc", "Newest / latest first"), ("asc", "Oldest / earliest first")]),
                |v| v.direction.clone(),
            )}
            {list_select(view, "Per page", "per_page", sizes, |v| v.per_page.to_string())}
            <button type="submit">"Apply"</button>
        </form>
    }
}

/// One select of the list's filter form: `choices` are (value, label), the current one selected.
fn list_select(
    view: Signal<ListView>,
    label: &'static str,
    name: &'static str,
    choices: Vec<(String, String)>,
    current: fn(&ListView) -> String,
) -> impl IntoView {
    view! {
        <label>
            {label} " "
            <select name=name>
                {move || {
                    let cur = view.with(current);
                    choices
                        .iter()
                        .map(|(value, text)| view! { <option value=value.clone() selected=cur == *value>{text.clone()}</option> })
                        .collect_view()
                }}
            </select>
        </label>
    }
}

#[component]
fn CampaignTable(org: String, view: ListView, page: CampaignPage) -> impl IntoView {
    if page.campaigns.is_empty() {
        let new_href = format!("/orgs/{org}/campaigns/new");
        let what = match view.state.as_str() {
            "open" => "open campaigns",
            "closed" => "closed campaigns",
            _ => "campaigns",
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
    let now = Utc::now();
    let rows = page
        .campaigns
        .into_iter()
        .map(|c| view! { <CampaignRow org=org.clone() c now/> })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="campaigns">
                <caption class="visually-hidden">"Campaigns of " {org.clone()}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"State"</th>
                        <th scope="col">"Managers"</th>
                        <th scope="col">"Due"</th>
                        <th scope="col">"Created"</th>
                        <th scope="col">"Updated"</th>
                        <th scope="col">"Progress"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <Pagination org view pages=page.pages/>
    }
    .into_any()
}

#[component]
fn CampaignRow(org: String, c: CampaignView, now: chrono::DateTime<Utc>) -> impl IntoView {
    let href = format!("/orgs/{org}/campaigns/{}", c.number);
    let due = Due::of(c.open, c.ends_at, now);
    view! {
        <tr>
            <td><a href=href class="campaign-link">{c.name.clone()}</a></td>
            <td><StateBadge open=c.open/></td>
            <td><Managers c=c.clone()/></td>
            <td>
                <When at=c.ends_at relative_text=due_text(c.open, c.ends_at, now)/>
                <span class=due.class()>{due.label()}</span>
            </td>
            <td><When at=c.created_at/></td>
            <td><When at=c.updated_at/></td>
            <td>{c.progress.map(|p| view! { <ProgressBar progress=p/> })}</td>
        </tr>
    }
}

#[component]
pub fn StateBadge(open: bool) -> impl IntoView {
    view! {
        <span class=if open { "badge open" } else { "badge closed" }>{if open { "Open" } else { "Closed" }}</span>
    }
}

#[component]
pub fn Managers(c: CampaignView) -> impl IntoView {
    view! {
        <ul class="managers">
            {c.managers.into_iter().map(|m| view! {
                <li class="person">
                    <img class="avatar" src=m.avatar_url alt="" width="20" height="20"/>
                    {m.login}
                </li>
            }).collect_view()}
            {c.team_managers.into_iter().map(|t| view! {
                <li class="team" title=format!("Team {}", t.slug)>"@" {t.name}</li>
            }).collect_view()}
        </ul>
    }
}

#[component]
fn Pagination(
    org: String,
    view: ListView,
    pages: crate::api::campaigns::PageNumbers,
) -> impl IntoView {
    if pages.prev.is_none() && pages.next.is_none() {
        return ().into_any();
    }
    let current = view.page;
    let last = pages
        .last
        .or(pages.next.map(|_| current + 1))
        .unwrap_or(current);
    let link = move |n: u32| format!("/orgs/{org}/campaigns?{}", view.query_for_page(n));
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
