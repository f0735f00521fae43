use reqwest::header;

use crate::helpers::{TestApp, STRONG_PASSWORD};

engine_tests! {
    async fn home_page_is_server_rendered_with_title_and_description(app: TestApp) {
        let response = app.get("/").await;
        assert_eq!(response.status(), 200);
        assert!(response.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
        let html = response.text().await.unwrap();
        assert!(html.contains("Write, read and talk"), "hero text is in the raw HTML");
        assert!(html.contains("<title>Commonplace</title>"), "{html}");
        assert!(html.contains(r#"<meta name="description""#));
        assert!(html.contains(r#"<nav id="site-nav""#));
        assert!(html.contains("/pkg/site.js"), "hydration script is linked");
    }

    async fn pages_without_browser_code_are_marked_as_documents_and_app_pages_hydrate(app: TestApp) {
        // The marker tells the start script to load no wasm (app/src/root.rs, `document!`).
        let marker = r#"<meta name="commonplace:page" content="document">"#;
        let documents = [
            "/",
            "/blog",
            "/blog/tag/rust",
            "/blog/search?q=rust",
            "/no/such/page",
            "/docs/api",
            "/forgot-password",
            "/activation/resend",
            "/signup/check-email",
            "/activate?token=nonsense",
        ];
        for path in documents {
            let html = app.get(path).await.text().await.unwrap();
            assert!(html.contains(marker), "{path} is a document page");
        }
        for path in ["/login", "/signup", "/chat", "/reset-password?token=nonsense"] {
            let html = app.get(path).await.text().await.unwrap();
            assert!(!html.contains(marker), "{path} is an app page");
            assert!(html.contains(r#"data-app-wasm="/pkg/site.wasm""#), "{path} names the wasm to hydrate with");
        }
    }

    async fn unknown_path_renders_the_not_found_page_with_404(app: TestApp) {
        let response = app.get("/no/such/page").await;
        assert_eq!(response.status(), 404);
        let html = response.text().await.unwrap();
        assert!(html.contains("Page not found"));
        assert!(html.contains("<title>Page not found · Commonplace</title>"));
    }

    async fn responses_carry_security_headers_and_no_hsts_over_plain_http(app: TestApp) {
        for path in ["/", "/health", "/no-such-page"] {
            let response = app.get(path).await;
            let headers = response.headers();
            assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
            assert_eq!(headers["x-frame-options"], "DENY", "{path}");
            assert_eq!(headers["referrer-policy"], "strict-origin-when-cross-origin", "{path}");
            assert!(headers.get("strict-transport-security").is_none(), "{path}");
        }
    }

    async fn https_sites_send_hsts_and_host_prefixed_secure_session_cookies(app: TestApp) {
        let app = TestApp::spawn_with(app.engine, &[("PUBLIC_URL", "https://app.test")]).await;
        let response = app.get("/").await;
        assert_eq!(response.headers()["strict-transport-security"], "max-age=31536000; includeSubDomains");
        app.create_active_user("ada", "ada@example.com", STRONG_PASSWORD).await;
        let login = app.login("ada", STRONG_PASSWORD).await;
        let cookie = login.headers()["set-cookie"].to_str().unwrap();
        assert!(cookie.starts_with("__Host-session=") && cookie.contains("Secure") && cookie.contains("Path=/"), "{cookie}");
        assert!(!cookie.contains("Domain="), "{cookie}");
    }

    async fn every_response_carries_a_request_id(app: TestApp) {
        let first = app.get("/health").await;
        let second = app.get("/no-such-page").await;
        let id = |r: &reqwest::Response| r.headers()["x-request-id"].to_str().unwrap().to_string();
        assert_eq!(id(&first).len(), 36, "a UUID");
        assert_ne!(id(&first), id(&second));
    }

    async fn static_assets_are_served_precompressed_when_the_client_accepts_it(app: TestApp) {
        app.write_site_file("pkg/site.css", b"body{color:red}");
        app.write_site_file("pkg/site.css.br", b"brotli-bytes");
        app.write_site_file("pkg/site.css.gz", b"gzip-bytes");
        let br = app.client.get(app.url("/pkg/site.css")).header(header::ACCEPT_ENCODING, "br").send().await.unwrap();
        assert_eq!(br.status(), 200);
        assert_eq!(br.headers()[header::CONTENT_ENCODING], "br");
        assert_eq!(br.bytes().await.unwrap().as_ref(), b"brotli-bytes");
        let gz = app.client.get(app.url("/pkg/site.css")).header(header::ACCEPT_ENCODING, "gzip").send().await.unwrap();
        assert_eq!(gz.headers()[header::CONTENT_ENCODING], "gzip");
        let plain = app.client.get(app.url("/pkg/site.css")).header(header::ACCEPT_ENCODING, "identity").send().await.unwrap();
        assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
        assert_eq!(plain.text().await.unwrap(), "body{color:red}");
    }

    async fn blog_and_chat_pages_answer_from_the_navigation(app: TestApp) {
        for (path, title) in [("/blog", "<title>Blog · Commonplace</title>"), ("/chat", "<title>Chat · Commonplace</title>")] {
            let response = app.get(path).await;
            assert_eq!(response.status(), 200, "{path}");
            assert!(response.text().await.unwrap().contains(title), "{path}");
        }
    }
}

/// Starting a server lists the app's routes by running it with resource loading
/// suppressed process-wide; pages another server in the process was rendering then must
/// still finish (they once hung for good, stalling the suite).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_keep_rendering_while_other_servers_start() {
    let app = TestApp::spawn(crate::helpers::Engine::Sqlite).await;
    let starting = tokio::spawn(async {
        for _ in 0..8 {
            TestApp::spawn(crate::helpers::Engine::Sqlite).await;
        }
    });
    let mut rendered = 0;
    while !starting.is_finished() || rendered < 20 {
        let response = tokio::time::timeout(std::time::Duration::from_secs(15), app.get("/no-such-page"))
            .await
            .unwrap_or_else(|_| panic!("page {rendered} did not finish rendering"));
        assert_eq!(response.status(), 404);
        assert!(response.text().await.unwrap().contains("Page not found"));
        rendered += 1;
    }
    starting.await.unwrap();
}
