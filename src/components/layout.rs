//! The page frame: header (product, navigation, org switcher, user and sign-out slots), main, footer.

use crate::api::auth::{my_orgs, signed_in_user};
use crate::domain::user::CurrentUser;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <Header/>
        <main id="main" tabindex="-1">{children()}</main>
        <footer class="site-footer">
            <p>
                "campaigns-admin · runs GitHub security campaigns through GitHub's REST API. "
                "Your GitHub token stays on the server."
            </p>
        </footer>
    }
}

#[component]
fn Header() -> impl IntoView {
    // Effects run only in the browser, so `hydrated` becomes true once the WASM bundle has taken
    // over. Without it the navigation simply stays expanded.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let menu_open = RwSignal::new(false);
    let user = Resource::new(|| (), |_| signed_in_user());
    view! {
        <header class="site-header">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"◆"</span>
                " campaigns-admin"
            </a>
            <button
                type="button"
                class="nav-toggle"
                class:ready=move || hydrated.get()
                aria-controls="site-nav"
                aria-expanded=move || menu_open.get().to_string()
                on:click=move |_| menu_open.update(|open| *open = !*open)
            >
                "Menu"
            </button>
            <nav
                id="site-nav"
                class="site-nav"
                class:collapsible=move || hydrated.get()
                class:open=move || menu_open.get()
                aria-label="Main"
            >
                <ul>
                    <li><A href="/">"Home"</A></li>
                </ul>
                <Transition fallback=|| ()>
                    {move || {
                        user.get()
                            .and_then(|r| r.ok())
                            .flatten()
                            .map(|u| view! { <HeaderSlots user=u/> })
                    }}
                </Transition>
            </nav>
        </header>
    }
}

/// Org switcher, the signed-in user and the sign-out button.
#[component]
fn HeaderSlots(user: CurrentUser) -> impl IntoView {
    // Its list is asked for when it is first opened: no page waits for GitHub's list of orgs,
    // and a page without JavaScript links to the home page's list instead.
    let wanted = RwSignal::new(false);
    let display = user.name.clone().unwrap_or_else(|| user.login.clone());
    view! {
        <div class="header-slots">
            <details class="slot org-switcher" on:toggle=move |_| wanted.set(true)>
                <summary>"Organisations"</summary>
                {move || if wanted.get() {
                    view! { <OrgMenu/> }.into_any()
                } else {
                    view! { <p><a href="/">"Your organisations"</a></p> }.into_any()
                }}
            </details>
            <span class="slot user" title=display>
                <img class="avatar" src=user.avatar_url.clone() alt="" width="24" height="24"/>
                <span class="login">{user.login.clone()}</span>
            </span>
            <form class="slot sign-out" method="post" action="/auth/logout">
                <button type="submit">"Sign out"</button>
            </form>
        </div>
    }
}

/// The org switcher's list, read from GitHub when it is first shown.
#[component]
fn OrgMenu() -> impl IntoView {
    let orgs = Resource::new(|| (), |_| my_orgs());
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || orgs.get().map(|r| match r {
                Ok(list) if !list.is_empty() => view! {
                    <ul>
                        {list.into_iter().map(|o| {
                            let href = format!("/orgs/{}", o.login);
                            view! { <li><a href=href>{o.login}</a></li> }
                        }).collect_view()}
                    </ul>
                }.into_any(),
                Ok(_) => view! { <p class="muted">"No organisations"</p> }.into_any(),
                Err(e) => view! { <p class="muted">{e.to_string()}</p> }.into_any(),
            })}
        </Transition>
    }
}
