//! Opaque API tokens: issued by `POST /api/auth/token` or the account page, accepted as
//! `Authorization: Token <key>` wherever a user is required, revocable.

use serde_json::{json, Value};

use crate::helpers::{TestApp, STRONG_PASSWORD};

async fn issue_token(app: &TestApp, login: &str, password: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/auth/token"))
        .json(&json!({"username_or_email": login, "password": password}))
        .send()
        .await
        .unwrap()
}

async fn whoami(app: &TestApp, token: &str) -> Value {
    crate::helpers::current_user_as(app, &format!("Token {token}")).await
}

engine_tests! {
    async fn token_from_the_api_signs_requests_in_and_delete_revokes_it(app: TestApp) {
        app.create_active_user("ada", "ada@example.com", STRONG_PASSWORD).await;
        let response = issue_token(&app, "ada@example.com", STRONG_PASSWORD).await;
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        let token = body["token"].as_str().unwrap().to_string();
        assert!(token.starts_with("cpt_") && token.len() >= 4 + 43, "256 random bits: {token}");
        assert_eq!(body["email"], "ada@example.com");
        assert_eq!(whoami(&app, &token).await["username"], "ada");

        let (stored,): (String,) = sqlx::query_as("SELECT token_hash FROM api_tokens").fetch_one(app.db.pool()).await.unwrap();
        assert_ne!(stored, token, "only a digest is stored");

        let revoked = crate::helpers::api_client().delete(app.url("/api/auth/token")).header("authorization", format!("Token {token}")).send().await.unwrap();
        assert_eq!(revoked.status(), 204);
        assert_eq!(whoami(&app, &token).await, Value::Null, "a revoked token signs nobody in");
        let again = crate::helpers::api_client().delete(app.url("/api/auth/token")).header("authorization", format!("Token {token}")).send().await.unwrap();
        assert_eq!(again.status(), 401);
    }

    async fn api_errors_are_json_with_status_message_and_fields(app: TestApp) {
        let response = issue_token(&app, "nobody", "Wrong-Password-1!").await;
        assert_eq!(response.status(), 401);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body, json!({"error": true, "status": 401, "message": "Incorrect username, email or password.", "fields": {}}));

        let malformed = app.client.post(app.url("/api/auth/token")).header("content-type", "application/json").body("{not json").send().await.unwrap();
        assert_eq!(malformed.status(), 400);
        assert_eq!(malformed.json::<Value>().await.unwrap()["error"], true);
        let wrong_type = app.client.post(app.url("/api/auth/token")).json(&json!({"username_or_email": 5, "password": []})).send().await.unwrap();
        assert_eq!(wrong_type.status(), 400);
        let no_type = app.client.post(app.url("/api/auth/token")).body("{}").send().await.unwrap();
        assert_eq!(no_type.status(), 415);
        let wrong_method = app.client.get(app.url("/api/auth/token")).send().await.unwrap();
        assert_eq!(wrong_method.status(), 405);
        assert!(wrong_method.headers()["allow"].to_str().unwrap().contains("POST"));
        assert!(wrong_method.headers().contains_key("x-request-id"));
        assert_eq!(wrong_method.json::<Value>().await.unwrap()["status"], 405);
        for path in ["/api/nothing/here", "/api", "/api/"] {
            let unknown = app.client.get(app.url(path)).send().await.unwrap();
            assert_eq!(unknown.status(), 404, "{path}");
            assert_eq!(unknown.json::<Value>().await.unwrap()["status"], 404, "{path}");
        }
    }

    async fn api_rate_limits_oversized_bodies_and_inactive_accounts_answer_json(app: TestApp) {
        app.signup("ada", "ada@example.com", STRONG_PASSWORD).await;
        let not_activated = issue_token(&app, "ada", STRONG_PASSWORD).await;
        assert_eq!(not_activated.status(), 403);
        assert_eq!(not_activated.json::<Value>().await.unwrap()["status"], 403);

        let huge = json!({"username_or_email": "x".repeat(300 * 1024), "password": "p"});
        let oversized = app.client.post(app.url("/api/auth/token")).json(&huge).send().await.unwrap();
        assert_eq!(oversized.status(), 413);
        let body: Value = oversized.json().await.unwrap();
        assert_eq!(body["status"], 413);
        assert_eq!(body["message"], "The request body is over the 256 KiB limit.");

        let app = TestApp::spawn_with(app.engine, &[("AUTH_RATE_LIMIT_PER_MINUTE", "3")]).await;
        for _ in 0..3 {
            let refused = app.client.post(app.url("/api/auth/generate-token")).json(&json!({"username": "nobody", "password": "Wrong-Password-1!"})).send().await.unwrap();
            assert_eq!(refused.status(), 401);
        }
        let limited = app.client.post(app.url("/api/auth/generate-token")).json(&json!({"username": "nobody", "password": "Wrong-Password-1!"})).send().await.unwrap();
        assert_eq!(limited.status(), 429);
        let retry_after: u64 = limited.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry_after), "{retry_after}");
        let body: Value = limited.json().await.unwrap();
        assert_eq!((body["error"].clone(), body["status"].clone()), (json!(true), json!(429)));
        assert!(body["message"].as_str().unwrap().starts_with("Too many attempts."), "{body}");
    }

    async fn account_page_tokens_are_validated_listed_expire_and_revoke(app: TestApp) {
        app.create_active_user("ada", "ada@example.com", STRONG_PASSWORD).await;
        app.login("ada", STRONG_PASSWORD).await;
        let bad = app.call("accounts/create-api-token", &[("name", ""), ("expires_in_days", "0")]).await;
        assert_eq!(bad.status(), 400);
        let error: Value = bad.json().await.unwrap();
        assert_eq!(error["Invalid"]["fields"]["name"][0], "is required");
        assert_eq!(error["Invalid"]["fields"]["expires_in_days"][0], "must be a whole number of days from 1 to 3650, or blank");

        let created: Value = app.call("accounts/create-api-token", &[("name", "backup script"), ("expires_in_days", "30")]).await.json().await.unwrap();
        let token = created["token"].as_str().unwrap().to_string();
        let id = created["info"]["id"].as_str().unwrap().to_string();
        assert_eq!(created["info"]["expires_at"].as_i64().unwrap() - created["info"]["created_at"].as_i64().unwrap(), 30 * 86_400);
        assert_eq!(whoami(&app, &token).await["username"], "ada");

        let listed: Value = app.call("accounts/api-tokens", &[]).await.json().await.unwrap();
        assert_eq!(listed.as_array().unwrap().len(), 1);
        assert_eq!(listed[0]["name"], "backup script");
        assert!(listed[0]["last_used_at"].is_i64(), "use is recorded");
        assert!(listed[0].get("token").is_none(), "the key is never listed");

        sqlx::query("UPDATE api_tokens SET expires_at = 1").execute(app.db.pool()).await.unwrap();
        assert_eq!(whoami(&app, &token).await, Value::Null, "an expired token signs nobody in");
        sqlx::query("UPDATE api_tokens SET expires_at = NULL").execute(app.db.pool()).await.unwrap();

        assert_eq!(app.call("accounts/revoke-api-token", &[("id", &id)]).await.status(), 200);
        assert_eq!(whoami(&app, &token).await, Value::Null);
        assert_eq!(app.call("accounts/revoke-api-token", &[("id", &id)]).await.status(), 404);
        for malformed in ["\0", "some-id", &id.to_uppercase()] {
            assert_eq!(app.call("accounts/revoke-api-token", &[("id", malformed)]).await.status(), 404, "{malformed:?}");
        }
    }

    async fn tampered_tokens_other_schemes_and_changed_passwords_sign_nobody_in(app: TestApp) {
        app.create_active_user("ada", "ada@example.com", STRONG_PASSWORD).await;
        let body: Value = issue_token(&app, "ada", STRONG_PASSWORD).await.json().await.unwrap();
        let token = body["token"].as_str().unwrap().to_string();
        let mut tampered = token.clone();
        tampered.pop();
        tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(whoami(&app, &tampered).await, Value::Null);
        let basic = crate::helpers::api_client().post(app.url("/fn/accounts/current-user")).header("authorization", "Basic YWRhOnB3").send().await.unwrap();
        assert_eq!(basic.json::<Value>().await.unwrap(), Value::Null);

        app.login("ada", STRONG_PASSWORD).await;
        let new_password = "Fresh-Meadow-Kite-77?";
        let form = [("old_password", STRONG_PASSWORD), ("password", new_password), ("password_confirm", new_password)];
        assert_eq!(app.call("accounts/change-password", &form).await.status(), 200);
        assert_eq!(whoami(&app, &token).await, Value::Null, "a password change revokes API tokens");
    }

    async fn logging_in_past_the_token_limit_replaces_the_least_recently_used_login_token(app: TestApp) {
        app.create_active_user("ada", "ada@example.com", STRONG_PASSWORD).await;
        let (user_id,): (String,) = sqlx::query_as("SELECT id FROM users").fetch_one(app.db.pool()).await.unwrap();
        // 49 live tokens already: the oldest named on the account page, then logins used
        // at different times ("stale" the longest ago).
        let mut held = vec![("named".to_string(), false, None), ("stale".to_string(), true, Some(5_i64))];
        held.extend((0..47).map(|i| (format!("login{i}"), true, Some(100 + i))));
        for (id, from_login, last_used) in held {
            sqlx::query(
                "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, last_used_at, from_login) \
                 VALUES ($1, $2, 'n', $1, 0, $3, $4)",
            )
            .bind(id)
            .bind(&user_id)
            .bind(last_used)
            .bind(from_login)
            .execute(app.db.pool())
            .await
            .unwrap();
        }
        let live = || async {
            let rows: Vec<(String,)> = sqlx::query_as("SELECT id FROM api_tokens WHERE revoked_at IS NULL").fetch_all(app.db.pool()).await.unwrap();
            rows.into_iter().map(|(id,)| id).collect::<Vec<_>>()
        };

        let mut tokens = Vec::new();
        for _ in 0..2 {
            let response = issue_token(&app, "ada", STRONG_PASSWORD).await;
            assert_eq!(response.status(), 200, "a script logging in on every run keeps working");
            tokens.push(response.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_string());
        }
        let now_live = live().await;
        assert_eq!(now_live.len(), 50);
        assert!(now_live.contains(&"named".to_string()), "a token named on the account page is never replaced");
        assert!(!now_live.contains(&"stale".to_string()), "the login token unused for longest made room");
        for token in &tokens {
            assert_eq!(whoami(&app, token).await["username"], "ada");
        }

        sqlx::query("UPDATE api_tokens SET from_login = FALSE").execute(app.db.pool()).await.unwrap();
        let full = issue_token(&app, "ada", STRONG_PASSWORD).await;
        assert_eq!(full.status(), 409, "nothing may be replaced when every token was named");
        assert_eq!(full.json::<Value>().await.unwrap()["message"], "You already have 50 tokens; revoke one first.");
        assert_eq!(live().await.len(), 50);
    }
}
