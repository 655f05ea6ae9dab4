//! Pages stream in order: the frame (header, navigation, headings) leaves at once and the data
//! follows as GitHub answers, in place, so a page works without JavaScript too.
//!
//! A page's status and title come from its data, and a status can only be sent before the first
//! byte. So:
//! - a browser opening a page (`Sec-Fetch-Dest: document`, which every current browser sends)
//!   gets its first byte once the data has come or `github.first_byte_wait_ms` (40 ms) has passed: a near GitHub answers
//!   inside it and the page leaves whole, with its real status (404, 503) and title; a far or
//!   stalled one does not, and the frame leaves at once with the data, or its error, following
//!   in place;
//! - any other client (a monitor, a script, a chat app unfurling a link) reads statuses and tags,
//!   not pixels: its page leaves whole, with the status its data decides and the detail page's
//!   Open Graph tags ([`opened_by_browser`]), as before streaming.

use leptos::prelude::*;

/// Holds the page's first byte until `data` has loaded, or, for a browser, the first byte's wait
/// (`github.first_byte_wait_ms`) has passed.
/// When the session keeps a failed form for a page to take, it waits for the data whatever the
/// time: the session is saved as the response starts, and a form taken after that would be
/// shown again.
fn hold_first_byte<T: Send + Sync + 'static>(data: Resource<T>) {
    #[cfg(feature = "ssr")]
    ssr::hold(data.ready());
    #[cfg(not(feature = "ssr"))]
    let _ = data;
}

/// Whether this page is being opened by a browser (`Sec-Fetch-Dest: document` on the server;
/// always in the browser itself), which gets the page streamed.
pub fn opened_by_browser() -> bool {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>().is_some_and(|p| ssr::browsing(&p))
    }
    #[cfg(not(feature = "ssr"))]
    true
}

/// Where a page's `data` will stream in: holds the first byte for it ([`hold_first_byte`]) and
/// shows skeleton rows until it comes. Goes right before the `Suspense` that shows `data`.
pub fn pending<T: Send + Sync + 'static>(data: Resource<T>, what: &'static str) -> impl IntoView {
    hold_first_byte(data);
    view! { <Pending what/> }
}

/// The page's place for data still coming: skeleton rows, hidden by the stylesheet as soon as
/// anything follows them (`.pending:not(:last-child)`), so it needs no script to go.
#[component]
pub fn Pending(
    /// Said to screen readers and shown above the rows, e.g. "Loading the campaign…".
    what: &'static str,
) -> impl IntoView {
    view! {
        <div class="pending" aria-busy="true">
            <p class="loading">{what}</p>
            <div class="skeleton-row"></div>
            <div class="skeleton-row"></div>
            <div class="skeleton-row"></div>
        </div>
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use leptos::prelude::*;
    use std::future::Future;
    use tower_sessions::Session;

    pub fn browsing(parts: &http::request::Parts) -> bool {
        parts
            .headers
            .get("sec-fetch-dest")
            .is_some_and(|v| v.as_bytes() == b"document")
    }

    pub fn hold(ready: impl Future<Output = ()> + Send + Sync + 'static) {
        let Some(shared) = Owner::current_shared_context() else {
            return;
        };
        let parts = use_context::<http::request::Parts>();
        let browsing = parts.as_ref().is_some_and(browsing);
        let wait = use_context::<crate::state::AppState>()
            .map(|state| state.settings.github.first_byte_wait)
            .unwrap_or_default();
        let session = parts.and_then(|p| p.extensions.get::<Session>().cloned());
        // The session's future is not `Sync`, which a held future must be: it is polled through
        // a wrapper that only ever lends it out mutably.
        let kept = browsing.then(|| {
            sync_wrapper::SyncFuture::new(async move {
                match session {
                    Some(session) => crate::api::flash::kept(&session).await,
                    None => false,
                }
            })
        });
        shared.defer_stream(Box::pin(async move {
            let whole = match kept {
                Some(kept) => kept.await,
                None => true,
            };
            if whole {
                ready.await;
            } else {
                let _ = tokio::time::timeout(wait, ready).await;
            }
            // Lets the page's `Suspense` see the data before the first chunk is cut.
            tokio::task::yield_now().await;
        }));
    }
}
