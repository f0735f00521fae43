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
