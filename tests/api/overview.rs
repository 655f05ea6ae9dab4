//! The org overview (`/orgs/{org}`): open campaigns, most urgent first, with their totals, who
//! runs them and the org's chart, from one GitHub list call.

use crate::helpers::spawn_app;
use scraper::{Html, Selector};

fn texts(doc: &Html, css: &str) -> Vec<String> {
    doc.select(&Selector::parse(css).unwrap())
        .map(|e| e.text().collect::<String>().trim().to_owned())
        .collect()
}

#[tokio::test]
async fn choosing_an_org_leads_to_its_overview_of_open_campaigns() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    let home = app.get("/").await.text().await.unwrap();
    assert!(
        home.contains("href=\"/orgs/acme-corp\""),
        "home links to the overview"
    );

    // GitHub's list leaves the counts out: the overview shows the latest the app recorded, and
    // says when. Viewing the list reads each campaign, and records what it has now.
    let open = app
        .get("/orgs/acme-corp/campaigns.json?state=open")
        .await
        .json::<Vec<serde_json::Value>>()
        .await
        .unwrap();
    assert!(!open.is_empty());
    let sum = |key: &str| {
        open.iter()
            .map(|c| c[key].as_i64().unwrap_or(0))
            .sum::<i64>()
            .to_string()
    };
    let counted = [
        sum("open_alerts"),
        sum("in_progress_alerts"),
        sum("closed_alerts"),
    ];
    assert_eq!(app.get("/orgs/acme-corp/campaigns").await.status(), 200);
    // The list keeps its snapshots without making the page wait: give them a moment.
    let mut tries = 0;
    let doc = loop {
        app.emulator.clear_requests();
        let res = app.get("/orgs/acme-corp").await;
        assert_eq!(res.status(), 200);
        let doc = Html::parse_document(&res.text().await.unwrap());
        tries += 1;
        if texts(&doc, "ul.stats li strong")[2..] == counted || tries == 50 {
            break doc;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(
        texts(&doc, "head > title"),
        ["Overview · acme-corp · campaigns-admin"]
    );
    // Totals across the open campaigns, as GitHub counts them.
    assert_eq!(texts(&doc, "ul.stats li strong")[2..], counted);
    assert_eq!(
        texts(&doc, ".as-of").len(),
        open.len(),
        "each says when it was counted"
    );

    // What GitHub was asked: the open campaigns, once, none of them one by one.
    let asked: Vec<_> = app
        .emulator
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/orgs/acme-corp/campaigns"))
        .collect();
    assert_eq!(asked.len(), 1, "one list call: {asked:?}");
    assert!(asked[0].query.contains("state=open"));

    let names = texts(&doc, "a.campaign-link");
    assert_eq!(names.len(), open.len(), "every open campaign: {names:?}");
    for c in &open {
        assert!(
            names.contains(&c["name"].as_str().unwrap().to_owned()),
            "{c}"
        );
    }
    assert_eq!(
        texts(&doc, "#open-limit"),
        [format!("{} of 10 open", open.len())]
    );

    // Overdue first, then due within 7 days, then the rest: the due column never goes back up.
    let rank = |label: &str| match label {
        "Overdue" => 0,
        "Due soon" => 1,
        _ => 2,
    };
    let dues: Vec<i32> = texts(&doc, "table.campaigns span.due")
        .iter()
        .map(|l| rank(l))
        .collect();
    assert!(
        dues.contains(&0),
        "the seed has an overdue campaign: {dues:?}"
    );
    assert!(dues.windows(2).all(|w| w[0] <= w[1]), "{dues:?}");

    // Who runs them, and the chart from the stored snapshots, with its sentence.
    let managers = texts(&doc, "table.loads td");
    assert!(managers.contains(&"AppSec".to_owned()), "{managers:?}");
    assert_eq!(texts(&doc, "svg.burndown-chart title").len(), 1);
    let summary = texts(&doc, "#trend-summary").concat();
    assert!(summary.contains("went from"), "{summary}");

    // A repeat view costs no rate limit.
    let token = app.emulator.tokens_of("mona").pop().unwrap();
    let used = app.emulator.rate_limit_used(&token);
    assert_eq!(app.get("/orgs/acme-corp").await.status(), 200);
    assert_eq!(app.emulator.rate_limit_used(&token), used);
}

#[tokio::test]
async fn the_overview_asks_who_is_signed_in_and_names_what_github_hides() {
    let app = spawn_app().await;
    let res = app.get("/orgs/acme-corp").await;
    assert_eq!(res.status(), 303, "signed out: sign in first");
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.starts_with("/auth/login?next=/orgs/acme-corp"), "{to}");
    app.sign_in("mona").await;
    let list = app
        .get("/orgs/acme-corp/campaigns")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        list.contains("Drafts made on GitHub&#x27;s own pages do not appear here")
            || list.contains("Drafts made on GitHub's own pages do not appear here")
    );
    let missing = app.get("/orgs/no-such-org").await;
    assert_eq!(missing.status(), 404);
}
