//! Scheduled jobs on apalis's SQL storage: the hourly snapshots run with nobody looking, once
//! across instances; a failed job is retried; a job whose instance died is taken over. Digests
//! reach a Slack-style webhook receiver and a local SMTP server (Debian's python3-aiosmtpd), once
//! a period, with what they hold asserted; bad channels are refused next to their field.

use crate::campaign_create::call;
use crate::helpers::*;
use crate::instances::two_instances_with;
use crate::postgres::fresh_database;
use campaigns_admin::domain::background::Job;
use campaigns_admin::domain::OrgLogin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const JOBS_ON: [(&str, &str); 3] = [
    ("CAMPAIGNS_JOBS_ENABLED", "on"),
    ("CAMPAIGNS_JOBS_POLL_MS", "50"),
    ("CAMPAIGNS_JOBS_RETRY_BASE_SECS", "1"),
];

fn org(login: &str) -> OrgLogin {
    OrgLogin::parse(login).unwrap()
}

fn this_hour() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H").to_string()
}

/// Polls `check` every 100 ms for up to `secs` seconds: whether it came true.
async fn eventually<F, Fut>(secs: u64, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while tokio::time::Instant::now() < deadline {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// `(kind, scope, period, attempts, outcome, detail)` rows of the run history.
async fn runs(app: &TestApp) -> Vec<(String, String, String, i64, String, String)> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.database_url).await.unwrap();
    let rows = sqlx::query_as(
        "SELECT kind, scope, period, attempts, outcome, detail FROM job_runs ORDER BY kind, scope",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    pool.close().await;
    rows
}

async fn snapshot_run(app: &TestApp) -> Option<(i64, String, String)> {
    let hour = this_hour();
    runs(app)
        .await
        .into_iter()
        .find(|r| r.0 == "snapshots" && r.1.is_empty() && r.2 == hour)
        .map(|r| (r.3, r.4, r.5))
}

/// Waits (up to 30 s) for the hour's snapshot job to be done on `app`'s database.
async fn snapshots_done(app: &TestApp) {
    assert!(
        eventually(30, || async {
            matches!(snapshot_run(app).await, Some((_, ref o, _)) if o == "done")
        })
        .await,
        "the hour's snapshot job ran: {:?}",
        runs(app).await
    );
}

/// Whether every open campaign of the seed has a snapshot this hour.
async fn every_open_campaign_kept(app: &TestApp) -> bool {
    use campaigns_admin::domain::CampaignNumber;
    let now = chrono::Utc::now().timestamp();
    let hour = chrono::DateTime::from_timestamp(now - now.rem_euclid(3600), 0).unwrap();
    let records = app.state.store.campaigns();
    for c in app.emulator.campaigns() {
        if c.closed_at.is_some() {
            continue;
        }
        let kept = records
            .history(&org(&c.org), CampaignNumber::new(c.number).unwrap(), hour)
            .await
            .unwrap();
        if kept.is_empty() {
            return false;
        }
    }
    true
}

#[tokio::test]
async fn the_server_starts_the_jobs_and_the_hours_snapshots_appear_with_nobody_looking() {
    let app = spawn_app_with(&JOBS_ON).await;
    snapshots_done(&app).await;
    assert!(every_open_campaign_kept(&app).await);
    let runs = runs(&app).await;
    for o in ["acme-corp", "globex"] {
        assert!(
            runs.iter()
                .any(|r| r.0 == "snapshots" && r.1 == o && r.4 == "done"),
            "{o} has its own line: {runs:?}"
        );
    }
    // Nobody signed in: no person's token was used.
    assert!(app.emulator.tokens_of("mona").is_empty());
}

#[tokio::test]
async fn a_due_job_runs_once_whatever_the_number_of_instances_on_postgresql() {
    let db = fresh_database().await;
    let pair = two_instances_with(&db, false, &JOBS_ON).await;
    snapshots_done(&pair.a).await;
    // Both instances ticked at start (and each minute): one run, one try, one apalis job.
    let (attempts, _, _) = snapshot_run(&pair.a).await.unwrap();
    assert_eq!(attempts, 1);
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&db).await.unwrap();
    let (queued,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM apalis.jobs")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(queued, 1, "one job in the queue for the hour");
    // A third tick of either instance enqueues nothing more.
    campaigns_admin::jobs::tick(&pair.b.state, chrono::Utc::now())
        .await
        .unwrap();
    let (queued,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM apalis.jobs")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(queued, 1);
}

#[tokio::test]
async fn a_job_that_fails_is_tried_again_after_a_backoff_and_then_succeeds() {
    use campaigns_admin::emulator::FaultRule;
    // Jobs off: the test runs each try itself.
    let app = spawn_app().await;
    // GitHub's client retries a 5xx a few times itself: the fault lasts until cleared.
    let mut fault = FaultRule::status_once("/orgs/acme-corp/campaigns", 502);
    fault.times = None;
    app.emulator.add_fault(fault);
    let job = Job::Snapshots { hour: this_hour() };
    // The first try fails on acme-corp, and says it will be retried.
    let first = campaigns_admin::jobs::run(&app.state, job.clone(), false).await;
    assert!(first.is_err(), "a 502 fails the try");
    let row = snapshot_run(&app).await;
    assert!(
        matches!(row, Some((1, ref outcome, _)) if outcome == "retrying"),
        "{row:?}"
    );
    app.emulator.clear_faults();
    let second = campaigns_admin::jobs::run(&app.state, job, false).await;
    assert!(second.is_ok());
    let row = snapshot_run(&app).await;
    assert!(
        matches!(row, Some((2, ref outcome, _)) if outcome == "done"),
        "{row:?}"
    );
    assert!(every_open_campaign_kept(&app).await);
}

#[tokio::test]
async fn the_worker_retries_a_failed_job_by_itself_with_backoff() {
    use campaigns_admin::emulator::{FaultAction, FaultRule};
    let dir = tempfile::tempdir().unwrap();
    // Jobs off: nothing runs while the fault is set up.
    let first = spawn_app_in(dir.path(), &[]).await;
    first.emulator.add_fault(FaultRule {
        path_prefix: Some("/orgs/globex/campaigns".to_owned()),
        action: Some(FaultAction::Status {
            status: 503,
            retry_after: None,
            secondary: false,
        }),
        times: None,
        ..Default::default()
    });
    let emulator = first.emulator.clone();
    let state = first.state.clone();
    let job = Job::Snapshots { hour: this_hour() };
    assert!(state.store.jobs().enqueue_once(job).await.unwrap());
    // The worker of this same state takes it: two failures, then done, each after a backoff.
    let stop = tokio::sync::oneshot::channel::<()>();
    let mut settings = (*state.settings).clone();
    settings.jobs.enabled = true;
    settings.jobs.retry_base = Duration::from_millis(300);
    let mut with_jobs = state.clone();
    with_jobs.settings = Arc::new(settings);
    let handle = campaigns_admin::jobs::start(with_jobs, async {
        let _ = stop.1.await;
    })
    .unwrap();
    // The worker tries, fails, waits and tries again by itself.
    assert!(
        eventually(30, || async {
            matches!(snapshot_run(&first).await, Some((n, ref o, _)) if n >= 2 && o == "retrying")
        })
        .await,
        "{:?}",
        runs(&first).await
    );
    emulator.clear_faults();
    snapshots_done(&first).await;
    let (attempts, _, _) = snapshot_run(&first).await.unwrap();
    assert!(
        attempts >= 3,
        "failures, then a try that worked: {attempts}"
    );
    let globex_lists = (emulator.requests().iter())
        .filter(|r| r.method == "GET" && r.path.starts_with("/orgs/globex/campaigns"))
        .count();
    assert!(globex_lists >= 3, "{globex_lists}");
    let _ = stop.0.send(());
    let _ = tokio::time::timeout(Duration::from_secs(5), handle).await;
}

#[tokio::test]
async fn a_job_left_running_by_an_instance_that_died_is_taken_over() {
    let dir = tempfile::tempdir().unwrap();
    let first = spawn_app_in(dir.path(), &[]).await;
    let job = Job::Snapshots { hour: this_hour() };
    assert!(first.state.store.jobs().enqueue_once(job).await.unwrap());
    // As a dead instance leaves it: the job running, locked by a worker last seen long ago.
    let long_ago = chrono::Utc::now().timestamp() - 3_600;
    execute_sql(
        &first.database_url,
        &format!(
            "INSERT INTO Workers (id, worker_type, storage_name, layers, last_seen)
             VALUES ('dead-instance', 'campaigns-admin', 'sqlite', '', {long_ago})"
        ),
    )
    .await;
    execute_sql(
        &first.database_url,
        &format!(
            "UPDATE Jobs SET status = 'Running', lock_by = 'dead-instance', lock_at = {long_ago}"
        ),
    )
    .await;
    drop(first);
    // An instance with jobs on, on the same database, takes it over and runs it.
    let second = spawn_app_in(dir.path(), &JOBS_ON).await;
    snapshots_done(&second).await;
    assert!(every_open_campaign_kept(&second).await);
}

#[tokio::test]
async fn the_run_history_and_the_queue_stay_bounded() {
    let app = spawn_app().await;
    let jobs = app.state.store.jobs();
    for h in 0..5 {
        let job = Job::Snapshots {
            hour: format!("2000-01-01T{h:02}"),
        };
        assert!(jobs.enqueue_once(job).await.unwrap());
    }
    execute_sql(
        &app.database_url,
        "UPDATE job_runs SET enqueued_at = 946684800",
    )
    .await;
    execute_sql(
        &app.database_url,
        "UPDATE Jobs SET status = 'Done', done_at = 946684800",
    )
    .await;
    let forgotten = jobs.prune().await.unwrap();
    assert_eq!(forgotten, 10, "five runs and five finished jobs");
    assert!(runs(&app).await.is_empty());
    // The delivery log too, by the tick at the top of an hour (not at the others).
    let message = campaigns_admin::domain::digest::Message {
        subject: "old".to_owned(),
        text: "old".to_owned(),
    };
    let digests = app.state.store.digests();
    let acme = org("acme-corp");
    let old = digests.claim(1, &acme, "test", "old", &message);
    assert!(old.await.unwrap().is_some());
    execute_sql(
        &app.database_url,
        "UPDATE deliveries SET claimed_at = 946684800",
    )
    .await;
    let at = |t: &str| t.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    let tick = campaigns_admin::jobs::tick(&app.state, at("2026-12-07T10:17:00Z"));
    tick.await.unwrap();
    assert_eq!(deliveries_of(&app).await.len(), 1, "kept until the hour");
    let tick = campaigns_admin::jobs::tick(&app.state, at("2026-12-07T11:00:00Z"));
    tick.await.unwrap();
    assert!(
        deliveries_of(&app).await.is_empty(),
        "a delivery past 90 days goes"
    );
}

// ---- Digests ----------------------------------------------------------------------------------

/// A Slack- or Teams-style webhook receiver on loopback: keeps each POST's JSON body; answers
/// `fail_first` requests with 500 first.
type Kept = (
    Arc<Mutex<Vec<serde_json::Value>>>,
    Arc<std::sync::atomic::AtomicUsize>,
);

#[derive(Clone)]
struct Receiver {
    url: String,
    bodies: Arc<Mutex<Vec<serde_json::Value>>>,
    fail_first: Arc<std::sync::atomic::AtomicUsize>,
}

async fn receiver(fail_first: usize) -> Receiver {
    use axum::{extract::State, http::StatusCode, routing::post, Json, Router};
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let fail = Arc::new(std::sync::atomic::AtomicUsize::new(fail_first));
    let state = (bodies.clone(), fail.clone());
    let router = Router::new()
        .route(
            "/services/{*rest}",
            post(
                |State((bodies, fail)): State<Kept>,
                 Json(body): Json<serde_json::Value>| async move {
                    use std::sync::atomic::Ordering;
                    if fail
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                        .is_ok()
                    {
                        return StatusCode::INTERNAL_SERVER_ERROR;
                    }
                    bodies.lock().unwrap().push(body);
                    StatusCode::OK
                },
            ),
        )
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    Receiver {
        url: format!("http://{addr}/services/T000/B000/secret-part-of-the-url"),
        bodies,
        fail_first: fail,
    }
}

impl Receiver {
    fn texts(&self) -> Vec<String> {
        (self.bodies.lock().unwrap().iter())
            .map(|b| b["text"].as_str().unwrap_or_default().to_owned())
            .collect()
    }
}

/// Subscribes a channel as mona (security manager of acme-corp) through the server function:
/// its id.
async fn subscribe(app: &TestApp, kind: &str, target: &str, extra: &[(&str, &str)]) -> i64 {
    let (status, body) = subscribe_raw(app, kind, target, extra).await;
    assert_eq!(status, 200, "{body}");
    body.trim().parse().expect("the channel's id")
}

async fn subscribe_raw(
    app: &TestApp,
    kind: &str,
    target: &str,
    extra: &[(&str, &str)],
) -> (u16, String) {
    let mut pairs = vec![
        ("org", "acme-corp"),
        ("kind", kind),
        ("target", target),
        ("weekly", "on"),
        ("weekday", "0"),
        ("hour", "9"),
        ("time_zone", "Europe/Paris"),
        ("reminders", "on"),
        ("behind", "on"),
    ];
    for (k, v) in extra {
        pairs.retain(|(key, _)| key != k);
        if !v.is_empty() {
            pairs.push((k, v));
        }
    }
    call(app, "digests/subscribe", &pairs).await
}

/// mona signed in on `app`, and a Slack-style channel of acme-corp to a receiver that fails its
/// first `fail_first` requests: the receiver and the channel's id.
async fn slack_channel(
    app: &TestApp,
    fail_first: usize,
    extra: &[(&str, &str)],
) -> (Receiver, i64) {
    app.sign_in("mona").await;
    let hook = receiver(fail_first).await;
    let id = subscribe(app, "slack", &hook.url, extra).await;
    (hook, id)
}

/// acme-corp's deliveries, newest first.
async fn deliveries_of(app: &TestApp) -> Vec<campaigns_admin::domain::digest::DeliveryView> {
    let store = app.state.store.digests();
    store.recent(&org("acme-corp"), 10).await.unwrap()
}

/// The weekly digest job of channel `id` for `week`.
fn weekly(id: i64, week: &str) -> Job {
    Job::Digest {
        channel_id: id,
        week: week.to_owned(),
    }
}

/// The weekly digest's content: every section, the org's campaigns by name, links to the app.
fn assert_is_the_digest(text: &str, app: &TestApp) {
    for section in [
        "Weekly campaigns digest for acme-corp",
        "Behind (",
        "On track (",
        "Due within 7 days",
        "Repositories with nothing closed in 14 days",
        "Drafts waiting",
    ] {
        assert!(text.contains(section), "{section} in {text}");
    }
    let open: Vec<_> = (app.emulator.campaigns().into_iter())
        .filter(|c| c.org == "acme-corp" && c.closed_at.is_none())
        .collect();
    assert!(!open.is_empty());
    for c in open {
        assert!(
            text.contains(&format!("/orgs/acme-corp/campaigns/{}|", c.number)),
            "#{} linked in {text}",
            c.number
        );
    }
    assert!(
        text.contains(&format!("<{}/orgs/acme-corp|", app.origin())),
        "{text}"
    );
}

#[tokio::test]
async fn the_weekly_digest_reaches_a_webhook_once_a_week_with_its_content() {
    let app = spawn_app().await;
    let (hook, id) = slack_channel(&app, 0, &[]).await;
    let job = weekly(id, "2026-W49");
    campaigns_admin::jobs::run(&app.state, job.clone(), false)
        .await
        .unwrap();
    let texts = hook.texts();
    assert_eq!(texts.len(), 1);
    assert_is_the_digest(&texts[0], &app);
    // The same week again (a retry, another instance, a clock set back): nothing more is sent,
    // whether the job's run or the delivery itself is asked twice.
    campaigns_admin::jobs::run(&app.state, job, false)
        .await
        .unwrap();
    let again = campaigns_admin::service::digests::send_weekly(&app.state, id, "2026-W49").await;
    assert!(again.unwrap().contains("sent already"));
    assert_eq!(hook.texts().len(), 1);
    // The log has it, and the page shows it, without the webhook's secret part.
    let (status, page) = app.page("/orgs/acme-corp/digests").await;
    assert_eq!(status, 200);
    assert!(page.contains("2026-W49"), "{page}");
    assert!(page.contains("sent"), "{page}");
    assert!(
        !page.contains("secret-part-of-the-url"),
        "the URL is never shown back"
    );
}

#[tokio::test]
async fn a_webhook_that_fails_is_retried_and_its_failure_is_logged_without_secrets() {
    let app = spawn_app().await;
    let (hook, id) = slack_channel(&app, 1, &[]).await;
    assert_eq!(hook.fail_first.load(std::sync::atomic::Ordering::SeqCst), 1);
    let job = weekly(id, "2026-W50");
    let first = campaigns_admin::jobs::run(&app.state, job.clone(), false).await;
    assert!(first.is_err(), "a 500 fails the try");
    let deliveries = deliveries_of(&app).await;
    assert_eq!(deliveries[0].outcome, "failed");
    assert!(deliveries[0].error.contains("500"), "{:?}", deliveries[0]);
    assert!(
        !deliveries[0].error.contains("secret-part"),
        "{:?}",
        deliveries[0]
    );
    campaigns_admin::jobs::run(&app.state, job, false)
        .await
        .unwrap();
    assert_eq!(hook.texts().len(), 1, "sent once, on the retry");
    let deliveries = deliveries_of(&app).await;
    assert_eq!(
        (deliveries[0].outcome.as_str(), deliveries[0].attempts),
        ("sent", 2)
    );
    // A webhook that cannot be reached at all: the page shows the failure.
    let gone = format!("http://127.0.0.1:{}/services/T/B/x", free_port());
    let id = subscribe(&app, "slack", &gone, &[]).await;
    let job = weekly(id, "2026-W50");
    assert!(
        campaigns_admin::jobs::run(&app.state, job, true)
            .await
            .is_ok(),
        "the last try gives up"
    );
    let (_, page) = app.page("/orgs/acme-corp/digests").await;
    assert!(page.contains("could not be reached"), "{page}");
}

/// A child process stopped when the test ends, whatever its outcome.
struct Stopped(std::process::Child);

impl Drop for Stopped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn a_digest_by_email_reaches_the_smtp_server() {
    let port = free_port();
    let maildir = tempfile::tempdir().unwrap();
    let smtp = std::process::Command::new("/usr/bin/python3")
        .args(["-m", "aiosmtpd", "-n", "-l"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(maildir.path().join("mail"))
        .spawn()
        .expect("python3-aiosmtpd (scripts/bootstrap installs it)");
    let _smtp = Stopped(smtp);
    let port_text = port.to_string();
    let app = spawn_app_with(&[
        ("CAMPAIGNS_SMTP_HOST", "127.0.0.1"),
        ("CAMPAIGNS_SMTP_PORT", port_text.as_str()),
        ("CAMPAIGNS_SMTP_STARTTLS", "off"),
        ("CAMPAIGNS_SMTP_FROM", "campaigns@example.com"),
    ])
    .await;
    app.sign_in("mona").await;
    let id = subscribe(&app, "email", "security-team@example.com", &[]).await;
    let job = weekly(id, "2026-W49");
    let mut sent = false;
    for _ in 0..50 {
        // The mail server may still be starting.
        if campaigns_admin::jobs::run(&app.state, job.clone(), false)
            .await
            .is_ok()
        {
            sent = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(sent);
    let new = maildir.path().join("mail/new");
    let mails: Vec<String> = std::fs::read_dir(&new)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert!(mail.contains("To: security-team@example.com"), "{mail}");
    assert!(
        mail.contains("Subject: Campaigns digest: acme-corp"),
        "{mail}"
    );
    assert!(
        mail.contains("Weekly campaigns digest for acme-corp"),
        "{mail}"
    );
}

#[tokio::test]
async fn two_instances_on_postgresql_send_each_digest_once() {
    let db = fresh_database().await;
    let pair = two_instances_with(&db, false, &JOBS_ON).await;
    pair.a.sign_in("mona").await;
    let hook = receiver(0).await;
    // Due now: today's weekday and this hour, in UTC.
    let now = chrono::Utc::now();
    use chrono::{Datelike, Timelike};
    let (day, hour) = (
        now.weekday().num_days_from_monday().to_string(),
        now.hour().to_string(),
    );
    let id = subscribe(
        &pair.a,
        "slack",
        &hook.url,
        &[
            ("weekday", day.as_str()),
            ("hour", hour.as_str()),
            ("time_zone", "UTC"),
            ("reminders", ""),
            ("behind", ""),
        ],
    )
    .await;
    // Both instances tick (as each does every minute): the first to claim the week sends.
    let (a, b) = tokio::join!(
        campaigns_admin::jobs::tick(&pair.a.state, now),
        campaigns_admin::jobs::tick(&pair.b.state, now)
    );
    a.unwrap();
    b.unwrap();
    assert!(
        eventually(30, || async { !hook.texts().is_empty() }).await,
        "the digest was sent"
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    campaigns_admin::jobs::tick(&pair.b.state, now)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(hook.texts().len(), 1, "once, whatever the ticks");
    let week = now.format("%G-W%V").to_string();
    let runs = runs(&pair.a).await;
    assert!(
        runs.iter().any(|r| r.0 == "digest"
            && r.1 == format!("channel:{id}")
            && r.2 == week
            && r.4 == "done"),
        "{runs:?}"
    );
}

#[tokio::test]
async fn reminders_and_now_behind_go_once_per_campaign_and_step() {
    let app = spawn_app().await;
    let (hook, _) = slack_channel(&app, 0, &[("weekly", "")]).await;
    // One open campaign of acme-corp made due in three days, on GitHub.
    let c = (app.emulator.campaigns().into_iter())
        .find(|c| c.org == "acme-corp" && c.closed_at.is_none())
        .unwrap();
    let token = app
        .emulator
        .issue_token("mona", &["security_events", "read:org"])
        .unwrap();
    let due = (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339();
    let res = reqwest::Client::new()
        .patch(
            app.emulator_url
                .join(&format!("orgs/acme-corp/campaigns/{}", c.number))
                .unwrap(),
        )
        .bearer_auth(token)
        .header("accept", "application/vnd.github+json")
        .json(&serde_json::json!({ "ends_at": due }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let job = Job::Reminders {
        org: "acme-corp".to_owned(),
        hour: this_hour(),
    };
    campaigns_admin::jobs::run(&app.state, job, false)
        .await
        .unwrap();
    let first = hook.texts();
    assert!(
        first.iter().any(
            |t| t.contains(&format!("/orgs/acme-corp/campaigns/{}|", c.number))
                && t.contains("is due in 7 days")
        ),
        "{first:?}"
    );
    // Each message names a campaign and links to it.
    for t in &first {
        assert!(t.contains("/orgs/acme-corp/campaigns/"), "{t}");
        assert!(
            t.contains("is due in") || t.contains("was due") || t.contains("now behind"),
            "{t}"
        );
    }
    let job = Job::Reminders {
        org: "acme-corp".to_owned(),
        hour: "another-hour".to_owned(),
    };
    campaigns_admin::jobs::run(&app.state, job, false)
        .await
        .unwrap();
    assert_eq!(
        hook.texts().len(),
        first.len(),
        "nothing twice for the same step"
    );
}

#[tokio::test]
async fn a_removed_installation_stops_the_orgs_digests_and_says_so() {
    let app = spawn_app().await;
    let (hook, id) = slack_channel(&app, 0, &[]).await;
    assert!(app.emulator.remove_installation("acme-corp"));
    let job = weekly(id, "2026-W49");
    assert!(
        campaigns_admin::jobs::run(&app.state, job, false)
            .await
            .is_ok(),
        "stopped, not retried"
    );
    assert!(hook.texts().is_empty());
    let runs = runs(&app).await;
    assert!(
        runs.iter()
            .any(|r| r.0 == "digest" && r.4 == "stopped" && r.5.contains("no longer installed")),
        "{runs:?}"
    );
    let (_, page) = app.page("/orgs/acme-corp/digests").await;
    assert!(page.contains("not installed on acme-corp"), "{page}");
}

#[tokio::test]
async fn a_channel_is_refused_next_to_its_field_and_only_managers_may_subscribe() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    for (kind, target, field, words) in [
        (
            "slack",
            "http://hooks.slack.com/services/T/B/x",
            "target",
            "https://",
        ),
        (
            "slack",
            "https://example.com/services/T/B/x",
            "target",
            "hooks.slack.com",
        ),
        (
            "teams",
            "https://hooks.slack.com/services/x",
            "target",
            "logic.azure.com",
        ),
        ("email", "sec@example.com", "kind", "no mail server"),
        (
            "pigeon",
            "https://hooks.slack.com/services/x",
            "kind",
            "Choose Slack",
        ),
    ] {
        let (status, body) = subscribe_raw(&app, kind, target, &[]).await;
        assert_eq!(status, 422, "{kind} {target}: {body}");
        assert!(body.contains(&format!("\"field\":\"{field}\"")), "{body}");
        assert!(body.contains(words), "{body}");
    }
    let ok = "https://hooks.slack.com/services/T/B/x";
    let (status, body) = subscribe_raw(&app, "slack", ok, &[("time_zone", "Mars/Olympus")]).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("time_zone"), "{body}");
    let (status, body) = subscribe_raw(
        &app,
        "slack",
        ok,
        &[("weekly", ""), ("reminders", ""), ("behind", "")],
    )
    .await;
    assert_eq!(status, 422, "{body}");
    // octocat is a member of acme-corp, not a manager.
    let other = spawn_app().await;
    other.sign_in("octocat").await;
    let (status, _) = subscribe_raw(&other, "slack", ok, &[]).await;
    assert_eq!(status, 403);
    let (status, _) = other.page("/orgs/acme-corp/digests").await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn the_preview_shows_the_next_digest_and_a_test_is_sent_by_a_job() {
    let app = spawn_app_with(&JOBS_ON).await;
    let (hook, id) = slack_channel(&app, 0, &[("reminders", ""), ("behind", "")]).await;
    let id_text = id.to_string();
    let (status, body) = call(
        &app,
        "digests/preview",
        &[("org", "acme-corp"), ("id", &id_text)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let preview: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_is_the_digest(preview["text"].as_str().unwrap(), &app);
    // The page shows it too, server-rendered, at a link of its own.
    let (status, page) = app
        .page(&format!("/orgs/acme-corp/digests?preview={id}"))
        .await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Weekly campaigns digest for acme-corp"),
        "{page}"
    );
    let (status, body) = call(
        &app,
        "digests/test",
        &[("org", "acme-corp"), ("id", &id_text)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(eventually(20, || async { !hook.texts().is_empty() }).await);
    assert_eq!(
        hook.texts(),
        vec![preview["text"].as_str().unwrap().to_owned()],
        "the test is the preview"
    );
    // Another org's channel is not found through this one.
    let (status, _) = call(
        &app,
        "digests/preview",
        &[("org", "globex"), ("id", &id_text)],
    )
    .await;
    assert!(status == 404 || status == 403, "{status}");
}

#[tokio::test]
async fn the_alert_index_is_synced_by_a_job_with_nobody_signed_in() {
    let app = spawn_app_with(&[("CAMPAIGNS_GITHUB_ALERT_INDEX", "on")]).await;
    let index = app.state.store.alert_index();
    for o in ["acme-corp", "globex"] {
        assert_eq!(index.count(&org(o)).await.unwrap(), 0);
    }
    let job = Job::IndexSync {
        quarter: "2026-12-06T19:15".to_owned(),
    };
    campaigns_admin::jobs::run(&app.state, job, false)
        .await
        .unwrap();
    for o in ["acme-corp", "globex"] {
        assert!(index.count(&org(o)).await.unwrap() > 0, "{o} indexed");
    }
    let runs = runs(&app).await;
    assert!(
        runs.iter()
            .any(|r| r.0 == "index" && r.1 == "acme-corp" && r.5 == "Alert index synced."),
        "{runs:?}"
    );
    assert!(app.emulator.tokens_of("mona").is_empty());
    // The digest now knows the org's quiet repositories.
    let token = app
        .state
        .app
        .as_ref()
        .unwrap()
        .token_for(&app.state.github, &org("acme-corp"))
        .await
        .unwrap();
    let digest = campaigns_admin::service::digests::build(
        &app.state,
        &token,
        &org("acme-corp"),
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    assert!(digest.quiet_repositories.is_some());
}

/// Every digests function answers nobody signed in with 401, and refuses an org that is not one
/// and an id that is not a number, before anything is read or stored.
#[tokio::test]
async fn the_digests_functions_need_a_session_and_valid_input() {
    let app = spawn_app().await;
    let calls: [(&str, Vec<(&str, &str)>); 5] = [
        ("digests/load", vec![]),
        ("digests/preview", vec![("id", "1")]),
        ("digests/test", vec![("id", "1")]),
        ("digests/remove", vec![("id", "1")]),
        (
            "digests/subscribe",
            vec![
                ("kind", "slack"),
                ("target", "https://hooks.slack.com/services/x"),
            ],
        ),
    ];
    for (f, extra) in &calls {
        let mut pairs = vec![("org", "acme-corp")];
        pairs.extend(extra.iter().copied());
        let (status, body) = call(&app, f, &pairs).await;
        assert_eq!(status, 401, "{f}: {body}");
    }
    app.sign_in("mona").await;
    for (f, extra) in &calls {
        let mut pairs = vec![("org", "acme corp!")];
        pairs.extend(extra.iter().copied());
        let (status, body) = call(&app, f, &pairs).await;
        assert!(
            (400..500).contains(&status),
            "{f} with a bad org: {status} {body}"
        );
    }
    for f in ["digests/preview", "digests/test", "digests/remove"] {
        let (status, body) = call(&app, f, &[("org", "acme-corp"), ("id", "one")]).await;
        assert!(
            (400..500).contains(&status),
            "{f} with a bad id: {status} {body}"
        );
        // A number that is no channel of the org is not found.
        let (status, body) = call(&app, f, &[("org", "acme-corp"), ("id", "987654")]).await;
        assert_eq!(status, 404, "{f}: {body}");
    }
    assert!(deliveries_of(&app).await.is_empty());
}
