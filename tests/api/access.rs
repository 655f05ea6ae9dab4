//! Who may read and change the app's own records of an org: its owners and security managers, as
//! for GitHub's campaigns. One audit log per org whatever the letter case, no entry for a change
//! GitHub refused, drafts whose publish is tied to the version read and whose selection exists,
//! and the costly views within their budgets.

use crate::campaign_alerts::count;
use crate::campaign_create::{call, call_ok, creates_sent, due, load_pages};
use crate::helpers::{slack_channel_form, spawn_app, TestApp};
use crate::postgres::fresh_database;

async fn set_state(app: &TestApp, org: &str, number: &str, state: &str) -> u16 {
    let body = format!("org={org}&number={number}&state={state}");
    app.post("/api/campaigns/set_state", &body)
        .await
        .status()
        .as_u16()
}

/// The org's audit log as its CSV file, one line a row after the header.
async fn audit_lines(app: &TestApp, org: &str) -> Vec<String> {
    let (status, csv) = app.page(&format!("/orgs/{org}/audit.csv")).await;
    assert_eq!(status, 200, "{csv}");
    csv.lines().skip(1).map(str::to_owned).collect()
}

/// globex as hubot (its owner) keeps it: a draft, a template, and an audit entry for campaign 1.
/// Then mona (a member of globex without a role) and octocat (not in globex) try every address
/// and server function of globex's records and campaigns: a 403 or a 404 each time, with
/// nothing of globex in it, and nothing changed.
#[tokio::test]
async fn in_an_org_where_they_have_no_role_people_see_and_change_nothing_of_its_records() {
    let app = spawn_app().await;
    app.sign_in("hubot").await;
    let (status, body) = call(
        &app,
        "drafts/save",
        &[("org", "globex"), ("name", "Globex secret draft")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let id = body.trim().to_owned();
    let (status, body) = call(
        &app,
        "templates/save",
        &[("org", "globex"), ("label", "Globex secret template")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let template: serde_json::Value = serde_json::from_str(&body).unwrap();
    let template_id = template["id"].to_string();
    let (status, body) = call(&app, "campaigns/get", &[("org", "globex"), ("number", "1")]).await;
    assert_eq!(status, 200, "{body}");
    let campaign: serde_json::Value = serde_json::from_str(&body).unwrap();
    let campaign_name = campaign["name"].as_str().unwrap().to_owned();
    assert_eq!(set_state(&app, "globex", "1", "closed").await, 200);
    assert_eq!(set_state(&app, "globex", "1", "open").await, 200);
    // A digest channel of globex: its webhook's host and tail show as its hint.
    let hook = "http://127.0.0.1:9/services/T/B/globex-webhook-secret";
    let res = app
        .post(
            "/api/digests/subscribe",
            &slack_channel_form("globex", hook),
        )
        .await;
    assert_eq!(res.status(), 200);
    let channel = res.text().await.unwrap().trim().to_owned();
    let log_before = audit_lines(&app, "globex").await;
    assert_eq!(log_before.len(), 2);
    let secrets = [
        "Globex secret draft",
        "Globex secret template",
        &campaign_name,
        // globex's App installation, on its settings page.
        "71000002",
        // globex's digest channel, as its hint, and its scheduled runs.
        "127.0.0.1:9/",
        "Weekly digest on",
    ];

    for login in ["mona", "octocat"] {
        app.sign_in(login).await;
        let addresses = [
            "/orgs/globex".to_owned(),
            "/orgs/globex/campaigns".to_owned(),
            "/orgs/globex/audit".to_owned(),
            "/orgs/globex/audit.csv".to_owned(),
            "/orgs/globex/settings".to_owned(),
            "/orgs/globex/digests".to_owned(),
            format!("/orgs/globex/digests?preview={channel}"),
            format!("/orgs/globex/drafts/{id}"),
            "/orgs/globex/campaigns/1".to_owned(),
            "/orgs/globex/campaigns/1/alerts".to_owned(),
            "/orgs/globex/campaigns.csv".to_owned(),
            "/orgs/globex/campaigns.json".to_owned(),
            "/orgs/globex/campaigns/1/alerts.csv".to_owned(),
            "/orgs/globex/campaigns/1/alerts.json".to_owned(),
        ];
        for path in &addresses {
            let (status, body) = app.page(path).await;
            assert!(
                status == 403 || status == 404,
                "{login} {path}: {status} {body}"
            );
            for secret in secrets {
                assert!(!body.contains(secret), "{login} {path} shows {secret}");
            }
        }
        if login == "mona" {
            // A member is told which role it takes; to anyone else GitHub hides the org.
            let (status, overview) = app.page("/orgs/globex").await;
            assert_eq!(status, 403);
            assert!(
                overview.contains("owner or security manager of globex"),
                "{overview}"
            );
        }
        let functions: [(&str, Vec<(&str, &str)>); 25] = [
            ("drafts/list", vec![]),
            ("drafts/get", vec![("id", &id)]),
            ("drafts/comment", vec![("id", &id), ("body", "let me in")]),
            ("drafts/publish", vec![("id", &id), ("revision", "1")]),
            ("drafts/discard", vec![("id", &id)]),
            ("drafts/save", vec![("name", "Sneaky")]),
            ("templates/list", vec![]),
            ("templates/save", vec![("label", "Sneaky")]),
            ("templates/remove", vec![("id", &template_id)]),
            ("audit/list", vec![]),
            ("orgs/overview", vec![]),
            ("orgs/background", vec![]),
            ("digests/load", vec![]),
            ("digests/preview", vec![("id", &channel)]),
            ("digests/test", vec![("id", &channel)]),
            ("digests/remove", vec![("id", &channel)]),
            (
                "digests/subscribe",
                vec![
                    ("kind", "slack"),
                    ("target", "http://127.0.0.1:9/services/T/B/sneaky"),
                    ("weekly", "on"),
                    ("weekday", "0"),
                    ("hour", "9"),
                    ("time_zone", "UTC"),
                ],
            ),
            ("campaigns/detail", vec![("number", "1")]),
            ("campaigns/alerts", vec![("number", "1")]),
            ("campaigns/get", vec![("number", "1")]),
            ("campaigns/manager_choices", vec![]),
            ("campaigns/new_context", vec![]),
            ("campaigns/delete", vec![("number", "1")]),
            ("alerts/load", vec![("from_page", "1"), ("pages", "1")]),
            ("alerts/search", vec![("filter[q]", "")]),
        ];
        for (f, extra) in functions {
            let mut pairs = vec![("org", "globex")];
            pairs.extend(extra);
            let (status, body) = call(&app, f, &pairs).await;
            assert!(
                status == 403 || status == 404,
                "{login} {f}: {status} {body}"
            );
            for secret in secrets {
                assert!(!body.contains(secret), "{login} {f} shows {secret}");
            }
        }
        // A change GitHub refuses leaves the org's log as it was.
        let refused = set_state(&app, "globex", "1", "closed").await;
        assert!(refused == 403 || refused == 404, "{login}: {refused}");
    }

    // hubot keeps full use, and finds everything as it was.
    app.sign_in("hubot").await;
    let (status, draft) = app.page(&format!("/orgs/globex/drafts/{id}")).await;
    assert_eq!(status, 200);
    assert!(draft.contains("Globex secret draft") && draft.contains("No comments yet."));
    let body = call_ok(&app, "templates/list", &[("org", "globex")]).await;
    assert!(body.contains("Globex secret template"));
    // The channel is still there, alone, and nothing was sent to it.
    let body = call_ok(&app, "digests/load", &[("org", "globex")]).await;
    let digests: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(digests["channels"].as_array().unwrap().len(), 1, "{body}");
    assert_eq!(digests["deliveries"].as_array().unwrap().len(), 0, "{body}");
    assert_eq!(
        audit_lines(&app, "globex").await,
        log_before,
        "no row added"
    );
    for path in [
        "/orgs/globex",
        "/orgs/globex/settings",
        "/orgs/globex/digests",
        "/orgs/globex/audit",
        "/orgs/globex/campaigns/1/alerts",
    ] {
        assert_eq!(app.page(path).await.0, 200, "{path}");
    }
}

/// A member of the org without a role (octocat in acme-corp) is refused the org's records too,
/// not only outsiders; an owner and a security manager read them.
#[tokio::test]
async fn a_plain_member_is_refused_the_orgs_records_an_owner_and_a_security_manager_are_not() {
    let app = spawn_app().await;
    for (login, expected) in [("octocat", 403), ("mona", 200), ("hubot", 200)] {
        app.sign_in(login).await;
        for path in [
            "/orgs/acme-corp/audit",
            "/orgs/acme-corp/audit.csv",
            "/orgs/acme-corp",
        ] {
            assert_eq!(app.page(path).await.0, expected, "{login} {path}");
        }
        let (status, _) = call(&app, "templates/list", &[("org", "acme-corp")]).await;
        assert_eq!(status, expected, "{login} templates");
        let (status, _) = call(&app, "drafts/list", &[("org", "acme-corp")]).await;
        assert_eq!(status, expected, "{login} drafts");
    }
}

/// The org typed in capitals reaches the same campaign on GitHub and the same audit log here.
#[tokio::test]
async fn a_change_sent_with_the_org_in_capitals_lands_in_the_orgs_one_audit_log() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    assert_eq!(set_state(&app, "ACME-CORP", "1", "closed").await, 200);
    assert_eq!(set_state(&app, "Acme-Corp", "1", "open").await, 200);
    let lines = audit_lines(&app, "acme-corp").await;
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(audit_lines(&app, "ACME-CORP").await, lines, "one log");
}

/// octocat (not in globex) tries a close and a create there: GitHub refuses both, and neither
/// the audit log nor the campaign records gain a row.
async fn a_refused_change_by_an_outsider_leaves_no_trace_on(app: TestApp) {
    app.sign_in("hubot").await;
    let before = audit_lines(&app, "globex").await;
    let records_before = records(&app).await;
    app.sign_in("octocat").await;
    let refused = set_state(&app, "globex", "1", "closed").await;
    assert!(refused == 403 || refused == 404, "{refused}");
    let (due, alerts) = (due(), "620000000:1".to_owned());
    let (status, body) = call(
        &app,
        "campaigns/create",
        &[
            ("org", "globex"),
            ("name", "Outsider's campaign"),
            ("description", "x"),
            ("ends_at", &due),
            ("tz_offset", "0"),
            ("alerts", &alerts),
        ],
    )
    .await;
    assert!(status == 403 || status == 404, "{status} {body}");
    app.sign_in("hubot").await;
    assert_eq!(audit_lines(&app, "globex").await, before);
    assert_eq!(
        records(&app).await,
        records_before,
        "no alert set kept for a refused create"
    );
}

async fn records(app: &TestApp) -> i64 {
    count(app, "SELECT COUNT(*) FROM campaign_records").await
}

#[tokio::test]
async fn a_refused_change_by_an_outsider_leaves_no_trace_on_sqlite() {
    a_refused_change_by_an_outsider_leaves_no_trace_on(spawn_app().await).await;
}

#[tokio::test]
async fn a_refused_change_by_an_outsider_leaves_no_trace_on_postgres() {
    let url = fresh_database().await;
    let app = crate::helpers::spawn_app_with(&[("CAMPAIGNS_DATABASE_URL", url.as_str())]).await;
    a_refused_change_by_an_outsider_leaves_no_trace_on(app).await;
}

/// The revision on the publish form: a draft changed after the reviewer read it is refused, in
/// words naming who changed it and when; the version read now publishes.
#[tokio::test]
async fn publishing_a_draft_changed_since_it_was_read_is_refused_naming_who_changed_it() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    let picked = load_pages(&app, "acme-corp", 1, 1).await;
    let key = format!("{}:{}", picked.alerts[0].repo_id, picked.alerts[0].number);
    let due = due();
    let form = |name: &'static str| {
        vec![
            ("org", "acme-corp"),
            ("name", name),
            ("description", "Reviewed."),
            ("ends_at", due.as_str()),
            ("tz_offset", "0"),
            ("alerts", key.as_str()),
        ]
    };
    let (status, body) = call(&app, "drafts/save", &form("Version one")).await;
    assert_eq!(status, 200, "{body}");
    let id = body.trim().to_owned();
    let link = format!("/orgs/acme-corp/drafts/{id}");
    let read = app.ok_page(&link).await;
    assert!(read.contains("name=\"revision\" value=\"1\""), "{read}");

    // hubot changes it after mona read it.
    app.sign_in("hubot").await;
    let mut changed = form("Version two");
    changed.push(("draft", id.as_str()));
    let (status, _) = call(&app, "drafts/save", &changed).await;
    assert_eq!(status, 200);

    app.sign_in("mona").await;
    let publish = |revision: &'static str| {
        [
            ("org", "acme-corp"),
            ("id", id.as_str()),
            ("revision", revision),
        ]
    };
    let (status, body) = call(&app, "drafts/publish", &publish("1")).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("hubot changed this draft at"), "{body}");
    assert_eq!(creates_sent(&app), 0, "nothing published");
    let read = app.ok_page(&link).await;
    assert!(read.contains("name=\"revision\" value=\"2\""));
    let (status, body) = call(&app, "drafts/publish", &publish("2")).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Version two"));
    assert_eq!(creates_sent(&app), 1);
}

/// A draft's selection must name alerts the org has: a made-up number or repository is refused
/// at save, next to the selection. A draft page then reads the org's closed alerts, not every
/// repository of the selection: a draft over all thirty repositories costs one request.
#[tokio::test]
async fn a_draft_holds_only_alerts_that_exist_and_its_page_reads_within_a_budget() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    let batch = load_pages(&app, "acme-corp", 1, 10).await;
    let real = &batch.alerts[0];
    let due = due();
    for (bad, named) in [
        (
            format!("{}:{}", real.repo_id, i64::MAX),
            format!("#{}", i64::MAX),
        ),
        ("1:1".to_owned(), "repository 1#1".to_owned()),
    ] {
        let (status, body) = call(
            &app,
            "drafts/save",
            &[
                ("org", "acme-corp"),
                ("name", "Crafted"),
                ("ends_at", due.as_str()),
                ("alerts", bad.as_str()),
            ],
        )
        .await;
        assert_eq!(status, 422, "{bad}: {body}");
        assert!(
            body.contains("\"alerts\"") && body.contains(&named),
            "{body}"
        );
    }

    // One alert of every repository the first pages hold.
    let mut keys: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for a in &batch.alerts {
        if seen.insert(a.repo_id) {
            keys.push(format!("{}:{}", a.repo_id, a.number));
        }
    }
    assert!(
        seen.len() > 20,
        "the selection spans {} repositories",
        seen.len()
    );
    let joined = keys.join(" ");
    let (status, body) = call(
        &app,
        "drafts/save",
        &[
            ("org", "acme-corp"),
            ("name", "Everywhere"),
            ("ends_at", due.as_str()),
            ("alerts", joined.as_str()),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let link = format!("/orgs/acme-corp/drafts/{}", body.trim());
    app.emulator.clear_requests();
    let (status, html) = app.page(&link).await;
    assert_eq!(status, 200);
    assert!(html.contains("Every chosen alert is still open."), "{html}");
    let reads: Vec<String> = app
        .emulator
        .requests()
        .iter()
        .filter(|r| r.path.contains("code-scanning") || r.path.contains("/repos"))
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(reads.len(), 1, "{reads:?}");
}

/// The alerts page reads a campaign's recorded alerts at the same time as GitHub's answer only
/// for someone GitHub has just said manages the org: anyone else's view of the address reads
/// nothing of the record, and asks GitHub nothing about its repositories.
#[tokio::test]
async fn a_campaigns_recorded_alerts_are_read_for_nobody_before_github_says_they_may_see_it() {
    let app = spawn_app().await;
    let path = "/orgs/acme-corp/campaigns/1/alerts";
    let repository_reads = |app: &TestApp| {
        (app.emulator.requests().into_iter())
            .filter(|r| r.path.starts_with("/repos/"))
            .count()
    };
    app.sign_in("octocat").await;
    app.emulator.clear_requests();
    let (status, page) = app.page(path).await;
    assert_eq!(status, 404, "{page}");
    assert_eq!(
        repository_reads(&app),
        0,
        "no repository of the record was read"
    );

    // The org's security manager sees it, first view and the next (GitHub's answer remembered).
    app.sign_in("mona").await;
    for _ in 0..2 {
        app.emulator.clear_requests();
        let html = app.ok_page(path).await;
        assert!(html.contains("Created in campaigns-admin by"), "{html}");
        assert!(repository_reads(&app) > 0);
    }
}
