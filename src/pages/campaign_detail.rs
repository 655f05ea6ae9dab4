//! `/orgs/{org}/campaigns/{number}`: one campaign, with close/reopen, edit and delete. Its title and
//! Open Graph tags are server-rendered so a link pasted in chat unfurls with the campaign's name.

use crate::api::audit::audit_log;
use crate::api::campaign_alerts::load_campaign_detail;
use crate::api::campaigns::SetCampaignState;
use crate::api::flash::{shown_error, take_failed_form};
use crate::components::burndown::Burndown;
use crate::components::campaign_badges::{Managers, StateBadge};
use crate::components::dates::{due_text, Due, When};
use crate::components::error_view::or_error;
use crate::components::params::{campaign_params, campaign_title, CampaignParams};
use crate::components::progress_bar::ProgressBar;
use crate::components::streaming::{opened_by_browser, pending};
use crate::domain::audit::{AuditFilter, AuditPage};
use crate::domain::campaign::{CampaignView, WantedState};
use crate::domain::campaign_alerts::{CampaignDetail, RecordInfo};
use crate::domain::campaign_fields::{is_safe_link, linkify, Segment};
use crate::domain::failed_form::{FailedForm, FormId};
use crate::domain::{paths, OrgLogin};
use crate::error::AppError;
use crate::pages::audit_log::AuditTable;
use crate::pages::campaign_alerts::{CampaignTab, CampaignTabs};
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

#[component]
pub fn CampaignDetailPage() -> impl IntoView {
    let params = campaign_params();
    let query = use_query_map();
    let set_state = ServerAction::<SetCampaignState>::new();
    let campaign = Resource::new(
        move || (params.get(), set_state.version().get()),
        |(params, actions)| async move {
            let CampaignParams { org, number } = params?;
            // A close or reopen that failed without JavaScript comes back here with its error;
            // after an action taken with JavaScript there is none to ask for.
            let failed = async {
                match actions {
                    0 => take_failed_form(FormId::State(org.clone(), number)).await,
                    _ => Ok(None),
                }
            };
            // Its own entries in the audit log, after it (GitHub's answer to the campaign is the
            // role check the log needs): the page does without them if they fail.
            let changes = AuditFilter {
                campaign: number.to_string(),
                ..Default::default()
            };
            let c = load_campaign_detail(org.clone(), number).await?;
            let changes = audit_log(org.clone(), changes).await.ok();
            // Taken once the page can show it: a view that fails keeps it for the next.
            let failed = failed.await?;
            Ok::<_, AppError>((org, c, failed, changes))
        },
    );
    let saved = move || query.with(|q| q.get("saved").is_some());
    view! {
        <Title text=campaign_title(params)/>
        {pending(campaign, "Loading the campaign…")}
        <Suspense fallback=|| ()>
            {move || campaign.get().map(|r| or_error(r, |(org, detail, failed, changes)| view! {
                <CampaignDetailView org detail set_state failed saved=saved() changes/>
            }))}
        </Suspense>
    }
}

#[component]
fn CampaignDetailView(
    org: OrgLogin,
    detail: CampaignDetail,
    set_state: ServerAction<SetCampaignState>,
    /// The last close or reopen, when it failed without JavaScript.
    failed: Option<FailedForm>,
    saved: bool,
    /// The campaign's entries in the audit log (`None` when they could not be read).
    changes: Option<AuditPage>,
) -> impl IntoView {
    let CampaignDetail {
        campaign: c,
        record,
        history,
    } = detail;
    let now = Utc::now();
    let alerts = paths::campaign_alerts(&org, c.number);
    let start = c.published_at.unwrap_or(c.created_at);
    let tabs_org = org.clone();
    let og_description: String = c.description.chars().take(200).collect();
    let list = paths::campaigns(&org);
    let changes = changes.map(|page| {
        view! { <ChangesMadeHere org=org.clone() number=c.number page/> }
    });
    let state_error = shown_error(set_state.value(), failed.as_ref());
    let state_error = move || state_error.get().map(|e| e.to_string());
    view! {
        <Title text=c.name.clone()/>
        <OpenGraph title=c.name.clone() description=og_description url=c.share_url.clone()/>
        <nav class="breadcrumbs" aria-label="Breadcrumbs">
            <a href=list>{org.to_string()} " campaigns"</a>
            " / #" {c.number.to_string()}
        </nav>
        {saved.then(|| view! { <p class="notice success" role="status">"Your changes were saved."</p> })}
        <div class="page-head">
            <h1>{c.name.clone()} " " <StateBadge open=c.open/></h1>
            {campaign_actions(&org, &c, set_state)}
        </div>
        {move || state_error().map(|e| view! { <p class="notice error" role="alert">{e}</p> })}
        <CampaignTabs org=tabs_org number=c.number current=CampaignTab::Overview/>
        <div class="detail-grid">
            {about(&c, now)}
            <section class="card" aria-labelledby="progress-title">
                <h2 id="progress-title">"Progress"</h2>
                {match c.progress {
                    Some(p) => view! { <ProgressBar progress=p detailed=true/> }.into_any(),
                    None => view! { <p class="muted">"GitHub reports no alert counts for this campaign."</p> }.into_any(),
                }}
                {origin(record, &alerts)}
                <h2>"Share"</h2>
                <ShareLinks share_url=c.share_url.clone() github_url=c.github_url.clone()/>
            </section>
        </div>
        <section class="card" aria-labelledby="burndown-heading">
            <h2 id="burndown-heading">"Burndown"</h2>
            <Burndown history start ends_at=c.ends_at/>
        </section>
        {changes}
    }
}

/// The Open Graph tags a chat app reads when the link is pasted. Only for clients that are not
/// browsers, which get the whole page (`components::streaming`): a browser needs none, and when
/// its page streams the campaign may come after the `<head>` has left, with no tags in it for the
/// browser to take over. `None` on both sides for a browser, so both sides' views match.
#[component]
fn OpenGraph(title: String, description: String, url: String) -> impl IntoView {
    (!opened_by_browser()).then(|| {
        view! {
            <Meta property="og:title" content=title/>
            <Meta property="og:description" content=description/>
            <Meta property="og:type" content="website"/>
            <Meta property="og:url" content=url/>
        }
    })
}

/// Where the campaign was created: here (with its alert set, and a link to it), or elsewhere.
fn origin(record: Option<RecordInfo>, alerts: &str) -> AnyView {
    match record {
        Some(r) => view! {
            <p class="muted">
                "Created in campaigns-admin by " <b>{r.created_by}</b> " with " {r.alerts.to_string()}
                " alerts: " <a href=alerts.to_owned()>"see which are fixed, and which repositories are behind"</a> "."
            </p>
        }
        .into_any(),
        None => view! {
            <p class="muted">
                "Created outside campaigns-admin: GitHub shares only its counts, so its alerts are unknown here."
            </p>
        }
        .into_any(),
    }
}

/// Edit, Close or Reopen (a form that works without JavaScript), and Delete.
fn campaign_actions(
    org: &OrgLogin,
    c: &CampaignView,
    set_state: ServerAction<SetCampaignState>,
) -> impl IntoView {
    let wanted = if c.open {
        WantedState::Closed
    } else {
        WantedState::Open
    };
    let (org_value, number) = (org.to_string(), c.number.to_string());
    let label = if c.open {
        "Close campaign"
    } else {
        "Reopen campaign"
    };
    view! {
        <div class="actions">
            <a class="button" href=paths::edit_campaign(org, c.number)>"Edit"</a>
            <ActionForm action=set_state attr:class="inline">
                <input type="hidden" name="org" value=org_value/>
                <input type="hidden" name="number" value=number/>
                <input type="hidden" name="state" value=wanted.as_str()/>
                <button type="submit" disabled=move || set_state.pending().get()>{label}</button>
            </ActionForm>
            <a class="button danger" href=paths::delete_campaign(org, c.number)>"Delete…"</a>
        </div>
    }
}

/// The campaign's description and facts: due, managers, contact, and its dates.
fn about(c: &CampaignView, now: DateTime<Utc>) -> impl IntoView {
    let due = Due::of(c.open, c.ends_at, now);
    view! {
    <section class="card" aria-labelledby="about-title">
        <h2 id="about-title">"About"</h2>
        <p class="description">{render_description(&c.description)}</p>
        <dl class="facts">
            <dt>"Due"</dt>
            <dd>
                <When at=c.ends_at with_time=true relative_text=due_text(c.open, c.ends_at, now)/>
                " " <span class=due.class()>{due.label()}</span>
            </dd>
            <dt>"Managers"</dt>
            <dd><Managers c=c.clone()/></dd>
            <dt>"Contact"</dt>
            <dd>{contact(c.contact_link.clone())}</dd>
            <dt>"Created"</dt>
            <dd><When at=c.created_at with_time=true/></dd>
            <dt>"Updated"</dt>
            <dd><When at=c.updated_at with_time=true/></dd>
            {c.published_at.map(|t| view! { <dt>"Published"</dt><dd><When at=t with_time=true/></dd> })}
            {c.closed_at.map(|t| view! { <dt>"Closed"</dt><dd><When at=t with_time=true/></dd> })}
        </dl>
    </section>
    }
}

/// The campaign's latest entries in the audit log, and the way to all of them.
#[component]
fn ChangesMadeHere(
    org: OrgLogin,
    number: crate::domain::CampaignNumber,
    page: AuditPage,
) -> impl IntoView {
    const SHOWN: usize = 10;
    let all = format!("{}?campaign={number}", paths::audit_log(&org));
    let more = page.entries.len() > SHOWN || page.has_next;
    let entries: Vec<_> = page.entries.into_iter().take(SHOWN).collect();
    view! {
        <section class="card" aria-labelledby="changes-title">
            <h2 id="changes-title">"Changes made here"</h2>
            {if entries.is_empty() {
                view! { <p class="muted">"No changes to this campaign were made through campaigns-admin."</p> }.into_any()
            } else {
                view! { <AuditTable org entries/> }.into_any()
            }}
            <p><a href=all>{if more { "All changes to this campaign" } else { "In the audit log" }}</a></p>
        </section>
    }
}

/// Plain text with line breaks kept and http(s) URLs as links; nothing is interpreted as HTML.
fn render_description(text: &str) -> impl IntoView {
    linkify(text)
        .into_iter()
        .map(|seg| match seg {
            Segment::Text(t) => view! { <span>{t}</span> }.into_any(),
            Segment::Link(url) => {
                let text = url.clone();
                view! { <a href=url rel="noopener noreferrer nofollow" target="_blank">{text}</a> }
                    .into_any()
            }
            Segment::LineBreak => view! { <br/> }.into_any(),
        })
        .collect_view()
}

fn contact(link: Option<String>) -> impl IntoView {
    match link {
        Some(l) if is_safe_link(&l) => {
            let text = l.clone();
            view! { <a href=l rel="noopener noreferrer nofollow">{text}</a> }.into_any()
        }
        Some(l) => view! { <span>{l}</span> }.into_any(),
        None => view! { <span class="muted">"None given"</span> }.into_any(),
    }
}

#[component]
fn ShareLinks(share_url: String, github_url: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    let url_for_copy = share_url.clone();
    let copy = move |_| {
        if crate::components::browser::copy_to_clipboard(&url_for_copy) {
            copied.set(true);
        }
    };
    view! {
        <div class="share">
            <label for="share-url">"Link to this campaign"</label>
            <div class="share-row">
                <input id="share-url" type="text" readonly value=share_url/>
                <button type="button" on:click=copy>{move || if copied.get() { "Copied" } else { "Copy link" }}</button>
            </div>
            <p><a href=github_url rel="noopener noreferrer" target="_blank">"Open on GitHub ↗"</a></p>
        </div>
    }
}
