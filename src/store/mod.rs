//! The app's own database (server only): SQLite by default, PostgreSQL for several instances.
//!
//! One pool over `sqlx`'s `Any` driver, so each query is written once, with `$1` placeholders
//! (SQLite reads them too). The schema is in `migrations/` (one folder a backend, the same files in
//! each), applied by [`open`] at start-up. The API is small and explicit:
//!
//! - [`open`] connects, applies the migrations and returns the [`Store`], or one line naming the
//!   setting (and the migration) that failed.
//! - [`Store::ready`] says whether the database answers now (`/readyz`).
//! - [`Store::sessions`] is the session table, as `tower-sessions` uses it (see [`sessions`]).
//! - [`Store::audit`] is the audit log: append an entry, read a page of an org's (see [`audit`]).
//! - [`Store::campaigns`] keeps each campaign created here with its alerts, and every campaign's
//!   counts over time (see [`campaigns`]).
//! - [`Store::drafts`] keeps drafts and their comments (see [`drafts`]).
//! - [`Store::templates`] keeps the templates an org's members saved (see [`templates`]).
//! - [`Store::alert_index`] keeps each org's code-scanning alerts, synced from GitHub (see
//!   [`alert_index`]).
//!
//! Everything that must hold across instances holds in the database: a session row is the one
//! copy of a session, and [`sessions::SessionDb::lock`] serialises a token refresh across
//! instances (a row lock on PostgreSQL).

pub mod alert_index;
pub mod audit;
pub mod campaigns;
pub mod digests;
pub mod drafts;
pub mod jobs;
pub mod plans;
pub mod sessions;
pub mod templates;

use crate::error::AppError;
use crate::settings::Settings;
use sqlx::any::AnyPoolOptions;
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::AnyPool;
use std::time::Duration;

/// How long a request waits for a database connection before it is answered 503.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);
/// How long `/readyz` waits for the database's answer.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

// apalis's migrations share the migrations table (their versions are dates, ours small numbers):
// each migrator ignores the other's rows, and [`Store::migrate`] checks for a newer build's.
static SQLITE: Migrator = Migrator {
    ignore_missing: true,
    ..sqlx::migrate!("migrations/sqlite")
};
static POSTGRES: Migrator = Migrator {
    ignore_missing: true,
    ..sqlx::migrate!("migrations/postgres")
};
/// Versions below this are ours; apalis's are dates (2022…).
const OUR_VERSIONS: i64 = 1_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// One file under `data_dir`, one instance.
    Sqlite,
    /// A server that several instances share.
    Postgres,
}

impl Backend {
    fn of(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }

    fn migrator(self) -> &'static Migrator {
        match self {
            Backend::Sqlite => &SQLITE,
            Backend::Postgres => &POSTGRES,
        }
    }
}

/// Why the store could not open. Each names the setting to look at.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot create the data directory {path} (setting `data_dir`, CAMPAIGNS_DATA_DIR): {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot open the database (setting `database_url`, CAMPAIGNS_DATABASE_URL): {0}")]
    Connect(String),
    #[error("cannot migrate the database (setting `database_url`, CAMPAIGNS_DATABASE_URL): {0}")]
    Migrate(String),
}

/// A read or a write the database failed, with its cause. It becomes
/// [`AppError::StoreUnavailable`] ("try again shortly") through `?`, logged once there.
#[derive(Debug, thiserror::Error)]
#[error("the app's database failed a read or a write: {0}")]
pub struct StoreError(#[from] sqlx::Error);

/// What every read and write of the store returns.
pub type Result<T> = std::result::Result<T, StoreError>;

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        tracing::error!(error = %err.0, "the app's database failed a read or a write");
        AppError::StoreUnavailable
    }
}

#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// What this instance knows the database already holds, to skip writing it again (a
    /// hint: forgetting only costs the write that would have been made anyway).
    sessions_seen: sessions::Seen,
    snapshots_kept: campaigns::Kept,
    open_read: alert_index::OpenRead,
    queue: jobs::JobQueue,
}

/// Opens the database named by `database_url`, applies the migrations, and starts the periodic
/// clean-up of expired sessions.
pub async fn open(settings: &Settings) -> std::result::Result<Store, OpenError> {
    std::fs::create_dir_all(&settings.data_dir).map_err(|source| OpenError::DataDir {
        path: settings.data_dir.display().to_string(),
        source,
    })?;
    let store = connect_with(&settings.database_url, settings.jobs.poll_interval).await?;
    store.migrate().await?;
    store.sessions().clean_up_in_background();
    store.campaigns().clean_up_in_background();
    Ok(store)
}

/// Connects without migrating (tests use it to look at a database as it is).
pub async fn connect(url: &str) -> std::result::Result<Store, OpenError> {
    connect_with(url, Duration::from_secs(1)).await
}

async fn connect_with(url: &str, poll: Duration) -> std::result::Result<Store, OpenError> {
    let backend = Backend::of(url)
        .ok_or_else(|| OpenError::Connect("not a sqlite: or postgres:// URL".to_owned()))?;
    sqlx::any::install_default_drivers();
    if backend == Backend::Sqlite {
        prepare_sqlite(url).await?;
    }
    let pool = AnyPoolOptions::new()
        .max_connections(match backend {
            // One writer at a time anyway; a few readers beside it.
            Backend::Sqlite => 4,
            Backend::Postgres => 10,
        })
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect(url)
        .await
        .map_err(|e| OpenError::Connect(e.to_string()))?;
    let queue = jobs::JobQueue::connect(backend, url, poll)
        .await
        .map_err(|e| OpenError::Connect(e.to_string()))?;
    Ok(Store {
        queue,
        pool,
        backend,
        sessions_seen: sessions::Seen::default(),
        snapshots_kept: campaigns::Kept::default(),
        open_read: alert_index::OpenRead::default(),
    })
}

/// Creates the SQLite file when missing and puts it in WAL mode (kept in the file, so every later
/// connection has it): readers never wait for the writer.
async fn prepare_sqlite(url: &str) -> std::result::Result<(), OpenError> {
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
    use sqlx::{ConnectOptions, Connection};
    let options: SqliteConnectOptions = url
        .parse()
        .map_err(|e: sqlx::Error| OpenError::Connect(e.to_string()))?;
    let conn = options
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .connect()
        .await
        .map_err(|e| OpenError::Connect(e.to_string()))?;
    conn.close()
        .await
        .map_err(|e| OpenError::Connect(e.to_string()))
}

impl Store {
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Each org's alert index and the state of its sync.
    pub fn alert_index(&self) -> alert_index::AlertIndex {
        alert_index::AlertIndex::new(self.clone())
    }

    /// The audit log.
    pub fn audit(&self) -> audit::AuditLog {
        audit::AuditLog::new(self.clone())
    }

    /// What the app keeps about campaigns: their alert sets and their counts over time.
    pub fn campaigns(&self) -> campaigns::CampaignRecords {
        campaigns::CampaignRecords::new(self.clone())
    }

    /// The channels digests go to, and the deliveries to them.
    pub fn digests(&self) -> digests::Digests {
        digests::Digests::new(self.clone())
    }

    /// The drafts and their comments.
    pub fn drafts(&self) -> drafts::Drafts {
        drafts::Drafts::new(self.clone())
    }

    pub fn plans(&self) -> plans::Plans {
        plans::Plans::new(self.clone())
    }

    pub fn templates(&self) -> templates::Templates {
        templates::Templates::new(self.clone())
    }

    pub fn sessions(&self) -> sessions::SessionDb {
        sessions::SessionDb::new(self.clone())
    }

    /// Whether the database answers a query now, within `READY_TIMEOUT`.
    pub async fn ready(&self) -> bool {
        let ping = sqlx::query("SELECT 1").execute(&self.pool);
        matches!(tokio::time::timeout(READY_TIMEOUT, ping).await, Ok(Ok(_)))
    }

    /// Applies the migrations this build has and the database lacks.
    pub async fn migrate(&self) -> std::result::Result<(), OpenError> {
        let migrator = self.backend.migrator();
        migrator
            .run(&self.pool)
            .await
            .map_err(|e| OpenError::Migrate(describe(migrator, &e)))?;
        let (newest,): (Option<i64>,) =
            sqlx::query_as("SELECT MAX(version) FROM _sqlx_migrations WHERE version < $1")
                .bind(OUR_VERSIONS)
                .fetch_one(&self.pool)
                .await
                .map_err(|e| OpenError::Migrate(e.to_string()))?;
        if let Some(v) = newest.filter(|v| !migrator.iter().any(|m| m.version == *v)) {
            let e = MigrateError::VersionMissing(v);
            return Err(OpenError::Migrate(describe(migrator, &e)));
        }
        self.queue
            .migrate()
            .await
            .map_err(|e| OpenError::Migrate(format!("the job queue's tables: {e}")))
    }

    /// apalis's storage of the jobs, for this instance's worker.
    pub fn job_queue(&self) -> jobs::JobQueue {
        self.queue.clone()
    }

    /// The scheduled jobs' run history, and the queue they are enqueued on.
    pub fn jobs(&self) -> jobs::JobRuns {
        jobs::JobRuns::new(self.clone())
    }

    /// A transaction that takes the write lock at its start on SQLite (`BEGIN IMMEDIATE`: no
    /// deadlock between two readers that both want to write); a plain one on PostgreSQL, whose
    /// rows are locked by [`Store::for_update`].
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// A write transaction in which no other transaction (of any instance) counts or adds rows
    /// under the same `scope` until it ends, so that a cap counted inside it holds when the row
    /// is added: SQLite's write lock does it for every scope; PostgreSQL takes an advisory lock
    /// named by `scope`.
    async fn begin_capped(&self, scope: &str) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        let mut tx = self.begin_write().await?;
        if let Backend::Postgres = self.backend {
            sqlx::query("SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtext($1))) AS locked")
                .bind(scope)
                .execute(&mut *tx)
                .await?;
        }
        Ok(tx)
    }

    /// What a SELECT inside [`Store::begin_write`] ends with to lock the rows it reads.
    fn for_update(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE",
        }
    }

    fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

/// A stored time (Unix seconds); one out of range reads as the epoch.
fn unix_time(seconds: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(seconds, 0).unwrap_or_default()
}

/// One line naming the migration that failed and why.
fn describe(migrator: &Migrator, err: &MigrateError) -> String {
    let name = |version: i64| {
        migrator
            .iter()
            .find(|m| m.version == version)
            .map(|m| format!("migration {version:04} ({})", m.description))
            .unwrap_or_else(|| format!("migration {version:04}"))
    };
    match err {
        MigrateError::ExecuteMigration(e, version) => format!("{} failed: {e}", name(*version)),
        MigrateError::VersionMismatch(version) => format!(
            "{} was changed after it was applied to this database",
            name(*version)
        ),
        MigrateError::VersionMissing(version) => format!(
            "the database has migration {version:04}, which this build does not know (a newer build migrated it)"
        ),
        MigrateError::Dirty(version) => format!(
            "{} was left half-applied; restore a backup or finish it by hand",
            name(*version)
        ),
        other => other.to_string(),
    }
}
