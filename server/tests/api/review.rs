//! Editorial review through the pages' server functions and the RealWorld API: who must
//! be reviewed, every refused transition (403/409), corrections and resubmission, the
//! diff, the emails, and a published post never showing an unapproved revision.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{call_with, error_of, session_for, TestApp};

/// A client author (reviewed), a trainer (publishes directly) and an admin reviewer,
/// each with a logged-in browser session.
struct Cast {
    client: reqwest::Client,
    /// The client author's RealWorld API token.
    client_token: String,
    trainer: reqwest::Client,
    admin: reqwest::Client,
}

async fn cast(app: &TestApp) -> Cast {
    let client_token = app.author("cleo", "client").await;
    app.author("tim", "trainer").await;
    app.author("ana", "admin").await;
    Cast {
        client: session_for(app, "cleo").await,
        client_token,
        trainer: session_for(app, "tim").await,
        admin: session_for(app, "ana").await,
    }
}

/// Saves the editor form; returns the response.
async fn save(
    app: &TestApp,
    who: &reqwest::Client,
    id: &str,
    title: &str,
    body: &str,
    intent: &str,
) -> reqwest::Response {
    let form = [("id", id), ("title", title), ("body", body), ("tags", "rust, review"), ("intent", intent)];
    call_with(who, &app.address, "blog/save", &form).await
}

/// A new draft by `who`: its id.
async fn draft(app: &TestApp, who: &reqwest::Client, title: &str, body: &str) -> String {
    let response = save(app, who, "", title, body, "draft").await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    let slug: String = response.json().await.unwrap();
    let (id,): (String,) = sqlx::query_as("SELECT post_id FROM post_slugs WHERE slug = $1")
        .bind(&slug)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    id
}

async fn fun(app: &TestApp, who: &reqwest::Client, endpoint: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let response = call_with(who, &app.address, endpoint, form).await;
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn states(app: &TestApp, id: &str) -> (String, Option<String>) {
    sqlx::query_as("SELECT status, review_state FROM posts WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

async fn page_of(app: &TestApp, who: &reqwest::Client, id: &str) -> Value {
    let (status, page) = fun(app, who, "review/page", &[("post_id", id)]).await;
    assert_eq!(status, 200, "{page}");
    page
}

async fn public_title(app: &TestApp, id: &str) -> Option<String> {
    let slug: Option<(String,)> = sqlx::query_as("SELECT slug FROM posts WHERE id = $1 AND status = 'published'")
        .bind(id)
        .fetch_optional(app.db.pool())
        .await
        .unwrap();
    let (slug,) = slug?;
    let (status, body) = app.conduit(Method::GET, &format!("/articles/{slug}"), None, None).await;
    assert_eq!(status, 200, "{body}");
    Some(body["article"]["title"].as_str().unwrap().to_string())
}

engine_tests! {
    async fn a_client_cannot_publish_directly_but_submits_a_frozen_revision(app: TestApp) {
        let cast = cast(&app).await;
        let id = draft(&app, &cast.client, "My first post", "Hello there.").await;
        let response = save(&app, &cast.client, &id, "My first post", "Hello there.", "publish").await;
        assert_eq!(response.status(), 409);
        assert!(error_of(response).await.to_string().contains("submit this one for review"));
        let response = save(&app, &cast.client, &id, "My first post", "Hello there.", "schedule").await;
        assert_eq!(response.status(), 400, "the time is checked first");
        assert_eq!(states(&app, &id).await, ("draft".into(), None), "nothing changed");

        let response = save(&app, &cast.client, &id, "My first post", "Hello there, reviewers.", "submit").await;
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
        assert_eq!(states(&app, &id).await, ("draft".into(), Some("in_review".into())));
        let (frozen,): (Option<i64>,) = sqlx::query_as(
            "SELECT r.frozen_at_ms FROM posts p JOIN post_revisions r ON r.id = p.current_revision_id WHERE p.id = $1",
        )
        .bind(&id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert!(frozen.is_some(), "the submitted revision is frozen");
        // Reviewers hear of it; the author is not a reviewer.
        let mail = app.wait_for_mail("ana@example.com", "To review").await;
        assert!(mail.text_body.contains(&format!("/review/{id}")), "{}", mail.text_body);
        assert!(app.mails_to("tim@example.com").await.iter().all(|m| !m.subject.contains("To review")));

        // In review: editing and submitting again are refused; a stranger sees nothing.
        let response = save(&app, &cast.client, &id, "Changed", "Changed.", "draft").await;
        assert_eq!(response.status(), 409);
        assert_eq!(fun(&app, &cast.client, "review/submit", &[("post_id", &id)]).await.0, 409);
        assert_eq!(fun(&app, &cast.trainer, "review/page", &[("post_id", &id)]).await.0, 404);
        assert_eq!(public_title(&app, &id).await, None, "not public");

        // Withdrawing makes it an editable draft again; withdrawing twice is refused.
        assert_eq!(fun(&app, &cast.client, "review/withdraw", &[("post_id", &id)]).await.0, 200);
        assert_eq!(states(&app, &id).await, ("draft".into(), None));
        assert_eq!(fun(&app, &cast.client, "review/withdraw", &[("post_id", &id)]).await.0, 409);
        let response = save(&app, &cast.client, &id, "Changed", "Changed.", "draft").await;
        assert_eq!(response.status(), 200);
        let page = page_of(&app, &cast.client, &id).await;
        assert_eq!(page["history"][0]["status"], "withdrawn");
    }

    async fn only_reviewers_decide_and_never_on_their_own_post(app: TestApp) {
        let cast = cast(&app).await;
        let id = draft(&app, &cast.client, "Client post", "Text.").await;
        assert_eq!(save(&app, &cast.client, &id, "Client post", "Text.", "submit").await.status(), 200);
        let approve = [("post_id", id.as_str()), ("decision", "approve")];
        assert_eq!(fun(&app, &cast.client, "review/decide", &approve).await.0, 403, "the author");
        assert_eq!(fun(&app, &cast.trainer, "review/decide", &approve).await.0, 404, "not a reviewer: not even found");
        assert_eq!(fun(&app, &cast.trainer, "review/queue", &[]).await.0, 403);

        // An administrator may ask for a second opinion on their own post; someone else
        // decides.
        let (status, _) = fun(&app, &cast.admin, "review/settings/save", &[("review_client", "on"), ("reviewer_trainer", "on")]).await;
        assert_eq!(status, 200);
        let mine = draft(&app, &cast.admin, "Admin post", "Text.").await;
        assert_eq!(fun(&app, &cast.admin, "review/submit", &[("post_id", &mine)]).await.0, 200);
        let (status, body) = fun(&app, &cast.admin, "review/decide", &[("post_id", &mine), ("decision", "approve")]).await;
        assert_eq!(status, 403, "{body}");
        assert!(body.to_string().contains("your own post"));
        // Trainers review now that the setting says so.
        let (status, queue) = fun(&app, &cast.trainer, "review/queue", &[]).await;
        assert_eq!(status, 200, "{queue}");
        assert_eq!(queue["counts"]["pending"], 2);
        assert_eq!(fun(&app, &cast.trainer, "review/decide", &[("post_id", &mine), ("decision", "approve")]).await.0, 200);
        assert_eq!(public_title(&app, &mine).await.as_deref(), Some("Admin post"));

        // Deciding twice, or on a post not in review, is a conflict.
        assert_eq!(fun(&app, &cast.trainer, "review/decide", &[("post_id", &mine), ("decision", "approve")]).await.0, 409);
        let (status, body) = fun(&app, &cast.admin, "review/decide", &[("post_id", &id), ("decision", "maybe")]).await;
        assert_eq!(status, 400, "{body}");
        assert!(body.to_string().contains("decision"));
    }

    async fn requested_corrections_are_answered_before_resubmitting_and_the_diff_shows_changes(app: TestApp) {
        let cast = cast(&app).await;
        let body = "First paragraph stays.\n\nSecond paragraph has a tpyo.\n\nThird paragraph.";
        let id = draft(&app, &cast.client, "Corrections", body).await;
        assert_eq!(save(&app, &cast.client, &id, "Corrections", body, "submit").await.status(), 200);

        // Requesting changes needs at least one item; a quote must be in the text.
        let request = [("post_id", id.as_str()), ("decision", "request_changes"), ("note", "Nearly there.")];
        let (status, error) = fun(&app, &cast.admin, "review/decide", &request).await;
        assert_eq!(status, 400, "{error}");
        assert!(error.to_string().contains("at least one correction"));
        let bad = [("post_id", id.as_str()), ("target", "body"), ("quote", "not in the text"), ("note", "?")];
        let (status, error) = fun(&app, &cast.admin, "review/items/add", &bad).await;
        assert_eq!(status, 400);
        assert!(error.to_string().contains("quote"), "{error}");
        let bad = [("post_id", id.as_str()), ("target", "cover-art"), ("note", "")];
        let (status, error) = fun(&app, &cast.admin, "review/items/add", &bad).await;
        assert_eq!(status, 400);
        assert!(error.to_string().contains("target") && error.to_string().contains("note"), "{error}");
        for (target, quote, note) in [("body", "has a  tpyo", "Spelling: typo."), ("title", "", "Make it say what the post is about.")] {
            let item = [("post_id", id.as_str()), ("target", target), ("quote", quote), ("note", note)];
            assert_eq!(fun(&app, &cast.admin, "review/items/add", &item).await.0, 200);
        }
        // The author does not see drafted items before the decision.
        let page = page_of(&app, &cast.client, &id).await;
        assert_eq!(page["history"][0]["items"].as_array().unwrap().len(), 0);
        assert_eq!(fun(&app, &cast.admin, "review/decide", &request).await.0, 200);
        assert_eq!(states(&app, &id).await.1.as_deref(), Some("changes_requested"));
        let mail = app.wait_for_mail("cleo@example.com", "Changes requested").await;
        assert!(mail.text_body.contains("2 corrections") && mail.text_body.contains("Nearly there."), "{}", mail.text_body);

        let page = page_of(&app, &cast.client, &id).await;
        let items = page["history"][0]["items"].as_array().unwrap().clone();
        assert_eq!(items.len(), 2);
        assert_eq!((items[0]["target"].as_str(), items[0]["state"].as_str()), (Some("body"), Some("open")));
        // Resubmitting with open items is refused.
        let fixed = body.replace("tpyo", "typo");
        let response = save(&app, &cast.client, &id, "Corrections", &fixed, "submit").await;
        assert_eq!(response.status(), 409);
        assert!(error_of(response).await.to_string().contains("fixed or answered"));
        // Only the author answers; an answer needs words.
        let first = items[0]["id"].as_str().unwrap();
        let second = items[1]["id"].as_str().unwrap();
        let fix = [("post_id", id.as_str()), ("item_id", first), ("state", "fixed")];
        assert_eq!(fun(&app, &cast.admin, "review/items/respond", &fix).await.0, 403);
        assert_eq!(fun(&app, &cast.client, "review/items/respond", &fix).await.0, 200);
        let blank = [("post_id", id.as_str()), ("item_id", second), ("state", "answered"), ("answer", " ")];
        assert_eq!(fun(&app, &cast.client, "review/items/respond", &blank).await.0, 400);
        let answer = [("post_id", id.as_str()), ("item_id", second), ("state", "answered"), ("answer", "The title is deliberate.")];
        assert_eq!(fun(&app, &cast.client, "review/items/respond", &answer).await.0, 200);

        let response = save(&app, &cast.client, &id, "Corrections", &fixed, "submit").await;
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
        app.wait_for_mail("ana@example.com", "To review").await;

        // The reviewer sees what changed since the last submission, and the answers.
        let page = page_of(&app, &cast.admin, &id).await;
        let diff = page["diff"].as_array().expect("a diff against the previous submission");
        assert_eq!(diff.len(), 1, "only the body changed: {diff:?}");
        assert_eq!(diff[0]["field"], "body");
        let lines: Vec<(String, String)> = diff[0]["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| (l["kind"].as_str().unwrap().to_string(), l["text"].as_str().unwrap().to_string()))
            .collect();
        assert!(lines.contains(&("removed".into(), "Second paragraph has a tpyo.".into())), "{lines:?}");
        assert!(lines.contains(&("added".into(), "Second paragraph has a typo.".into())), "{lines:?}");
        let earlier = &page["history"][1];
        assert_eq!(earlier["status"], "changes_requested");
        assert_eq!(earlier["items"][1]["answer"], "The title is deliberate.");

        assert_eq!(fun(&app, &cast.admin, "review/decide", &[("post_id", &id), ("decision", "approve")]).await.0, 200);
        assert_eq!(public_title(&app, &id).await.as_deref(), Some("Corrections"));
        app.wait_for_mail("cleo@example.com", "Approved and published").await;
        let (events,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM post_events WHERE post_id = $1 AND kind IN ('submitted', 'changes_requested', 'approved', 'published')")
            .bind(&id)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(events, 5, "two submissions, two decisions, one publication");
    }

    async fn withdrawing_does_not_excuse_open_corrections(app: TestApp) {
        let cast = cast(&app).await;
        let id = draft(&app, &cast.client, "Withdrawn", "Some text.").await;
        assert_eq!(save(&app, &cast.client, &id, "Withdrawn", "Some text.", "submit").await.status(), 200);
        let item = [("post_id", id.as_str()), ("target", "title"), ("note", "Say more.")];
        assert_eq!(fun(&app, &cast.admin, "review/items/add", &item).await.0, 200);
        let request = [("post_id", id.as_str()), ("decision", "request_changes")];
        assert_eq!(fun(&app, &cast.admin, "review/decide", &request).await.0, 200);

        assert_eq!(fun(&app, &cast.client, "review/withdraw", &[("post_id", &id)]).await.0, 200);
        assert_eq!(fun(&app, &cast.trainer, "review/withdraw", &[("post_id", &id)]).await.0, 404, "a stranger");
        let (status, error) = fun(&app, &cast.client, "review/submit", &[("post_id", &id)]).await;
        assert_eq!(status, 409, "{error}");
        assert!(error.to_string().contains("fixed or answered"));
        // The corrections stay answerable, and the editor still shows them.
        let page = page_of(&app, &cast.client, &id).await;
        let item_id = page["history"][0]["items"][0]["id"].as_str().unwrap().to_string();
        let (_, editor) = fun(&app, &cast.client, "blog/editor", &[("slug", "withdrawn")]).await;
        assert_eq!(editor["corrections"][0]["id"], item_id.as_str(), "{editor}");
        let fix = [("item_id", item_id.as_str()), ("state", "fixed")];
        let (status, item) = fun(&app, &cast.client, "review/items/respond", &fix).await;
        assert_eq!((status, item["state"].as_str()), (200, Some("fixed")), "{item}");
        assert_eq!(fun(&app, &cast.client, "review/submit", &[("post_id", &id)]).await.0, 200);
        // Once submitted again they are history: no longer answerable.
        let reopen = [("item_id", item_id.as_str()), ("state", "open")];
        assert_eq!(fun(&app, &cast.client, "review/items/respond", &reopen).await.0, 409);
    }

    async fn a_published_post_never_shows_an_unapproved_revision(app: TestApp) {
        let cast = cast(&app).await;
        let id = draft(&app, &cast.client, "Version one", "The approved text.").await;
        assert_eq!(save(&app, &cast.client, &id, "Version one", "The approved text.", "submit").await.status(), 200);
        assert_eq!(fun(&app, &cast.admin, "review/decide", &[("post_id", &id), ("decision", "approve")]).await.0, 200);
        assert_eq!(public_title(&app, &id).await.as_deref(), Some("Version one"));

        // Saving a live post writes a new working revision; readers keep the approved one,
        // at the same address (the new title is not approved).
        let (before,): (String,) = sqlx::query_as("SELECT slug FROM posts WHERE id = $1").bind(&id).fetch_one(app.db.pool()).await.unwrap();
        let response = save(&app, &cast.client, &id, "Version two", "Unreviewed text.", "draft").await;
        assert_eq!(response.status(), 200);
        let (after,): (String,) = sqlx::query_as("SELECT slug FROM posts WHERE id = $1").bind(&id).fetch_one(app.db.pool()).await.unwrap();
        assert_eq!(after, before, "an unapproved title does not rename a live post");
        assert_eq!(states(&app, &id).await, ("published".into(), None));
        assert_eq!(public_title(&app, &id).await.as_deref(), Some("Version one"));
        let slug: (String,) = sqlx::query_as("SELECT slug FROM posts WHERE id = $1").bind(&id).fetch_one(app.db.pool()).await.unwrap();
        let html = app.page(&format!("/blog/{}", slug.0)).await.text().await.unwrap();
        assert!(html.contains("The approved text.") && !html.contains("Unreviewed text."));

        // The RealWorld API's "publish" submits it instead.
        let token = &cast.client_token;
        let update = json!({"article": {"body": "Unreviewed text, again.", "status": "published"}});
        let (status, body) = app.conduit(Method::PUT, &format!("/articles/{}", slug.0), Some(token), Some(update)).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(states(&app, &id).await, ("published".into(), Some("in_review".into())));
        assert_eq!(public_title(&app, &id).await.as_deref(), Some("Version one"));

        // Rejection closes it with a reason; the approved version stays up.
        let reject = [("post_id", id.as_str()), ("decision", "reject"), ("note", "")];
        let (status, error) = fun(&app, &cast.admin, "review/decide", &reject).await;
        assert_eq!(status, 400, "a reason is required: {error}");
        let reject = [("post_id", id.as_str()), ("decision", "reject"), ("note", "Off topic for this blog.")];
        assert_eq!(fun(&app, &cast.admin, "review/decide", &reject).await.0, 200);
        assert_eq!(states(&app, &id).await, ("published".into(), Some("rejected".into())));
        app.wait_for_mail("cleo@example.com", "Not accepted").await;
        assert_eq!(public_title(&app, &id).await.as_deref(), Some("Version one"));
        assert_eq!(fun(&app, &cast.client, "review/submit", &[("post_id", &id)]).await.0, 409, "rejection is final");
    }

    async fn an_approval_for_later_publishes_the_approved_revision_not_later_edits(app: TestApp) {
        let cast = cast(&app).await;
        let id = draft(&app, &cast.client, "Scheduled", "Approved words.").await;
        assert_eq!(save(&app, &cast.client, &id, "Scheduled", "Approved words.", "submit").await.status(), 200);
        let approve = [("post_id", id.as_str()), ("decision", "approve"), ("publish_at", "2001-01-01T00:00")];
        let (status, error) = fun(&app, &cast.admin, "review/decide", &approve).await;
        assert_eq!(status, 400, "{error}");
        assert!(error.to_string().contains("publish_at"));
        let at = (app::server::clock::now_ms() + 3_600_000).to_string();
        let approve = [("post_id", id.as_str()), ("decision", "approve"), ("publish_at", at.as_str())];
        assert_eq!(fun(&app, &cast.admin, "review/decide", &approve).await.0, 200);
        assert_eq!(states(&app, &id).await, ("scheduled".into(), None));
        app.wait_for_mail("cleo@example.com", "Approved:").await;

        // The author edits after approval: a new working revision, not the scheduled one.
        assert_eq!(save(&app, &cast.client, &id, "Scheduled", "Sneaky words.", "draft").await.status(), 200);
        let settings = app::blog::ssr::BlogSettings::default();
        let published =
            app::blog::ssr::scheduler::publish_due(&app.db, &settings, app::server::clock::now_ms() + 7_200_000).await.unwrap();
        assert_eq!(published, 1);
        let (slug,): (String,) = sqlx::query_as("SELECT slug FROM posts WHERE id = $1").bind(&id).fetch_one(app.db.pool()).await.unwrap();
        let html = app.page(&format!("/blog/{slug}")).await.text().await.unwrap();
        assert!(html.contains("Approved words.") && !html.contains("Sneaky words."));
    }

    async fn an_approved_title_renames_the_post_and_a_scheduled_revision_is_pinned(app: TestApp) {
        let cast = cast(&app).await;
        let id = draft(&app, &cast.client, "Old name", "Text.").await;
        assert_eq!(save(&app, &cast.client, &id, "Old name", "Text.", "submit").await.status(), 200);
        assert_eq!(fun(&app, &cast.admin, "review/decide", &[("post_id", &id), ("decision", "approve")]).await.0, 200);
        assert_eq!(save(&app, &cast.client, &id, "New name", "Text, better.", "submit").await.status(), 200);
        assert_eq!(app.page("/blog/old-name").await.status(), 200, "still the approved address");
        assert_eq!(fun(&app, &cast.admin, "review/decide", &[("post_id", &id), ("decision", "approve")]).await.0, 200);
        assert_eq!(app.page("/blog/new-name").await.status(), 200);
        assert_eq!(app.page("/blog/old-name").await.status(), 301);

        // An administrator schedules a client's draft directly: the client's later edit
        // is not what goes out at that time.
        let other = draft(&app, &cast.client, "Admin scheduled", "Reviewed by the admin.").await;
        let at = (app::server::clock::now_ms() + 3_600_000).to_string();
        let form = [("id", other.as_str()), ("title", "Admin scheduled"), ("body", "Reviewed by the admin."), ("intent", "schedule"), ("publish_at", at.as_str())];
        let response = call_with(&cast.admin, &app.address, "blog/save", &form).await;
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
        assert_eq!(save(&app, &cast.client, &other, "Admin scheduled", "Sneaky edit.", "draft").await.status(), 200);
        // A trainer's own later edit does go out with the schedule.
        let mine = draft(&app, &cast.trainer, "Trainer scheduled", "First words.").await;
        let form = [("id", mine.as_str()), ("title", "Trainer scheduled"), ("body", "First words."), ("intent", "schedule"), ("publish_at", at.as_str())];
        assert_eq!(call_with(&cast.trainer, &app.address, "blog/save", &form).await.status(), 200);
        assert_eq!(save(&app, &cast.trainer, &mine, "Trainer scheduled", "Final words.", "draft").await.status(), 200);
        let settings = app::blog::ssr::BlogSettings::default();
        let due = app::server::clock::now_ms() + 7_200_000;
        assert_eq!(app::blog::ssr::scheduler::publish_due(&app.db, &settings, due).await.unwrap(), 2);
        let html = app.page("/blog/admin-scheduled").await.text().await.unwrap();
        assert!(html.contains("Reviewed by the admin.") && !html.contains("Sneaky edit."));
        let html = app.page("/blog/trainer-scheduled").await.text().await.unwrap();
        assert!(html.contains("Final words."));
    }

    async fn trainers_publish_directly_and_the_setting_can_review_them_too(app: TestApp) {
        let cast = cast(&app).await;
        let id = draft(&app, &cast.trainer, "Trainer post", "Text.").await;
        assert_eq!(save(&app, &cast.trainer, &id, "Trainer post", "Text.", "publish").await.status(), 200);
        assert_eq!(public_title(&app, &id).await.as_deref(), Some("Trainer post"));
        // Only administrators change the setting.
        assert_eq!(fun(&app, &cast.trainer, "review/settings/save", &[("review_trainer", "on")]).await.0, 403);
        assert_eq!(fun(&app, &cast.admin, "review/settings/save", &[("review_trainer", "on")]).await.0, 200);
        let (_, settings) = fun(&app, &cast.admin, "review/settings", &[]).await;
        assert_eq!(settings, json!({"required": ["trainer"], "reviewers": []}));
        let other = draft(&app, &cast.trainer, "Second trainer post", "Text.").await;
        assert_eq!(save(&app, &cast.trainer, &other, "Second trainer post", "Text.", "publish").await.status(), 409);
        // Clients now publish directly.
        let mine = draft(&app, &cast.client, "Client post", "Text.").await;
        assert_eq!(save(&app, &cast.client, &mine, "Client post", "Text.", "publish").await.status(), 200);
    }

    async fn a_realworld_client_article_waits_for_review(app: TestApp) {
        let token = app.author("cleo", "client").await;
        app.author("ana", "admin").await;
        let article = json!({"article": {"title": "Via the API", "description": "d", "body": "Body.", "tagList": []}});
        let (status, body) = app.conduit(Method::POST, "/articles", Some(&token), Some(article)).await;
        assert_eq!(status, 201, "{body}");
        let slug = body["article"]["slug"].as_str().unwrap();
        let (status, _) = app.conduit(Method::GET, &format!("/articles/{slug}"), None, None).await;
        assert_eq!(status, 404, "not public before approval");
        let (status, list) = app.conduit(Method::GET, "/articles", None, None).await;
        assert_eq!((status, list["articlesCount"].as_i64()), (200, Some(0)));
        app.wait_for_mail("ana@example.com", "To review").await;
    }
}
