//! The campaign list and detail pages and their server functions, against the emulator's seed data:
//! rendering, URL-driven views, edits, close/reopen, delete, and every error mapping as a page.

use crate::helpers::{spawn_app, spawn_app_with, TestApp};
use campaigns_admin::emulator::{FaultAction, FaultRule};
use chrono::{Duration, Timelike, Utc};

async fn signed_in_app() -> TestApp {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    app
}

async fn html(app: &TestApp, path: &str) -> (u16, String) {
    let res = app.get(path).await;
    (
        res.status().as_u16(),
        without_markers(&res.text().await.unwrap()),
    )
}

/// A page that must be there (200), without the hydration comments: an error page fails here.
async fn ok_html(app: &TestApp, path: &str) -> String {
    let (status, page) = html(app, path).await;
    assert_eq!(status, 200, "{path}: {page}");
    page
}

/// The page without Leptos' hydration comments (`<!>`, `<!-- -->`) between text pieces.
pub(crate) fn without_markers(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find("<!") {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        if after.starts_with("<!DOCTYPE") || after.starts_with("<!doctype") {
            out.push_str("<!");
            rest = &after[2..];
            continue;
        }
        let end = if after.starts_with("<!--") {
            after.find("-->").map(|e| e + 3)
        } else {
            after.find('>').map(|e| e + 1)
        };
        match end {
            Some(e) => rest = &after[e..],
            None => {
                rest = after;
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// A GitHub client for setting up data directly in the app's emulator.
fn github(app: &TestApp) -> (campaigns_admin::github::GitHubClient, secrecy::SecretString) {
    let http = reqwest::Client::new();
    let client = campaigns_admin::github::GitHubClient::with_http(http, app.emulator_url.clone());
    let token = app
        .emulator
        .issue_token("mona", &["security_events", "read:org"])
        .unwrap();
    (client, secrecy::SecretString::from(token))
}

fn requests_to(app: &TestApp, prefix: &str) -> usize {
    app.emulator
        .requests()
        .iter()
        .filter(|r| r.path.starts_with(prefix))
        .count()
}

#[tokio::test]
async fn the_list_shows_open_campaigns_by_default_with_their_details() {
    let app = signed_in_app().await;
    let (status, page) = html(&app, "/orgs/acme-corp/campaigns").await;
    assert_eq!(status, 200);
    assert!(page.contains("<title>Campaigns · acme-corp · campaigns-admin</title>"));
    for open in [
        "SQL injection sweep",
        "Critical command injection",
        "XSS in the storefront",
    ] {
        assert!(page.contains(open), "{open}");
    }
    assert!(
        !page.contains("Hard-coded secrets 2025"),
        "closed ones are filtered out"
    );
    assert!(page.contains("href=\"/orgs/acme-corp/campaigns/1\""));
    assert!(page.contains("class=\"badge open\""));
    assert!(page.contains("@AppSec"), "team managers are shown");
    assert!(page.contains("overdue by"), "the overdue campaign says so");
    assert!(
        page.contains("in 4 days") || page.contains("in 3 days"),
        "relative due dates"
    );
    assert!(
        page.contains("role=\"img\"") && page.contains("% closed"),
        "progress bars"
    );
}

#[tokio::test]
async fn the_view_is_driven_by_the_url_query() {
    let app = signed_in_app().await;
    let closed = ok_html(&app, "/orgs/acme-corp/campaigns?state=closed").await;
    assert!(closed.contains("Hard-coded secrets 2025") && !closed.contains("SQL injection sweep"));
    assert!(
        closed.contains("<option value=\"closed\" selected"),
        "the filter shows the current view"
    );
    let all = ok_html(
        &app,
        "/orgs/acme-corp/campaigns?state=all&sort=ends_at&direction=asc",
    )
    .await;
    let first = all.find("Hard-coded secrets 2025").unwrap();
    let later = all.find("SQL injection sweep").unwrap();
    assert!(first < later, "sorted by due date, earliest first");
    let bogus = ok_html(&app, "/orgs/acme-corp/campaigns?state=bogus&per_page=7").await;
    assert!(
        bogus.contains("SQL injection sweep"),
        "unknown values fall back to the defaults"
    );
}

#[tokio::test]
async fn pages_come_from_githubs_link_header() {
    let app = signed_in_app().await;
    let (client, token) = github(&app);
    let org = campaigns_admin::domain::OrgLogin::parse("acme-corp").unwrap();
    let alerts = client
        .list_org_alerts(&token, &org, &Default::default(), 1)
        .await
        .unwrap();
    use campaigns_admin::github::models::*;
    for i in 0..10 {
        let c = client
            .create_campaign(
                &token,
                &org,
                &CreateCampaignBody {
                    name: format!("Bulk {i}"),
                    description: "bulk".into(),
                    managers: vec![],
                    team_managers: vec![],
                    ends_at: Utc::now() + Duration::days(40 + i),
                    contact_link: None,
                    code_scanning_alerts: vec![RepositoryAlerts {
                        repository_id: alerts[0].repository.id,
                        alert_numbers: vec![alerts[0].number],
                    }],
                    generate_issues: false,
                },
            )
            .await;
        // At most 10 open: close each one right away.
        let c = c.unwrap();
        let n = c.number;
        client
            .update_campaign(
                &token,
                &org,
                n,
                &UpdateCampaignBody {
                    state: Some(CampaignState::Closed),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
    }
    let page1 = ok_html(&app, "/orgs/acme-corp/campaigns?state=all&per_page=10").await;
    assert!(page1.contains("Page 1 of 2"), "16 campaigns at 10 a page");
    assert!(page1.contains("href=\"/orgs/acme-corp/campaigns?state=all&amp;sort=created&amp;direction=desc&amp;per_page=10&amp;page=2\""));
    let page2 = ok_html(
        &app,
        "/orgs/acme-corp/campaigns?state=all&per_page=10&page=2",
    )
    .await;
    assert!(page2.contains("Page 2 of 2") && page2.contains("rel=\"prev\""));
}

#[tokio::test]
async fn a_member_without_the_security_role_gets_a_403_page_in_words() {
    let app = signed_in_app().await;
    let (status, page) = html(&app, "/orgs/globex/campaigns").await;
    assert_eq!(status, 403);
    assert!(
        page.contains("owner or security manager"),
        "explained, not a bare status"
    );
}

#[tokio::test]
async fn malformed_orgs_and_numbers_are_404_without_asking_github() {
    let app = signed_in_app().await;
    let before = requests_to(&app, "/orgs/");
    for path in [
        "/orgs/-bad-/campaigns",
        "/orgs/acme-corp/campaigns/abc",
        "/orgs/acme-corp/campaigns/0",
        "/orgs/a..b/campaigns/1",
    ] {
        let (status, page) = html(&app, path).await;
        assert_eq!(status, 404, "{path}");
        assert!(page.contains("Page not found"), "{path}");
    }
    assert_eq!(requests_to(&app, "/orgs/"), before, "no call to GitHub");
}

#[tokio::test]
async fn an_unknown_campaign_is_a_404_page() {
    let app = signed_in_app().await;
    let (status, page) = html(&app, "/orgs/acme-corp/campaigns/9999").await;
    assert_eq!(status, 404);
    assert!(page.contains("Page not found"));
}

#[tokio::test]
async fn github_trouble_becomes_a_page_that_says_when_to_retry() {
    let app = signed_in_app().await;
    // Lasting past the client's two retries.
    app.emulator.add_fault(FaultRule {
        times: Some(3),
        ..FaultRule::status_once("/orgs/acme-corp/campaigns", 503)
    });
    let (status, page) = html(&app, "/orgs/acme-corp/campaigns").await;
    assert_eq!(status, 503);
    assert!(page.contains("GitHub is unavailable") && page.contains("Try again"));
    app.emulator.add_fault(FaultRule {
        action: Some(FaultAction::Status {
            status: 429,
            retry_after: Some(120),
            secondary: false,
        }),
        ..FaultRule::status_once("/orgs/acme-corp/campaigns/1", 429)
    });
    let (status, page) = html(&app, "/orgs/acme-corp/campaigns/1").await;
    assert_eq!(status, 429);
    assert!(
        page.contains("Try again in 2 minutes"),
        "{}",
        &page[page.find("<main").unwrap_or(0)..]
            .chars()
            .take(600)
            .collect::<String>()
    );
}

#[tokio::test]
async fn the_detail_page_is_complete_and_unfurls_in_chat() {
    let app = signed_in_app().await;
    let (status, page) = html(&app, "/orgs/acme-corp/campaigns/1").await;
    assert_eq!(status, 200);
    assert!(page.contains("<title>SQL injection sweep · campaigns-admin</title>"));
    assert!(page.contains("property=\"og:title\" content=\"SQL injection sweep\""));
    assert!(page.contains("property=\"og:description\" content=\"Fix every SQL injection alert"));
    assert!(
        page.contains("<br"),
        "line breaks in the description are kept"
    );
    assert!(
        page.contains("href=\"https://chat.example.com/channels/appsec\""),
        "contact link"
    );
    assert!(
        page.contains(&format!(
            "{}orgs/acme-corp/security/campaigns/1",
            app.emulator_url
        )),
        "Open on GitHub"
    );
    assert!(
        page.contains(&format!(
            "value=\"{}/orgs/acme-corp/campaigns/1\"",
            app.origin()
        )),
        "a link to share"
    );
    for words in [
        "Due",
        "Managers",
        "Created",
        "Updated",
        "Published",
        "closed",
        "in progress",
        "open",
        "UTC",
    ] {
        assert!(page.contains(words), "{words}");
    }
    assert!(page.contains("Close campaign") && page.contains("Edit") && page.contains("Delete…"));
}

/// A server-function call that must succeed (200): its body.
async fn call_ok(app: &TestApp, f: &str, pairs: &[(&str, &str)]) -> String {
    let (status, body) = call(app, f, pairs).await;
    assert_eq!(status, 200, "{f}: {body}");
    body
}

async fn call(app: &TestApp, f: &str, pairs: &[(&str, &str)]) -> (u16, String) {
    let res = app.post(&format!("/api/campaigns/{f}"), &form(pairs)).await;
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn updated_at(app: &TestApp, number: &str) -> String {
    let body = call_ok(app, "get", &[("org", "acme-corp"), ("number", number)]).await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    v["updated_at"].as_str().unwrap().to_owned()
}

fn edit<'a>(loaded: &'a str, name: &'a str, ends_at: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("org", "acme-corp"),
        ("number", "1"),
        ("name", name),
        ("description", "Fix them all.\nSee https://wiki.example.com"),
        ("ends_at", ends_at),
        ("tz_offset", "0"),
        ("manager", "mona"),
        ("team_managers[0]", "appsec"),
        ("contact_link", "mailto:appsec@acme.example"),
        ("loaded_updated_at", loaded),
    ]
}

#[tokio::test]
async fn editing_validates_every_field_on_the_server() {
    let app = signed_in_app().await;
    let loaded = updated_at(&app, "1").await;
    let long = "x".repeat(51);
    let mut pairs = edit(&loaded, &long, "2001-01-01T00:00");
    pairs.retain(|(k, _)| *k != "contact_link");
    pairs.push(("contact_link", "javascript:alert(1)"));
    let (status, body) = call(&app, "update", &pairs).await;
    assert_eq!(status, 422, "{body}");
    let err: campaigns_admin::error::AppError = serde_json::from_str(&body).unwrap();
    assert!(err.field_message("name").unwrap().contains("at most 50"));
    assert!(err.field_message("ends_at").unwrap().contains("future"));
    assert!(err.field_message("contact_link").is_some());
    assert_eq!(updated_at(&app, "1").await, loaded, "nothing was saved");
}

#[tokio::test]
async fn editing_saves_and_githubs_422_comes_back_to_the_right_field() {
    let app = signed_in_app().await;
    let loaded = updated_at(&app, "1").await;
    let due = (Utc::now() + Duration::days(20))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let (status, body) = call(&app, "update", &edit(&loaded, "SQLi sweep, renamed", &due)).await;
    assert_eq!(status, 200, "{body}");
    let page = ok_html(&app, "/orgs/acme-corp/campaigns/1").await;
    assert!(page.contains("SQLi sweep, renamed") && page.contains("mailto:appsec@acme.example"));

    // A manager GitHub does not know: GitHub's 422 lands on the manager field.
    let loaded = updated_at(&app, "1").await;
    let mut pairs = edit(&loaded, "Again", &due);
    pairs.retain(|(k, _)| *k != "manager");
    pairs.push(("manager", "not-a-member"));
    let (status, body) = call(&app, "update", &pairs).await;
    assert_eq!(status, 422);
    let err: campaigns_admin::error::AppError = serde_json::from_str(&body).unwrap();
    assert!(
        err.field_message("managers")
            .unwrap()
            .contains("not a member"),
        "{err:?}"
    );
}

/// Campaign 1's edit form.
pub(crate) const EDIT_FORM: &str = "/orgs/acme-corp/campaigns/1/edit";

/// An edit of campaign 1 renaming it `name`, posted without JavaScript from its form, that the
/// app refuses (its manager is not a member of the org); the app's answer.
pub(crate) async fn post_refused_edit(app: &TestApp, name: &str) -> reqwest::Response {
    let loaded = updated_at(app, "1").await;
    let due = (Utc::now() + Duration::days(20))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let mut pairs = edit(&loaded, name, &due);
    pairs.retain(|(k, _)| *k != "manager");
    pairs.push(("manager", "not-a-member"));
    app.post_without_js("/api/campaigns/update", &pairs, EDIT_FORM)
        .await
}

#[tokio::test]
async fn a_failed_edit_without_javascript_comes_back_filled_in_with_the_message() {
    let app = signed_in_app().await;
    let loaded = updated_at(&app, "1").await;
    let form_page = EDIT_FORM;
    let res = post_refused_edit(&app, "Renamed without JavaScript").await;
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(res.headers()["location"], form_page, "back to the form");
    let page = app.get(form_page).await.text().await.unwrap();
    assert!(
        page.contains("id=\"managers-error\""),
        "the message is next to the manager field"
    );
    assert!(page.contains("not a member"));
    assert!(
        page.contains("value=\"Renamed without JavaScript\""),
        "what was typed is kept"
    );
    assert!(page.contains("value=\"not-a-member\""));
    assert_eq!(updated_at(&app, "1").await, loaded, "nothing was saved");
    // Once only: the next view shows GitHub's copy again.
    let page = ok_html(&app, form_page).await;
    assert!(!page.contains("Renamed without JavaScript"));
}

#[tokio::test]
async fn a_stale_form_is_not_saved_over_a_newer_version_unless_asked() {
    let app = signed_in_app().await;
    let stale = updated_at(&app, "1").await;
    let due = (Utc::now() + Duration::days(20))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    // Someone else saves first.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (status, _) = call(&app, "update", &edit(&stale, "Theirs", &due)).await;
    assert_eq!(status, 200);
    let (status, body) = call(&app, "update", &edit(&stale, "Mine", &due)).await;
    assert_eq!(status, 422);
    let err: campaigns_admin::error::AppError = serde_json::from_str(&body).unwrap();
    assert!(err
        .field_message("conflict")
        .unwrap()
        .contains("after you opened this form"));
    let mut overwrite = edit(&stale, "Mine", &due);
    overwrite.push(("overwrite", "on"));
    let (status, _) = call(&app, "update", &overwrite).await;
    assert_eq!(status, 200);
    assert!(html(&app, "/orgs/acme-corp/campaigns/1")
        .await
        .1
        .contains("Mine"));
}

#[tokio::test]
async fn close_reopen_and_delete() {
    let app = signed_in_app().await;
    let (status, _) = call(
        &app,
        "set_state",
        &[("org", "acme-corp"), ("number", "2"), ("state", "closed")],
    )
    .await;
    assert_eq!(status, 200);
    let page = ok_html(&app, "/orgs/acme-corp/campaigns/2").await;
    assert!(page.contains("Reopen campaign") && page.contains("class=\"badge closed\""));
    let (status, _) = call(
        &app,
        "set_state",
        &[("org", "acme-corp"), ("number", "2"), ("state", "open")],
    )
    .await;
    assert_eq!(status, 200);
    assert!(html(&app, "/orgs/acme-corp/campaigns/2")
        .await
        .1
        .contains("Close campaign"));
    let (status, _) = call(
        &app,
        "set_state",
        &[("org", "acme-corp"), ("number", "2"), ("state", "archived")],
    )
    .await;
    // The state is a typed argument (open or closed): anything else is refused as it is read.
    assert_eq!(status, 400);

    let confirm = ok_html(&app, "/orgs/acme-corp/campaigns/2/delete").await;
    assert!(confirm.contains("Delete the campaign “Critical command injection”?"));
    let res = app
        .post(
            "/api/campaigns/delete",
            &form(&[("org", "acme-corp"), ("number", "2")]),
        )
        .await;
    assert!(res.status().is_success() || res.status().is_redirection());
    let (status, _) = html(&app, "/orgs/acme-corp/campaigns/2").await;
    assert_eq!(status, 404);
    let list = ok_html(&app, "/orgs/acme-corp/campaigns?deleted=2").await;
    assert!(list.contains("Campaign #2 was deleted."));
    // The notice shows a campaign number only, never text from the address.
    let spoofed = ok_html(
        &app,
        "/orgs/acme-corp/campaigns?deleted=Call%20the%20help%20desk%20at%20555",
    )
    .await;
    assert!(!spoofed.contains("help desk"));
    assert!(!spoofed.contains("was deleted"));
}

#[tokio::test]
async fn a_failed_close_or_delete_without_javascript_comes_back_to_its_page_with_the_error() {
    let app = signed_in_app().await;
    let unavailable = |method: &str| {
        FaultRule::status_once("/orgs/acme-corp/campaigns/1", 503).for_method(method)
    };
    let detail = "/orgs/acme-corp/campaigns/1";
    let confirm = "/orgs/acme-corp/campaigns/1/delete";
    for (fault, api, pairs, page) in [
        (
            "PATCH",
            "/api/campaigns/set_state",
            vec![("org", "acme-corp"), ("number", "1"), ("state", "closed")],
            detail,
        ),
        (
            "DELETE",
            "/api/campaigns/delete",
            vec![("org", "acme-corp"), ("number", "1")],
            confirm,
        ),
    ] {
        app.emulator.add_fault(unavailable(fault));
        // The notice, not the audit log's entry for the failed change (which stays).
        let notice = "class=\"notice error\">GitHub could not be reached";
        let shown = app.failed_post_without_js(api, &pairs, page).await;
        assert!(shown.contains(notice), "{api}: the error is shown");
        // Once: a reload is the page as it is.
        let again = ok_html(&app, page).await;
        assert!(!again.contains(notice), "{api}");
    }
    let (status, page) = html(&app, detail).await;
    assert_eq!(status, 200, "nothing was deleted");
    assert!(page.contains("Close campaign"), "nothing was closed");
}

#[tokio::test]
async fn server_functions_check_their_own_input_and_session() {
    let app = spawn_app().await;
    let (status, body) = call(&app, "get", &[("org", "acme-corp"), ("number", "1")]).await;
    assert_eq!(status, 401);
    assert!(body.contains("not_signed_in"), "{body}");
    app.sign_in("mona").await;
    let before = requests_to(&app, "/orgs/");
    // Typed arguments: a malformed organisation or number is refused as the request is read.
    let (status, _) = call(&app, "get", &[("org", "../../user"), ("number", "1")]).await;
    assert_eq!(status, 400);
    let (status, _) = call(&app, "delete", &[("org", "acme-corp"), ("number", "-1")]).await;
    assert_eq!(status, 400);
    assert_eq!(requests_to(&app, "/orgs/"), before);
}

#[tokio::test]
async fn descriptions_are_text_never_html() {
    let app = signed_in_app().await;
    let loaded = updated_at(&app, "1").await;
    let due = (Utc::now() + Duration::days(20))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let mut pairs = edit(&loaded, "XSS test", &due);
    pairs.retain(|(k, _)| *k != "description");
    pairs.push((
        "description",
        "<script>alert(1)</script> <img src=x onerror=alert(2)>",
    ));
    let (status, _) = call(&app, "update", &pairs).await;
    assert_eq!(status, 200);
    let page = ok_html(&app, "/orgs/acme-corp/campaigns/1").await;
    assert!(!page.contains("<script>alert(1)"));
    assert!(!page.contains("<img src=x"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

/// The edit form of campaign 1 as the page shows it (due date in UTC, the first manager), with
/// `name` typed over.
async fn edit_as_shown(app: &TestApp, name: &str) -> Vec<(String, String)> {
    let body = call_ok(app, "get", &[("org", "acme-corp"), ("number", "1")]).await;
    let c: serde_json::Value = serde_json::from_str(&body).unwrap();
    let ends_at: chrono::DateTime<Utc> = c["ends_at"].as_str().unwrap().parse().unwrap();
    let mut pairs = vec![
        ("org".to_owned(), "acme-corp".to_owned()),
        ("number".to_owned(), "1".to_owned()),
        ("name".to_owned(), name.to_owned()),
        (
            "description".to_owned(),
            c["description"].as_str().unwrap().to_owned(),
        ),
        (
            "ends_at".to_owned(),
            ends_at.format("%Y-%m-%dT%H:%M").to_string(),
        ),
        ("tz_offset".to_owned(), "0".to_owned()),
        (
            "manager".to_owned(),
            c["managers"][0]["login"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        ),
        (
            "contact_link".to_owned(),
            c["contact_link"].as_str().unwrap_or_default().to_owned(),
        ),
        (
            "loaded_updated_at".to_owned(),
            c["updated_at"].as_str().unwrap().to_owned(),
        ),
        (
            "loaded_ends_at".to_owned(),
            c["ends_at"].as_str().unwrap().to_owned(),
        ),
    ];
    for (i, t) in c["team_managers"].as_array().unwrap().iter().enumerate() {
        pairs.push((
            format!("team_managers[{i}]"),
            t["slug"].as_str().unwrap().to_owned(),
        ));
    }
    pairs
}

async fn post_edit(app: &TestApp, pairs: &[(String, String)]) -> (u16, String) {
    let pairs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    call(app, "update", &pairs).await
}

#[tokio::test]
async fn renaming_an_overdue_campaign_keeps_its_due_date_and_all_its_managers() {
    let app = signed_in_app().await;
    let overdue = (Utc::now() - Duration::days(3)).with_nanosecond(0).unwrap();
    // GitHub's own pages allow several managers; its API sets one.
    assert!(app
        .emulator
        .edit_campaign_on_github("acme-corp", 1, overdue, &["mona", "hubot"]));
    let page = ok_html(&app, "/orgs/acme-corp/campaigns/1/edit").await;
    assert!(page.contains("This campaign has 2 managers (mona, hubot)"));
    let pairs = edit_as_shown(&app, "Renamed while overdue").await;
    let (status, body) = post_edit(&app, &pairs).await;
    assert_eq!(status, 200, "{body}");
    let body = call_ok(&app, "get", &[("org", "acme-corp"), ("number", "1")]).await;
    let c: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(c["name"], "Renamed while overdue");
    let ends_at: chrono::DateTime<Utc> = c["ends_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(ends_at, overdue, "the due date did not move");
    let managers: Vec<&str> = c["managers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["login"].as_str().unwrap())
        .collect();
    assert_eq!(managers, ["mona", "hubot"], "no manager was dropped");
}

#[tokio::test]
async fn an_edit_sends_only_what_changed_and_nothing_when_nothing_did() {
    let app = signed_in_app().await;
    let patches = |app: &TestApp| {
        app.emulator
            .requests()
            .iter()
            .filter(|r| r.method == "PATCH")
            .count()
    };
    let body = call_ok(&app, "get", &[("org", "acme-corp"), ("number", "1")]).await;
    let c: serde_json::Value = serde_json::from_str(&body).unwrap();
    let pairs = edit_as_shown(&app, c["name"].as_str().unwrap()).await;
    let before = patches(&app);
    let (status, body) = post_edit(&app, &pairs).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(patches(&app), before, "an unchanged form sends nothing");
    assert_eq!(
        updated_at(&app, "1").await,
        c["updated_at"].as_str().unwrap()
    );
}

#[tokio::test]
async fn a_due_date_moved_into_the_past_is_refused() {
    let app = signed_in_app().await;
    let mut pairs = edit_as_shown(&app, "Moved back").await;
    let yesterday = (Utc::now() - Duration::days(1))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    for (k, v) in pairs.iter_mut() {
        if k == "ends_at" {
            *v = yesterday.clone();
        }
    }
    let (status, body) = post_edit(&app, &pairs).await;
    assert_eq!(status, 422, "{body}");
    let err: campaigns_admin::error::AppError = serde_json::from_str(&body).unwrap();
    assert!(err.field_message("ends_at").is_some(), "{err:?}");
}

#[tokio::test]
async fn the_list_shows_progress_whether_or_not_githubs_list_items_carry_counts() {
    for list_stats in ["false", "true"] {
        let app = spawn_app_with(&[("CAMPAIGNS_DEMO_LIST_STATS", list_stats)]).await;
        app.sign_in("mona").await;
        let (status, page) = html(&app, "/orgs/acme-corp/campaigns?state=all").await;
        assert_eq!(status, 200);
        let rows = page.matches("class=\"campaign-link\"").count();
        let bars = page.matches("class=\"progress\"").count();
        assert!(rows > 0);
        assert_eq!(
            bars, rows,
            "every campaign has its bar (list_stats={list_stats})"
        );
        let one_by_one = app
            .emulator
            .requests()
            .iter()
            .filter(|r| {
                let tail = r.path.trim_start_matches("/orgs/acme-corp/campaigns/");
                r.method == "GET" && tail != r.path && tail.parse::<i64>().is_ok()
            })
            .count();
        if list_stats == "true" {
            assert_eq!(one_by_one, 0, "the list's own counts are used");
        } else {
            assert_eq!(one_by_one, rows, "each campaign read once for its counts");
        }
    }
}

/// A page of the list seen before asks for the counts its items lacked beside the list itself:
/// one round of GitHub waiting, not two (the list, then the counts).
#[tokio::test]
async fn a_list_seen_before_asks_for_its_counts_beside_the_list() {
    let app = signed_in_app().await;
    let path = "/orgs/acme-corp/campaigns?state=all";
    let first = ok_html(&app, path).await;
    app.emulator.add_fault(FaultRule {
        latency_ms: 600,
        ..Default::default()
    });
    let before = app.emulator.requests().len();
    let started = std::time::Instant::now();
    let again = ok_html(&app, path).await;
    let took = started.elapsed();
    // Two rounds would be 1,200 ms at the least.
    assert!(took < std::time::Duration::from_millis(1_100), "{took:?}");
    let made = app.emulator.requests().len() - before;
    let rows = again.matches("class=\"campaign-link\"").count();
    assert_eq!(made, rows + 1, "the list and each campaign once");
    assert_eq!(
        again.matches("class=\"progress\"").count(),
        first.matches("class=\"progress\"").count(),
        "the same counts"
    );
}

/// #11's sixth bug: the manager field offers only people GitHub accepts (owners, and the signed-in
/// security manager), says who is eligible, and a member typed in anyway is refused next to it.
#[tokio::test]
async fn the_manager_field_offers_only_eligible_people() {
    let app = signed_in_app().await;
    let (status, body) = call(&app, "manager_choices", &[("org", "acme-corp")]).await;
    assert_eq!(status, 200, "{body}");
    let choices: campaigns_admin::domain::campaign::ManagerChoices =
        serde_json::from_str(&body).unwrap();
    let logins: Vec<&str> = choices.managers.iter().map(|p| p.login.as_str()).collect();
    assert_eq!(
        logins,
        vec!["hubot", "mona"],
        "the owner and the signed-in security manager"
    );

    for page in [
        "/orgs/acme-corp/campaigns/new",
        "/orgs/acme-corp/campaigns/1/edit",
    ] {
        let html = ok_html(&app, page).await;
        let doc = scraper::Html::parse_document(&html);
        let sel = scraper::Selector::parse("#eligible-managers option").unwrap();
        let offered: Vec<&str> = doc
            .select(&sel)
            .filter_map(|o| o.value().attr("value"))
            .collect();
        assert!(
            offered.contains(&"hubot") && offered.contains(&"mona"),
            "{page}: {offered:?}"
        );
        assert!(
            !offered.contains(&"octocat"),
            "{page}: a plain member is not offered"
        );
        assert!(html.contains("GitHub accepts only organisation owners and security managers"));
    }

    let loaded = updated_at(&app, "1").await;
    let due = (Utc::now() + Duration::days(20))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let mut pairs = edit(&loaded, "Handed to a member", &due);
    pairs.retain(|(k, _)| *k != "manager");
    pairs.push(("manager", "octocat"));
    let (status, body) = call(&app, "update", &pairs).await;
    assert_eq!(status, 422, "{body}");
    let err: campaigns_admin::error::AppError = serde_json::from_str(&body).unwrap();
    let message = err.field_message("managers").unwrap_or_default();
    assert!(message.contains("owner or security manager"), "{err:?}");
}

#[tokio::test]
async fn every_change_made_through_the_app_is_in_the_audit_log_with_its_outcome() {
    use campaigns_admin::domain::audit::AuditAction;
    use campaigns_admin::domain::audit::AuditQuery;
    let app = signed_in_app().await;
    let body = call_ok(&app, "get", &[("org", "acme-corp"), ("number", "1")]).await;
    let old_name = serde_json::from_str::<serde_json::Value>(&body).unwrap()["name"]
        .as_str()
        .unwrap()
        .to_owned();
    let pairs = edit_as_shown(&app, "Renamed for the log").await;
    assert_eq!(post_edit(&app, &pairs).await.0, 200);
    let state = |number: &'static str, state: &'static str| {
        [("org", "acme-corp"), ("number", number), ("state", state)]
    };
    assert_eq!(call(&app, "set_state", &state("1", "closed")).await.0, 200);
    assert_eq!(call(&app, "set_state", &state("1", "open")).await.0, 200);
    // One GitHub refuses.
    assert_eq!(
        call(&app, "set_state", &state("999", "closed")).await.0,
        404
    );
    let delete = [("org", "acme-corp"), ("number", "1")];
    assert_eq!(call(&app, "delete", &delete).await.0, 200);

    let store = campaigns_admin::store::connect(&app.database_url)
        .await
        .unwrap();
    let log = store.audit();
    let acme: campaigns_admin::domain::OrgLogin = "acme-corp".parse().unwrap();
    let at_start = campaigns_admin::store::audit::Position::Skip(0);
    let all: Vec<_> = log
        .page(&acme, &AuditQuery::default(), at_start, 50)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, e)| e)
        .collect();
    let seen: Vec<_> = all
        .iter()
        .rev()
        .map(|e| (e.action, e.campaign.map(|n| n.get()), e.error.is_some()))
        .collect();
    assert_eq!(
        seen,
        [
            (AuditAction::Edit, Some(1), false),
            (AuditAction::Close, Some(1), false),
            (AuditAction::Reopen, Some(1), false),
            // The close GitHub answered 404 changed nothing: the server log has it, not this one.
            (AuditAction::Delete, Some(1), false),
        ]
    );
    assert!(all
        .iter()
        .all(|e| e.actor == "mona" && e.org == "acme-corp"));
    let edit = all.last().unwrap();
    assert_eq!(edit.campaign_name, old_name);
    let name = edit.changes.iter().find(|c| c.field == "name").unwrap();
    assert_eq!(
        (name.before.as_str(), name.after.as_str()),
        (old_name.as_str(), "Renamed for the log")
    );
    assert_eq!(
        edit.changes.len(),
        1,
        "only what changed: {:?}",
        edit.changes
    );
    assert_eq!(
        all[0].campaign_name, "Renamed for the log",
        "the deleted campaign's name"
    );
    let closes = AuditQuery {
        action: Some(AuditAction::Close),
        ..Default::default()
    };
    assert_eq!(
        log.page(&acme, &closes, at_start, 50).await.unwrap().len(),
        1
    );
    let elsewhere = log
        .page(
            &"globex".parse().unwrap(),
            &AuditQuery::default(),
            at_start,
            50,
        )
        .await
        .unwrap();
    assert!(elsewhere.is_empty());
}

#[tokio::test]
async fn the_csv_file_names_the_org_and_day_and_no_cell_runs_as_a_formula() {
    let app = signed_in_app().await;
    let hostile = "=HYPERLINK(\"https://evil.example\",\"x\")";
    let pairs = edit_as_shown(&app, hostile).await;
    assert_eq!(post_edit(&app, &pairs).await.0, 200);
    let close = |number| {
        [
            ("org", "acme-corp"),
            ("number", number),
            ("state", "closed"),
        ]
    };
    assert_eq!(call(&app, "set_state", &close("1")).await.0, 200);
    assert_eq!(call(&app, "set_state", &close("2")).await.0, 200);

    let res = app
        .get("/orgs/acme-corp/audit.csv?campaign=1&action=close")
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert_eq!(
        disposition,
        format!("attachment; filename=\"acme-corp-audit-{today}.csv\"")
    );
    let body = res.text().await.unwrap();
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(
        lines[0],
        "at,actor,action,campaign_number,campaign_name,changes,outcome,error"
    );
    assert_eq!(lines.len(), 2, "campaign 1's close only: {body}");
    assert!(lines[1].contains("\"'=HYPERLINK("), "{body}");
    for cell in lines[1].split("\",\"") {
        let cell = cell.trim_start_matches('"');
        assert!(!cell.starts_with(['=', '+', '-', '@']), "{cell}");
    }
}
