//! The typed server-side session: who is signed in, their GitHub tokens (encrypted), and pending
//! sign-ins. Stored by `tower-sessions`; the browser holds only the session id cookie.

use super::crypto::TokenCipher;
use super::oauth::{OAuthApp, TokenSet};
use super::single_flight::RefreshFlights;
use crate::domain::user::CurrentUser;
use crate::error::AppError;
use crate::store::sessions::SessionDb;
pub use crate::store::sessions::USER_KEY;
use chrono::{DateTime, Duration, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store;
use tower_sessions::Session;

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
    /// One more with every token refresh: the store keeps the newest (see `store::sessions`).
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

/// A session that cannot be read or written: the database is away (503, the page says so and the
/// instance heals when it is back), or a record is unreadable (500).
fn internal(err: impl Into<tower_sessions::session::Error>) -> AppError {
    use tower_sessions::session::Error;
    let err = err.into();
    tracing::error!(error = %err, "session store failed");
    match err {
        Error::Store(session_store::Error::Backend(_)) => AppError::StoreUnavailable,
        _ => AppError::Internal,
    }
}

/// What reading a signed-in user's token needs of the app.
pub struct TokenKeeper<'a> {
    /// A sign-in's absolute lifetime.
    pub lifetime: std::time::Duration,
    pub cipher: &'a TokenCipher,
    pub refreshes: &'a RefreshFlights<SignedIn>,
    pub oauth: &'a Arc<OAuthApp>,
    pub sessions: SessionDb,
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

/// Whether `record`'s access token runs out within the refresh margin.
fn needs_refresh(record: &SignedIn) -> bool {
    let soon = Utc::now() + Duration::seconds(REFRESH_MARGIN_SECS);
    record.expires_at.is_some_and(|e| e <= soon)
}

/// The access token to call GitHub with, refreshed first when it has expired.
pub async fn access_token(
    session: &Session,
    keeper: &TokenKeeper<'_>,
) -> Result<SecretString, AppError> {
    Ok(user_and_token(session, keeper).await?.1)
}

/// The signed-in user and their access token (refreshed first when it has expired), from one
/// read of the session's record.
pub async fn user_and_token(
    session: &Session,
    keeper: &TokenKeeper<'_>,
) -> Result<(CurrentUser, SecretString), AppError> {
    let Some(mut record) = signed_in(session, keeper.lifetime).await? else {
        return Err(AppError::NotSignedIn);
    };
    if needs_refresh(&record) {
        let id = session.id().ok_or(AppError::NotSignedIn)?;
        // Requests of this instance share one flight; the flight runs on its own task, so a
        // cancelled request cannot drop rotated tokens between GitHub's answer and the store.
        let refresh = Refresh {
            sessions: keeper.sessions.clone(),
            cipher: keeper.cipher.clone(),
            oauth: keeper.oauth.clone(),
            id,
            seen: record.generation,
        };
        let key = format!("{id}:{}", record.generation);
        let result = keeper
            .refreshes
            .run(key, || async {
                tokio::spawn(refresh.run())
                    .await
                    .unwrap_or(Err(AppError::Internal))
            })
            .await;
        record = match result {
            Ok(updated) => updated,
            Err(AppError::NotSignedIn) => {
                end(session).await;
                return Err(AppError::NotSignedIn);
            }
            Err(other) => return Err(other),
        };
        // This request's copy, which its own save at the end merges by generation.
        session
            .insert(USER_KEY, record.clone())
            .await
            .map_err(internal)?;
    }
    let token = keeper.cipher.decrypt(&record.token).map_err(|err| {
        tracing::warn!(error = %err, "ending a session whose token cannot be decrypted");
        AppError::NotSignedIn
    })?;
    Ok((record.user, token))
}

/// How long a token refresh holds its session's lease: past the GitHub client's timeout, so a
/// lease outlives the refresh it covers, and a lease whose instance died frees itself.
const REFRESH_LEASE_SECONDS: i64 = 30;
/// How often a request that found the lease taken looks for the refreshed token.
const LEASE_POLL: std::time::Duration = std::time::Duration::from_millis(100);

/// One token refresh per session across every instance, under the session's lease (a column of
/// its row, taken and given back in one statement each): no connection or row lock is held while
/// GitHub answers, so slow refreshes cannot take an instance's database connections.
struct Refresh {
    sessions: SessionDb,
    cipher: TokenCipher,
    oauth: Arc<OAuthApp>,
    id: Id,
    /// The generation the request saw expiring.
    seen: u64,
}

impl Refresh {
    /// The stored sign-in as refreshed, by this call or by another request (on any instance)
    /// that held the lease first. `NotSignedIn` when the session is gone or GitHub refuses.
    async fn run(self) -> Result<SignedIn, AppError> {
        let give_up = tokio::time::Instant::now()
            + std::time::Duration::from_secs(REFRESH_LEASE_SECONDS as u64 + 5);
        loop {
            let taken = (self.sessions)
                .take_refresh_lease(&self.id, REFRESH_LEASE_SECONDS)
                .await
                .map_err(internal)?;
            let outcome = self.refreshed_or_refresh(taken).await;
            if taken {
                if let Err(e) = self.sessions.release_refresh_lease(&self.id).await {
                    // It runs out by itself.
                    tracing::warn!(error = %e, "could not give a token refresh's lease back");
                }
            }
            match outcome {
                Some(done) => return done,
                None if tokio::time::Instant::now() >= give_up => {
                    return Err(AppError::GitHubUnavailable)
                }
                // Another request refreshes: its token is read as soon as it is stored.
                None => tokio::time::sleep(LEASE_POLL).await,
            }
        }
    }

    /// The sign-in refreshed since the request saw it expire; else, holding the lease, this
    /// refresh's outcome; else (another holds it) `None`.
    async fn refreshed_or_refresh(&self, leased: bool) -> Option<Result<SignedIn, AppError>> {
        let record = match self.sessions.stored(&self.id).await {
            Ok(Some(record)) => record,
            Ok(None) => return Some(Err(AppError::NotSignedIn)),
            Err(e) => return Some(Err(internal(e))),
        };
        let Some(stored) = sign_in_of(&record) else {
            return Some(Err(AppError::NotSignedIn));
        };
        if stored.generation > self.seen && !needs_refresh(&stored) {
            return Some(Ok(stored));
        }
        if !leased {
            return None;
        }
        Some(self.refresh(record, stored).await)
    }

    /// Spends the stored refresh token and stores its successors.
    async fn refresh(&self, mut record: Record, stored: SignedIn) -> Result<SignedIn, AppError> {
        let spent = stored.refresh_token.as_ref().ok_or(AppError::NotSignedIn)?;
        let plain = self
            .cipher
            .decrypt(spent)
            .map_err(|_| AppError::NotSignedIn)?;
        let tokens = self.oauth.refresh(&plain).await?;
        let updated = SignedIn {
            token: self.cipher.encrypt(&tokens.access),
            refresh_token: tokens.refresh.as_ref().map(|r| self.cipher.encrypt(r)),
            expires_at: tokens.expires_at,
            generation: stored.generation + 1,
            ..stored
        };
        let value = serde_json::to_value(&updated).map_err(|_| AppError::Internal)?;
        record.data.insert(USER_KEY.to_owned(), value);
        self.sessions.save_now(&record).await.map_err(internal)?;
        Ok(updated)
    }
}

fn sign_in_of(record: &Record) -> Option<SignedIn> {
    let value = record.data.get(USER_KEY)?;
    serde_json::from_value(value.clone()).ok()
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
