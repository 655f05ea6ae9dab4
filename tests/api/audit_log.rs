//! The audit log's page, its CSV file and the detail page's "Changes made here": what a security
//! engineer reads after the fact, shown to the org's members only.

use crate::helpers::{spawn_app, TestApp};

async fn set_state(app: &TestApp, number: &str, state: &str) {
    let body = format!("org=acme-corp&number={number}&state={state}");
    let res = app.post("/api/campaigns/set_state", &body).await;
    assert_eq!(res.status(), 200, "{state} #{number}");
}

fn rows(html: &str) -> usize {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse("table.audit tbody tr").unwrap();
    doc.select(&sel).count()
}

#[tokio::test]
async fn the_audit_page_shows_what_was_done_filtered_as_the_address_says() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    set_state(&app, "1", "closed").await;
    set_state(&app, "1", "open").await;
    set_state(&app, "2", "closed").await;

    let all = app.get("/orgs/acme-corp/audit").await;
    assert_eq!(all.status(), 200);
    let html = all.text().await.unwrap();
    assert_eq!(rows(&html), 3, "{html}");
    assert!(html.contains("href=\"/orgs/acme-corp/campaigns/1\""));
    assert!(html.contains("mona"));

    let closes = app
        .get("/orgs/acme-corp/audit?action=close")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(rows(&closes), 2);
    let one = app
        .get("/orgs/acme-corp/audit?campaign=%231&action=reopen")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(rows(&one), 1);
    let nobody = app
        .get("/orgs/acme-corp/audit?person=hubot")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(rows(&nobody), 0);
    assert!(nobody.contains("No changes match."));

    // A value the filter cannot read comes back as typed, with its message next to it.
    let bad = app.get("/orgs/acme-corp/audit?campaign=twelve").await;
    assert_eq!(bad.status(), 422);
    let bad = bad.text().await.unwrap();
    assert!(bad.contains("Enter a campaign number"), "{bad}");
    assert!(bad.contains("value=\"twelve\""), "{bad}");

    // The detail page shows the campaign's own entries.
    let detail = app
        .get("/orgs/acme-corp/campaigns/1")
        .await
        .text()
        .await
        .unwrap();
    assert!(detail.contains("Changes made here"));
    assert_eq!(rows(&detail), 2, "campaign 1's close and reopen");
}

#[tokio::test]
async fn only_the_orgs_owners_and_security_managers_read_its_audit_log() {
    let app = spawn_app().await;
    // octocat is a member of acme-corp without a role; mona a security manager of acme-corp and
    // a member of globex without one; hubot owns both.
    for (login, org, status) in [
        ("octocat", "acme-corp", 403),
        ("octocat", "globex", 403),
        ("mona", "acme-corp", 200),
        ("mona", "globex", 403),
        ("hubot", "globex", 200),
    ] {
        app.sign_in(login).await;
        for path in [
            format!("/orgs/{org}/audit"),
            format!("/orgs/{org}/audit.csv"),
        ] {
            let res = app.get(&path).await;
            assert_eq!(res.status(), status, "{login} {path}");
            if status == 403 {
                let text = res.text().await.unwrap();
                assert!(text.contains("owner or security manager"), "{text}");
            }
        }
    }
}
