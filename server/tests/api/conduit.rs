//! The RealWorld API under `/conduit/api`: shapes, statuses and error bodies as the
//! spec writes them, our account rules through this door, and the activation setting.
//! (The public RealWorld suites themselves run with `scripts/realworld-suites.sh`.)

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{TestApp, STRONG_PASSWORD};

fn register_body(username: &str, password: &str) -> Value {
    json!({"user": {"username": username, "email": format!("{username}@example.com"), "password": password}})
}

engine_tests! {
    async fn registration_follows_the_spec_and_our_password_policy(app: TestApp) {
        let (status, body) = app.conduit(Method::POST, "/users", None, Some(register_body("ada", "password123"))).await;
        assert_eq!(status, 422);
        assert!(body["errors"]["password"].as_array().unwrap().len() >= 2, "each broken rule is named: {body}");
        let (status, body) = app.conduit(Method::POST, "/users", None, Some(json!({"user": {"username": "", "email": "", "password": ""}}))).await;
        assert_eq!(status, 422);
        for field in ["username", "email", "password"] {
            assert_eq!(body["errors"][field][0], "can't be blank", "{body}");
        }
        let (status, body) = app.conduit(Method::POST, "/users", None, Some(register_body("ada", STRONG_PASSWORD))).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["user"]["username"], "ada");
        assert_eq!((body["user"]["bio"].clone(), body["user"]["image"].clone()), (Value::Null, Value::Null));
        assert!(body["user"]["token"].is_null(), "activation is required by default: no token yet");
        let (status, body) = app.conduit(Method::POST, "/users", None, Some(register_body("ada", STRONG_PASSWORD))).await;
        assert_eq!((status, body), (409, json!({"errors": {"username": ["has already been taken"], "email": ["has already been taken"]}})));
        let login = json!({"user": {"email": "ada@example.com", "password": STRONG_PASSWORD}});
        let (status, body) = app.conduit(Method::POST, "/users/login", None, Some(login)).await;
        assert_eq!(status, 403, "not activated yet: {body}");
    }

    async fn without_required_activation_a_new_account_gets_a_token_at_once(app: TestApp) {
        let app = TestApp::spawn_with(app.engine, &[("LOGIN_REQUIRES_ACTIVATION", "false")]).await;
        let (status, body) = app.conduit(Method::POST, "/users", None, Some(register_body("ada", STRONG_PASSWORD))).await;
        assert_eq!(status, 201);
        let token = body["user"]["token"].as_str().expect("a token").to_string();
        let (status, me) = app.conduit(Method::GET, "/user", Some(&token), None).await;
        assert_eq!((status, me["user"]["email"].as_str()), (200, Some("ada@example.com")));
        let login = json!({"user": {"email": "ada@example.com", "password": STRONG_PASSWORD}});
        let (status, _) = app.conduit(Method::POST, "/users/login", None, Some(login)).await;
        assert_eq!(status, 200);
        // The activation email still goes out, and the account page reminds them.
        app.wait_for_mail("ada@example.com", "Activate your account").await;
        let browser = crate::helpers::new_client();
        crate::helpers::call_with(&browser, &app.address, "accounts/login", &[("login", "ada"), ("password", STRONG_PASSWORD)]).await;
        let page = browser.get(app.url("/account")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Please confirm your email address"), "{page}");
    }

    async fn errors_use_the_spec_bodies(app: TestApp) {
        let token = app.writer("ada").await;
        let (status, body) = app.conduit(Method::GET, "/user", None, None).await;
        assert_eq!((status, body), (401, json!({"errors": {"token": ["is missing"]}})));
        let (status, body) = app.conduit(Method::GET, "/user", Some("cpt_forged"), None).await;
        assert_eq!((status, body["errors"]["token"].is_array()), (401, true));
        let (status, body) = app.conduit(Method::POST, "/users/login", None, Some(json!({"user": {"email": "ada@example.com", "password": "wrongpassword"}}))).await;
        assert_eq!((status, body), (401, json!({"errors": {"credentials": ["invalid"]}})));
        let (status, body) = app.conduit(Method::GET, "/articles/no-such-post", None, None).await;
        assert_eq!((status, body), (404, json!({"errors": {"article": ["not found"]}})));
        let (status, body) = app.conduit(Method::GET, "/profiles/unknown-user-with-a-long-name", None, None).await;
        assert_eq!((status, body), (404, json!({"errors": {"profile": ["not found"]}})));
        let (status, body) = app.conduit(Method::POST, "/articles", Some(&token), Some(json!({"article": {"title": "", "description": "", "body": ""}}))).await;
        assert_eq!(status, 422);
        assert_eq!(body, json!({"errors": {"title": ["can't be blank"], "description": ["can't be blank"], "body": ["can't be blank"]}}));
        let (status, body) = app.conduit(Method::POST, "/articles", Some(&token), Some(json!({"article": {"title": "t", "description": "d", "body": "b", "tagList": ["C++", "ok"]}}))).await;
        assert_eq!((status, body["errors"]["tagList"][0].as_str()), (422, Some("\"c++\" may contain only a-z, 0-9 and -")));
        let (status, body) = app.conduit(Method::POST, "/articles", Some(&token), Some(json!({"nope": 1}))).await;
        assert_eq!(status, 422, "{body}");
        let response = crate::helpers::api_client().post(app.url("/conduit/api/articles")).header("authorization", format!("Token {token}"))
            .header("content-type", "application/json").body("{not json").send().await.unwrap();
        assert_eq!(response.status(), 400);
        let body: Value = response.json().await.unwrap();
        assert!(body["errors"]["body"].is_array());
        let (status, body) = app.conduit(Method::PATCH, "/articles/x", Some(&token), None).await;
        assert_eq!((status, body["errors"]["method"].is_array()), (405, true));
        let (status, body) = app.conduit(Method::GET, "/nowhere", None, None).await;
        assert_eq!((status, body), (404, json!({"errors": {"path": ["not found"]}})));
        let (status, body) = app.conduit(Method::GET, "/articles?limit=0", None, None).await;
        assert_eq!((status, body["errors"]["limit"].is_array()), (422, true));
    }

    async fn articles_comments_favorites_and_profiles_have_the_spec_shapes(app: TestApp) {
        let ada = app.writer("ada").await;
        let grace = app.writer("grace").await;
        let article = app.publish(&ada, "How to train your dragon", "You have to *believe*.", &["training", "dragons"]).await;
        let slug = article["slug"].as_str().unwrap().to_string();
        assert_eq!(article["tagList"], json!(["dragons", "training"]), "sorted");
        assert_eq!(article["body"], "You have to *believe*.", "the Markdown as sent");
        assert_eq!((article["favorited"].clone(), article["favoritesCount"].clone()), (json!(false), json!(0)));
        let created = article["createdAt"].as_str().unwrap().to_string();
        assert_eq!(created.len(), 24, "ISO 8601 with milliseconds: {created}");
        assert!(created.ends_with('Z'));

        // An update keeps createdAt and the slug, and moves updatedAt.
        let (_, updated) = app.conduit(Method::PUT, &format!("/articles/{slug}"), Some(&ada), Some(json!({"article": {"body": "With two hands.", "tagList": []}}))).await;
        assert_eq!(updated["article"]["createdAt"], created.as_str());
        assert_ne!(updated["article"]["updatedAt"], article["updatedAt"]);
        assert_eq!(updated["article"]["slug"], slug.as_str());
        assert_eq!(updated["article"]["tagList"], json!([]));
        let (status, _) = app.conduit(Method::PUT, &format!("/articles/{slug}"), Some(&ada), Some(json!({"article": {"tagList": null}}))).await;
        assert_eq!(status, 422);

        let (_, list) = app.conduit(Method::GET, "/articles?author=ada&limit=1", Some(&grace), None).await;
        assert_eq!(list["articlesCount"], 1);
        assert!(list["articles"][0].get("body").is_none(), "lists leave the body out");
        let (_, none) = app.conduit(Method::GET, "/articles?author=nobody", None, None).await;
        assert_eq!(none, json!({"articles": [], "articlesCount": 0}));

        let (status, favorited) = app.conduit(Method::POST, &format!("/articles/{slug}/favorite"), Some(&grace), None).await;
        assert_eq!((status, favorited["article"]["favorited"].clone(), favorited["article"]["favoritesCount"].clone()), (200, json!(true), json!(1)));
        let (_, list) = app.conduit(Method::GET, "/articles?favorited=grace", None, None).await;
        assert_eq!(list["articlesCount"], 1);

        let (status, comment) = app.conduit(Method::POST, &format!("/articles/{slug}/comments"), Some(&grace), Some(json!({"comment": {"body": "Thank you so much!"}}))).await;
        assert_eq!(status, 201);
        let id = comment["comment"]["id"].as_i64().expect("an integer id");
        assert_eq!(comment["comment"]["author"]["username"], "grace");
        let (_, comments) = app.conduit(Method::GET, &format!("/articles/{slug}/comments"), None, None).await;
        assert_eq!(comments["comments"][0]["body"], "Thank you so much!");
        let (status, body) = app.conduit(Method::DELETE, &format!("/articles/{slug}/comments/{id}"), Some(&ada), None).await;
        assert_eq!((status, body), (403, json!({"errors": {"comment": ["forbidden"]}})));
        let (status, body) = app.conduit(Method::DELETE, &format!("/articles/{slug}/comments/99999"), Some(&grace), None).await;
        assert_eq!((status, body), (404, json!({"errors": {"comment": ["not found"]}})));
        let (status, body) = app.conduit(Method::DELETE, &format!("/articles/{slug}/comments/{id}"), Some(&grace), None).await;
        assert_eq!((status, body), (204, Value::Null));

        let (status, profile) = app.conduit(Method::POST, "/profiles/ada/follow", Some(&grace), None).await;
        assert_eq!((status, profile["profile"]["following"].clone()), (200, json!(true)));
        let (_, feed) = app.conduit(Method::GET, "/articles/feed", Some(&grace), None).await;
        assert_eq!(feed["articlesCount"], 1);
        assert_eq!(feed["articles"][0]["author"]["following"], true);
        let (_, profile) = app.conduit(Method::DELETE, "/profiles/ada/follow", Some(&grace), None).await;
        assert_eq!(profile["profile"]["following"], false);

        let (status, tags) = app.conduit(Method::GET, "/tags", None, None).await;
        assert_eq!((status, tags), (200, json!({"tags": []})));
        let (status, body) = app.conduit(Method::DELETE, &format!("/articles/{slug}"), Some(&ada), None).await;
        assert_eq!((status, body), (204, Value::Null));
    }

    async fn updating_the_user_keeps_the_token_that_made_the_change(app: TestApp) {
        let token = app.writer("ada").await;
        let other = app.writer("grace").await;
        let change = json!({"user": {"bio": "Counting engines.", "image": "https://example.com/photo.jpg", "email": "ada@example.com"}});
        let (status, body) = app.conduit(Method::PUT, "/user", Some(&token), Some(change)).await;
        assert_eq!(status, 200, "their own email is not 'taken': {body}");
        assert_eq!((body["user"]["bio"].as_str(), body["user"]["image"].as_str()), (Some("Counting engines."), Some("https://example.com/photo.jpg")));
        let (_, body) = app.conduit(Method::PUT, "/user", Some(&token), Some(json!({"user": {"bio": null, "image": ""}}))).await;
        assert_eq!((body["user"]["bio"].clone(), body["user"]["image"].clone()), (Value::Null, Value::Null));
        for bad in [json!({"email": ""}), json!({"username": null}), json!({"password": "short7c"}), json!({"email": "grace@example.com"})] {
            let (status, body) = app.conduit(Method::PUT, "/user", Some(&token), Some(json!({"user": bad}))).await;
            assert!(status == 422 || status == 409, "{bad}: {status} {body}");
        }
        let (status, _) = app.conduit(Method::PUT, "/user", Some(&token), Some(json!({"user": {"password": "Fresh-Meadow-Kite-77?"}}))).await;
        assert_eq!(status, 200);
        let (status, _) = app.conduit(Method::GET, "/user", Some(&token), None).await;
        assert_eq!(status, 200, "the token that changed the password still works");
        let mail = app.wait_for_mail("ada@example.com", "Your password was changed").await;
        assert!(mail.text_body.contains("changed"));
        let (status, _) = app.conduit(Method::GET, "/user", Some(&other), None).await;
        assert_eq!(status, 200, "someone else's token is untouched");
    }
}
