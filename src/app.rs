//! The HTML shell, the root `App` component and the route table. Nothing else.

use crate::components::layout::Layout;
use crate::pages::{
    home::HomePage, not_found::NotFound, sign_in_failed::SignInFailedPage,
    signed_out::SignedOutPage,
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, Meta, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path,
};

/// The document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/campaigns-admin.css"/>
        <Link rel="icon" type_="image/svg+xml" href="/favicon.svg"/>
        <Meta name="color-scheme" content="light dark"/>
        <Title formatter=|text: String| {
            if text.is_empty() { "campaigns-admin".to_owned() } else { format!("{text} · campaigns-admin") }
        }/>
        <Router>
            <Layout>
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/") view=HomePage/>
                    <Route path=path!("/signed-out") view=SignedOutPage/>
                    <Route path=path!("/sign-in-failed") view=SignInFailedPage/>
                </Routes>
            </Layout>
        </Router>
    }
}
