//! The session store: SQLite on disk. Sessions that stay dead: a save only updates a session that
//! still exists (a request in flight during sign-out, or the id retired by sign-in's rotation,
//! cannot write its copy back), and never replaces the signed-in record by an older generation
//! of it (a stale copy cannot undo a token refresh that finished meanwhile).

use crate::auth::session::USER_KEY;
use crate::settings::Settings;
use tower_sessions::cookie::SameSite;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::sqlx::{
    self,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions},
};

pub type SessionLayer = SessionManagerLayer<SessionDb>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the data directory {path} (setting `data_dir`, CAMPAIGNS_DATA_DIR): {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "cannot open the session database (setting `database_url`, CAMPAIGNS_DATABASE_URL): {0}"
    )]
    Database(String),
}

/// Sessions in one SQLite table: id, the record as JSON, and its expiry (Unix seconds).
#[derive(Debug, Clone)]
pub struct SessionDb {
    pool: SqlitePool,
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

fn encode(record: &Record) -> session_store::Result<String> {
    serde_json::to_string(record).map_err(|e| session_store::Error::Encode(e.to_string()))
}

fn decode(text: &str) -> session_store::Result<Record> {
    serde_json::from_str(text).map_err(|e| session_store::Error::Decode(e.to_string()))
}

/// The signed-in record's `generation` (see `SignedIn`), read in place: every request saves.
fn generation(record: &Record) -> u64 {
    record
        .data
        .get(USER_KEY)
        .and_then(|user| user.get("generation"))
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0)
}

/// What a save writes over `stored`: `incoming`, except that a signed-in record older than the
/// stored one (a token refresh finished while this request ran) is kept as stored.
fn merged(stored: &Record, incoming: &Record) -> Record {
    let mut out = incoming.clone();
    if incoming.data.contains_key(USER_KEY) && generation(stored) > generation(incoming) {
        if let Some(user) = stored.data.get(USER_KEY) {
            out.data.insert(USER_KEY.to_owned(), user.clone());
        }
    }
    out
}

impl SessionDb {
    pub async fn migrate(&self) -> sqlx::Result<()> {
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS sessions (
                id TEXT PRIMARY KEY NOT NULL,
                data TEXT NOT NULL,
                expiry_date INTEGER NOT NULL
            )",
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// One transaction that takes the write lock first: read, merge and write as one.
    async fn save_now(&self, record: &Record) -> session_store::Result<()> {
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend)?;
        let stored: Option<String> = sqlx::query_scalar("SELECT data FROM sessions WHERE id = ?")
            .bind(record.id.to_string())
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
        // Gone (signed out, rotated or expired): it stays gone.
        let Some(stored) = stored else {
            return Ok(());
        };
        let write = match decode(&stored) {
            Ok(stored) => merged(&stored, record),
            Err(_) => record.clone(),
        };
        sqlx::query("UPDATE sessions SET data = ?, expiry_date = ? WHERE id = ?")
            .bind(encode(&write)?)
            .bind(write.expiry_date.unix_timestamp())
            .bind(record.id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        tx.commit().await.map_err(backend)
    }
}

#[async_trait::async_trait]
impl SessionStore for SessionDb {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        loop {
            let done = sqlx::query(
                "INSERT INTO sessions (id, data, expiry_date) VALUES (?, ?, ?)
                 ON CONFLICT(id) DO NOTHING",
            )
            .bind(record.id.to_string())
            .bind(encode(record)?)
            .bind(record.expiry_date.unix_timestamp())
            .execute(&self.pool)
            .await
            .map_err(backend)?;
            if done.rows_affected() == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        // Every request saves, and a navigation cancels the requests in flight: a save dropped
        // inside its transaction would return its connection to the pool still holding SQLite's
        // write lock. So the save runs on its own task, to its commit, whatever the request does.
        let (store, record) = (self.clone(), record.clone());
        tokio::spawn(async move { store.save_now(&record).await })
            .await
            .map_err(backend)?
    }

    async fn load(&self, session_id: &Id) -> session_store::Result<Option<Record>> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let data: Option<String> =
            sqlx::query_scalar("SELECT data FROM sessions WHERE id = ? AND expiry_date > ?")
                .bind(session_id.to_string())
                .bind(now)
                .fetch_optional(&self.pool)
                .await
                .map_err(backend)?;
        data.map(|d| decode(&d)).transpose()
    }

    async fn delete(&self, session_id: &Id) -> session_store::Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id = ?")
            .bind(session_id.to_string())
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl ExpiredDeletion for SessionDb {
    async fn delete_expired(&self) -> session_store::Result<()> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        sqlx::query("DELETE FROM sessions WHERE expiry_date <= ?")
            .bind(now)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

/// Opens (and migrates) the store, and starts the periodic clean-up of expired sessions.
pub async fn open(settings: &Settings) -> Result<SessionDb, StoreError> {
    std::fs::create_dir_all(&settings.data_dir).map_err(|source| StoreError::DataDir {
        path: settings.data_dir.display().to_string(),
        source,
    })?;
    let options: SqliteConnectOptions = settings
        .database_url
        .parse()
        .map_err(|e: sqlx::Error| StoreError::Database(e.to_string()))?;
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(
            options
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .busy_timeout(std::time::Duration::from_secs(5)),
        )
        .await
        .map_err(|e| StoreError::Database(e.to_string()))?;
    let store = SessionDb { pool };
    store
        .migrate()
        .await
        .map_err(|e| StoreError::Database(e.to_string()))?;
    let cleaner = store.clone();
    tokio::spawn(async move {
        if let Err(e) = cleaner
            .continuously_delete_expired(std::time::Duration::from_secs(300))
            .await
        {
            tracing::error!(error = %e, "expired-session clean-up stopped");
        }
    });
    Ok(store)
}

/// The session cookie's name: `__Host-` whenever it is Secure, which pins it to this origin.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-campaigns_session"
    } else {
        "campaigns_session"
    }
}

/// HttpOnly, SameSite=Lax (Strict would drop the cookie on the way back from GitHub and on links
/// opened from chat), Path=/, Secure over https. Every request counts as activity: each saves,
/// which is safe because a save never brings a session back.
pub fn layer(store: SessionDb, settings: &Settings) -> SessionLayer {
    let secure = settings.session.cookie_secure;
    let inactivity = time::Duration::seconds(settings.session.inactivity.as_secs() as i64);
    SessionManagerLayer::new(store)
        .with_name(cookie_name(secure))
        .with_secure(secure)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(inactivity))
        .with_always_save(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(user_generation: Option<u64>, flash: &str) -> Record {
        let mut data = std::collections::HashMap::new();
        if let Some(g) = user_generation {
            data.insert(
                USER_KEY.to_owned(),
                serde_json::json!({
                    "user": { "login": "mona", "name": null, "avatar_url": "" },
                    "token": format!("token-{g}"),
                    "signed_in_at": "2026-11-26T00:00:00Z",
                    "generation": g,
                }),
            );
        }
        data.insert("flash".to_owned(), serde_json::json!(flash));
        Record {
            id: Id(1),
            data,
            expiry_date: time::OffsetDateTime::UNIX_EPOCH,
        }
    }

    /// Saves cut short (every request saves, and a navigation cancels the fetches in flight) must
    /// not leave the write lock taken: a save dropped inside its transaction left it open on its
    /// pooled connection, and every later save waited out the busy timeout and failed.
    #[tokio::test]
    async fn a_save_cut_short_leaves_no_lock_behind() {
        use futures_util::FutureExt;
        let dir = tempfile::tempdir().unwrap();
        let options = SqliteConnectOptions::new()
            .filename(dir.path().join("sessions.db"))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(std::time::Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .unwrap();
        let store = SessionDb { pool };
        store.migrate().await.unwrap();
        let mut r = record(Some(1), "x");
        r.expiry_date = time::OffsetDateTime::now_utc() + time::Duration::hours(1);
        store.create(&mut r).await.unwrap();
        for _ in 0..50 {
            // Polled until it is under way, then dropped, as a cancelled request drops it.
            let mut save = Box::pin(store.save(&r));
            for _ in 0..3 {
                if (&mut save).now_or_never().is_some() {
                    break;
                }
                tokio::task::yield_now().await;
            }
        }
        let done = tokio::time::timeout(std::time::Duration::from_secs(3), store.save(&r)).await;
        assert!(matches!(done, Ok(Ok(()))), "{done:?}");
    }

    #[test]
    fn a_stale_copy_keeps_the_newer_sign_in_and_brings_its_other_changes() {
        let stored = record(Some(2), "old");
        let out = merged(&stored, &record(Some(1), "new"));
        assert_eq!(out.data[USER_KEY]["token"], "token-2");
        assert_eq!(out.data["flash"], "new");
        let out = merged(&stored, &record(Some(3), "new"));
        assert_eq!(out.data[USER_KEY]["token"], "token-3");
        // A copy without the user (signed out in this request) is not given it back.
        let out = merged(&stored, &record(None, "new"));
        assert!(!out.data.contains_key(USER_KEY));
    }
}
