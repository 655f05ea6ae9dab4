use crate::helpers::spawn_app;

#[tokio::test]
async fn health_check_answers_ok_as_json() {
    let app = spawn_app().await;
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn home_page_is_server_rendered_with_the_whole_shell() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    let res = app.get("/").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.headers()["x-frame-options"], "DENY");
    let html = res.text().await.unwrap();
    assert!(
        html.starts_with("<!DOCTYPE html>"),
        "{}",
        &html[..80.min(html.len())]
    );
    assert!(html.contains("<html lang=\"en\""));
    assert!(html.contains("<header class=\"site-header\""));
    assert!(html.contains("<main id=\"main\""));
    assert!(html.contains("<footer class=\"site-footer\""));
    assert!(html.contains("Security campaigns, without the waiting"));
    assert!(
        html.contains("<title>Home · campaigns-admin</title>"),
        "title missing"
    );
    // The hydration script for the WASM bundle is referenced.
    assert!(html.contains("/pkg/campaigns-admin.js"));
}

#[tokio::test]
async fn an_unknown_path_is_a_real_404_page() {
    let app = spawn_app().await;
    app.sign_in("mona").await;
    let res = app.get("/definitely/not/here").await;
    assert_eq!(res.status(), 404);
    let html = res.text().await.unwrap();
    assert!(html.contains("Page not found"));
    assert!(html.contains("role=\"alert\""));
    assert!(html.contains("data-status=\"404\""));
}

#[tokio::test]
async fn the_demo_emulator_runs_beside_the_app() {
    let app = spawn_app().await;
    assert_ne!(app.emulator_url.port(), Some(app.address.port()));
    // It answers as GitHub does: the API wants a token.
    let res = app
        .client
        .get(app.emulator_url.join("user").unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["message"], "Requires authentication");
}
