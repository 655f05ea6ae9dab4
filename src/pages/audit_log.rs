//! `/orgs/{org}/audit`: every change made to the org's campaigns through this app, newest first.
//! Filters and page live in the query string (a plain GET form), so a link shows the same view;
//! the same filter downloads as CSV.

use crate::api::audit::audit_log;
use crate::components::dates::When;
use crate::components::error_view::ErrorView;
use crate::components::params::{org_param, org_text, url_state};
use crate::components::streaming::pending;
use crate::domain::audit::{AuditAction, AuditEntry, AuditFilter, AuditPage};
use crate::domain::{paths, OrgLogin};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AuditLogPage() -> impl IntoView {
    let org = org_param();
    let filter = url_state::<AuditFilter>();
    let log = Resource::new(
        move || (org.get(), filter.get()),
        |(org, filter)| async move {
            let org = org?;
            let page = audit_log(org.clone(), filter.clone()).await;
            Ok::<_, AppError>((org, filter, page))
        },
    );
    let org_text = org_text(org);
    view! {
        <Title text=move || format!("Audit log · {}", org_text())/>
        <div class="page-head">
            <h1>"Audit log " <span class="muted">"of " {org_text}</span></h1>
        </div>
        <p class="muted">
            "Every change made to this organisation's campaigns through campaigns-admin: who made it, when, "
            "what it changed, and what GitHub answered. Changes made on GitHub itself are not here."
        </p>
        {pending(log, "Loading the audit log…")}
        <Suspense fallback=|| ()>
            {move || log.get().map(|r| match r {
                Err(error) => view! { <ErrorView error/> }.into_any(),
                Ok((org, filter, page)) => view! { <AuditView org filter page/> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn AuditView(
    org: OrgLogin,
    filter: AuditFilter,
    page: Result<AuditPage, AppError>,
) -> impl IntoView {
    let (page, refused) = match page {
        Ok(page) => (Some(page), None),
        Err(e @ AppError::Invalid { .. }) => (None, Some(e)),
        Err(error) => return view! { <ErrorView error/> }.into_any(),
    };
    if let Some(e) = &refused {
        // The form comes back with the messages next to the fields; the status says so too.
        crate::components::error_view::set_status(e.status_code());
    }
    view! {
        <Filters org=org.clone() filter=filter.clone() refused/>
        {page.map(|page| view! { <Entries org filter page/> })}
    }
    .into_any()
}

/// A plain GET form: works without JavaScript, and its result is a shareable URL.
#[component]
fn Filters(org: OrgLogin, filter: AuditFilter, refused: Option<AppError>) -> impl IntoView {
    let message =
        |field: &str| {
            refused.as_ref().and_then(|e| e.field_message(field)).map(|m| {
            view! { <p class="field-error" id=format!("{field}-error") role="alert">{m}</p> }
        })
        };
    let invalid = |field: &str| {
        refused
            .as_ref()
            .is_some_and(|e| e.field_message(field).is_some())
            .then_some("true")
    };
    let described = |field: &str| invalid(field).map(|_| format!("{field}-error"));
    let chosen = filter.action.clone();
    view! {
        <form class="filters" method="get" action=paths::audit_log(&org)>
            <label for="audit-campaign">"Campaign"</label>
            <input id="audit-campaign" name="campaign" inputmode="numeric" value=filter.campaign.clone()
                aria-invalid=invalid("campaign") aria-describedby=described("campaign")/>
            {message("campaign")}
            <label for="audit-person">"Person"</label>
            <input id="audit-person" name="person" value=filter.person.clone() autocomplete="off"
                aria-invalid=invalid("person") aria-describedby=described("person")/>
            {message("person")}
            <label for="audit-action">"Action"</label>
            <select id="audit-action" name="action"
                aria-invalid=invalid("action") aria-describedby=described("action")>
                <option value="" selected=chosen.is_empty()>"Any"</option>
                {AuditAction::ALL.into_iter().map(|a| view! {
                    <option value=a.as_str() selected=chosen == a.as_str()>{a.as_str()}</option>
                }).collect_view()}
            </select>
            {message("action")}
            {message("page")}
            <button type="submit">"Filter"</button>
            <a href=format!("{}{}", paths::audit_log_csv(&org), filter.query_on(1))>"Download CSV"</a>
        </form>
    }
}

#[component]
fn Entries(org: OrgLogin, filter: AuditFilter, page: AuditPage) -> impl IntoView {
    if page.entries.is_empty() {
        return view! { <p class="empty">"No changes match."</p> }.into_any();
    }
    let here = paths::audit_log(&org);
    let newer = (page.page > 1).then(|| format!("{here}{}", filter.query_on(page.page - 1)));
    let older = page
        .has_next
        .then(|| format!("{here}{}", filter.query_on(page.page + 1)));
    view! {
        <AuditTable org entries=page.entries/>
        <nav class="pager" aria-label="Pages">
            {newer.map(|href| view! { <a href=href rel="prev">"Newer"</a> })}
            " Page " {page.page.to_string()} " "
            {older.map(|href| view! { <a href=href rel="next">"Older"</a> })}
        </nav>
    }
    .into_any()
}

/// The entries as a table: also the detail page's "Changes made here".
#[component]
pub fn AuditTable(org: OrgLogin, entries: Vec<AuditEntry>) -> impl IntoView {
    view! {
        <table class="audit">
            <thead>
                <tr>
                    <th scope="col">"When"</th>
                    <th scope="col">"Who"</th>
                    <th scope="col">"Action"</th>
                    <th scope="col">"Campaign"</th>
                    <th scope="col">"What changed"</th>
                    <th scope="col">"Outcome"</th>
                </tr>
            </thead>
            <tbody>
                {entries.into_iter().map(|e| view! { <Row org=org.clone() e/> }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn Row(org: OrgLogin, e: AuditEntry) -> impl IntoView {
    let campaign = match e.campaign {
        Some(number) => {
            let label = format!("#{number} {}", e.campaign_name);
            view! { <a href=paths::campaign(&org, number)>{label}</a> }.into_any()
        }
        None => view! { <span>{e.campaign_name.clone()}</span> }.into_any(),
    };
    let outcome = match &e.error {
        None => view! { <span class="outcome done">"Done"</span> }.into_any(),
        Some(err) => {
            view! { <span class="outcome failed">"Failed: " {err.clone()}</span> }.into_any()
        }
    };
    view! {
        <tr>
            <td><When at=e.at with_time=true/></td>
            <td>{e.actor.clone()}</td>
            <td>{e.action.as_str()}</td>
            <td>{campaign}</td>
            <td>
                <ul class="changes">
                    {e.changes.into_iter().map(|c| view! {
                        <li><b>{c.field}</b> ": " <del>{c.before}</del> " → " <ins>{c.after}</ins></li>
                    }).collect_view()}
                </ul>
            </td>
            <td>{outcome}</td>
        </tr>
    }
}
