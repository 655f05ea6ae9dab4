//! What every server function starts and ends with: the app state, the session, a GitHub token,
//! and the HTTP status its error means.

use crate::auth::session;
use crate::domain::user::CurrentUser;
use crate::domain::OrgLogin;
use crate::error::AppError;
use crate::state::AppState;
use leptos::prelude::use_context;
use secrecy::SecretString;
use tower_sessions::Session;

/// The app's state. It is missing only when the request a server function runs for is gone (a
/// page's data still loading after the browser went away): an error then, not a panic.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::debug!("a server function ran after its request ended");
        AppError::Internal
    })
}

pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!(error = %e, "no session layer around a server function");
        AppError::Internal
    })
}

/// What a server function works with, taken once: the app's state, the session, the signed-in
/// user and their GitHub token.
pub struct Ctx {
    pub state: AppState,
    pub session: Session,
    pub token: SecretString,
    pub me: CurrentUser,
}

impl Ctx {
    /// The request's context; `NotSignedIn` without a signed-in session.
    pub async fn take() -> Result<Ctx, AppError> {
        let state = app_state()?;
        let session = session().await?;
        let (me, token) = session::user_and_token(&session, &state.tokens()).await?;
        Ok(Ctx {
            state,
            session,
            token,
            me,
        })
    }

    /// Passes `result` on. A 401 from GitHub ends the session, so the UI sends the user to sign
    /// in again.
    pub async fn settle<T>(&self, result: Result<T, AppError>) -> Result<T, AppError> {
        if matches!(result, Err(AppError::NotSignedIn)) {
            tracing::info!("GitHub no longer accepts this token; ending the session");
            session::end(&self.session).await;
        }
        result
    }
}

/// Refuses anyone but an owner or security manager of `org` (asked of GitHub with the user's
/// token, never taken from a link), saying that only they can `what`: what the app keeps for an
/// org is as private as the org's campaigns (`auth::access`).
pub async fn require_manager(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
    what: &str,
) -> Result<(), AppError> {
    state
        .managers
        .require(&state.github, token, org, what)
        .await
}

/// The signed-in user's record, or `NotSignedIn`.
pub async fn signed_in() -> Result<session::SignedIn, AppError> {
    let state = app_state()?;
    session::signed_in(&session().await?, state.settings.session.lifetime)
        .await?
        .ok_or(AppError::NotSignedIn)
}

/// Was this request a plain HTML form post, i.e. without JavaScript?
pub fn is_form_post() -> bool {
    use_context::<http::request::Parts>().is_some_and(|p| {
        p.headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/html"))
    })
}
