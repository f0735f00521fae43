//! `/api/users`: role checks, pagination and filters, statistics, partial updates,
//! deactivation and deletion; and the `promote-admin` command.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{TestApp, STRONG_PASSWORD};

/// Signs `login` in through the API and returns its `Authorization` header value.
async fn bearer(app: &TestApp, login: &str) -> String {
    format!("Bearer {}", app.access_token(login).await)
}

async fn call(app: &TestApp, method: Method, path: &str, auth: &str, body: Option<Value>) -> reqwest::Response {
    let mut request = crate::helpers::api_client().request(method, app.url(path)).header("authorization", auth);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

/// An admin (promoted with the real `server promote-admin` command) and a client.
async fn admin_and_client(app: &TestApp) -> (String, String, String) {
    app.create_active_user("root", "root@example.com", STRONG_PASSWORD).await;
    app.create_active_user("ada", "ada@example.com", STRONG_PASSWORD).await;
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("promote-admin")
        .arg("root")
        .env_clear()
        .envs(&app.vars)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("root (root@example.com) is now an administrator."));
    let ada_id: Value =
        call(app, Method::GET, "/api/users?q=ada", &bearer(app, "root").await, None).await.json().await.unwrap();
    (bearer(app, "root").await, bearer(app, "ada").await, ada_id["users"][0]["id"].as_str().unwrap().to_string())
}

engine_tests! {
    async fn a_client_reads_and_updates_only_itself_and_never_its_role(app: TestApp) {
        let (admin, client, ada) = admin_and_client(&app).await;
        for path in ["/api/users", "/api/users/statistics", "/api/users/role/admin"] {
            assert_eq!(call(&app, Method::GET, path, &client, None).await.status(), 403, "{path}");
        }
        let me = call(&app, Method::GET, &format!("/api/users/{ada}"), &client, None).await;
        assert_eq!(me.status(), 200);
        assert!(me.json::<Value>().await.unwrap().get("password_hash").is_none());
        // The browser's session cookie is the third credential every API route accepts.
        assert_eq!(app.client.get(app.url(&format!("/api/users/{ada}"))).send().await.unwrap().status(), 401);
        assert_eq!(app.login("ada", STRONG_PASSWORD).await.status(), 200);
        let by_cookie = app.client.get(app.url(&format!("/api/users/{ada}"))).send().await.unwrap();
        assert_eq!(by_cookie.status(), 200);
        assert_eq!(by_cookie.json::<Value>().await.unwrap()["username"], "ada");
        let page: Value = call(&app, Method::GET, "/api/users?role=admin", &admin, None).await.json().await.unwrap();
        let root = page["users"][0]["id"].as_str().unwrap().to_string();
        assert_eq!(call(&app, Method::GET, &format!("/api/users/{root}"), &client, None).await.status(), 403);
        let own_role = call(&app, Method::PUT, &format!("/api/users/{ada}"), &client, Some(json!({"role": "admin"}))).await;
        assert_eq!(own_role.status(), 403);
        let own_active = call(&app, Method::PUT, &format!("/api/users/{ada}"), &client, Some(json!({"active": false}))).await;
        assert_eq!(own_active.status(), 403);
        let own_phone = call(&app, Method::PUT, &format!("/api/users/{ada}"), &client, Some(json!({"phone_number": "+44 20 7946 0958"}))).await;
        assert_eq!(own_phone.status(), 200);
        assert_eq!(own_phone.json::<Value>().await.unwrap()["phone_number"], "+44 20 7946 0958");
        assert_eq!(call(&app, Method::DELETE, &format!("/api/users/{root}"), &client, None).await.status(), 403);
        let self_demote = call(&app, Method::PUT, &format!("/api/users/{root}"), &admin, Some(json!({"role": "client"}))).await;
        assert_eq!(self_demote.status(), 403, "an admin cannot lock themselves out either");
        assert_eq!(call(&app, Method::DELETE, &format!("/api/users/{root}"), &admin, None).await.status(), 403);
        assert_eq!(call(&app, Method::GET, "/api/users", "Bearer nonsense", None).await.status(), 401);
    }

    async fn changing_your_own_email_or_password_needs_your_current_one(app: TestApp) {
        let (admin, client, ada) = admin_and_client(&app).await;
        let me = format!("/api/users/{ada}");
        const NEW_PASSWORD: &str = "Quartz-Meadow-Violin-77?";

        let bare = call(&app, Method::PUT, &me, &client, Some(json!({"password": NEW_PASSWORD}))).await;
        assert_eq!(bare.status(), 400, "a bearer token alone cannot set the password");
        assert_eq!(bare.json::<Value>().await.unwrap()["fields"]["old_password"][0], "is required to change your own email or password");
        let wrong = json!({"email": "mallory@example.com", "old_password": "Not-The-Password-1!", "full_name": "Ada L"});
        let wrong = call(&app, Method::PUT, &me, &client, Some(wrong)).await;
        assert_eq!(wrong.status(), 400);
        assert_eq!(wrong.json::<Value>().await.unwrap()["fields"]["old_password"][0], "is not your current password");
        let unchanged: Value = call(&app, Method::GET, &me, &client, None).await.json().await.unwrap();
        assert_eq!((unchanged["email"].as_str(), unchanged["full_name"].as_str()), (Some("ada@example.com"), None), "nothing applied");

        let moved = json!({"email": "ada.new@example.com", "old_password": STRONG_PASSWORD});
        let moved = call(&app, Method::PUT, &me, &client, Some(moved)).await;
        assert_eq!(moved.status(), 200);
        assert_eq!(moved.json::<Value>().await.unwrap()["email"], "ada.new@example.com");
        let notice = app.wait_for_mail("ada@example.com", "Your email address was changed").await;
        assert!(notice.text_body.contains("ada.new@example.com"), "the old address learns the new one");

        let changed = json!({"password": NEW_PASSWORD, "old_password": STRONG_PASSWORD});
        assert_eq!(call(&app, Method::PUT, &me, &client, Some(changed)).await.status(), 200);
        app.wait_for_mail("ada.new@example.com", "Your password was changed").await;
        assert_eq!(app.login("ada", STRONG_PASSWORD).await.status(), 401, "the old password is gone");
        assert_eq!(app.login("ada", NEW_PASSWORD).await.status(), 200);

        // An administrator sets another user's password without it; the user is told.
        let reset = call(&app, Method::PUT, &me, &admin, Some(json!({"password": STRONG_PASSWORD}))).await;
        assert_eq!(reset.status(), 200);
        let notices = app.mails_to("ada.new@example.com").await;
        assert_eq!(notices.iter().filter(|m| m.subject.contains("Your password was changed")).count(), 2);
    }

    async fn admins_page_filter_search_and_count_users(app: TestApp) {
        let (admin, _, _) = admin_and_client(&app).await;
        for i in 0..3 {
            let body = json!({"username": format!("coach{i}"), "email": format!("coach{i}@example.com"), "password": STRONG_PASSWORD, "role": "trainer"});
            let created = call(&app, Method::POST, "/api/users", &admin, Some(body)).await;
            assert_eq!(created.status(), 201);
        }
        let page: Value = call(&app, Method::GET, "/api/users?limit=2&offset=0", &admin, None).await.json().await.unwrap();
        assert_eq!(page["total"], 5);
        assert_eq!(page["users"].as_array().unwrap().len(), 2);
        let rest: Value = call(&app, Method::GET, "/api/users?limit=2&offset=4", &admin, None).await.json().await.unwrap();
        assert_eq!(rest["users"].as_array().unwrap().len(), 1);
        let trainers: Value = call(&app, Method::GET, "/api/users/role/trainer", &admin, None).await.json().await.unwrap();
        assert_eq!(trainers["total"], 3);
        let search: Value = call(&app, Method::GET, "/api/users?q=COACH1", &admin, None).await.json().await.unwrap();
        assert_eq!(search["total"], 1);
        let literal: Value = call(&app, Method::GET, "/api/users?q=%25", &admin, None).await.json().await.unwrap();
        assert_eq!(literal["total"], 0, "a % in the search is literal");
        let stats: Value = call(&app, Method::GET, "/api/users/statistics", &admin, None).await.json().await.unwrap();
        assert_eq!(stats, json!({"total": 5, "clients": 1, "trainers": 3, "admins": 1, "inactive": 0, "unverified": 0}));
        let bad = call(&app, Method::GET, "/api/users?limit=0&role=boss&active=maybe", &admin, None).await;
        assert_eq!(bad.status(), 400);
        let fields = bad.json::<Value>().await.unwrap()["fields"].clone();
        assert_eq!(fields["limit"][0], "must be from 1 to 100");
        assert_eq!(fields["role"][0], "must be client, trainer or admin");
        assert_eq!(fields["active"][0], "must be true or false");
    }

    async fn deactivating_or_deleting_a_user_ends_their_access_at_once(app: TestApp) {
        let (admin, client, ada) = admin_and_client(&app).await;
        assert_eq!(call(&app, Method::GET, &format!("/api/users/{ada}"), &client, None).await.status(), 200);
        let promoted = call(&app, Method::PUT, &format!("/api/users/{ada}"), &admin, Some(json!({"role": "trainer"}))).await;
        assert_eq!(promoted.json::<Value>().await.unwrap()["role"], "trainer");
        let off = call(&app, Method::PUT, &format!("/api/users/{ada}"), &admin, Some(json!({"active": false}))).await;
        assert_eq!(off.status(), 200);
        assert_eq!(off.json::<Value>().await.unwrap()["active"], false);
        assert_eq!(call(&app, Method::GET, &format!("/api/users/{ada}"), &client, None).await.status(), 401, "deactivated: token dead");
        let stats: Value = call(&app, Method::GET, "/api/users/statistics", &admin, None).await.json().await.unwrap();
        assert_eq!(stats["inactive"], 1);
        let taken = call(&app, Method::PUT, &format!("/api/users/{ada}"), &admin, Some(json!({"email": "ROOT@example.com"}))).await;
        assert_eq!(taken.status(), 400);
        assert_eq!(taken.json::<Value>().await.unwrap()["fields"]["email"][0], "is already registered");
        assert_eq!(call(&app, Method::DELETE, &format!("/api/users/{ada}"), &admin, None).await.status(), 204);
        assert_eq!(call(&app, Method::GET, &format!("/api/users/{ada}"), &admin, None).await.status(), 404);
        assert_eq!(call(&app, Method::DELETE, &format!("/api/users/{ada}"), &admin, None).await.status(), 404);
    }

    async fn malformed_ids_are_not_found_and_bad_search_text_is_named(app: TestApp) {
        let (admin, client, ada) = admin_and_client(&app).await;
        // A NUL byte is what PostgreSQL refuses outright; none of these may reach SQL.
        let uppercase = ada.to_uppercase();
        for id in ["%00", "x%00y", "some-id", "...", uppercase.as_str(), &"x".repeat(300)] {
            let path = format!("/api/users/{id}");
            for method in [Method::GET, Method::DELETE] {
                let response = call(&app, method.clone(), &path, &admin, None).await;
                assert_eq!(response.status(), 404, "{method} {path}");
                assert_eq!(response.json::<Value>().await.unwrap()["message"], "No such user.");
            }
            let update = call(&app, Method::PUT, &path, &admin, Some(json!({"full_name": "Ada"}))).await;
            assert_eq!(update.status(), 404, "PUT {path}");
            // Another user's id, malformed or not, is still none of a client's business.
            assert_eq!(call(&app, Method::GET, &path, &client, None).await.status(), 403, "{path}");
        }
        let nul = call(&app, Method::GET, "/api/users?q=ad%00a&limit=500", &admin, None).await;
        assert_eq!(nul.status(), 400);
        let fields = nul.json::<Value>().await.unwrap()["fields"].clone();
        assert_eq!(fields["q"][0], "must be at most 100 characters, without control characters");
        assert_eq!(fields["limit"][0], "must be from 1 to 100", "every problem is named at once");
        let long = call(&app, Method::GET, &format!("/api/users?q={}", "a".repeat(101)), &admin, None).await;
        assert_eq!(long.status(), 400);
    }
}
