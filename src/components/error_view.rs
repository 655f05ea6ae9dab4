//! The one view that turns an `AppError` into a message, and into the right HTTP status during SSR.

use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

/// Sets the response status (server side) and renders the error for a person.
#[component]
pub fn ErrorView(error: AppError) -> impl IntoView {
    if error == AppError::NotSignedIn {
        sign_in_again();
    } else {
        set_status(error.status_code());
    }
    let hint = match &error {
        AppError::NotFound => Some("Check the address, or start again from the home page."),
        AppError::NotSignedIn => Some("Sign in again to continue."),
        AppError::GitHubUnavailable | AppError::Transport { .. } => {
            Some("Nothing was changed. Reload the page to try again.")
        }
        _ => None,
    };
    view! {
        <Title text=error.title()/>
        <section class="error-page" role="alert" data-status=error.status_code()>
            <h1>{error.title()}</h1>
            <p class="error-message">{error.to_string()}</p>
            {hint.map(|h| view! { <p class="hint">{h}</p> })}
            <p><a class="button" href="/">"Go to the home page"</a></p>
        </section>
    }
}

/// The page for a loaded result: `ok` for data, the error view (with its status) for an error.
/// Used instead of an `ErrorBoundary`, which rendered the error twice after hydration.
pub fn or_error<T, V>(result: Result<T, AppError>, ok: impl FnOnce(T) -> V) -> AnyView
where
    V: IntoView + 'static,
{
    match result {
        Ok(data) => ok(data).into_any(),
        Err(error) => view! { <ErrorView error/> }.into_any(),
    }
}

/// Sets this response's HTTP status while the page renders on the server.
pub fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(status) = http::StatusCode::from_u16(code) {
            response.set_status(status);
        }
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}

/// Sends the user to sign in, coming back to this very page afterwards.
fn sign_in_again() {
    let location = leptos_router::hooks::use_location();
    let search = location.search.get_untracked();
    let here = if search.is_empty() {
        location.pathname.get_untracked()
    } else {
        format!("{}?{search}", location.pathname.get_untracked())
    };
    let target = crate::domain::paths::sign_in_then(&here);
    #[cfg(feature = "ssr")]
    leptos_axum::redirect(&target);
    #[cfg(not(feature = "ssr"))]
    {
        let _ = window().location().set_href(&target);
    }
}
