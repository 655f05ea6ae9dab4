//! Creating a campaign through the server functions: alert loading, validation, grouping by
//! repository, GitHub's 422 mapped to fields, the limits, and no duplicate on failure.

use crate::helpers::{spawn_app, spawn_app_with, TestApp};
use campaigns_admin::domain::alert::{AlertBatch, AlertRow, AlertSearch};
use campaigns_admin::domain::url_state::UrlState;
use campaigns_admin::emulator::{FaultAction, FaultRule};
use campaigns_admin::error::AppError;
use chrono::{Duration, Utc};

/// A server function called as a form post: its status and body.
pub async fn call(app: &TestApp, f: &str, pairs: &[(&str, &str)]) -> (u16, String) {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    let res = app.post(&format!("/api/{f}"), &body).await;
    (res.status().as_u16(), res.text().await.unwrap())
}

/// A server-function call that must succeed (200): its body.
pub async fn call_ok(app: &TestApp, f: &str, pairs: &[(&str, &str)]) -> String {
    let (status, body) = call(app, f, pairs).await;
    assert_eq!(status, 200, "{f}: {body}");
    body
}

/// One `alerts/load` call: `pages` pages from `from`.
pub async fn load_pages(app: &TestApp, org: &str, from: u32, pages: u32) -> AlertBatch {
    let (from, pages) = (from.to_string(), pages.to_string());
    let (status, body) = call(
        app,
        "alerts/load",
        &[("org", org), ("from_page", &from), ("pages", &pages)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

async fn load_all(app: &TestApp, org: &str) -> AlertBatch {
    let mut first = load_pages(app, org, 1, 1).await;
    let last = first
        .last_page
        .expect("GitHub's Link header names the last page");
    let mut from = 2;
    while from <= last {
        let batch = load_pages(app, org, from, 20.min(last + 1 - from)).await;
        first.alerts.extend(batch.alerts);
        from += 20;
    }
    first
}

/// A due date 30 days ahead, as the form's field takes it.
pub fn due() -> String {
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

/// How many creates reached GitHub.
pub fn creates_sent(app: &TestApp) -> usize {
    app.emulator
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/orgs/acme-corp/campaigns")
        .count()
}

async fn open_campaigns(app: &TestApp) -> usize {
    let body = call_ok(app, "campaigns/new_context", &[("org", "acme-corp")]).await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    v["open_campaigns"].as_u64().unwrap() as usize
}

#[tokio::test]
async fn the_server_rendered_list_reads_every_page_once_and_counts_the_matches() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    let loaded = load_all(&app, "acme-corp").await;
    let search = |pairs: Vec<(&'static str, &'static str)>| {
        let app = &app;
        async move {
            let mut form = vec![("org", "acme-corp")];
            form.extend(pairs);
            let (status, body) = call(app, "alerts/search", &form).await;
            assert_eq!(status, 200, "{body}");
            let found: AlertSearch = serde_json::from_str(&body).unwrap();
            (found.rows, found.total)
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
    let batch = load_all(&app, "acme-corp").await;
    assert_eq!(batch.last_page, Some(24));
    assert!(batch.more, "the first page links a next one");
    assert_eq!(batch.alerts.len(), 2_400);
    let tail = load_pages(&app, "acme-corp", 23, 5).await;
    assert_eq!(
        tail.alerts.len(),
        200,
        "pages 23 and 24, then an empty page ends the call"
    );
    assert!(!tail.more, "an empty page ends the list");
    // Page 24 is the last and full: without a `last` link a full page may have a next one, so
    // the picker asks once more and stops at the empty page.
    let last = load_pages(&app, "acme-corp", 24, 1).await;
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
    let batch = load_all(&app, "acme-corp").await;
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
    let batch = load_all(&app, "acme-corp").await;
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
    let batch = load_all(&app, "acme-corp").await;
    let one = format!("{}:{}", batch.alerts[0].repo_id, batch.alerts[0].number);
    let (status, body) = call(&app, "campaigns/create", &create_form("Flaky", &due, &one)).await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("git_hub_unavailable"), "{body}");
    let posts = creates_sent(&app);
    assert_eq!(posts, 1, "the server never retries a POST");
    assert_eq!(open_campaigns(&app).await, before);
}

#[tokio::test]
async fn a_create_sent_again_after_its_answer_was_lost_lands_on_the_campaign_it_made() {
    let app = spawn_app_with(&[("CAMPAIGNS_GITHUB_TIMEOUT_SECS", "1")]).await;
    app.sign_in("mona").await;
    let before = open_campaigns(&app).await;
    // GitHub makes the campaign, but its answer comes after the app stopped waiting.
    app.emulator.add_fault(FaultRule {
        method: Some("POST".into()),
        path_prefix: Some("/orgs/acme-corp/campaigns".into()),
        latency_ms: 1500,
        action: Some(FaultAction::AnswerLate),
        times: Some(1),
    });
    let due = due();
    let batch = load_pages(&app, "acme-corp", 1, 1).await;
    let one = format!("{}:{}", batch.alerts[0].repo_id, batch.alerts[0].number);
    let form = create_form("Answer lost on the way", &due, &one);
    let (status, body) = call(&app, "campaigns/create", &form).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(open_campaigns(&app).await, before + 1, "GitHub made it");

    // The person sends the form again, as the message says.
    let (status, body) = call(&app, "campaigns/create", &form).await;
    assert_eq!(status, 200, "{body}");
    let landed: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(open_campaigns(&app).await, before + 1, "no second campaign");
    let posts = creates_sent(&app);
    assert_eq!(
        posts, 1,
        "the second send did not ask GitHub to create again"
    );
    let page = format!("/orgs/acme-corp/campaigns/{}", landed["number"]);
    let page = app.get(&page).await.text().await.unwrap();
    assert!(
        page.contains("Created in campaigns-admin by"),
        "its alerts were recorded and are known"
    );

    // Another campaign of another name is still created as usual.
    let form = create_form("A different one", &due, &one);
    let (status, _) = call(&app, "campaigns/create", &form).await;
    assert_eq!(status, 200);
    assert_eq!(open_campaigns(&app).await, before + 2);
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

/// #11's fifth bug: one shared link, the same alerts with and without JavaScript. For random
/// filters over the seeded alerts, written the ways people write them (any case, stray spaces,
/// `+`, commas or spaces between severities, CWEs as `cwe-089` or `89`), the server-rendered list
/// of the create page (no JavaScript) and the picker's own selection over what `alerts/load` gave
/// it (the browser) select exactly the same alerts from the same address.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_picker_and_the_server_rendered_list_select_the_same_alerts() {
    use campaigns_admin::components::alert_picker::{matching, Loaded};
    use campaigns_admin::domain::alert_filter::AlertFilter;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    use std::collections::BTreeSet;

    let app = spawn_app().await;
    // globex's 600 alerts (hubot owns it): each case renders the whole no-JavaScript page.
    app.sign_in("hubot").await;
    let rows = load_all(&app, "globex").await.alerts;
    let loaded: Vec<Loaded> = rows.iter().cloned().map(Loaded::from).collect();
    let distinct = |f: fn(&AlertRow) -> Vec<String>| -> Vec<String> {
        let set: BTreeSet<String> = rows.iter().flat_map(f).collect();
        set.into_iter().collect()
    };
    let repos = distinct(|a| vec![a.repo.clone()]);
    let severities = distinct(|a| vec![a.severity.clone()]);
    let tools = distinct(|a| vec![a.tool.clone()]);
    let rules = distinct(|a| vec![a.rule_id.clone()]);
    let cwes = distinct(|a| a.cwes.clone());
    // Pieces of paths and rule names, as someone searching types them.
    let words = distinct(|a| {
        a.path
            .split('/')
            .chain(a.rule_name.split(' '))
            .filter(|w| w.len() > 2)
            .map(str::to_owned)
            .collect()
    });

    // How a person may type a value: any case, with stray spaces.
    fn typed(value: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
        (value, 0..3usize, any::<bool>()).prop_map(|(v, case, pad)| {
            let v = match case {
                0 => v,
                1 => v.to_uppercase(),
                _ => v.to_lowercase(),
            };
            if pad {
                format!(" {v}  ")
            } else {
                v
            }
        })
    }
    let pick = |values: Vec<String>| prop::sample::select(values);
    let one_of_few = |values: Vec<String>| {
        (
            prop::sample::subsequence(values.clone(), 1..=values.len().min(3)),
            0..3usize,
        )
    };
    let strategy = (
        prop::option::weighted(0.3, typed(pick(repos))),
        prop::option::weighted(0.4, one_of_few(severities))
            .prop_map(|s| s.map(|(vs, sep)| vs.join(["+", " ", ", "][sep]))),
        prop::option::weighted(0.3, typed(pick(tools))),
        prop::option::weighted(0.2, pick(rules)),
        prop::option::weighted(0.3, one_of_few(cwes)).prop_map(|c| {
            c.map(|(vs, style)| {
                vs.iter()
                    .map(|v| {
                        let n = v.trim_start_matches("CWE-");
                        match style {
                            0 => v.clone(),
                            1 => format!("cwe-0{n}"),
                            _ => n.to_owned(),
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            })
        }),
        prop::option::weighted(0.2, typed(pick(words.clone()))),
        prop::option::weighted(0.3, typed(pick(words))),
    )
        .prop_map(|(repo, severity, tool, rule, cwe, path, q)| AlertFilter {
            repo: repo.unwrap_or_default(),
            severity: severity.unwrap_or_default(),
            tool: tool.unwrap_or_default(),
            rule: rule.unwrap_or_default(),
            cwe: cwe.unwrap_or_default(),
            path: path.unwrap_or_default(),
            q: q.unwrap_or_default(),
            older_than: String::new(),
        });

    let mut runner = TestRunner::new(Config {
        cases: 32,
        failure_persistence: None,
        ..Config::default()
    });
    let nonempty = std::cell::Cell::new(0);
    runner
        .run(&strategy, |filter| {
            // The address a person shares: the GET form of the server-rendered list writes it so.
            let query = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("picker", "server")
                .extend_pairs(filter.pairs())
                .finish();
            // The browser: the picker reads the same address and filters what it loaded.
            let decoded: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect();
            let in_browser = AlertFilter::from_query(|k| {
                decoded.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
            });
            let picked: Vec<String> = matching(&loaded, &in_browser)
                .into_iter()
                .map(|i| loaded[i].row.key().encode())
                .collect();
            // Without JavaScript: the page itself, rendered on the server.
            let page = tokio::task::block_in_place(|| {
                tokio::runtime::Handle::current().block_on(async {
                    let res = app
                        .get(&format!("/orgs/globex/campaigns/new?{query}"))
                        .await;
                    res.text().await.unwrap()
                })
            });
            let doc = scraper::Html::parse_document(&page);
            let status = scraper::Selector::parse(".picker-status").unwrap();
            let status: String = doc.select(&status).flat_map(|e| e.text()).collect();
            let total: usize = status
                .split(' ')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("no count in {status:?}"));
            let boxes = scraper::Selector::parse("ul.alert-rows input[type=checkbox]").unwrap();
            let listed: Vec<String> = doc
                .select(&boxes)
                .filter_map(|b| b.value().attr("value").map(str::to_owned))
                .collect();
            prop_assert_eq!(total, picked.len(), "{:?}", filter);
            prop_assert_eq!(
                &listed[..],
                &picked[..picked.len().min(200)],
                "{:?}",
                filter
            );
            if total > 0 {
                nonempty.set(nonempty.get() + 1);
            }
            Ok(())
        })
        .unwrap();
    let nonempty = nonempty.get();
    assert!(
        nonempty >= 5,
        "the filters select something often enough ({nonempty} of 32)"
    );
}
