//! Acting on a campaign's alerts from its alerts page: a preview that changes nothing, runs that
//! assign, dismiss and reopen on GitHub (each alert's answer reported, failures never counted as
//! done), the audit log, the hourly budget, the assignee filter, the page without JavaScript,
//! and the refusals. On SQLite and on PostgreSQL.

use crate::campaign_alerts::{count, create, open_alerts};
use crate::campaign_create::call;
use crate::helpers::{spawn_app, spawn_app_with, TestApp};
use crate::postgres::fresh_database;
use campaigns_admin::emulator::FaultRule;
use serde_json::Value;

/// The campaign's alerts as its JSON file lists them (with `filter`, a query string).
async fn alerts(app: &TestApp, number: i64, filter: &str) -> Vec<Value> {
    let res = app
        .get(&format!(
            "/orgs/acme-corp/campaigns/{number}/alerts.json{filter}"
        ))
        .await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

fn key(a: &Value) -> String {
    format!("{}#{}", a["repository"].as_str().unwrap(), a["number"])
}

/// A run through the server function (as the page with JavaScript sends it).
async fn run(app: &TestApp, number: i64, fields: &[(&str, &str)], keys: &[String]) -> (u16, Value) {
    let (number, keys) = (number.to_string(), keys.join(" "));
    let mut pairs = vec![("org", "acme-corp"), ("number", number.as_str())];
    pairs.extend_from_slice(fields);
    pairs.push(("alerts", &keys));
    let (status, body) = call(app, "campaigns/triage/run", &pairs).await;
    (
        status,
        serde_json::from_str(&body).unwrap_or(Value::String(body)),
    )
}

/// A preview page for `query` (the triage form's fields): its status and HTML.
async fn preview(app: &TestApp, number: i64, query: &str) -> (u16, String) {
    app.page(&format!(
        "/orgs/acme-corp/campaigns/{number}/alerts/triage?{query}"
    ))
    .await
}

fn alert_query(keys: &[String]) -> String {
    keys.iter()
        .map(|k| format!("alert={}", urlencode(k)))
        .collect::<Vec<_>>()
        .join("&")
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn triage_on(app: TestApp) {
    app.sign_in("mona").await;
    let batch = open_alerts(&app, "acme-corp").await;
    let keys: Vec<String> = (batch.alerts.iter().take(6))
        .map(|a| format!("{}:{}", a.repo_id, a.number))
        .collect();
    let number = create(&app, "acme-corp", "Triage here", &keys).await;
    let listed = alerts(&app, number, "").await;
    assert_eq!(listed.len(), 6);
    assert!(listed.iter().all(|a| a["state"] == "open"));
    let all: Vec<String> = listed.iter().map(key).collect();
    let three = all[..3].to_vec();

    // A dismissal without a reason: the form again with the message, a 422, nothing changed.
    let (status, html) = preview(
        &app,
        number,
        &format!("action=dismiss&{}", alert_query(&three)),
    )
    .await;
    assert_eq!(status, 422, "{html}");
    assert!(
        html.contains("GitHub needs a reason to dismiss an alert"),
        "{html}"
    );
    assert!(html.contains("Nothing was changed"));
    let (status, body) = run(&app, number, &[("action", "dismiss")], &three).await;
    assert_eq!(status, 422, "{body}");
    assert!(alerts(&app, number, "")
        .await
        .iter()
        .all(|a| a["state"] == "open"));

    // The preview lists what would change, and changes nothing.
    let query = format!(
        "action=dismiss&reason=false%20positive&comment=sanitised%20upstream&{}",
        alert_query(&three)
    );
    let (status, html) = preview(&app, number, &query).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Dismiss 3 alerts?"), "{html}");
    assert!(html.contains("You have 500 of your 500 alert changes an hour left."));
    assert!(alerts(&app, number, "")
        .await
        .iter()
        .all(|a| a["state"] == "open"));

    // The run: each alert's answer; GitHub and the page agree.
    let fields = [
        ("action", "dismiss"),
        ("reason", "false positive"),
        ("comment", "sanitised upstream"),
    ];
    let (status, answer) = run(&app, number, &fields, &three).await;
    assert_eq!(status, 200, "{answer}");
    let outcomes = answer["outcomes"].as_array().unwrap();
    assert_eq!(outcomes.len(), 3);
    assert!(outcomes.iter().all(|o| o["done"] == true), "{answer}");
    assert_eq!(answer["budget_left"], 497);
    let now = alerts(&app, number, "?state=dismissed").await;
    let dismissed: Vec<String> = now.iter().map(key).collect();
    assert_eq!(dismissed, three);
    assert!(now
        .iter()
        .all(|a| a["dismissed_reason"] == "false positive"));
    let log = "SELECT COUNT(*) FROM audit_log WHERE action = 'dismiss_alerts' AND actor = 'mona'";
    assert_eq!(count(&app, log).await, 1);

    // Reopen one: the others stay dismissed; dismissing again leaves the closed ones alone.
    let (status, answer) = run(&app, number, &[("action", "reopen")], &three[..1]).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(alerts(&app, number, "?state=dismissed").await.len(), 2);
    let (_, html) = preview(
        &app,
        number,
        &format!("action=reopen&{}", alert_query(&all)),
    )
    .await;
    assert!(html.contains("Reopen 2 alerts?"), "{html}");
    assert!(html.contains("4 alerts left alone"), "{html}");

    // Assign one repository's open alerts (every alert that matches a filter) to a member.
    let repo = listed[3]["repository"].as_str().unwrap().to_owned();
    let (status, html) = preview(
        &app,
        number,
        &format!(
            "action=assign&assignee=octocat&scope=matching&repo={}",
            urlencode(&repo)
        ),
    )
    .await;
    assert_eq!(status, 200, "{html}");
    let open_there = (alerts(
        &app,
        number,
        &format!("?repo={}&state=open", urlencode(&repo)),
    )
    .await)
        .iter()
        .map(key)
        .collect::<Vec<_>>();
    assert!(
        html.contains(&format!("Assign {} alert", open_there.len())),
        "{html}"
    );
    let (status, answer) = run(
        &app,
        number,
        &[("action", "assign"), ("assignee", "octocat")],
        &open_there,
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let mine = alerts(&app, number, "?assignee=octocat").await;
    assert_eq!(mine.iter().map(key).collect::<Vec<_>>(), open_there);
    assert!(mine.iter().all(|a| a["assignees"] == "octocat"));
    let nobody = alerts(&app, number, "?assignee=nobody").await;
    assert!(nobody.iter().all(|a| a["assignees"] == ""));
    assert!(nobody.iter().all(|a| !open_there.contains(&key(a))));
    let assigned_before = listed.iter().filter(|a| a["assignees"] != "").count();
    assert!(nobody.len() + open_there.len() + assigned_before >= 6);
    // "mine" is the signed-in user's: mona has none yet.
    assert!(alerts(&app, number, "?assignee=mine").await.is_empty());

    // An assignee who cannot be assigned (not a member): a message, nothing changed.
    let (status, html) = preview(
        &app,
        number,
        &format!(
            "action=assign&assignee=stranger-danger&{}",
            alert_query(&all[3..4])
        ),
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        html.contains("stranger-danger cannot be assigned"),
        "{html}"
    );
    let (status, _) = run(
        &app,
        number,
        &[("action", "assign"), ("assignee", "stranger-danger")],
        &all[3..4],
    )
    .await;
    assert_eq!(status, 422);

    // GitHub refusing one alert: reported as refused, never as done; the rest go through.
    let (refused, fine) = (&all[4], &all[5]);
    let (repo_name, n) = refused.split_once('#').unwrap();
    let path = format!("/repos/{repo_name}/code-scanning/alerts/{n}");
    app.emulator.add_fault(FaultRule {
        times: None,
        ..FaultRule::status_once(&path, 403).for_method("PATCH")
    });
    let pair = vec![refused.clone(), fine.clone()];
    let (status, answer) = run(
        &app,
        number,
        &[("action", "assign"), ("assignee", "mona")],
        &pair,
    )
    .await;
    app.emulator.clear_faults();
    assert_eq!(status, 200, "{answer}");
    let by_key = |k: &str| {
        answer["outcomes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["key"] == k)
            .cloned()
            .unwrap()
    };
    assert_eq!(by_key(refused)["done"], false);
    assert_eq!(by_key(fine)["done"], true);
    let mine = alerts(&app, number, "?assignee=mine").await;
    assert_eq!(
        mine.iter().map(key).collect::<Vec<_>>(),
        vec![fine.to_owned()]
    );
    let logged = "SELECT COUNT(*) FROM audit_log WHERE action = 'assign_alerts' AND error LIKE 'GitHub refused 1 of 2%'";
    assert_eq!(count(&app, logged).await, 1);

    // Without JavaScript: a plain post lands on the run's page, read from the audit log.
    let page = format!(
        "/orgs/acme-corp/campaigns/{number}/alerts/triage?action=reopen&{}",
        alert_query(&three)
    );
    let number_text = number.to_string();
    let joined = three.join(" ");
    let res = app
        .post_without_js(
            "/api/campaigns/triage/run",
            &[
                ("org", "acme-corp"),
                ("number", &number_text),
                ("action", "reopen"),
                ("alerts", &joined),
            ],
            &page,
        )
        .await;
    assert!(res.status().is_redirection(), "{}", res.status());
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.contains("/alerts/triage?done="), "{to}");
    let html = app.ok_page(&to).await;
    assert!(html.contains("2 alerts changed"), "{html}");
    assert!(alerts(&app, number, "?state=dismissed").await.is_empty());

    // A member without the role: refused, and the org's log keeps no row of it.
    let before = count(&app, "SELECT COUNT(*) FROM audit_log").await;
    app.sign_in("octocat").await;
    let (status, _) = run(&app, number, &[("action", "reopen")], &three).await;
    assert_eq!(status, 403);
    let (status, _) = preview(
        &app,
        number,
        &format!("action=reopen&{}", alert_query(&three)),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM audit_log").await, before);
}

#[tokio::test]
async fn triage_assigns_dismisses_and_reopens_on_sqlite() {
    triage_on(spawn_app().await).await;
}

#[tokio::test]
async fn triage_assigns_dismisses_and_reopens_on_postgres() {
    let url = fresh_database().await;
    triage_on(spawn_app_with(&[("CAMPAIGNS_DATABASE_URL", &url)]).await).await;
}

#[tokio::test]
async fn a_run_past_the_hourly_budget_changes_nothing() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    let batch = open_alerts(&app, "acme-corp").await;
    let keys: Vec<String> = (batch.alerts.iter().take(3))
        .map(|a| format!("{}:{}", a.repo_id, a.number))
        .collect();
    let number = create(&app, "acme-corp", "Budget", &keys).await;
    let all: Vec<String> = alerts(&app, number, "").await.iter().map(key).collect();
    // 499 alert changes already made this hour (in another org: the budget is the person's).
    let changes: Vec<Value> = (0..499)
        .map(|i| serde_json::json!({"field": format!("globex/x#{i}"), "before": "open", "after": "open"}))
        .collect();
    let sql = format!(
        "INSERT INTO audit_log (at, org, campaign_number, campaign_name, actor, action, changes, error) \
         VALUES ({}, 'globex', 1, 'x', 'mona', 'reopen_alerts', '{}', NULL)",
        chrono::Utc::now().timestamp(),
        Value::Array(changes)
    );
    crate::helpers::execute_sql(&app.database_url, &sql).await;
    let (status, html) = preview(
        &app,
        number,
        &format!("action=assign&assignee=mona&{}", alert_query(&all)),
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("You have 1 of your 500"), "{html}");
    assert!(html.contains("more than you have left this hour"), "{html}");
    let (status, body) = run(
        &app,
        number,
        &[("action", "assign"), ("assignee", "mona")],
        &all,
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("Nothing was changed"), "{body}");
    assert!(alerts(&app, number, "?assignee=mona").await.is_empty());
    // One still fits.
    let (status, body) = run(
        &app,
        number,
        &[("action", "assign"), ("assignee", "mona")],
        &all[..1],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["budget_left"], 0);
}
