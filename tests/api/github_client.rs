//! The GitHub client against wiremock: exact headers, paths and bodies, every status mapping,
//! `Link` pagination, timeouts and redirects.

use campaigns_admin::domain::{CampaignNumber, OrgLogin};
use campaigns_admin::error::AppError;
use campaigns_admin::github::models::*;
use campaigns_admin::github::GitHubClient;
use secrecy::SecretString;
use serde_json::json;
use std::time::Duration;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn client_for(server: &MockServer) -> GitHubClient {
    client_with_timeout(&server.uri(), Duration::from_secs(5))
}

fn client_with_timeout(base: &str, timeout: Duration) -> GitHubClient {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .user_agent(campaigns_admin::github::USER_AGENT)
        .build()
        .unwrap();
    GitHubClient::with_http(http, url::Url::parse(base).unwrap())
}

fn token() -> SecretString {
    SecretString::from("test-token-value")
}

fn org() -> OrgLogin {
    OrgLogin::parse("acme").unwrap()
}

fn campaign_json(number: i64) -> serde_json::Value {
    json!({
        "number": number,
        "created_at": "2024-02-14T12:29:18Z",
        "updated_at": "2024-02-14T12:29:18Z",
        "name": "Critical alerts",
        "description": "Fix them",
        "managers": [],
        "ends_at": "2030-03-14T12:29:18Z",
        "closed_at": null,
        "state": "open",
        "contact_link": null,
    })
}

#[tokio::test]
async fn every_request_carries_githubs_headers_and_the_bearer_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/orgs/acme/campaigns/42"))
        .and(header("accept", "application/vnd.github+json"))
        .and(header("x-github-api-version", "2022-11-28"))
        .and(header("authorization", "Bearer test-token-value"))
        .respond_with(ResponseTemplate::new(200).set_body_json(campaign_json(42)))
        .expect(1)
        .mount(&server)
        .await;
    let c = client_for(&server)
        .get_campaign(&token(), &org(), CampaignNumber::new(42).unwrap())
        .await
        .unwrap();
    assert_eq!(c.number.get(), 42);
    let req = &server.received_requests().await.unwrap()[0];
    let ua = req.headers.get("user-agent").unwrap().to_str().unwrap();
    assert!(ua.starts_with("campaigns-admin/"), "{ua}");
    assert!(req.headers.get("cookie").is_none());
}

#[tokio::test]
async fn a_base_url_with_a_path_keeps_it_as_github_enterprise_server_needs() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v3/user"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"login": "mona", "id": 1})))
        .expect(1)
        .mount(&server)
        .await;
    let client = client_with_timeout(&format!("{}/api/v3", server.uri()), Duration::from_secs(5));
    let user = client.get_authenticated_user(&token()).await.unwrap();
    assert_eq!(user.login, "mona");
}

#[tokio::test]
async fn create_sends_exactly_the_documented_body_and_reads_the_campaign() {
    let server = MockServer::start().await;
    let ends_at = "2030-01-02T03:04:05Z".parse().unwrap();
    let body = CreateCampaignBody {
        name: "SQLi".into(),
        description: "Fix SQL injection".into(),
        managers: vec!["mona".into()],
        team_managers: vec![],
        ends_at,
        contact_link: None,
        code_scanning_alerts: vec![RepositoryAlerts {
            repository_id: 7,
            alert_numbers: vec![1, 2],
        }],
        generate_issues: false,
    };
    Mock::given(method("POST"))
        .and(path("/orgs/acme/campaigns"))
        .and(body_json(json!({
            "name": "SQLi",
            "description": "Fix SQL injection",
            "managers": ["mona"],
            "ends_at": "2030-01-02T03:04:05Z",
            "code_scanning_alerts": [{"repository_id": 7, "alert_numbers": [1, 2]}],
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(campaign_json(9)))
        .expect(1)
        .mount(&server)
        .await;
    let created = client_for(&server)
        .create_campaign(&token(), &org(), &body)
        .await
        .unwrap();
    assert_eq!(created.number.get(), 9);
}

#[tokio::test]
async fn a_failed_create_is_never_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(502))
        .expect(1)
        .mount(&server)
        .await;
    let body = CreateCampaignBody {
        name: "x".into(),
        description: "y".into(),
        managers: vec![],
        team_managers: vec![],
        ends_at: "2030-01-02T03:04:05Z".parse().unwrap(),
        contact_link: None,
        code_scanning_alerts: vec![],
        generate_issues: false,
    };
    let err = client_for(&server)
        .create_campaign(&token(), &org(), &body)
        .await
        .unwrap_err();
    assert_eq!(err, AppError::GitHubUnavailable);
}

#[tokio::test]
async fn update_sends_only_changed_fields_and_null_to_clear_the_contact_link() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path("/orgs/acme/campaigns/3"))
        .and(body_json(json!({"state": "closed", "contact_link": null})))
        .respond_with(ResponseTemplate::new(200).set_body_json(campaign_json(3)))
        .expect(1)
        .mount(&server)
        .await;
    let body = UpdateCampaignBody {
        state: Some(CampaignState::Closed),
        contact_link: Some(None),
        ..Default::default()
    };
    client_for(&server)
        .update_campaign(&token(), &org(), CampaignNumber::new(3).unwrap(), &body)
        .await
        .unwrap();
}

#[tokio::test]
async fn delete_accepts_204_with_no_body() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/orgs/acme/campaigns/3"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    client_for(&server)
        .delete_campaign(&token(), &org(), CampaignNumber::new(3).unwrap())
        .await
        .unwrap();
}

async fn error_for(template: ResponseTemplate) -> AppError {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(template)
        .mount(&server)
        .await;
    client_for(&server)
        .get_campaign(&token(), &org(), CampaignNumber::new(1).unwrap())
        .await
        .unwrap_err()
}

#[tokio::test]
async fn status_401_means_not_signed_in() {
    let err =
        error_for(ResponseTemplate::new(401).set_body_json(json!({"message": "Bad credentials"})))
            .await;
    assert_eq!(err, AppError::NotSignedIn);
}

#[tokio::test]
async fn status_403_with_no_remaining_quota_is_rate_limited_until_the_reset() {
    let reset = chrono::Utc::now().timestamp() + 120;
    let err = error_for(
        ResponseTemplate::new(403)
            .insert_header("x-ratelimit-remaining", "0")
            .insert_header("x-ratelimit-reset", reset.to_string().as_str())
            .set_body_json(json!({"message": "API rate limit exceeded for user ID 1."})),
    )
    .await;
    match err {
        AppError::RateLimited { retry_after_secs } => {
            assert!(
                (110..=121).contains(&retry_after_secs),
                "{retry_after_secs}"
            )
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
}

#[tokio::test]
async fn status_403_secondary_limit_uses_retry_after() {
    let err = error_for(
        ResponseTemplate::new(403)
            .insert_header("retry-after", "30")
            .set_body_json(json!({"message": "You have exceeded a secondary rate limit."})),
    )
    .await;
    assert_eq!(
        err,
        AppError::RateLimited {
            retry_after_secs: 30
        }
    );
}

#[tokio::test]
async fn status_403_without_the_scope_says_which_scope_is_missing() {
    let err = error_for(
        ResponseTemplate::new(403)
            .insert_header("x-oauth-scopes", "read:org")
            .insert_header("x-accepted-oauth-scopes", "security_events")
            .set_body_json(json!({"message": "Resource not accessible by integration"})),
    )
    .await;
    match err {
        AppError::Forbidden { reason } => {
            assert!(reason.contains("security_events"), "{reason}");
            assert!(reason.contains("granted: read:org"), "{reason}");
        }
        other => panic!("expected Forbidden, got {other:?}"),
    }
}

#[tokio::test]
async fn status_403_for_a_member_explains_the_role_needed() {
    let err = error_for(
        ResponseTemplate::new(403)
            .insert_header("x-oauth-scopes", "security_events, read:org")
            .insert_header("x-accepted-oauth-scopes", "security_events")
            .set_body_json(
                json!({"message": "You must be an organization owner or security manager"}),
            ),
    )
    .await;
    match err {
        AppError::Forbidden { reason } => {
            assert!(reason.contains("owner or security manager"), "{reason}")
        }
        other => panic!("expected Forbidden, got {other:?}"),
    }
}

#[tokio::test]
async fn status_404_means_not_found() {
    let err =
        error_for(ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"}))).await;
    assert_eq!(err, AppError::NotFound);
}

#[tokio::test]
async fn status_422_keeps_githubs_message_and_field_errors() {
    let err = error_for(ResponseTemplate::new(422).set_body_json(json!({
        "message": "Validation Failed",
        "errors": [
            {"resource": "Campaign", "field": "name", "code": "invalid", "message": "Name is too long (maximum is 50 characters)"},
            {"resource": "Campaign", "field": "ends_at", "code": "invalid"},
            "a bare string error",
        ],
        "documentation_url": "https://docs.github.com/rest",
    })))
    .await;
    assert_eq!(err.to_string(), "Validation Failed");
    assert_eq!(
        err.field_message("name").as_deref(),
        Some("Name is too long (maximum is 50 characters)")
    );
    assert_eq!(
        err.field_message("ends_at").as_deref(),
        Some("ends_at is invalid")
    );
    match err {
        AppError::Invalid { errors, .. } => {
            assert_eq!(errors.len(), 3);
            assert_eq!(errors[2].field, None);
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[tokio::test]
async fn status_429_is_rate_limited() {
    let err = error_for(ResponseTemplate::new(429).insert_header("retry-after", "7")).await;
    assert_eq!(
        err,
        AppError::RateLimited {
            retry_after_secs: 7
        }
    );
}

#[tokio::test]
async fn status_400_says_what_github_said_and_is_not_worth_retrying() {
    let err = error_for(
        ResponseTemplate::new(400).set_body_json(json!({ "message": "Problems parsing JSON" })),
    )
    .await;
    assert_eq!(
        err,
        AppError::Invalid {
            message: "GitHub refused the request: Problems parsing JSON".into(),
            errors: vec![],
        }
    );
    assert_eq!(err.status_code(), 422);
    let bare = error_for(ResponseTemplate::new(409)).await;
    assert!(
        bare.to_string()
            .contains("GitHub refused the request (409)"),
        "{bare}"
    );
}

#[tokio::test]
async fn server_errors_mean_github_is_unavailable() {
    for status in [500, 502, 503, 504] {
        assert_eq!(
            error_for(ResponseTemplate::new(status)).await,
            AppError::GitHubUnavailable,
            "{status}"
        );
    }
}

#[tokio::test]
async fn an_unreadable_body_means_github_is_unavailable() {
    let err = error_for(ResponseTemplate::new(200).set_body_string("{\"number\": ")).await;
    assert_eq!(err, AppError::GitHubUnavailable);
}

#[tokio::test]
async fn a_timeout_means_github_is_unavailable() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(campaign_json(1))
                .set_delay(Duration::from_millis(1500)),
        )
        .mount(&server)
        .await;
    let client = client_with_timeout(&server.uri(), Duration::from_millis(200));
    let err = client
        .get_campaign(&token(), &org(), CampaignNumber::new(1).unwrap())
        .await
        .unwrap_err();
    assert_eq!(err, AppError::GitHubUnavailable);
}

#[tokio::test]
async fn a_refused_connection_means_github_is_unavailable() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = client_with_timeout(&format!("http://127.0.0.1:{port}"), Duration::from_secs(2));
    let err = client.get_authenticated_user(&token()).await.unwrap_err();
    assert_eq!(err, AppError::GitHubUnavailable);
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    let server = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", format!("{}/user", elsewhere.uri()).as_str()),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"login": "x", "id": 1})))
        .expect(0)
        .mount(&elsewhere)
        .await;
    let err = client_for(&server)
        .get_authenticated_user(&token())
        .await
        .unwrap_err();
    assert_eq!(err, AppError::GitHubUnavailable);
}

fn member(i: i64) -> serde_json::Value {
    json!({"login": format!("user{i}"), "id": i})
}

#[tokio::test]
async fn bulk_reads_ask_for_100_and_follow_next_links_to_the_end() {
    let server = MockServer::start().await;
    let base = server.uri();
    for page in 1..=3i64 {
        let mut resp = ResponseTemplate::new(200)
            .set_body_json(json!([member(page * 10), member(page * 10 + 1)]));
        if page < 3 {
            resp = resp.insert_header(
                "link",
                format!("<{base}/orgs/acme/members?per_page=100&page={}>; rel=\"next\", <{base}/orgs/acme/members?per_page=100&page=3>; rel=\"last\"", page + 1).as_str(),
            );
        }
        let m = Mock::given(method("GET"))
            .and(path("/orgs/acme/members"))
            .and(query_param("per_page", "100"));
        let m = if page == 1 {
            m.and(|r: &Request| {
                !r.url.query().unwrap_or_default().contains("page=2")
                    && !r.url.query().unwrap_or_default().contains("page=3")
            })
            .respond_with(resp)
        } else {
            m.and(query_param("page", page.to_string().as_str()))
                .respond_with(resp)
        };
        m.expect(1).mount(&server).await;
    }
    let members = client_for(&server)
        .list_org_members(&token(), &org(), 1_000)
        .await
        .unwrap();
    let logins: Vec<_> = members.iter().map(|m| m.login.as_str()).collect();
    assert_eq!(
        logins,
        ["user10", "user11", "user20", "user21", "user30", "user31"]
    );
}

#[tokio::test]
async fn pagination_stops_at_the_callers_cap() {
    let server = MockServer::start().await;
    let base = server.uri();
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([member(1), member(2), member(3)]))
                .insert_header(
                    "link",
                    format!("<{base}/orgs/acme/members?page=2>; rel=\"next\"").as_str(),
                ),
        )
        .expect(1)
        .mount(&server)
        .await;
    let members = client_for(&server)
        .list_org_members(&token(), &org(), 2)
        .await
        .unwrap();
    assert_eq!(members.len(), 2);
}

/// Every page links a next one, as a broken or hostile server might, forever.
async fn endless_pages(items: serde_json::Value) -> MockServer {
    let server = MockServer::start().await;
    let base = server.uri();
    Mock::given(method("GET"))
        .respond_with(move |r: &Request| {
            let page: u64 = r
                .url
                .query_pairs()
                .find(|(k, _)| k == "page")
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(1);
            ResponseTemplate::new(200)
                .set_body_json(items.clone())
                .insert_header(
                    "link",
                    format!("<{base}/orgs/acme/members?page={}>; rel=\"next\"", page + 1).as_str(),
                )
        })
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn an_empty_page_ends_a_list_whatever_its_links_say() {
    let server = endless_pages(json!([])).await;
    let members = client_for(&server)
        .list_org_members(&token(), &org(), 1_000_000)
        .await
        .unwrap();
    assert!(members.is_empty());
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_list_reads_at_most_its_page_cap() {
    let server = endless_pages(json!([member(1)])).await;
    let members = client_for(&server)
        .list_org_members(&token(), &org(), 1_000_000)
        .await
        .unwrap();
    let cap = campaigns_admin::github::client::MAX_PAGES;
    assert_eq!(members.len(), cap);
    assert_eq!(server.received_requests().await.unwrap().len(), cap);
}

#[tokio::test]
async fn an_answer_larger_than_the_byte_cap_is_not_read() {
    let server = MockServer::start().await;
    let huge = format!(
        "[{{\"login\":\"{}\"}}]",
        "x".repeat(campaigns_admin::github::client::MAX_BODY_BYTES)
    );
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(huge, "application/json"))
        .mount(&server)
        .await;
    let res = client_for(&server)
        .list_org_members(&token(), &org(), 10)
        .await;
    assert_eq!(res.unwrap_err(), AppError::GitHubUnavailable);
}

#[tokio::test]
async fn a_next_link_to_another_origin_is_not_followed() {
    let server = MockServer::start().await;
    let evil = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([member(1)]))
                .insert_header(
                    "link",
                    format!("<{}/steal?page=2>; rel=\"next\"", evil.uri()).as_str(),
                ),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([member(2)])))
        .expect(0)
        .mount(&evil)
        .await;
    let members = client_for(&server)
        .list_org_members(&token(), &org(), 100)
        .await
        .unwrap();
    assert_eq!(members.len(), 1);
    assert!(
        evil.received_requests().await.unwrap().is_empty(),
        "the token must never reach another origin"
    );
}

#[tokio::test]
async fn a_campaign_list_page_reports_its_page_links() {
    let server = MockServer::start().await;
    let base = server.uri();
    Mock::given(method("GET"))
        .and(path("/orgs/acme/campaigns"))
        .and(query_param("state", "open"))
        .and(query_param("sort", "ends_at"))
        .and(query_param("page", "2"))
        .and(query_param("per_page", "10"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([campaign_json(1)]))
                .insert_header("link", format!("<{base}/orgs/acme/campaigns?page=1>; rel=\"prev\", <{base}/orgs/acme/campaigns?page=3>; rel=\"next\", <{base}/orgs/acme/campaigns?page=5>; rel=\"last\", <{base}/orgs/acme/campaigns?page=1>; rel=\"first\"").as_str()),
        )
        .expect(1)
        .mount(&server)
        .await;
    let query = CampaignListQuery {
        state: Some(CampaignState::Open),
        sort: Some("ends_at".into()),
        direction: None,
        page: Some(2),
        per_page: Some(10),
    };
    let page = client_for(&server)
        .list_campaigns(&token(), &org(), &query)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(
        page.links,
        PageLinks {
            first: Some(1),
            prev: Some(1),
            next: Some(3),
            last: Some(5)
        }
    );
}

#[tokio::test]
async fn unknown_fields_and_enum_values_do_not_fail_a_response() {
    let server = MockServer::start().await;
    let mut c = campaign_json(5);
    c["state"] = json!("archived");
    c["brand_new_field"] = json!({"nested": true});
    c.as_object_mut().unwrap().remove("contact_link");
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([c])))
        .mount(&server)
        .await;
    let page = client_for(&server)
        .list_campaigns(&token(), &org(), &CampaignListQuery::default())
        .await
        .unwrap();
    assert_eq!(page.items[0].state, CampaignState::Unknown);
    assert_eq!(page.items[0].contact_link, None);
}

/// A server that answers every GET with a campaign after `delay`.
async fn slow_campaigns(delay: Duration) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(campaign_json(1))
                .set_delay(delay),
        )
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn no_more_than_max_in_flight_requests_are_under_way_at_once() {
    use campaigns_admin::github::MAX_IN_FLIGHT;
    const DELAY: Duration = Duration::from_millis(400);
    let server = slow_campaigns(DELAY).await;
    let client = client_for(&server);
    let org = org();
    // Twice the limit, all at once, each with a token of its own (one token has a smaller share
    // still): the second half waits for the first to be answered.
    let started = std::time::Instant::now();
    let calls = (1..=2 * MAX_IN_FLIGHT as i64).map(|n| {
        let (client, org) = (&client, &org);
        async move {
            let token = SecretString::from(format!("token-{n}"));
            client
                .get_campaign(&token, org, CampaignNumber::new(n).unwrap())
                .await
        }
    });
    let answers = futures_util::future::join_all(calls).await;
    assert!(answers.iter().all(Result::is_ok));
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        2 * MAX_IN_FLIGHT
    );
    assert!(
        started.elapsed() >= 2 * DELAY,
        "{} requests answered after {} ms each took {:?}: more than {MAX_IN_FLIGHT} were under way at once",
        2 * MAX_IN_FLIGHT,
        DELAY.as_millis(),
        started.elapsed()
    );
}

/// One person's many reads (an export, an alerts page of many repositories) take at most their
/// share of the instance's GitHub slots: as many requests as there are slots, from one token,
/// go a share at a time, leaving the rest for everyone else.
#[tokio::test]
async fn one_token_holds_at_most_its_share_of_the_slots() {
    use campaigns_admin::github::client::MAX_IN_FLIGHT_PER_TOKEN;
    use campaigns_admin::github::MAX_IN_FLIGHT;
    const DELAY: Duration = Duration::from_millis(300);
    let server = slow_campaigns(DELAY).await;
    let client = client_for(&server);
    let (token, org) = (token(), org());
    let rounds = MAX_IN_FLIGHT / MAX_IN_FLIGHT_PER_TOKEN;
    assert!(rounds >= 2, "a share is smaller than the whole");
    let started = std::time::Instant::now();
    let calls = (1..=MAX_IN_FLIGHT as i64).map(|n| {
        let (client, token, org) = (&client, &token, &org);
        async move {
            client
                .get_campaign(token, org, CampaignNumber::new(n).unwrap())
                .await
        }
    });
    let answers = futures_util::future::join_all(calls).await;
    assert!(answers.iter().all(Result::is_ok));
    assert!(
        started.elapsed() >= DELAY * rounds as u32,
        "{MAX_IN_FLIGHT} requests of one token took {:?}: more than {MAX_IN_FLIGHT_PER_TOKEN} were under way at once",
        started.elapsed()
    );
}
