//! Sessions, as `tower-sessions` stores them: one row a session (id, the record as JSON, its
//! expiry in Unix seconds, and the lease of a token refresh under way), shared by every instance. Sessions that stay dead: a save only updates
//! a session that still exists (a request in flight during sign-out on any instance, or the id
//! retired by sign-in's rotation, cannot write its copy back), and never replaces the signed-in
//! record by an older generation of it (a stale copy cannot undo a token refresh that finished
//! meanwhile, here or on another instance). `tower-sessions-sqlx-store`'s stores upsert on save,
//! which would bring a signed-out session back; hence this one.
//!
//! Every request asks to save (its activity moves the expiry on), but a save that would write
//! the same data again with an expiry less than `EXPIRY_STEP` later than the one stored is
//! skipped: browsing costs one write a minute per session instead of one a request (the
//! profile of the list page under load showed the write, SQLite's fsync included, as the
//! largest part of the app's own time). A session may so end up to `EXPIRY_STEP` sooner.

use super::Store;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

/// The record key of the signed-in user (`auth::session::SignedIn`); the store reads its
/// `generation` to keep the newest.
pub const USER_KEY: &str = "signed_in";

/// How often each instance deletes expired sessions.
const CLEAN_UP_EVERY: std::time::Duration = std::time::Duration::from_secs(300);
/// The least an unchanged session's expiry moves on by in one write, in seconds.
const EXPIRY_STEP: i64 = 60;

#[derive(Debug, Clone)]
pub struct SessionDb {
    store: Store,
}

/// What this instance last read or wrote of each session: a hash of its data, its expiry.
#[derive(Debug, Clone)]
pub(super) struct Seen {
    sessions: moka::sync::Cache<Id, (u64, i64)>,
    hasher: std::hash::RandomState,
}

impl Default for Seen {
    fn default() -> Self {
        Seen {
            sessions: moka::sync::Cache::builder()
                .max_capacity(100_000)
                .time_to_idle(std::time::Duration::from_secs(3600))
                .build(),
            hasher: std::hash::RandomState::new(),
        }
    }
}

impl Seen {
    /// The record's data, hashed the same whatever order its map holds the keys in.
    fn hash(&self, record: &Record) -> u64 {
        use std::hash::BuildHasher;
        let ordered: std::collections::BTreeMap<_, _> = record.data.iter().collect();
        self.hasher
            .hash_one(serde_json::to_string(&ordered).unwrap_or_default())
    }
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
    pub(super) fn new(store: Store) -> Self {
        SessionDb { store }
    }

    /// Notes what the stored row of `record` now holds.
    fn note(&self, record: &Record, expiry: i64) {
        let seen = &self.store.sessions_seen;
        seen.sessions.insert(record.id, (seen.hash(record), expiry));
    }

    /// Whether writing `record` would change only its expiry, and by less than `EXPIRY_STEP`.
    fn unchanged(&self, record: &Record) -> bool {
        let seen = &self.store.sessions_seen;
        seen.sessions.get(&record.id).is_some_and(|(hash, expiry)| {
            record.expiry_date.unix_timestamp() - expiry < EXPIRY_STEP && hash == seen.hash(record)
        })
    }

    /// The stored record of `id`, read inside `tx`, locked until it ends (see `Store::for_update`).
    async fn read_locked(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        id: &Id,
    ) -> session_store::Result<Option<String>> {
        let sql = format!(
            "SELECT data FROM sessions WHERE id = $1{}",
            self.store.for_update()
        );
        sqlx::query_scalar(&sql)
            .bind(id.to_string())
            .fetch_optional(&mut **tx)
            .await
            .map_err(backend)
    }

    /// `record` over the stored row, when there is one, inside `tx`.
    async fn write(
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        record: &Record,
    ) -> session_store::Result<()> {
        sqlx::query("UPDATE sessions SET data = $1, expiry_date = $2 WHERE id = $3")
            .bind(encode(record)?)
            .bind(record.expiry_date.unix_timestamp())
            .bind(record.id.to_string())
            .execute(&mut **tx)
            .await
            .map_err(backend)?;
        Ok(())
    }

    /// Stores `record` over the stored row, keeping the newer sign-in (see the module's doc): one
    /// transaction that holds the row (SQLite: the write lock) from the read to the write.
    pub async fn save_now(&self, record: &Record) -> session_store::Result<()> {
        let mut tx = self.store.begin_write().await.map_err(backend)?;
        // Gone (signed out, rotated or expired): it stays gone.
        let Some(stored) = self.read_locked(&mut tx, &record.id).await? else {
            return Ok(());
        };
        let write = match decode(&stored) {
            Ok(stored) => merged(&stored, record),
            Err(_) => record.clone(),
        };
        Self::write(&mut tx, &write).await?;
        tx.commit().await.map_err(backend)?;
        self.note(&write, write.expiry_date.unix_timestamp());
        Ok(())
    }

    /// Takes the session's refresh lease unless another request (on any instance) holds a live
    /// one: true when taken. One statement, so nothing is held while GitHub answers; a lease
    /// whose holder died runs out after `lease_seconds`.
    pub async fn take_refresh_lease(
        &self,
        id: &Id,
        lease_seconds: i64,
    ) -> session_store::Result<bool> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let done = sqlx::query(
            "UPDATE sessions SET refresh_lease = $1
             WHERE id = $2 AND (refresh_lease IS NULL OR refresh_lease <= $3)",
        )
        .bind(now + lease_seconds)
        .bind(id.to_string())
        .bind(now)
        .execute(self.store.pool())
        .await
        .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives the refresh lease back.
    pub async fn release_refresh_lease(&self, id: &Id) -> session_store::Result<()> {
        sqlx::query("UPDATE sessions SET refresh_lease = NULL WHERE id = $1")
            .bind(id.to_string())
            .execute(self.store.pool())
            .await
            .map_err(backend)?;
        Ok(())
    }

    /// The session's record as stored now; `None` when it is gone (signed out on any instance).
    pub async fn stored(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let stored = self.read(id).await?;
        stored.map(|(data, _)| decode(&data)).transpose()
    }

    /// The stored record of `id` and its expiry, unless it expired.
    async fn read(&self, id: &Id) -> session_store::Result<Option<(String, i64)>> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        sqlx::query_as("SELECT data, expiry_date FROM sessions WHERE id = $1 AND expiry_date > $2")
            .bind(id.to_string())
            .bind(now)
            .fetch_optional(self.store.pool())
            .await
            .map_err(backend)
    }

    /// Deletes expired sessions every `CLEAN_UP_EVERY`, for as long as the process runs.
    pub(super) fn clean_up_in_background(&self) {
        let cleaner = self.clone();
        tokio::spawn(async move {
            if let Err(e) = cleaner.continuously_delete_expired(CLEAN_UP_EVERY).await {
                tracing::error!(error = %e, "expired-session clean-up stopped");
            }
        });
    }
}

#[async_trait::async_trait]
impl SessionStore for SessionDb {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        loop {
            let done = sqlx::query(
                "INSERT INTO sessions (id, data, expiry_date) VALUES ($1, $2, $3)
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(record.id.to_string())
            .bind(encode(record)?)
            .bind(record.expiry_date.unix_timestamp())
            .execute(self.store.pool())
            .await
            .map_err(backend)?;
            if done.rows_affected() == 1 {
                self.note(record, record.expiry_date.unix_timestamp());
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        if self.unchanged(record) {
            return Ok(());
        }
        // Every request saves, and a navigation cancels the requests in flight: a save dropped
        // inside its transaction would return its connection to the pool still holding SQLite's
        // write lock. So the save runs on its own task, to its commit, whatever the request does.
        let (store, record) = (self.clone(), record.clone());
        tokio::spawn(async move { store.save_now(&record).await })
            .await
            .map_err(backend)?
    }

    async fn load(&self, session_id: &Id) -> session_store::Result<Option<Record>> {
        let Some((data, expiry)) = self.read(session_id).await? else {
            return Ok(None);
        };
        let record = decode(&data)?;
        self.note(&record, expiry);
        Ok(Some(record))
    }

    async fn delete(&self, session_id: &Id) -> session_store::Result<()> {
        self.store.sessions_seen.sessions.invalidate(session_id);
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(session_id.to_string())
            .execute(self.store.pool())
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl ExpiredDeletion for SessionDb {
    async fn delete_expired(&self) -> session_store::Result<()> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        sqlx::query("DELETE FROM sessions WHERE expiry_date <= $1")
            .bind(now)
            .execute(self.store.pool())
            .await
            .map_err(backend)?;
        Ok(())
    }
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

    /// A migrated SQLite store in a temporary folder (kept while the first value lives), its URL.
    async fn fresh_store() -> (tempfile::TempDir, String, crate::store::Store) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("app.db").display());
        let db = crate::store::connect(&url).await.unwrap();
        db.migrate().await.unwrap();
        (dir, url, db)
    }

    /// Saves cut short (every request saves, and a navigation cancels the fetches in flight) must
    /// not leave the write lock taken: a save dropped inside its transaction left it open on its
    /// pooled connection, and every later save waited out the busy timeout and failed.
    #[tokio::test]
    async fn a_save_cut_short_leaves_no_lock_behind() {
        use futures_util::FutureExt;
        let (_dir, _, db) = fresh_store().await;
        let store = db.sessions();
        let mut r = record(Some(1), "x");
        r.expiry_date = time::OffsetDateTime::now_utc() + time::Duration::hours(1);
        store.create(&mut r).await.unwrap();
        for i in 0..50 {
            // Polled until it is under way, then dropped, as a cancelled request drops it. Each
            // changes the record: an unchanged one is not written at all.
            r.data.insert("flash".to_owned(), serde_json::json!(i));
            let mut save = Box::pin(store.save(&r));
            for _ in 0..3 {
                if (&mut save).now_or_never().is_some() {
                    break;
                }
                tokio::task::yield_now().await;
            }
        }
        r.data.insert("flash".to_owned(), serde_json::json!("last"));
        let done = tokio::time::timeout(std::time::Duration::from_secs(3), store.save(&r)).await;
        assert!(matches!(done, Ok(Ok(()))), "{done:?}");
        let (data, _) = store.read(&r.id).await.unwrap().unwrap();
        assert_eq!(decode(&data).unwrap().data["flash"], "last");
    }

    /// Every request asks to save; one that changes nothing but a slightly later expiry writes
    /// nothing, on this instance or after another one read the row.
    #[tokio::test]
    async fn an_unchanged_session_is_written_at_most_once_a_minute() {
        let (_dir, url, db) = fresh_store().await;
        let store = db.sessions();
        let start = time::OffsetDateTime::now_utc() + time::Duration::hours(1);
        let mut r = record(Some(1), "x");
        r.expiry_date = start;
        store.create(&mut r).await.unwrap();
        let stored_expiry =
            |store: SessionDb, id: Id| async move { store.read(&id).await.unwrap().unwrap().1 };

        r.expiry_date = start + time::Duration::seconds(30);
        store.save(&r).await.unwrap();
        assert_eq!(
            stored_expiry(store.clone(), r.id).await,
            start.unix_timestamp(),
            "skipped"
        );

        r.expiry_date = start + time::Duration::seconds(61);
        store.save(&r).await.unwrap();
        let moved = (start + time::Duration::seconds(61)).unix_timestamp();
        assert_eq!(
            stored_expiry(store.clone(), r.id).await,
            moved,
            "a minute on: written"
        );

        r.data
            .insert("flash".to_owned(), serde_json::json!("changed"));
        store.save(&r).await.unwrap();
        let (data, _) = store.read(&r.id).await.unwrap().unwrap();
        assert_eq!(
            decode(&data).unwrap().data["flash"],
            "changed",
            "a change: written"
        );

        // Another instance that loads the row knows its expiry: an old one (aged by the
        // clean-up tests, or written long ago) is moved on at the next save.
        sqlx::query("UPDATE sessions SET expiry_date = $1")
            .bind(start.unix_timestamp() - 600)
            .execute(db.pool())
            .await
            .unwrap();
        let other = crate::store::connect(&url).await.unwrap().sessions();
        let mut loaded = other.load(&r.id).await.unwrap().unwrap();
        loaded.expiry_date = start;
        other.save(&loaded).await.unwrap();
        assert_eq!(stored_expiry(other, r.id).await, start.unix_timestamp());
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
