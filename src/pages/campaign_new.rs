//! `/orgs/{org}/campaigns/new`: the create form with the alert picker. On failure the form comes
//! back with every field and the whole selection intact, and each message next to its field.

use crate::api::alerts::{search_alerts, SERVER_LIST_MAX};
use crate::api::campaigns::{new_campaign_context, CreateCampaign};
use crate::api::drafts::{load_draft, SaveDraft};
use crate::api::flash::{shown_error, take_failed_form};
use crate::api::templates::list_templates;
use crate::components::alert_picker::{fmt_count, severity_badges, AlertPicker};
use crate::components::browser;
use crate::components::campaign_fields::CampaignFormFields;
use crate::components::dates::When;
use crate::components::error_view::or_error;
use crate::components::params::{org_param, org_text};
use crate::components::streaming::pending;
use crate::domain::alert::AlertSearch;
use crate::domain::alert_filter::{AlertFilter, MAX_AGE_DAYS};
use crate::domain::alert_selection::AlertKey;
use crate::domain::campaign::CreateFormContext;
use crate::domain::campaign_form::{unplaced_messages, FIELDS};
use crate::domain::draft::{Draft, DraftId};
use crate::domain::failed_form::{FailedForm, FormId};
use crate::domain::template::{built_in, Template};
use crate::domain::url_state::UrlState;
use crate::domain::{paths, OrgLogin};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;
use leptos_router::hooks::{use_location, use_query_map};
use std::collections::BTreeSet;

#[component]
pub fn CampaignNewPage() -> impl IntoView {
    let org = org_param();
    // `?draft={id}`: the form opens filled in from that draft.
    let draft =
        use_query_map().with_untracked(|q| q.get("draft").and_then(|d| DraftId::parse(&d).ok()));
    // `?picker=server`: the server-rendered alert list, filtered by the address.
    let query = use_query_map();
    let listing = Memo::new(move |_| {
        query.with(|q| {
            (q.get("picker").as_deref() == Some("server"))
                .then(|| AlertFilter::from_query(|k| q.get(k)))
        })
    });
    let context = Resource::new(
        move || (org.get(), listing.get()),
        move |(org, listing)| async move {
            let org = org?;
            let rows = async {
                match listing {
                    Some(filter) => Some(search_alerts(org.clone(), filter).await),
                    None => None,
                }
            };
            let (ctx, rows, templates) = futures_util::join!(
                new_campaign_context(org.clone()),
                rows,
                list_templates(org.clone())
            );
            let ctx = ctx?;
            // Without the saved ones (the store is down), the built-in templates still serve.
            let templates = templates.unwrap_or_else(|_| built_in());
            let draft = match draft {
                Some(id) => Some(load_draft(org.clone(), id, None).await?.draft),
                None => None,
            };
            // Taken once the form can show it: a view that fails keeps it for the next.
            let failed = take_failed_form(FormId::Create(org.clone())).await?;
            // What the form starts with: the post that just failed, else the draft.
            let start = failed.or_else(|| draft.as_ref().map(|d| from_draft(&org, d)));
            Ok::<_, AppError>((org, ctx, start, draft.map(|d| d.id), rows, templates))
        },
    );
    let org_text = org_text(org);
    view! {
        <Title text=move || format!("New campaign · {}", org_text())/>
        {pending(context, "Loading the form…")}
        <Suspense fallback=|| ()>
            {move || context.get().map(|r| or_error(r, |(org, ctx, failed, draft, rows, templates)| view! { <NewCampaignForm org ctx failed draft rows templates/> }))}
        </Suspense>
    }
}

/// A draft as the form's starting values, named as the draft's form: no post of this form failed.
fn from_draft(org: &OrgLogin, d: &Draft) -> FailedForm {
    FailedForm {
        generate_issues: d.form.generate_issues(),
        alerts: d.form.chosen_alerts(),
        error: AppError::Invalid {
            message: String::new(),
            errors: Vec::new(),
        },
        ..FailedForm::new(FormId::Draft(org.clone(), d.id), d.form.fields.clone())
    }
}

#[component]
fn NewCampaignForm(
    org: OrgLogin,
    ctx: CreateFormContext,
    /// What the form starts with: the last post of this form when it failed without
    /// JavaScript, or the draft it was opened from.
    failed: Option<FailedForm>,
    /// The draft it was opened from: saving updates it, creating publishes it.
    draft: Option<DraftId>,
    /// The server-rendered list's alerts and how many match (`?picker=server` only).
    rows: Option<Result<AlertSearch, AppError>>,
    /// The org's templates: the picker's starting points.
    templates: Vec<Template>,
) -> impl IntoView {
    let action = ServerAction::<CreateCampaign>::new();
    let save = ServerAction::<SaveDraft>::new();
    let (server_list, filter) = picker_mode();
    let server_list_href = server_list_href(&org);
    // A post that failed without JavaScript comes back with what was sent and why it failed.
    let kept_alerts: Vec<String> = failed
        .as_ref()
        .map(|f| f.alerts.clone())
        .unwrap_or_default();
    let selected = RwSignal::new(
        kept_alerts
            .iter()
            .filter_map(|k| AlertKey::decode(k))
            .collect(),
    );
    let saving = RwSignal::new(false);
    let error = last_error(action, save, saving, failed.as_ref());
    // Messages shown next to their field: the campaign's fields and the selection.
    let placed: Vec<&str> = FIELDS.iter().copied().chain(["alerts"]).collect();
    let general = move || error.get().map(|e| unplaced_messages(&e, &placed));
    let precheck = RwSignal::new(None::<String>);
    let alerts_error = selection_error(precheck, selected, error);
    let encoded =
        move || selected.with(|s| s.iter().map(|k| k.encode()).collect::<Vec<_>>().join(" "));
    let list = paths::campaigns(&org);
    view! {
        <nav class="breadcrumbs" aria-label="Breadcrumbs">
            <a href=list.clone()>{org.to_string()} " campaigns"</a> " / new"
        </nav>
        <h1>"New campaign"</h1>
        {at_githubs_maximum(&org, ctx.open_campaigns)}
        {move || general().map(|m| view! { <p class="notice error" role="alert">{m}</p> })}
        {server_list.then(|| view! { <ServerFilters org=org.clone() filter=filter.clone() draft templates=templates.clone()/> })}
        <ActionForm action=action attr:class="form wide" attr:id="new-campaign">
            <input type="hidden" name="org" value=org.to_string()/>
            // The picker's selection, in the server's HTML too (a draft opened without
            // JavaScript keeps it); the server-rendered list sends its own ticks instead.
            {(!server_list).then(|| view! { <input type="hidden" name="alerts" value=encoded/> })}
            {draft.map(|id| view! { <input type="hidden" name="draft" value=id.to_string()/> })}
            <CampaignFormFields initial=failed.as_ref().map(|f| f.values.clone()).unwrap_or_default() choices=ctx.choices error/>
            <label class="check">
                <input type="checkbox" name="generate_issues" value="on" checked=failed.as_ref().is_some_and(|f| f.generate_issues)/>
                " Create one tracking issue per repository"
            </label>
            {match rows {
                Some(rows) => view! { <ServerAlertList rows error=alerts_error kept=kept_alerts.clone()/> }.into_any(),
                None => view! {
                    <noscript>
                        <p class="notice warning">
                            "JavaScript is off, so the interactive picker cannot load. "
                            <a href=server_list_href.clone()>"Use the server-rendered alert list"</a>
                            " instead."
                        </p>
                    </noscript>
                    <AlertPicker org=org.clone() selected error=alerts_error submit="create-campaign" templates=templates.clone()/>
                }.into_any(),
            }}
            {form_actions(action, save, selected, draft, FormState { saving, precheck, server_list }, list)}
            {draft.map(|id| view! {
                <p class="muted">
                    "Editing a draft: " <a href=paths::draft(&org, id)>"back to the draft"</a>
                    ". Creating the campaign publishes it and removes the draft."
                </p>
            })}
        </ActionForm>
    }
}

/// Whether the address asks for the server-rendered list (`?picker=server`), and the filters
/// it carries.
fn picker_mode() -> (bool, AlertFilter) {
    use_query_map().with_untracked(|q| {
        (
            q.get("picker").as_deref() == Some("server"),
            AlertFilter::from_query(|k| q.get(k)),
        )
    })
}

/// The list that works without JavaScript, keeping the filters a shared link carries.
fn server_list_href(org: &OrgLogin) -> String {
    let search = use_location().search.get_untracked();
    let search = search.trim_start_matches('?');
    let mut href = format!("{}?picker=server", paths::new_campaign(org));
    if !search.is_empty() {
        href.push('&');
        href.push_str(search);
    }
    href
}

/// The error of whichever button was used last: Create (or the failed post of this form it
/// starts with; a draft's values come without one), or Save draft while `saving`.
fn last_error(
    action: ServerAction<CreateCampaign>,
    save: ServerAction<SaveDraft>,
    saving: RwSignal<bool>,
    failed: Option<&FailedForm>,
) -> Signal<Option<AppError>> {
    let created = shown_error(
        action.value(),
        failed.filter(|f| matches!(f.form, FormId::Create(_))),
    );
    let saved = shown_error(save.value(), None);
    Signal::derive(move || {
        if saving.get() {
            saved.get()
        } else {
            created.get()
        }
    })
}

/// The message under the picker: the browser's own check while nothing is selected, else the
/// server's answer.
fn selection_error(
    precheck: RwSignal<Option<String>>,
    selected: RwSignal<BTreeSet<AlertKey>>,
    error: Signal<Option<AppError>>,
) -> Signal<Option<String>> {
    Signal::derive(move || {
        precheck
            .get()
            .filter(|_| selected.with(BTreeSet::is_empty))
            .or_else(|| error.get().and_then(|e| e.field_message("alerts")))
    })
}

/// A warning when the org has as many open campaigns as GitHub allows.
fn at_githubs_maximum(org: &OrgLogin, open: usize) -> impl IntoView {
    let list = paths::campaigns(org);
    (open >= 10).then(|| view! {
        <p class="notice warning" role="alert">
            {format!("{org} already has {open} open campaigns, GitHub's maximum. Close one before creating another: ")}
            <a href=format!("{list}?state=open")>"open campaigns"</a>
        </p>
    })
}

/// What the form's buttons share: which one was used last, the browser's own check of the
/// selection, and whether the alerts come from the server-rendered list.
#[derive(Clone, Copy)]
struct FormState {
    saving: RwSignal<bool>,
    /// Checked in the browser before anything is sent; the server checks again.
    precheck: RwSignal<Option<String>>,
    server_list: bool,
}

/// Create (naming how many alerts), Save draft (posting to the draft's server function without
/// JavaScript) and Cancel.
fn form_actions(
    action: ServerAction<CreateCampaign>,
    save: ServerAction<SaveDraft>,
    selected: RwSignal<BTreeSet<AlertKey>>,
    draft: Option<DraftId>,
    state: FormState,
    list: String,
) -> impl IntoView {
    let FormState {
        saving,
        precheck,
        server_list,
    } = state;
    // Without JavaScript the button posts the form to the draft's server function itself.
    let save_as_draft = move |ev: leptos::ev::MouseEvent| {
        saving.set(true);
        if let Some(input) = browser::form_input::<SaveDraft>("new-campaign") {
            ev.prevent_default();
            save.dispatch(input);
        }
    };
    let check_selection = move |ev: leptos::ev::MouseEvent| {
        saving.set(false);
        if server_list {
            return;
        }
        if selected.with(BTreeSet::is_empty) {
            ev.prevent_default();
            precheck.set(Some(
                "Select at least one alert: a campaign needs 1 to 1,000 of them.".to_owned(),
            ));
            browser::scroll_to("picker-title");
        } else {
            precheck.set(None);
        }
    };
    view! {
        <div class="form-actions sticky">
            <button type="submit" id="create-campaign" class="primary" disabled=move || action.pending().get() on:click=check_selection>
                {move || if action.pending().get() {
                    "Creating…".to_owned()
                } else {
                    match selected.with(BTreeSet::len) {
                        1 => "Create campaign with 1 alert".to_owned(),
                        n => format!("Create campaign with {} alerts", fmt_count(n)),
                    }
                }}
            </button>
            <button type="submit" id="save-draft" formaction=SaveDraft::url() formnovalidate
                disabled=move || save.pending().get() on:click=save_as_draft>
                {move || if save.pending().get() { "Saving…" } else if draft.is_some() { "Save draft" } else { "Save as draft" }}
            </button>
            <a class="button" href=list>"Cancel"</a>
        </div>
    }
}

/// The alert filters of the server-rendered list: a plain GET form, outside the create form.
#[component]
fn ServerFilters(
    org: OrgLogin,
    filter: AlertFilter,
    draft: Option<DraftId>,
    templates: Vec<Template>,
) -> impl IntoView {
    let query = filter;
    let problem = query.age_problem();
    // Each template as a link to the list it filters (the draft kept).
    let template_links = templates
        .into_iter()
        .map(|t| {
            let mut pairs: Vec<(&str, String)> = vec![("picker", "server".into())];
            pairs.extend(t.filter.pairs());
            pairs.extend(draft.map(|id| ("draft", id.to_string())));
            let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let href = format!(
                "{}{}",
                paths::new_campaign(&org),
                paths::query_string(&refs)
            );
            view! { <a class="button" href=href>{t.label}</a> }
        })
        .collect_view();
    view! {
        <div class="presets" role="group" aria-label="Templates">
            <span class="muted">"Start from: "</span>
            {template_links}
        </div>
        <form class="filters" method="get" action=paths::new_campaign(&org)>
            <input type="hidden" name="picker" value="server"/>
            // Filtering keeps the draft the form was opened from.
            {draft.map(|id| view! { <input type="hidden" name="draft" value=id.to_string()/> })}
            <label>"Repository" <input type="text" name="repo" value=query.repo/></label>
            <label>"Severity" <input type="text" name="severity" value=query.severity placeholder="critical+high"/></label>
            <label>"Tool" <input type="text" name="tool" value=query.tool placeholder="CodeQL"/></label>
            <label>"Rule id" <input type="text" name="rule" value=query.rule placeholder="js/sql-injection"/></label>
            <label>"CWE" <input type="text" name="cwe" value=query.cwe placeholder="CWE-89, CWE-79"/></label>
            <label>"Path contains" <input type="text" name="path" value=query.path/></label>
            <label>"Search" <input type="search" name="q" value=query.q.clone()/></label>
            <label>"Older than (days)" <input type="number" name="older_than" min="1" max=MAX_AGE_DAYS value=query.older_than.clone()/></label>
            <button type="submit">"Filter alerts"</button>
        </form>
        {problem.map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
        <p class="muted">"Filter first, then fill in the campaign and tick the alerts: filtering reloads the page."</p>
    }
}

/// Checkboxes for the first matching alerts, rendered on the server (works without JavaScript).
#[component]
fn ServerAlertList(
    rows: Result<AlertSearch, AppError>,
    #[prop(into)] error: Signal<Option<String>>,
    /// Alerts chosen in a post that failed: ticked again, or kept hidden when not listed.
    kept: Vec<String>,
) -> impl IntoView {
    view! {
        <section class="picker" aria-labelledby="server-list-title">
            <h2 id="server-list-title">"Alerts"</h2>
            {move || error.get().map(|e| view! { <p class="field-error" id="alerts-error" role="alert">{e}</p> })}
                {or_error(rows, |AlertSearch { rows, total, synced_at }| {
                    let listed: BTreeSet<String> = rows.iter().map(|a| a.key().encode()).collect();
                    let unlisted: Vec<String> = kept.iter().filter(|k| !listed.contains(*k)).cloned().collect();
                    view! {
                    {(!unlisted.is_empty()).then(|| view! {
                        <p class="muted">{format!("{} chosen alerts not listed under these filters stay chosen.", unlisted.len())}</p>
                    })}
                    {unlisted.iter().enumerate().map(|(j, k)| view! {
                        <input type="hidden" name=format!("picked[{}]", SERVER_LIST_MAX + j) value=k.clone()/>
                    }).collect_view()}
                    <p class="picker-status">{format!("{total} alerts match; the first {} are listed.", total.min(SERVER_LIST_MAX))}</p>
                    {synced_at.map(|at| view! {
                        <p class="muted picker-freshness">
                            "As GitHub listed them at " <When at with_time=true/> " (the app's alert index)."
                        </p>
                    })}
                    <ul class="alert-rows">
                        {rows.into_iter().enumerate().map(|(i, a)| {
                            let id = format!("pick-{i}");
                            let value = a.key().encode();
                            let checked = kept.contains(&value);
                            view! {
                                <li class="alert-row">
                                    <input type="checkbox" id=id.clone() name=format!("picked[{i}]") value=value checked=checked/>
                                    <label for=id>
                                        {severity_badges(&a)}
                                        " " <strong>{a.rule_name.clone()}</strong> " " <code class="muted">{a.rule_id.clone()}</code>
                                        <span class="alert-meta">{a.repo.clone()} " · " {a.tool.clone()} " · " <code>{format!("{}:{}", a.path, a.line)}</code></span>
                                    </label>
                                    <a href=a.html_url.clone() target="_blank" rel="noopener noreferrer">"#" {a.number}</a>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    }
                })}
        </section>
    }
}
