//! The store's own suite, on both backends: each test runs on a SQLite file and on a fresh
//! PostgreSQL database.

use crate::postgres::fresh_database;
use campaigns_admin::store::{self, sessions::USER_KEY, Store};
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

/// An org's login, as the store takes it.
fn number(n: i64) -> campaigns_admin::domain::CampaignNumber {
    campaigns_admin::domain::CampaignNumber::new(n).unwrap()
}

fn org(login: &str) -> campaigns_admin::domain::OrgLogin {
    login.parse().unwrap()
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
        assert!(db.stored(&gone.id).await.unwrap().is_none());
        assert!(
            db.load(&kept.id).await.unwrap().is_some(),
            "{:?}",
            s.backend()
        );
    }
}

/// A token refresh's lease: one holder at a time across instances, given back, and free again
/// once it runs out (its holder died). No transaction stays open meanwhile.
#[tokio::test]
async fn a_refresh_lease_has_one_holder_is_given_back_and_runs_out() {
    let (_dir, stores) = both().await;
    for s in stores {
        let db = s.sessions();
        let mut r = signed_in(5, 0, "x", hour());
        db.create(&mut r).await.unwrap();
        assert!(db.take_refresh_lease(&r.id, 30).await.unwrap());
        assert!(
            !db.take_refresh_lease(&r.id, 30).await.unwrap(),
            "one holder at a time ({:?})",
            s.backend()
        );
        db.release_refresh_lease(&r.id).await.unwrap();
        assert!(db.take_refresh_lease(&r.id, -1).await.unwrap());
        assert!(
            db.take_refresh_lease(&r.id, 30).await.unwrap(),
            "a lease that ran out is free"
        );
        assert!(
            !db.take_refresh_lease(&Id(6), 30).await.unwrap(),
            "no session, no lease"
        );
        // The session's own saves go on while the lease is held.
        db.save(&signed_in(5, 1, "y", hour())).await.unwrap();
        let stored = db.stored(&r.id).await.unwrap().unwrap();
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
    use campaigns_admin::domain::OrgLogin;
    use campaigns_admin::store::audit::Position;
    let (acme, globex): (OrgLogin, OrgLogin) =
        ("acme-corp".parse().unwrap(), "globex".parse().unwrap());
    let entries = |page: Vec<(i64, AuditEntry)>| -> Vec<AuditEntry> {
        page.into_iter().map(|(_, e)| e).collect()
    };
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
        let all = entries(
            log.page(&acme, &AuditQuery::default(), Position::Skip(0), 10)
                .await
                .unwrap(),
        );
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
            log.page(&acme, &by(Some(1), None), Position::Skip(0), 10)
                .await
                .unwrap()
                .len(),
            2
        );
        assert_eq!(
            log.page(&acme, &by(Some(1), Some("hubot")), Position::Skip(0), 10)
                .await
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            log.page(&acme, &AuditQuery::default(), Position::Skip(1), 1)
                .await
                .unwrap()[0]
                .1
                .action,
            AuditAction::Edit
        );
        // By key: after the newest entry's id come the two before it.
        let newest = log
            .page(&acme, &AuditQuery::default(), Position::Skip(0), 1)
            .await
            .unwrap()[0]
            .0;
        let older = entries(
            log.page(&acme, &AuditQuery::default(), Position::Before(newest), 10)
                .await
                .unwrap(),
        );
        assert_eq!(
            older,
            vec![
                entry(2, "hubot", AuditAction::Edit),
                entry(1, "mona", AuditAction::Create)
            ]
        );
        assert!(log
            .page(&globex, &AuditQuery::default(), Position::Skip(0), 10)
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
            .begin(&org("Acme"), "Bound", "mona", &alerts)
            .await
            .unwrap();
        records.bind(bound, number(11)).await.unwrap();
        let found = records
            .find(&org("acme"), number(11), "Bound", now)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((found.created_by.as_str(), found.alerts.len()), ("mona", 2));
        assert_eq!(found.alerts[1], alert("acme/web", 2));

        let refused = records
            .begin(&org("acme"), "Refused", "mona", &alerts)
            .await
            .unwrap();
        records.discard(refused).await.unwrap();
        assert!(records
            .find(&org("acme"), number(12), "Refused", now)
            .await
            .unwrap()
            .is_none());

        // GitHub's answer was lost: the record waits, and the campaign's first read claims it,
        // if its name and time match.
        records
            .begin(&org("acme"), "Lost", "hubot", &alerts)
            .await
            .unwrap();
        let later = now + chrono::Duration::hours(2);
        assert!(records
            .find(&org("acme"), number(13), "Lost", later)
            .await
            .unwrap()
            .is_none());
        assert!(records
            .find(&org("acme"), number(13), "Other", now)
            .await
            .unwrap()
            .is_none());
        let claimed = records
            .find(&org("acme"), number(13), "Lost", now)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(claimed.created_by, "hubot");
        assert!(
            records
                .find(&org("acme"), number(14), "Lost", now)
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
        records
            .snapshot(&org("acme"), number(11), &at(0, 9), None)
            .await
            .unwrap();
        records
            .snapshot(&org("acme"), number(11), &at(20, 8), None)
            .await
            .unwrap();
        records
            .snapshot(&org("acme"), number(11), &at(61, 7), None)
            .await
            .unwrap();
        let history = records
            .history(&org("acme"), number(11), since)
            .await
            .unwrap();
        let open: Vec<i64> = history.iter().map(|p| p.open).collect();
        assert_eq!(open, [9, 7], "one an hour, the first of each kept");
    }
}

#[tokio::test]
async fn a_draft_is_kept_listed_commented_held_once_and_removed() {
    use campaigns_admin::domain::campaign_form::NewCampaignForm;
    use campaigns_admin::store::drafts::Refused;
    let (_dir, stores) = both().await;
    for db in stores {
        let drafts = db.drafts();
        let mut form = NewCampaignForm {
            alerts: "1:1 1:2".into(),
            ..Default::default()
        };
        form.fields.name = "SQLi".into();
        let id = drafts.create(&org("Acme"), &form, "mona").await.unwrap();
        assert_eq!(
            drafts
                .get(&org("acme"), id, None)
                .await
                .unwrap()
                .unwrap()
                .revision,
            1
        );
        let list = drafts.list(&org("acme")).await.unwrap();
        assert_eq!(
            (list.len(), list[0].alerts, list[0].name.as_str()),
            (1, 2, "SQLi")
        );
        assert!(
            drafts.get(&org("other"), id, None).await.unwrap().is_none(),
            "another org's link finds nothing"
        );

        form.fields.description = "changed".into();
        assert!(drafts
            .update(&org("acme"), id, &form, "hubot")
            .await
            .unwrap());
        assert!(drafts
            .comment(&org("acme"), id, "hubot", "looks good")
            .await
            .is_ok());
        assert!(matches!(
            drafts.comment(&org("other"), id, "hubot", "no").await,
            Err(Refused::NotFound)
        ));
        let d = drafts.get(&org("acme"), id, None).await.unwrap().unwrap();
        assert_eq!(d.revision, 2, "one more with the save");
        assert_eq!(d.form, form);
        assert_eq!(
            (d.created_by.as_str(), d.updated_by.as_str()),
            ("mona", "hubot")
        );
        assert_eq!(d.comments[0].body, "looks good");

        assert!(
            !drafts.hold(&org("acme"), id, 1).await.unwrap(),
            "not the revision that was read"
        );
        assert!(drafts.hold(&org("acme"), id, 2).await.unwrap());
        assert!(
            !drafts.hold(&org("acme"), id, 2).await.unwrap(),
            "one publish at a time"
        );
        drafts.release(&org("acme"), id).await.unwrap();
        assert!(drafts.hold(&org("acme"), id, 2).await.unwrap());
        assert!(drafts.remove(&org("acme"), id).await.unwrap());
        assert!(drafts.get(&org("acme"), id, None).await.unwrap().is_none());
        assert!(!drafts.remove(&org("acme"), id).await.unwrap());
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
        let id = templates
            .save(&org("Acme"), &t, "mona")
            .await
            .unwrap()
            .unwrap();
        t.filter.path = "prod/".into();
        let again = templates
            .save(&org("acme"), &t, "hubot")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(id, again, "the same label is replaced, not repeated");
        let list = templates.list(&org("acme")).await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].filter, t.filter);
        assert_eq!(list[0].saved_by.as_deref(), Some("hubot"));
        assert!(templates.list(&org("other")).await.unwrap().is_empty());
        assert!(
            !templates.remove(&org("other"), id).await.unwrap(),
            "another org's id"
        );
        assert!(templates.remove(&org("acme"), id).await.unwrap());
        assert!(templates.list(&org("acme")).await.unwrap().is_empty());
    }
}

/// Drafts are capped per person and per org, comments per draft, and a draft reads its thread a
/// page at a time, newest last. On both backends.
#[tokio::test]
async fn drafts_and_comments_are_capped_and_the_thread_is_read_a_page_at_a_time() {
    use campaigns_admin::domain::campaign_form::NewCampaignForm;
    use campaigns_admin::store::drafts::{
        Refused, COMMENTS_PAGE, MAX_COMMENTS, MAX_PER_AUTHOR, MAX_PER_ORG,
    };
    let (_dir, stores) = both().await;
    for db in stores {
        let drafts = db.drafts();
        let mut form = NewCampaignForm::default();
        form.fields.name = "x".into();
        for _ in 0..MAX_PER_AUTHOR {
            drafts.create(&org("acme"), &form, "mona").await.unwrap();
        }
        let refused = drafts.create(&org("acme"), &form, "mona").await;
        assert!(
            matches!(refused, Err(Refused::TooManyDrafts { mine: true })),
            "{refused:?}"
        );
        for n in 0..(MAX_PER_ORG - MAX_PER_AUTHOR) {
            let who = format!("colleague-{}", n / 40);
            drafts.create(&org("acme"), &form, &who).await.unwrap();
        }
        let refused = drafts.create(&org("acme"), &form, "hubot").await;
        assert!(
            matches!(refused, Err(Refused::TooManyDrafts { mine: false })),
            "{refused:?}"
        );
        assert_eq!(
            drafts.list(&org("acme")).await.unwrap().len() as i64,
            MAX_PER_ORG
        );

        let id = drafts.create(&org("globex"), &form, "hubot").await.unwrap();
        for i in 0..MAX_COMMENTS {
            drafts
                .comment(&org("globex"), id, "hubot", &format!("c{i}"))
                .await
                .unwrap();
        }
        let refused = drafts.comment(&org("globex"), id, "mona", "one more").await;
        assert!(
            matches!(refused, Err(Refused::TooManyComments)),
            "{refused:?}"
        );
        let d = drafts.get(&org("globex"), id, None).await.unwrap().unwrap();
        assert_eq!(d.comments.len() as i64, COMMENTS_PAGE);
        assert_eq!(
            d.comments.last().unwrap().body,
            format!("c{}", MAX_COMMENTS - 1),
            "the newest last"
        );
        let before = d.older_comments.expect("older comments to page to");
        let older = drafts
            .get(&org("globex"), id, Some(before))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            older.comments.last().unwrap().body,
            format!("c{}", MAX_COMMENTS - 1 - COMMENTS_PAGE)
        );
        let first = older.comments.first().unwrap().body.clone();
        assert_eq!(first, format!("c{}", MAX_COMMENTS - 2 * COMMENTS_PAGE));
    }
}

/// Saves racing for the last place under a cap: exactly one gets it, on both backends (on
/// PostgreSQL the count and the insert would otherwise see the same 99).
#[tokio::test]
async fn a_cap_holds_when_saves_race_for_the_last_place() {
    use campaigns_admin::domain::campaign_form::NewCampaignForm;
    use campaigns_admin::domain::template::Template;
    use campaigns_admin::store::drafts::MAX_PER_AUTHOR;
    use campaigns_admin::store::templates::MAX_PER_ORG;
    let (_dir, stores) = both().await;
    for db in stores {
        let template = |label: String| Template {
            id: None,
            label,
            filter: Default::default(),
            name_pattern: String::new(),
            description_pattern: String::new(),
            saved_by: None,
        };
        let templates = db.templates();
        for n in 0..MAX_PER_ORG - 1 {
            templates
                .save(&org("acme"), &template(format!("t{n}")), "mona")
                .await
                .unwrap()
                .unwrap();
        }
        let racing = (0..8).map(|n| {
            let templates = templates.clone();
            let t = template(format!("racing {n}"));
            tokio::spawn(async move { templates.save(&org("acme"), &t, "hubot").await })
        });
        let saved = futures_util::future::join_all(racing).await;
        let kept = saved
            .into_iter()
            .filter(|r| r.as_ref().unwrap().as_ref().unwrap().is_some())
            .count();
        assert_eq!(kept, 1, "templates on {:?}", db.backend());
        assert_eq!(
            templates.list(&org("acme")).await.unwrap().len() as i64,
            MAX_PER_ORG
        );

        let drafts = db.drafts();
        let mut form = NewCampaignForm::default();
        form.fields.name = "x".into();
        for _ in 0..MAX_PER_AUTHOR - 1 {
            drafts.create(&org("acme"), &form, "mona").await.unwrap();
        }
        let racing = (0..8).map(|_| {
            let (drafts, form) = (drafts.clone(), form.clone());
            tokio::spawn(async move { drafts.create(&org("acme"), &form, "mona").await })
        });
        let made = futures_util::future::join_all(racing).await;
        let kept = made.iter().filter(|r| r.as_ref().unwrap().is_ok()).count();
        assert_eq!(kept, 1, "drafts on {:?}", db.backend());
    }
}

/// Audit rows filed under the org as it was typed (`ACME-CORP`) join the org's one log when the
/// migration runs, and the log stays append-only after it. On both backends.
#[tokio::test]
async fn audit_rows_filed_under_another_letter_case_join_the_orgs_one_log() {
    use campaigns_admin::domain::audit::AuditQuery;
    use campaigns_admin::domain::OrgLogin;
    use campaigns_admin::store::audit::Position;
    sqlx::any::install_default_drivers();
    let dir = tempfile::tempdir().unwrap();
    for (url, folder) in [
        (sqlite_url(&dir), "migrations/sqlite"),
        (fresh_database().await, "migrations/postgres"),
    ] {
        // The schema as it was before the fold: migrations 0001 to 0005.
        let earlier = tempfile::tempdir().unwrap();
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.as_str() < "0006" {
                std::fs::copy(&path, earlier.path().join(&name)).unwrap();
            }
        }
        let pool = sqlx::AnyPool::connect(&url).await.unwrap();
        sqlx::migrate::Migrator::new(earlier.path())
            .await
            .unwrap()
            .run(&pool)
            .await
            .unwrap();
        for (n, org) in ["ACME-CORP", "Acme-Corp", "acme-corp"].iter().enumerate() {
            sqlx::query(
                "INSERT INTO audit_log (at, org, campaign_number, campaign_name, actor, action, changes)
                 VALUES ($1, $2, 1, 'c', 'mona', 'close', '[]')",
            )
            .bind(1_800_000_000i64 + n as i64)
            .bind(*org)
            .execute(&pool)
            .await
            .unwrap();
        }
        pool.close().await;

        let s = store::connect(&url).await.unwrap();
        s.migrate().await.expect("the fold applies");
        let acme: OrgLogin = "acme-corp".parse().unwrap();
        let rows = s
            .audit()
            .page(&acme, &AuditQuery::default(), Position::Skip(0), 10)
            .await
            .unwrap();
        assert_eq!(rows.len(), 3, "one log on {:?}", s.backend());
        let pool = sqlx::AnyPool::connect(&url).await.unwrap();
        let refused = sqlx::query("UPDATE audit_log SET org = 'x'")
            .execute(&pool)
            .await;
        assert!(refused.is_err(), "still append-only on {:?}", s.backend());
        pool.close().await;
    }
}
