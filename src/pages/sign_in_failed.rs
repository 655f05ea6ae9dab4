//! `/sign-in-failed?reason=…`: a sign-in that did not complete, in words, with a way to start again.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn explain(reason: &str) -> &'static str {
    match reason {
        "denied" => "You cancelled the sign-in on GitHub, so no access was granted.",
        "state" => "This sign-in link was already used, belongs to another browser, or was not started here. For your safety it was not completed.",
        "expired" => "The sign-in took longer than 10 minutes and has expired.",
        "exchange" => "GitHub did not accept the sign-in code. It may have been used already.",
        "github" => "GitHub did not complete the sign-in. It may be unavailable right now.",
        _ => "Something went wrong while signing you in.",
    }
}

#[component]
pub fn SignInFailedPage() -> impl IntoView {
    let query = use_query_map();
    let reason = move || query.with(|q| q.get("reason").unwrap_or_default());
    view! {
        <Title text="Sign-in not completed"/>
        <section class="error-page" role="alert" aria-labelledby="sign-in-failed-title">
            <h1 id="sign-in-failed-title">"Sign-in not completed"</h1>
            <p class="error-message">{move || explain(&reason())}</p>
            <p><a class="button primary" href="/auth/login" rel="external">"Sign in again"</a></p>
        </section>
    }
}
