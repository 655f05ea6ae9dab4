//! `/orgs/{org}/campaigns/{number}/edit` and `/…/delete`: the edit form and the delete confirmation.
//! Both are `ActionForm`s that also work with JavaScript off.

use crate::api::campaigns::{
    get_campaign, load_edit_choices, CampaignView, DeleteCampaign, EditOptions, UpdateCampaign,
};
use crate::api::flash::{shown_error, take_failed_form, FailedForm};
use crate::components::campaign_fields::{CampaignFormFields, FieldValues};
use crate::components::error_view::or_error;
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
            let (failed, c, opts) = futures_util::try_join!(
                take_failed_form(format!("edit:{org}/{number}")),
                get_campaign(org.clone(), number.clone()),
                load_edit_choices(org.clone()),
            )?;
            Ok::<_, AppError>((c, opts, failed))
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading the campaign…"</p> }>
            {move || data.get().map(|r| or_error(r, |(c, opts, failed)| view! { <EditForm org=org.get() c opts failed/> }))}
        </Suspense>
    }
}

#[component]
fn EditForm(
    org: String,
    c: CampaignView,
    opts: EditOptions,
    /// The last post of this form, when it failed without JavaScript.
    failed: Option<FailedForm>,
) -> impl IntoView {
    let action = ServerAction::<UpdateCampaign>::new();
    let error = shown_error(action.value(), failed.as_ref());
    let general_error = move || {
        error.get().and_then(|e| match &e {
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
    let conflict = move || error.get().and_then(|e| e.field_message("conflict"));
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
            <input type="hidden" name="loaded_ends_at" value=c.ends_at.to_rfc3339()/>
            <CampaignFormFields initial=failed.map(|f| f.values).unwrap_or_else(|| FieldValues {
                name: c.name.clone(),
                description: c.description.clone(),
                ends_at: c.ends_at.format("%Y-%m-%dT%H:%M").to_string(),
                manager: c.managers.first().map(|m| m.login.clone()).unwrap_or_default(),
                teams: c.team_managers.iter().map(|t| t.slug.clone()).collect(),
                contact_link: c.contact_link.clone().unwrap_or_default(),
            }) choices=opts error manager_note=managers_note(&c)/>
            <div class="form-actions">
                <button type="submit" class="primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Saving…" } else { "Save changes" }}
                </button>
                <a class="button" href=back>"Cancel"</a>
            </div>
        </ActionForm>
    }
}

/// When GitHub lists several managers: the form shows the first (GitHub's API sets one).
fn managers_note(c: &CampaignView) -> Option<String> {
    let logins: Vec<&str> = c.managers.iter().map(|m| m.login.as_str()).collect();
    (logins.len() > 1).then(|| {
        format!(
            "This campaign has {} managers ({}). They all stay unless you change this field; GitHub's API then sets the one you enter.",
            logins.len(),
            logins.join(", ")
        )
    })
}

#[component]
pub fn CampaignDeletePage() -> impl IntoView {
    let (org, number) = campaign_params();
    let campaign = Resource::new(
        move || (org.get(), number.get()),
        |(org, number)| async move {
            checked_params(&org, &number)?;
            // A delete that failed without JavaScript comes back here with its error.
            let (c, failed) = futures_util::try_join!(
                get_campaign(org.clone(), number.clone()),
                take_failed_form(format!("delete:{org}/{number}")),
            )?;
            Ok::<_, AppError>((c, failed))
        },
    );
    let action = ServerAction::<DeleteCampaign>::new();
    view! {
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading the campaign…"</p> }>
            {move || campaign.get().map(|r| or_error(r, |(c, failed)| {
                    let org = org.get();
                    let back = format!("/orgs/{org}/campaigns/{}", c.number);
                    let error = shown_error(action.value(), failed.as_ref());
                    view! {
                        <Title text=format!("Delete {}", c.name)/>
                        <section class="confirm card" aria-labelledby="delete-title">
                            <h1 id="delete-title">"Delete the campaign “" {c.name.clone()} "”?"</h1>
                            <p>"The campaign and its progress tracking are removed from GitHub. The alerts themselves stay as they are. This cannot be undone."</p>
                            {move || error.get().map(|e| view! { <p class="notice error" role="alert">{e.to_string()}</p> })}
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
