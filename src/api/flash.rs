//! A failed plain HTML form post (no JavaScript) comes back filled in. Leptos answers such a post
//! with a redirect to the form page, which would lose what was typed and the messages; so the
//! server function keeps both in the user's session for the next view of that form, once.

use crate::domain::failed_form::{FailedForm, FormId};
use crate::error::AppError;
use leptos::prelude::*;

/// The error a form shows: its action's last answer, else that of the post that failed without
/// JavaScript.
pub fn shown_error<T>(
    answer: MappedSignal<Option<Result<T, AppError>>>,
    failed: Option<&FailedForm>,
) -> Signal<Option<AppError>>
where
    T: Clone + Send + Sync + 'static,
{
    let kept = failed.map(|f| f.error.clone());
    Signal::derive(move || {
        answer.with(|v| match v {
            Some(result) => result.clone().err(),
            None => kept.clone(),
        })
    })
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::{FailedForm, FormId};
    use crate::api::context;
    use crate::domain::alert_selection::{AlertKey, MAX_ALERTS};
    use crate::error::AppError;
    use std::future::Future;

    const KEY: &str = "failed_form";
    /// Longer values are cut: the session keeps what a person could have typed (every field's
    /// limit is below this), not an upload.
    const MAX_CHARS: usize = 512;
    const MAX_TEAMS: usize = crate::domain::campaign_fields::TEAM_MANAGERS_MAX + 5;
    const MAX_ERRORS: usize = 20;

    fn cut(s: &mut String) {
        if let Some((i, _)) = s.char_indices().nth(MAX_CHARS) {
            s.truncate(i);
        }
    }

    /// Keeps `failed` for the next view of its form, when the request was a plain form post of
    /// a signed-in user. At most a few KB: text fields cut to `MAX_CHARS`, and the selection
    /// only as well-formed alert keys, at most the form's own limit.
    pub async fn remember(mut failed: FailedForm) {
        // Nothing is stored for a visitor who is not signed in.
        if !context::is_form_post() || context::signed_in().await.is_err() {
            return;
        }
        let Ok(session) = context::session().await else {
            return;
        };
        failed.values.team_managers.truncate(MAX_TEAMS);
        failed.values.texts_mut().for_each(cut);
        if let AppError::Invalid { message, errors } = &mut failed.error {
            cut(message);
            errors.truncate(MAX_ERRORS);
            errors.iter_mut().for_each(|e| cut(&mut e.message));
        }
        failed.alerts.retain(|k| AlertKey::decode(k).is_some());
        failed.alerts.truncate(MAX_ALERTS);
        let back = back_to(&failed.form);
        match session.insert(KEY, failed).await {
            // The form shows the kept error itself: send the browser back to a clean address,
            // so a reload is a fresh form rather than the same error again.
            Ok(()) => leptos_axum::redirect(&back),
            Err(e) => tracing::warn!(error = %e, "could not keep the failed form in the session"),
        }
    }

    /// Where a failed plain post of `form` goes back to: its page, with the query the page had
    /// (the picker's filters) when the post came from it, less Leptos' error parameters.
    fn back_to(form: &FormId) -> String {
        let page = form.page();
        let referer = leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|p| {
                p.headers
                    .get(http::header::REFERER)?
                    .to_str()
                    .ok()
                    .map(str::to_owned)
            })
            .and_then(|r| url::Url::parse(&r).ok());
        let query = referer
            .filter(|r| r.path() == page)
            .map(|r| {
                let kept = r
                    .query_pairs()
                    .filter(|(k, _)| k != "__path" && k != "__err");
                url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(kept)
                    .finish()
            })
            .unwrap_or_default();
        if query.is_empty() {
            page
        } else {
            format!("{page}?{query}")
        }
    }

    /// The failed post of `form`, if the last one was. Whatever was kept is given out once: the
    /// next view of any form drops it.
    pub async fn take(form: &FormId) -> Option<FailedForm> {
        let session = context::session().await.ok()?;
        let kept: FailedForm = session.remove(KEY).await.ok().flatten()?;
        (kept.form == *form).then_some(kept)
    }

    /// Whether `session` keeps a failed post for some form's next view. A page that would take
    /// it waits for its data before its first byte (`components::streaming`): the session is
    /// saved when the response starts, so a form taken later would be shown again.
    pub async fn kept(session: &tower_sessions::Session) -> bool {
        matches!(session.get::<FailedForm>(KEY).await, Ok(Some(_)))
    }

    /// Runs a form's server function: when it fails, a plain (no-JavaScript) post is kept as
    /// `echo` with its error for the form's next view. The error keeps its HTTP status.
    pub async fn form_post<T>(
        echo: FailedForm,
        run: impl Future<Output = Result<T, AppError>>,
    ) -> Result<T, AppError> {
        let result = run.await;
        if let Err(error) = &result {
            remember(FailedForm {
                error: error.clone(),
                ..echo
            })
            .await;
        }
        result
    }
}

#[cfg(feature = "ssr")]
pub use ssr::{form_post, kept, take};

/// The last post of `form` when it failed without JavaScript; `None` otherwise. Signed-in users
/// only; each kept post is given out once.
#[server(endpoint = "forms/failed")]
pub async fn take_failed_form(form: FormId) -> Result<Option<FailedForm>, AppError> {
    super::context::signed_in().await?;
    Ok(take(&form).await)
}
