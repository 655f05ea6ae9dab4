//! What is in a campaign: the alert set recorded at create, the alerts page with live states and
//! per-repository progress, snapshots and the burndown, and the CSV and JSON files. The create
//! and alerts tests run on SQLite and on PostgreSQL.

use crate::campaign_create::{call, due};
use crate::helpers::{spawn_app, spawn_app_with, TestApp};
use crate::postgres::fresh_database;
use campaigns_admin::domain::alert::AlertBatch;
use campaigns_admin::emulator::FaultRule;
use chrono::Utc;
use scraper::{Html, Selector};

/// The first page (100) of the org's open alerts, as the picker reads them.
pub async fn open_alerts(app: &TestApp, org: &str) -> AlertBatch {
    let (status, body) = call(
        app,
        "alerts/load",
        &[("org", org), ("from_page", "1"), ("pages", "1")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

/// The create form's fields for a campaign of `alerts` (`repo_id:number`, space-separated).
fn form<'a>(org: &'a str, name: &'a str, due: &'a str, alerts: &'a str) -> [(&'a str, &'a str); 6] {
    [
        ("org", org),
        ("name", name),
        ("description", "What is in it."),
        ("ends_at", due),
        ("tz_offset", "0"),
        ("alerts", alerts),
    ]
}

/// Creates a campaign in `org` from `alerts`; its number.
pub async fn create(app: &TestApp, org: &str, name: &str, alerts: &[String]) -> i64 {
    let (due, joined) = (due(), alerts.join(" "));
    let form = form(org, name, &due, &joined);
    let (status, body) = call(app, "campaigns/create", &form).await;
    assert_eq!(status, 200, "{body}");
    let created: serde_json::Value = serde_json::from_str(&body).unwrap();
    created["number"].as_i64().unwrap()
}

fn rows(html: &str, css: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    let sel = Selector::parse(css).unwrap();
    doc.select(&sel)
        .map(|e| e.text().collect::<Vec<_>>().join(" "))
        .collect()
}

/// The one number `sql` reads from the app's database.
pub async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.database_url).await.unwrap();
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&pool).await.unwrap();
    pool.close().await;
    n
}

async fn alerts_page_on(app: TestApp) {
    app.sign_in("mona").await;
    let batch = open_alerts(&app, "acme-corp").await;
    let picked: Vec<_> = batch.alerts.iter().take(40).collect();
    let keys: Vec<String> = picked
        .iter()
        .map(|a| format!("{}:{}", a.repo_id, a.number))
        .collect();
    let number = create(&app, "acme-corp", "What is in it", &keys).await;
    let recorded = format!("SELECT COUNT(*) FROM campaign_alerts a JOIN campaign_records r ON r.id = a.record_id WHERE r.campaign_number = {number}");
    assert_eq!(count(&app, &recorded).await, 40);

    // Work happens on GitHub: one alert fixed, one dismissed.
    let (fixed, dismissed) = (picked[0], picked[1]);
    // The picker's rows name the repository alone; the alerts page with its owner.
    let name = |repo: &str| repo.split_once('/').map_or(repo, |(_, n)| n).to_owned();
    assert!(app.emulator.set_alert_state(
        "acme-corp",
        &name(&fixed.repo),
        fixed.number,
        "fixed",
        None
    ));
    assert!(app.emulator.set_alert_state(
        "acme-corp",
        &name(&dismissed.repo),
        dismissed.number,
        "dismissed",
        Some("false positive")
    ));

    let path = format!("/orgs/acme-corp/campaigns/{number}/alerts");
    let page = app.get(&path).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Created in campaigns-admin by"), "{html}");
    let alerts = rows(&html, "table.alerts tbody tr");
    assert_eq!(alerts.len(), 40);
    let repos = rows(&html, "table.repos tbody tr");
    let distinct: std::collections::BTreeSet<&str> =
        picked.iter().map(|a| a.repo.as_str()).collect();
    assert_eq!(repos.len(), distinct.len());
    assert!(alerts
        .iter()
        .any(|r| r.contains("dismissed (false positive)")));

    // Filters live in the address.
    let only_fixed = app.get(&format!("{path}?state=fixed")).await;
    let only_fixed = only_fixed.text().await.unwrap();
    let shown = rows(&only_fixed, "table.alerts tbody tr");
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert!(shown[0].contains(&format!("#{}", fixed.number)));
    let one_repo = format!("{path}?repo=acme-corp%2F{}", name(&fixed.repo));
    let one_repo = app.get(&one_repo).await.text().await.unwrap();
    let expected = picked.iter().filter(|a| a.repo == fixed.repo).count();
    assert_eq!(rows(&one_repo, "table.alerts tbody tr").len(), expected);

    // A value the filter cannot read comes back as typed, with its message, and a 422.
    let refused = app.get(&format!("{path}?state=solved")).await;
    assert_eq!(refused.status(), 422);
    let refused = refused.text().await.unwrap();
    assert!(
        refused.contains("Choose a state from the list."),
        "{refused}"
    );
    assert!(refused.contains("value=\"solved\""), "{refused}");

    // The same alerts as files.
    let csv = app.get(&format!("{path}.csv?state=dismissed")).await;
    assert_eq!(csv.status(), 200);
    let disposition = csv.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    let today = Utc::now().format("%Y-%m-%d").to_string();
    assert_eq!(
        disposition,
        format!("attachment; filename=\"acme-corp-campaign-{number}-alerts-{today}.csv\"")
    );
    let csv = csv.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "repository,number,rule_id,rule_name,severity,state,dismissed_reason,fixed_at,dismissed_at,path,line,html_url,assignees");
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[1].contains("\"false positive\""));
    let json = app.get(&format!("{path}.json")).await;
    assert_eq!(json.headers()["content-type"], "application/json");
    let json: Vec<serde_json::Value> = serde_json::from_str(&json.text().await.unwrap()).unwrap();
    assert_eq!(json.len(), 40);
    assert_eq!(json.iter().filter(|a| a["state"] == "fixed").count(), 1);
    assert!(json
        .iter()
        .all(|a| a["html_url"].as_str().unwrap().starts_with("http")));
}

#[tokio::test]
async fn a_campaign_created_here_shows_its_alerts_live_on_sqlite() {
    alerts_page_on(spawn_app().await).await;
}

#[tokio::test]
async fn a_campaign_created_here_shows_its_alerts_live_on_postgres() {
    let url = fresh_database().await;
    alerts_page_on(spawn_app_with(&[("CAMPAIGNS_DATABASE_URL", &url)]).await).await;
}

#[tokio::test]
async fn a_refused_create_leaves_no_record_and_an_unreachable_store_creates_nothing() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    let batch = open_alerts(&app, "acme-corp").await;
    let keys: Vec<String> = batch
        .alerts
        .iter()
        .take(3)
        .map(|a| format!("{}:{}", a.repo_id, a.number))
        .collect();
    let before = count(&app, "SELECT COUNT(*) FROM campaign_records").await;
    app.emulator
        .add_fault(FaultRule::status_once("/orgs/acme-corp/campaigns", 422).for_method("POST"));
    let (due, joined) = (due(), keys.join(" "));
    let form = form("acme-corp", "Refused", &due, &joined);
    let (status, _) = call(&app, "campaigns/create", &form).await;
    assert_eq!(status, 422);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM campaign_records").await,
        before
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM campaign_alerts a LEFT JOIN campaign_records r ON r.id = a.record_id WHERE r.id IS NULL").await,
        0
    );

    // With its alert set unrecordable, no campaign is created on GitHub.
    let posts = |app: &TestApp| {
        app.emulator
            .requests()
            .iter()
            .filter(|r| r.method == "POST" && r.path == "/orgs/acme-corp/campaigns")
            .count()
    };
    let sent = posts(&app);
    crate::helpers::execute_sql(&app.database_url, "DROP TABLE campaign_alerts").await;
    let (status, body) = call(&app, "campaigns/create", &form).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(posts(&app), sent);
}

#[tokio::test]
async fn a_campaign_created_elsewhere_says_so_and_keeps_its_counts() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    // Demo mode leaves this seeded campaign as created on GitHub.
    let list = app
        .get("/orgs/acme-corp/campaigns")
        .await
        .text()
        .await
        .unwrap();
    let number = {
        let doc = Html::parse_document(&list);
        let sel = Selector::parse("a.campaign-link").unwrap();
        let link = doc
            .select(&sel)
            .find(|a| a.text().collect::<String>() == campaigns_admin::demo::CREATED_ON_GITHUB)
            .expect("the seeded campaign is listed");
        link.value()
            .attr("href")
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_owned()
    };
    let path = format!("/orgs/acme-corp/campaigns/{number}");
    let detail = app.get(&path).await.text().await.unwrap();
    assert!(detail.contains("Created outside campaigns-admin: GitHub shares only its counts"));
    let alerts = app.get(&format!("{path}/alerts")).await;
    assert_eq!(alerts.status(), 200);
    let alerts = alerts.text().await.unwrap();
    assert!(alerts.contains("Created outside campaigns-admin"));
    assert!(
        alerts.contains("class=\"progress\""),
        "its counts are shown"
    );
    assert!(rows(&alerts, "table.alerts tbody tr").is_empty());
    let file = app.get(&format!("{path}/alerts.csv")).await;
    assert_eq!(file.status(), 403);
    assert!(file
        .text()
        .await
        .unwrap()
        .contains("created outside campaigns-admin"));
}

#[tokio::test]
async fn a_repeat_view_of_the_alerts_costs_no_rate_limit() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    let path = "/orgs/acme-corp/campaigns/1/alerts";
    assert_eq!(app.get(path).await.status(), 200);
    let token = app.emulator.tokens_of("mona").pop().unwrap();
    let first = app.emulator.rate_limit_used(&token);
    let requests = app.emulator.requests().len();
    assert_eq!(app.get(path).await.status(), 200);
    assert!(
        app.emulator.requests().len() > requests,
        "the repeat view asks GitHub again"
    );
    assert_eq!(
        app.emulator.rate_limit_used(&token),
        first,
        "every answer was 304"
    );
    // Until something changes on GitHub: then it costs again, and shows the change.
    let res = app.get(&format!("{path}.json")).await;
    let status = res.status();
    let text = res.text().await.unwrap();
    let fixed = serde_json::from_str::<Vec<serde_json::Value>>(&text)
        .unwrap_or_else(|e| panic!("{status}: {e}: {text}"))
        .into_iter()
        .find(|a| a["state"] == "open")
        .unwrap();
    let repo = fixed["repository"]
        .as_str()
        .unwrap()
        .split_once('/')
        .unwrap()
        .1;
    let n = fixed["number"].as_i64().unwrap();
    assert!(app
        .emulator
        .set_alert_state("acme-corp", repo, n, "fixed", None));
    let before = app.emulator.rate_limit_used(&token);
    let html = app
        .get(&format!("{path}?state=fixed"))
        .await
        .text()
        .await
        .unwrap();
    assert!(app.emulator.rate_limit_used(&token) > before);
    assert!(rows(&html, "table.alerts tbody tr")
        .iter()
        .any(|r| r.contains(&format!("{repo} #{n}"))));
}

#[tokio::test]
async fn counts_are_kept_at_most_hourly_and_drawn_as_a_burndown() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    let hour = Utc::now().timestamp().div_euclid(3600);
    let this_hour = format!(
        "SELECT COUNT(*) FROM campaign_snapshots WHERE org = 'acme-corp' AND campaign_number = 1 AND hour = {hour}"
    );
    // Demo mode's seeded history stops before this hour.
    assert_eq!(count(&app, &this_hour).await, 0);
    let detail = app
        .get("/orgs/acme-corp/campaigns/1")
        .await
        .text()
        .await
        .unwrap();
    // Kept off the answer's path: wait for it.
    for _ in 0..50 {
        if count(&app, &this_hour).await == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    app.get("/orgs/acme-corp/campaigns/1").await;
    app.get("/orgs/acme-corp/campaigns").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(count(&app, &this_hour).await, 1);
    // Demo mode seeded weeks of history: the chart has a line and says how it is going.
    let all =
        "SELECT COUNT(*) FROM campaign_snapshots WHERE org = 'acme-corp' AND campaign_number = 1";
    assert!(count(&app, all).await > 7);
    let doc = Html::parse_document(&detail);
    let line = Selector::parse("svg.burndown-chart polyline.remaining").unwrap();
    let points = doc.select(&line).next().expect("a burndown line");
    assert!(points.value().attr("points").unwrap().split(' ').count() > 7);
    let summary = rows(&detail, "#burndown-summary").join("");
    assert!(
        summary.starts_with("Alerts not yet closed went from"),
        "{summary}"
    );
    assert!(
        summary.ends_with("on track.") || summary.ends_with("behind."),
        "{summary}"
    );
}

#[tokio::test]
async fn the_campaign_list_downloads_with_counts_and_formulas_made_text() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    let batch = open_alerts(&app, "acme-corp").await;
    let key = format!("{}:{}", batch.alerts[0].repo_id, batch.alerts[0].number);
    let formula = "=HYPERLINK(\"https://evil.example\",\"click\")";
    create(&app, "acme-corp", formula, &[key]).await;

    let csv = app.get("/orgs/acme-corp/campaigns.csv").await;
    assert_eq!(csv.status(), 200);
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let today = Utc::now().format("%Y-%m-%d").to_string();
    assert_eq!(
        csv.headers()["content-disposition"],
        format!("attachment; filename=\"acme-corp-campaigns-{today}.csv\"").as_str()
    );
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "number,name,state,due_status,ends_at,created_at,closed_at,managers,team_managers,open_alerts,in_progress_alerts,closed_alerts,url");
    // Five seeded campaigns in acme-corp, and the new one.
    assert_eq!(lines.len(), 7, "{text}");
    assert!(text.contains("\"'=HYPERLINK(\"\"https://evil.example\"\",\"\"click\"\")\""));
    assert!(!lines
        .iter()
        .any(|l| l.starts_with("\"=") || l.contains(",\"=")));
    assert!(text.contains("\"Overdue\""));

    let json = app.get("/orgs/acme-corp/campaigns.json?state=open").await;
    let list: Vec<serde_json::Value> = json.json().await.unwrap();
    assert!(list.iter().all(|c| c["state"] == "open"));
    assert!(
        list.iter().any(|c| c["name"] == formula),
        "JSON keeps the value as it is"
    );
    assert!(list.iter().all(|c| c["open_alerts"].is_i64()));

    let refused = app
        .get("/orgs/acme-corp/campaigns.csv?state=sometimes")
        .await;
    assert_eq!(refused.status(), 422);
    app.get("/auth/logout").await;
    let signed_out = spawn_app().await.get("/orgs/acme-corp/campaigns.csv").await;
    assert_ne!(signed_out.status(), 200);
}

/// A download still being written when the request limit runs out is cut short, so that the
/// browser sees it incomplete (the limit ends a request only until its answer starts).
#[tokio::test]
async fn a_download_still_being_written_at_the_request_limit_is_cut_short() {
    let app = spawn_app_with(&[("CAMPAIGNS_LIMITS_REQUEST_TIMEOUT_SECS", "1")]).await;
    app.sign_in("mona").await;
    let batch = open_alerts(&app, "acme-corp").await;
    let key = format!("{}:{}", batch.alerts[0].repo_id, batch.alerts[0].number);
    let number = create(&app, "acme-corp", "Slow download", &[key]).await;
    // Each repository's alerts now take longer than the whole request may.
    app.emulator.add_fault(FaultRule {
        path_prefix: Some("/repos/".into()),
        latency_ms: 2_500,
        ..Default::default()
    });
    let res = app
        .get(&format!("/orgs/acme-corp/campaigns/{number}/alerts.csv"))
        .await;
    assert_eq!(res.status(), 200, "the file started");
    assert!(
        res.text().await.is_err(),
        "the body ends without finishing, so the download shows as failed"
    );
}

#[tokio::test]
async fn a_repositorys_later_pages_are_read_at_once_after_its_first() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    let (status, body) = call(
        &app,
        "alerts/load",
        &[("org", "acme-corp"), ("from_page", "1"), ("pages", "20")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let batch: AlertBatch = serde_json::from_str(&body).unwrap();
    // An alert far down its repository's list, and one of the first of the same repository.
    let far = batch.alerts.iter().max_by_key(|a| a.number).unwrap();
    assert!(
        far.number > 200,
        "the seed has a repository of three pages or more"
    );
    let near = (batch.alerts.iter())
        .filter(|a| a.repo_id == far.repo_id)
        .min_by_key(|a| a.number)
        .unwrap();
    let keys = [far, near].map(|a| format!("{}:{}", a.repo_id, a.number));
    let number = create(&app, "acme-corp", "Deep pages", &keys).await;

    app.emulator.clear_requests();
    let path = format!("/orgs/acme-corp/campaigns/{number}/alerts");
    let html = app.ok_page(&path).await;
    let shown = rows(&html, "table.alerts tbody tr");
    assert_eq!(shown.len(), 2, "{shown:?}");
    assert!(
        shown.iter().all(|r| r.contains("open")),
        "live states: {shown:?}"
    );

    let repo = far
        .repo
        .split_once('/')
        .map_or(far.repo.as_str(), |(_, n)| n);
    let pages: Vec<u32> = (app.emulator.requests().into_iter())
        .filter(|r| r.path == format!("/repos/acme-corp/{repo}/code-scanning/alerts"))
        .map(|r| {
            url::form_urlencoded::parse(r.query.as_bytes())
                .find(|(k, _)| k == "page")
                .and_then(|(_, v)| v.parse().ok())
                .expect("each read names its page")
        })
        .collect();
    let holding = ((far.number - 1) / 100 + 1) as u32;
    assert_eq!(
        pages.first(),
        Some(&1),
        "page 1 first, for its links: {pages:?}"
    );
    let mut rest = pages[1..].to_vec();
    rest.sort();
    assert_eq!(
        rest,
        (2..=holding).collect::<Vec<_>>(),
        "then every page up to the alert's, once"
    );
}
