use app::uploads::ssr::fixtures::{jpeg, photo, png_claiming, with_exif};
use serde_json::Value;

use crate::helpers::{api_client, current_user_as, error_of, TestApp};

impl TestApp {
    /// POSTs `bytes` to `/api/uploads?{query}` as `token`'s user.
    async fn upload(&self, token: &str, query: &str, bytes: Vec<u8>) -> reqwest::Response {
        api_client()
            .post(self.url(&format!("/api/uploads?{query}")))
            .header("authorization", format!("Token {token}"))
            .header("content-type", "application/octet-stream")
            .body(bytes)
            .send()
            .await
            .expect("request is sent")
    }

    async fn uploaded(&self, token: &str, query: &str, bytes: Vec<u8>) -> Value {
        let response = self.upload(token, query, bytes).await;
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        assert_eq!(status, 201, "{body}");
        body
    }

    async fn uploader(&self, username: &str) -> String {
        self.create_active_user(username, &format!("{username}@example.com"), crate::helpers::STRONG_PASSWORD).await;
        self.api_token(username).await
    }

    /// `GET /api/uploads` as `token`'s user.
    async fn my_uploads(&self, token: &str) -> Value {
        let response =
            api_client().get(self.url("/api/uploads")).header("authorization", format!("Token {token}")).send().await;
        response.expect("request is sent").json().await.unwrap()
    }

    async fn delete_upload(&self, token: &str, id: &Value) -> u16 {
        let url = self.url(&format!("/api/uploads/{}", id.as_str().unwrap()));
        let response = api_client().delete(url).header("authorization", format!("Token {token}")).send().await;
        response.expect("request is sent").status().as_u16()
    }

    /// The picture the signed-in user's profile shows.
    async fn picture(&self, token: &str) -> Value {
        current_user_as(self, &format!("Token {token}")).await["avatar_url"].clone()
    }

    async fn fetch(&self, url: &str) -> reqwest::Response {
        api_client().get(self.url(url)).send().await.expect("request is sent")
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The message the API gives for the `file` field.
async fn file_error(response: reqwest::Response) -> String {
    assert_eq!(response.status(), 400);
    let body = error_of(response).await;
    body["fields"]["file"][0].as_str().unwrap_or_else(|| panic!("a file error: {body}")).to_string()
}

engine_tests! {
    async fn a_cover_photo_is_turned_upright_stripped_and_served_at_every_width(app: TestApp) {
        let token = app.uploader("painter").await;
        // A 2000×1000 photo whose camera was turned (EXIF orientation 6): upright it is
        // 1000×2000.
        let upload = app.uploaded(&token, "kind=cover&name=holiday.jpg", with_exif(&jpeg(2000, 1000), 6)).await;
        assert_eq!(upload["kind"], "cover");
        assert_eq!((upload["width"].as_u64(), upload["height"].as_u64()), (Some(1000), Some(2000)));
        let widths: Vec<u64> = upload["renditions"].as_array().unwrap().iter().map(|r| r["width"].as_u64().unwrap()).collect();
        assert_eq!(widths, vec![320, 640, 1000]);
        assert_eq!(upload["url"], upload["renditions"][2]["url"]);
        for rendition in upload["renditions"].as_array().unwrap() {
            let response = app.fetch(rendition["url"].as_str().unwrap()).await;
            assert_eq!(response.status(), 200);
            let headers = response.headers().clone();
            assert_eq!(headers["content-type"], "image/jpeg");
            assert_eq!(headers["cache-control"], "public, max-age=31536000, immutable");
            assert_eq!(headers["x-content-type-options"], "nosniff");
            assert!(headers.get("content-disposition").is_none(), "images are shown inline");
            let bytes = response.bytes().await.unwrap();
            assert!(!contains(&bytes, b"Exif") && !contains(&bytes, b"SecretCam"), "EXIF removed");
            let image = image::load_from_memory(&bytes).unwrap();
            assert_eq!(u64::from(image.width()), rendition["width"].as_u64().unwrap());
            assert_eq!(u64::from(image.height()), rendition["height"].as_u64().unwrap());
        }
        let card = app.fetch(upload["card_url"].as_str().unwrap()).await.bytes().await.unwrap();
        let card = image::load_from_memory(&card).unwrap();
        assert_eq!((card.width(), card.height()), (1200, 630));
    }

    async fn an_attachment_is_kept_as_sent_and_always_downloaded(app: TestApp) {
        let token = app.uploader("writer").await;
        let pdf = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n".to_vec();
        let upload = app.uploaded(&token, "kind=attachment&name=Report%20final.pdf", pdf.clone()).await;
        assert_eq!(upload["name"], "Report final.pdf");
        assert_eq!(upload["content_type"], "application/pdf");
        assert!(upload["url"].as_str().unwrap().ends_with("/Report%20final.pdf"), "{upload}");
        let response = app.fetch(upload["url"].as_str().unwrap()).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "application/pdf");
        assert_eq!(
            response.headers()["content-disposition"],
            "attachment; filename=\"Report final.pdf\"; filename*=UTF-8''Report%20final.pdf"
        );
        assert_eq!(response.bytes().await.unwrap().as_ref(), pdf.as_slice());
        // Even without a name in the address, a PDF is never shown inline.
        let bare = upload["url"].as_str().unwrap().rsplit_once('/').unwrap().0.to_string();
        assert!(app.fetch(&bare).await.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    }

    async fn hostile_and_wrong_files_are_refused_with_the_reason(app: TestApp) {
        let token = app.uploader("mallory").await;
        let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec();
        assert_eq!(
            file_error(app.upload(&token, "kind=image&name=cat.png", svg.clone()).await).await,
            "SVG, HTML and other markup files are not accepted"
        );
        assert_eq!(
            file_error(app.upload(&token, "kind=attachment&name=cat.txt", svg).await).await,
            "SVG, HTML and other markup files are not accepted"
        );
        let whole = jpeg(400, 300);
        assert_eq!(
            file_error(app.upload(&token, "kind=image", whole[..whole.len() / 2].to_vec()).await).await,
            "the image is damaged or incomplete and cannot be read"
        );
        assert_eq!(
            file_error(app.upload(&token, "kind=cover", png_claiming(60_000, 60_000)).await).await,
            "the image is 60000×60000 pixels; the limit is 12000 pixels a side and 50 megapixels"
        );
        assert_eq!(
            file_error(app.upload(&token, "kind=avatar", b"%PDF-1.4 not a picture".to_vec()).await).await,
            "is a PDF document; an avatar must be a JPEG, PNG, WebP or GIF image"
        );
        assert_eq!(
            file_error(app.upload(&token, "kind=attachment&name=photo.jpg", b"%PDF-1.4\n".to_vec()).await).await,
            "the name ends in .jpg but the file is a PDF document"
        );
        assert_eq!(
            file_error(app.upload(&token, "kind=attachment", b"MZ\x90\0\x03 an executable".to_vec()).await).await,
            "this kind of file is not accepted (images: JPEG, PNG, WebP, GIF; files: PDF, text, ZIP, gzip)"
        );
        assert_eq!(file_error(app.upload(&token, "kind=image", Vec::new()).await).await, "the file is empty");
        // A polyglot (a JPEG with a page appended) is stored as a fresh JPEG only.
        let mut polyglot = jpeg(200, 100);
        polyglot.extend_from_slice(b"<html><script>alert(document.cookie)</script></html>");
        let upload = app.uploaded(&token, "kind=image", polyglot).await;
        let stored = app.fetch(upload["url"].as_str().unwrap()).await.bytes().await.unwrap();
        assert!(!contains(&stored, b"<script>"));
        // Bad parameters are named.
        let response = app.upload(&token, "kind=poster", jpeg(10, 10)).await;
        assert_eq!(response.status(), 400);
        assert_eq!(error_of(response).await["fields"]["kind"][0], "must be image, cover, attachment or avatar");
        let response = app.upload(&token, "", jpeg(10, 10)).await;
        assert_eq!(error_of(response).await["fields"]["kind"][0], "is required: image, cover, attachment or avatar");
        let long = format!("kind=attachment&name={}.txt", "a".repeat(300));
        let response = app.upload(&token, &long, b"notes".to_vec()).await;
        assert_eq!(error_of(response).await["fields"]["name"][0], "must be at most 200 characters");
        // Nothing of all that was stored.
        let list = app.my_uploads(&token).await;
        assert_eq!(list["quota"]["files"], 1, "{list}");
    }

    async fn an_avatar_becomes_the_picture_and_replaces_the_last_one(app: TestApp) {
        let token = app.uploader("face").await;
        let first = app.uploaded(&token, "kind=avatar", photo(400, 300)).await;
        assert_eq!(app.picture(&token).await, first["renditions"][1]["url"], "the 128-pixel square");
        let second = app.uploaded(&token, "kind=avatar", photo(500, 500)).await;
        assert_eq!(app.picture(&token).await, second["renditions"][1]["url"]);
        // The replaced picture is deleted, and its files with it.
        for rendition in first["renditions"].as_array().unwrap() {
            assert_eq!(app.fetch(rendition["url"].as_str().unwrap()).await.status(), 404);
        }
        let list = app.my_uploads(&token).await;
        assert_eq!(list["uploads"].as_array().unwrap().len(), 1, "{list}");
        // Deleting the picture in use leaves none.
        assert_eq!(app.delete_upload(&token, &second["id"]).await, 204);
        assert_eq!(app.picture(&token).await, Value::Null);
    }

    async fn uploads_need_credentials(app: TestApp) {
        let response = api_client().post(app.url("/api/uploads?kind=image")).body(jpeg(10, 10)).send().await.unwrap();
        assert_eq!(response.status(), 401);
        assert_eq!(app.fetch("/files/not-a-key.jpg").await.status(), 404);
        let missing = format!("/files/{}.jpg", "0".repeat(64));
        assert_eq!(app.fetch(&missing).await.status(), 404);
    }

    async fn a_stored_file_goes_when_nothing_uses_it_any_more(app: TestApp) {
        let ann = app.uploader("ann").await;
        let bob = app.uploader("bob").await;
        let bytes = b"The same notes, uploaded twice.\n".to_vec();
        let first = app.uploaded(&ann, "kind=attachment&name=notes.txt", bytes.clone()).await;
        let second = app.uploaded(&bob, "kind=attachment&name=mine.txt", bytes).await;
        let url = first["url"].as_str().unwrap().to_string();
        // Nobody deletes someone else's upload.
        assert_eq!(app.delete_upload(&bob, &first["id"]).await, 404);
        assert_eq!(app.delete_upload(&ann, &first["id"]).await, 204);
        assert_eq!(app.fetch(&url).await.status(), 200, "bob's upload still uses the file");
        assert_eq!(app.delete_upload(&bob, &second["id"]).await, 204);
        assert_eq!(app.fetch(&url).await.status(), 404, "nothing uses it any more");
        assert_eq!(app.delete_upload(&bob, &second["id"]).await, 404);
    }
}

#[tokio::test]
async fn files_over_the_limit_are_refused_with_413() {
    let app = TestApp::spawn_with(crate::helpers::Engine::Sqlite, &[("UPLOAD_MAX_MB", "1")]).await;
    let token = app.uploader("big").await;
    let response = app.upload(&token, "kind=attachment&name=big.txt", vec![b'a'; 2 * 1024 * 1024]).await;
    assert_eq!(response.status(), 413);
    let body = error_of(response).await;
    assert_eq!(body["message"], "The file is over the 1 MB limit.");
    assert_eq!(body["fields"]["file"][0], "must be at most 1 MB");
    // Just under the limit (less than 1 MB of bytes) is fine.
    app.uploaded(&token, "kind=attachment&name=ok.txt", vec![b'a'; 1024 * 1024 - 1]).await;
}

#[tokio::test]
async fn the_quota_counts_files_and_bytes() {
    let app = TestApp::spawn_with(crate::helpers::Engine::Sqlite, &[("UPLOAD_QUOTA_FILES", "2")]).await;
    let token = app.uploader("hoarder").await;
    app.uploaded(&token, "kind=attachment&name=a.txt", b"one".to_vec()).await;
    app.uploaded(&token, "kind=image", photo(300, 200)).await;
    assert_eq!(
        file_error(app.upload(&token, "kind=attachment&name=c.txt", b"three".to_vec()).await).await,
        "would be one file too many: you keep 2 files, the limit; delete some first"
    );
    let list = app.my_uploads(&token).await;
    assert_eq!(list["uploads"].as_array().unwrap().len(), 2);
    assert_eq!(list["uploads"][0]["kind"], "image", "newest first");
    assert_eq!(list["quota"]["files"], 2);
    assert_eq!(list["quota"]["max_files"], 2);
    let used = list["uploads"].as_array().unwrap().iter().map(|u| u["size_bytes"].as_i64().unwrap()).sum::<i64>();
    assert_eq!(list["quota"]["used_bytes"], used);
}

/// The same uploads against an S3-compatible server (`scripts/s3.sh`), as when several
/// processes share files; `REQUIRE_S3=1` makes a missing server a failure.
#[tokio::test]
async fn uploads_live_in_an_s3_bucket_when_configured() {
    let Ok(endpoint) = std::env::var("TEST_S3_ENDPOINT") else {
        assert_ne!(std::env::var("REQUIRE_S3").as_deref(), Ok("1"), "REQUIRE_S3=1 but TEST_S3_ENDPOINT is not set");
        eprintln!("SKIPPED: no S3-compatible server (set TEST_S3_ENDPOINT, e.g. with scripts/s3.sh)");
        return;
    };
    let bucket = std::env::var("TEST_S3_BUCKET").unwrap_or_else(|_| "commonplace-test".into());
    let prefix = format!("it-{}", uuid::Uuid::new_v4());
    let app = TestApp::spawn_with(
        crate::helpers::Engine::Sqlite,
        &[
            ("S3_BUCKET", &bucket),
            ("S3_ENDPOINT", &endpoint),
            ("S3_ACCESS_KEY_ID", "test"),
            ("S3_SECRET_ACCESS_KEY", "test"),
            ("S3_PREFIX", &prefix),
        ],
    )
    .await;
    let token = app.uploader("cloud").await;
    let upload = app.uploaded(&token, "kind=avatar", with_exif(&photo(600, 400), 1)).await;
    let sizes: Vec<u64> =
        upload["renditions"].as_array().unwrap().iter().map(|r| r["width"].as_u64().unwrap()).collect();
    assert_eq!(sizes, vec![64, 128, 256]);
    // Stored in the bucket (not under DATA_DIR), and served from it.
    let listing =
        reqwest::get(format!("{endpoint}/{bucket}?list-type=2&prefix={prefix}/")).await.unwrap().text().await.unwrap();
    assert_eq!(listing.matches("<Key>").count(), 3, "{listing}");
    let response = app.fetch(upload["url"].as_str().unwrap()).await;
    assert_eq!(response.status(), 200);
    assert!(!contains(&response.bytes().await.unwrap(), b"SecretCam"));
    assert_eq!(app.delete_upload(&token, &upload["id"]).await, 204);
    let listing =
        reqwest::get(format!("{endpoint}/{bucket}?list-type=2&prefix={prefix}/")).await.unwrap().text().await.unwrap();
    assert_eq!(listing.matches("<Key>").count(), 0, "{listing}");
}
