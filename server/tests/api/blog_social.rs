//! Readers together: likes and bookmarks that never drift, follows, the comment rules
//! (edit window, replies freeze, stubs, moderation), comment emails and their opt-out,
//! rate limits, and what a deleted account leaves behind.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{call_with, new_client, session_for, TestApp, STRONG_PASSWORD};

async fn post_id(app: &TestApp, slug: &str) -> String {
    let (id,): (String,) =
        sqlx::query_as("SELECT id FROM posts WHERE slug = $1").bind(slug).fetch_one(app.db.pool()).await.unwrap();
    id
}

async fn comment(app: &TestApp, client: &reqwest::Client, post: &str, parent: &str, body: &str) -> reqwest::Response {
    call_with(client, &app.address, "blog/comment", &[("post_id", post), ("parent_id", parent), ("body", body)]).await
}

engine_tests! {
    async fn concurrent_likes_and_bookmarks_never_make_the_counts_drift(app: TestApp) {
        let author = app.writer("ada").await;
        let slug = app.publish(&author, "Popular", "text", &[]).await["slug"].as_str().unwrap().to_string();
        let mut tokens = Vec::new();
        for i in 0..6 {
            tokens.push(app.writer(&format!("reader{i}")).await);
        }
        // Every reader clicks like (and bookmark) several times at once, some unlike.
        let mut tasks = Vec::new();
        for (i, token) in tokens.iter().enumerate() {
            for round in 0..4 {
                let (app_url, token, slug) = (app.address.clone(), token.clone(), slug.clone());
                let method = if i == 0 && round == 3 { Method::DELETE } else { Method::POST };
                tasks.push(tokio::spawn(async move {
                    let client = crate::helpers::api_client();
                    for kind in ["favorite", "bookmark"] {
                        let url = format!("{app_url}/conduit/api/articles/{slug}/{kind}");
                        let status = client.request(method.clone(), url).header("authorization", format!("Token {token}")).send().await.unwrap().status();
                        assert_eq!(status, 200);
                    }
                }));
            }
        }
        for task in tasks {
            task.await.unwrap();
        }
        let (likes, _, bookmarks, _) = app.post_counts(&slug).await;
        let (like_rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM post_likes l JOIN posts p ON p.id = l.post_id WHERE p.slug = $1").bind(&slug).fetch_one(app.db.pool()).await.unwrap();
        let (bookmark_rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM post_bookmarks b JOIN posts p ON p.id = b.post_id WHERE p.slug = $1").bind(&slug).fetch_one(app.db.pool()).await.unwrap();
        assert_eq!(likes, like_rows, "the count is the rows");
        assert_eq!(bookmarks, bookmark_rows);
        assert!((5..=6).contains(&likes), "{likes}");
        // Idempotent: liking again changes nothing.
        let (_, body) = app.conduit(Method::POST, &format!("/articles/{slug}/favorite"), Some(&tokens[1]), None).await;
        assert_eq!(body["article"]["favoritesCount"], likes);
        assert_eq!(body["article"]["favorited"], true);
    }

    async fn likes_follows_and_bookmarks_work_as_forms_without_javascript(app: TestApp) {
        let author = app.writer("ada").await;
        let slug = app.publish(&author, "Form post", "text", &[]).await["slug"].as_str().unwrap().to_string();
        app.writer("grace").await;
        let grace = session_for(&app, "grace").await;
        let id = post_id(&app, &slug).await;
        let referer = format!("http://app.test/blog/{slug}");
        // A plain HTML form post (Accept: text/html) is sent back to the page it came from.
        let like = grace
            .post(app.url("/fn/blog/react"))
            .header("accept", "text/html")
            .header("referer", &referer)
            .form(&[("post_id", id.as_str()), ("kind", "like"), ("on", "true")])
            .send()
            .await
            .unwrap();
        assert_eq!(like.status(), 302);
        assert!(like.headers()["location"].to_str().unwrap().starts_with(&referer), "back to the page");
        let follow = grace.post(app.url("/fn/blog/follow")).header("accept", "text/html").header("referer", &referer)
            .form(&[("username", "ada"), ("follow", "true")]).send().await.unwrap();
        assert_eq!(follow.status(), 302);
        let bookmark = call_with(&grace, &app.address, "blog/react", &[("post_id", &id), ("kind", "bookmark"), ("on", "true")]).await;
        let reaction: Value = bookmark.json().await.unwrap();
        assert_eq!(reaction, json!({"active": true, "count": 1}));
        assert_eq!(app.post_counts(&slug).await.0, 1);
        let following: Value = call_with(&grace, &app.address, "blog/following", &[]).await.json().await.unwrap();
        assert_eq!(following["posts"][0]["slug"], slug.as_str(), "the post is under Following");
        let bookmarks: Value = call_with(&grace, &app.address, "blog/bookmarks", &[]).await.json().await.unwrap();
        assert_eq!(bookmarks["posts"][0]["bookmarked"], true);
        let page = grace.get(app.url(&format!("/blog/{slug}"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains(r#"aria-pressed="true""#), "the page shows the like and follow as on");
        // Nobody follows themself.
        let ada = session_for(&app, "ada").await;
        let response = call_with(&ada, &app.address, "blog/follow", &[("username", "ada"), ("follow", "true")]).await;
        assert_eq!(response.status(), 409);
        // Signed out, the buttons are links to log in.
        let anonymous = new_client().get(app.url(&format!("/blog/{slug}"))).send().await.unwrap().text().await.unwrap();
        assert!(anonymous.contains(&format!("/login?next=/blog/{slug}")));
    }

    async fn a_comment_can_be_changed_for_five_hours_and_only_until_someone_replies(app: TestApp) {
        let author = app.writer("ada").await;
        let slug = app.publish(&author, "Discuss", "text", &[]).await["slug"].as_str().unwrap().to_string();
        let id = post_id(&app, &slug).await;
        app.writer("grace").await;
        app.writer("linus").await;
        let grace = session_for(&app, "grace").await;
        let linus = session_for(&app, "linus").await;
        let first: String = comment(&app, &grace, &id, "", "First!").await.json().await.unwrap();
        let edited = call_with(&grace, &app.address, "blog/edit-comment", &[("comment_id", &first), ("body", "First, edited")]).await;
        assert_eq!(edited.status(), 200);
        // Someone else may not touch it.
        let response = call_with(&linus, &app.address, "blog/edit-comment", &[("comment_id", &first), ("body", "mine")]).await;
        assert_eq!(response.status(), 403);
        // A reply freezes it.
        let reply: String = comment(&app, &linus, &id, &first, "A reply").await.json().await.unwrap();
        let response = call_with(&grace, &app.address, "blog/edit-comment", &[("comment_id", &first), ("body", "again")]).await;
        assert_eq!(response.status(), 409);
        let error: Value = response.json().await.unwrap();
        assert!(error["Conflict"].as_str().unwrap().contains("has replies"), "{error}");
        let response = call_with(&grace, &app.address, "blog/delete-comment", &[("comment_id", &first)]).await;
        assert_eq!(response.status(), 409);
        // A reply to a reply joins the thread (one level).
        let nested: String = comment(&app, &grace, &id, &reply, "Thread reply").await.json().await.unwrap();
        let (parent,): (Option<String>,) = sqlx::query_as("SELECT parent_id FROM comments WHERE id = $1").bind(&nested).fetch_one(app.db.pool()).await.unwrap();
        assert_eq!(parent.as_deref(), Some(first.as_str()));
        // Past five hours it is frozen too.
        let old: String = comment(&app, &grace, &id, "", "Old one").await.json().await.unwrap();
        sqlx::query("UPDATE comments SET created_at_ms = created_at_ms - 5 * 3600 * 1000 - 1000 WHERE id = $1").bind(&old).execute(app.db.pool()).await.unwrap();
        let response = call_with(&grace, &app.address, "blog/edit-comment", &[("comment_id", &old), ("body", "late")]).await;
        let error: Value = response.json().await.unwrap();
        assert!(error["Conflict"].as_str().unwrap().contains("within 5 hours"), "{error}");
        // Within the window and unanswered, it can be deleted: it disappears.
        let fresh: String = comment(&app, &grace, &id, "", "Oops").await.json().await.unwrap();
        assert_eq!(call_with(&grace, &app.address, "blog/delete-comment", &[("comment_id", &fresh)]).await.status(), 200);
        let thread: Value = call_with(&app.client, &app.address, "blog/comments", &[("post_id", &id)]).await.json().await.unwrap();
        let bodies: Vec<&str> = thread["comments"].as_array().unwrap().iter().filter_map(|c| c["body_html"].as_str()).collect();
        assert_eq!(bodies.len(), 2, "{thread}");
        assert!(!thread.to_string().contains("Oops"));
        assert_eq!(thread["count"], 4);
        assert_eq!(app.post_counts(&slug).await.1, 4, "the post's count matches");
    }

    async fn an_edit_racing_a_reply_either_wins_whole_or_loses_whole(app: TestApp) {
        let author = app.writer("ada").await;
        let slug = app.publish(&author, "Race", "text", &[]).await["slug"].as_str().unwrap().to_string();
        let id = post_id(&app, &slug).await;
        app.writer("grace").await;
        app.writer("linus").await;
        for round in 0..5 {
            let grace = session_for(&app, "grace").await;
            let linus = session_for(&app, "linus").await;
            let first: String = comment(&app, &grace, &id, "", &format!("Round {round}")).await.json().await.unwrap();
            let form = [("comment_id", first.as_str())];
            let delete = call_with(&grace, &app.address, "blog/delete-comment", &form);
            let reply = comment(&app, &linus, &id, &first, "Racing reply");
            let (deleted, replied) = tokio::join!(delete, reply);
            let (deleted, replied) = (deleted.status().as_u16(), replied.status().as_u16());
            assert!(
                (deleted, replied) == (200, 409) || (deleted, replied) == (409, 200),
                "exactly one wins: delete {deleted}, reply {replied}"
            );
        }
    }

    async fn moderators_hide_comments_and_deleted_accounts_leave_stubs(app: TestApp) {
        let author = app.writer("ada").await;
        let slug = app.publish(&author, "Moderated", "text", &[]).await["slug"].as_str().unwrap().to_string();
        let id = post_id(&app, &slug).await;
        app.writer("troll").await;
        app.writer("grace").await;
        let troll = session_for(&app, "troll").await;
        let grace = session_for(&app, "grace").await;
        let ada = session_for(&app, "ada").await;
        let rude: String = comment(&app, &troll, &id, "", "Rude words").await.json().await.unwrap();
        let kind: String = comment(&app, &grace, &id, "", "Kind words").await.json().await.unwrap();
        comment(&app, &troll, &id, &kind, "Troll reply").await;
        // Only the post's author (or an admin) hides.
        assert_eq!(call_with(&grace, &app.address, "blog/hide-comment", &[("comment_id", &rude), ("hidden", "true")]).await.status(), 403);
        assert_eq!(call_with(&ada, &app.address, "blog/hide-comment", &[("comment_id", &rude), ("hidden", "true")]).await.status(), 200);
        let public: Value = call_with(&new_client(), &app.address, "blog/comments", &[("post_id", &id)]).await.json().await.unwrap();
        assert!(!public.to_string().contains("Rude words"), "readers do not see it: {public}");
        let own: Value = call_with(&troll, &app.address, "blog/comments", &[("post_id", &id)]).await.json().await.unwrap();
        assert!(own.to_string().contains("Rude words"), "its author still sees it, marked hidden");

        // The troll deletes their account: their reply goes; a comment with replies would stay as a stub.
        let response = call_with(&troll, &app.address, "accounts/delete-account", &[("password", STRONG_PASSWORD)]).await;
        assert_eq!(response.status(), 200);
        let thread: Value = call_with(&new_client(), &app.address, "blog/comments", &[("post_id", &id)]).await.json().await.unwrap();
        assert!(!thread.to_string().contains("Troll reply"), "{thread}");
        assert_eq!(thread["count"], 1);
        assert_eq!(app.post_counts(&slug).await.1, 1, "counts follow the account's removal");
        // Grace deletes hers, which has no live replies left: its content is gone too.
        app.writer("linus").await;
        let linus = session_for(&app, "linus").await;
        comment(&app, &linus, &id, &kind, "Linus replies").await;
        let response = call_with(&grace, &app.address, "accounts/delete-account", &[("password", STRONG_PASSWORD)]).await;
        assert_eq!(response.status(), 200);
        let thread: Value = call_with(&new_client(), &app.address, "blog/comments", &[("post_id", &id)]).await.json().await.unwrap();
        let first = &thread["comments"][0];
        assert_eq!(first["state"], "Deleted", "a stub keeps the thread readable: {thread}");
        assert!(first["body_html"].is_null() && first["author"].is_null());
        assert_eq!(first["replies"][0]["body_html"].as_str().map(|b| b.contains("Linus replies")), Some(true));
    }

    async fn the_post_author_is_emailed_about_comments_unless_they_opted_out(app: TestApp) {
        let author = app.writer("ada").await;
        let slug = app.publish(&author, "Mail me", "text", &[]).await["slug"].as_str().unwrap().to_string();
        let id = post_id(&app, &slug).await;
        app.writer("grace").await;
        let grace = session_for(&app, "grace").await;
        comment(&app, &grace, &id, "", "Hello *there*").await;
        let mail = app.wait_for_mail("ada@example.com", "New comment on").await;
        assert!(mail.text_body.contains("grace commented on your post"), "{}", mail.text_body);
        assert!(mail.text_body.contains(&format!("http://app.test/blog/{slug}#comment-")));
        let ada = session_for(&app, "ada").await;
        // Her own comments never mail her.
        comment(&app, &ada, &id, "", "Thanks!").await;
        let response = call_with(&ada, &app.address, "accounts/notifications", &[("notify_on_comment", "false")]).await;
        assert_eq!(response.status(), 200);
        comment(&app, &grace, &id, "", "Another").await;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let mails: Vec<_> = app.mails_to("ada@example.com").await.into_iter().filter(|m| m.subject.contains("New comment")).collect();
        assert_eq!(mails.len(), 1, "one mail: before the opt-out, not for her own comment");
    }

    async fn comments_are_rate_limited_per_user_with_429(app: TestApp) {
        let app = TestApp::spawn_with(app.engine, &[("COMMENT_RATE_LIMIT_PER_HOUR", "2")]).await;
        let author = app.writer("ada").await;
        let slug = app.publish(&author, "Limited", "text", &[]).await["slug"].as_str().unwrap().to_string();
        let id = post_id(&app, &slug).await;
        app.writer("grace").await;
        let grace = session_for(&app, "grace").await;
        assert_eq!(comment(&app, &grace, &id, "", "one").await.status(), 200);
        assert_eq!(comment(&app, &grace, &id, "", "two").await.status(), 200);
        let limited = comment(&app, &grace, &id, "", "three").await;
        assert_eq!(limited.status(), 429);
        assert!(limited.headers()["retry-after"].to_str().unwrap().parse::<u64>().unwrap() > 0);
        // Bad input is named, not counted against anything else.
        let empty = comment(&app, &grace, &id, "", "   ").await;
        assert_eq!(empty.status(), 400);
        let error: Value = empty.json().await.unwrap();
        assert_eq!(error["Invalid"]["fields"]["body"], json!(["is required"]));
    }

    async fn profiles_carry_a_bio_and_avatar_url_checked_on_save(app: TestApp) {
        app.writer("ada").await;
        let ada = session_for(&app, "ada").await;
        let form = [("name", "Ada L"), ("full_name", ""), ("phone_number", ""), ("bio", "I write about engines."), ("avatar_url", "https://img.example.com/ada.png")];
        let saved = call_with(&ada, &app.address, "accounts/update-profile", &form).await;
        assert_eq!(saved.status(), 200);
        let user: Value = saved.json().await.unwrap();
        assert_eq!((user["bio"].as_str(), user["avatar_url"].as_str()), (Some("I write about engines."), Some("https://img.example.com/ada.png")));
        let bad = [("name", ""), ("full_name", ""), ("phone_number", ""), ("bio", &*"x".repeat(501)), ("avatar_url", "javascript:alert(1)")];
        let response = call_with(&ada, &app.address, "accounts/update-profile", &bad).await;
        assert_eq!(response.status(), 400);
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["Invalid"]["fields"]["bio"], json!(["must be at most 500 characters (has 501)"]));
        assert!(error["Invalid"]["fields"]["avatar_url"][0].as_str().unwrap().contains("https://"));
        let page = app.page("/u/ada").await.text().await.unwrap();
        assert!(page.contains("I write about engines.") && page.contains("https://img.example.com/ada.png"));
    }
}
