//! `/orgs/{org}/settings`: what the app does for the org when nobody is looking, and as whom.
//! Today: whether background work (hourly snapshots, digests, reminders) can act in the org
//! through the server's GitHub App, and which of the App's permissions it still lacks.

use crate::api::org_settings::load_background_access;
use crate::components::error_view::or_error;
use crate::components::params::{org_param, org_text};
use crate::components::streaming::pending;
use crate::domain::background::{BackgroundAccess, NeededPermission};
use crate::domain::{paths, OrgLogin};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn OrgSettingsPage() -> impl IntoView {
    let org = org_param();
    let access = Resource::new(
        move || org.get(),
        |org| async move {
            let org = org?;
            let access = load_background_access(org.clone()).await?;
            Ok::<_, crate::error::AppError>((org, access))
        },
    );
    let org_text = org_text(org);
    view! {
        <Title text=move || format!("Settings · {}", org_text())/>
        <div class="page-head">
            <h1>"Settings " <span class="muted">"of " {org_text}</span></h1>
            {move || org.get().ok().map(|o| view! {
                <a class="button" href=paths::digests(&o)>"Digests and reminders"</a>
                <a class="button" href=paths::org(&o)>"Overview"</a>
            })}
        </div>
        {pending(access, "Asking GitHub about the app's installation…")}
        <Suspense fallback=|| ()>
            {move || access.get().map(|r| or_error(r, |(org, access)| view! { <Background org access/> }))}
        </Suspense>
    }
}

/// The "Background work" section: on, off, and why.
#[component]
fn Background(org: OrgLogin, access: BackgroundAccess) -> impl IntoView {
    let runs = access.runs();
    let state = if runs { "On" } else { "Off" };
    let body = match access {
        BackgroundAccess::NoApp => view! {
            <p id="background-state">
                "No GitHub App is configured on this server, so background work that needs GitHub is off for every "
                "organisation: hourly snapshots of open campaigns, digests and reminders. History is written only "
                "when someone opens a campaign."
            </p>
            <p class="muted">
                "An administrator registers a GitHub App and sets " <code>"github.app_id"</code> " and "
                <code>"CAMPAIGNS_GITHUB_APP_PRIVATE_KEY"</code> " (see the README's \u{201c}GitHub App\u{201d} section)."
            </p>
        }
        .into_any(),
        BackgroundAccess::NotInstalled { app_id } => view! {
            <p id="background-state">
                "The server's GitHub App (id " {app_id} ") is not installed on " {org.to_string()}
                ", so background work for it is off."
            </p>
            <p class="muted">"An owner of " {org.to_string()} " installs the App from its page on GitHub, choosing all repositories."</p>
        }
        .into_any(),
        BackgroundAccess::Refused { app_id } => view! {
            <p id="background-state" role="alert">
                "GitHub refused the credentials of the server's GitHub App (id " {app_id}
                "), so background work is off. An administrator checks " <code>"github.app_id"</code>
                " and that " <code>"CAMPAIGNS_GITHUB_APP_PRIVATE_KEY"</code> " holds that App's private key."
            </p>
        }
        .into_any(),
        BackgroundAccess::Installed { app_id, installation_id, permissions } => view! {
            <p id="background-state">
                {if runs {
                    "Background work acts in this organisation as the server's GitHub App"
                } else {
                    "Background work is off: the installation lacks a permission below. The server's GitHub App"
                }}
                " (id " {app_id} ", installation " {installation_id} "), with short-lived installation tokens. "
                "People's own pages keep using their own sign-in."
            </p>
            <Permissions permissions/>
        }
        .into_any(),
    };
    view! {
        <section class="card" aria-labelledby="background-title">
            <h2 id="background-title">"Background work: " <span class=if runs { "ok" } else { "muted" }>{state}</span></h2>
            {body}
        </section>
    }
}

#[component]
fn Permissions(permissions: Vec<NeededPermission>) -> impl IntoView {
    view! {
        <table class="permissions">
            <caption>"What the App needs, and nothing more"</caption>
            <thead><tr><th scope="col">"Permission"</th><th scope="col">"Access"</th><th scope="col">"For"</th><th scope="col">"Granted"</th></tr></thead>
            <tbody>
                {permissions.into_iter().map(|p| view! {
                    <tr>
                        <td><code>{p.name}</code></td>
                        <td>{p.access}</td>
                        <td>{p.why}</td>
                        <td>{if p.granted { "yes" } else { "missing" }}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
