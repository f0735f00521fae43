//! The account endpoints of the JSON API: register, login, update-password, update-info.

use serde_json::{json, Value};

use crate::helpers::{TestApp, STRONG_PASSWORD};

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    auth: Option<&str>,
    body: Value,
) -> reqwest::Response {
    let mut request = crate::helpers::api_client().request(method, app.url(path)).json(&body);
    if let Some(auth) = auth {
        request = request.header("authorization", auth);
    }
    request.send().await.unwrap()
}

async fn api_login(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    send(app, reqwest::Method::POST, "/api/auth/login", None, json!({"email": email, "password": password})).await
}

engine_tests! {
    async fn register_creates_an_inactive_account_or_says_which_rule_failed(app: TestApp) {
        let body = json!({"username": "ada", "email": "ada@example.com", "password": STRONG_PASSWORD, "name": "Ada"});
        let ok = send(&app, reqwest::Method::POST, "/api/auth/register", None, body.clone()).await;
        assert_eq!(ok.status(), 200);
        assert_eq!(api_login(&app, "ada@example.com", STRONG_PASSWORD).await.status(), 403, "not activated yet");

        let taken = send(&app, reqwest::Method::POST, "/api/auth/register", None, body).await;
        assert_eq!(taken.status(), 400);
        let error: Value = taken.json().await.unwrap();
        assert_eq!(error["fields"]["username"][0], "is already taken");

        let weak = json!({"username": "bob", "email": "bob@example.com", "password": "password"});
        let error: Value = send(&app, reqwest::Method::POST, "/api/auth/register", None, weak).await.json().await.unwrap();
        assert_eq!(error["status"], 400);
        assert!(error["fields"]["password"].as_array().unwrap().iter().any(|m| m == "must contain a symbol such as ! ? # or %"));
    }

    async fn login_returns_the_user_and_a_working_access_token_without_secrets(app: TestApp) {
        app.create_active_user("ada", "ada@example.com", STRONG_PASSWORD).await;
        let wrong = api_login(&app, "ada@example.com", "Wrong-Password-1!").await;
        assert_eq!(wrong.status(), 401);
        let body: Value = api_login(&app, "ada@example.com", STRONG_PASSWORD).await.json().await.unwrap();
        assert_eq!(body["user"]["username"], "ada");
        assert!(body["user"].get("password_hash").is_none());
        assert!(!body.to_string().contains("argon2"));
        let token = body["token"].as_str().unwrap();
        let (refresh_rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM refresh_tokens").fetch_one(app.db.pool()).await.unwrap();
        assert_eq!(refresh_rows, 0, "no refresh token is handed out, so none is stored");
        let info = send(&app, reqwest::Method::PUT, "/api/auth/update-info", Some(&format!("Bearer {token}")), json!({"new_name": "Ada L"})).await;
        assert_eq!(info.status(), 200);
        assert_eq!(info.json::<Value>().await.unwrap()["name"], "Ada L");
    }

    async fn update_info_and_password_need_credentials_and_apply_the_rules(app: TestApp) {
        app.create_active_user("ada", "ada@example.com", STRONG_PASSWORD).await;
        let anonymous = send(&app, reqwest::Method::PUT, "/api/auth/update-info", None, json!({"new_name": "Ada"})).await;
        assert_eq!(anonymous.status(), 401);
        let body: Value = api_login(&app, "ada", STRONG_PASSWORD).await.json().await.unwrap();
        let bearer = format!("Bearer {}", body["token"].as_str().unwrap());

        let bad_name = send(&app, reqwest::Method::PUT, "/api/auth/update-info", Some(&bearer), json!({"new_name": "Al"})).await;
        assert_eq!(bad_name.status(), 400);
        assert_eq!(bad_name.json::<Value>().await.unwrap()["fields"]["name"][0], "must be 3 to 32 characters (has 2)");

        let wrong_old = json!({"old_password": "nope", "new_password": "weak"});
        let error: Value = send(&app, reqwest::Method::PUT, "/api/auth/update-password", Some(&bearer), wrong_old).await.json().await.unwrap();
        assert_eq!(error["fields"]["old_password"][0], "is not your current password");
        assert!(error["fields"]["new_password"].is_array());
        assert!(error["fields"].get("password_confirm").is_none());

        let new_password = "Fresh-Meadow-Kite-77?";
        let good = json!({"old_password": STRONG_PASSWORD, "new_password": new_password});
        assert_eq!(send(&app, reqwest::Method::PUT, "/api/auth/update-password", Some(&bearer), good).await.status(), 200);
        assert_eq!(api_login(&app, "ada", STRONG_PASSWORD).await.status(), 401);
        assert_eq!(api_login(&app, "ada", new_password).await.status(), 200);
    }
}
