//! Creating a campaign through the server functions: alert loading, validation, grouping by
//! repository, GitHub's 422 mapped to fields, the limits, and no duplicate on failure.

use crate::helpers::{spawn_app, TestApp};
use campaigns_admin::domain::alert::{AlertBatch, AlertRow};
use campaigns_admin::emulator::FaultRule;
use campaigns_admin::error::AppError;
use chrono::{Duration, Utc};

async fn call(app: &TestApp, f: &str, pairs: &[(&str, &str)]) -> (u16, String) {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    let res = app.post(&format!("/api/{f}"), &body).await;
    (res.status().as_u16(), res.text().await.unwrap())
}

/// One `alerts/load` call: `pages` pages from `from`.
async fn load_pages(app: &TestApp, from: u32, pages: u32) -> AlertBatch {
    let (from, pages) = (from.to_string(), pages.to_string());
    let (status, body) = call(
        app,
        "alerts/load",
        &[
            ("org", "acme-corp"),
            ("from_page", &from),
            ("pages", &pages),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

async fn load_all(app: &TestApp) -> AlertBatch {
    let mut first = load_pages(app, 1, 1).await;
    let last = first
        .last_page
        .expect("GitHub's Link header names the last page");
    let mut from = 2;
    while from <= last {
        let batch = load_pages(app, from, 20.min(last + 1 - from)).await;
        first.alerts.extend(batch.alerts);
        from += 20;
    }
    first
}

fn due() -> String {
    (Utc::now() + Duration::days(30))
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

fn create_form<'a>(name: &'a str, due: &'a str, alerts: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("org", "acme-corp"),
        ("name", name),
        ("description", "Fix the injection alerts in the storefront."),
        ("ends_at", due),
        ("tz_offset", "-120"),
        ("manager", "mona"),
        ("team_managers[0]", "appsec"),
        ("contact_link", "https://chat.example.com/appsec"),
        ("generate_issues", "on"),
        ("alerts", alerts),
    ]
}

async fn open_campaigns(app: &TestApp) -> usize {
    let (_, body) = call(app, "campaigns/new_context", &[("org", "acme-corp")]).await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    v["open_campaigns"].as_u64().unwrap() as usize
}

#[tokio::test]
async fn the_server_rendered_list_reads_every_page_once_and_counts_the_matches() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    let loaded = load_all(&app).await;
    let search = |pairs: Vec<(&'static str, &'static str)>| {
        let app = &app;
        async move {
            let mut form = vec![("org", "acme-corp")];
            form.extend(pairs);
            let (status, body) = call(app, "alerts/search", &form).await;
            assert_eq!(status, 200, "{body}");
            serde_json::from_str::<(Vec<AlertRow>, usize)>(&body).unwrap()
        }
    };
    let (rows, total) = search(vec![("filter[q]", "")]).await;
    assert_eq!(total, loaded.alerts.len(), "every page, each alert once");
    assert_eq!(rows.len(), 200, "the first 200 are listed");

    let (rows, total) = search(vec![
        ("filter[repo]", "web-storefront"),
        ("filter[rule]", "js/sql-injection"),
    ])
    .await;
    let expected = loaded
        .alerts
        .iter()
        .filter(|a| a.repo == "web-storefront" && a.rule_id == "js/sql-injection")
        .count();
    assert!(expected > 0, "the seed has such alerts");
    assert_eq!(total, expected);
    assert!(rows
        .iter()
        .all(|a| a.repo == "web-storefront" && a.rule_id == "js/sql-injection"));
}

#[tokio::test]
async fn all_open_alerts_load_in_batches_with_what_the_picker_filters_on() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    let batch = load_all(&app).await;
    assert_eq!(batch.last_page, Some(24));
    assert!(batch.more, "the first page links a next one");
    assert_eq!(batch.alerts.len(), 2_400);
    let tail = load_pages(&app, 23, 5).await;
    assert_eq!(
        tail.alerts.len(),
        200,
        "pages 23 and 24, then an empty page ends the call"
    );
    assert!(!tail.more, "an empty page ends the list");
    // Page 24 is the last and full: without a `last` link a full page may have a next one, so
    // the picker asks once more and stops at the empty page.
    let last = load_pages(&app, 24, 1).await;
    assert_eq!(last.alerts.len(), 100);
    assert!(last.more);
    let a = &batch.alerts[0];
    assert!(
        !a.repo.is_empty()
            && !a.rule_id.is_empty()
            && !a.tool.is_empty()
            && !a.path.is_empty()
            && a.line > 0
    );
    assert!(batch
        .alerts
        .iter()
        .any(|a| a.cwes.iter().any(|c| c == "CWE-89")));
    assert!(batch.alerts.iter().any(|a| a.severity == "critical"));
}

#[tokio::test]
async fn create_groups_the_selection_by_repository_and_lands_on_the_new_campaign() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    let batch = load_all(&app).await;
    let picked: Vec<String> = batch
        .alerts
        .iter()
        .take(300)
        .map(|a| format!("{}:{}", a.repo_id, a.number))
        .collect();
    let repos: std::collections::HashSet<i64> =
        batch.alerts.iter().take(300).map(|a| a.repo_id).collect();
    let due = due();
    let joined = picked.join(" ");
    let (status, body) = call(
        &app,
        "campaigns/create",
        &create_form("Storefront injection", &due, &joined),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let created: serde_json::Value = serde_json::from_str(&body).unwrap();
    let total = created["progress"]["open"].as_i64().unwrap()
        + created["progress"]["in_progress"].as_i64().unwrap()
        + created["progress"]["closed"].as_i64().unwrap();
    assert_eq!(total, 300);
    let number = created["number"].as_i64().unwrap();
    // The request GitHub got had one entry per repository.
    let log = app.emulator.requests();
    assert_eq!(
        log.iter()
            .filter(|r| r.method == "POST" && r.path == "/orgs/acme-corp/campaigns")
            .count(),
        1
    );
    assert!(repos.len() > 1);
    let page = app
        .get(&format!("/orgs/acme-corp/campaigns/{number}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Storefront injection"));
    assert!(page.contains("@AppSec") || page.contains("AppSec"));
}

#[tokio::test]
async fn invalid_fields_come_back_by_field_and_nothing_is_created() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    let before = open_campaigns(&app).await;
    let long = "n".repeat(51);
    let (status, body) = call(
        &app,
        "campaigns/create",
        &create_form(&long, "2001-01-01T00:00", ""),
    )
    .await;
    assert_eq!(status, 422);
    let err: AppError = serde_json::from_str(&body).unwrap();
    assert!(err.field_message("name").unwrap().contains("at most 50"));
    assert!(err.field_message("ends_at").unwrap().contains("future"));
    assert!(err
        .field_message("alerts")
        .unwrap()
        .contains("at least one"));
    let too_many: Vec<String> = (1..=1001).map(|n| format!("610000003:{n}")).collect();
    let joined = too_many.join(" ");
    let due = due();
    let (status, body) = call(
        &app,
        "campaigns/create",
        &create_form("Too many", &due, &joined),
    )
    .await;
    assert_eq!(status, 422);
    let err: AppError = serde_json::from_str(&body).unwrap();
    assert!(err
        .field_message("alerts")
        .unwrap()
        .contains("at most 1000"));
    assert_eq!(open_campaigns(&app).await, before);
}

#[tokio::test]
async fn githubs_422_for_unknown_alerts_lands_on_the_alerts_field() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    let due = due();
    let (status, body) = call(
        &app,
        "campaigns/create",
        &create_form("Ghost alerts", &due, "610000003:999999"),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let err: AppError = serde_json::from_str(&body).unwrap();
    assert!(
        err.field_message("alerts").unwrap().contains("not found"),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_eleventh_open_campaign_is_refused_with_githubs_reason() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    let batch = load_all(&app).await;
    let one = format!("{}:{}", batch.alerts[0].repo_id, batch.alerts[0].number);
    let due = due();
    for i in open_campaigns(&app).await..10 {
        let name = format!("Filler {i}");
        let (status, _) = call(&app, "campaigns/create", &create_form(&name, &due, &one)).await;
        assert_eq!(status, 200);
    }
    assert_eq!(open_campaigns(&app).await, 10);
    let (status, body) = call(
        &app,
        "campaigns/create",
        &create_form("Eleventh", &due, &one),
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("10 open campaigns"), "{body}");
}

#[tokio::test]
async fn a_failed_create_is_not_retried_and_creates_nothing() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    let before = open_campaigns(&app).await;
    app.emulator
        .add_fault(FaultRule::status_once("/orgs/acme-corp/campaigns", 502).for_method("POST"));
    let due = due();
    let batch = load_all(&app).await;
    let one = format!("{}:{}", batch.alerts[0].repo_id, batch.alerts[0].number);
    let (status, body) = call(&app, "campaigns/create", &create_form("Flaky", &due, &one)).await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("git_hub_unavailable"), "{body}");
    let posts = app
        .emulator
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/orgs/acme-corp/campaigns")
        .count();
    assert_eq!(posts, 1, "the server never retries a POST");
    assert_eq!(open_campaigns(&app).await, before);
}

/// The first alert of the server-rendered list, `repo_id:number`.
fn first_listed(page: &str) -> String {
    page.split("name=\"picked[0]\" value=\"")
        .nth(1)
        .expect("the list has a first alert")
        .split('"')
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn the_server_rendered_list_filters_on_the_server_and_its_ticks_create_a_campaign() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    let page = app
        .get("/orgs/acme-corp/campaigns/new?picker=server&repo=web-storefront&cwe=CWE-89")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("alerts match; the first"),
        "the list is rendered on the server"
    );
    assert!(page.contains("name=\"picked[0]\""));
    let first = first_listed(&page);
    let due = due();
    let mut form = create_form("Ticked on the server", &due, "");
    form.push(("picked[0]", &first));
    let (status, body) = call(&app, "campaigns/create", &form).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn a_failed_create_without_javascript_comes_back_filled_in_with_the_messages() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    let list = "/orgs/acme-corp/campaigns/new?picker=server&repo=web-storefront";
    let page = app.get(list).await.text().await.unwrap();
    let first = first_listed(&page);
    let mut form = create_form("Kept after a failure", "2001-01-01T09:00", "");
    form.push(("picked[0]", &first));
    // An alert chosen under other filters, not in this list: it must be kept too.
    form.push(("picked[1]", "999999:1"));
    // Back to the form with its filters, and no error in the address.
    let page = app
        .failed_post_without_js("/api/campaigns/create", &form, list)
        .await;
    assert!(
        page.contains("id=\"ends_at-error\""),
        "the due date message is next to its field"
    );
    assert!(page.contains("must be in the future"));
    assert!(
        page.contains("value=\"Kept after a failure\""),
        "the name is kept"
    );
    assert!(
        page.contains("Fix the injection alerts in the storefront."),
        "the description is kept"
    );
    assert!(
        page.contains("value=\"https://chat.example.com/appsec\""),
        "the contact link is kept"
    );
    assert!(
        page.contains(&format!("value=\"{first}\" checked")),
        "the ticked alert is ticked again"
    );
    assert!(
        page.contains("value=\"999999:1\""),
        "an alert not listed stays chosen"
    );
    assert!(
        page.contains("name=\"generate_issues\" value=\"on\" checked"),
        "the tracking-issue box stays ticked"
    );

    // Given out once: the next view (a reload) is a fresh form.
    let again = app.get(list).await.text().await.unwrap();
    assert!(!again.contains("Kept after a failure"));
    assert!(!again.contains("id=\"ends_at-error\""));
    // And a failed fetch from the JavaScript form keeps nothing for later.
    let (status, _) = call(&app, "campaigns/create", &form).await;
    assert_eq!(status, 422);
    let fresh = app.get(list).await.text().await.unwrap();
    assert!(!fresh.contains("Kept after a failure"));
}

#[tokio::test]
async fn a_failed_create_without_javascript_goes_back_to_a_clean_form_address() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    let form = create_form("Kept after a failure", "2001-01-01T09:00", "");
    let page = "/orgs/acme-corp/campaigns/new";
    for (referer, back) in [
        // Error parameters of an earlier failure are dropped; the filters stay.
        (
            "/orgs/acme-corp/campaigns/new?repo=api&__path=%2Fapi%2Fx&__err=e30",
            "/orgs/acme-corp/campaigns/new?repo=api",
        ),
        // A post from any other page goes to the form itself.
        ("/orgs/acme-corp/campaigns?state=open", page),
        ("/orgs/other-org/campaigns/new?repo=api", page),
    ] {
        let res = app
            .post_without_js("/api/campaigns/create", &form, referer)
            .await;
        assert!(res.status().is_redirection(), "{}", res.status());
        assert_eq!(res.headers()["location"], back, "from {referer}");
        assert!(app
            .get(back)
            .await
            .text()
            .await
            .unwrap()
            .contains("must be in the future"));
    }
}
