//! Pages stream in order (`components::streaming`): a browser gets the frame before a far GitHub
//! answers and the data in place after it, in the HTML itself (no JavaScript needed); a near
//! GitHub's answer still decides the status; other clients get the whole page and its status.

use crate::campaign_pages::{post_refused_edit, without_markers, EDIT_FORM};
use crate::helpers::{spawn_app, spawn_app_with, TestApp};
use campaigns_admin::emulator::FaultRule;
use std::time::Instant;

async fn signed_in_app() -> TestApp {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    app
}

/// A page opened as a browser opens it (`Sec-Fetch-Dest: document`).
async fn open(app: &TestApp, path: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .header("sec-fetch-dest", "document")
        .header("accept", "text/html")
        .send()
        .await
        .expect("the app answers")
}

/// The first chunk of the body, then the whole body.
async fn chunks(mut res: reqwest::Response) -> (String, String) {
    let first = res.chunk().await.unwrap().unwrap_or_default();
    let mut all = first.to_vec();
    while let Some(more) = res.chunk().await.unwrap() {
        all.extend_from_slice(&more);
    }
    (
        String::from_utf8(first.to_vec()).unwrap(),
        String::from_utf8(all).unwrap(),
    )
}

/// GitHub answers every campaign call after `ms`.
fn far(app: &TestApp, ms: u64) {
    app.emulator.add_fault(FaultRule {
        path_prefix: Some("/orgs/acme-corp/campaigns".into()),
        latency_ms: ms,
        ..Default::default()
    });
}

#[tokio::test]
async fn a_browser_gets_the_frame_before_a_far_github_answers_and_the_data_in_place_after() {
    let app = signed_in_app().await;
    far(&app, 1_500);
    let started = Instant::now();
    let res = open(&app, "/orgs/acme-corp/campaigns/1").await;
    // Before GitHub's answer could have come: the frame did not wait for it.
    assert!(
        started.elapsed() < std::time::Duration::from_millis(1_500),
        "first byte after {:?}",
        started.elapsed()
    );
    assert_eq!(res.status(), 200);
    let (first, all) = chunks(res).await;
    assert!(first.contains("<title>Campaign #1 · acme-corp"), "{first}");
    assert!(first.contains("class=\"site-header\"") && first.contains("class=\"pending\""));
    assert!(
        !first.contains("detail-grid"),
        "the data came with the frame"
    );
    // The data follows in place, in document order: a page without JavaScript shows it.
    let all = without_markers(&all);
    let pending = all.find("class=\"pending\"").unwrap();
    let data = all
        .find("class=\"detail-grid\"")
        .expect("the campaign came");
    assert!(pending < data && !all.contains("<template"), "{all}");
    assert!(all.find("site-footer").unwrap() > data);
}

#[tokio::test]
async fn a_near_github_still_decides_a_browsers_status_and_title() {
    // Near: answered within the first byte's wait (made long, so a busy test machine is near).
    let app = spawn_app_with(&[("github.first_byte_wait_ms", "5000")]).await;
    app.sign_in("mona").await;
    let res = open(&app, "/orgs/acme-corp/campaigns/1").await;
    assert_eq!(res.status(), 200);
    let (first, _) = chunks(res).await;
    assert!(first.contains("detail-grid"), "the page came whole");
    assert!(
        first.contains("<title>SQL injection sweep"),
        "its own name: {first}"
    );
    // Open Graph tags are for chat apps, which get the whole page: none for a browser.
    assert!(!first.contains("og:title"), "{first}");
    let page = app
        .get("/orgs/acme-corp/campaigns/1")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("property=\"og:title\""));
    let res = open(&app, "/orgs/acme-corp/campaigns/999").await;
    assert_eq!(res.status(), 404);
    let (first, _) = chunks(res).await;
    assert!(first.contains("<title>Page not found"), "{first}");
}

#[tokio::test]
async fn a_github_failing_slowly_shows_the_frame_then_the_error_in_place_and_other_clients_its_status(
) {
    let app = signed_in_app().await;
    // Lasting past the client's two retries, which take longer than the first byte waits.
    let failing = || FaultRule {
        times: Some(3),
        ..FaultRule::status_once("/orgs/acme-corp/campaigns", 503)
    };
    app.emulator.add_fault(failing());
    let res = open(&app, "/orgs/acme-corp/campaigns").await;
    assert_eq!(res.status(), 200, "the frame had left");
    let (first, all) = chunks(res).await;
    assert!(first.contains("<h1>Campaigns "), "{first}");
    let all = without_markers(&all);
    assert!(all.contains("data-status=\"503\"") && all.contains("GitHub is unavailable"));
    assert!(all.contains("role=\"alert\""));
    // A client that is not a browser opening a page gets the whole page and its status.
    app.emulator.add_fault(failing());
    let res = app.get("/orgs/acme-corp/campaigns").await;
    assert_eq!(res.status(), 503);
}

#[tokio::test]
async fn a_failed_form_is_shown_once_even_when_github_is_far() {
    let app = signed_in_app().await;
    let res = post_refused_edit(&app, "Renamed far from GitHub").await;
    assert!(res.status().is_redirection(), "{}", res.status());
    far(&app, 300);
    let (_, page) = chunks(open(&app, EDIT_FORM).await).await;
    assert!(page.contains("value=\"Renamed far from GitHub\""), "shown");
    // The session was saved with the form taken: the next view shows GitHub's copy.
    let (_, page) = chunks(open(&app, EDIT_FORM).await).await;
    assert!(!page.contains("Renamed far from GitHub"), "shown twice");
}
