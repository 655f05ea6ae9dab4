//! Plans: 2,500 alerts split into three waves, the first published at once, the second when the
//! first is closed (by the check a person asks for, and by the scheduled job), each once; the
//! refusals (a wave over GitHub's 1,000, an org without a free slot) keep nothing. On SQLite and
//! on PostgreSQL.

use crate::campaign_alerts::count;
use crate::campaign_create::call;
use crate::helpers::{github_list, spawn_app, spawn_app_with, TestApp};
use crate::postgres::fresh_database;
use campaigns_admin::domain::background::Job;
use serde_json::json;

/// globex grown by 25 repositories of 100 open alerts each (`service-NNN`).
async fn grow_globex(app: &TestApp) {
    let res = reqwest::Client::new()
        .post(
            app.emulator_url
                .join("/_emulator/orgs/globex/repositories")
                .unwrap(),
        )
        .json(&json!({"count": 25, "open_alerts_each": 100}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
}

fn form(wave_size: &str) -> Vec<(&'static str, String)> {
    [
        ("org", "globex"),
        ("name", "Services"),
        ("q", "service-"),
        ("split", "repository"),
        ("wave_size", wave_size),
        ("publish_when", "closed"),
        ("cadence_days", "14"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_owned()))
    .collect()
}

fn query(pairs: &[(&str, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().filter(|(k, _)| *k != "org"))
        .finish()
}

/// The campaigns on GitHub named as wave `n` of the plan.
fn waves_named(app: &TestApp, n: usize) -> Vec<(i64, usize)> {
    let name = format!("Services · wave {n}/3");
    (app.emulator.campaigns().into_iter())
        .filter(|c| c.org == "globex" && c.name == name)
        .map(|c| (c.number, c.alerts.len()))
        .collect()
}

async fn close_on_github(app: &TestApp, number: i64) {
    let token = app
        .emulator
        .issue_token("hubot", &["security_events", "read:org"])
        .unwrap();
    let res = reqwest::Client::new()
        .patch(
            app.emulator_url
                .join(&format!("/orgs/globex/campaigns/{number}"))
                .unwrap(),
        )
        .bearer_auth(token)
        .json(&json!({"state": "closed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

async fn plans_on(app: TestApp) {
    grow_globex(&app).await;
    app.sign_in("hubot").await;
    // No plan yet: the five-minute tick queues no check.
    let at = |t: &str| chrono::DateTime::parse_from_rfc3339(t).unwrap().to_utc();
    let waves_runs = "SELECT COUNT(*) FROM job_runs WHERE kind = 'waves'";
    campaigns_admin::jobs::tick(&app.state, at("2026-12-06T22:05:00Z"))
        .await
        .unwrap();
    assert_eq!(count(&app, waves_runs).await, 0);

    // The preview: three waves, nothing kept.
    let (status, html) = app
        .page(&format!("/orgs/globex/plans/new?{}", query(&form("1000"))))
        .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("2500 alerts in 3 waves"), "{html}");
    for size in ["1000", "500"] {
        assert!(
            html.contains(&format!("<td class=\"num\">{size}</td>")),
            "{html}"
        );
    }
    // A wave over GitHub's limit: the message beside the field, a 422, nothing kept.
    let (status, html) = app
        .page(&format!("/orgs/globex/plans/new?{}", query(&form("1001"))))
        .await;
    assert_eq!(status, 422);
    assert!(
        html.contains("GitHub allows at most 1000 alerts in a campaign"),
        "{html}"
    );
    let pairs = form("1001");
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _) = call(&app, "plans/create", &refs).await;
    assert_eq!(status, 422);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM plans").await, 0);

    // Kept: the first wave is published at once, by the App, with hubot as its manager.
    let pairs = form("1000");
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, body) = call(&app, "plans/create", &refs).await;
    assert_eq!(status, 200, "{body}");
    let id: i64 = body.trim().parse().unwrap();
    let first = waves_named(&app, 1);
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(first[0].1, 1000);
    assert!(waves_named(&app, 2).is_empty());
    let page = app.ok_page(&format!("/orgs/globex/plans/{id}")).await;
    assert!(page.contains("0 of 2500 alerts closed"), "{page}");
    assert!(page.contains(&format!("#{}", first[0].0)), "{page}");

    // Now there is: the tick queues the check, once a five minutes.
    campaigns_admin::jobs::tick(&app.state, at("2026-12-06T22:10:00Z"))
        .await
        .unwrap();
    campaigns_admin::jobs::tick(&app.state, at("2026-12-06T22:10:30Z"))
        .await
        .unwrap();
    assert_eq!(count(&app, waves_runs).await, 1);

    // Wave 1 still open: the check waits and says why.
    let (status, _) = call(
        &app,
        "plans/check",
        &[("org", "globex"), ("id", &id.to_string())],
    )
    .await;
    assert_eq!(status, 200);
    assert!(waves_named(&app, 2).is_empty());
    let page = app.ok_page(&format!("/orgs/globex/plans/{id}")).await;
    assert!(page.contains("Waiting: wave 1 is 0% closed"), "{page}");

    // Closed on GitHub: two checks at once publish wave 2 once.
    close_on_github(&app, first[0].0).await;
    let id_text = id.to_string();
    let check_pairs = [("org", "globex"), ("id", id_text.as_str())];
    let (a, b) = tokio::join!(
        call(&app, "plans/check", &check_pairs),
        call(&app, "plans/check", &check_pairs)
    );
    assert_eq!((a.0, b.0), (200, 200));
    let second = waves_named(&app, 2);
    assert_eq!(second.len(), 1, "{second:?}");
    assert_eq!(second[0].1, 1000);
    let page = app.ok_page(&format!("/orgs/globex/plans/{id}")).await;
    assert!(page.contains("Wave 2 published as campaign"), "{page}");

    // The scheduled check (the App's token) queues wave 3 once wave 2 is closed; its job
    // publishes it, and running it again publishes nothing more.
    close_on_github(&app, second[0].0).await;
    let state = &app.state;
    campaigns_admin::jobs::run(
        state,
        Job::Waves {
            at: "2026-12-06T23:00".into(),
        },
        false,
    )
    .await
    .unwrap();
    let publish = Job::PublishWave {
        plan_id: id,
        wave: 3,
    };
    let queued = "SELECT COUNT(*) FROM job_runs WHERE kind = 'publish' AND period = 'wave:3'";
    assert_eq!(count(&app, queued).await, 1);
    campaigns_admin::jobs::run(state, publish.clone(), false)
        .await
        .unwrap();
    campaigns_admin::jobs::run(state, publish, false)
        .await
        .unwrap();
    let third = waves_named(&app, 3);
    assert_eq!(third.len(), 1, "{third:?}");
    assert_eq!(third[0].1, 500);
    let page = app.ok_page(&format!("/orgs/globex/plans/{id}")).await;
    assert!(
        page.contains("2000 of 2500 alerts closed") || page.contains("of 2500 alerts closed"),
        "{page}"
    );
    assert!(
        !page.contains("Check the next wave now"),
        "every wave is out: {page}"
    );

    // A member without the role sees none of it.
    app.sign_in("mona").await;
    assert_eq!(app.page(&format!("/orgs/globex/plans/{id}")).await.0, 403);
    assert_eq!(app.page("/orgs/globex/plans").await.0, 403);
}

#[tokio::test]
async fn a_plan_publishes_its_waves_one_after_another_on_sqlite() {
    plans_on(spawn_app().await).await;
}

#[tokio::test]
async fn a_plan_publishes_its_waves_one_after_another_on_postgres() {
    let url = fresh_database().await;
    plans_on(spawn_app_with(&[("CAMPAIGNS_DATABASE_URL", &url)]).await).await;
}

#[tokio::test]
async fn a_plan_in_an_org_without_a_free_slot_is_refused_and_nothing_kept() {
    let app = spawn_app().await;
    app.sign_in("hubot").await;
    // globex filled up to GitHub's ten open campaigns, each of one alert.
    let token = app
        .emulator
        .issue_token("hubot", &["security_events", "read:org"])
        .unwrap();
    let http = reqwest::Client::new();
    let alerts = github_list(
        (app.emulator_url)
            .join("/orgs/globex/code-scanning/alerts?state=open&per_page=20")
            .unwrap(),
        &token,
    )
    .await;
    let mut i = 0;
    loop {
        let a = &alerts[i];
        let res = http
            .post(app.emulator_url.join("/orgs/globex/campaigns").unwrap())
            .bearer_auth(&token)
            .json(&json!({
                "name": format!("Filler {i}"), "description": "Takes a slot",
                "ends_at": (chrono::Utc::now() + chrono::Duration::days(9)).to_rfc3339(),
                "code_scanning_alerts": [{"repository_id": a["repository"]["id"], "alert_numbers": [a["number"]]}],
            }))
            .send()
            .await
            .unwrap();
        i += 1;
        if res.status() != 200 {
            break;
        }
    }
    let mut pairs = form("100");
    pairs[2] = ("q", String::new());
    let (status, html) = app
        .page(&format!("/orgs/globex/plans/new?{}", query(&pairs)))
        .await;
    assert_eq!(status, 422, "{html}");
    assert!(
        html.contains("has 10 open campaigns, GitHub's limit"),
        "{html}"
    );
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, body) = call(&app, "plans/create", &refs).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM plans").await, 0);
}

/// The alerts picked by hand (a draft of the create form) split into waves too.
#[tokio::test]
async fn a_plan_from_a_drafts_picked_alerts() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    let batch = crate::campaign_alerts::open_alerts(&app, "acme-corp").await;
    let keys: Vec<String> = (batch.alerts.iter().take(30))
        .map(|a| format!("{}:{}", a.repo_id, a.number))
        .collect();
    let due = crate::campaign_create::due();
    let joined = keys.join(" ");
    let (status, id) = call(
        &app,
        "drafts/save",
        &[
            ("org", "acme-corp"),
            ("name", "Picked"),
            ("description", "By hand"),
            ("ends_at", &due),
            ("tz_offset", "0"),
            ("alerts", &joined),
        ],
    )
    .await;
    assert_eq!(status, 200, "{id}");
    let id = id.trim().trim_matches('"').to_owned();
    let path = format!(
        "/orgs/acme-corp/plans/new?name=Picked&draft={id}&split=age&wave_size=12&publish_when=due&cadence_days=7"
    );
    let (status, html) = app.page(&path).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("30 alerts in 3 waves"), "{html}");
    let (status, html) = app
        .page("/orgs/acme-corp/plans/new?name=Picked&draft=999999&split=age&wave_size=12&publish_when=due&cadence_days=7")
        .await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("Choose a draft from the list."));
}

/// Every new endpoint refuses a member of the org without the campaign role (octocat in
/// acme-corp) with 403, and changes nothing.
#[tokio::test]
async fn a_plain_member_is_refused_every_plan_and_triage_endpoint() {
    let app = spawn_app().await;
    app.sign_in("hubot").await;
    let plan = [
        ("org", "acme-corp"),
        ("name", "Mine"),
        ("split", "age"),
        ("wave_size", "1000"),
        ("publish_when", "closed"),
        ("cadence_days", "14"),
    ];
    let (status, id) = call(&app, "plans/create", &plan).await;
    assert_eq!(status, 200, "{id}");
    let id = id.trim().to_owned();
    let plans_before = count(&app, "SELECT COUNT(*) FROM plans").await;
    let runs_before = count(&app, "SELECT COUNT(*) FROM job_runs").await;

    app.sign_in("octocat").await;
    let org = [("org", "acme-corp")];
    let by_id = [("org", "acme-corp"), ("id", id.as_str())];
    let done = [("org", "acme-corp"), ("number", "1"), ("id", "1")];
    let preview = [
        ("org", "acme-corp"),
        ("form[name]", "Mine"),
        ("form[split]", "age"),
        ("form[wave_size]", "10"),
        ("form[publish_when]", "closed"),
        ("form[cadence_days]", "14"),
    ];
    let calls: [(&str, &[(&str, &str)]); 7] = [
        ("plans/list", &org),
        ("plans/get", &by_id),
        ("plans/check", &by_id),
        ("plans/create", &plan),
        ("plans/preview", &preview),
        ("campaigns/assignable", &org),
        ("campaigns/triage/done", &done),
    ];
    for (endpoint, pairs) in calls {
        let (status, body) = call(&app, endpoint, pairs).await;
        assert_eq!(status, 403, "{endpoint}: {body}");
    }
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM plans").await,
        plans_before
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM job_runs").await,
        runs_before
    );
}
