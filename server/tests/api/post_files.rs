//! Covers, attachments and images in posts: the editor's file form (hydrated and without
//! JavaScript), what readers and link previews get, who may use which upload, files in
//! use refused deletion and cleaned up with their post, review items and diffs that
//! point at files; and the account page's picture form.

use app::uploads::ssr::fixtures::jpeg;
use base64::Engine as _;
use reqwest::multipart::{Form, Part};
use serde_json::Value;

use crate::helpers::{api_client, call_with, error_of, session_for, TestApp};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

fn file_part(name: &str, bytes: Vec<u8>) -> Part {
    Part::bytes(bytes).file_name(name.to_string())
}

/// The hydrated editor's upload: one file for `action` (cover, attachment, image).
async fn send_file(
    app: &TestApp,
    who: &reqwest::Client,
    action: &str,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let form =
        Form::new().text("file_action", action.to_string()).part(format!("{action}_file"), file_part(name, bytes));
    who.post(app.url("/fn/blog/files")).header("accept", "application/json").multipart(form).send().await.unwrap()
}

async fn uploaded(app: &TestApp, who: &reqwest::Client, action: &str, name: &str, bytes: Vec<u8>) -> Value {
    let response = send_file(app, who, action, name, bytes).await;
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 200, "{body}");
    body
}

/// Saves the editor form with files; the response.
async fn save(
    app: &TestApp,
    who: &reqwest::Client,
    id: &str,
    body: &str,
    cover: &str,
    attachments: &str,
    intent: &str,
) -> reqwest::Response {
    let form = [
        ("id", id),
        ("title", "Field notes"),
        ("body", body),
        ("tags", "notes"),
        ("intent", intent),
        ("cover", cover),
        ("attachments", attachments),
    ];
    call_with(who, &app.address, "blog/save", &form).await
}

async fn post_of_slug(app: &TestApp, slug: &str) -> String {
    let (id,): (String,) = sqlx::query_as("SELECT post_id FROM post_slugs WHERE slug = $1")
        .bind(slug)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    id
}

async fn saved_slug(response: reqwest::Response) -> String {
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, 200, "{text}");
    serde_json::from_str(&text).unwrap()
}

async fn upload_ids(app: &TestApp, username: &str) -> Vec<String> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT u.id FROM uploads u JOIN users o ON o.id = u.owner_id WHERE o.username = $1 ORDER BY u.id",
    )
    .bind(username)
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    rows.into_iter().map(|(id,)| id).collect()
}

/// The first message for `field` of a refused server function call.
async fn field_error(response: reqwest::Response, field: &str) -> String {
    assert_eq!(response.status(), 400);
    let error = error_of(response).await;
    error["Invalid"]["fields"][field][0].as_str().unwrap_or_else(|| panic!("a {field} error: {error}")).to_string()
}

fn str_of(value: &Value) -> String {
    value.as_str().unwrap_or_else(|| panic!("a string: {value}")).to_string()
}

/// The no-JavaScript editor form: every field, three file inputs and the pressed button.
fn whole_form(id: &str, body: &str, cover: &str, attachments: &str, action: &str) -> Form {
    Form::new()
        .text("id", id.to_string())
        .text("title", "Field notes")
        .text("description", "")
        .text("tags", "notes")
        .text("body", body.to_string())
        .text("cover", cover.to_string())
        .text("attachments", attachments.to_string())
        .part("cover_file", file_part("", Vec::new()))
        .part("attachment_file", file_part("", Vec::new()))
        .part("image_file", file_part("", Vec::new()))
        .text("file_action", action.to_string())
}

/// Posts `form` as a browser without JavaScript does (HTML accepted, the editor as
/// referrer); the `Location` it is sent to.
async fn post_form(app: &TestApp, who: &reqwest::Client, form: Form) -> String {
    let response = who
        .post(app.url("/fn/blog/files"))
        .header("accept", "text/html")
        .header("referer", app.url("/blog/new"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 302, "{}", response.text().await.unwrap_or_default());
    response.headers()["location"].to_str().unwrap().to_string()
}

engine_tests! {
    async fn a_post_shows_its_cover_with_every_width_its_attachments_and_its_card_as_link_preview(app: TestApp) {
        app.writer("wren").await;
        let wren = session_for(&app, "wren").await;
        let cover = uploaded(&app, &wren, "cover", "dunes.jpg", jpeg(1600, 900)).await;
        assert_eq!(cover["kind"], "cover");
        let attachment = uploaded(&app, &wren, "attachment", "Route map.pdf", PDF.to_vec()).await;
        let image = uploaded(&app, &wren, "image", "camp.jpg", jpeg(800, 600)).await;
        let body = format!("The trip.\n\n![camp]({})\n", str_of(&image["url"]));
        let slug = saved_slug(save(&app, &wren, "", &body, &str_of(&cover["id"]), &str_of(&attachment["id"]), "publish").await).await;
        let html = app.page(&format!("/blog/{slug}")).await.text().await.unwrap();
        for rendition in cover["renditions"].as_array().unwrap() {
            let entry = format!("{} {}w", str_of(&rendition["url"]), rendition["width"]);
            assert!(html.contains(&entry), "the srcset lists {entry}");
        }
        assert!(html.contains("class=\"post__cover\""), "the cover heads the post");
        let card_url = str_of(&cover["card_url"]);
        let og = html.split("property=\"og:image\" content=\"").nth(1).and_then(|rest| rest.split('"').next()).unwrap();
        assert!(og.starts_with("http") && og.ends_with(&card_url), "the link preview is the cover's card: {og}");
        assert!(html.contains(&format!("href=\"{}\" download>Route map.pdf</a>", str_of(&attachment["url"]))), "attachment listed");
        assert!(html.contains("PDF · 1 KB"), "with its type and size");
        // The editor gets the files back to show them.
        let editor: Value = call_with(&wren, &app.address, "blog/editor", &[("slug", &slug)]).await.json().await.unwrap();
        assert_eq!(editor["cover"]["id"], cover["id"]);
        assert_eq!(editor["attachments"][0]["name"], "Route map.pdf");
        // The text's image counts as used too.
        let used: Vec<(String,)> = sqlx::query_as("SELECT role FROM revision_files ORDER BY role")
            .fetch_all(app.db.pool()).await.unwrap();
        assert_eq!(used, vec![("attachment".to_string(),), ("cover".to_string(),), ("image".to_string(),)]);
    }

    async fn files_in_use_cannot_be_deleted_and_go_with_their_post(app: TestApp) {
        let token = app.writer("wren").await;
        let wren = session_for(&app, "wren").await;
        let cover = uploaded(&app, &wren, "cover", "dunes.jpg", jpeg(900, 600)).await;
        let attachment = uploaded(&app, &wren, "attachment", "map.pdf", PDF.to_vec()).await;
        let image = uploaded(&app, &wren, "image", "camp.jpg", jpeg(640, 480)).await;
        let spare = uploaded(&app, &wren, "attachment", "spare.pdf", b"%PDF-1.4\nspare\n%%EOF\n".to_vec()).await;
        let body = format!("![camp]({})", str_of(&image["url"]));
        let slug = saved_slug(save(&app, &wren, "", &body, &str_of(&cover["id"]), &str_of(&attachment["id"]), "publish").await).await;
        for used in [&cover, &attachment, &image] {
            let response = api_client()
                .delete(app.url(&format!("/api/uploads/{}", str_of(&used["id"]))))
                .header("authorization", format!("Token {token}"))
                .send().await.unwrap();
            assert_eq!(response.status(), 409, "{used}");
            assert!(error_of(response).await["message"].as_str().unwrap().contains("used by a post"));
        }
        let id = post_of_slug(&app, &slug).await;
        let response = call_with(&wren, &app.address, "blog/delete", &[("id", &id), ("confirm", "true")]).await;
        assert!(response.status().is_success() || response.status().is_redirection(), "{}", response.status());
        assert_eq!(upload_ids(&app, "wren").await, vec![str_of(&spare["id"])], "only the unused upload is left");
        for gone in [&cover["url"], &attachment["url"], &image["url"]] {
            assert_eq!(app.page(&str_of(gone)).await.status(), 404, "{gone} removed from storage");
        }
    }

    async fn a_writer_cannot_use_someone_elses_upload_or_the_wrong_kind(app: TestApp) {
        app.writer("wren").await;
        app.writer("mallory").await;
        let wren = session_for(&app, "wren").await;
        let mallory = session_for(&app, "mallory").await;
        let theirs = uploaded(&app, &wren, "cover", "dunes.jpg", jpeg(900, 600)).await;
        let mine = uploaded(&app, &mallory, "attachment", "x.pdf", PDF.to_vec()).await;
        let response = save(&app, &mallory, "", "Text.", &str_of(&theirs["id"]), "", "draft").await;
        assert_eq!(response.status(), 400);
        let error = error_of(response).await;
        assert_eq!(error["Invalid"]["fields"]["cover"][0], "is not one of your cover images; upload it again");
        assert_eq!(error["Invalid"]["values"]["body"], "Text.", "the typed text comes back");
        let response = save(&app, &mallory, "", "Text.", &str_of(&mine["id"]), "", "draft").await;
        assert_eq!(field_error(response, "cover").await, "is not one of your cover images; upload it again");
        let response = save(&app, &mallory, "", "Text.", "", &format!("{},nonsense", str_of(&mine["id"])), "draft").await;
        assert_eq!(field_error(response, "attachments").await, "include a file that is not one of your attachments; upload it again");
        let mut eleven = Vec::new();
        for n in 0..11 {
            let pdf = format!("%PDF-1.4\nfile {n}\n%%EOF\n").into_bytes();
            eleven.push(str_of(&uploaded(&app, &mallory, "attachment", &format!("{n}.pdf"), pdf).await["id"]));
        }
        let response = save(&app, &mallory, "", "Text.", "", &eleven.join(","), "draft").await;
        assert_eq!(field_error(response, "attachments").await, "may be at most 10 files");
        assert!(upload_ids(&app, "wren").await.contains(&str_of(&theirs["id"])), "nothing was taken");
    }

    async fn without_javascript_a_file_button_saves_the_whole_form_with_the_file(app: TestApp) {
        app.writer("wren").await;
        let wren = session_for(&app, "wren").await;
        // A new post: the attachment button saves it as a draft with the file.
        let form = whole_form("", "Typed before uploading.", "", "", "attachment")
            .part("attachment_file", file_part("notes.txt", b"plain notes\n".to_vec()));
        let location = post_form(&app, &wren, form).await;
        assert!(location.starts_with("/blog/field-notes/edit?saved=draft"), "{location}");
        let id = post_of_slug(&app, "field-notes").await;
        let editor: Value = call_with(&wren, &app.address, "blog/editor", &[("slug", "field-notes")]).await.json().await.unwrap();
        assert_eq!(editor["body"], "Typed before uploading.");
        let first = str_of(&editor["attachments"][0]["id"]);
        assert_eq!(editor["attachments"][0]["name"], "notes.txt");
        // An image goes to the end of the text; a cover is set.
        let form = whole_form(&id, "Edited text.", "", &first, "image").part("image_file", file_part("camp.png", jpeg(300, 200)));
        post_form(&app, &wren, form).await;
        let editor: Value = call_with(&wren, &app.address, "blog/editor", &[("slug", "field-notes")]).await.json().await.unwrap();
        let body = str_of(&editor["body"]);
        assert!(body.starts_with("Edited text.\n\n![camp](/files/"), "{body}");
        let form = whole_form(&id, &body, "", &first, "cover").part("cover_file", file_part("c.jpg", jpeg(900, 600)));
        post_form(&app, &wren, form).await;
        let editor: Value = call_with(&wren, &app.address, "blog/editor", &[("slug", "field-notes")]).await.json().await.unwrap();
        assert_eq!(editor["body"], body.as_str(), "the text is kept");
        assert!(editor["cover"]["id"].is_string());
        // Removing the attachment from a draft deletes it: nothing else uses it.
        let body = str_of(&editor["body"]);
        let form = whole_form(&id, &body, &str_of(&editor["cover"]["id"]), &first, &format!("remove_attachment:{first}"));
        post_form(&app, &wren, form).await;
        assert!(!upload_ids(&app, "wren").await.contains(&first), "the removed draft attachment is gone");
        let form = whole_form(&id, &body, &str_of(&editor["cover"]["id"]), "", "remove_cover");
        post_form(&app, &wren, form).await;
        let editor: Value = call_with(&wren, &app.address, "blog/editor", &[("slug", "field-notes")]).await.json().await.unwrap();
        assert!(editor["cover"].is_null() && editor["attachments"].as_array().unwrap().is_empty(), "{editor}");
        assert_eq!(upload_ids(&app, "wren").await.len(), 1, "only the text's image is left");
    }

    async fn a_refused_file_sends_the_form_back_with_the_reason_and_the_typed_text(app: TestApp) {
        app.writer("wren").await;
        let wren = session_for(&app, "wren").await;
        let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec();
        let form = whole_form("", "Do not lose me.", "", "", "cover").part("cover_file", file_part("c.png", svg));
        let location = post_form(&app, &wren, form).await;
        let url = reqwest::Url::parse(&location).unwrap();
        let query: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(query["__path"], "/fn/blog/files");
        let error = base64::engine::general_purpose::URL_SAFE.decode(&query["__err"]).unwrap();
        let error = String::from_utf8(error).unwrap();
        assert!(error.contains("Do not lose me."), "the typed text comes back: {error}");
        assert!(error.contains("SVG"), "the reason names the type: {error}");
        assert!(upload_ids(&app, "wren").await.is_empty());
        // No file chosen: the button says so.
        let location = post_form(&app, &wren, whole_form("", "Text.", "", "", "attachment")).await;
        assert!(location.contains("__err="), "{location}");
        // The hydrated editor gets the same as JSON.
        let response = send_file(&app, &wren, "attachment", "x.exe", b"MZ\x90\x00binary".to_vec()).await;
        assert_eq!(response.status(), 400);
        assert!(!field_error(response, "file").await.is_empty());
        // Only multipart reaches the form; anything else is refused before it.
        let response = call_with(&wren, &app.address, "blog/files", &[("file_action", "cover")]).await;
        assert_eq!(response.status(), 415);
        let response = send_file(&app, &wren, "nonsense", "x.pdf", PDF.to_vec()).await;
        assert_eq!(field_error(response, "file_action").await, "must be cover, attachment, image, remove_cover or remove_attachment:<id>");
        let anonymous = crate::helpers::new_client();
        assert_eq!(send_file(&app, &anonymous, "cover", "c.jpg", jpeg(10, 10)).await.status(), 401);
    }

    async fn a_reviewer_points_at_the_cover_and_an_attachment_and_sees_which_files_changed(app: TestApp) {
        app.author("cleo", "client").await;
        app.author("ana", "admin").await;
        let cleo = session_for(&app, "cleo").await;
        let ana = session_for(&app, "ana").await;
        let cover = uploaded(&app, &cleo, "cover", "dunes.jpg", jpeg(900, 600)).await;
        let plan = uploaded(&app, &cleo, "attachment", "plan.pdf", PDF.to_vec()).await;
        let (cover_id, plan_id) = (str_of(&cover["id"]), str_of(&plan["id"]));
        let slug = saved_slug(save(&app, &cleo, "", "The plan.", &cover_id, &plan_id, "submit").await).await;
        let id = post_of_slug(&app, &slug).await;
        let review = |form: Vec<(&'static str, String)>| {
            let ana = ana.clone();
            let address = app.address.clone();
            async move {
                let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
                call_with(&ana, &address, "review/items/add", &form).await
            }
        };
        let wrong = review(vec![("post_id", id.clone()), ("target", "attachment".into()), ("file", cover_id.clone()), ("note", "?".into())]).await;
        assert_eq!(field_error(wrong, "file").await, "must be one of the submitted version's attachments");
        let ok = review(vec![("post_id", id.clone()), ("target", "attachment".into()), ("file", plan_id.clone()), ("note", "Page 2 is out of date.".into())]).await;
        assert_eq!(ok.status(), 200);
        let ok = review(vec![("post_id", id.clone()), ("target", "cover".into()), ("note", "Too dark.".into())]).await;
        assert_eq!(ok.status(), 200);
        let page: Value = call_with(&ana, &app.address, "review/page", &[("post_id", &id)]).await.json().await.unwrap();
        assert!(page["revision"]["cover_html"].as_str().unwrap().contains("srcset"), "the reviewer sees the cover");
        assert!(page["revision"]["attachments_html"].as_str().unwrap().contains("plan.pdf"));
        let items = page["history"][0]["items"].as_array().unwrap();
        assert_eq!((items[0]["target"].as_str(), items[0]["quote"].as_str()), (Some("attachment"), Some("plan.pdf")));
        assert_eq!(items[1]["target"], "cover");
        let decide = [("post_id", id.as_str()), ("decision", "request_changes"), ("note", "Two things.")];
        assert_eq!(call_with(&ana, &app.address, "review/decide", &decide).await.status(), 200);

        // The author replaces the file; the submitted one stays for the review's history.
        let plan2 = uploaded(&app, &cleo, "attachment", "plan.pdf", b"%PDF-1.4\nnew plan\n%%EOF\n".to_vec()).await;
        assert_eq!(saved_slug(save(&app, &cleo, &id, "The plan.", &cover_id, &str_of(&plan2["id"]), "draft").await).await, slug);
        assert!(upload_ids(&app, "cleo").await.contains(&plan_id), "the reviewed file is kept");
        for item in items {
            let answer = [("item_id", str_of(&item["id"])), ("state", "fixed".to_string())];
            let answer: Vec<(&str, &str)> = answer.iter().map(|(k, v)| (*k, v.as_str())).collect();
            assert_eq!(call_with(&cleo, &app.address, "review/items/respond", &answer).await.status(), 200);
        }
        assert_eq!(saved_slug(save(&app, &cleo, &id, "The plan.", &cover_id, &str_of(&plan2["id"]), "submit").await).await, slug);
        let page: Value = call_with(&ana, &app.address, "review/page", &[("post_id", &id)]).await.json().await.unwrap();
        let diff = page["diff"].as_array().unwrap();
        assert_eq!(diff.len(), 1, "only the attachments changed: {diff:?}");
        assert_eq!(diff[0]["field"], "attachment");
        let lines: Vec<(&str, &str)> = diff[0]["lines"].as_array().unwrap().iter()
            .map(|l| (l["kind"].as_str().unwrap(), l["text"].as_str().unwrap())).collect();
        assert_eq!(lines, vec![("removed", "plan.pdf (1 KB)"), ("added", "plan.pdf (1 KB)")]);
        assert_eq!(call_with(&ana, &app.address, "review/decide", &[("post_id", id.as_str()), ("decision", "approve")]).await.status(), 200);
        let html = app.page(&format!("/blog/{slug}")).await.text().await.unwrap();
        assert!(html.contains(&str_of(&plan2["url"])) && !html.contains(&str_of(&plan["url"])), "readers get the corrected file");
        assert!(html.contains(&str_of(&cover["card_url"])), "and the cover as the link preview");
    }

    async fn the_account_picture_form_sets_the_avatar_without_javascript_and_explains_a_refusal(app: TestApp) {
        app.writer("wren").await;
        let wren = session_for(&app, "wren").await;
        let post = |part: Part| {
            let wren = wren.clone();
            let url = app.url("/fn/accounts/avatar");
            let referer = app.url("/account");
            async move {
                let form = Form::new().part("avatar_file", part);
                let response = wren.post(url).header("accept", "text/html").header("referer", referer)
                    .multipart(form).send().await.unwrap();
                assert_eq!(response.status(), 302);
                response.headers()["location"].to_str().unwrap().to_string()
            }
        };
        assert_eq!(post(file_part("me.jpg", jpeg(400, 300))).await, "/account?picture=updated#picture-title");
        let me = crate::helpers::current_user_with(&wren, &app.address).await;
        let picture = str_of(&me["avatar_url"]);
        assert!(picture.starts_with("/files/"), "{picture}");
        let html = wren.get(app.url("/account")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains(&format!("src=\"{picture}\"")), "the account page shows it");
        let refused = post(file_part("me.pdf", PDF.to_vec())).await;
        assert!(refused.contains("__path=%2Ffn%2Faccounts%2Favatar") && refused.contains("__err="), "{refused}");
        assert!(post(file_part("", Vec::new())).await.contains("__err="), "no file chosen");
        assert_eq!(str_of(&crate::helpers::current_user_with(&wren, &app.address).await["avatar_url"]), picture, "unchanged");
        let response = call_with(&wren, &app.address, "accounts/avatar", &[("avatar_file", "x")]).await;
        assert_eq!(response.status(), 415, "only multipart reaches it");
    }
}
