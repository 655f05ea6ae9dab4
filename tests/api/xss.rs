//! Every string GitHub controls is inert in the server's HTML: the payload corpus
//! (`tests/fixtures/xss-payloads.json`, shared with the browser spec) goes through every field
//! the emulator can carry, and every page that shows them is parsed and searched for anything
//! live: a script of the payloads, an event-handler attribute, a `javascript:` or `data:` URL, an
//! element the app never renders. Each page must also show the text exactly as GitHub sent it.

use crate::helpers::{slack_channel_form, spawn_app, TestApp};
use campaigns_admin::emulator::HOSTILE_ORG;
use scraper::{Html, Selector};

fn payloads() -> Vec<String> {
    let text = include_str!("../fixtures/xss-payloads.json");
    let list: Vec<String> = serde_json::from_str(text).expect("the payload corpus is JSON");
    assert!(list.len() >= 30, "at least 30 payloads");
    list
}

/// Elements the app never renders: any of them in a page came from a payload.
const FOREIGN: &[&str] = &[
    "iframe", "object", "embed", "base", "math", "svg", "video", "source", "marquee", "x", "frame",
    "frameset", "applet", "mtext", "animate",
];

/// What is live in `html`, one line each; empty when nothing is.
fn live_markup(html: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    let mut found = Vec::new();
    for el in doc.root_element().descendent_elements() {
        let v = el.value();
        let name = v.name();
        // The one SVG the app draws: a campaign's burndown and the org's chart.
        let ours = name == "svg" && v.attr("class") == Some("burndown-chart");
        if FOREIGN.contains(&name) && !ours {
            found.push(format!("a <{name}> element"));
        }
        if name == "script" {
            let text: String = el.text().collect();
            let ours = v.attr("src").is_some_and(|s| s.starts_with("/pkg/"))
                || text.contains("__RESOLVED_RESOURCES")
                || !text.contains("__xss");
            if !ours {
                found.push(format!("a script: {text}"));
            }
        }
        if name == "meta" && v.attr("http-equiv").is_some() {
            found.push("a <meta http-equiv>".to_owned());
        }
        if name == "img" {
            let src = v.attr("src").unwrap_or_default();
            if !(src.starts_with("https://") || src.starts_with("http://") || src.starts_with('/'))
            {
                found.push(format!("an <img src={src:?}>"));
            }
        }
        for (attr, value) in v.attrs() {
            if attr.to_ascii_lowercase().starts_with("on") {
                found.push(format!("an {attr} handler on <{name}>"));
            }
            let url_attr = matches!(attr, "href" | "src" | "action" | "formaction" | "data");
            let scheme = value.trim().to_ascii_lowercase();
            if url_attr
                && ["javascript:", "data:", "vbscript:"]
                    .iter()
                    .any(|s| scheme.starts_with(s))
            {
                found.push(format!("{attr}={value:?} on <{name}>"));
            }
        }
    }
    found
}

fn select<'a>(doc: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    doc.select(&Selector::parse(css).expect("a valid selector"))
        .collect()
}

fn text_of(el: &scraper::ElementRef) -> String {
    el.text().collect()
}

async fn page(app: &TestApp, path: &str) -> Html {
    let res = app.get(path).await;
    assert_eq!(res.status(), 200, "{path}");
    let html = res.text().await.unwrap();
    let live = live_markup(&html);
    assert!(live.is_empty(), "{path} has live markup: {live:#?}");
    Html::parse_document(&html)
}

#[test]
fn the_checker_finds_what_a_payload_makes_live() {
    // The checks themselves, against the payloads written into HTML unescaped: nearly all are
    // live there (a few, such as entity-encoded ones, are inert even so).
    let payloads = payloads();
    let missed: Vec<&String> = payloads
        .iter()
        .filter(|p| {
            let raw = format!("<html><head><title>{p}</title></head><body><textarea>{p}</textarea><p>{p}</p><a href=\"{p}\">x</a><input value='{p}'></body></html>");
            live_markup(&raw).is_empty()
        })
        .collect();
    assert!(
        missed.len() <= 5,
        "not detected when unescaped: {missed:#?}"
    );
    assert!(live_markup("<p>&lt;script&gt;window.__xss=1&lt;/script&gt;</p>").is_empty());
}

#[tokio::test]
async fn text_from_github_is_shown_as_text_on_every_page_that_shows_it() {
    let app = spawn_app().await;
    let payloads = payloads();
    let numbers = app.emulator.plant_hostile_text(&payloads);
    app.sign_in("mona").await;
    let org = format!("/orgs/{HOSTILE_ORG}/campaigns");

    // Home and the header's organisation switcher: organisation logins.
    let home = page(&app, "/").await;
    let shown: Vec<String> = select(&home, "a.org-link").iter().map(text_of).collect();
    for p in &payloads {
        assert!(
            shown.contains(p),
            "the home page lists the org {p:?} as text"
        );
    }

    // The list: campaign names and managers.
    let list = page(&app, &format!("{org}?state=all&per_page=100")).await;
    let names: Vec<String> = select(&list, "a.campaign-link")
        .iter()
        .map(text_of)
        .collect();
    for p in &payloads {
        assert!(
            names.contains(p),
            "the list shows the campaign {p:?} as text"
        );
    }

    // The overview: the open campaigns' names, their managers and teams.
    let overview = page(&app, &format!("/orgs/{HOSTILE_ORG}")).await;
    let open: Vec<String> = select(&overview, "a.campaign-link")
        .iter()
        .map(text_of)
        .collect();
    let loads: Vec<String> = select(&overview, "table.loads td")
        .iter()
        .map(text_of)
        .collect();
    for p in &payloads {
        assert!(
            open.contains(p),
            "the overview shows the campaign {p:?} as text"
        );
        assert!(
            loads.contains(p),
            "the overview counts the manager and team {p:?}"
        );
    }

    // Changes made through the app: the audit log and each detail page's "Changes made here"
    // show the campaigns' names.
    for number in &numbers {
        let body = format!("org={HOSTILE_ORG}&number={number}&state=closed");
        let res = app.post("/api/campaigns/set_state", &body).await;
        assert_eq!(res.status(), 200, "closing #{number}");
    }
    let audit = page(&app, &format!("/orgs/{HOSTILE_ORG}/audit")).await;
    let logged = text_of(&select(&audit, "table.audit")[0]);
    for p in &payloads {
        assert!(logged.contains(p.as_str()), "the audit log shows {p:?}");
    }

    for (p, number) in payloads.iter().zip(&numbers) {
        // Detail: name (title, heading, Open Graph), description, contact, managers, teams.
        let detail = page(&app, &format!("{org}/{number}")).await;
        let title = text_of(&select(&detail, "title")[0]);
        assert_eq!(title, format!("{p} · campaigns-admin"));
        let og = select(&detail, "meta[property=\"og:title\"]");
        assert_eq!(og[0].value().attr("content"), Some(p.as_str()));
        let text = text_of(&select(&detail, "main")[0]);
        assert!(text.contains(p.as_str()), "the detail page shows {p:?}");

        // Edit: the same in form fields, the description in its textarea exactly.
        let edit = page(&app, &format!("{org}/{number}/edit")).await;
        assert_eq!(
            text_of(&select(&edit, "title")[0]),
            format!("Edit {p} · campaigns-admin")
        );
        assert_eq!(text_of(&select(&edit, "textarea#description")[0]), *p);
        assert_eq!(
            select(&edit, "input#name")[0].value().attr("value"),
            Some(p.as_str())
        );

        let delete = page(&app, &format!("{org}/{number}/delete")).await;
        assert_eq!(
            text_of(&select(&delete, "title")[0]),
            format!("Delete {p} · campaigns-admin")
        );
    }

    // The create form (members, teams) and its server-rendered alert list (repositories, rules,
    // tools, paths).
    let new = page(&app, &format!("{org}/new")).await;
    let members: Vec<&str> = select(&new, "datalist option")
        .iter()
        .filter_map(|o| o.value().attr("value"))
        .collect();
    let teams = text_of(&select(&new, "main")[0]);
    for p in &payloads {
        assert!(
            members.contains(&p.as_str()),
            "the members list offers {p:?}"
        );
        assert!(teams.contains(p.as_str()), "the teams show {p:?}");
    }
    let picker = page(&app, &format!("{org}/new?picker=server")).await;
    let rows = text_of(&select(&picker, "ul.alert-rows")[0]);
    for p in &payloads {
        assert!(rows.contains(p.as_str()), "the alert list shows {p:?}");
    }

    // A campaign created here from every hostile alert: its alerts page shows repositories, rule
    // ids and names, and paths, in the per-repository table, the alert list and the filters.
    let picked: Vec<String> = select(&picker, "ul.alert-rows input[type=checkbox]")
        .iter()
        .filter_map(|i| i.value().attr("value").map(str::to_owned))
        .collect();
    assert_eq!(picked.len(), payloads.len());
    let due = (chrono::Utc::now() + chrono::Duration::days(30))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("org", HOSTILE_ORG),
            ("name", "Every payload"),
            ("description", "d"),
            ("ends_at", due.as_str()),
            ("alerts", picked.join(" ").as_str()),
        ])
        .finish();
    let res = app.post("/api/campaigns/create", &body).await;
    assert_eq!(res.status(), 200);
    let created: serde_json::Value = res.json().await.unwrap();
    let alerts = page(&app, &format!("{org}/{}/alerts", created["number"])).await;
    let repos = text_of(&select(&alerts, "table.repos")[0]);
    let list = text_of(&select(&alerts, "table.alerts")[0]);
    let filters: Vec<String> = select(&alerts, "form.filters option")
        .iter()
        .map(text_of)
        .collect();
    for p in &payloads {
        let full = format!("{HOSTILE_ORG}/{p}");
        assert!(repos.contains(&full), "the repository table shows {p:?}");
        assert!(list.contains(p.as_str()), "the alert list shows {p:?}");
        assert!(filters.contains(&full), "the filter offers {p:?}");
    }

    // The triage preview of every alert of that campaign: repositories, rules and the
    // campaign's name.
    let triage = page(
        &app,
        &format!(
            "{org}/{}/alerts/triage?action=assign&assignee=-&scope=matching",
            created["number"]
        ),
    )
    .await;
    let shown = text_of(&select(&triage, "main")[0]);
    for p in &payloads {
        assert!(
            shown.contains(&format!("{HOSTILE_ORG}/{p}")),
            "the triage preview shows {p:?}"
        );
    }
}

/// A plan's name is typed by a person: the preview, the plans list and the plan's page show it as
/// text, and so does the form that refuses one too long.
#[tokio::test]
async fn a_plans_name_is_shown_as_text() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    for p in payloads() {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("name", p.as_str()),
                ("split", "age"),
                ("wave_size", "1000"),
                ("publish_when", "closed"),
                ("cadence_days", "14"),
            ])
            .finish();
        let res = app.get(&format!("/orgs/acme-corp/plans/new?{query}")).await;
        let status = res.status().as_u16();
        let html = res.text().await.unwrap();
        assert!(
            live_markup(&html).is_empty(),
            "{p:?} is live on the plan preview"
        );
        assert!(status == 200 || status == 422, "{status}");
        let doc = Html::parse_document(&html);
        let main = text_of(&select(&doc, "main")[0]);
        let typed: Vec<String> = select(&doc, "input#plan-name")
            .iter()
            .filter_map(|i| i.value().attr("value").map(str::to_owned))
            .collect();
        // The router reads a query value decoded once more (`%3C` arrives as `<`): the name as
        // typed, trimmed, or so decoded, is what shows.
        let decoded: String =
            url::form_urlencoded::parse(format!("n={}", p.replace('+', "%2B")).as_bytes())
                .map(|(_, v)| v.into_owned())
                .next()
                .unwrap_or_default();
        let shown = [p.as_str(), p.trim(), decoded.as_str(), decoded.trim()]
            .iter()
            .any(|v| main.contains(v) || typed.iter().any(|t| t == v));
        assert!(shown, "{p:?} shown on the preview: {typed:?}");
    }
    let name = "<img src=x onerror=alert(1)>";
    let (status, body) = crate::campaign_create::call(
        &app,
        "plans/create",
        &[
            ("org", "acme-corp"),
            ("name", name),
            ("split", "severity"),
            ("wave_size", "1000"),
            ("publish_when", "closed"),
            ("cadence_days", "14"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let list = page(&app, "/orgs/acme-corp/plans").await;
    assert!(text_of(&select(&list, "a.plan-link")[0]).contains(name));
    let plan = page(&app, &format!("/orgs/acme-corp/plans/{}", body.trim())).await;
    assert_eq!(text_of(&select(&plan, "h1")[0]), name);
}

#[tokio::test]
async fn a_title_from_the_address_is_text_too() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    let hostile = "/orgs/%3C%2Ftitle%3E%3Cscript%3Ewindow.__xss%3D1%3C%2Fscript%3E";
    for path in [format!("{hostile}/campaigns"), hostile.to_owned()] {
        let html = app.get(&path).await.text().await.unwrap();
        assert!(
            live_markup(&html).is_empty(),
            "{path}: {:#?}",
            live_markup(&html)
        );
        assert!(!html.contains("</title><script>"), "{path}");
    }
}

#[tokio::test]
async fn text_typed_into_a_draft_is_shown_as_text_wherever_the_draft_shows() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    let payloads = payloads();
    for p in &payloads {
        // A name has at most 50 characters; everything else takes the payload whole.
        let name: String = p.chars().take(50).collect();
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("org", "acme-corp"),
                ("name", name.as_str()),
                ("description", p.as_str()),
                ("ends_at", p.as_str()),
                ("manager", p.as_str()),
                ("team_managers[0]", p.as_str()),
                ("contact_link", p.as_str()),
            ])
            .finish();
        let res = app.post("/api/drafts/save", &body).await;
        assert_eq!(res.status(), 200, "{p:?}");
        let id = res.text().await.unwrap();
        let comment = format!(
            "org=acme-corp&id={id}&body={}",
            url::form_urlencoded::byte_serialize(p.as_bytes()).collect::<String>()
        );
        assert_eq!(
            app.post("/api/drafts/comment", &comment).await.status(),
            200
        );

        let draft = page(&app, &format!("/orgs/acme-corp/drafts/{id}")).await;
        assert_eq!(
            text_of(&select(&draft, "title")[0]),
            format!("Draft: {name} · campaigns-admin")
        );
        assert_eq!(text_of(&select(&draft, "dd.description")[0]), *p);
        // A comment is kept trimmed.
        assert_eq!(text_of(&select(&draft, ".comment-body")[0]), p.trim());
        let fields = text_of(&select(&draft, "dl.fields")[0]);
        assert!(
            fields.contains(p.as_str()),
            "the draft shows {p:?} as typed"
        );

        let edit = page(&app, &format!("/orgs/acme-corp/campaigns/new?draft={id}")).await;
        assert_eq!(text_of(&select(&edit, "textarea#description")[0]), *p);
        assert_eq!(
            select(&edit, "input#name")[0].value().attr("value"),
            Some(name.as_str())
        );
    }
    // The lists of drafts name every one as text.
    for path in ["/orgs/acme-corp/campaigns", "/orgs/acme-corp"] {
        let list = page(&app, path).await;
        let names: Vec<String> = select(&list, "a.draft-link").iter().map(text_of).collect();
        for p in &payloads {
            let name: String = p.chars().take(50).collect();
            assert!(
                names.contains(&name),
                "{path} lists the draft {name:?} as text"
            );
        }
    }
}

/// The digests page shows what people typed (a channel's target, as its hint) as text, and a
/// digest's Slack text carries GitHub's names inert: every `<` in it opens one of the app's own
/// links.
#[tokio::test]
async fn text_on_the_digests_page_and_in_a_digest_is_inert() {
    let app = spawn_app().await;
    let payloads = payloads();
    app.emulator.plant_hostile_text(&payloads);
    app.sign_in("mona").await;
    let mut hints = Vec::new();
    for p in payloads.iter().take(20) {
        let target = format!("http://127.0.0.1:9/services/{p}");
        let body = slack_channel_form(HOSTILE_ORG, &target);
        let res = app.post("/api/digests/subscribe", &body).await;
        let status = res.status().as_u16();
        assert!(status == 200 || status == 422, "{p:?}: {status}");
        if status == 200 {
            hints.push(campaigns_admin::domain::digest::hint(
                campaigns_admin::domain::digest::ChannelKind::Slack,
                &target,
            ));
        }
    }
    assert!(!hints.is_empty());
    let digests = page(&app, &format!("/orgs/{HOSTILE_ORG}/digests")).await;
    let shown: Vec<String> = select(&digests, "tr.channel code")
        .iter()
        .map(text_of)
        .collect();
    for h in &hints {
        assert!(shown.contains(h), "{h:?} shown as text in {shown:?}");
    }
    let id = select(&digests, "tr.channel input[name=id]")[0]
        .value()
        .attr("value")
        .unwrap()
        .to_owned();
    let shown = page(&app, &format!("/orgs/{HOSTILE_ORG}/digests?preview={id}")).await;
    assert_eq!(select(&shown, "#digest-preview pre").len(), 1);
    let body = format!("org={HOSTILE_ORG}&id={id}");
    let res = app.post("/api/digests/preview", &body).await;
    assert_eq!(res.status(), 200);
    let preview: serde_json::Value = res.json().await.unwrap();
    let text = preview["text"].as_str().unwrap();
    for (i, _) in text.match_indices('<') {
        assert!(
            text[i..].starts_with("<http://127.0.0.1"),
            "a raw < at {i}: {text}"
        );
    }
}
