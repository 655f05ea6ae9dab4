//! `/`: the organisations the signed-in user can open, each linking to its campaigns.

use crate::api::auth::my_orgs;
use crate::components::error_view::or_error;
use crate::components::streaming::pending;
use crate::domain::user::OrgSummary;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    let orgs = Resource::new(|| (), |_| my_orgs());
    view! {
        <Title text="Home"/>
        <section class="hero" aria-labelledby="home-title">
            <h1 id="home-title">"Security campaigns, without the waiting"</h1>
            <p class="lead">
                "Plan, launch and follow GitHub security campaigns for your organisation: "
                "pick the code-scanning alerts that matter by rule, CWE, repository and path, "
                "give them an owner and a due date, and share a link your colleagues can open."
            </p>
        </section>
        <section aria-labelledby="orgs-title">
            <h2 id="orgs-title">"Your organisations"</h2>
            {pending(orgs, "Loading your organisations…")}
            <Suspense fallback=|| ()>
                {move || orgs.get().map(|r| or_error(r, |list| view! { <OrgList orgs=list/> }))}
            </Suspense>
        </section>
    }
}

#[component]
fn OrgList(orgs: Vec<OrgSummary>) -> impl IntoView {
    if orgs.is_empty() {
        return view! {
            <div class="empty-state">
                <p><strong>"No organisations to show."</strong></p>
                <p>"GitHub lists an organisation here only when this app was granted the "<code>"read:org"</code>
                   " scope, and the organisation allows this OAuth app (organisations can restrict third-party access). "
                   "Sign out and sign in again to grant the scope, or ask an organisation owner to approve the app."</p>
            </div>
        }
        .into_any();
    }
    view! {
        <ul class="org-list">
            {orgs
                .into_iter()
                .map(|o| {
                    let href = format!("/orgs/{}", o.login);
                    view! {
                        <li class="card org-card">
                            <img src=o.avatar_url.clone() alt="" width="40" height="40" class="avatar"/>
                            <div>
                                <a href=href class="org-link">{o.login.clone()}</a>
                                {o.description.map(|d| view! { <p class="muted">{d}</p> })}
                            </div>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}
