//! Drafts: saved from the create form with every field and the whole selection, opened by a
//! colleague through their link, commented on, edited and published once; refused to anyone
//! GitHub does not list as a member of the org; and all of it without JavaScript.

use crate::campaign_create::{call, creates_sent, due, load_pages};
use crate::helpers::{spawn_app, spawn_app_with, TestApp};

/// `count` alerts of acme-corp, `repo_id:number`, with their repositories' names.
async fn some_alerts(app: &TestApp, count: usize) -> Vec<(String, String, i64)> {
    let batch = load_pages(app, "acme-corp", 1, 4).await;
    assert!(batch.alerts.len() >= count);
    batch
        .alerts
        .iter()
        .take(count)
        .map(|a| {
            let repo = a.repo.split_once('/').map_or(a.repo.as_str(), |(_, n)| n);
            (
                format!("{}:{}", a.repo_id, a.number),
                repo.to_owned(),
                a.number,
            )
        })
        .collect()
}

fn draft_form<'a>(
    org: &'a str,
    name: &'a str,
    due: &'a str,
    alerts: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("org", org),
        ("name", name),
        ("description", "Drafted for review."),
        ("ends_at", due),
        ("tz_offset", "0"),
        ("manager", "mona"),
        ("team_managers[0]", "appsec"),
        ("alerts", alerts),
    ]
}

#[tokio::test]
async fn a_draft_is_shared_commented_on_and_published_once_by_a_colleague() {
    shared_commented_on_and_published(spawn_app().await).await;
}

/// The same with the org's alert index on and synced: what closed since is read from it.
#[tokio::test]
async fn a_drafts_closed_alerts_are_read_from_the_alert_index_once_synced() {
    let app = spawn_app_with(&[("CAMPAIGNS_GITHUB_ALERT_INDEX", "on")]).await;
    let scopes = ["security_events", "read:org"];
    let mona = secrecy::SecretString::from(app.emulator.issue_token("mona", &scopes).unwrap());
    let acme = "acme-corp".parse().unwrap();
    let synced = campaigns_admin::service::alert_index::sync_now(&app.state, &mona, &acme, true);
    assert!(synced.await.unwrap());
    shared_commented_on_and_published(app).await;
}

async fn shared_commented_on_and_published(app: TestApp) {
    app.sign_in("mona").await;
    let picked = some_alerts(&app, 300).await;
    let keys: Vec<&str> = picked.iter().map(|(k, _, _)| k.as_str()).collect();
    let (due, joined) = (due(), keys.join(" "));
    let (status, body) = call(
        &app,
        "drafts/save",
        &draft_form("acme-corp", "Reviewed injection sweep", &due, &joined),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let id: i64 = body.trim().parse().unwrap();
    let link = format!("/orgs/acme-corp/drafts/{id}");
    assert_eq!(creates_sent(&app), 0, "GitHub knows nothing of a draft");

    // Listed for the org, on the list page and the overview.
    for listed in ["/orgs/acme-corp/campaigns", "/orgs/acme-corp"] {
        let html = app.ok_page(listed).await;
        assert!(
            html.contains(&format!("href=\"{link}\"")),
            "{listed} lists the draft"
        );
    }

    // Work goes on on GitHub: one of the chosen alerts is fixed meanwhile.
    let (_, repo, number) = &picked[7];
    assert!(app
        .emulator
        .set_alert_state("acme-corp", repo, *number, "fixed", None));

    // A colleague opens the link, sees what was saved and what closed since, and comments.
    app.sign_in("hubot").await;
    let (status, html) = app.page(&link).await;
    assert_eq!(status, 200);
    assert!(html.contains("Reviewed injection sweep") && html.contains("300 chosen"));
    assert!(html.contains("Saved by <b>mona</b>") || html.contains("mona"));
    assert!(html.contains("1 of the chosen alerts were closed since the draft was saved"));
    assert!(
        html.contains(&format!("{repo}#{number}")),
        "the closed alert is named"
    );
    let indexed = app.state.settings.github.alert_index;
    assert_eq!(html.contains("As GitHub listed them at"), indexed, "{html}");
    let (status, body) = call(
        &app,
        "drafts/comment",
        &[
            ("org", "acme-corp"),
            ("id", &id.to_string()),
            ("body", "Looks right; <b>ship</b> it"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let html = app.ok_page(&link).await;
    assert!(
        html.contains("Looks right; &lt;b&gt;ship&lt;/b&gt; it"),
        "the comment, as text"
    );
    let (status, body) = call(
        &app,
        "drafts/comment",
        &[
            ("org", "acme-corp"),
            ("id", &id.to_string()),
            ("body", "   "),
        ],
    )
    .await;
    assert_eq!(status, 422, "{body}");

    // Edited in the create form: it opens filled in, and saving keeps it the same draft.
    let form = app
        .ok_page(&format!(
            "/orgs/acme-corp/campaigns/new?draft={id}&picker=server"
        ))
        .await;
    assert!(form.contains("value=\"Reviewed injection sweep\""));
    assert!(form.contains(&format!("name=\"draft\" value=\"{id}\"")));
    let mut edited = draft_form("acme-corp", "Reviewed injection sweep v2", &due, &joined);
    let id_text = id.to_string();
    edited.push(("draft", &id_text));
    let (status, body) = call(&app, "drafts/save", &edited).await;
    assert_eq!((status, body.trim()), (200, id_text.as_str()));

    // Published: one campaign on GitHub with the 300 alerts, recorded and audited; the draft
    // is gone, and publishing it again creates nothing.
    // The revision the page shows: saved, then saved over once.
    let shown = app.ok_page(&link).await;
    assert!(shown.contains("name=\"revision\" value=\"2\""));
    let publish = [
        ("org", "acme-corp"),
        ("id", id_text.as_str()),
        ("revision", "2"),
    ];
    let (status, body) = call(&app, "drafts/publish", &publish).await;
    assert_eq!(status, 200, "{body}");
    let created: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(created["name"], "Reviewed injection sweep v2");
    let p = &created["progress"];
    let total: i64 = ["open", "in_progress", "closed"]
        .iter()
        .map(|k| p[k].as_i64().unwrap())
        .sum();
    assert_eq!(total, 300);
    assert_eq!(creates_sent(&app), 1);
    let number = created["number"].as_i64().unwrap();
    let detail = app
        .ok_page(&format!("/orgs/acme-corp/campaigns/{number}"))
        .await;
    assert!(
        detail.contains("Created in campaigns-admin by"),
        "its alert set is recorded"
    );
    let audit = app.ok_page("/orgs/acme-corp/audit").await;
    assert!(audit.contains("Reviewed injection sweep v2"));
    assert_eq!(app.page(&link).await.0, 404);
    let (status, _) = call(&app, "drafts/publish", &publish).await;
    assert_eq!(status, 404);
    assert_eq!(creates_sent(&app), 1, "no second campaign");
}

#[tokio::test]
async fn a_draft_is_only_for_its_orgs_owners_and_security_managers_whatever_the_link() {
    let app = spawn_app().await;
    // hubot owns globex; mona is a member of globex without a role; octocat is not in globex.
    app.sign_in("hubot").await;
    let (status, body) = call(
        &app,
        "drafts/save",
        &draft_form("globex", "Globex secrets", &due(), ""),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let id = body.trim().to_owned();
    let link = format!("/orgs/globex/drafts/{id}");
    assert_eq!(app.page(&link).await.0, 200);

    for login in ["mona", "octocat"] {
        app.sign_in(login).await;
        let (status, html) = app.page(&link).await;
        assert_eq!(status, 403, "{login}");
        assert!(
            !html.contains("Globex secrets"),
            "nothing of the draft shows"
        );
        assert!(
            html.contains("owner or security manager of globex"),
            "{html}"
        );
        for (f, extra) in [
            ("drafts/get", vec![]),
            ("drafts/publish", vec![("revision", "1")]),
            ("drafts/comment", vec![("body", "hi")]),
        ] {
            let mut pairs = vec![("org", "globex"), ("id", id.as_str())];
            pairs.extend(extra);
            let (status, body) = call(&app, f, &pairs).await;
            assert_eq!(status, 403, "{login} {f}: {body}");
        }
        let (status, _) = call(&app, "drafts/list", &[("org", "globex")]).await;
        assert_eq!(status, 403);
        // Nor can it be saved over.
        let (status, _) = call(
            &app,
            "drafts/save",
            &[("org", "globex"), ("name", "x"), ("draft", id.as_str())],
        )
        .await;
        assert_eq!(status, 403);
    }
}

#[tokio::test]
async fn without_javascript_a_draft_is_saved_kept_when_refused_and_published() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    let picked = some_alerts(&app, 3).await;
    let keys: Vec<&str> = picked.iter().map(|(k, _, _)| k.as_str()).collect();
    let new = "/orgs/acme-corp/campaigns/new?picker=server";

    // Refused without a name: back to the form, everything typed still there.
    let mut form = draft_form("acme-corp", "", "", "");
    form.retain(|(k, _)| *k != "alerts" && *k != "ends_at");
    form.push(("picked[0]", keys[0]));
    form.push(("picked[1]", keys[1]));
    let back = app
        .failed_post_without_js("/api/drafts/save", &form, new)
        .await;
    assert!(back.contains("A draft needs a name"));
    assert!(
        back.contains("Drafted for review."),
        "the description is kept"
    );
    assert!(
        back.contains(keys[0]) && back.contains(keys[1]),
        "the selection is kept"
    );

    // Saved: the browser lands on the draft's page.
    let mut form = draft_form("acme-corp", "No-JS draft", "", "");
    form.retain(|(k, _)| *k != "alerts" && *k != "ends_at");
    form.push(("picked[0]", keys[0]));
    let res = app.post_without_js("/api/drafts/save", &form, new).await;
    assert!(res.status().is_redirection());
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        to.starts_with("/orgs/acme-corp/drafts/") && to.ends_with("?saved=1"),
        "{to}"
    );
    let link = to.trim_end_matches("?saved=1").to_owned();
    let id = link.rsplit('/').next().unwrap().to_owned();

    // A publish refused (the draft has no due date) comes back to the draft with the reason.
    let publish = [("org", "acme-corp"), ("id", id.as_str()), ("revision", "1")];
    let html = app
        .failed_post_without_js("/api/drafts/publish", &publish, &link)
        .await;
    assert!(html.contains("Choose a due date."), "the reason is shown");
    assert_eq!(creates_sent(&app), 0);

    // A comment without JavaScript, then the due date added, then published.
    let res = app
        .post_without_js(
            "/api/drafts/comment",
            &[("org", "acme-corp"), ("id", &id), ("body", "Due date?")],
            &link,
        )
        .await;
    assert!(res.status().is_redirection());
    assert!(app.page(&link).await.1.contains("Due date?"));
    let due = due();
    let mut form = draft_form("acme-corp", "No-JS draft", &due, "");
    form.retain(|(k, _)| *k != "alerts");
    form.push(("picked[0]", keys[0]));
    form.push(("draft", &id));
    let res = app.post_without_js("/api/drafts/save", &form, new).await;
    assert!(res.status().is_redirection());
    let publish = [("org", "acme-corp"), ("id", id.as_str()), ("revision", "2")];
    let res = app
        .post_without_js("/api/drafts/publish", &publish, &link)
        .await;
    assert!(res.status().is_redirection());
    let to = res.headers()["location"].to_str().unwrap();
    assert!(
        to.starts_with("/orgs/acme-corp/campaigns/") && to.ends_with("?created=1"),
        "{to}"
    );
    assert_eq!(creates_sent(&app), 1);
    assert_eq!(app.page(&link).await.0, 404);
}
