//! JWT access/refresh pairs: issue, use as Bearer, rotate once, reuse revokes the
//! family, and every malformed, forged or misused token is refused.

use std::time::Duration;

use app::accounts::ssr::tokens::{derive_key, AccountTokens, Purpose};
use base64::Engine as _;
use serde_json::{json, Value};

use crate::helpers::{TestApp, STRONG_PASSWORD, TEST_SECRET};

async fn post_json(app: &TestApp, path: &str, body: Value) -> reqwest::Response {
    crate::helpers::api_client().post(app.url(path)).json(&body).send().await.unwrap()
}

async fn pair(app: &TestApp) -> (String, String) {
    let response =
        post_json(app, "/api/auth/generate-token", json!({"username": "ada", "password": STRONG_PASSWORD})).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    (body["access_token"].as_str().unwrap().into(), body["refresh_token"].as_str().unwrap().into())
}

async fn validate(app: &TestApp, token: &str) -> u16 {
    crate::helpers::api_client()
        .post(app.url("/api/auth/validate-token"))
        .header("authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn whoami(app: &TestApp, token: &str) -> Value {
    crate::helpers::current_user_as(app, &format!("Bearer {token}")).await
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

async fn api_token(app: &TestApp) -> String {
    let response =
        post_json(app, "/api/auth/token", json!({"username_or_email": "ada", "password": STRONG_PASSWORD})).await;
    assert_eq!(response.status(), 200);
    response.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_string()
}

async fn token_works(app: &TestApp, token: &str) -> bool {
    crate::helpers::current_user_as(app, &format!("Token {token}")).await["username"] == "ada"
}

engine_tests! {
    async fn generate_token_gives_a_pair_whose_access_token_signs_requests_in(app: TestApp) {
        app.create_active_user("ada", "ada@example.com", STRONG_PASSWORD).await;
        let wrong = post_json(&app, "/api/auth/generate-token", json!({"username": "ada", "password": "nope"})).await;
        assert_eq!(wrong.status(), 401);
        let (access, refresh) = pair(&app).await;
        let claims = claims_of(&access);
        for key in ["sub", "name", "email", "role", "exp", "iat", "jti", "typ"] {
            assert!(claims.get(key).is_some(), "claim {key}: {claims}");
        }
        assert_eq!(claims["typ"], "access");
        assert_eq!(claims["role"], "client");
        assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 15 * 60);
        assert_eq!(claims_of(&refresh)["exp"].as_i64().unwrap() - claims_of(&refresh)["iat"].as_i64().unwrap(), 7 * 86_400);
        assert_eq!(validate(&app, &access).await, 200);
        assert_eq!(whoami(&app, &access).await["username"], "ada");
    }

    async fn refresh_rotates_once_and_a_reused_token_revokes_its_family(app: TestApp) {
        app.create_active_user("ada", "ada@example.com", STRONG_PASSWORD).await;
        let (_, first) = pair(&app).await;
        let rotated = post_json(&app, "/api/auth/refresh", json!({"refresh_token": first})).await;
        assert_eq!(rotated.status(), 200);
        let second: Value = rotated.json().await.unwrap();
        let second = second["refresh_token"].as_str().unwrap().to_string();
        let reuse = post_json(&app, "/api/auth/refresh", json!({"refresh_token": first})).await;
        assert_eq!(reuse.status(), 401, "a refresh token works once");
        let after = post_json(&app, "/api/auth/refresh", json!({"refresh_token": second})).await;
        assert_eq!(after.status(), 401, "reuse revoked the whole family, the newest token too");
    }

    async fn concurrent_refreshes_of_one_token_let_at_most_one_through_and_revoke_the_family(app: TestApp) {
        app.create_active_user("ada", "ada@example.com", STRONG_PASSWORD).await;
        let (_, refresh) = pair(&app).await;
        let attempt = || post_json(&app, "/api/auth/refresh", json!({"refresh_token": refresh}));
        let (a, b, c, d, e, f) = tokio::join!(attempt(), attempt(), attempt(), attempt(), attempt(), attempt());
        let mut winners = Vec::new();
        for response in [a, b, c, d, e, f] {
            match response.status().as_u16() {
                200 => winners.push(response.json::<Value>().await.unwrap()["refresh_token"].as_str().unwrap().to_string()),
                401 => {}
                other => panic!("a racing refresh answered {other}"),
            }
        }
        assert_eq!(winners.len(), 1, "exactly one racer spends the token");
        let successor = post_json(&app, "/api/auth/refresh", json!({"refresh_token": winners[0]})).await;
        assert_eq!(successor.status(), 401, "the losers were reuse: the winner's successor is revoked with its family");
    }

    async fn a_successor_stored_after_its_family_was_revoked_never_works(app: TestApp) {
        app.create_active_user("ada", "ada@example.com", STRONG_PASSWORD).await;
        let (_, first) = pair(&app).await;
        let rotated: Value = post_json(&app, "/api/auth/refresh", json!({"refresh_token": first})).await.json().await.unwrap();
        // What a logout or reuse that ran while this rotation was in flight leaves behind:
        // the spent token revoked, its successor not.
        let first_jti = claims_of(&first)["jti"].as_str().unwrap().to_string();
        sqlx::query("UPDATE refresh_tokens SET revoked_at = 1 WHERE jti = $1").bind(&first_jti).execute(app.db.pool()).await.unwrap();
        let second = rotated["refresh_token"].as_str().unwrap();
        assert_eq!(post_json(&app, "/api/auth/refresh", json!({"refresh_token": second})).await.status(), 401);
    }

    async fn logout_revokes_every_refresh_token_api_token_and_earlier_access_token(app: TestApp) {
        app.create_active_user("ada", "ada@example.com", STRONG_PASSWORD).await;
        let (access, refresh) = pair(&app).await;
        let (_, other_device) = pair(&app).await;
        let script = api_token(&app).await;
        assert_eq!(validate(&app, &access).await, 200);
        assert!(token_works(&app, &script).await);

        assert_eq!(post_json(&app, "/api/auth/logout", json!({"refresh_token": refresh})).await.status(), 204);
        assert_eq!(post_json(&app, "/api/auth/refresh", json!({"refresh_token": refresh})).await.status(), 401);
        assert_eq!(post_json(&app, "/api/auth/refresh", json!({"refresh_token": other_device})).await.status(), 401);
        assert_eq!(validate(&app, &access).await, 401, "access tokens issued before the logout, the same second too");
        assert!(!token_works(&app, &script).await, "API tokens too");
        assert_eq!(post_json(&app, "/api/auth/logout", json!({"refresh_token": refresh})).await.status(), 401, "only once");
        assert_eq!(post_json(&app, "/api/auth/logout", json!({"refresh_token": access})).await.status(), 401, "an access token is not a refresh token");

        // Logging in again works at once, the same second included.
        let (fresh, _) = pair(&app).await;
        assert_eq!(validate(&app, &fresh).await, 200);
    }

    async fn forged_none_wrong_type_expired_and_account_tokens_are_refused(app: TestApp) {
        app.create_active_user("ada", "ada@example.com", STRONG_PASSWORD).await;
        let (access, refresh) = pair(&app).await;
        assert_eq!(validate(&app, &refresh).await, 401, "a refresh token is not an access token");
        assert_eq!(post_json(&app, "/api/auth/refresh", json!({"refresh_token": access})).await.status(), 401, "nor the reverse");

        let parts: Vec<&str> = access.split('.').collect();
        let unsigned = format!("{}.{}.", b64(br#"{"alg":"none","typ":"JWT"}"#), parts[1]);
        assert_eq!(validate(&app, &unsigned).await, 401, "alg none");
        let mut claims = claims_of(&access);
        claims["role"] = json!("admin");
        let tampered = format!("{}.{}.{}", parts[0], b64(claims.to_string().as_bytes()), parts[2]);
        assert_eq!(validate(&app, &tampered).await, 401, "tampered payload");
        assert_eq!(validate(&app, "garbage").await, 401);

        let id = claims["sub"].as_str().unwrap();
        let account = AccountTokens::new(&derive_key(TEST_SECRET.as_bytes(), "account-tokens-v1"), Duration::from_secs(60), Duration::from_secs(60));
        let reset = account.issue(Purpose::Reset, id, None, app::server::clock::now()).token;
        assert_eq!(validate(&app, &reset).await, 401, "activation/reset tokens are never access tokens");
        assert_eq!(whoami(&app, &tampered).await, Value::Null);

        let short = TestApp::spawn_with(app.engine, &[("JWT_ACCESS_TTL_SECS", "30")]).await;
        short.create_active_user("ada", "ada@example.com", STRONG_PASSWORD).await;
        let (access, _) = pair(&short).await;
        assert_eq!(validate(&short, &access).await, 200);
        let mut expired = claims_of(&access);
        expired["exp"] = json!(1);
        let resigned = {
            use jsonwebtoken::{encode, EncodingKey, Header};
            encode(&Header::default(), &expired, &EncodingKey::from_secret(&derive_key(TEST_SECRET.as_bytes(), "api-jwt-v1"))).unwrap()
        };
        assert_eq!(validate(&short, &resigned).await, 401, "expired");
    }

    async fn tokens_of_a_deleted_user_or_after_a_password_change_stop_working(app: TestApp) {
        app.create_active_user("ada", "ada@example.com", STRONG_PASSWORD).await;
        let (_, refresh) = pair(&app).await;
        app.login("ada", STRONG_PASSWORD).await;
        let new_password = "Fresh-Meadow-Kite-77?";
        let form = [("old_password", STRONG_PASSWORD), ("password", new_password), ("password_confirm", new_password)];
        let (access, _) = pair(&app).await;
        assert_eq!(app.call("accounts/change-password", &form).await.status(), 200);
        assert_eq!(post_json(&app, "/api/auth/refresh", json!({"refresh_token": refresh})).await.status(), 401);
        assert_eq!(validate(&app, &access).await, 401, "access tokens from before the change");

        let response = post_json(&app, "/api/auth/generate-token", json!({"username": "ada", "password": new_password})).await;
        let access = response.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string();
        let response = post_json(&app, "/api/auth/token", json!({"username_or_email": "ada", "password": new_password})).await;
        let script = response.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_string();
        assert!(token_works(&app, &script).await);
        assert_eq!(app.call("accounts/delete-account", &[("password", new_password)]).await.status(), 200);
        assert_eq!(validate(&app, &access).await, 401, "access token of a deleted user");
        assert!(!token_works(&app, &script).await, "API token of a deleted user");
    }
}
