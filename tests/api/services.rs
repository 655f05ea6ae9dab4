//! The service floor called as plain functions, without a server in front: the app's state from
//! a started app, a token from the emulator, and what the service answers and asks GitHub.

use crate::helpers::spawn_app;
use campaigns_admin::domain::template::Template;
use campaigns_admin::domain::OrgLogin;
use campaigns_admin::error::AppError;
use campaigns_admin::service::{overview, templates};
use secrecy::SecretString;

fn org(login: &str) -> OrgLogin {
    OrgLogin::parse(login).unwrap()
}

fn token(app: &crate::helpers::TestApp, login: &str) -> SecretString {
    let scopes = ["security_events", "read:org"];
    SecretString::from(
        app.emulator
            .issue_token(login, &scopes)
            .expect("a seeded user"),
    )
}

#[tokio::test]
async fn the_template_service_keeps_an_orgs_templates_for_its_owners_and_security_managers() {
    let app = spawn_app().await;
    let state = app.state.clone();
    let acme = org("acme-corp");
    let (mona, octocat) = (token(&app, "mona"), token(&app, "octocat"));
    let built_in = templates::list(&state, &mona, &acme).await.unwrap().len();
    let template = Template {
        id: None,
        label: "Triage SQL injection".into(),
        filter: Default::default(),
        name_pattern: "SQL injection {date}".into(),
        description_pattern: String::new(),
        saved_by: None,
    };
    let saved = templates::save(&state, &mona, "mona", &acme, template.clone())
        .await
        .unwrap();
    assert_eq!(saved.saved_by.as_deref(), Some("mona"));
    let id = saved.id.expect("kept with an id");
    let listed = templates::list(&state, &mona, &acme).await.unwrap();
    assert_eq!(listed.len(), built_in + 1);
    assert!(listed.iter().any(|t| t.id == Some(id)));

    // A plain member of the org reads, saves and removes nothing, whatever the id.
    let refused = templates::list(&state, &octocat, &acme).await.unwrap_err();
    assert!(matches!(refused, AppError::Forbidden { .. }), "{refused:?}");
    let refused = templates::save(&state, &octocat, "octocat", &acme, template).await;
    assert!(
        matches!(refused, Err(AppError::Forbidden { .. })),
        "{refused:?}"
    );
    let refused = templates::remove(&state, &octocat, &acme, id).await;
    assert!(
        matches!(refused, Err(AppError::Forbidden { .. })),
        "{refused:?}"
    );
    assert_eq!(
        templates::list(&state, &mona, &acme).await.unwrap().len(),
        built_in + 1
    );

    templates::remove(&state, &mona, &acme, id).await.unwrap();
    let again = templates::remove(&state, &mona, &acme, id).await;
    assert!(matches!(again, Err(AppError::NotFound)), "{again:?}");
}

#[tokio::test]
async fn the_overview_service_asks_github_one_list_call() {
    let app = spawn_app().await;
    let state = app.state.clone();
    let hubot = token(&app, "hubot");
    app.emulator.clear_requests();
    let o = overview::overview(&state, &hubot, &org("acme-corp"))
        .await
        .unwrap();
    assert!(!o.campaigns.is_empty(), "acme-corp has open campaigns");
    assert!(o.campaigns.iter().all(|c| c.campaign.open));
    let asked: Vec<String> = (app.emulator.requests().into_iter())
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(asked, ["GET /orgs/acme-corp/campaigns"], "one list call");

    // Someone without the role gets GitHub's answer for them, not the org's campaigns.
    let octocat = token(&app, "octocat");
    let refused = overview::overview(&state, &octocat, &org("acme-corp")).await;
    assert!(refused.is_err(), "{refused:?}");
}
