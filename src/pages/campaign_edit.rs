//! `/orgs/{org}/campaigns/{number}/edit` and `/…/delete`: the edit form and the delete confirmation.
//! Both are `ActionForm`s that also work with JavaScript off.

use crate::api::campaigns::{
    get_campaign, load_edit_choices, CampaignView, DeleteCampaign, EditOptions, UpdateCampaign,
};
use crate::components::error_view::or_error;
use crate::domain::campaign_fields::{DESCRIPTION_MAX, NAME_MAX, TEAM_MANAGERS_MAX};
use crate::error::AppError;
use crate::pages::campaign_detail::{campaign_params, checked_params};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn CampaignEditPage() -> impl IntoView {
    let (org, number) = campaign_params();
    let data = Resource::new(
        move || (org.get(), number.get()),
        |(org, number)| async move {
            checked_params(&org, &number)?;
            let c = get_campaign(org.clone(), number).await?;
            let opts = load_edit_choices(org).await?;
            Ok::<_, AppError>((c, opts))
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading the campaign…"</p> }>
            {move || data.get().map(|r| or_error(r, |(c, opts)| view! { <EditForm org=org.get() c opts/> }))}
        </Suspense>
    }
}

#[component]
fn EditForm(org: String, c: CampaignView, opts: EditOptions) -> impl IntoView {
    let action = ServerAction::<UpdateCampaign>::new();
    let error = move || action.value().get().and_then(|r| r.err());
    let field_error = move |field: &'static str| {
        move || {
            error()
                .and_then(|e| e.field_message(field))
                .map(|m| view! { <p class="field-error" id=format!("{field}-error")>{m}</p> })
        }
    };
    let general_error = move || {
        error().and_then(|e| match &e {
            AppError::Invalid { errors, message } => {
                let unplaced: Vec<String> = errors
                    .iter()
                    .filter(|f| {
                        !matches!(
                            f.field.as_deref(),
                            Some(
                                "name"
                                    | "description"
                                    | "ends_at"
                                    | "managers"
                                    | "team_managers"
                                    | "contact_link"
                                    | "conflict"
                            )
                        )
                    })
                    .map(|f| f.message.clone())
                    .collect();
                (!unplaced.is_empty() || errors.is_empty())
                    .then(|| format!("{message} {}", unplaced.join(" ")))
            }
            other => Some(other.to_string()),
        })
    };
    let conflict = move || error().and_then(|e| e.field_message("conflict"));
    let name_len = RwSignal::new(c.name.chars().count());
    let desc_len = RwSignal::new(c.description.chars().count());
    let manager = c
        .managers
        .first()
        .map(|m| m.login.clone())
        .unwrap_or_default();
    let chosen_teams: Vec<String> = c.team_managers.iter().map(|t| t.slug.clone()).collect();
    let back = format!("/orgs/{org}/campaigns/{}", c.number);
    view! {
        <Title text=format!("Edit {}", c.name)/>
        <nav class="breadcrumbs" aria-label="Breadcrumbs">
            <a href=format!("/orgs/{org}/campaigns")>{org.clone()} " campaigns"</a>
            " / " <a href=back.clone()>"#" {c.number}</a> " / edit"
        </nav>
        <h1>"Edit campaign"</h1>
        {move || general_error().map(|m| view! { <p class="notice error" role="alert">{m}</p> })}
        {move || conflict().map(|m| view! {
            <div class="notice warning" role="alert">
                <p>{m}</p>
                <label><input type="checkbox" name="overwrite" form="edit-form" value="on"/> " Overwrite the newer version with mine"</label>
            </div>
        })}
        <ActionForm action=action attr:id="edit-form" attr:class="form" attr:novalidate=false>
            <input type="hidden" name="org" value=org.clone()/>
            <input type="hidden" name="number" value=c.number.to_string()/>
            <input type="hidden" name="loaded_updated_at" value=c.updated_at.to_rfc3339()/>
            <input type="hidden" name="tz_offset" value="0"/>
            <div class="field">
                <label for="name">"Name"</label>
                <input id="name" name="name" type="text" required maxlength=NAME_MAX value=c.name.clone()
                    aria-describedby="name-count name-error"
                    on:input=move |ev| name_len.set(event_target_value(&ev).chars().count())/>
                <p class="counter" id="name-count">{move || format!("{} / {NAME_MAX}", name_len.get())}</p>
                {field_error("name")}
            </div>
            <div class="field">
                <label for="description">"Description"</label>
                <textarea id="description" name="description" required maxlength=DESCRIPTION_MAX rows="4"
                    aria-describedby="description-count description-error"
                    on:input=move |ev| desc_len.set(event_target_value(&ev).chars().count())
                    prop:value=c.description.clone()>{c.description.clone()}</textarea>
                <p class="counter" id="description-count">{move || format!("{} / {DESCRIPTION_MAX}", desc_len.get())}</p>
                {field_error("description")}
            </div>
            <div class="field">
                <label for="ends_at">"Due (UTC)"</label>
                <input id="ends_at" name="ends_at" type="datetime-local" required
                    value=c.ends_at.format("%Y-%m-%dT%H:%M").to_string() aria-describedby="ends_at-error"/>
                {field_error("ends_at")}
            </div>
            <div class="field">
                <label for="manager">"Manager"</label>
                <select id="manager" name="manager" aria-describedby="managers-error">
                    <option value="" selected=manager.is_empty()>"No manager"</option>
                    {opts.members.iter().map(|m| view! {
                        <option value=m.login.clone() selected=m.login == manager>{m.login.clone()}</option>
                    }).collect_view()}
                </select>
                {field_error("managers")}
            </div>
            <fieldset class="field">
                <legend>"Team managers " <span class="muted">{format!("(at most {TEAM_MANAGERS_MAX})")}</span></legend>
                <div class="checks">
                    {opts.teams.iter().enumerate().map(|(i, t)| {
                        let checked = chosen_teams.contains(&t.slug);
                        view! {
                            <label class="check">
                                <input type="checkbox" name=format!("team_managers[{i}]") value=t.slug.clone() checked=checked/>
                                " " {t.name.clone()}
                            </label>
                        }
                    }).collect_view()}
                </div>
                {field_error("team_managers")}
            </fieldset>
            <div class="field">
                <label for="contact_link">"Contact link " <span class="muted">"(optional: https://, http:// or mailto:)"</span></label>
                <input id="contact_link" name="contact_link" type="url" value=c.contact_link.clone().unwrap_or_default()
                    aria-describedby="contact_link-error"/>
                {field_error("contact_link")}
            </div>
            <div class="form-actions">
                <button type="submit" class="primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Saving…" } else { "Save changes" }}
                </button>
                <a class="button" href=back>"Cancel"</a>
            </div>
        </ActionForm>
    }
}

#[component]
pub fn CampaignDeletePage() -> impl IntoView {
    let (org, number) = campaign_params();
    let campaign = Resource::new(
        move || (org.get(), number.get()),
        |(org, number)| async move {
            checked_params(&org, &number)?;
            get_campaign(org, number).await
        },
    );
    let action = ServerAction::<DeleteCampaign>::new();
    view! {
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading the campaign…"</p> }>
            {move || campaign.get().map(|r| or_error(r, |c| {
                    let org = org.get();
                    let back = format!("/orgs/{org}/campaigns/{}", c.number);
                    view! {
                        <Title text=format!("Delete {}", c.name)/>
                        <section class="confirm card" aria-labelledby="delete-title">
                            <h1 id="delete-title">"Delete the campaign “" {c.name.clone()} "”?"</h1>
                            <p>"The campaign and its progress tracking are removed from GitHub. The alerts themselves stay as they are. This cannot be undone."</p>
                            {move || action.value().get().and_then(|r| r.err()).map(|e| view! { <p class="notice error" role="alert">{e.to_string()}</p> })}
                            <ActionForm action=action attr:class="inline">
                                <input type="hidden" name="org" value=org.clone()/>
                                <input type="hidden" name="number" value=c.number.to_string()/>
                                <button type="submit" class="danger" disabled=move || action.pending().get()>
                                    "Delete “" {c.name.clone()} "”"
                                </button>
                            </ActionForm>
                            " "
                            <a class="button" href=back>"Keep it"</a>
                        </section>
                    }
                }))}
        </Suspense>
    }
}
