use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{api_client, TestApp, STRONG_PASSWORD};

const CLIENT: &str = "https://client.example";
const REALWORLD: &str = "http://localhost:4100";
const FOREIGN: &str = "https://evil.example";

async fn with_origins(app: &TestApp) -> TestApp {
    TestApp::spawn_with(app.engine, &[("CORS_ALLOWED_ORIGINS", &format!("{CLIENT}, {REALWORLD}/"))]).await
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    response.headers().get(name).map(|value| value.to_str().unwrap())
}

async fn preflight(app: &TestApp, path: &str, origin: &str, method: &str) -> reqwest::Response {
    api_client()
        .request(Method::OPTIONS, app.url(path))
        .header("origin", origin)
        .header("access-control-request-method", method)
        .header("access-control-request-headers", "authorization, content-type")
        .send()
        .await
        .unwrap()
}

/// `PUT /api/auth/update-info` with a browser's session cookie, from `origin` (none: a script).
async fn rename_with_cookie(app: &TestApp, cookie: &str, origin: Option<&str>, name: &str) -> reqwest::Response {
    let mut request =
        api_client().put(app.url("/api/auth/update-info")).header("cookie", cookie).json(&json!({"new_name": name}));
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    request.send().await.unwrap()
}

engine_tests! {
    async fn cors_preflight_from_a_listed_origin_is_answered_with_credentials_and_cached(app: TestApp) {
        let app = with_origins(&app).await;
        let response = preflight(&app, "/api/auth/update-info", CLIENT, "PUT").await;
        assert!(response.status().is_success(), "{}", response.status());
        assert_eq!(header(&response, "access-control-allow-origin"), Some(CLIENT));
        assert_eq!(header(&response, "access-control-allow-credentials"), Some("true"));
        let methods = header(&response, "access-control-allow-methods").unwrap().to_ascii_uppercase();
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            assert!(methods.contains(method), "{method} in {methods}");
        }
        let headers = header(&response, "access-control-allow-headers").unwrap();
        assert!(headers.contains("authorization") && headers.contains("content-type"), "{headers}");
        assert_eq!(header(&response, "access-control-max-age"), Some("7200"));
        assert!(header(&response, "vary").is_some_and(|vary| vary.contains("origin")));
    }

    async fn cors_answers_listed_origins_on_api_responses_and_errors(app: TestApp) {
        let app = with_origins(&app).await;
        for path in ["/api/openapi.json", "/api/no-such-endpoint", "/conduit/api/tags"] {
            let response = api_client().get(app.url(path)).header("origin", CLIENT).send().await.unwrap();
            assert_eq!(header(&response, "access-control-allow-origin"), Some(CLIENT), "{path}");
            assert_eq!(header(&response, "access-control-allow-credentials"), Some("true"), "{path}");
            let exposed = header(&response, "access-control-expose-headers").unwrap_or_default();
            assert!(exposed.contains("retry-after"), "{path}: {exposed}");
        }
    }

    async fn cors_gives_a_foreign_origin_nothing(app: TestApp) {
        let app = with_origins(&app).await;
        // Without Access-Control-Allow-Origin the browser shows the page nothing.
        let response = preflight(&app, "/api/auth/update-info", FOREIGN, "PUT").await;
        assert_eq!(header(&response, "access-control-allow-origin"), None);
        let response = api_client().get(app.url("/api/openapi.json")).header("origin", FOREIGN).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(header(&response, "access-control-allow-origin"), None);
        // An origin differing from a listed one only in scheme or port is foreign too.
        let response = api_client()
            .get(app.url("/api/openapi.json"))
            .header("origin", "http://client.example")
            .send()
            .await
            .unwrap();
        assert_eq!(header(&response, "access-control-allow-origin"), None);
    }

    async fn cors_leaves_pages_and_server_functions_same_origin(app: TestApp) {
        let app = with_origins(&app).await;
        for path in ["/", "/health", "/fn/accounts/login"] {
            let response = preflight(&app, path, CLIENT, "POST").await;
            assert_eq!(header(&response, "access-control-allow-origin"), None, "preflight {path}");
        }
        let response = api_client().get(app.url("/")).header("origin", CLIENT).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(header(&response, "access-control-allow-origin"), None);
    }

    async fn cookie_writes_from_a_foreign_origin_are_refused_and_change_nothing(app: TestApp) {
        let app = with_origins(&app).await;
        app.create_active_user("cora", "cora@example.com", STRONG_PASSWORD).await;
        let cookie = app.session_cookie("cora").await;

        let response = rename_with_cookie(&app, &cookie, Some(FOREIGN), "Mallory").await;
        assert_eq!(response.status(), 403);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["status"], 403);
        assert!(body["message"].as_str().unwrap().contains("CORS_ALLOWED_ORIGINS"), "{body}");
        let (name,): (Option<String>,) = sqlx::query_as("SELECT name FROM users WHERE username = 'cora'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_ne!(name.as_deref(), Some("Mallory"));

        // "null" (sandboxed frames, file: pages) is foreign as well.
        let response = rename_with_cookie(&app, &cookie, Some("null"), "Mallory").await;
        assert_eq!(response.status(), 403);
    }

    async fn cookie_writes_from_the_site_a_listed_origin_or_a_script_pass(app: TestApp) {
        let app = with_origins(&app).await;
        app.create_active_user("cody", "cody@example.com", STRONG_PASSWORD).await;
        let cookie = app.session_cookie("cody").await;
        for (origin, name) in [(Some("http://app.test"), "Own Site"), (Some(CLIENT), "Listed Client"), (None, "Script")] {
            let response = rename_with_cookie(&app, &cookie, origin, name).await;
            assert_eq!(response.status(), 200, "from {origin:?}");
            if origin == Some(CLIENT) {
                assert_eq!(header(&response, "access-control-allow-origin"), Some(CLIENT));
                assert_eq!(header(&response, "access-control-allow-credentials"), Some("true"));
            }
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["name"], name, "{body}");
        }
    }

    async fn a_listed_realworld_frontend_can_use_the_conduit_api(app: TestApp) {
        let app = with_origins(&app).await;
        let token = app.writer("rowan").await;
        let response = preflight(&app, "/conduit/api/articles", REALWORLD, "POST").await;
        assert!(response.status().is_success());
        assert_eq!(header(&response, "access-control-allow-origin"), Some(REALWORLD));

        let article = json!({"article": {"title": "From elsewhere", "description": "d", "body": "b", "tagList": []}});
        let response = api_client()
            .post(app.url("/conduit/api/articles"))
            .header("origin", REALWORLD)
            .header("authorization", format!("Token {token}"))
            .json(&article)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        assert_eq!(header(&response, "access-control-allow-origin"), Some(REALWORLD));

        // The same write carrying a cookie from an unlisted page is refused in the
        // RealWorld error shape.
        let response = api_client()
            .post(app.url("/conduit/api/articles"))
            .header("origin", FOREIGN)
            .header("cookie", "session=anything")
            .header("authorization", format!("Token {token}"))
            .json(&article)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403);
        let body: Value = response.json().await.unwrap();
        assert!(body["errors"]["origin"][0].as_str().is_some(), "{body}");
    }
}
