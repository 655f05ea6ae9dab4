//! The picker's starting points: the org's templates. One click sets the filters and fills in
//! the campaign's name and description where they are still empty; the filters in use can be
//! saved as a template of the org, and a saved one removed.

use crate::api::templates::{RemoveTemplate, SaveTemplate};
use crate::components::browser::fill_if_empty;
use crate::domain::alert_filter::AlertFilter;
use crate::domain::template::{expand, Template, TemplateForm};
use crate::domain::OrgLogin;
use leptos::prelude::*;

#[component]
pub fn TemplateBar(
    org: OrgLogin,
    templates: Vec<Template>,
    filters: RwSignal<AlertFilter>,
    /// Called when a template sets the filters (the picker resets how many rows it shows).
    on_apply: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let templates = RwSignal::new(templates);
    let remove = ServerAction::<RemoveTemplate>::new();
    let org_name = org.to_string();
    let apply = move |t: Template| {
        let org_name = org_name.clone();
        move |_| {
            on_apply();
            filters.set(t.filter.clone());
            let today = chrono::Local::now().date_naive();
            fill_if_empty("name", &expand(&t.name_pattern, &org_name, today));
            fill_if_empty(
                "description",
                &expand(&t.description_pattern, &org_name, today),
            );
        }
    };
    let org_for_save = org.clone();
    view! {
        <div class="presets" role="group" aria-label="Templates">
            <span class="muted">"Start from: "</span>
            {move || {
                templates.get().into_iter().map(|t| {
                    let removable = t.id.map(|id| {
                        let org = org.clone();
                        let label = t.label.clone();
                        view! {
                            <button type="button" class="remove-template" aria-label=format!("Remove the template {label}")
                                on:click=move |_| {
                                    remove.dispatch(RemoveTemplate { org: org.clone(), id });
                                    templates.update(|all| all.retain(|x| x.id != Some(id)));
                                }>"×"</button>
                        }
                    });
                    view! {
                        <span class="template">
                            <button type="button" on:click=apply(t.clone())>{t.label.clone()}</button>
                            {removable}
                        </span>
                    }
                }).collect_view()
            }}
            <button type="button" on:click=move |_| { on_apply(); filters.set(AlertFilter::default()); }>"No filters"</button>
        </div>
        {save_form(org_for_save, templates, filters)}
    }
}

/// Saves the filters, with a name and description pattern, as a template of the org; a saved
/// template joins the bar (replacing one of the same label).
fn save_form(
    org: OrgLogin,
    templates: RwSignal<Vec<Template>>,
    filters: RwSignal<AlertFilter>,
) -> impl IntoView {
    let save = ServerAction::<SaveTemplate>::new();
    let (label, name_pattern, description_pattern) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    Effect::new(move |_| {
        if let Some(Ok(t)) = save.value().get() {
            templates.update(|all| {
                all.retain(|x| x.id.is_none() || x.label != t.label);
                all.push(t);
            });
            label.set(String::new());
        }
    });
    let save_error = move || {
        save.value()
            .get()
            .and_then(|r| r.err())
            .map(|e| e.to_string())
    };
    let save_now = move |_| {
        save.dispatch(SaveTemplate {
            org: org.clone(),
            form: TemplateForm {
                label: label.get_untracked(),
                name_pattern: name_pattern.get_untracked(),
                description_pattern: description_pattern.get_untracked(),
                filter: filters.get_untracked(),
            },
        });
    };
    let text =
        |signal: RwSignal<String>, id: &'static str, label: &'static str, hint: &'static str| {
            view! {
                <label for=id>{label}</label>
                <input type="text" id=id placeholder=hint prop:value=move || signal.get()
                    on:input=move |ev| signal.set(event_target_value(&ev))/>
            }
        };
    view! {
        <details class="save-template">
            <summary>"Save these filters as a template"</summary>
            <div class="save-template-fields">
                {text(label, "template-label", "Template name", "SQL injection in production")}
                {text(name_pattern, "template-name", "Campaign name pattern", "SQL injection {date}")}
                {text(description_pattern, "template-description", "Description pattern", "Fix SQL injection in {org}.")}
                <button type="button" on:click=save_now disabled=move || save.pending().get()>"Save template"</button>
                {move || save_error().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                <p class="muted">"{date} and {org} in a pattern become today's date and the organisation."</p>
            </div>
        </details>
    }
}
