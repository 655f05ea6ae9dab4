//! The store's own suite, on both backends: each test runs on a SQLite file and on a fresh
//! PostgreSQL database.

use crate::postgres::fresh_database;
use campaigns_admin::store::{self, sessions::USER_KEY, Backend, Store};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{ExpiredDeletion, SessionStore};

/// A migrated SQLite store and a migrated PostgreSQL store (the folder keeps the file).
async fn both() -> (tempfile::TempDir, Vec<Store>) {
    let dir = tempfile::tempdir().unwrap();
    let mut stores = Vec::new();
    for url in [sqlite_url(&dir), fresh_database().await] {
        let s = store::connect(&url).await.expect("the store connects");
        s.migrate().await.expect("the migrations apply");
        stores.push(s);
    }
    (dir, stores)
}

fn sqlite_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}?mode=rwc", dir.path().join("app.db").display())
}

fn signed_in(id: i128, generation: u64, flash: &str, ttl: time::Duration) -> Record {
    let mut data = std::collections::HashMap::new();
    data.insert(
        USER_KEY.to_owned(),
        serde_json::json!({ "token": format!("token-{generation}"), "generation": generation }),
    );
    data.insert("flash".to_owned(), serde_json::json!(flash));
    Record {
        id: Id(id),
        data,
        expiry_date: time::OffsetDateTime::now_utc() + ttl,
    }
}

fn hour() -> time::Duration {
    time::Duration::hours(1)
}

#[tokio::test]
async fn migrations_apply_once_and_a_second_start_finds_nothing_to_do() {
    let (_dir, stores) = both().await;
    for s in stores {
        s.migrate().await.expect("migrating again is a no-op");
        assert!(s.ready().await, "{:?}", s.backend());
        let db = s.sessions();
        let mut r = signed_in(7, 0, "x", hour());
        db.create(&mut r).await.unwrap();
        assert!(db.load(&r.id).await.unwrap().is_some());
    }
}

#[tokio::test]
async fn a_save_never_brings_back_a_deleted_session() {
    let (_dir, stores) = both().await;
    for s in stores {
        let db = s.sessions();
        let mut r = signed_in(1, 0, "before", hour());
        db.create(&mut r).await.unwrap();
        db.delete(&r.id).await.unwrap();
        // A request that was in flight during sign-out saves its copy at its end.
        db.save(&signed_in(1, 0, "late", hour())).await.unwrap();
        assert!(db.load(&r.id).await.unwrap().is_none(), "{:?}", s.backend());
    }
}

#[tokio::test]
async fn a_stale_copy_keeps_the_newer_sign_in_and_brings_its_other_changes() {
    let (_dir, stores) = both().await;
    for s in stores {
        let db = s.sessions();
        let mut r = signed_in(2, 3, "old", hour());
        db.create(&mut r).await.unwrap();
        db.save(&signed_in(2, 2, "new", hour())).await.unwrap();
        let stored = db.load(&r.id).await.unwrap().unwrap();
        assert_eq!(
            stored.data[USER_KEY]["token"],
            "token-3",
            "{:?}",
            s.backend()
        );
        assert_eq!(stored.data["flash"], "new");
    }
}

#[tokio::test]
async fn expired_sessions_are_not_loaded_and_are_deleted() {
    let (_dir, stores) = both().await;
    for s in stores {
        let db = s.sessions();
        let mut gone = signed_in(3, 0, "x", -time::Duration::seconds(1));
        let mut kept = signed_in(4, 0, "x", hour());
        db.create(&mut gone).await.unwrap();
        db.create(&mut kept).await.unwrap();
        assert!(db.load(&gone.id).await.unwrap().is_none());
        db.delete_expired().await.unwrap();
        assert!(db.lock(&gone.id).await.unwrap().record().is_none());
        assert!(
            db.load(&kept.id).await.unwrap().is_some(),
            "{:?}",
            s.backend()
        );
    }
}

/// The lock a token refresh takes: on PostgreSQL a second locker (another instance) waits for
/// the first's write and then reads it; on SQLite (one instance) a write through the lock is a
/// save like any other.
#[tokio::test]
async fn a_second_locker_waits_for_the_first_and_reads_its_write() {
    let (_dir, stores) = both().await;
    for s in stores {
        let db = s.sessions();
        let mut r = signed_in(5, 0, "x", hour());
        db.create(&mut r).await.unwrap();
        let first = db.lock(&r.id).await.unwrap();
        let waiter = {
            let db = db.clone();
            tokio::spawn(async move {
                let second = db.lock(&Id(5)).await.unwrap();
                second.record().unwrap().data[USER_KEY]["generation"].clone()
            })
        };
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        if s.backend() == Backend::Postgres {
            assert!(!waiter.is_finished(), "the second locker waits");
            first.write(&signed_in(5, 1, "x", hour())).await.unwrap();
            assert_eq!(waiter.await.unwrap(), 1, "and reads the first's write");
        } else {
            assert_eq!(waiter.await.unwrap(), 0);
            first.write(&signed_in(5, 1, "x", hour())).await.unwrap();
        }
        let stored = db.load(&r.id).await.unwrap().unwrap();
        assert_eq!(stored.data[USER_KEY]["generation"], 1);
    }
}

/// A migration that fails names the setting and the migration, on one line.
#[tokio::test]
async fn a_failed_migration_names_the_setting_and_the_migration() {
    let dir = tempfile::tempdir().unwrap();
    for url in [sqlite_url(&dir), fresh_database().await] {
        let s = store::connect(&url).await.unwrap();
        crate::helpers::break_the_first_migration(&url).await;
        let err = s
            .migrate()
            .await
            .expect_err("the migration fails")
            .to_string();
        assert!(err.contains("CAMPAIGNS_DATABASE_URL"), "{err}");
        assert!(err.contains("migration 0001 (sessions)"), "{err}");
        assert!(!err.contains('\n'), "one line: {err}");
    }
}

/// The audit log reads back newest first, filtered, and refuses to be changed, on both backends.
#[tokio::test]
async fn the_audit_log_reads_back_newest_first_and_cannot_be_changed() {
    use campaigns_admin::domain::audit::AuditQuery;
    use campaigns_admin::domain::audit::{AuditAction, AuditEntry, FieldChange};
    let dir = tempfile::tempdir().unwrap();
    for url in [sqlite_url(&dir), fresh_database().await] {
        let s = store::connect(&url).await.unwrap();
        s.migrate().await.unwrap();
        let log = s.audit();
        let entry = |number: i64, actor: &str, action: AuditAction| AuditEntry {
            at: chrono::DateTime::from_timestamp(1_800_000_000 + number, 0).unwrap(),
            org: "acme-corp".into(),
            campaign: Some(number.try_into().unwrap()),
            campaign_name: format!("Campaign {number}"),
            actor: actor.into(),
            action,
            changes: vec![FieldChange {
                field: "name".into(),
                before: "a".into(),
                after: "b".into(),
            }],
            error: None,
        };
        log.append(&entry(1, "mona", AuditAction::Create))
            .await
            .unwrap();
        log.append(&entry(2, "hubot", AuditAction::Edit))
            .await
            .unwrap();
        log.append(&entry(1, "hubot", AuditAction::Close))
            .await
            .unwrap();
        let all = log
            .page("acme-corp", &AuditQuery::default(), 0, 10)
            .await
            .unwrap();
        assert_eq!(all.len(), 3, "{:?}", s.backend());
        assert_eq!(
            all[0],
            entry(1, "hubot", AuditAction::Close),
            "newest first"
        );
        let by = |campaign: Option<i64>, actor: Option<&str>| AuditQuery {
            campaign: campaign.map(|n| n.try_into().unwrap()),
            actor: actor.map(str::to_owned),
            action: None,
        };
        assert_eq!(
            log.page("acme-corp", &by(Some(1), None), 0, 10)
                .await
                .unwrap()
                .len(),
            2
        );
        assert_eq!(
            log.page("acme-corp", &by(Some(1), Some("hubot")), 0, 10)
                .await
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            log.page("acme-corp", &AuditQuery::default(), 1, 1)
                .await
                .unwrap()[0]
                .action,
            AuditAction::Edit
        );
        assert!(log
            .page("globex", &AuditQuery::default(), 0, 10)
            .await
            .unwrap()
            .is_empty());

        let pool = sqlx::AnyPool::connect(&url).await.unwrap();
        for sql in [
            "UPDATE audit_log SET actor = 'someone'",
            "DELETE FROM audit_log",
        ] {
            let refused = sqlx::query(sql).execute(&pool).await;
            assert!(refused.is_err(), "{sql} on {:?}", s.backend());
        }
        pool.close().await;
    }
}

/// A campaign's record: begun before the create, bound to GitHub's number, discarded when GitHub
/// refused, claimed by name and time when the answer was lost; snapshots at most hourly. On both
/// backends.
#[tokio::test]
async fn campaign_records_bind_discard_and_claim_and_snapshots_stay_hourly() {
    use campaigns_admin::domain::history::Snapshot;
    use campaigns_admin::store::campaigns::RecordedAlert;
    let (_dir, stores) = both().await;
    for s in stores {
        let records = s.campaigns();
        let alert = |repo: &str, number| RecordedAlert {
            repository_id: 7,
            repository: repo.to_owned(),
            number,
        };
        let alerts = [alert("acme/web", 1), alert("acme/web", 2)];
        let now = chrono::Utc::now();

        let bound = records
            .begin("Acme", "Bound", "mona", &alerts)
            .await
            .unwrap();
        records.bind(bound, 11).await.unwrap();
        let found = records
            .find("acme", 11, "Bound", now)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((found.created_by.as_str(), found.alerts.len()), ("mona", 2));
        assert_eq!(found.alerts[1], alert("acme/web", 2));

        let refused = records
            .begin("acme", "Refused", "mona", &alerts)
            .await
            .unwrap();
        records.discard(refused).await.unwrap();
        assert!(records
            .find("acme", 12, "Refused", now)
            .await
            .unwrap()
            .is_none());

        // GitHub's answer was lost: the record waits, and the campaign's first read claims it,
        // if its name and time match.
        records
            .begin("acme", "Lost", "hubot", &alerts)
            .await
            .unwrap();
        let later = now + chrono::Duration::hours(2);
        assert!(records
            .find("acme", 13, "Lost", later)
            .await
            .unwrap()
            .is_none());
        assert!(records
            .find("acme", 13, "Other", now)
            .await
            .unwrap()
            .is_none());
        let claimed = records
            .find("acme", 13, "Lost", now)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(claimed.created_by, "hubot");
        assert!(
            records
                .find("acme", 14, "Lost", now)
                .await
                .unwrap()
                .is_none(),
            "claimed once"
        );

        let at = |minutes: i64, open: i64| Snapshot {
            at: chrono::DateTime::from_timestamp(1_800_000_000 + minutes * 60, 0).unwrap(),
            open,
            in_progress: 0,
            closed: 10 - open,
        };
        let since = chrono::DateTime::from_timestamp(0, 0).unwrap();
        records.snapshot("acme", 11, &at(0, 9), None).await.unwrap();
        records
            .snapshot("acme", 11, &at(20, 8), None)
            .await
            .unwrap();
        records
            .snapshot("acme", 11, &at(61, 7), None)
            .await
            .unwrap();
        let history = records.history("acme", 11, since).await.unwrap();
        let open: Vec<i64> = history.iter().map(|p| p.open).collect();
        assert_eq!(open, [9, 7], "one an hour, the first of each kept");
    }
}

#[tokio::test]
async fn a_draft_is_kept_listed_commented_held_once_and_removed() {
    use campaigns_admin::domain::campaign_form::NewCampaignForm;
    let (_dir, stores) = both().await;
    for db in stores {
        let drafts = db.drafts();
        let mut form = NewCampaignForm {
            alerts: "1:1 1:2".into(),
            ..Default::default()
        };
        form.fields.name = "SQLi".into();
        let id = drafts.create("Acme", &form, "mona").await.unwrap();
        let list = drafts.list("acme").await.unwrap();
        assert_eq!(
            (list.len(), list[0].alerts, list[0].name.as_str()),
            (1, 2, "SQLi")
        );
        assert!(
            drafts.get("other", id).await.unwrap().is_none(),
            "another org's link finds nothing"
        );

        form.fields.description = "changed".into();
        assert!(drafts.update("acme", id, &form, "hubot").await.unwrap());
        assert!(drafts
            .comment("acme", id, "hubot", "looks good")
            .await
            .unwrap());
        assert!(!drafts.comment("other", id, "hubot", "no").await.unwrap());
        let d = drafts.get("acme", id).await.unwrap().unwrap();
        assert_eq!(d.form, form);
        assert_eq!(
            (d.created_by.as_str(), d.updated_by.as_str()),
            ("mona", "hubot")
        );
        assert_eq!(d.comments[0].body, "looks good");

        assert!(drafts.hold("acme", id).await.unwrap());
        assert!(
            !drafts.hold("acme", id).await.unwrap(),
            "one publish at a time"
        );
        drafts.release("acme", id).await.unwrap();
        assert!(drafts.hold("acme", id).await.unwrap());
        assert!(drafts.remove("acme", id).await.unwrap());
        assert!(drafts.get("acme", id).await.unwrap().is_none());
        assert!(!drafts.remove("acme", id).await.unwrap());
    }
}

#[tokio::test]
async fn a_template_is_kept_per_org_replaced_by_label_and_removed() {
    use campaigns_admin::domain::alert_filter::AlertFilter;
    use campaigns_admin::domain::template::Template;
    let (_dir, stores) = both().await;
    for db in stores {
        let templates = db.templates();
        let mut t = Template {
            id: None,
            label: "SQLi in prod".into(),
            filter: AlertFilter {
                cwe: "CWE-89".into(),
                older_than: "90".into(),
                ..Default::default()
            },
            name_pattern: "SQLi {date}".into(),
            description_pattern: "Fix it.".into(),
            saved_by: None,
        };
        let id = templates.save("Acme", &t, "mona").await.unwrap().unwrap();
        t.filter.path = "prod/".into();
        let again = templates.save("acme", &t, "hubot").await.unwrap().unwrap();
        assert_eq!(id, again, "the same label is replaced, not repeated");
        let list = templates.list("acme").await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].filter, t.filter);
        assert_eq!(list[0].saved_by.as_deref(), Some("hubot"));
        assert!(templates.list("other").await.unwrap().is_empty());
        assert!(
            !templates.remove("other", id).await.unwrap(),
            "another org's id"
        );
        assert!(templates.remove("acme", id).await.unwrap());
        assert!(templates.list("acme").await.unwrap().is_empty());
    }
}
