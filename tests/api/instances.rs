//! Two app instances on one PostgreSQL behave as one app: sessions, sign-out and token refresh
//! hold across them, and both heal by themselves when the database comes back.

use crate::helpers::{emulator_for, free_port, serve, test_settings, Browser, TestApp};
use crate::postgres::{fresh_database, PrivateServer};
use campaigns_admin::emulator::EmulatorHandle;
use campaigns_admin::startup::Application;

/// Two instances behind one public URL (the first's address, as a balancer would show them),
/// sharing `database_url`, one session key and one emulator; one browser for both.
pub(crate) struct Pair {
    pub(crate) a: TestApp,
    pub(crate) b: TestApp,
    _emulator: EmulatorHandle,
    _dirs: [tempfile::TempDir; 2],
}

pub(crate) async fn two_instances(database_url: &str, expiring_tokens: bool) -> Pair {
    two_instances_with(database_url, expiring_tokens, &[]).await
}

/// [`two_instances`], each with the `extra` settings too.
pub(crate) async fn two_instances_with(
    database_url: &str,
    expiring_tokens: bool,
    extra: &[(&str, &str)],
) -> Pair {
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let ports = [free_port(), free_port()];
    let public = format!("http://127.0.0.1:{}/", ports[0]);
    let key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    let settings = |i: usize| {
        let listen = format!("127.0.0.1:{}", ports[i]);
        let mut env = vec![
            ("CAMPAIGNS_LISTEN_ADDR", listen.as_str()),
            ("CAMPAIGNS_PUBLIC_URL", public.as_str()),
            ("CAMPAIGNS_DATABASE_URL", database_url),
            ("CAMPAIGNS_SESSION_KEY", key),
            // The emulator checks it; demo mode would draw one for each instance.
            ("CAMPAIGNS_GITHUB_CLIENT_SECRET", "shared-demo-secret"),
        ];
        env.extend_from_slice(extra);
        test_settings(dirs[i].path(), &env)
    };
    let emulator = emulator_for(&settings(0), expiring_tokens, 5_000).await;
    let browser = Browser::new();
    let mut apps = Vec::new();
    for i in 0..2 {
        let mut s = settings(i);
        s.demo.emulator_url = Some(emulator.url());
        let app = Application::build(s).await.expect("the instance starts");
        apps.push(serve(app, emulator.emulator().clone(), browser.clone()));
    }
    let b = apps.pop().unwrap();
    let a = apps.pop().unwrap();
    Pair {
        a,
        b,
        _emulator: emulator,
        _dirs: dirs,
    }
}

/// A GET with exactly this session cookie (whatever the browser's jar holds now).
async fn get_with_cookie(app: &TestApp, path: &str, cookie: &str) -> reqwest::Response {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url(path))
        .header("cookie", format!("campaigns_session={cookie}"))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_session_made_on_one_instance_works_on_the_other() {
    let pair = two_instances(&fresh_database().await, false).await;
    pair.a.sign_in("mona").await;
    let page = pair.b.get("/").await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("mona"));
    let orgs = pair.b.post("/api/my_orgs", "").await;
    assert_eq!(orgs.status(), 200);
    assert!(orgs.text().await.unwrap().contains("acme-corp"));
}

#[tokio::test]
async fn signing_out_on_one_instance_kills_the_cookie_on_both() {
    let pair = two_instances(&fresh_database().await, false).await;
    pair.a.sign_in("mona").await;
    let cookie = pair.a.session_cookie().expect("a session cookie");
    assert_eq!(get_with_cookie(&pair.a, "/", &cookie).await.status(), 200);
    let out = pair.b.post("/auth/logout", "").await;
    assert_eq!(out.status(), 303);
    for app in [&pair.a, &pair.b] {
        let res = get_with_cookie(app, "/orgs/acme-corp/campaigns", &cookie).await;
        assert_eq!(res.status(), 303, "the old cookie is dead");
        assert!(res.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/auth/login"));
    }
    assert!(pair.a.session_rows().await.is_empty());
}

/// Five requests at once with an expiring token, spread over both instances: one refresh at the
/// emulator, and the rotated refresh token is the one kept (the second round needs it).
#[tokio::test]
async fn five_concurrent_requests_with_an_expired_token_over_two_instances_cause_one_refresh() {
    let pair = two_instances(&fresh_database().await, true).await;
    let emulator = &pair.a.emulator;
    // A token that is already within the refresh margin when issued; the refreshed ones are not.
    emulator.set_token_lifetime(5);
    pair.a.sign_in("mona").await;
    emulator.set_token_lifetime(8 * 3600);
    for round in 0..2 {
        if round == 1 {
            expire_stored_token(&pair.a).await;
        }
        let before = pair.a.token_requests();
        let calls = (0..5).map(|i| {
            let app = if i % 2 == 0 { &pair.a } else { &pair.b };
            app.post("/api/my_orgs", "")
        });
        for res in futures_util::future::join_all(calls).await {
            let status = res.status();
            let body = res.text().await.unwrap();
            assert_eq!(status, 200, "round {round}: {body}");
            assert!(body.contains("acme-corp"), "round {round}: {body}");
        }
        assert_eq!(
            pair.a.token_requests() - before,
            1,
            "round {round}: exactly one refresh"
        );
    }
    for app in [&pair.a, &pair.b] {
        assert_eq!(app.get("/").await.status(), 200, "still signed in");
    }
}

/// A token refresh that waits on GitHub holds no database connection and no row lock meanwhile:
/// the other instance, and the session's own saves, go on; the refreshed token is then used by
/// every request that waited for it.
#[tokio::test]
async fn a_slow_token_refresh_holds_no_database_connection_while_github_answers() {
    use campaigns_admin::emulator::FaultRule;
    let url = fresh_database().await;
    let pair = two_instances(&url, true).await;
    let emulator = &pair.a.emulator;
    emulator.set_token_lifetime(5);
    pair.a.sign_in("mona").await;
    emulator.set_token_lifetime(8 * 3600);
    expire_stored_token(&pair.a).await;
    emulator.add_fault(FaultRule {
        path_prefix: Some("/login/oauth/access_token".into()),
        latency_ms: 1_500,
        times: Some(1),
        ..Default::default()
    });
    let before = pair.a.token_requests();
    let requests = futures_util::future::join_all((0..4).map(|i| {
        let app = if i % 2 == 0 { &pair.a } else { &pair.b };
        app.post("/api/my_orgs", "")
    }));
    let watch = async {
        // Half-way through GitHub's answer: no connection of either instance is inside a
        // transaction.
        tokio::time::sleep(std::time::Duration::from_millis(700)).await;
        let pool = sqlx::AnyPool::connect(&url).await.unwrap();
        let (open,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM pg_stat_activity
             WHERE datname = current_database() AND state LIKE 'idle in transaction%'",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        pool.close().await;
        open
    };
    let (answers, open) = tokio::join!(requests, watch);
    assert_eq!(open, 0, "no transaction is held open while GitHub answers");
    for res in answers {
        let status = res.status();
        let body = res.text().await.unwrap();
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("acme-corp"), "{body}");
    }
    assert_eq!(pair.a.token_requests() - before, 1, "one refresh");
}

/// Ages the stored sign-in's access token past its expiry, as time would. (In the text: the
/// record's id is an i128, which a `serde_json::Value` would not carry through.)
async fn expire_stored_token(app: &TestApp) {
    let pool = sqlx::AnyPool::connect(&app.database_url).await.unwrap();
    for (id, data) in app.session_rows().await {
        let key = "\"expires_at\":\"";
        let start = data.find(key).expect("an expiring token") + key.len();
        let end = start + data[start..].find('"').unwrap();
        let aged = format!("{}2000-01-01T00:00:00Z{}", &data[..start], &data[end..]);
        sqlx::query("UPDATE sessions SET data = $1 WHERE id = $2")
            .bind(aged)
            .bind(id)
            .execute(&pool)
            .await
            .unwrap();
    }
    pool.close().await;
}

#[tokio::test]
async fn stopping_postgresql_makes_both_instances_answer_503_and_starting_it_heals_them() {
    let server = PrivateServer::start().await;
    let pair = two_instances(&server.database().await, false).await;
    pair.a.sign_in("mona").await;
    server.stop().await;
    for app in [&pair.a, &pair.b] {
        assert_eq!(app.get("/readyz").await.status(), 503);
        assert_eq!(app.get("/healthz").await.status(), 200, "still alive");
        let page = app.get("/orgs/acme-corp/campaigns").await;
        assert_eq!(page.status(), 503);
        let text = page.text().await.unwrap();
        assert!(text.contains("database cannot be reached"), "{text}");
        let call = app.post("/api/my_orgs", "").await;
        assert_eq!(call.status(), 503);
        assert!(call.text().await.unwrap().contains("store_unavailable"));
    }
    server.start_again().await;
    for app in [&pair.a, &pair.b] {
        let mut ready = false;
        for _ in 0..50 {
            if app.get("/readyz").await.status() == 200 {
                ready = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        assert!(ready, "/readyz is 200 again");
        let page = app.get("/orgs/acme-corp/campaigns").await;
        assert_eq!(page.status(), 200, "signed in still, without a restart");
    }
}
