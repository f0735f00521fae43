//! Writing posts: slugs and redirects, rendering and sanitising, who may do what, drafts
//! staying private everywhere, and scheduled publishing across two processes.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{call_with, session_for, TestApp, BROWSER};

/// Saves the editor form as a browser with a session would (logged in as `login`).
async fn editor_save(app: &TestApp, client: &reqwest::Client, form: &[(&str, &str)]) -> reqwest::Response {
    call_with(client, &app.address, "blog/save", form).await
}

async fn slug_of(app: &TestApp, token: &str, title: &str) -> String {
    app.publish(token, title, "Some text.", &[]).await["slug"].as_str().unwrap().to_string()
}

engine_tests! {
    async fn duplicate_titles_get_distinct_slugs_and_reserved_words_are_avoided(app: TestApp) {
        let token = app.writer("ada").await;
        let first = slug_of(&app, &token, "Hello, Wörld!").await;
        let second = slug_of(&app, &token, "Hello, Wörld!").await;
        let third = slug_of(&app, &token, "hello world").await;
        assert_eq!((first.as_str(), second.as_str(), third.as_str()), ("hello-world", "hello-world-2", "hello-world-3"));
        assert_eq!(slug_of(&app, &token, "New").await, "new-post", "/blog/new is the editor");
        assert_eq!(slug_of(&app, &token, "!!!").await, "post");
    }

    async fn renaming_a_published_post_redirects_its_old_address_for_good(app: TestApp) {
        let token = app.writer("ada").await;
        let slug = slug_of(&app, &token, "First title").await;
        let rename = json!({"article": {"title": "Second title"}});
        let (status, body) = app.conduit(Method::PUT, &format!("/articles/{slug}"), Some(&token), Some(rename)).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["article"]["slug"], "second-title");

        let old = app.page("/blog/first-title").await;
        assert_eq!(old.status(), 301, "a permanent redirect");
        assert_eq!(old.headers()["location"], "/blog/second-title");
        assert_eq!(app.page("/blog/second-title").await.status(), 200);
        let api = crate::helpers::new_client().get(app.url("/conduit/api/articles/first-title")).send().await.unwrap();
        assert_eq!(api.status(), 301, "the API redirects too");
        assert_eq!(api.headers()["location"], "/conduit/api/articles/second-title");

        // The retired slug is never given to another post, even one with that title.
        let other = app.writer("grace").await;
        assert_eq!(slug_of(&app, &other, "First title").await, "first-title-2");
        // Renaming back reclaims the post's own old slug.
        let back = json!({"article": {"title": "First title"}});
        let (_, body) = app.conduit(Method::PUT, "/articles/second-title", Some(&token), Some(back)).await;
        assert_eq!(body["article"]["slug"], "first-title");
        assert_eq!(app.page("/blog/second-title").await.headers()["location"], "/blog/first-title");
    }

    async fn a_renamed_draft_frees_its_old_slug(app: TestApp) {
        app.writer("ada").await;
        let ada = session_for(&app, "ada").await;
        let saved = editor_save(&app, &ada, &[("title", "Working title"), ("body", "x"), ("intent", "draft")]).await;
        assert_eq!(saved.status(), 200, "{}", saved.text().await.unwrap());
        let (id,): (String,) = sqlx::query_as("SELECT id FROM posts WHERE slug = 'working-title'").fetch_one(app.db.pool()).await.unwrap();
        let renamed = editor_save(&app, &ada, &[("id", &id), ("title", "Final title"), ("body", "x"), ("intent", "draft")]).await;
        assert_eq!(renamed.status(), 200);
        let (slugs,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM post_slugs WHERE post_id = $1").bind(&id).fetch_one(app.db.pool()).await.unwrap();
        assert_eq!(slugs, 1, "a never-published draft keeps no old addresses");
    }

    async fn markdown_is_rendered_when_saved_highlighted_and_sanitised(app: TestApp) {
        let token = app.writer("ada").await;
        let body = "# Intro\n\nSee [the docs](https://example.com) and [this](javascript:alert(1)).\n\n\
                    ```rust\nfn main() {}\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n\
                    <script>alert(1)</script><img src=x onerror=alert(1)><svg onload=alert(1)></svg>\
                    <a href=\"javascript:alert(2)\" onclick=\"x()\">bad</a><p style=\"color:red\" onmouseover=\"x()\">unclosed";
        let slug = app.publish(&token, "Render me", body, &["rust"]).await["slug"].as_str().unwrap().to_string();
        let (html,): (String,) = sqlx::query_as(
            "SELECT r.body_html FROM posts p JOIN post_revisions r ON r.id = p.published_revision_id WHERE p.slug = $1",
        )
        .bind(&slug)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert!(html.contains(r#"<h2 id="intro">"#), "{html}");
        assert!(html.contains(r#"<a href="https://example.com" rel="nofollow ugc noopener">the docs</a>"#), "{html}");
        assert!(html.contains(r#"class="hl-"#) || html.contains("hl-storage"), "code is highlighted: {html}");
        assert!(html.contains("<table>"));
        for bad in ["<script", "javascript:", "onerror", "onload", "onclick", "onmouseover", "<svg", "style="] {
            assert!(!html.to_lowercase().contains(bad), "{bad} survived: {html}");
        }
        // The stored HTML is what the page serves.
        let page = app.page(&format!("/blog/{slug}")).await.text().await.unwrap();
        assert!(page.contains(r#"<h2 id="intro">"#));
        assert!(!page.contains("<script>alert(1)"));
    }

    async fn nobody_edits_or_deletes_another_writers_post(app: TestApp) {
        let ada = app.writer("ada").await;
        let grace = app.writer("grace").await;
        let slug = slug_of(&app, &ada, "Ada's post").await;
        let change = json!({"article": {"body": "hijacked"}});
        let (status, body) = app.conduit(Method::PUT, &format!("/articles/{slug}"), Some(&grace), Some(change)).await;
        assert_eq!((status, body), (403, json!({"errors": {"article": ["forbidden"]}})));
        let (status, _) = app.conduit(Method::DELETE, &format!("/articles/{slug}"), Some(&grace), None).await;
        assert_eq!(status, 403);
        let (id,): (String,) = sqlx::query_as("SELECT id FROM posts WHERE slug = $1").bind(&slug).fetch_one(app.db.pool()).await.unwrap();
        let grace_session = session_for(&app, "grace").await;
        let response = editor_save(&app, &grace_session, &[("id", &id), ("title", "Mine now"), ("body", "x"), ("intent", "publish")]).await;
        assert_eq!(response.status(), 403);
        let response = call_with(&grace_session, &app.address, "blog/delete", &[("id", &id), ("confirm", "true")]).await;
        assert_eq!(response.status(), 403);
        let (status, body) = app.conduit(Method::GET, &format!("/articles/{slug}"), None, None).await;
        assert_eq!((status, body["article"]["body"].as_str()), (200, Some("Some text.")));

        // An admin may.
        sqlx::query("UPDATE users SET role = 'admin' WHERE username = 'grace'").execute(app.db.pool()).await.unwrap();
        let change = json!({"article": {"body": "Edited by an admin."}});
        let (status, _) = app.conduit(Method::PUT, &format!("/articles/{slug}"), Some(&grace), Some(change)).await;
        assert_eq!(status, 200);
        let (status, _) = app.conduit(Method::DELETE, &format!("/articles/{slug}"), Some(&grace), None).await;
        assert_eq!(status, 204);
        assert_eq!(app.page(&format!("/blog/{slug}")).await.status(), 404);
    }

    async fn drafts_are_invisible_to_others_everywhere(app: TestApp) {
        let ada = app.writer("ada").await;
        let grace = app.writer("grace").await;
        let draft = json!({"article": {"title": "Secret plans", "description": "d", "body": "zanzibar quokka", "tagList": ["secret"], "status": "draft"}});
        let (status, body) = app.conduit(Method::POST, "/articles", Some(&ada), Some(draft)).await;
        assert_eq!((status, body["article"]["status"].as_str()), (201, Some("draft")));
        let slug = body["article"]["slug"].as_str().unwrap().to_string();

        // Its author sees it; nobody else does, by any door.
        let (status, _) = app.conduit(Method::GET, &format!("/articles/{slug}"), Some(&ada), None).await;
        assert_eq!(status, 200);
        for token in [None, Some(grace.as_str())] {
            let (status, _) = app.conduit(Method::GET, &format!("/articles/{slug}"), token, None).await;
            assert_eq!(status, 404);
        }
        assert_eq!(app.page(&format!("/blog/{slug}")).await.status(), 404);
        let (_, list) = app.conduit(Method::GET, "/articles", Some(&ada), None).await;
        assert_eq!(list["articlesCount"], 0, "{list}");
        let (_, list) = app.conduit(Method::GET, "/articles?tag=secret", None, None).await;
        assert_eq!(list["articlesCount"], 0);
        let (_, tags) = app.conduit(Method::GET, "/tags", None, None).await;
        assert_eq!(tags["tags"], json!([]));
        let (_, found) = app.conduit(Method::GET, "/articles/search?q=zanzibar", None, None).await;
        assert_eq!(found["articles"], json!([]));
        for path in ["/blog/rss.xml", "/blog/atom.xml", "/u/ada/rss.xml", "/blog/tag/secret/rss.xml", "/sitemap.xml"] {
            let text = app.page(path).await.text().await.unwrap();
            assert!(!text.contains("Secret plans") && !text.contains(&slug), "{path} leaks the draft: {text}");
        }
        let blog = app.page("/blog").await.text().await.unwrap();
        assert!(!blog.contains("Secret plans"));
        // Its author's drafts list has it.
        let (_, mine) = app.conduit(Method::GET, "/articles/drafts", Some(&ada), None).await;
        assert_eq!(mine["articles"][0]["title"], "Secret plans");
        let (_, theirs) = app.conduit(Method::GET, "/articles/drafts", Some(&grace), None).await;
        assert_eq!(theirs["articles"], json!([]));

        // Published, it appears everywhere; unpublished, it is gone again.
        let publish = json!({"article": {"status": "published"}});
        let (status, _) = app.conduit(Method::PUT, &format!("/articles/{slug}"), Some(&ada), Some(publish)).await;
        assert_eq!(status, 200);
        let (_, found) = app.conduit(Method::GET, "/articles/search?q=zanzibar", None, None).await;
        assert_eq!(found["articles"][0]["slug"], slug.as_str());
        assert!(app.page("/blog/rss.xml").await.text().await.unwrap().contains("Secret plans"));
        let draft_again = json!({"article": {"status": "draft"}});
        let (status, _) = app.conduit(Method::PUT, &format!("/articles/{slug}"), Some(&ada), Some(draft_again)).await;
        assert_eq!(status, 200);
        let (_, found) = app.conduit(Method::GET, "/articles/search?q=zanzibar", None, None).await;
        assert_eq!(found["articles"], json!([]));
        assert_eq!(app.page(&format!("/blog/{slug}")).await.status(), 404);
    }

    async fn the_editor_refuses_bad_input_naming_each_field_and_keeps_what_was_typed(app: TestApp) {
        app.writer("ada").await;
        let ada = session_for(&app, "ada").await;
        let long_title = "t".repeat(201);
        let response = editor_save(&app, &ada, &[
            ("title", &long_title), ("tags", "ok, c++"), ("body", ""), ("intent", "publish"),
        ]).await;
        assert_eq!(response.status(), 400);
        let error: Value = response.json().await.unwrap();
        let fields = &error["Invalid"]["fields"];
        assert_eq!(fields["title"], json!(["must be at most 200 characters (has 201)"]));
        assert_eq!(fields["tags"], json!(["\"c++\" may contain only a-z, 0-9 and -"]));
        assert_eq!(fields["body"], json!(["is required to publish"]));
        assert_eq!(error["Invalid"]["values"]["tags"], "ok, c++", "what was typed comes back");
        let response = editor_save(&app, &ada, &[("title", "Later"), ("body", "x"), ("intent", "schedule"), ("publish_at", "2001-01-01T00:00")]).await;
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["Invalid"]["fields"]["publish_at"], json!(["must be in the future"]));
        let (posts,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM posts").fetch_one(app.db.pool()).await.unwrap();
        assert_eq!(posts, 0, "nothing half-saved");
    }

    async fn new_posts_are_rate_limited_per_writer(app: TestApp) {
        let app = TestApp::spawn_with(app.engine, &[("POST_RATE_LIMIT_PER_HOUR", "2")]).await;
        let token = app.writer("ada").await;
        slug_of(&app, &token, "One").await;
        slug_of(&app, &token, "Two").await;
        let article = json!({"article": {"title": "Three", "description": "d", "body": "b"}});
        let (status, body) = app.conduit(Method::POST, "/articles", Some(&token), Some(article)).await;
        assert_eq!(status, 429, "{body}");
        assert!(body["errors"]["request"][0].as_str().unwrap().starts_with("Too many attempts"), "{body}");
    }

    async fn a_scheduled_post_is_published_exactly_once_by_two_processes(app: TestApp) {
        let peer = app.spawn_peer().await;
        let token = app.writer("ada").await;
        let at = app::server::clock::now_ms() + 1500;
        let article = json!({"article": {"title": "Later", "description": "d", "body": "b", "publishAt": at.to_string()}});
        let (status, body) = app.conduit(Method::POST, "/articles", Some(&token), Some(article)).await;
        assert_eq!((status, body["article"]["status"].as_str()), (201, Some("scheduled")), "{body}");
        let slug = body["article"]["slug"].as_str().unwrap().to_string();
        assert_eq!(app.page(&format!("/blog/{slug}")).await.status(), 404, "not public before its time");
        let mut published = false;
        for _ in 0..100 {
            let response = reqwest::Client::new().get(format!("{}/blog/{slug}", peer.address)).header("user-agent", BROWSER).send().await.unwrap();
            if response.status() == 200 {
                published = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(published, "published by one of the processes");
        tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
        let (events,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM post_events e JOIN posts p ON p.id = e.post_id WHERE p.slug = $1 AND e.kind = 'published'",
        )
        .bind(&slug)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!(events, 1, "exactly one process published it");
        let (_, body) = app.conduit(Method::GET, &format!("/articles/{slug}"), None, None).await;
        assert_eq!(body["article"]["publishedAt"].as_str().unwrap().len(), 24);
    }
}
