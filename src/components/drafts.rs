//! The org's drafts, as the list page and the overview show them: each links to its shared page.
//! Each page loads them with its own data, in one resource.

use crate::components::dates::When;
use crate::domain::draft::DraftSummary;
use crate::domain::{paths, OrgLogin};
use crate::error::AppError;
use leptos::prelude::*;

/// The org's drafts as its page loaded them (an error in their place when they could not be
/// read: the page around them still shows).
#[component]
pub fn Drafts(org: OrgLogin, drafts: Result<Vec<DraftSummary>, AppError>) -> impl IntoView {
    view! {
        <section class="card drafts" aria-labelledby="drafts-title">
            <h2 id="drafts-title">"Drafts"</h2>
            <p class="muted api-note">
                "Drafts saved here, for the org's members to review before they are published. "
                "Drafts made on GitHub's own pages do not appear here: GitHub's API does not list them."
            </p>
            {match drafts {
                Ok(list) => view! { <DraftTable org list/> }.into_any(),
                Err(e) => view! { <p class="notice error">{e.to_string()}</p> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn DraftTable(org: OrgLogin, list: Vec<DraftSummary>) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="muted">"No drafts. “Save as draft” on the create form keeps one here."</p> }
            .into_any();
    }
    view! {
        <ul class="draft-list">
            {list.into_iter().map(|d| view! {
                <li>
                    <a class="draft-link" href=paths::draft(&org, d.id)>{d.name}</a>
                    <span class="muted">
                        {format!(" · {} alerts · saved by {}", d.alerts, d.created_by)}
                        {(d.updated_by != d.created_by).then(|| format!(", changed by {}", d.updated_by))}
                        " · " <When at=d.updated_at/>
                    </span>
                </li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}
