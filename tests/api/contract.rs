//! Contract tests against GitHub's official OpenAPI description (`openapi/github.json`):
//! 1. every example response of our fourteen operations deserializes into our models;
//! 2. every request body the client can produce validates against the operation's request schema;
//! 3. every answer the emulator gives for these operations validates against the response schema.

use crate::helpers::{github_list, spawn_emulator};
use campaigns_admin::github::models::*;
use chrono::{Duration, Utc};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use std::sync::OnceLock;

/// Where our models knowingly differ from the description. Every entry says why.
/// (GitHub's own examples omit `contact_link` although `campaign-summary` requires it, so our model
/// treats it as optional; that leniency is tested, not excepted.)
const EXCEPTIONS: &[(&str, &str)] = &[(
    "apps/list-installations: an item's `account`",
    "the description's inline item schema makes `account` allOf simple-user AND enterprise, which no \
     account can meet; the emulator's answer is checked against the `installation` schema's anyOf of \
     the two instead, as apps/get-org-installation describes the same object",
)];

fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/github.json"))
                .expect("openapi/github.json is vendored");
        serde_json::from_str(&text).expect("the vendored description is JSON")
    })
}

fn operation(id: &str) -> (&'static str, &'static str, &'static Value) {
    for (path, item) in spec()["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op["operationId"] == id {
                return (path.as_str(), method.as_str(), op);
            }
        }
    }
    panic!("operation {id} is not in openapi/github.json");
}

/// Follows a local `$ref` once, if the value is one.
fn deref(v: &Value) -> &Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => spec()
            .pointer(r.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("dangling {r}")),
        None => v,
    }
}

/// OpenAPI 3.0 → JSON Schema: `nullable: true` becomes "or null"; everything else is kept.
fn to_json_schema(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut out = serde_json::Map::new();
            for (k, val) in map {
                if k == "nullable" || k == "discriminator" || k == "example" || k == "examples" {
                    continue;
                }
                out.insert(k.clone(), to_json_schema(val));
            }
            if map.get("nullable") == Some(&Value::Bool(true)) {
                json!({ "anyOf": [Value::Object(out), { "type": "null" }] })
            } else {
                Value::Object(out)
            }
        }
        Value::Array(items) => Value::Array(items.iter().map(to_json_schema).collect()),
        other => other.clone(),
    }
}

/// A validator for `schema`, with the description's components available to its `$ref`s.
fn validator(schema: &Value) -> jsonschema::Validator {
    let mut root = to_json_schema(schema);
    let components = json!({ "schemas": to_json_schema(&spec()["components"]["schemas"]) });
    match root.as_object_mut() {
        Some(obj) => {
            obj.insert("components".into(), components);
        }
        None => panic!("schema is not an object"),
    }
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&root)
        .expect("the schema compiles")
}

fn assert_valid(what: &str, schema: &Value, instance: &Value) {
    let v = validator(schema);
    let errors: Vec<String> = v
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .take(5)
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not match its schema:\n{}",
        errors.join("\n")
    );
}

fn response_schema(op_id: &str, status: &str) -> Value {
    let (_, _, op) = operation(op_id);
    let resp = deref(&op["responses"][status]);
    resp["content"]["application/json"]["schema"].clone()
}

fn request_schema(op_id: &str) -> Value {
    let (_, _, op) = operation(op_id);
    op["requestBody"]["content"]["application/json"]["schema"].clone()
}

/// Every example value of an operation's success answer (200, or 201 for a token).
fn examples(op_id: &str) -> Vec<Value> {
    let (_, _, op) = operation(op_id);
    let status = if op["responses"]["200"].is_null() {
        "201"
    } else {
        "200"
    };
    let content = &deref(&op["responses"][status])["content"]["application/json"];
    let mut out = Vec::new();
    if let Some(map) = content["examples"].as_object() {
        for ex in map.values() {
            out.push(deref(ex)["value"].clone());
        }
    }
    out
}

fn all_examples_deserialize<T: DeserializeOwned>(op_id: &str) -> usize {
    let list = examples(op_id);
    for ex in &list {
        if let Err(e) = serde_json::from_value::<T>(ex.clone()) {
            panic!("an example of {op_id} does not deserialize: {e}");
        }
    }
    list.len()
}

const OPERATIONS: [&str; 14] = [
    "campaigns/list-org-campaigns",
    "campaigns/create-campaign",
    "campaigns/get-campaign-summary",
    "campaigns/update-campaign",
    "campaigns/delete-campaign",
    "code-scanning/list-alerts-for-org",
    "code-scanning/update-alert",
    "users/get-authenticated",
    "orgs/list-for-authenticated-user",
    "orgs/list-members",
    "teams/list",
    "apps/get-org-installation",
    "apps/create-installation-access-token",
    "apps/list-installations",
];

#[test]
fn the_vendored_description_has_all_fourteen_operations() {
    for id in OPERATIONS {
        operation(id);
    }
    assert!(EXCEPTIONS.iter().all(|(_, why)| !why.is_empty()));
}

#[test]
fn every_example_response_deserializes_into_our_models() {
    let mut n = 0;
    n += all_examples_deserialize::<Vec<CampaignSummary>>("campaigns/list-org-campaigns");
    n += all_examples_deserialize::<CampaignSummary>("campaigns/create-campaign");
    n += all_examples_deserialize::<CampaignSummary>("campaigns/get-campaign-summary");
    n += all_examples_deserialize::<CampaignSummary>("campaigns/update-campaign");
    n += all_examples_deserialize::<Vec<CodeScanningAlert>>("code-scanning/list-alerts-for-org");
    n += all_examples_deserialize::<RepoAlert>("code-scanning/update-alert");
    n += all_examples_deserialize::<AuthenticatedUser>("users/get-authenticated");
    n += all_examples_deserialize::<Vec<OrganizationSimple>>("orgs/list-for-authenticated-user");
    n += all_examples_deserialize::<Vec<SimpleUser>>("orgs/list-members");
    n += all_examples_deserialize::<Vec<Team>>("teams/list");
    n += all_examples_deserialize::<Installation>("apps/get-org-installation");
    n += all_examples_deserialize::<InstallationToken>("apps/create-installation-access-token");
    n += all_examples_deserialize::<Vec<Installation>>("apps/list-installations");
    // delete-campaign answers 204 without a body: nothing to deserialize.
    assert!(n >= 13, "only {n} examples found");
}

fn minimal_create() -> CreateCampaignBody {
    CreateCampaignBody {
        name: "A".into(),
        description: "B".into(),
        managers: vec![],
        team_managers: vec![],
        ends_at: Utc::now() + Duration::days(1),
        contact_link: None,
        code_scanning_alerts: vec![RepositoryAlerts {
            repository_id: 1,
            alert_numbers: vec![1],
        }],
        generate_issues: false,
    }
}

fn maximal_create() -> CreateCampaignBody {
    CreateCampaignBody {
        name: "n".repeat(50),
        description: "d".repeat(255),
        managers: vec!["mona".into()],
        team_managers: (0..10).map(|i| format!("team-{i}")).collect(),
        ends_at: Utc::now() + Duration::days(365),
        contact_link: Some("https://chat.example.com/appsec".into()),
        code_scanning_alerts: (0..20)
            .map(|r| RepositoryAlerts {
                repository_id: r,
                alert_numbers: (1..=50).collect(),
            })
            .collect(),
        generate_issues: true,
    }
}

#[test]
fn create_bodies_validate_against_the_request_schema() {
    let schema = request_schema("campaigns/create-campaign");
    for (what, body) in [("minimal", minimal_create()), ("maximal", maximal_create())] {
        assert_valid(
            &format!("{what} create body"),
            &schema,
            &serde_json::to_value(body).unwrap(),
        );
    }
    // And the schema is strict enough to catch a body we must never send.
    let mut bad = serde_json::to_value(minimal_create()).unwrap();
    bad["name"] = json!("x".repeat(51));
    assert!(!validator(&schema).is_valid(&bad));
}

#[test]
fn update_bodies_validate_against_the_request_schema() {
    let schema = request_schema("campaigns/update-campaign");
    let minimal = UpdateCampaignBody {
        state: Some(CampaignState::Closed),
        ..Default::default()
    };
    let maximal = UpdateCampaignBody {
        name: Some("n".repeat(50)),
        description: Some("d".repeat(255)),
        managers: Some(vec!["mona".into()]),
        team_managers: Some((0..10).map(|i| format!("t{i}")).collect()),
        ends_at: Some(Utc::now() + Duration::days(3)),
        contact_link: Some(None),
        state: Some(CampaignState::Open),
    };
    for (what, body) in [("minimal", minimal), ("maximal", maximal)] {
        assert_valid(
            &format!("{what} update body"),
            &schema,
            &serde_json::to_value(body).unwrap(),
        );
    }
}

#[test]
fn alert_update_bodies_validate_against_the_request_schema() {
    let schema = request_schema("code-scanning/update-alert");
    let bodies = [
        UpdateAlertBody {
            state: Some("dismissed".into()),
            dismissed_reason: Some("false positive".into()),
            dismissed_comment: Some("c".repeat(280)),
            ..Default::default()
        },
        UpdateAlertBody {
            state: Some("open".into()),
            ..Default::default()
        },
        UpdateAlertBody {
            assignees: Some(vec!["mona".into()]),
            ..Default::default()
        },
        UpdateAlertBody {
            assignees: Some(vec![]),
            ..Default::default()
        },
    ];
    for body in bodies {
        let value = serde_json::to_value(&body).unwrap();
        assert_valid(&format!("alert update {value}"), &schema, &value);
    }
    // Strict enough to catch what we must never send: a reason GitHub does not know, a comment
    // over its limit.
    let bad = json!({"state": "dismissed", "dismissed_reason": "not mine"});
    assert!(!validator(&schema).is_valid(&bad));
    let long = json!({"state": "dismissed", "dismissed_reason": "won't fix", "dismissed_comment": "c".repeat(281)});
    assert!(!validator(&schema).is_valid(&long));
}

/// The alert update: a dismissal, an assignment and a reopening, and the refusals (a dismissal
/// without a reason, an assignee who is not a member, a member without write access), each as
/// the description says.
#[tokio::test]
async fn the_alert_update_answers_as_the_description_says() {
    let em = spawn_emulator().await;
    let http = reqwest::Client::new();
    let token = em
        .emulator()
        .issue_token("mona", &["security_events", "read:org"])
        .unwrap();
    let alerts = github_list(
        em.url("/orgs/acme-corp/code-scanning/alerts?state=open&per_page=1"),
        &token,
    )
    .await;
    let a = &alerts[0];
    let path = format!(
        "/repos/acme-corp/{}/code-scanning/alerts/{}",
        a["repository"]["name"].as_str().unwrap(),
        a["number"]
    );
    let patch = |token: &str, body: Value| http.patch(em.url(&path)).bearer_auth(token).json(&body);
    let op = "code-scanning/update-alert";
    let (status, body) = answer(patch(&token, json!({"state": "dismissed", "dismissed_reason": "used in tests", "dismissed_comment": "fixture"}))).await;
    assert_eq!(status, 200, "{body}");
    assert_valid("dismissed alert", &response_schema(op, "200"), &body);
    assert_eq!(body["dismissed_comment"], "fixture");
    assert_eq!(body["dismissed_by"]["login"], "mona");
    let (status, body) = answer(patch(&token, json!({"state": "open"}))).await;
    assert_eq!((status, body["state"].as_str()), (200, Some("open")));
    let (status, body) = answer(patch(&token, json!({"assignees": ["octocat"]}))).await;
    assert_eq!(status, 200, "{body}");
    assert_valid("assigned alert", &response_schema(op, "200"), &body);
    assert_eq!(body["assignees"][0]["login"], "octocat");
    // The org list filters by assignee.
    let listed = github_list(
        em.url("/orgs/acme-corp/code-scanning/alerts?assignees=octocat&per_page=100"),
        &token,
    )
    .await;
    assert!(listed
        .iter()
        .any(|x| x["number"] == a["number"] && x["repository"]["id"] == a["repository"]["id"]));
    assert!(listed.iter().all(|x| x["assignees"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["login"] == "octocat")));
    for (body, why) in [
        (json!({"state": "dismissed"}), "dismissed_reason"),
        (json!({"assignees": ["nobody-at-all"]}), "Invalid assignee"),
    ] {
        let (status, answer) = answer(patch(&token, body)).await;
        assert_eq!(status, 400, "{answer}");
        assert!(
            answer["message"].as_str().unwrap().contains(why),
            "{answer}"
        );
        assert_valid("refused update", &response_schema(op, "400"), &answer);
    }
    let member = em
        .emulator()
        .issue_token("octocat", &["security_events", "read:org"])
        .unwrap();
    let (status, answer) = answer(patch(&member, json!({"state": "open"}))).await;
    assert_eq!(status, 403, "{answer}");
    assert_valid("forbidden update", &response_schema(op, "403"), &answer);
}

#[tokio::test]
async fn every_emulator_answer_validates_against_the_response_schema() {
    let em = spawn_emulator().await;
    let token = em
        .emulator()
        .issue_token("mona", &["security_events", "read:org"])
        .unwrap();
    let http = reqwest::Client::new();
    let call = |method: reqwest::Method, path: &str, body: Option<Value>| {
        let mut req = http.request(method, em.url(path)).bearer_auth(&token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send()
    };
    let check = |op: &str, status: &str, value: &Value| {
        assert_valid(
            &format!("emulator answer {status} of {op}"),
            &response_schema(op, status),
            value,
        );
    };

    let res = call(reqwest::Method::GET, "/user", None).await.unwrap();
    check("users/get-authenticated", "200", &res.json().await.unwrap());
    let res = call(reqwest::Method::GET, "/user/orgs", None)
        .await
        .unwrap();
    check(
        "orgs/list-for-authenticated-user",
        "200",
        &res.json().await.unwrap(),
    );
    let res = call(reqwest::Method::GET, "/orgs/acme-corp/members", None)
        .await
        .unwrap();
    check("orgs/list-members", "200", &res.json().await.unwrap());
    let res = call(reqwest::Method::GET, "/orgs/acme-corp/teams", None)
        .await
        .unwrap();
    check("teams/list", "200", &res.json().await.unwrap());
    let res = call(
        reqwest::Method::GET,
        "/orgs/acme-corp/campaigns?state=closed",
        None,
    )
    .await
    .unwrap();
    check(
        "campaigns/list-org-campaigns",
        "200",
        &res.json().await.unwrap(),
    );
    let res = call(reqwest::Method::GET, "/orgs/acme-corp/campaigns", None)
        .await
        .unwrap();
    check(
        "campaigns/list-org-campaigns",
        "200",
        &res.json().await.unwrap(),
    );
    for state in ["open", "fixed", "dismissed"] {
        let res = call(
            reqwest::Method::GET,
            &format!("/orgs/acme-corp/code-scanning/alerts?state={state}&per_page=100"),
            None,
        )
        .await
        .unwrap();
        let alerts: Value = res.json().await.unwrap();
        assert!(!alerts.as_array().unwrap().is_empty());
        check("code-scanning/list-alerts-for-org", "200", &alerts);
    }

    let res = call(
        reqwest::Method::GET,
        "/orgs/acme-corp/code-scanning/alerts?state=open&per_page=3",
        None,
    )
    .await
    .unwrap();
    let alerts: Vec<Value> = res.json().await.unwrap();
    let body = json!({
        "name": "Contract", "description": "Checked against the schema",
        "managers": ["mona"], "team_managers": ["appsec"],
        "ends_at": (Utc::now() + Duration::days(5)).to_rfc3339(),
        "contact_link": "mailto:appsec@acme.example",
        "code_scanning_alerts": [{"repository_id": alerts[0]["repository"]["id"], "alert_numbers": [alerts[0]["number"]]}],
    });
    let res = call(
        reqwest::Method::POST,
        "/orgs/acme-corp/campaigns",
        Some(body.clone()),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 200);
    let created: Value = res.json().await.unwrap();
    check("campaigns/create-campaign", "200", &created);
    let number = created["number"].as_i64().unwrap();
    // The response schemas really are applied: a campaign missing `number` fails them.
    let mut broken = created.clone();
    broken.as_object_mut().unwrap().remove("number");
    assert!(
        !validator(&response_schema("campaigns/get-campaign-summary", "200")).is_valid(&broken)
    );
    let res = call(
        reqwest::Method::GET,
        &format!("/orgs/acme-corp/campaigns/{number}"),
        None,
    )
    .await
    .unwrap();
    check(
        "campaigns/get-campaign-summary",
        "200",
        &res.json().await.unwrap(),
    );
    let res = call(
        reqwest::Method::PATCH,
        &format!("/orgs/acme-corp/campaigns/{number}"),
        Some(json!({"state": "closed", "contact_link": null})),
    )
    .await
    .unwrap();
    check(
        "campaigns/update-campaign",
        "200",
        &res.json().await.unwrap(),
    );

    // Error answers have GitHub's documented shapes too.
    let mut invalid = body.clone();
    invalid["name"] = json!("");
    let res = call(
        reqwest::Method::POST,
        "/orgs/acme-corp/campaigns",
        Some(invalid),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 422);
    check(
        "campaigns/create-campaign",
        "422",
        &res.json().await.unwrap(),
    );
    let res = call(
        reqwest::Method::PATCH,
        &format!("/orgs/acme-corp/campaigns/{number}"),
        Some(json!({"ends_at": "yesterday"})),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 422);
    check(
        "campaigns/update-campaign",
        "422",
        &res.json().await.unwrap(),
    );
    let res = call(
        reqwest::Method::GET,
        "/orgs/acme-corp/campaigns/99999",
        None,
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 404);
    check(
        "campaigns/get-campaign-summary",
        "404",
        &res.json().await.unwrap(),
    );
    let res = call(
        reqwest::Method::DELETE,
        &format!("/orgs/acme-corp/campaigns/{number}"),
        None,
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 204);
    assert!(res.bytes().await.unwrap().is_empty());
    let res = call(
        reqwest::Method::DELETE,
        &format!("/orgs/acme-corp/campaigns/{number}"),
        None,
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 404);
    check(
        "campaigns/delete-campaign",
        "404",
        &res.json().await.unwrap(),
    );
    let res = http.get(em.url("/user")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    check("users/get-authenticated", "401", &res.json().await.unwrap());
}

/// A request's status and JSON body.
async fn answer(req: reqwest::RequestBuilder) -> (u16, Value) {
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

/// The GitHub App operations, asked as the demo App (a JWT), and what its installation token may
/// then read: each answer as the description says.
#[tokio::test]
async fn the_app_operations_answer_as_the_description_says() {
    use campaigns_admin::github::app::GitHubApp;
    use campaigns_admin::settings::{GitHubAppSettings, DEMO_APP_ID, DEMO_APP_PRIVATE_KEY};
    use secrecy::ExposeSecret;
    let em = spawn_emulator().await;
    let app = GitHubApp::new(&GitHubAppSettings {
        id: DEMO_APP_ID,
        private_key: secrecy::SecretString::from(DEMO_APP_PRIVATE_KEY),
    })
    .unwrap();
    let jwt = app.jwt(Utc::now()).unwrap();
    let jwt = jwt.expose_secret();
    let http = reqwest::Client::new();
    let check = |op: &str, status: u16, value: &Value| {
        let status = status.to_string();
        let what = format!("emulator answer {status} of {op}");
        assert_valid(&what, &response_schema(op, &status), value);
    };

    let (status, installation) = answer(
        http.get(em.url("/orgs/acme-corp/installation"))
            .bearer_auth(jwt),
    )
    .await;
    assert_eq!(status, 200);
    check("apps/get-org-installation", status, &installation);
    let (status, listed) = answer(http.get(em.url("/app/installations")).bearer_auth(jwt)).await;
    assert_eq!(status, 200);
    // The one exception (see EXCEPTIONS): `account` as the `installation` schema has it.
    let mut schema = response_schema("apps/list-installations", "200");
    schema["items"]["properties"]["account"] =
        spec()["components"]["schemas"]["installation"]["properties"]["account"].clone();
    assert_valid(
        "emulator answer 200 of apps/list-installations",
        &schema,
        &listed,
    );
    assert_eq!(listed.as_array().map(Vec::len), Some(2), "both demo orgs");

    let create = "apps/create-installation-access-token";
    let tokens_of = |id: &str| em.url(&format!("/app/installations/{id}/access_tokens"));
    let id = installation["id"].to_string();
    let (status, token) = answer(http.post(tokens_of(&id)).bearer_auth(jwt)).await;
    assert_eq!(status, 201);
    check(create, status, &token);
    let (status, body) = answer(http.post(tokens_of("999")).bearer_auth(jwt)).await;
    assert_eq!(status, 404);
    check(create, status, &body);
    let (status, body) = answer(http.post(tokens_of(&id))).await;
    assert_eq!(status, 401);
    check(create, status, &body);

    let token = token["token"].as_str().unwrap();
    for (op, path) in [
        ("campaigns/list-org-campaigns", "/orgs/acme-corp/campaigns"),
        (
            "code-scanning/list-alerts-for-org",
            "/orgs/acme-corp/code-scanning/alerts?per_page=5",
        ),
    ] {
        let (status, body) = answer(http.get(em.url(path)).bearer_auth(token)).await;
        assert_eq!(status, 200, "{path} as the installation");
        check(op, status, &body);
    }
}
