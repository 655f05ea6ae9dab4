//! The session store seam: SQLite on disk today. A Postgres or Redis store for several app
//! instances replaces `open` and the layer type here, and nothing else.

use crate::settings::Settings;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use tower_sessions_sqlx_store::SqliteStore;

pub type SessionLayer = SessionManagerLayer<SqliteStore>;

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

/// Opens (and migrates) the store, and starts the periodic clean-up of expired sessions.
pub async fn open(settings: &Settings) -> Result<SqliteStore, StoreError> {
    std::fs::create_dir_all(&settings.data_dir).map_err(|source| StoreError::DataDir {
        path: settings.data_dir.display().to_string(),
        source,
    })?;
    let options: SqliteConnectOptions = settings
        .database_url
        .parse()
        .map_err(|e: tower_sessions_sqlx_store::sqlx::Error| StoreError::Database(e.to_string()))?;
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options.create_if_missing(true))
        .await
        .map_err(|e| StoreError::Database(e.to_string()))?;
    let store = SqliteStore::new(pool);
    store
        .migrate()
        .await
        .map_err(|e| StoreError::Database(e.to_string()))?;
    let cleaner = store.clone();
    tokio::spawn(async move {
        use tower_sessions::ExpiredDeletion;
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
/// opened from chat), Path=/, Secure over https. Every request counts as activity.
pub fn layer(store: SqliteStore, settings: &Settings) -> SessionLayer {
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
