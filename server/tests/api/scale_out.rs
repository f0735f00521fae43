//! Several server processes on one database: sessions, logouts and lockouts hold on all
//! of them, because that state lives in the database.

use crate::helpers::{call_with, current_user_with, error_of, STRONG_PASSWORD};

engine_tests! {
    async fn a_session_logout_and_lockout_hold_across_two_server_processes(app: TestApp) {
        let peer = app.spawn_peer().await;
        app.create_active_user("ada", "ada@example.com", STRONG_PASSWORD).await;
        app.create_active_user("grace", "grace@example.com", STRONG_PASSWORD).await;

        assert_eq!(app.login("ada", STRONG_PASSWORD).await.status(), 200);
        assert_eq!(current_user_with(&app.client, &peer.address).await["username"], "ada", "peer honours the session");
        assert_eq!(call_with(&app.client, &peer.address, "accounts/logout", &[]).await.status(), 200);
        assert_eq!(app.current_user().await, serde_json::Value::Null, "logout through the peer ends it here too");

        for _ in 0..5 {
            call_with(&app.client, &peer.address, "accounts/login", &[("login", "grace"), ("password", "Wrong-Password-1!")]).await;
        }
        let response = app.login("grace", STRONG_PASSWORD).await;
        assert_eq!(response.status(), 403);
        let message = error_of(response).await["Forbidden"].as_str().unwrap().to_string();
        assert!(message.starts_with("This account is locked"), "lockout reached through the peer holds here: {message}");
    }
}

engine_tests! {
    async fn api_tokens_and_refresh_rotation_hold_across_two_server_processes(app: TestApp) {
        let peer = app.spawn_peer().await;
        app.create_active_user("ada", "ada@example.com", STRONG_PASSWORD).await;
        let client = crate::helpers::api_client();
        let login = serde_json::json!({"username": "ada", "password": STRONG_PASSWORD});
        let pair: serde_json::Value =
            client.post(app.url("/api/auth/generate-token")).json(&login).send().await.unwrap().json().await.unwrap();
        let access = pair["access_token"].as_str().unwrap();
        let refresh = pair["refresh_token"].as_str().unwrap();
        let validate = client
            .post(format!("{}/api/auth/validate-token", peer.address))
            .header("authorization", format!("Bearer {access}"))
            .send()
            .await
            .unwrap();
        assert_eq!(validate.status(), 200, "a token issued by one process works on the other");

        let body = serde_json::json!({"refresh_token": refresh});
        let rotated = client.post(format!("{}/api/auth/refresh", peer.address)).json(&body).send().await.unwrap();
        assert_eq!(rotated.status(), 200);
        let reused = client.post(app.url("/api/auth/refresh")).json(&body).send().await.unwrap();
        assert_eq!(reused.status(), 401, "a refresh rotated on one process cannot be reused on the other");

        let token: serde_json::Value = client
            .post(app.url("/api/auth/token"))
            .json(&serde_json::json!({"username_or_email": "ada", "password": STRONG_PASSWORD}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let key = format!("Token {}", token["token"].as_str().unwrap());
        let revoked = client.delete(format!("{}/api/auth/token", peer.address)).header("authorization", &key).send().await.unwrap();
        assert_eq!(revoked.status(), 204);
        let after: serde_json::Value = client
            .post(app.url("/fn/accounts/current-user"))
            .header("authorization", &key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(after, serde_json::Value::Null, "a revocation through one process holds on the other");
    }
}
