//! The campaign fields shared by the create and edit forms, with live counters, browser-side limits
//! and each server-side error shown next to its field.

use crate::components::raw_text::raw_text;
use crate::domain::campaign::ManagerChoices;
use crate::domain::campaign_fields::{DESCRIPTION_MAX, NAME_MAX, TEAM_MANAGERS_MAX};
use crate::domain::campaign_form::CampaignForm;
use crate::error::AppError;
use leptos::prelude::*;

/// The message for `field`, as a paragraph the input points at with `aria-describedby`.
pub fn field_error(
    error: Signal<Option<AppError>>,
    field: &'static str,
) -> impl Fn() -> Option<AnyView> {
    move || {
        error.get().and_then(|e| e.field_message(field)).map(|m| {
            view! { <p class="field-error" id=format!("{field}-error") role="alert">{m}</p> }
                .into_any()
        })
    }
}

#[component]
pub fn CampaignFormFields(
    initial: CampaignForm,
    choices: ManagerChoices,
    error: Signal<Option<AppError>>,
    /// Said under the manager field (the edit form: what happens to a campaign's other managers).
    #[prop(default = None)]
    manager_note: Option<String>,
) -> impl IntoView {
    let name_len = RwSignal::new(initial.name.chars().count());
    let desc_len = RwSignal::new(initial.description.chars().count());
    // The due date is entered in the browser's time zone and sent with JavaScript's
    // getTimezoneOffset() at that date (minutes to add to local time to get UTC: a date across a
    // daylight-saving change has its own). Without JavaScript it stays 0 and the label says UTC.
    let tz_offset = RwSignal::new(0i64);
    view! {
        <input type="hidden" name="tz_offset" prop:value=move || tz_offset.get().to_string()/>
        <div class="field">
            <label for="name">"Name"</label>
            <input id="name" name="name" type="text" required maxlength=NAME_MAX value=initial.name.clone()
                aria-describedby="name-count name-error"
                on:input=move |ev| name_len.set(event_target_value(&ev).chars().count())/>
            <p class="counter" id="name-count">{move || format!("{} / {NAME_MAX}", name_len.get())}</p>
            {field_error(error, "name")}
        </div>
        <div class="field">
            <label for="description">"Description"</label>
            // The server writes textarea children unescaped: escape them there, and bind the value.
            <textarea id="description" name="description" required maxlength=DESCRIPTION_MAX rows="4"
                aria-describedby="description-count description-error" prop:value=initial.description.clone()
                on:input=move |ev| desc_len.set(event_target_value(&ev).chars().count())>{raw_text(&initial.description)}</textarea>
            <p class="counter" id="description-count">{move || format!("{} / {DESCRIPTION_MAX}", desc_len.get())}</p>
            {field_error(error, "description")}
        </div>
        {due_field(&initial.ends_at, tz_offset, error)}
        {manager_fields(&initial, &choices, manager_note, error)}
        <div class="field">
            <label for="contact_link">"Contact link " <span class="muted">"(optional: https://, http:// or mailto:)"</span></label>
            <input id="contact_link" name="contact_link" type="url" value=initial.contact_link.clone()
                aria-describedby="contact_link-error"/>
            {field_error(error, "contact_link")}
        </div>
    }
}

/// The due date, in the browser's time zone once the page is live; `tz_offset` is what the form
/// sends with it.
fn due_field(
    initial_due: &str,
    tz_offset: RwSignal<i64>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let hydrated = RwSignal::new(false);
    let due_input = NodeRef::<leptos::html::Input>::new();
    let initial_value = initial_due.to_owned();
    let initial_due = initial_due.to_owned();
    Effect::new(move |_| {
        if let Some(input) = due_input.get_untracked() {
            // What the server rendered (GitHub's due date, or a post sent without JavaScript) is
            // UTC: show it in local time, unless it has been typed over already.
            if input.value() == initial_due {
                if let Some(local) = local_of_utc(&initial_due) {
                    input.set_value(&local);
                }
            }
            tz_offset.set(offset_at(&input.value()));
        }
        hydrated.set(true);
    });
    let due_label = move || {
        if hydrated.get() {
            "Due (your local time)"
        } else {
            "Due (UTC)"
        }
    };
    view! {
        <div class="field">
            <label for="ends_at">{due_label}</label>
            <input id="ends_at" name="ends_at" type="datetime-local" required value=initial_value
                node_ref=due_input aria-describedby="ends_at-error"
                on:input=move |ev| tz_offset.set(offset_at(&event_target_value(&ev)))/>
            {field_error(error, "ends_at")}
        </div>
    }
}

/// The manager (with the owners offered) and the team managers.
fn manager_fields(
    initial: &CampaignForm,
    choices: &ManagerChoices,
    manager_note: Option<String>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let manager = initial.manager.clone();
    view! {
        <div class="field">
            <label for="manager">"Manager " <span class="muted">"(optional: one organisation owner or security manager)"</span></label>
            <input id="manager" name="manager" type="text" list="eligible-managers" value=manager autocomplete="off"
                placeholder="Type a login" aria-describedby="managers-eligible managers-note managers-error"/>
            <p class="hint" id="managers-eligible">
                "GitHub accepts only organisation owners and security managers. The list offers the owners and you; type another security manager's login."
            </p>
            {manager_note.map(|n| view! { <p class="hint" id="managers-note">{n}</p> })}
            <datalist id="eligible-managers">
                {choices.managers.iter().map(|m| view! { <option value=m.login.clone()></option> }).collect_view()}
            </datalist>
            {field_error(error, "managers")}
        </div>
        <fieldset class="field">
            <legend>"Team managers " <span class="muted">{format!("(at most {TEAM_MANAGERS_MAX})")}</span></legend>
            <div class="checks">
                {choices.teams.iter().enumerate().map(|(i, t)| {
                    let checked = initial.team_managers.contains(&t.slug);
                    view! {
                        <label class="check">
                            <input type="checkbox" name=format!("team_managers[{i}]") value=t.slug.clone() checked=checked/>
                            " " {t.name.clone()}
                        </label>
                    }
                }).collect_view()}
            </div>
            {field_error(error, "team_managers")}
        </fieldset>
    }
}

/// JavaScript's `getTimezoneOffset()` at the local date and time `local` (`YYYY-MM-DDTHH:MM`,
/// which JavaScript reads as local time), or now when it is empty or not a date. Browser only
/// (effects and event handlers never run on the server).
fn offset_at(local: &str) -> i64 {
    use leptos::web_sys::js_sys::Date;
    let at = Date::new(&local.into()).get_timezone_offset();
    if at.is_nan() {
        Date::new_0().get_timezone_offset() as i64
    } else {
        at as i64
    }
}

/// A `datetime-local` value in UTC, as the same instant in the browser's time zone.
fn local_of_utc(utc: &str) -> Option<String> {
    let naive = chrono::NaiveDateTime::parse_from_str(utc, "%Y-%m-%dT%H:%M").ok()?;
    let local = naive.and_utc().with_timezone(&chrono::Local);
    Some(local.format("%Y-%m-%dT%H:%M").to_string())
}
