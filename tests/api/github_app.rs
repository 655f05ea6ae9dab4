//! The app's GitHub App identity against the emulator: a JWT takes an org's installation and a
//! short-lived installation token, kept until it nears its end; the token acts in its own org
//! only and stops with the installation. The org settings page says what background work can do.

use crate::helpers::*;
use campaigns_admin::domain::OrgLogin;
use campaigns_admin::error::AppError;
use campaigns_admin::github::app::GitHubApp;
use campaigns_admin::github::models::{AlertListQuery, CampaignListQuery, UpdateAlertBody};
use campaigns_admin::settings::{GitHubAppSettings, DEMO_APP_ID, DEMO_APP_PRIVATE_KEY};
use secrecy::SecretString;

fn demo_app() -> GitHubApp {
    GitHubApp::new(&GitHubAppSettings {
        id: DEMO_APP_ID,
        private_key: SecretString::from(DEMO_APP_PRIVATE_KEY),
    })
    .expect("the demo key reads")
}

fn org(login: &str) -> OrgLogin {
    OrgLogin::parse(login).unwrap()
}

fn token_requests(em: &TestEmulator) -> usize {
    (em.emulator().requests().iter())
        .filter(|r| r.method == "POST" && r.path.ends_with("/access_tokens"))
        .count()
}

#[tokio::test]
async fn an_installation_token_is_taken_once_and_acts_in_its_own_org_only() {
    let em = spawn_emulator().await;
    let app = demo_app();
    let acme = org("acme-corp");
    let token = app.token_for(&em.client, &acme).await.unwrap();
    let again = app.token_for(&em.client, &acme).await.unwrap();
    use secrecy::ExposeSecret;
    assert_eq!(token.expose_secret(), again.expose_secret(), "kept");
    assert!(token.expose_secret().starts_with("ghs_"));
    assert_eq!(token_requests(&em), 1, "one token for two asks");

    let listed = em
        .client
        .list_campaigns(&token, &acme, &CampaignListQuery::default())
        .await
        .expect("the installation reads its org's campaigns");
    assert!(!listed.items.is_empty());
    // It may create campaigns (a plan's waves), and only read alerts.
    let alerts = (em.client)
        .list_org_alerts(&token, &acme, &AlertListQuery::default(), 1)
        .await
        .expect("the installation reads its org's alerts");
    let body = UpdateAlertBody {
        state: Some("open".into()),
        ..Default::default()
    };
    let refused = (em.client)
        .update_alert(
            &token,
            &acme,
            &alerts[0].repository.name,
            alerts[0].number,
            &body,
        )
        .await;
    assert!(
        matches!(refused, Err(AppError::Forbidden { .. })),
        "alerts read only: {refused:?}"
    );
    let globex = em
        .client
        .list_campaigns(&token, &org("globex"), &CampaignListQuery::default())
        .await;
    assert_eq!(globex.unwrap_err(), AppError::NotFound, "another org's");
    let user = em.client.get_authenticated_user(&token).await;
    assert!(
        matches!(user, Err(AppError::Forbidden { .. })),
        "an installation is nobody: {user:?}"
    );
}

#[tokio::test]
async fn a_removed_installation_stops_its_token_and_is_said_as_not_found() {
    let em = spawn_emulator().await;
    let app = demo_app();
    let acme = org("acme-corp");
    let token = app.token_for(&em.client, &acme).await.unwrap();
    assert!(em.emulator().remove_installation("acme-corp"));
    let refused = em
        .client
        .list_campaigns(&token, &acme, &CampaignListQuery::default())
        .await;
    assert_eq!(refused.unwrap_err(), AppError::NotSignedIn);
    app.forget(&acme).await;
    let again = app.token_for(&em.client, &acme).await;
    assert_eq!(again.unwrap_err(), AppError::NotFound);
}

#[tokio::test]
async fn a_jwt_not_signed_by_the_apps_key_or_too_long_is_refused() {
    use secrecy::ExposeSecret;
    let em = spawn_emulator().await;
    let app = demo_app();
    let http = reqwest::Client::new();
    let ask = |jwt: String| {
        http.get(em.url("/orgs/acme-corp/installation"))
            .bearer_auth(jwt)
            .send()
    };
    let good = app.jwt(chrono::Utc::now()).unwrap();
    assert_eq!(
        ask(good.expose_secret().to_owned()).await.unwrap().status(),
        200
    );

    let mut parts: Vec<String> = good.expose_secret().split('.').map(str::to_owned).collect();
    parts[2] = parts[2].chars().rev().collect();
    assert_eq!(
        ask(parts.join(".")).await.unwrap().status(),
        401,
        "a forged signature"
    );
    let stale = app
        .jwt(chrono::Utc::now() - chrono::Duration::minutes(20))
        .unwrap();
    let res = ask(stale.expose_secret().to_owned()).await.unwrap();
    assert_eq!(res.status(), 401, "an expired JWT");
    assert!(res.text().await.unwrap().contains("'exp'"));
    let mona = em.mona();
    assert_eq!(
        ask(mona.expose_secret().to_owned()).await.unwrap().status(),
        401,
        "a user's token is no JWT"
    );
}

#[tokio::test]
async fn the_settings_page_says_what_background_work_can_do_to_managers_only() {
    let app = spawn_app().await;
    app.sign_in("octocat").await;
    let (status, page) = app.page("/orgs/acme-corp/settings").await;
    assert_eq!(status, 403, "a member without the role: {page}");
    assert!(page.contains("owner or security manager"), "{page}");
    assert!(!page.contains("71000001"), "{page}");

    app.sign_in("mona").await;
    let (status, page) = app.page("/orgs/acme-corp/settings").await;
    let page = page.replace("<!>", "");
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("Background work: <span class=\"ok\">On"),
        "{page}"
    );
    assert!(page.contains("installation 71000001"), "{page}");
    assert!(page.contains("organization_campaigns"), "{page}");

    assert!(app.emulator.remove_installation("acme-corp"));
    let (status, page) = app.page("/orgs/acme-corp/settings").await;
    let page = page.replace("<!>", "");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("is not installed on acme-corp"), "{page}");
}

/// The settings' server function answers nobody signed in, and checks the org it is given.
#[tokio::test]
async fn the_background_access_function_needs_a_session_and_a_valid_org() {
    let app = spawn_app().await;
    let (status, body) =
        crate::campaign_create::call(&app, "orgs/background", &[("org", "acme-corp")]).await;
    assert_eq!(status, 401, "{body}");
    assert!(!body.contains("71000001"), "{body}");
    app.sign_in("mona").await;
    let (status, body) =
        crate::campaign_create::call(&app, "orgs/background", &[("org", "acme corp!")]).await;
    assert!(
        (400..500).contains(&status),
        "a bad org is refused: {status} {body}"
    );
    let (status, body) =
        crate::campaign_create::call(&app, "orgs/background", &[("org", "acme-corp")]).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("71000001"), "{body}");
}

#[tokio::test]
async fn without_an_app_the_settings_page_says_background_work_is_off() {
    let app = spawn_app_with(&[("CAMPAIGNS_GITHUB_APP_ID", "off")]).await;
    app.sign_in("hubot").await;
    let (status, page) = app.page("/orgs/globex/settings").await;
    let page = page.replace("<!>", "");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("No GitHub App is configured"), "{page}");
    assert!(
        page.contains("Background work: <span class=\"muted\">Off"),
        "{page}"
    );
}

/// Every open campaign of every org the App is installed on gets this hour's snapshot with nobody
/// signed in and no page viewed; an org the App was removed from is left alone.
#[tokio::test]
async fn the_snapshot_job_keeps_every_open_campaign_of_every_installed_org_unviewed() {
    use campaigns_admin::domain::CampaignNumber;
    use campaigns_admin::service::background::{every_org, OrgWork};
    let app = spawn_app().await;
    let this_hour = {
        let now = chrono::Utc::now().timestamp();
        chrono::DateTime::from_timestamp(now - now.rem_euclid(3600), 0).unwrap()
    };
    let open: Vec<(OrgLogin, CampaignNumber)> = (app.emulator.campaigns().into_iter())
        .filter(|c| c.closed_at.is_none())
        .map(|c| (org(&c.org), CampaignNumber::new(c.number).unwrap()))
        .collect();
    assert!(open.len() >= 3, "the seed has open campaigns in both orgs");
    let records = app.state.store.campaigns();
    let kept_this_hour = |org: OrgLogin, number| {
        let records = records.clone();
        async move {
            !records
                .history(&org, number, this_hour)
                .await
                .unwrap()
                .is_empty()
        }
    };
    for (o, n) in &open {
        assert!(
            !kept_this_hour(o.clone(), *n).await,
            "nothing this hour before the job"
        );
    }

    let run = every_org(&app.state, OrgWork::Snapshots)
        .await
        .unwrap()
        .expect("demo mode has an App");
    let kept: usize = run.done.iter().map(|(_, n)| n).sum();
    assert_eq!((run.done.len(), kept), (2, open.len()), "{run:?}");
    assert!(run.failed.is_empty(), "{run:?}");
    for (o, n) in &open {
        assert!(kept_this_hour(o.clone(), *n).await, "{o} #{n} kept");
    }
    assert!(app.emulator.remove_installation("globex"));
    let run = every_org(&app.state, OrgWork::Snapshots)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(run.done.len(), 1, "globex is no longer installed: {run:?}");
}

#[tokio::test]
async fn without_an_app_the_snapshot_job_is_off() {
    let app = spawn_app_with(&[("CAMPAIGNS_GITHUB_APP_ID", "off")]).await;
    use campaigns_admin::service::background::{every_org, OrgWork};
    let run = every_org(&app.state, OrgWork::Snapshots).await;
    assert!(matches!(run, Ok(None)), "{run:?}");
}
