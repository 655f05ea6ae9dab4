//! Templates: the built-in starting points and the ones an org's members save, with the age
//! filter; members only; and as links in the server-rendered list (no JavaScript).

use crate::campaign_create::{call, call_ok};
use crate::helpers::spawn_app;

/// The server-rendered list's "N alerts match" figure on `path`.
fn matches(page: &str) -> usize {
    let at = page
        .find(" alerts match")
        .expect("the list says how many match");
    let digits: String = page[..at]
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.chars().rev().collect::<String>().parse().unwrap()
}

#[tokio::test]
async fn a_team_saves_a_template_and_everyone_in_the_org_starts_from_it() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    let (status, body) = call(&app, "templates/list", &[("org", "acme-corp")]).await;
    assert_eq!(status, 200, "{body}");
    let built_in: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap();
    assert_eq!(built_in.len(), 4);

    let form = [
        ("org", "acme-corp"),
        ("label", "SQL injection, older than 30 days"),
        ("name_pattern", "SQLi {org} {date}"),
        ("description_pattern", "Old SQL injection."),
        ("cwe", "CWE-89"),
        ("older_than", "30"),
    ];
    let (status, body) = call(&app, "templates/save", &form).await;
    assert_eq!(status, 200, "{body}");

    // A colleague finds it, and its link filters the server-rendered list.
    app.sign_in("hubot").await;
    let body = call_ok(&app, "templates/list", &[("org", "acme-corp")]).await;
    assert!(body.contains("SQL injection, older than 30 days"));
    let new = app
        .get("/orgs/acme-corp/campaigns/new?picker=server")
        .await
        .text()
        .await
        .unwrap();
    let href = "/orgs/acme-corp/campaigns/new?picker=server&amp;cwe=CWE-89&amp;older_than=30";
    assert!(new.contains(href), "the template is a link in the list");
    let everything = matches(&new);
    let sqli = |q: &str| format!("/orgs/acme-corp/campaigns/new?picker=server&cwe=CWE-89{q}");
    let all_sqli = matches(&app.get(&sqli("")).await.text().await.unwrap());
    let old_sqli = matches(&app.get(&sqli("&older_than=30")).await.text().await.unwrap());
    assert!(
        everything > all_sqli && all_sqli > old_sqli && old_sqli > 0,
        "{everything} {all_sqli} {old_sqli}"
    );

    // An age that is no number of days is said, not silently used.
    let page = app
        .get(&sqli("&older_than=soon"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("takes a whole number of days"));
    assert_eq!(matches(&page), all_sqli);

    // Refused with reasons by field; removed by id.
    let (status, body) = call(
        &app,
        "templates/save",
        &[("org", "acme-corp"), ("label", " "), ("older_than", "-1")],
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("Give the template a name") && body.contains("whole number of days"));
    let saved: serde_json::Value = serde_json::from_str(
        &call(&app, "templates/list", &[("org", "acme-corp")])
            .await
            .1,
    )
    .unwrap();
    let id = saved[4]["id"].as_i64().unwrap().to_string();
    let (status, _) = call(
        &app,
        "templates/remove",
        &[("org", "acme-corp"), ("id", &id)],
    )
    .await;
    assert_eq!(status, 200);
    let body = call_ok(&app, "templates/list", &[("org", "acme-corp")]).await;
    assert!(!body.contains("older than 30 days"));
}

#[tokio::test]
async fn templates_are_only_for_the_orgs_owners_and_security_managers() {
    let app = spawn_app().await;
    let save = [("org", "globex"), ("label", "Sneaky")];
    // octocat is not in globex; mona is a member of globex without a role there.
    for login in ["octocat", "mona"] {
        app.sign_in(login).await;
        for (f, pairs) in [
            ("templates/list", &[("org", "globex")][..]),
            ("templates/save", &save[..]),
            ("templates/remove", &[("org", "globex"), ("id", "1")][..]),
        ] {
            let (status, body) = call(&app, f, pairs).await;
            assert_eq!(status, 403, "{login} {f}: {body}");
            assert!(
                body.contains("owner or security manager of globex"),
                "{body}"
            );
        }
    }
}
