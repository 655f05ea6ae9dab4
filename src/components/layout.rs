//! The page frame: header (product, navigation, org switcher, user and sign-out slots), main, footer.

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
                <div class="header-slots">
                    <div class="slot org-switcher" data-slot="org-switcher"></div>
                    <div class="slot user" data-slot="user"></div>
                    <div class="slot sign-out" data-slot="sign-out"></div>
                </div>
            </nav>
        </header>
    }
}
