//! The typed server-side session: who is signed in, their GitHub tokens (encrypted), and pending
//! sign-ins. Stored by `tower-sessions`; the browser holds only the session id cookie.

use super::crypto::TokenCipher;
use super::oauth::{OAuthApp, TokenSet};
use super::single_flight::RefreshFlights;
use crate::domain::user::CurrentUser;
use crate::error::AppError;
use chrono::{DateTime, Duration, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

pub const USER_KEY: &str = "signed_in";
pub const PENDING_KEY: &str = "pending_sign_ins";
/// How long a sign-in may take between leaving for GitHub and coming back.
pub const PENDING_LIFETIME_MINUTES: i64 = 10;
/// How many sign-ins (tabs) may be pending at once; the oldest is dropped beyond that.
pub const PENDING_CAP: usize = 5;
/// Refresh this long before an expiring token runs out.
const REFRESH_MARGIN_SECS: i64 = 60;

/// A signed-in user's record. Tokens are AES-GCM ciphertexts, never plain.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignedIn {
    pub user: CurrentUser,
    pub token: String,
    #[serde(default)]
    pub refresh_token: Option<String>,
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
    pub signed_in_at: DateTime<Utc>,
    /// One more with every token refresh: the store keeps the newest (see `auth::store`).
    #[serde(default)]
    pub generation: u64,
}

/// One sign-in under way: checked when GitHub sends the browser back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingSignIn {
    pub state: String,
    pub verifier: String,
    pub next: String,
    pub created_at: DateTime<Utc>,
}

impl PendingSignIn {
    pub fn expired(&self, now: DateTime<Utc>) -> bool {
        now - self.created_at > Duration::minutes(PENDING_LIFETIME_MINUTES)
    }
}

fn internal(err: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %err, "session store failed");
    AppError::Internal
}

/// What reading a signed-in user's token needs of the app.
pub struct TokenKeeper<'a> {
    /// A sign-in's absolute lifetime.
    pub lifetime: std::time::Duration,
    pub cipher: &'a TokenCipher,
    pub refreshes: &'a RefreshFlights,
    pub oauth: &'a OAuthApp,
}

/// The signed-in user, if any. A session past its absolute `lifetime` is ended here.
pub async fn signed_in(
    session: &Session,
    lifetime: std::time::Duration,
) -> Result<Option<SignedIn>, AppError> {
    let Some(record) = session.get::<SignedIn>(USER_KEY).await.map_err(internal)? else {
        return Ok(None);
    };
    let lifetime = Duration::from_std(lifetime).unwrap_or(Duration::hours(24));
    if Utc::now() - record.signed_in_at > lifetime {
        session.flush().await.map_err(internal)?;
        return Ok(None);
    }
    Ok(Some(record))
}

/// Stores a new sign-in under a new session id, so that the id seen before sign-in is dead.
pub async fn start(
    session: &Session,
    cipher: &TokenCipher,
    user: CurrentUser,
    tokens: &TokenSet,
) -> Result<(), AppError> {
    let pending: Vec<PendingSignIn> = session
        .get(PENDING_KEY)
        .await
        .map_err(internal)?
        .unwrap_or_default();
    session.cycle_id().await.map_err(internal)?;
    let record = SignedIn {
        user,
        token: cipher.encrypt(&tokens.access),
        refresh_token: tokens.refresh.as_ref().map(|r| cipher.encrypt(r)),
        expires_at: tokens.expires_at,
        signed_in_at: Utc::now(),
        generation: 0,
    };
    session.insert(USER_KEY, record).await.map_err(internal)?;
    // Other tabs may still be signing in.
    session
        .insert(PENDING_KEY, pending)
        .await
        .map_err(internal)?;
    Ok(())
}

/// Ends the session: the record is deleted from the store and the cookie cleared.
pub async fn end(session: &Session) {
    if let Err(err) = session.flush().await {
        tracing::error!(error = %err, "could not delete a session");
    }
}

/// The access token to call GitHub with, refreshed first when it has expired.
pub async fn access_token(
    session: &Session,
    keeper: &TokenKeeper<'_>,
) -> Result<SecretString, AppError> {
    let Some(mut record) = signed_in(session, keeper.lifetime).await? else {
        return Err(AppError::NotSignedIn);
    };
    let soon = Utc::now() + Duration::seconds(REFRESH_MARGIN_SECS);
    let needs_refresh = |r: &SignedIn| r.expires_at.is_some_and(|e| e <= soon);
    if needs_refresh(&record) {
        // Another request may have refreshed since this one read the session: its rotated
        // refresh token is in the store, and ours is spent.
        session.load().await.map_err(internal)?;
        record = signed_in(session, keeper.lifetime)
            .await?
            .ok_or(AppError::NotSignedIn)?;
    }
    if !needs_refresh(&record) {
        return keeper.cipher.decrypt(&record.token).map_err(|err| {
            tracing::warn!(error = %err, "ending a session whose token cannot be decrypted");
            AppError::NotSignedIn
        });
    }
    let Some(refresh) = record.refresh_token.clone() else {
        end(session).await;
        return Err(AppError::NotSignedIn);
    };
    let key = format!(
        "{}:{refresh}",
        session.id().map(|id| id.to_string()).unwrap_or_default()
    );
    let result = keeper
        .refreshes
        .run(key, || async {
            let plain = keeper
                .cipher
                .decrypt(&refresh)
                .map_err(|_| AppError::NotSignedIn)?;
            keeper.oauth.refresh(&plain).await
        })
        .await;
    match result {
        Ok(tokens) => {
            let updated = SignedIn {
                token: keeper.cipher.encrypt(&tokens.access),
                refresh_token: tokens.refresh.as_ref().map(|r| keeper.cipher.encrypt(r)),
                expires_at: tokens.expires_at,
                generation: record.generation + 1,
                ..record
            };
            session.insert(USER_KEY, updated).await.map_err(internal)?;
            // Stored now, not when this request ends: the old refresh token is spent, and
            // other requests must find the new one.
            session.save().await.map_err(internal)?;
            Ok(tokens.access)
        }
        Err(AppError::NotSignedIn) => {
            end(session).await;
            Err(AppError::NotSignedIn)
        }
        Err(other) => Err(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pending_sign_in_expires_after_ten_minutes() {
        let now = Utc::now();
        let p = |age: i64| PendingSignIn {
            state: "s".into(),
            verifier: "v".into(),
            next: "/".into(),
            created_at: now - Duration::seconds(age),
        };
        assert!(!p(9 * 60 + 59).expired(now));
        assert!(p(10 * 60 + 1).expired(now));
    }
}
