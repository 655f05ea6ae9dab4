//! The client against the emulator: GitHub's REST semantics, validation, pagination and faults.

use crate::helpers::spawn_emulator;
use campaigns_admin::domain::{CampaignNumber, OrgLogin};
use campaigns_admin::emulator::{FaultAction, FaultRule};
use campaigns_admin::error::AppError;
use campaigns_admin::github::models::*;
use chrono::{Duration, Utc};
use std::collections::HashSet;

fn acme() -> OrgLogin {
    OrgLogin::parse("acme-corp").unwrap()
}

fn globex() -> OrgLogin {
    OrgLogin::parse("globex").unwrap()
}

fn open_alerts() -> AlertListQuery {
    AlertListQuery {
        state: Some("open".into()),
        ..Default::default()
    }
}

fn new_campaign(alerts: Vec<RepositoryAlerts>) -> CreateCampaignBody {
    CreateCampaignBody {
        name: "Injection sweep".into(),
        description: "Fix injection alerts".into(),
        managers: vec!["mona".into()],
        team_managers: vec!["appsec".into()],
        ends_at: Utc::now() + Duration::days(30),
        contact_link: Some("https://chat.example.com/appsec".into()),
        code_scanning_alerts: alerts,
        generate_issues: false,
    }
}

/// Groups the first `n` alerts by repository, as a create request wants them.
fn grouped(alerts: &[CodeScanningAlert], n: usize) -> Vec<RepositoryAlerts> {
    let mut out: Vec<RepositoryAlerts> = Vec::new();
    for a in alerts.iter().take(n) {
        match out.iter_mut().find(|g| g.repository_id == a.repository.id) {
            Some(g) => g.alert_numbers.push(a.number),
            None => out.push(RepositoryAlerts {
                repository_id: a.repository.id,
                alert_numbers: vec![a.number],
            }),
        }
    }
    out
}

#[tokio::test]
async fn the_token_owner_is_the_authenticated_user() {
    let em = spawn_emulator().await;
    let user = em.client.get_authenticated_user(&em.mona()).await.unwrap();
    assert_eq!(user.login, "mona");
    assert!(user.avatar_url.contains("/_emulator/avatars/"));
}

#[tokio::test]
async fn an_unknown_token_is_not_signed_in() {
    let em = spawn_emulator().await;
    let err = em
        .client
        .get_authenticated_user(&secrecy::SecretString::from("nope"))
        .await
        .unwrap_err();
    assert_eq!(err, AppError::NotSignedIn);
}

#[tokio::test]
async fn an_expired_token_is_not_signed_in() {
    let em = spawn_emulator().await;
    let token = em
        .emulator()
        .issue_token("mona", &["security_events"])
        .unwrap();
    em.emulator().expire_token(&token);
    let err = em
        .client
        .get_authenticated_user(&secrecy::SecretString::from(token))
        .await
        .unwrap_err();
    assert_eq!(err, AppError::NotSignedIn);
}

#[tokio::test]
async fn a_users_organisations_are_asked_for_once_however_many_ask_at_once() {
    let em = spawn_emulator().await;
    let (mona, octocat) = (em.mona(), em.token("octocat", &["read:org"]));
    let asks = (0..5).map(|_| em.client.list_orgs_for_user(&mona));
    let answers = futures_util::future::join_all(asks).await;
    assert!(answers.iter().all(|a| a.as_ref().unwrap().len() == 2));
    em.client.list_orgs_for_user(&mona).await.unwrap();
    // Another user's answer is their own, never one kept for someone else.
    let theirs = em.client.list_orgs_for_user(&octocat).await.unwrap();
    let logins: Vec<&str> = theirs.iter().map(|o| o.login.as_str()).collect();
    assert_eq!(logins, ["acme-corp"]);
    let asked = em.emulator().requests();
    let asked = asked.iter().filter(|r| r.path == "/user/orgs").count();
    assert_eq!(
        asked, 2,
        "one request for mona's six asks, one for octocat's"
    );
    // Conditional requests too: each token's kept answer is its own.
    for _ in 0..2 {
        assert_eq!(
            em.client.get_authenticated_user(&mona).await.unwrap().login,
            "mona"
        );
        let other = em.client.get_authenticated_user(&octocat).await.unwrap();
        assert_eq!(other.login, "octocat");
    }
}

#[tokio::test]
async fn orgs_are_listed_only_with_the_read_org_scope() {
    let em = spawn_emulator().await;
    let orgs = em.client.list_orgs_for_user(&em.mona()).await.unwrap();
    let logins: Vec<_> = orgs.iter().map(|o| o.login.as_str()).collect();
    assert_eq!(logins, ["acme-corp", "globex"]);
    let without = em.token("mona", &["security_events"]);
    assert!(em
        .client
        .list_orgs_for_user(&without)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn members_and_teams_of_an_org() {
    let em = spawn_emulator().await;
    let members = em
        .client
        .list_org_members(&em.mona(), &acme(), 1000)
        .await
        .unwrap();
    assert_eq!(members.len(), 13);
    assert!(members.iter().any(|m| m.login == "hubot"));
    let teams = em
        .client
        .list_teams(&em.mona(), &acme(), 100)
        .await
        .unwrap();
    assert!(teams.iter().any(|t| t.slug == "appsec"));
    let no_read_org = em.token("mona", &["security_events"]);
    assert!(matches!(
        em.client.list_teams(&no_read_org, &acme(), 100).await,
        Err(AppError::Forbidden { .. })
    ));
}

#[tokio::test]
async fn campaigns_need_a_security_manager_or_owner() {
    let em = spawn_emulator().await;
    let q = CampaignListQuery::default();
    assert!(!em
        .client
        .list_campaigns(&em.mona(), &acme(), &q)
        .await
        .unwrap()
        .items
        .is_empty());
    // mona is only a member of globex: GitHub's description of the campaign operations lists
    // 200, 404 and 503, so a member without the role learns no more than a stranger.
    assert_eq!(
        em.client
            .list_campaigns(&em.mona(), &globex(), &q)
            .await
            .unwrap_err(),
        AppError::NotFound
    );
    let raw = reqwest::Client::new()
        .get(em.url("/orgs/globex/campaigns"))
        .bearer_auth(secrecy::ExposeSecret::expose_secret(&em.mona()))
        .header("accept", "application/vnd.github+json")
        .header("user-agent", "test")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 404);
    // octocat is not in globex at all: GitHub hides the org.
    let octocat = em.token("octocat", &["security_events", "read:org"]);
    assert_eq!(
        em.client
            .list_campaigns(&octocat, &globex(), &q)
            .await
            .unwrap_err(),
        AppError::NotFound
    );
    let unknown = OrgLogin::parse("no-such-org").unwrap();
    assert_eq!(
        em.client
            .list_campaigns(&em.mona(), &unknown, &q)
            .await
            .unwrap_err(),
        AppError::NotFound
    );
}

#[tokio::test]
async fn campaigns_need_the_security_events_scope() {
    let em = spawn_emulator().await;
    let token = em.token("mona", &["read:org"]);
    match em
        .client
        .list_campaigns(&token, &acme(), &CampaignListQuery::default())
        .await
    {
        Err(AppError::Forbidden { reason }) => {
            assert!(reason.contains("security_events"), "{reason}")
        }
        other => panic!("expected Forbidden, got {other:?}"),
    }
}

#[tokio::test]
async fn campaign_list_items_carry_no_alert_stats_as_in_githubs_example_but_one_campaign_does() {
    let em = spawn_emulator().await;
    let t = em.mona();
    let list = em
        .client
        .list_campaigns(&t, &acme(), &CampaignListQuery::default())
        .await
        .unwrap();
    assert!(!list.items.is_empty());
    assert!(list.items.iter().all(|c| c.alert_stats.is_none()));
    let one = em
        .client
        .get_campaign(&t, &acme(), list.items[0].number)
        .await
        .unwrap();
    assert!(one.alert_stats.is_some());
}

#[tokio::test]
async fn campaign_list_filters_sorts_and_pages() {
    let em = spawn_emulator().await;
    let t = em.mona();
    let all = em
        .client
        .list_campaigns(&t, &acme(), &CampaignListQuery::default())
        .await
        .unwrap();
    let open = em
        .client
        .list_campaigns(
            &t,
            &acme(),
            &CampaignListQuery {
                state: Some(CampaignState::Open),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let closed = em
        .client
        .list_campaigns(
            &t,
            &acme(),
            &CampaignListQuery {
                state: Some(CampaignState::Closed),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(all.items.len(), open.items.len() + closed.items.len());
    assert!(open.items.iter().all(|c| c.state == CampaignState::Open));
    assert!(closed
        .items
        .iter()
        .all(|c| c.state == CampaignState::Closed && c.closed_at.is_some()));
    let by_end = em
        .client
        .list_campaigns(
            &t,
            &acme(),
            &CampaignListQuery {
                sort: Some("ends_at".into()),
                direction: Some("asc".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(by_end
        .items
        .windows(2)
        .all(|w| w[0].ends_at <= w[1].ends_at));
    let page2 = em
        .client
        .list_campaigns(
            &t,
            &acme(),
            &CampaignListQuery {
                per_page: Some(2),
                page: Some(2),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page2.items.len(), 2);
    assert_eq!(page2.links.prev, Some(1));
    assert_eq!(page2.links.next, Some(3));
    assert_eq!(page2.links.last, Some(all.items.len().div_ceil(2) as u32));
    let invalid = em
        .client
        .list_campaigns(
            &t,
            &acme(),
            &CampaignListQuery {
                sort: Some("name".into()),
                ..Default::default()
            },
        )
        .await;
    assert!(matches!(invalid, Err(AppError::Invalid { .. })));
}

#[tokio::test]
async fn org_alerts_page_through_all_3000_open_alerts_of_the_seed() {
    let em = spawn_emulator().await;
    let t = em.mona();
    let acme_alerts = em
        .client
        .list_org_alerts(&t, &acme(), &open_alerts(), 100_000)
        .await
        .unwrap();
    assert_eq!(acme_alerts.len(), 2_400);
    assert!(acme_alerts
        .iter()
        .all(|a| a.state == Some(AlertState::Open)));
    let unique: HashSet<_> = acme_alerts
        .iter()
        .map(|a| (a.repository.id, a.number))
        .collect();
    assert_eq!(
        unique.len(),
        acme_alerts.len(),
        "no alert twice across pages"
    );
    assert!(
        acme_alerts
            .windows(2)
            .all(|w| w[0].created_at >= w[1].created_at),
        "newest first by default"
    );
    let repos: HashSet<_> = acme_alerts.iter().map(|a| a.repository.id).collect();
    assert!(repos.len() >= 25, "{}", repos.len());
    let cwe = acme_alerts
        .iter()
        .flat_map(|a| a.rule.tags.clone().unwrap_or_default())
        .any(|t| t == "external/cwe/cwe-079");
    assert!(cwe);
}

#[tokio::test]
async fn org_alerts_filter_by_severity_and_tool() {
    let em = spawn_emulator().await;
    let t = em.mona();
    let critical = em
        .client
        .list_org_alerts(
            &t,
            &acme(),
            &AlertListQuery {
                severity: Some("critical".into()),
                ..open_alerts()
            },
            100_000,
        )
        .await
        .unwrap();
    assert!(!critical.is_empty());
    assert!(critical
        .iter()
        .all(|a| a.rule.security_severity_level.as_deref() == Some("critical")));
    let semgrep = em
        .client
        .list_org_alerts(
            &t,
            &acme(),
            &AlertListQuery {
                tool_name: Some("Semgrep OSS".into()),
                ..open_alerts()
            },
            100_000,
        )
        .await
        .unwrap();
    assert!(!semgrep.is_empty());
    assert!(semgrep
        .iter()
        .all(|a| a.tool.name.as_deref() == Some("Semgrep OSS")));
    let bad = em
        .client
        .list_org_alerts(
            &t,
            &acme(),
            &AlertListQuery {
                state: Some("bogus".into()),
                ..Default::default()
            },
            10,
        )
        .await;
    assert!(matches!(bad, Err(AppError::Invalid { .. })));
}

#[tokio::test]
async fn org_alerts_page_by_cursor_with_link_headers() {
    let em = spawn_emulator().await;
    let token = em
        .emulator()
        .issue_token("mona", &["security_events"])
        .unwrap();
    let http = reqwest::Client::new();
    let first = http
        .get(em.url("/orgs/acme-corp/code-scanning/alerts?state=open&per_page=50&after="))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    // An empty cursor is not a cursor: GitHub answers 422.
    assert_eq!(first.status(), 422);
    let res = http
        .get(em.url("/orgs/acme-corp/code-scanning/alerts?state=open&per_page=50"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let page1: Vec<serde_json::Value> = res.json().await.unwrap();
    let after = {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("offset:50")
    };
    let res = http
        .get(em.url(&format!(
            "/orgs/acme-corp/code-scanning/alerts?state=open&per_page=50&after={after}"
        )))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let link = res
        .headers()
        .get("link")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        link.contains("rel=\"next\"")
            && link.contains("after=")
            && link.contains("rel=\"prev\"")
            && link.contains("before="),
        "{link}"
    );
    let page2: Vec<serde_json::Value> = res.json().await.unwrap();
    assert_eq!(page2.len(), 50);
    assert_ne!(page1[0]["url"], page2[0]["url"]);
}

#[tokio::test]
async fn create_then_read_update_close_reopen_and_delete_a_campaign() {
    let em = spawn_emulator().await;
    let t = em.mona();
    let alerts = em
        .client
        .list_org_alerts(&t, &acme(), &open_alerts(), 300)
        .await
        .unwrap();
    let created = em
        .client
        .create_campaign(&t, &acme(), &new_campaign(grouped(&alerts, 250)))
        .await
        .unwrap();
    assert_eq!(created.name.as_deref(), Some("Injection sweep"));
    assert_eq!(created.state, CampaignState::Open);
    assert_eq!(created.managers[0].login, "mona");
    assert_eq!(created.team_managers[0].slug, "appsec");
    let stats = created.alert_stats.unwrap();
    assert_eq!(
        stats.open_count + stats.in_progress_count + stats.closed_count,
        250
    );
    let number = created.number;

    let fetched = em.client.get_campaign(&t, &acme(), number).await.unwrap();
    assert_eq!(fetched, created);

    let renamed = em
        .client
        .update_campaign(
            &t,
            &acme(),
            number,
            &UpdateCampaignBody {
                name: Some("Renamed".into()),
                contact_link: Some(None),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(renamed.name.as_deref(), Some("Renamed"));
    assert_eq!(renamed.contact_link, None);
    assert!(renamed.updated_at >= created.updated_at);

    let closed = em
        .client
        .update_campaign(
            &t,
            &acme(),
            number,
            &UpdateCampaignBody {
                state: Some(CampaignState::Closed),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(closed.state, CampaignState::Closed);
    assert!(closed.closed_at.is_some());
    let reopened = em
        .client
        .update_campaign(
            &t,
            &acme(),
            number,
            &UpdateCampaignBody {
                state: Some(CampaignState::Open),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(reopened.state, CampaignState::Open);
    assert_eq!(reopened.closed_at, None);

    em.client
        .delete_campaign(&t, &acme(), number)
        .await
        .unwrap();
    assert_eq!(
        em.client
            .get_campaign(&t, &acme(), number)
            .await
            .unwrap_err(),
        AppError::NotFound
    );
    assert_eq!(
        em.client
            .delete_campaign(&t, &acme(), number)
            .await
            .unwrap_err(),
        AppError::NotFound
    );
}

#[tokio::test]
async fn create_validation_is_reported_per_field_as_github_does() {
    let em = spawn_emulator().await;
    let t = em.mona();
    let alerts = em
        .client
        .list_org_alerts(&t, &acme(), &open_alerts(), 5)
        .await
        .unwrap();
    let mut body = new_campaign(grouped(&alerts, 5));
    body.name = "x".repeat(51);
    body.description = String::new();
    body.ends_at = Utc::now() - Duration::days(1);
    body.managers = vec!["mona".into(), "hubot".into()];
    body.team_managers = (0..11).map(|i| format!("team-{i}")).collect();
    body.contact_link = Some("not a url".into());
    let err = em
        .client
        .create_campaign(&t, &acme(), &body)
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "Validation Failed");
    assert!(err.field_message("name").unwrap().contains("maximum is 50"));
    assert!(err.field_message("description").unwrap().contains("blank"));
    assert!(err.field_message("ends_at").unwrap().contains("future"));
    assert!(err
        .field_message("managers")
        .unwrap()
        .contains("single manager"));
    assert!(err
        .field_message("team_managers")
        .unwrap()
        .contains("At most 10"));
    assert!(err.field_message("contact_link").unwrap().contains("URI"));
}

#[tokio::test]
async fn create_refuses_unknown_alerts_empty_selections_and_more_than_1000() {
    let em = spawn_emulator().await;
    let t = em.mona();
    let err = em
        .client
        .create_campaign(
            &t,
            &acme(),
            &new_campaign(vec![RepositoryAlerts {
                repository_id: 1,
                alert_numbers: vec![1],
            }]),
        )
        .await
        .unwrap_err();
    assert!(err
        .field_message("code_scanning_alerts")
        .unwrap()
        .contains("does not belong"));
    let err = em
        .client
        .create_campaign(&t, &acme(), &new_campaign(vec![]))
        .await
        .unwrap_err();
    assert!(err
        .field_message("code_scanning_alerts")
        .unwrap()
        .contains("At least one"));
    let alerts = em
        .client
        .list_org_alerts(&t, &acme(), &open_alerts(), 1_001)
        .await
        .unwrap();
    let err = em
        .client
        .create_campaign(&t, &acme(), &new_campaign(grouped(&alerts, 1_001)))
        .await
        .unwrap_err();
    assert!(
        err.field_message("code_scanning_alerts")
            .unwrap()
            .contains("at most 1000"),
        "{err:?}"
    );
    let mut missing = grouped(&alerts, 1);
    missing[0].alert_numbers = vec![999_999];
    let err = em
        .client
        .create_campaign(&t, &acme(), &new_campaign(missing))
        .await
        .unwrap_err();
    assert!(err
        .field_message("code_scanning_alerts")
        .unwrap()
        .contains("not found"));
}

#[tokio::test]
async fn an_org_can_have_at_most_ten_open_campaigns() {
    let em = spawn_emulator().await;
    let t = em.mona();
    let alerts = em
        .client
        .list_org_alerts(&t, &acme(), &open_alerts(), 1)
        .await
        .unwrap();
    let open_now = em
        .client
        .list_campaigns(
            &t,
            &acme(),
            &CampaignListQuery {
                state: Some(CampaignState::Open),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .items
        .len();
    for _ in open_now..10 {
        em.client
            .create_campaign(&t, &acme(), &new_campaign(grouped(&alerts, 1)))
            .await
            .unwrap();
    }
    let err = em
        .client
        .create_campaign(&t, &acme(), &new_campaign(grouped(&alerts, 1)))
        .await
        .unwrap_err();
    match &err {
        AppError::Invalid { errors, .. } => assert!(errors
            .iter()
            .any(|e| e.message.contains("10 open campaigns"))),
        other => panic!("expected Invalid, got {other:?}"),
    }
    // Reopening a closed one is refused for the same reason.
    let closed = em
        .client
        .list_campaigns(
            &t,
            &acme(),
            &CampaignListQuery {
                state: Some(CampaignState::Closed),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let n = closed.items[0].number;
    let err = em
        .client
        .update_campaign(
            &t,
            &acme(),
            n,
            &UpdateCampaignBody {
                state: Some(CampaignState::Open),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(err
        .field_message("state")
        .unwrap()
        .contains("10 open campaigns"));
}

#[tokio::test]
async fn responses_carry_rate_limit_headers_and_etags_give_304() {
    let em = spawn_emulator().await;
    let token = em
        .emulator()
        .issue_token("mona", &["security_events"])
        .unwrap();
    let http = reqwest::Client::new();
    let res = http
        .get(em.url("/orgs/acme-corp/campaigns"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-ratelimit-limit"], "5000");
    assert_eq!(res.headers()["x-ratelimit-remaining"], "4999");
    assert_eq!(res.headers()["x-ratelimit-used"], "1");
    assert!(res.headers().contains_key("x-ratelimit-reset"));
    assert!(res.headers().contains_key("x-github-request-id"));
    assert_eq!(res.headers()["x-accepted-oauth-scopes"], "security_events");
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let again = http
        .get(em.url("/orgs/acme-corp/campaigns"))
        .bearer_auth(&token)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert!(again.bytes().await.unwrap().is_empty());
    // As on GitHub, the 304 to an authorised conditional request cost nothing.
    assert_eq!(em.emulator().rate_limit_used(&token), 1);
}

#[tokio::test]
async fn a_users_tokens_share_one_rate_limit_as_on_github() {
    let em = spawn_emulator().await;
    let first = em.emulator().issue_token("mona", &["read:org"]).unwrap();
    let second = em.emulator().issue_token("mona", &["read:org"]).unwrap();
    let other = em.emulator().issue_token("hubot", &["read:org"]).unwrap();
    let http = reqwest::Client::new();
    let used = |token: &str| {
        let req = http.get(em.url("/user")).bearer_auth(token.to_owned());
        async move {
            req.send().await.unwrap().headers()["x-ratelimit-used"]
                .to_str()
                .unwrap()
                .to_owned()
        }
    };
    assert_eq!(used(&first).await, "1");
    assert_eq!(used(&second).await, "2");
    assert_eq!(used(&other).await, "1");
}

#[tokio::test]
async fn an_unauthenticated_request_gets_githubs_401_body() {
    let em = spawn_emulator().await;
    let res = reqwest::get(em.url("/user")).await.unwrap();
    assert_eq!(res.status(), 401);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["message"], "Requires authentication");
    assert!(body["documentation_url"].is_string());
}

#[tokio::test]
async fn injected_faults_map_to_the_right_errors_and_clear() {
    let em = spawn_emulator().await;
    let t = em.mona();
    let cases = [
        (
            FaultAction::Status {
                status: 503,
                retry_after: None,
                secondary: false,
            },
            AppError::GitHubUnavailable,
            true,
        ),
        (
            FaultAction::Status {
                status: 500,
                retry_after: None,
                secondary: false,
            },
            AppError::GitHubUnavailable,
            false,
        ),
        (
            FaultAction::Status {
                status: 429,
                retry_after: Some(12),
                secondary: false,
            },
            AppError::RateLimited {
                retry_after_secs: 12,
            },
            false,
        ),
        (
            FaultAction::Status {
                status: 403,
                retry_after: Some(40),
                secondary: true,
            },
            AppError::RateLimited {
                retry_after_secs: 40,
            },
            false,
        ),
        (FaultAction::Drop, AppError::GitHubUnavailable, true),
        (FaultAction::Malformed, AppError::GitHubUnavailable, false),
    ];
    for (action, expected, retried) in cases {
        // A GET is sent up to three times when the fault may pass (502–504, a dropped
        // connection): a fault that lasts that long is the user's error.
        let times = if retried { 3 } else { 1 };
        em.emulator().add_fault(FaultRule {
            path_prefix: Some("/user".into()),
            action: Some(action.clone()),
            times: Some(times),
            ..Default::default()
        });
        let sent = em.emulator().requests().len();
        let err = em.client.get_authenticated_user(&t).await.unwrap_err();
        assert_eq!(err, expected, "{action:?}");
        assert_eq!(
            em.emulator().requests().len() - sent,
            times as usize,
            "{action:?}"
        );
        // Used up.
        assert!(
            em.client.get_authenticated_user(&t).await.is_ok(),
            "{action:?} should be used up"
        );
    }
}

#[tokio::test]
async fn a_get_that_meets_a_passing_fault_is_sent_again_and_succeeds() {
    let em = spawn_emulator().await;
    let t = em.mona();
    for action in [
        FaultAction::Status {
            status: 502,
            retry_after: None,
            secondary: false,
        },
        FaultAction::Drop,
    ] {
        em.emulator().add_fault(FaultRule {
            path_prefix: Some("/user".into()),
            action: Some(action.clone()),
            times: Some(2),
            ..Default::default()
        });
        let sent = em.emulator().requests().len();
        let user = em.client.get_authenticated_user(&t).await;
        assert_eq!(user.unwrap().login, "mona", "{action:?}");
        assert_eq!(em.emulator().requests().len() - sent, 3, "{action:?}");
    }
    // A 404 is an answer, not trouble: asked once.
    let sent = em.emulator().requests().len();
    let missing = CampaignNumber::new(999).unwrap();
    let err = em
        .client
        .get_campaign(&t, &acme(), missing)
        .await
        .unwrap_err();
    assert_eq!(err, AppError::NotFound);
    assert_eq!(em.emulator().requests().len() - sent, 1);
}

#[tokio::test]
async fn injected_latency_can_exceed_the_clients_timeout() {
    let em = spawn_emulator().await;
    em.emulator().add_fault(FaultRule {
        latency_ms: 800,
        ..Default::default()
    });
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_millis(200))
        .build()
        .unwrap();
    let client = campaigns_admin::github::GitHubClient::with_http(http, em.handle.url());
    assert_eq!(
        client.get_authenticated_user(&em.mona()).await.unwrap_err(),
        AppError::GitHubUnavailable
    );
    em.emulator().clear_faults();
    assert!(client.get_authenticated_user(&em.mona()).await.is_ok());
}

#[tokio::test]
async fn faults_can_be_switched_over_http_and_requests_are_logged() {
    let em = spawn_emulator().await;
    let http = reqwest::Client::new();
    let res = http
        .post(em.url("/_emulator/faults"))
        .json(&serde_json::json!({"method": "GET", "path_prefix": "/orgs/acme-corp/campaigns", "action": {"kind": "status", "status": 502}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let t = em.mona();
    let q = CampaignListQuery::default();
    assert_eq!(
        em.client.list_campaigns(&t, &acme(), &q).await.unwrap_err(),
        AppError::GitHubUnavailable
    );
    assert_eq!(
        http.delete(em.url("/_emulator/faults"))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert!(em.client.list_campaigns(&t, &acme(), &q).await.is_ok());
    let log: Vec<campaigns_admin::emulator::LoggedRequest> = http
        .get(em.url("/_emulator/requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(log
        .iter()
        .filter(|r| r.path == "/orgs/acme-corp/campaigns")
        .all(|r| r.authorized));
    // Three tries against the lasting 502 (each logged with its status), then one that passed.
    let statuses: Vec<u16> = log
        .iter()
        .filter(|r| r.path == "/orgs/acme-corp/campaigns")
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [502, 502, 502, 200]);
}

/// #11's sixth bug: GitHub takes only organization owners and security managers as a campaign's
/// manager, and so does the emulator now.
#[tokio::test]
async fn a_campaign_manager_must_be_an_owner_or_a_security_manager() {
    let em = spawn_emulator().await;
    let t = em.mona();
    let alerts = em
        .client
        .list_org_alerts(&t, &acme(), &open_alerts(), 10)
        .await
        .unwrap();
    // octocat is a plain member of acme-corp.
    let by_member = CreateCampaignBody {
        managers: vec!["octocat".into()],
        ..new_campaign(grouped(&alerts, 5))
    };
    match em.client.create_campaign(&t, &acme(), &by_member).await {
        Err(e @ AppError::Invalid { .. }) => {
            let m = e.field_message("managers").unwrap_or_default();
            assert!(m.contains("owner or security manager"), "{m}");
        }
        other => panic!("expected a 422 on managers, got {other:?}"),
    }
    // hubot owns it, mona is its security manager.
    for eligible in ["hubot", "mona"] {
        let body = CreateCampaignBody {
            managers: vec![eligible.into()],
            name: format!("Managed by {eligible}"),
            ..new_campaign(grouped(&alerts, 5))
        };
        let c = em.client.create_campaign(&t, &acme(), &body).await.unwrap();
        assert_eq!(c.managers[0].login, eligible);
        // Nor can an update hand the campaign to a member.
        let to_member = UpdateCampaignBody {
            managers: Some(vec!["octocat".into()]),
            ..Default::default()
        };
        assert!(matches!(
            em.client
                .update_campaign(&t, &acme(), c.number, &to_member)
                .await,
            Err(AppError::Invalid { .. })
        ));
    }
}
