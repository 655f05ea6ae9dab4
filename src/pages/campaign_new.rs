//! `/orgs/{org}/campaigns/new`: the create form with the alert picker. On failure the form comes
//! back with every field and the whole selection intact, and each message next to its field.

use crate::api::alerts::{new_campaign_context, CreateFormContext};
use crate::api::campaigns::CreateCampaign;
use crate::components::alert_picker::AlertPicker;
use crate::components::campaign_fields::{CampaignFormFields, FieldValues};
use crate::components::error_view::or_error;
use crate::domain::alert_selection::AlertKey;
use crate::domain::OrgLogin;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use std::collections::BTreeSet;

/// Fields the form shows next to an input; anything else goes to the top of the form.
const PLACED: &[&str] = &[
    "name",
    "description",
    "ends_at",
    "managers",
    "team_managers",
    "contact_link",
    "alerts",
];

#[component]
pub fn CampaignNewPage() -> impl IntoView {
    let params = use_params_map();
    let org = Memo::new(move |_| params.with(|p| p.get("org").unwrap_or_default()));
    let context = Resource::new(
        move || org.get(),
        |org| async move {
            OrgLogin::parse(&org).map_err(|_| AppError::NotFound)?;
            new_campaign_context(org).await
        },
    );
    view! {
        <Title text=move || format!("New campaign · {}", org.get())/>
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading…"</p> }>
            {move || context.get().map(|r| or_error(r, |ctx| view! { <NewCampaignForm org=org.get() ctx/> }))}
        </Suspense>
    }
}

#[component]
fn NewCampaignForm(org: String, ctx: CreateFormContext) -> impl IntoView {
    let action = ServerAction::<CreateCampaign>::new();
    let selected = RwSignal::new(BTreeSet::<AlertKey>::new());
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    let general = move || {
        error.get().map(|e| match &e {
            AppError::Invalid { errors, message } => {
                let unplaced: Vec<String> = errors
                    .iter()
                    .filter(|f| !f.field.as_deref().is_some_and(|f| PLACED.contains(&f)))
                    .map(|f| f.message.clone())
                    .collect();
                if unplaced.is_empty() {
                    message.clone()
                } else {
                    unplaced.join(" ")
                }
            }
            other => other.to_string(),
        })
    };
    let alerts_error = Signal::derive(move || error.get().and_then(|e| e.field_message("alerts")));
    let encoded =
        move || selected.with(|s| s.iter().map(|k| k.encode()).collect::<Vec<_>>().join(" "));
    let list = format!("/orgs/{org}/campaigns");
    view! {
        <nav class="breadcrumbs" aria-label="Breadcrumbs">
            <a href=list.clone()>{org.clone()} " campaigns"</a> " / new"
        </nav>
        <h1>"New campaign"</h1>
        {(ctx.open_campaigns >= 10).then(|| view! {
            <p class="notice warning" role="alert">
                {format!("{} already has {} open campaigns, GitHub's maximum. Close one before creating another: ", org, ctx.open_campaigns)}
                <a href=format!("{list}?state=open")>"open campaigns"</a>
            </p>
        })}
        {move || general().map(|m| view! { <p class="notice error" role="alert">{m}</p> })}
        <ActionForm action=action attr:class="form wide" attr:id="new-campaign">
            <input type="hidden" name="org" value=org.clone()/>
            <input type="hidden" name="alerts" prop:value=encoded/>
            <CampaignFormFields initial=FieldValues::default() choices=ctx.choices error local_time=true/>
            <label class="check">
                <input type="checkbox" name="generate_issues" value="on"/>
                " Create one tracking issue per repository"
            </label>
            <AlertPicker org=org.clone() selected error=alerts_error/>
            <div class="form-actions sticky">
                <button type="submit" class="primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() {
                        "Creating…".to_owned()
                    } else {
                        format!("Create campaign with {} alerts", selected.with(BTreeSet::len))
                    }}
                </button>
                <a class="button" href=list>"Cancel"</a>
            </div>
        </ActionForm>
    }
}
