//! `/signed-out`: where sign-out lands.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SignedOutPage() -> impl IntoView {
    view! {
        <Title text="Signed out"/>
        <section class="notice-page" aria-labelledby="signed-out-title">
            <h1 id="signed-out-title">"You are signed out"</h1>
            <p>"Your session has ended and your GitHub token was revoked. Nothing of it is left in this browser."</p>
            <p><a class="button primary" href="/auth/login" rel="external">"Sign in with GitHub"</a></p>
        </section>
    }
}
