//! Every org at once (`/`): one campaigns list per org, sent together; counts for the orgs the
//! user manages, "no role" for the others, totals, and the same as CSV and JSON.

use crate::helpers::spawn_app;
use campaigns_admin::emulator::FaultRule;
use scraper::{Html, Selector};
use serde_json::Value;

fn texts(doc: &Html, css: &str) -> Vec<String> {
    doc.select(&Selector::parse(css).unwrap())
        .map(|e| e.text().collect::<String>().trim().to_owned())
        .collect()
}

/// The roll-up's rows (an org's cells, the org first) by org login.
fn rollup_rows(doc: &Html) -> Vec<Vec<String>> {
    let row = Selector::parse("#rollup tbody tr").unwrap();
    let cell = Selector::parse("th, td").unwrap();
    doc.select(&row)
        .map(|r| {
            r.select(&cell)
                .map(|c| c.text().collect::<String>().trim().to_owned())
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn hubot_sees_both_orgs_counted_from_one_list_per_org() {
    let app = spawn_app().await;
    app.sign_in("hubot").await;
    app.emulator.clear_requests();
    let res = app.get("/").await;
    assert_eq!(res.status(), 200);
    let doc = Html::parse_document(&res.text().await.unwrap());
    let asked: Vec<String> = (app.emulator.requests().into_iter())
        .filter(|r| r.path.ends_with("/campaigns"))
        .map(|r| r.path)
        .collect();
    assert_eq!(asked.len(), 2, "one list per org: {asked:?}");

    let rows = rollup_rows(&doc);
    let orgs: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(orgs, ["acme-corp", "globex"]);
    let mut total_open = 0;
    for r in &rows {
        let open: Vec<Value> = app
            .get(&format!("/orgs/{}/campaigns.json?state=open", r[0]))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(r[1], open.len().to_string(), "{}'s open campaigns", r[0]);
        let overdue = (open.iter())
            .filter(|c| c["due_status"] == "Overdue")
            .count();
        assert_eq!(r[2], overdue.to_string(), "{}'s overdue ones", r[0]);
        total_open += open.len();
    }
    let totals = texts(&doc, "#rollup tfoot td");
    assert_eq!(totals[0], total_open.to_string());
    let remaining: i64 = rows.iter().map(|r| r[4].parse::<i64>().unwrap()).sum();
    assert_eq!(totals[3], remaining.to_string());
    assert!(remaining > 0, "the demo campaigns have alerts left");
}

#[tokio::test]
async fn an_org_without_the_role_is_listed_as_such_and_one_github_refuses_is_named() {
    let app = spawn_app().await;
    // mona is a security manager of acme-corp and a plain member of globex.
    app.sign_in("mona").await;
    let doc = Html::parse_document(&app.get("/").await.text().await.unwrap());
    let rows = rollup_rows(&doc);
    let globex = rows
        .iter()
        .find(|r| r[0] == "globex")
        .expect("globex listed");
    assert_eq!(globex.len(), 2, "no counts: {globex:?}");
    assert!(globex[1].contains("No campaign role"), "{globex:?}");
    let acme = rows.iter().find(|r| r[0] == "acme-corp").unwrap();
    assert_eq!(acme.len(), 6, "counted: {acme:?}");
    // The totals are acme-corp's alone.
    assert_eq!(texts(&doc, "#rollup tfoot td")[0], acme[1]);

    // GitHub failing for one org leaves the other counted and says so for that one.
    app.emulator.add_fault(FaultRule {
        times: None,
        ..FaultRule::status_once("/orgs/acme-corp/campaigns", 502)
    });
    let res = app.get("/").await;
    assert_eq!(res.status(), 200);
    let doc = Html::parse_document(&res.text().await.unwrap());
    let acme = rollup_rows(&doc)
        .into_iter()
        .find(|r| r[0] == "acme-corp")
        .unwrap();
    assert!(acme[1].contains("GitHub did not answer"), "{acme:?}");
    let globex = rollup_rows(&doc)
        .into_iter()
        .find(|r| r[0] == "globex")
        .unwrap();
    assert!(globex[1].contains("No campaign role"), "{globex:?}");
    app.emulator.clear_faults();
}

#[tokio::test]
async fn the_rollup_downloads_as_csv_and_json_with_a_totals_row() {
    let app = spawn_app().await;
    // Signed out: sent to sign in, nothing listed.
    assert_eq!(app.get("/rollup.json").await.status(), 303);
    app.sign_in("mona").await;
    let json: Vec<Value> = app.get("/rollup.json").await.json().await.unwrap();
    let by_org = |org: &str| json.iter().find(|r| r["org"] == org).unwrap().clone();
    assert_eq!(by_org("acme-corp")["standing"], "managed");
    assert!(by_org("acme-corp")["open_campaigns"].as_u64().unwrap() > 0);
    assert_eq!(by_org("globex")["standing"], "no role");
    assert_eq!(by_org("globex")["open_campaigns"], Value::Null);
    let total = json.last().unwrap();
    assert_eq!(total["standing"], "total");
    assert_eq!(
        total["open_campaigns"],
        by_org("acme-corp")["open_campaigns"]
    );

    let res = app.get("/rollup.csv").await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("campaigns-rollup-"));
    let csv = res.text().await.unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("org,standing,open_campaigns,overdue,behind,alerts_not_closed,closed_this_week,note")
    );
    assert_eq!(csv.lines().count(), json.len() + 1);
    assert!(csv.contains("\"globex\",\"no role\""));
}
