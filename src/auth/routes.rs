//! `/auth/login`, `/auth/callback`, `/auth/logout`: plain axum handlers around the OAuth web flow.

use super::crypto::TokenCipher;
use super::oauth::OAuthApp;
use super::safe_next;
use super::session::{self, PendingSignIn, PENDING_CAP, PENDING_KEY};
use crate::domain::user::CurrentUser;
use crate::github::GitHubClient;
use crate::settings::Settings;
use axum::{
    extract::{FromRef, Query, State},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Router,
};
use chrono::Utc;
use serde::Deserialize;
use std::sync::Arc;
use subtle::ConstantTimeEq;
use tower_sessions::Session;

/// The sign-in routes, for any app state that holds the parts they use.
pub fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Settings>: FromRef<S>,
    Arc<OAuthApp>: FromRef<S>,
    TokenCipher: FromRef<S>,
    GitHubClient: FromRef<S>,
{
    Router::new()
        .route("/auth/login", get(login))
        .route("/auth/callback", get(callback))
        .route("/auth/logout", post(logout))
}

/// The page that explains a failed sign-in and offers to start again.
fn failed(reason: &str) -> Response {
    Redirect::to(&format!("/sign-in-failed?reason={reason}")).into_response()
}

fn internal_error() -> Response {
    failed("internal")
}

#[derive(Deserialize)]
struct LoginQuery {
    next: Option<String>,
}

async fn login(
    State(oauth): State<Arc<OAuthApp>>,
    session: Session,
    Query(q): Query<LoginQuery>,
) -> Response {
    let next = safe_next(q.next.as_deref());
    let auth = oauth.authorize_url();
    let now = Utc::now();
    let mut pending: Vec<PendingSignIn> = match session.get(PENDING_KEY).await {
        Ok(p) => p.unwrap_or_default(),
        Err(e) => {
            tracing::error!(error = %e, "session store failed");
            return internal_error();
        }
    };
    pending.retain(|p| !p.expired(now));
    pending.push(PendingSignIn {
        state: auth.state,
        verifier: auth.verifier,
        next,
        created_at: now,
    });
    if pending.len() > PENDING_CAP {
        let excess = pending.len() - PENDING_CAP;
        pending.drain(..excess);
    }
    if let Err(e) = session.insert(PENDING_KEY, pending).await {
        tracing::error!(error = %e, "session store failed");
        return internal_error();
    }
    Redirect::to(&auth.url).into_response()
}

#[derive(Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

async fn callback(
    State(oauth): State<Arc<OAuthApp>>,
    State(github): State<GitHubClient>,
    State(cipher): State<TokenCipher>,
    session: Session,
    Query(q): Query<CallbackQuery>,
) -> Response {
    let now = Utc::now();
    let mut pending: Vec<PendingSignIn> = session
        .get(PENDING_KEY)
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    // Compare every pending state in constant time, then take the match out: it is single-use.
    let given = q.state.clone().unwrap_or_default();
    let position = pending
        .iter()
        .position(|p| !given.is_empty() && bool::from(p.state.as_bytes().ct_eq(given.as_bytes())));
    let matched = position.map(|i| pending.remove(i));
    pending.retain(|p| !p.expired(now));
    if session.insert(PENDING_KEY, &pending).await.is_err() {
        return internal_error();
    }
    let Some(tx) = matched else {
        tracing::info!("sign-in callback with a missing, unknown or reused state");
        return failed("state");
    };
    if tx.expired(now) {
        return failed("expired");
    }
    if let Some(err) = q.error.as_deref() {
        // Only GitHub's own error codes are logged: the parameter is whatever the link said.
        let known = [
            "access_denied",
            "application_suspended",
            "redirect_uri_mismatch",
            "unverified_user_email",
        ];
        let logged = known
            .iter()
            .find(|k| **k == err)
            .copied()
            .unwrap_or("other");
        tracing::info!(error = logged, "GitHub sent the user back without a code");
        return failed(if err == "access_denied" {
            "denied"
        } else {
            "github"
        });
    }
    let Some(code) = q.code.as_deref().filter(|c| !c.is_empty()) else {
        return failed("github");
    };
    let tokens = match oauth.exchange(code, &tx.verifier).await {
        Ok(t) => t,
        Err(reason) => {
            tracing::info!(%reason, "the code exchange failed");
            return failed("exchange");
        }
    };
    let user = match github.get_authenticated_user(&tokens.access).await {
        Ok(u) => u,
        Err(_) => return failed("github"),
    };
    let current = CurrentUser {
        login: user.login,
        name: user.name,
        avatar_url: crate::domain::campaign_fields::web_url_or_empty(user.avatar_url),
    };
    if session::start(&session, &cipher, current, &tokens)
        .await
        .is_err()
    {
        return internal_error();
    }
    Redirect::to(&tx.next).into_response()
}

async fn logout(
    State(settings): State<Arc<Settings>>,
    State(github): State<GitHubClient>,
    State(cipher): State<TokenCipher>,
    session: Session,
) -> Response {
    let signed_in = session::signed_in(&session, settings.session.lifetime).await;
    if let Ok(Some(record)) = signed_in {
        if let Ok(token) = cipher.decrypt(&record.token) {
            let app = &settings.github;
            github
                .revoke_token(&app.client_id, &app.client_secret, &token)
                .await;
        }
    }
    session::end(&session).await;
    // The browser drops this origin's cookies and storage too, whatever a script left there.
    (
        [(
            axum::http::HeaderName::from_static("clear-site-data"),
            "\"cookies\", \"storage\"",
        )],
        Redirect::to("/signed-out"),
    )
        .into_response()
}
