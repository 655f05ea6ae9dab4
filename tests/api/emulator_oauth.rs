//! The emulator's OAuth web flow, spoken over HTTP as a browser and an OAuth client would.

use crate::helpers::{
    spawn_emulator, spawn_emulator_with, TestEmulator, CALLBACK, CLIENT_ID, CLIENT_SECRET,
};
use base64::Engine;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

const VERIFIER: &str = "a-long-random-code-verifier-of-at-least-43-characters-0123456789";

fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn query_of(location: &str) -> HashMap<String, String> {
    url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

/// Approves the consent page as `login` and returns the redirect's query.
async fn consent(
    em: &TestEmulator,
    login: &str,
    decision: &str,
    state: &str,
) -> HashMap<String, String> {
    let form = [
        ("client_id", CLIENT_ID),
        ("redirect_uri", CALLBACK),
        ("scope", "security_events read:org"),
        ("state", state),
        ("code_challenge", &challenge(VERIFIER)),
        ("code_challenge_method", "S256"),
        ("login", login),
        ("decision", decision),
    ];
    let res = browser()
        .post(em.url("/login/oauth/authorize"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "consent answers with a redirect");
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(CALLBACK), "{location}");
    query_of(&location)
}

async fn exchange(em: &TestEmulator, code: &str, verifier: &str) -> serde_json::Value {
    browser()
        .post(em.url("/login/oauth/access_token"))
        .header("accept", "application/json")
        .form(&[
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("code", code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_consent_page_shows_scopes_and_demo_users_and_escapes_state() {
    let em = spawn_emulator().await;
    let url = format!(
        "{}?client_id={CLIENT_ID}&redirect_uri={CALLBACK}&scope=security_events%20read:org&state=%22%3E%3Cscript%3E&code_challenge={}&code_challenge_method=S256",
        em.url("/login/oauth/authorize"),
        challenge(VERIFIER)
    );
    let res = browser().get(url).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("security_events") && html.contains("read:org"));
    assert!(
        html.contains("value=\"mona\"")
            && html.contains("value=\"hubot\"")
            && html.contains("value=\"octocat\"")
    );
    assert!(html.contains(">Authorize<") && html.contains(">Cancel<"));
    assert!(!html.contains("\"><script>"), "state must be escaped");
}

#[tokio::test]
async fn an_unknown_client_id_is_refused() {
    let em = spawn_emulator().await;
    let res = browser()
        .get(em.url("/login/oauth/authorize?client_id=nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn a_redirect_uri_outside_the_registered_callback_goes_back_with_an_error() {
    let em = spawn_emulator().await;
    for bad in [
        "http://evil.example/auth/callback",
        "http://127.0.0.1:9/other",
        "http://127.0.0.1:10/auth/callback",
    ] {
        let res = browser()
            .get(em.url("/login/oauth/authorize"))
            .query(&[
                ("client_id", CLIENT_ID),
                ("redirect_uri", bad),
                ("state", "s1"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "{bad}");
        let location = res.headers()["location"].to_str().unwrap();
        assert!(location.starts_with(CALLBACK), "{location}");
        let q = query_of(location);
        assert_eq!(q["error"], "redirect_uri_mismatch");
        assert_eq!(q["state"], "s1");
    }
}

#[tokio::test]
async fn plain_pkce_is_refused() {
    let em = spawn_emulator().await;
    let res = browser()
        .get(em.url("/login/oauth/authorize"))
        .query(&[
            ("client_id", CLIENT_ID),
            ("redirect_uri", CALLBACK),
            ("state", "s"),
            ("code_challenge", "abc"),
            ("code_challenge_method", "plain"),
        ])
        .send()
        .await
        .unwrap();
    let q = query_of(res.headers()["location"].to_str().unwrap());
    assert_eq!(q["error"], "invalid_request");
}

#[tokio::test]
async fn cancel_returns_access_denied_with_the_state() {
    let em = spawn_emulator().await;
    let q = consent(&em, "mona", "cancel", "st-123").await;
    assert_eq!(q["error"], "access_denied");
    assert_eq!(q["state"], "st-123");
    assert!(!q.contains_key("code"));
}

#[tokio::test]
async fn authorize_then_exchange_with_the_right_verifier_gives_a_working_token() {
    let em = spawn_emulator().await;
    let q = consent(&em, "hubot", "authorize", "st-1").await;
    assert_eq!(q["state"], "st-1");
    let answer = exchange(&em, &q["code"], VERIFIER).await;
    assert_eq!(answer["token_type"], "bearer");
    assert_eq!(answer["scope"], "security_events,read:org");
    let token = answer["access_token"].as_str().unwrap();
    let user = em
        .client
        .get_authenticated_user(&secrecy::SecretString::from(token.to_owned()))
        .await
        .unwrap();
    assert_eq!(user.login, "hubot");
}

#[tokio::test]
async fn a_wrong_verifier_fails_and_the_code_cannot_be_replayed() {
    let em = spawn_emulator().await;
    let q = consent(&em, "mona", "authorize", "s").await;
    let wrong = exchange(
        &em,
        &q["code"],
        "another-verifier-that-is-long-enough-to-be-valid-000000",
    )
    .await;
    assert_eq!(wrong["error"], "invalid_grant");
    // The code was spent by the failed attempt.
    let replay = exchange(&em, &q["code"], VERIFIER).await;
    assert_eq!(replay["error"], "bad_verification_code");

    let q = consent(&em, "mona", "authorize", "s").await;
    assert!(exchange(&em, &q["code"], VERIFIER).await["access_token"].is_string());
    assert_eq!(
        exchange(&em, &q["code"], VERIFIER).await["error"],
        "bad_verification_code"
    );
}

#[tokio::test]
async fn wrong_client_credentials_are_refused() {
    let em = spawn_emulator().await;
    let q = consent(&em, "mona", "authorize", "s").await;
    let answer: serde_json::Value = browser()
        .post(em.url("/login/oauth/access_token"))
        .header("accept", "application/json")
        .json(&serde_json::json!({"client_id": CLIENT_ID, "client_secret": "wrong", "code": q["code"], "code_verifier": VERIFIER}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["error"], "incorrect_client_credentials");
}

#[tokio::test]
async fn without_accept_json_the_answer_is_form_encoded_as_on_github() {
    let em = spawn_emulator().await;
    let q = consent(&em, "mona", "authorize", "s").await;
    let res = browser()
        .post(em.url("/login/oauth/access_token"))
        .form(&[
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("code", &q["code"]),
            ("code_verifier", VERIFIER),
        ])
        .send()
        .await
        .unwrap();
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/x-www-form-urlencoded"));
    let text = res.text().await.unwrap();
    assert!(
        text.contains("access_token=gho_") && text.contains("token_type=bearer"),
        "{text}"
    );
}

#[tokio::test]
async fn expiring_tokens_refresh_and_rotate() {
    let em = spawn_emulator_with(true).await;
    let q = consent(&em, "mona", "authorize", "s").await;
    let first = exchange(&em, &q["code"], VERIFIER).await;
    assert_eq!(first["expires_in"], 28_800);
    let refresh = first["refresh_token"].as_str().unwrap().to_owned();
    let refreshed: serde_json::Value = browser()
        .post(em.url("/login/oauth/access_token"))
        .header("accept", "application/json")
        .form(&[
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(refreshed["access_token"].is_string());
    assert_ne!(refreshed["refresh_token"], first["refresh_token"]);
    // The old refresh token was rotated away.
    let again: serde_json::Value = browser()
        .post(em.url("/login/oauth/access_token"))
        .header("accept", "application/json")
        .form(&[
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(again["error"], "bad_refresh_token");
}

#[tokio::test]
async fn revoking_a_token_makes_it_unusable() {
    let em = spawn_emulator().await;
    let token = em
        .emulator()
        .issue_token("mona", &["security_events"])
        .unwrap();
    assert!(em.emulator().token_is_valid(&token));
    let unauth = browser()
        .delete(em.url(&format!("/applications/{CLIENT_ID}/token")))
        .json(&serde_json::json!({"access_token": token}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        unauth.status(),
        404,
        "revocation needs the app's credentials"
    );
    let res = browser()
        .delete(em.url(&format!("/applications/{CLIENT_ID}/token")))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .json(&serde_json::json!({"access_token": token}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert!(!em.emulator().token_is_valid(&token));
    let err = em
        .client
        .get_authenticated_user(&secrecy::SecretString::from(token))
        .await
        .unwrap_err();
    assert_eq!(err, campaigns_admin::error::AppError::NotSignedIn);
}

#[tokio::test]
async fn revoking_a_grant_ends_every_token_of_that_user_and_errors_read_like_github() {
    let em = spawn_emulator().await;
    let first = em.emulator().issue_token("mona", &["read:org"]).unwrap();
    let second = em.emulator().issue_token("mona", &["read:org"]).unwrap();
    let other = em.emulator().issue_token("hubot", &["read:org"]).unwrap();
    let grant = |body: serde_json::Value| {
        browser()
            .delete(em.url(&format!("/applications/{CLIENT_ID}/grant")))
            .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
            .json(&body)
            .send()
    };

    let missing = grant(serde_json::json!({})).await.unwrap();
    assert_eq!(missing.status(), 422);
    let body: serde_json::Value = missing.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("access_token"));
    assert!(body["documentation_url"]
        .as_str()
        .unwrap()
        .ends_with("#delete-an-app-authorization"));

    let unknown = grant(serde_json::json!({"access_token": "gho_unknown"}))
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let body: serde_json::Value = unknown.json().await.unwrap();
    assert_eq!(body["message"], "Not Found");

    let res = grant(serde_json::json!({"access_token": first}))
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert!(!em.emulator().token_is_valid(&first));
    assert!(
        !em.emulator().token_is_valid(&second),
        "every token of the user"
    );
    assert!(em.emulator().token_is_valid(&other), "not other users'");
}
