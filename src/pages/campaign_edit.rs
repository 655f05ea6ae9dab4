//! `/orgs/{org}/campaigns/{number}/edit` and `/…/delete`: the edit form and the delete confirmation.
//! Both are `ActionForm`s that also work with JavaScript off.

use crate::api::campaigns::{get_campaign, load_manager_choices, DeleteCampaign, UpdateCampaign};
use crate::api::flash::{shown_error, take_failed_form};
use crate::components::campaign_fields::CampaignFormFields;
use crate::components::error_view::or_error;
use crate::components::params::{campaign_params, campaign_title, CampaignParams};
use crate::components::streaming::pending;
use crate::domain::campaign::{CampaignView, ManagerChoices};
use crate::domain::campaign_form::{unplaced_messages, CampaignForm, FIELDS};
use crate::domain::failed_form::{FailedForm, FormId};
use crate::domain::{paths, OrgLogin};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn CampaignEditPage() -> impl IntoView {
    let params = campaign_params();
    let data = Resource::new(
        move || params.get(),
        |params| async move {
            let CampaignParams { org, number } = params?;
            let (c, choices) = futures_util::try_join!(
                get_campaign(org.clone(), number),
                load_manager_choices(org.clone()),
            )?;
            // Taken once the form can show it: a view that fails keeps it for the next.
            let failed = take_failed_form(FormId::Edit(org.clone(), number)).await?;
            Ok::<_, AppError>((org, c, choices, failed))
        },
    );
    view! {
        <Title text=campaign_title(params)/>
        {pending(data, "Loading the campaign…")}
        <Suspense fallback=|| ()>
            {move || data.get().map(|r| or_error(r, |(org, c, choices, failed)| view! { <EditForm org c choices failed/> }))}
        </Suspense>
    }
}

#[component]
fn EditForm(
    org: OrgLogin,
    c: CampaignView,
    mut choices: ManagerChoices,
    /// The last post of this form, when it failed without JavaScript.
    failed: Option<FailedForm>,
) -> impl IntoView {
    let action = ServerAction::<UpdateCampaign>::new();
    let error = shown_error(action.value(), failed.as_ref());
    // Messages shown elsewhere: next to their field, or (a conflict) with the overwrite box.
    let placed: Vec<&str> = FIELDS.iter().copied().chain(["conflict"]).collect();
    let general_error = move || {
        error
            .get()
            .filter(|e| e.field_message("conflict").is_none())
            .map(|e| unplaced_messages(&e, &placed))
    };
    let conflict = move || error.get().and_then(|e| e.field_message("conflict"));
    // Whoever manages the campaign now is eligible by GitHub's own word.
    for m in &c.managers {
        if !choices.managers.iter().any(|p| p.login == m.login) {
            choices.managers.push(m.clone());
        }
    }
    let back = paths::campaign(&org, c.number);
    view! {
        <Title text=format!("Edit {}", c.name)/>
        <nav class="breadcrumbs" aria-label="Breadcrumbs">
            <a href=paths::campaigns(&org)>{org.to_string()} " campaigns"</a>
            " / " <a href=back.clone()>"#" {c.number.to_string()}</a> " / edit"
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
            <input type="hidden" name="org" value=org.to_string()/>
            <input type="hidden" name="number" value=c.number.to_string()/>
            <input type="hidden" name="loaded_updated_at" value=c.updated_at.to_rfc3339()/>
            <input type="hidden" name="loaded_ends_at" value=c.ends_at.to_rfc3339()/>
            <CampaignFormFields initial=failed.map(|f| f.values).unwrap_or_else(|| CampaignForm::of_campaign(&c))
                choices error manager_note=managers_note(&c)/>
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
    let params = campaign_params();
    let campaign = Resource::new(
        move || params.get(),
        |params| async move {
            let CampaignParams { org, number } = params?;
            // A delete that failed without JavaScript comes back here with its error.
            let c = get_campaign(org.clone(), number).await?;
            let failed = take_failed_form(FormId::Delete(org.clone(), number)).await?;
            Ok::<_, AppError>((org, c, failed))
        },
    );
    let action = ServerAction::<DeleteCampaign>::new();
    view! {
        <Title text=campaign_title(params)/>
        {pending(campaign, "Loading the campaign…")}
        <Suspense fallback=|| ()>
            {move || campaign.get().map(|r| or_error(r, |(org, c, failed)| {
                    let back = paths::campaign(&org, c.number);
                    let error = shown_error(action.value(), failed.as_ref());
                    view! {
                        <Title text=format!("Delete {}", c.name)/>
                        <section class="confirm card" aria-labelledby="delete-title">
                            <h1 id="delete-title">"Delete the campaign “" {c.name.clone()} "”?"</h1>
                            <p>"The campaign and its progress tracking are removed from GitHub. The alerts themselves stay as they are. This cannot be undone."</p>
                            {move || error.get().map(|e| view! { <p class="notice error" role="alert">{e.to_string()}</p> })}
                            <ActionForm action=action attr:class="inline">
                                <input type="hidden" name="org" value=org.to_string()/>
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
