//! The org's alert index, on SQLite and on PostgreSQL: the store's lease and sweep, a first
//! sync, an incremental one, a 304, a deleted repository, an alert that changed state, two
//! instances syncing at once, who may read it, and the same alerts selected from the index as
//! from GitHub's pages.

use crate::helpers::{spawn_app_with, TestApp};
use crate::postgres::fresh_database;
use campaigns_admin::domain::alert::{AlertRow, IndexedAlert};
use campaigns_admin::domain::alert_selection::AlertKey;
use campaigns_admin::domain::campaign_alerts::LiveState;
use campaigns_admin::domain::OrgLogin;
use campaigns_admin::error::AppError;
use campaigns_admin::service::{alert_index, org_alerts};
use campaigns_admin::store::{self, alert_index::SyncDone, Store};
use chrono::{Duration, Utc};
use secrecy::SecretString;
use std::collections::BTreeSet;

fn org(login: &str) -> OrgLogin {
    OrgLogin::parse(login).unwrap()
}

fn token(app: &TestApp, login: &str) -> SecretString {
    let scopes = ["security_events", "read:org"];
    SecretString::from(app.emulator.issue_token(login, &scopes).unwrap())
}

/// The emulator's requests for the org's alert list sorted by update (the sync's), with their
/// statuses; the log is emptied.
fn sync_requests(app: &TestApp) -> Vec<u16> {
    let seen = app
        .emulator
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/code-scanning/alerts") && r.query.contains("sort=updated"))
        .map(|r| r.status)
        .collect();
    app.emulator.clear_requests();
    seen
}

fn keys(rows: &[AlertRow]) -> BTreeSet<AlertKey> {
    rows.iter().map(AlertRow::key).collect()
}

const INDEX_ON: (&str, &str) = ("CAMPAIGNS_GITHUB_ALERT_INDEX", "on");

async fn on_sqlite() -> TestApp {
    spawn_app_with(&[INDEX_ON]).await
}

async fn on_postgres() -> TestApp {
    let url = fresh_database().await;
    spawn_app_with(&[INDEX_ON, ("CAMPAIGNS_DATABASE_URL", url.as_str())]).await
}

/// Every open alert of the org, read from GitHub's pages now.
async fn live_open(app: &TestApp, token: &SecretString, o: &OrgLogin) -> Vec<AlertRow> {
    org_alerts::all_open_alerts(&app.state.github, token, o)
        .await
        .unwrap()
}

async fn first_sync_then_incremental_then_304(app: TestApp) {
    let (state, mona, acme) = (&app.state, token(&app, "mona"), org("acme-corp"));
    let index = state.store.alert_index();
    assert_eq!(index.state(&acme).await.unwrap().synced_at, None);
    app.emulator.clear_requests();

    // The first sync reads every page, every state.
    assert!(alert_index::sync_now(state, &mona, &acme, true)
        .await
        .unwrap());
    let pages = sync_requests(&app);
    assert!(
        pages.len() > 1 && pages.iter().all(|s| *s == 200),
        "{pages:?}"
    );
    let all = index.count(&acme).await.unwrap();
    // The open alerts' list and the closed ones', each read once.
    let open = index.open(&acme).await.unwrap().len() as i64;
    let expected = (open + 99) / 100 + (all - open + 99) / 100;
    assert_eq!(pages.len() as i64, expected, "{all} alerts, {open} open");
    let synced = index.state(&acme).await.unwrap();
    assert!(synced.synced_at.is_some() && synced.full_at.is_some());
    // Its open alerts are GitHub's.
    let live = live_open(&app, &mona, &acme).await;
    assert_eq!(keys(&index.open(&acme).await.unwrap()), keys(&live));
    assert!(all > live.len() as i64, "closed alerts are indexed too");

    // The next sync reads page 1 of the whole list and stops there (nothing is newer), keeping its
    // ETag; with nothing changed since, the one after is one request answered 304.
    app.emulator.clear_requests();
    assert!(alert_index::sync_now(state, &mona, &acme, false)
        .await
        .unwrap());
    assert_eq!(sync_requests(&app), vec![200]);
    assert!(index.state(&acme).await.unwrap().etag.is_some());
    assert!(alert_index::sync_now(state, &mona, &acme, false)
        .await
        .unwrap());
    assert_eq!(sync_requests(&app), vec![304]);

    // An alert fixed and one dismissed on GitHub: one page read, both changes kept.
    let (fixed, dismissed) = (&live[0], &live[1]);
    let em = &app.emulator;
    assert!(em.set_alert_state("acme-corp", &fixed.repo, fixed.number, "fixed", None));
    assert!(em.set_alert_state(
        "acme-corp",
        &dismissed.repo,
        dismissed.number,
        "dismissed",
        Some("false positive")
    ));
    assert!(alert_index::sync_now(state, &mona, &acme, false)
        .await
        .unwrap());
    assert_eq!(
        sync_requests(&app),
        vec![200],
        "an incremental sync stops on page 1"
    );
    let state_of = |row: &AlertRow| {
        let index = index.clone();
        let (acme, row) = (acme.clone(), row.clone());
        async move {
            let found = index
                .alerts(&acme, &[(row.repo_id, row.number)])
                .await
                .unwrap();
            found.into_iter().next().expect("indexed")
        }
    };
    assert_eq!(state_of(fixed).await.state, LiveState::Fixed);
    let d = state_of(dismissed).await;
    assert_eq!(d.state, LiveState::Dismissed);
    assert_eq!(d.dismissed_reason.as_deref(), Some("false positive"));
    let open = keys(&index.open(&acme).await.unwrap());
    assert!(!open.contains(&fixed.key()) && !open.contains(&dismissed.key()));
    assert_eq!(open, keys(&live_open(&app, &mona, &acme).await));
    assert_eq!(
        index.count(&acme).await.unwrap(),
        all,
        "no alert lost or added"
    );

    // Reopened: back in the open list.
    assert!(em.set_alert_state("acme-corp", &fixed.repo, fixed.number, "open", None));
    assert!(alert_index::sync_now(state, &mona, &acme, false)
        .await
        .unwrap());
    assert!(keys(&index.open(&acme).await.unwrap()).contains(&fixed.key()));
}

/// Two tests of one body: on a SQLite app and on a PostgreSQL one.
macro_rules! on_both_backends {
    ($body:ident: $sqlite:ident, $postgres:ident) => {
        #[tokio::test]
        async fn $sqlite() {
            $body(on_sqlite().await).await;
        }

        #[tokio::test]
        async fn $postgres() {
            $body(on_postgres().await).await;
        }
    };
}

on_both_backends!(first_sync_then_incremental_then_304:
    a_first_sync_reads_everything_then_a_sync_reads_what_changed_or_gets_a_304_on_sqlite,
    a_first_sync_reads_everything_then_a_sync_reads_what_changed_or_gets_a_304_on_postgres);

async fn deleted_repository(app: TestApp) {
    let (state, hubot, globex) = (&app.state, token(&app, "hubot"), org("globex"));
    let index = state.store.alert_index();
    assert!(alert_index::sync_now(state, &hubot, &globex, true)
        .await
        .unwrap());
    let before = index.open(&globex).await.unwrap();
    let gone = before[0].repo.clone();
    assert!(app.emulator.delete_repo("globex", &gone));
    // An incremental sync cannot see a deletion (nothing was updated); a full one removes it.
    assert!(alert_index::sync_now(state, &hubot, &globex, false)
        .await
        .unwrap());
    assert!(index
        .open(&globex)
        .await
        .unwrap()
        .iter()
        .any(|a| a.repo == gone));
    assert!(alert_index::sync_now(state, &hubot, &globex, true)
        .await
        .unwrap());
    let after = index.open(&globex).await.unwrap();
    assert!(!after.iter().any(|a| a.repo == gone));
    assert_eq!(keys(&after), keys(&live_open(&app, &hubot, &globex).await));
    assert!(after.len() < before.len());
}

on_both_backends!(deleted_repository:
    a_full_sync_forgets_a_deleted_repositorys_alerts_on_sqlite,
    a_full_sync_forgets_a_deleted_repositorys_alerts_on_postgres);

/// A read before any sync reads GitHub live and starts the first sync in the background; reads
/// after it read the index. A plain member of the org is refused, whatever the index holds.
#[tokio::test]
async fn reads_use_the_index_once_synced_and_only_for_owners_and_security_managers() {
    let app = on_sqlite().await;
    let (state, mona, acme) = (&app.state, token(&app, "mona"), org("acme-corp"));
    let first = org_alerts::batch(state, &mona, &acme, 1..2).await.unwrap();
    assert_eq!(first.synced_at, None, "the first read is GitHub's");
    assert_eq!(first.alerts.len(), 100);
    let index = state.store.alert_index();
    let mut waited = 0;
    while index.state(&acme).await.unwrap().synced_at.is_none() {
        assert!(waited < 200, "the first sync ends");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        waited += 1;
    }
    let whole = org_alerts::batch(state, &mona, &acme, 1..2).await.unwrap();
    assert!(whole.synced_at.is_some());
    assert_eq!(
        (whole.last_page, whole.more),
        (Some(1), false),
        "every alert in one batch"
    );
    assert_eq!(
        keys(&whole.alerts),
        keys(&live_open(&app, &mona, &acme).await)
    );

    // The alerts page says its states are the index's, and how fresh.
    app.sign_in("mona").await;
    let html = app.ok_page("/orgs/acme-corp/campaigns/1/alerts").await;
    assert!(html.contains("as GitHub listed them at"), "{html}");
    // Its file too, without one repository's list read.
    app.emulator.clear_requests();
    let res = app.get("/orgs/acme-corp/campaigns/1/alerts.csv").await;
    assert_eq!(res.status(), 200);
    let csv = res.text().await.unwrap();
    let number = campaigns_admin::domain::CampaignNumber::new(1).unwrap();
    let record = (state.store.campaigns().bound(&acme, number).await.unwrap()).unwrap();
    assert_eq!(csv.lines().count(), record.alerts.len() + 1, "{csv}");
    assert!(!csv.contains(",unknown,"), "{csv}");
    let repos = app
        .emulator
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/repos/"));
    assert_eq!(repos.count(), 0);

    let octocat = token(&app, "octocat");
    for refused in [
        org_alerts::batch(state, &octocat, &acme, 1..2).await.err(),
        org_alerts::search(state, &octocat, &acme, &Default::default(), 10)
            .await
            .err(),
    ] {
        assert!(
            matches!(refused, Some(AppError::Forbidden { .. })),
            "{refused:?}"
        );
    }
}

/// A session's first view of a campaign's alerts, the index due a sync: the sync's page 1 goes
/// out beside the campaign (one round of GitHub waiting), and is used only once GitHub has shown
/// the campaign; for someone GitHub does not show it to, the index is neither synced nor read.
#[tokio::test]
async fn a_first_view_of_a_campaigns_alerts_asks_the_sync_beside_the_campaign() {
    use campaigns_admin::emulator::FaultRule;
    let app = spawn_app_with(&[INDEX_ON, ("CAMPAIGNS_GITHUB_ALERT_INDEX_FRESH_SECS", "0")]).await;
    let (state, mona, acme) = (&app.state, token(&app, "mona"), org("acme-corp"));
    assert!(alert_index::sync_now(state, &mona, &acme, true)
        .await
        .unwrap());
    let index = state.store.alert_index();
    let synced = index.state(&acme).await.unwrap().synced_at;

    // GitHub takes its time over the campaign: a sync asked after it would be logged after it.
    let slow_campaign = || FaultRule {
        method: Some("GET".into()),
        path_prefix: Some("/orgs/acme-corp/campaigns/1".into()),
        latency_ms: 800,
        ..Default::default()
    };
    app.emulator.add_fault(slow_campaign());
    app.sign_in("mona").await;
    app.emulator.clear_requests();
    let html = app.ok_page("/orgs/acme-corp/campaigns/1/alerts").await;
    assert!(html.contains("as GitHub listed them at"), "{html}");
    let asked: Vec<&str> = (app.emulator.requests().iter())
        .filter_map(|r| match r.path.as_str() {
            "/orgs/acme-corp/campaigns/1" => Some("campaign"),
            p if p.ends_with("/code-scanning/alerts") && r.query.contains("sort=updated") => {
                Some("sync")
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        asked,
        ["sync", "campaign"],
        "page 1 answered before the campaign, once"
    );
    let after = index.state(&acme).await.unwrap().synced_at;
    assert!(after > synced, "the sync finished: {synced:?} → {after:?}");

    // octocat is a member, not a security manager: GitHub refuses both, and the index stays.
    app.sign_in("octocat").await;
    let res = app.get("/orgs/acme-corp/campaigns/1/alerts").await;
    assert!(res.status().is_client_error(), "{}", res.status());
    let html = res.text().await.unwrap();
    assert!(!html.contains("as GitHub listed them at"), "{html}");
    assert_eq!(index.state(&acme).await.unwrap().synced_at, after);
}

/// The org's open alerts, kept by the instance between syncs, are read again once a sync has
/// changed the index: an alert fixed on GitHub leaves the picker at the next sync.
#[tokio::test]
async fn the_open_alerts_kept_between_syncs_follow_a_change() {
    let app = on_sqlite().await;
    let (state, mona, acme) = (&app.state, token(&app, "mona"), org("acme-corp"));
    assert!(alert_index::sync_now(state, &mona, &acme, true)
        .await
        .unwrap());
    let index = state.store.alert_index();
    let before = index.open(&acme).await.unwrap();
    assert_eq!(keys(&index.open(&acme).await.unwrap()), keys(&before));

    let gone = before[0].clone();
    let repo = gone.repo.rsplit('/').next().unwrap();
    assert!((app.emulator).set_alert_state("acme-corp", repo, gone.number, "fixed", None));
    assert!(alert_index::sync_now(state, &mona, &acme, false)
        .await
        .unwrap());
    let after = index.open(&acme).await.unwrap();
    assert!(!keys(&after).contains(&gone.key()), "{gone:?} is fixed");
    assert_eq!(after.len(), before.len() - 1);
}

/// Two instances on one PostgreSQL asked at once: one sync, whose pages GitHub is asked once.
#[tokio::test]
async fn two_instances_syncing_at_once_make_one_sync() {
    let pair = crate::instances::two_instances(&fresh_database().await, false).await;
    let (a, b) = (&pair.a, &pair.b);
    let (mona, acme) = (token(a, "mona"), org("acme-corp"));
    let (x, y) = tokio::join!(
        alert_index::sync_now(&a.state, &mona, &acme, true),
        alert_index::sync_now(&b.state, &mona, &acme, true),
    );
    assert_eq!(
        [x.unwrap(), y.unwrap()].iter().filter(|d| **d).count(),
        1,
        "one of the two synced"
    );
    let pages = sync_requests(a);
    let index = b.state.store.alert_index();
    let all = index.count(&acme).await.unwrap();
    let open = index.open(&acme).await.unwrap().len() as i64;
    let expected = (open + 99) / 100 + (all - open + 99) / 100;
    assert_eq!(
        pages.len() as i64,
        expected,
        "each page read once: {pages:?}"
    );
}

/// The store's lease on both backends: one taker at a time, none while the index is fresh, one
/// again once the lease runs out (its holder died); a full sync's finish removes what it did
/// not see.
#[tokio::test]
async fn the_lease_has_one_holder_and_a_full_finish_sweeps() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}?mode=rwc", dir.path().join("app.db").display());
    for url in [sqlite, fresh_database().await] {
        let s: Store = store::connect(&url).await.unwrap();
        s.migrate().await.unwrap();
        let (index, o) = (s.alert_index(), org("acme-corp"));
        let now = Utc::now();
        let until = now + Duration::seconds(60);
        let takers = futures_util::future::join_all((0..8).map(|i| {
            let index = index.clone();
            let o = o.clone();
            async move {
                index
                    .lease(&o, &format!("h{i}"), now, now, until)
                    .await
                    .unwrap()
            }
        }))
        .await;
        assert_eq!(
            takers.iter().filter(|t| **t).count(),
            1,
            "{url}: {takers:?}"
        );
        let holder = format!("h{}", takers.iter().position(|t| *t).unwrap());

        let row = |repo_id: i64, number: i64| IndexedAlert {
            row: AlertRow {
                repo_id,
                repo: format!("r{repo_id}"),
                number,
                rule_id: "js/x".into(),
                rule_name: "X".into(),
                severity: "high".into(),
                rule_severity: "error".into(),
                tool: "CodeQL".into(),
                path: "a.js".into(),
                line: 3,
                created_at: chrono::DateTime::from_timestamp(now.timestamp(), 0).unwrap(),
                html_url: String::new(),
                cwes: vec!["CWE-79".into(), "CWE-89".into()],
            },
            state: LiveState::Open,
            dismissed_reason: None,
            updated_at: chrono::DateTime::from_timestamp(now.timestamp(), 0).unwrap(),
            fixed_at: None,
            dismissed_at: None,
            assignees: vec!["mona".into()],
        };
        let earlier = now - Duration::seconds(10);
        index
            .upsert(&o, &[row(1, 1), row(1, 2), row(2, 1)], earlier)
            .await
            .unwrap();
        index
            .upsert(&o, &[row(1, 1), row(2, 1)], now)
            .await
            .unwrap();
        let open_keys = || async {
            let open = index.open(&o).await.unwrap();
            open.iter()
                .map(|a| (a.repo_id, a.number))
                .collect::<Vec<_>>()
        };
        let order = open_keys().await;
        assert_eq!(order, vec![(2, 1), (1, 2), (1, 1)], "{url}: GitHub's order");
        assert_eq!(
            index.open(&o).await.unwrap()[2],
            row(1, 1).row,
            "{url}: every field kept"
        );
        let done = SyncDone {
            started: now,
            watermark: Some(now),
            etag: Some("W/\"x\"".into()),
            full: true,
        };
        index.finish(&o, &holder, &done).await.unwrap();
        let left = open_keys().await;
        assert_eq!(
            left,
            vec![(2, 1), (1, 1)],
            "{url}: (1, 2) was not seen by the full sync"
        );
        let got = index.alerts(&o, &[(1, 1), (1, 2), (3, 1)]).await.unwrap();
        assert_eq!(got, vec![row(1, 1)], "{url}");
        // More keys than one statement takes: every one read.
        let many: Vec<IndexedAlert> = (1..=1_200).map(|n| row(9, n)).collect();
        index.upsert(&o, &many, now).await.unwrap();
        let keys: Vec<(i64, i64)> = (0..=1_201).map(|n| (9, n)).collect();
        assert_eq!(index.alerts(&o, &keys).await.unwrap().len(), 1_200, "{url}");

        // Fresh: nobody takes it; with a later bar, one does; a dead holder's lease runs out.
        assert!(!index
            .lease(&o, "late", now, now - Duration::seconds(5), until)
            .await
            .unwrap());
        let later = now + Duration::seconds(1);
        assert!(index
            .lease(&o, "a", later, later, later + Duration::seconds(60))
            .await
            .unwrap());
        assert!(!index
            .lease(&o, "b", later, later, later + Duration::seconds(60))
            .await
            .unwrap());
        let after = later + Duration::seconds(61);
        assert!(index
            .lease(&o, "b", after, after, after + Duration::seconds(60))
            .await
            .unwrap());
        index.release(&o, "b").await.unwrap();
        assert_eq!(
            index.state(&o).await.unwrap().etag.as_deref(),
            Some("W/\"x\"")
        );
    }
}

/// The index gives the lists what GitHub's pages give them: the same rows in the same order;
/// for random filters the no-JavaScript list (`org_alerts::search`, reading the index) selects
/// what the filter selects from GitHub's pages; a campaign's alerts have the same states.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_index_selects_the_same_alerts_as_githubs_pages() {
    use campaigns_admin::domain::alert_filter::AlertFilter;
    use campaigns_admin::service::live_alerts;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    let app = on_sqlite().await;
    let (state, hubot) = (&app.state, token(&app, "hubot"));
    for o in [org("acme-corp"), org("globex")] {
        assert!(alert_index::sync_now(state, &hubot, &o, true)
            .await
            .unwrap());
        let live = live_open(&app, &hubot, &o).await;
        assert_eq!(
            state.store.alert_index().open(&o).await.unwrap(),
            live,
            "{o}"
        );

        // A campaign's alerts: the same states from the index as from each repository's list.
        let record = state
            .store
            .campaigns()
            .bound(&o, campaigns_admin::domain::CampaignNumber::new(1).unwrap())
            .await
            .unwrap()
            .expect("demo mode records campaign 1");
        let (from_index, unread, at) =
            live_alerts::campaign_alert_states(state, &hubot, &o, &record.alerts)
                .await
                .unwrap();
        assert!(at.is_some() && unread.is_empty());
        let (from_github, _) =
            live_alerts::live_alerts(&state.github, &hubot, &o, &record.alerts).await;
        let facts = |a: &campaigns_admin::domain::campaign_alerts::CampaignAlert| {
            let a = a.clone();
            (
                a.repository,
                a.number,
                a.state,
                a.rule_id,
                a.severity,
                a.path,
                a.dismissed_reason,
                a.fixed_at,
                a.dismissed_at,
                a.html_url,
            )
        };
        let from_index: Vec<_> = from_index.iter().map(facts).collect();
        let from_github: Vec<_> = from_github.iter().map(facts).collect();
        assert_eq!(from_index, from_github, "{o}");

        let distinct = |f: fn(&AlertRow) -> Vec<String>| -> Vec<String> {
            let set: BTreeSet<String> = live.iter().flat_map(f).collect();
            set.into_iter().collect()
        };
        let pick = |values: Vec<String>| prop::option::weighted(0.4, prop::sample::select(values));
        let strategy = (
            pick(distinct(|a| vec![a.repo.clone()])),
            pick(distinct(|a| vec![a.severity.clone()])),
            pick(distinct(|a| vec![a.tool.clone()])),
            pick(distinct(|a| a.cwes.clone())),
            prop::option::weighted(0.2, 1u32..400),
        )
            .prop_map(|(repo, severity, tool, cwe, days)| AlertFilter {
                repo: repo.unwrap_or_default(),
                severity: severity.unwrap_or_default(),
                tool: tool.unwrap_or_default(),
                cwe: cwe.unwrap_or_default(),
                older_than: days.map(|d| d.to_string()).unwrap_or_default(),
                ..Default::default()
            });
        let mut runner = TestRunner::new(Config {
            cases: 48,
            ..Config::default()
        });
        let handle = tokio::runtime::Handle::current();
        runner
            .run(&strategy, |filter| {
                let found = tokio::task::block_in_place(|| {
                    handle.block_on(org_alerts::search(state, &hubot, &o, &filter, 200))
                })
                .unwrap();
                prop_assert!(found.synced_at.is_some(), "read from the index");
                let (rows, total) = (found.rows, found.total);
                let expected = filter.select(&live);
                prop_assert_eq!(total, expected.len(), "{:?}", filter);
                let expected: Vec<AlertRow> = expected.into_iter().take(200).cloned().collect();
                prop_assert_eq!(rows, expected, "{:?}", filter);
                Ok(())
            })
            .unwrap();
    }
}
