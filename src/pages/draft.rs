//! `/orgs/{org}/drafts/{id}`: a draft to share with the org's members. It shows what was saved
//! and by whom, names the chosen alerts closed on GitHub since, holds a plain-text comment thread,
//! and offers edit (the create form, filled in), publish and discard. Every action is a plain form
//! post too, so all of it works without JavaScript.

use crate::api::drafts::{load_draft, CommentOnDraft, DiscardDraft, PublishDraft};
use crate::api::flash::{shown_error, take_failed_form};
use crate::components::dates::When;
use crate::components::error_view::or_error;
use crate::components::raw_text::raw_text;
use crate::components::streaming::pending;
use crate::domain::campaign_fields::DueDate;
use crate::domain::draft::{Draft, DraftId, DraftPage, COMMENT_MAX};
use crate::domain::failed_form::{FailedForm, FormId};
use crate::domain::{paths, OrgLogin};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params, use_query_map};
use leptos_router::params::Params;

/// `/orgs/{org}/drafts/{id}`
#[derive(Params, Debug, Clone, PartialEq)]
struct DraftParams {
    org: OrgLogin,
    id: i64,
}

#[component]
pub fn SharedDraftPage() -> impl IntoView {
    let params = use_params::<DraftParams>();
    let query = use_query_map();
    let comment = ServerAction::<CommentOnDraft>::new();
    let publish = ServerAction::<PublishDraft>::new();
    let discard = ServerAction::<DiscardDraft>::new();
    // `?comments_before=N`: an older page of the thread.
    let before =
        move || query.with(|q| q.get("comments_before").and_then(|v| v.parse::<i64>().ok()));
    let page = Resource::new(
        move || (params.get(), before(), comment.version().get()),
        |(params, before, actions)| async move {
            let p = params.map_err(|_| AppError::NotFound)?;
            let id = DraftId::new(p.id).ok_or(AppError::NotFound)?;
            let org = p.org;
            let draft = load_draft(org.clone(), id, before).await?;
            // A comment, publish or discard that failed without JavaScript comes back here.
            let failed = match actions {
                0 => take_failed_form(FormId::Draft(org.clone(), id)).await?,
                _ => None,
            };
            Ok::<_, AppError>((org, draft, failed))
        },
    );
    let saved = move || query.with(|q| q.get("saved").is_some());
    view! {
        <Title text="Draft"/>
        {pending(page, "Loading the draft…")}
        <Suspense fallback=|| ()>
            {move || page.get().map(|r| or_error(r, |(org, page, failed)| view! {
                <DraftView org page failed saved=saved() comment publish discard/>
            }))}
        </Suspense>
    }
}

#[component]
fn DraftView(
    org: OrgLogin,
    page: DraftPage,
    failed: Option<FailedForm>,
    saved: bool,
    comment: ServerAction<CommentOnDraft>,
    publish: ServerAction<PublishDraft>,
    discard: ServerAction<DiscardDraft>,
) -> impl IntoView {
    let DraftPage {
        draft: d,
        closed,
        closed_budget_spent,
        closed_synced_at,
    } = page;
    let publish_error = shown_error(publish.value(), failed.as_ref());
    let discard_error = shown_error(discard.value(), None);
    let comment_error = shown_error(comment.value(), failed.as_ref());
    let kept_comment = failed.map(|f| f.values.description).unwrap_or_default();
    let list = paths::campaigns(&org);
    let org_name = org.to_string();
    let name = d.form.fields.name.clone();
    view! {
        <Title text=format!("Draft: {name}")/>
        <nav class="breadcrumbs" aria-label="Breadcrumbs">
            <a href=list>{org_name.clone()} " campaigns"</a> " / draft " {d.id.to_string()}
        </nav>
        {saved.then(|| view! { <p class="notice success" role="status">"The draft was saved. Share this page's link with your colleagues."</p> })}
        <div class="page-head">
            <h1><span class="badge draft">"Draft"</span> " " {name.clone()}</h1>
            {draft_actions(&org, &d, publish, discard)}
        </div>
        {move || publish_error.get().or(discard_error.get()).map(publish_refused)}
        <p class="muted">
            "Saved by " <b>{d.created_by.clone()}</b> " " <When at=d.created_at/>
            {(d.updated_at != d.created_at).then(|| view! {
                "; last changed by " <b>{d.updated_by.clone()}</b> " " <When at=d.updated_at/>
            })}
            ". Only owners and security managers of " {org_name} " can open it; GitHub does not know it exists until it is published."
        </p>
        {draft_fields(&d)}
        <ClosedSince closed closed_budget_spent synced_at=closed_synced_at/>
        {draft_comments(&org, d, comment, comment_error, kept_comment)}
    }
}

/// The hidden fields that name the draft a form of the page acts on.
fn draft_target(org: &OrgLogin, id: DraftId) -> impl IntoView {
    view! {
        <input type="hidden" name="org" value=org.to_string()/>
        <input type="hidden" name="id" value=id.to_string()/>
    }
}

/// Edit, Publish (of the revision read here: a draft changed since is refused) and Discard.
fn draft_actions(
    org: &OrgLogin,
    d: &Draft,
    publish: ServerAction<PublishDraft>,
    discard: ServerAction<DiscardDraft>,
) -> impl IntoView {
    let (for_publish, for_discard) = (draft_target(org, d.id), draft_target(org, d.id));
    let revision = d.revision.to_string();
    view! {
        <div class="actions">
            <a class="button" href=paths::edit_draft(org, d.id)>"Edit"</a>
            <ActionForm action=publish attr:class="inline">
                {for_publish}
                <input type="hidden" name="revision" value=revision/>
                <button type="submit" class="primary" disabled=move || publish.pending().get()>
                    {move || if publish.pending().get() { "Publishing…" } else { "Publish on GitHub" }}
                </button>
            </ActionForm>
            <ActionForm action=discard attr:class="inline">
                {for_discard}
                <button type="submit" class="danger">"Discard"</button>
            </ActionForm>
        </div>
    }
}

/// Why a publish or discard was refused; the fields to fix, when that is the reason.
fn publish_refused(e: AppError) -> impl IntoView {
    let fields = match &e {
        AppError::Invalid { errors, .. }
            if errors.iter().any(|x| x.field.as_deref() != Some("publish")) =>
        {
            Some(view! {
                <ul>{errors.iter().map(|x| view! { <li>{x.message.clone()}</li> }).collect_view()}</ul>
                <p>"Edit the draft to fix this, then publish again."</p>
            })
        }
        _ => None,
    };
    view! {
        <div class="notice error" role="alert">
            <p>{e.to_string()}</p>
            {fields}
        </div>
    }
}

/// The campaign the draft would publish, field by field.
fn draft_fields(d: &Draft) -> impl IntoView {
    let f = &d.form.fields;
    let or_none = |s: &str| {
        if s.trim().is_empty() {
            "—".to_owned()
        } else {
            s.to_owned()
        }
    };
    // The due date as the browser that saved it meant it; as typed when it is no date.
    let offset = f.tz_offset.trim().parse::<i64>().unwrap_or(0);
    let due = match DueDate::parse(&f.ends_at, offset, DateTime::<Utc>::MIN_UTC) {
        Ok(at) => view! { <When at=at.get()/> }.into_any(),
        Err(_) => or_none(&f.ends_at).into_any(),
    };
    let alerts = d.form.alerts.split_whitespace().count();
    view! {
        <section class="card" aria-labelledby="draft-fields-title">
            <h2 id="draft-fields-title">"What will be published"</h2>
            <dl class="fields">
                <dt>"Description"</dt><dd class="description">{or_none(&f.description)}</dd>
                <dt>"Due"</dt><dd>{due}</dd>
                <dt>"Manager"</dt><dd>{or_none(&f.manager)}</dd>
                <dt>"Team managers"</dt><dd>{or_none(&f.team_managers.join(", "))}</dd>
                <dt>"Contact link"</dt><dd>{or_none(&f.contact_link)}</dd>
                <dt>"Tracking issues"</dt><dd>{if d.form.generate_issues() { "One per repository" } else { "None" }}</dd>
                <dt>"Alerts"</dt><dd id="draft-alerts">{format!("{alerts} chosen")}</dd>
            </dl>
        </section>
    }
}

/// The thread, a page at a time, and the form that adds to it (what was typed kept when it
/// failed without JavaScript).
fn draft_comments(
    org: &OrgLogin,
    d: Draft,
    comment: ServerAction<CommentOnDraft>,
    error: Signal<Option<AppError>>,
    kept: String,
) -> impl IntoView {
    let older = d
        .older_comments
        .map(|before| format!("?comments_before={before}#comments"));
    let thread = if d.comments.is_empty() {
        view! { <p class="muted">"No comments yet."</p> }.into_any()
    } else {
        view! {
            <ol class="comments">
                {d.comments.into_iter().map(|c| view! {
                    <li class="comment">
                        <p class="comment-head"><b>{c.author}</b> " " <When at=c.at/></p>
                        <p class="comment-body">{c.body}</p>
                    </li>
                }).collect_view()}
            </ol>
        }
        .into_any()
    };
    let target = draft_target(org, d.id);
    view! {
        <section class="card" id="comments" aria-labelledby="comments-title">
            <h2 id="comments-title">"Comments"</h2>
            {older.map(|href| view! { <p><a href=href rel="prev">"Older comments"</a></p> })}
            {thread}
            <ActionForm action=comment attr:class="form">
                {target}
                <label for="comment-body">"Add a comment"</label>
                <textarea id="comment-body" name="body" rows="3" maxlength=COMMENT_MAX required
                    aria-describedby="comment-error">{raw_text(&kept)}</textarea>
                {move || error.get().and_then(|e| e.field_message("body")).map(|m| view! {
                    <p class="field-error" id="comment-error" role="alert">{m}</p>
                })}
                <div class="form-actions">
                    <button type="submit" disabled=move || comment.pending().get()>"Comment"</button>
                </div>
            </ActionForm>
        </section>
    }
}

/// The chosen alerts that were fixed or dismissed since the draft was saved, named before anyone
/// publishes.
#[component]
fn ClosedSince(
    closed: Option<Vec<crate::domain::draft::ClosedAlert>>,
    closed_budget_spent: bool,
    /// When the states were the app's alert index's, the time it last matched GitHub.
    synced_at: Option<chrono::DateTime<chrono::Utc>>,
) -> impl IntoView {
    let body = match closed {
        None => view! {
            <p class="notice warning">"GitHub could not say which of the chosen alerts are still open. Reload to try again."</p>
        }
        .into_any(),
        Some(list) if list.is_empty() => {
            view! { <p class="muted" id="closed-since">"Every chosen alert is still open."</p> }.into_any()
        }
        Some(list) => view! {
            <p class="notice warning" id="closed-since">
                {format!("{} of the chosen alerts were closed since the draft was saved:", list.len())}
            </p>
            <ul class="closed-alerts">
                {list.into_iter().map(|a| view! {
                    <li><a href=a.html_url target="_blank" rel="noopener noreferrer">{format!("{}#{}", a.repository, a.number)}</a> " " {a.state}</li>
                }).collect_view()}
            </ul>
        }
        .into_any(),
    };
    view! {
        <section class="card" aria-labelledby="closed-title">
            <h2 id="closed-title">"Closed since it was saved"</h2>
            {body}
            {synced_at.map(|at| view! {
                <p class="muted">"As GitHub listed them at " <When at with_time=true/> " (the app's alert index)."</p>
            })}
            {closed_budget_spent.then(|| view! {
                <p class="muted" id="closed-budget">{format!(
                    "More than {} of the org's alerts were closed since this draft was saved: those among the most recent were compared. GitHub checks every alert when the draft is published.",
                    crate::domain::draft::CLOSED_SINCE_PAGES * 100
                )}</p>
            })}
        </section>
    }
}
