//! Sign in with GitHub: the OAuth round trip against the built-in emulator, sessions, cookies,
//! shared links that survive sign-in, sign-out, cross-site protection and token refresh.

use crate::helpers::{spawn_app, spawn_app_in, spawn_app_with};
use std::collections::HashMap;

const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

fn query(url: &url::Url) -> HashMap<String, String> {
    url.query_pairs().into_owned().collect()
}

fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.contains("campaigns_session="))
        .map(str::to_owned)
}

fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_owned()
}

/// A client without a cookie jar, to replay an exact cookie.
fn bare_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_full_round_trip_signs_in_and_shows_the_user() {
    let app = spawn_app().await;
    let authorize = app.start_sign_in("/").await;
    let q = query(&authorize);
    assert!(authorize.as_str().starts_with(app.emulator_url.as_str()));
    assert_eq!(authorize.path(), "/login/oauth/authorize");
    assert_eq!(q["redirect_uri"], format!("{}/auth/callback", app.origin()));
    assert_eq!(q["scope"], "security_events read:org");
    assert_eq!(q["code_challenge_method"], "S256");
    assert!(q["state"].len() >= 22, "at least 128 bits of state");
    let callback = app.consent(&authorize, "mona").await;
    assert_eq!(app.finish_sign_in(&callback).await, "/");
    let html = app.get("/").await.text().await.unwrap();
    assert!(
        html.contains("class=\"login\">mona<"),
        "the header shows the user"
    );
    assert!(
        html.contains("href=\"/orgs/acme-corp\""),
        "the home page lists the orgs"
    );
    assert!(html.contains("Sign out"));
    assert_eq!(app.token_requests(), 1);
}

#[tokio::test]
async fn a_deep_link_opened_signed_out_lands_on_exactly_that_url() {
    let app = spawn_app().await;
    let deep = "/orgs/acme-corp/campaigns/42?tab=x&q=a%20b";
    let res = app.get(deep).await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/auth/login?next="), "{location}");
    let login = app.client.get(app.url(&location)).send().await.unwrap();
    let authorize = url::Url::parse(login.headers()["location"].to_str().unwrap()).unwrap();
    let callback = app.consent(&authorize, "mona").await;
    assert_eq!(app.finish_sign_in(&callback).await, deep);
}

#[tokio::test]
async fn pages_need_a_session_but_sign_in_health_and_outcome_pages_do_not() {
    let app = spawn_app().await;
    for page in ["/", "/orgs/acme-corp/campaigns", "/no/such/page"] {
        assert_eq!(app.get(page).await.status(), 303, "{page}");
    }
    for open in ["/healthz", "/signed-out", "/sign-in-failed?reason=state"] {
        assert_eq!(app.get(open).await.status(), 200, "{open}");
    }
}

#[tokio::test]
async fn server_functions_without_a_session_answer_not_signed_in() {
    let app = spawn_app().await;
    let res = app.post("/api/my_orgs", "").await;
    let body = res.text().await.unwrap();
    assert!(body.contains("not_signed_in"), "{body}");
}

async fn assert_failed_without_exchange(
    app: &crate::helpers::TestApp,
    callback: &str,
    reason: &str,
) {
    let before = app.token_requests();
    let res = app.client.get(callback).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"],
        format!("/sign-in-failed?reason={reason}").as_str()
    );
    assert_eq!(
        app.token_requests(),
        before,
        "no token request may reach GitHub"
    );
    let page = app
        .get(&format!("/sign-in-failed?reason={reason}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Sign in again"));
}

#[tokio::test]
async fn a_missing_wrong_or_replayed_state_never_exchanges_the_code() {
    let app = spawn_app().await;
    let cb = app.url("/auth/callback");
    assert_failed_without_exchange(&app, &format!("{cb}?code=abc"), "state").await;
    let authorize = app.start_sign_in("/").await;
    assert_failed_without_exchange(&app, &format!("{cb}?code=abc&state=wrong"), "state").await;
    let callback = app.consent(&authorize, "mona").await;
    app.finish_sign_in(&callback).await;
    assert_eq!(app.token_requests(), 1);
    // The same callback again: its state was used up.
    assert_failed_without_exchange(&app, &callback, "state").await;
}

#[tokio::test]
async fn cancelling_on_github_says_so_and_exchanges_nothing() {
    let app = spawn_app().await;
    let authorize = app.start_sign_in("/").await;
    let callback = app
        .browser()
        .decide(&authorize, &[("decision", "cancel")])
        .await;
    assert!(callback.contains("error=access_denied"));
    assert_failed_without_exchange(&app, &callback, "denied").await;
}

#[tokio::test]
async fn every_sign_in_has_its_own_pkce_challenge_and_state() {
    let app = spawn_app().await;
    let a = query(&app.start_sign_in("/").await);
    let b = query(&app.start_sign_in("/").await);
    assert_ne!(a["code_challenge"], b["code_challenge"]);
    assert_ne!(a["state"], b["state"]);
    // The emulator checks the verifier against the challenge: a completed exchange proves they match.
    let app = spawn_app().await;
    app.sign_in("mona").await;
    assert_eq!(app.token_requests(), 1);
    assert!(!app.emulator.tokens_of("mona").is_empty());
}

#[tokio::test]
async fn the_session_id_changes_at_sign_in_and_the_old_one_is_dead() {
    let app = spawn_app().await;
    let res = app
        .client
        .get(app.url("/auth/login?next=/"))
        .send()
        .await
        .unwrap();
    let before = cookie_pair(&session_cookie(&res).expect("a session for the pending sign-in"));
    let authorize = url::Url::parse(res.headers()["location"].to_str().unwrap()).unwrap();
    let callback = app.consent(&authorize, "mona").await;
    let res = app.client.get(&callback).send().await.unwrap();
    let after = cookie_pair(&session_cookie(&res).expect("a new session id"));
    assert_ne!(before, after);
    let old = bare_client()
        .get(app.url("/"))
        .header("cookie", &before)
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), 303, "the pre-sign-in id is not signed in");
    let new = bare_client()
        .get(app.url("/"))
        .header("cookie", &after)
        .send()
        .await
        .unwrap();
    assert_eq!(new.status(), 200);
}

#[tokio::test]
async fn the_cookie_is_httponly_lax_and_host_only() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/auth/login")).send().await.unwrap();
    let cookie = session_cookie(&res).unwrap();
    assert!(cookie.starts_with("campaigns_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));
    assert!(cookie.contains("Path=/"));
    assert!(!cookie.contains("Secure"), "plain http in local demo");
    assert!(!cookie.to_ascii_lowercase().contains("domain="));

    let https = spawn_app_with(&[("CAMPAIGNS_PUBLIC_URL", "https://campaigns.example.com")]).await;
    let res = https
        .client
        .get(https.url("/auth/login"))
        .send()
        .await
        .unwrap();
    let cookie = session_cookie(&res).unwrap();
    assert!(cookie.starts_with("__Host-campaigns_session="), "{cookie}");
    assert!(cookie.contains("Secure") && cookie.contains("Path=/") && cookie.contains("HttpOnly"));
}

#[tokio::test]
async fn sign_out_revokes_the_token_and_kills_the_session() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    let tokens = app.emulator.tokens_of("mona");
    assert_eq!(tokens.len(), 1);
    let res = app.post("/auth/logout", "").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/signed-out");
    assert!(
        !app.emulator.token_is_valid(&tokens[0]),
        "revoked at GitHub"
    );
    assert_eq!(app.get("/").await.status(), 303, "signed out");
}

#[tokio::test]
async fn a_cross_site_post_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    for (headers, what) in [
        (
            vec![("sec-fetch-site", "cross-site")],
            "Sec-Fetch-Site cross-site",
        ),
        (
            vec![("sec-fetch-site", "same-site")],
            "Sec-Fetch-Site same-site",
        ),
        (vec![("origin", "https://evil.example")], "a foreign Origin"),
        (vec![], "neither header"),
    ] {
        for path in ["/auth/logout", "/api/my_orgs"] {
            let mut req = app
                .client
                .post(app.url(path))
                .header("content-type", "application/x-www-form-urlencoded");
            for (k, v) in &headers {
                req = req.header(*k, *v);
            }
            let res = req.send().await.unwrap();
            assert_eq!(res.status(), 403, "{what} to {path}");
        }
    }
    assert_eq!(app.get("/").await.status(), 200, "still signed in");
    assert_eq!(app.emulator.tokens_of("mona").len(), 1, "token not revoked");
    let ok = app
        .client
        .post(app.url("/api/my_orgs"))
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn two_tabs_signing_in_at_once_each_land_on_their_own_page() {
    let app = spawn_app().await;
    let a = app
        .start_sign_in("/orgs/acme-corp/campaigns?state=open")
        .await;
    let b = app.start_sign_in("/orgs/globex/campaigns").await;
    let cb_b = app.consent(&b, "mona").await;
    let cb_a = app.consent(&a, "mona").await;
    assert_eq!(app.finish_sign_in(&cb_b).await, "/orgs/globex/campaigns");
    assert_eq!(
        app.finish_sign_in(&cb_a).await,
        "/orgs/acme-corp/campaigns?state=open"
    );
}

#[tokio::test]
async fn open_redirects_through_next_land_on_home() {
    let app = spawn_app().await;
    for bad in [
        "//evil.example",
        "/\\evil.example",
        "https://evil.example",
        "/%2F%2Fevil.example",
        "javascript:alert(1)",
        "/\t/evil.example",
        "/\n/evil.example",
    ] {
        assert_eq!(app.sign_in_to("mona", bad).await, "/", "{bad:?}");
    }
    let good = "/orgs/acme-corp/campaigns?sort=ends_at&direction=asc&page=2";
    assert_eq!(app.sign_in_to("mona", good).await, good);
}

#[tokio::test]
async fn a_restart_keeps_the_user_signed_in() {
    let dir = tempfile::tempdir().unwrap();
    let env = [("CAMPAIGNS_SESSION_KEY", KEY)];
    let first = spawn_app_in(dir.path(), &env).await;
    first.sign_in("mona").await;
    let cookie_jar_client = first.client.clone();
    first.task.abort();
    let _ = first.task.await;
    drop(first.emulator);

    let second = spawn_app_in(dir.path(), &env).await;
    // Cookies are per host, not per port: the same browser, the restarted app.
    let res = cookie_jar_client.get(second.url("/")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("class=\"login\">mona<"));
    assert!(
        html.contains("href=\"/orgs/acme-corp\""),
        "the stored token still works"
    );
}

#[tokio::test]
async fn the_token_is_in_no_page_response_header_url_or_raw_session_row() {
    let app = spawn_app().await;
    let mut seen = String::new();
    let authorize = app.start_sign_in("/").await;
    seen.push_str(authorize.as_str());
    let callback = app.consent(&authorize, "mona").await;
    seen.push_str(&callback);
    let res = app.client.get(&callback).send().await.unwrap();
    seen.push_str(&format!("{:?}", res.headers()));
    for path in ["/", "/signed-out"] {
        let res = app.get(path).await;
        seen.push_str(&format!("{:?}", res.headers()));
        seen.push_str(&res.text().await.unwrap());
    }
    for f in ["/api/my_orgs", "/api/signed_in_user"] {
        let res = app.post(f, "").await;
        seen.push_str(&format!("{:?}", res.headers()));
        seen.push_str(&res.text().await.unwrap());
    }
    let token = app.emulator.tokens_of("mona").pop().unwrap();
    assert!(seen.contains("mona"), "the checks saw real content");
    assert!(!seen.contains(&token), "the token leaked to the browser");

    let rows = app.session_rows().await;
    assert!(!rows.is_empty());
    for (_, data) in rows {
        assert!(!data.contains(&token), "the token is stored in plain form");
    }
}

#[tokio::test]
async fn five_concurrent_requests_with_an_expired_token_cause_one_refresh() {
    let app = spawn_app_with(&[("CAMPAIGNS_DEMO_EXPIRING_TOKENS", "true")]).await;
    // Tokens that are already within the refresh margin when issued.
    app.emulator.set_token_lifetime(5);
    app.sign_in("mona").await;
    let before = app.token_requests();
    app.emulator.set_token_lifetime(8 * 3600);
    let calls = (0..5).map(|_| app.post("/api/my_orgs", ""));
    let answers = futures_util::future::join_all(calls).await;
    for res in answers {
        assert_eq!(res.status(), 200);
        let body = res.text().await.unwrap();
        assert!(body.contains("acme-corp"), "{body}");
    }
    assert_eq!(app.token_requests() - before, 1, "exactly one refresh");
    assert_eq!(
        app.get("/").await.status(),
        200,
        "still signed in with the new token"
    );
}

#[tokio::test]
async fn a_revoked_token_ends_the_session_and_the_page_asks_to_sign_in_again() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    let token = app.emulator.tokens_of("mona").pop().unwrap();
    app.emulator.expire_token(&token);
    let res = app.post("/api/my_orgs", "").await;
    assert!(res.text().await.unwrap().contains("not_signed_in"));
    let res = app.get("/orgs/acme-corp/campaigns?state=open").await;
    assert_eq!(res.status(), 303);
    assert!(res.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/auth/login?next="));
}
