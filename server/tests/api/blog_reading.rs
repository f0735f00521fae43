//! Reading: the hot order, stable pages, de-duplicated views, search with hostile
//! input, the head tags in the raw HTML, and the feeds.

use app::blog::ssr::{ranking::Ranking, repo};
use reqwest::Method;
use serde_json::Value;

use crate::helpers::{api_client, call_with, TestApp, BROWSER};

const DAY_MS: i64 = 86_400_000;

/// Sets a post's publication time and counts directly, then rescores every post.
async fn shape(app: &TestApp, slug: &str, age_days: f64, likes: i64, views: i64) {
    let published = app::server::clock::now_ms() - (age_days * DAY_MS as f64) as i64;
    sqlx::query("UPDATE posts SET published_at_ms = $2, like_count = $3, view_count = $4 WHERE slug = $1")
        .bind(slug)
        .bind(published)
        .bind(likes)
        .bind(views)
        .execute(app.db.pool())
        .await
        .unwrap();
    repo::rescore_all(&app.db, &Ranking::default()).await.unwrap();
}

async fn list(app: &TestApp, form: &[(&str, &str)]) -> Value {
    let response = call_with(&app.client, &app.address, "blog/posts", form).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn slugs(page: &Value) -> Vec<String> {
    page["posts"].as_array().unwrap().iter().map(|p| p["slug"].as_str().unwrap().to_string()).collect()
}

engine_tests! {
    async fn hot_puts_the_newest_first_unless_engagement_ten_times_greater_lifts_an_older_post(app: TestApp) {
        let token = app.writer("ada").await;
        for title in ["fresh", "yesterday-popular", "yesterday-liked", "old-viral", "older-quiet"] {
            app.publish(&token, title, "text", &[]).await;
        }
        shape(&app, "fresh", 0.0, 10, 0).await;            // log10(51)  = 1.71
        shape(&app, "yesterday-popular", 1.0, 130, 0).await; // log10(651) - 1 = 1.81: lifted above
        shape(&app, "yesterday-liked", 1.0, 60, 0).await;    // log10(301) - 1 = 1.48: not enough
        shape(&app, "old-viral", 3.0, 30_000, 0).await;      // log10(150001) - 3 = 2.18
        shape(&app, "older-quiet", 3.0, 0, 50).await;        // views weigh little
        let hot = list(&app, &[]).await;
        assert_eq!(slugs(&hot), ["old-viral", "yesterday-popular", "fresh", "yesterday-liked", "older-quiet"]);
        let new = list(&app, &[("sort", "new")]).await;
        assert_eq!(slugs(&new)[0], "fresh");
        let top = list(&app, &[("sort", "top"), ("period", "week")]).await;
        assert_eq!(slugs(&top)[..2], ["old-viral", "yesterday-popular"]);
        // The score is stored: it does not move with the clock, only with the counts.
        let (before,): (f64,) = sqlx::query_as("SELECT hot_score FROM posts WHERE slug = 'fresh'").fetch_one(app.db.pool()).await.unwrap();
        let (status, _) = app.conduit(Method::POST, "/articles/fresh/favorite", Some(&token), None).await;
        assert_eq!(status, 200);
        let (after,): (f64,) = sqlx::query_as("SELECT hot_score FROM posts WHERE slug = 'fresh'").fetch_one(app.db.pool()).await.unwrap();
        assert!(after > before, "a like lifts the score at once");
    }

    async fn keyset_pages_stay_stable_while_posts_are_added(app: TestApp) {
        let token = app.writer("ada").await;
        for i in 0..25 {
            app.publish(&token, &format!("Post {i}"), "text", &[]).await;
        }
        let first = list(&app, &[("sort", "new")]).await;
        assert_eq!(first["posts"].as_array().unwrap().len(), 20);
        let cursor = first["next"].as_str().unwrap().to_string();
        for i in 0..3 {
            app.publish(&token, &format!("Later {i}"), "text", &[]).await;
        }
        let second = list(&app, &[("sort", "new"), ("after", &cursor)]).await;
        let seen: Vec<String> = slugs(&first).into_iter().chain(slugs(&second)).collect();
        assert_eq!(slugs(&second).len(), 5, "the five oldest, none repeated");
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 25);
        assert!(second["next"].is_null());
        // Hot pages the same way.
        let hot = list(&app, &[]).await;
        let rest = list(&app, &[("after", hot["next"].as_str().unwrap())]).await;
        assert_eq!(slugs(&hot).len() + slugs(&rest).len(), 28);
        // A forged cursor is refused with the field named.
        let response = call_with(&app.client, &app.address, "blog/posts", &[("after", "1'; DROP TABLE posts; --_x")]).await;
        assert_eq!(response.status(), 400);
        let error: Value = response.json().await.unwrap();
        assert!(error["Invalid"]["fields"]["after"][0].as_str().unwrap().contains("not a valid page position"));
    }

    async fn views_count_once_per_reader_and_day_and_never_for_bots_prefetches_or_the_author(app: TestApp) {
        let token = app.writer("ada").await;
        let slug = app.publish(&token, "Viewed", "text", &[]).await["slug"].as_str().unwrap().to_string();
        let path = format!("/blog/{slug}");
        let reader = reqwest::Client::new();
        for _ in 0..3 {
            reader.get(app.url(&path)).header("user-agent", BROWSER).send().await.unwrap();
        }
        app.expect_views(&slug, 1).await;
        // Client-side navigation loads through the server function: the same visitor.
        call_with(&reader, &app.address, "blog/post", &[("slug", &slug)]).await;
        let second = reqwest::Client::new();
        second.get(app.url(&path)).header("user-agent", "Mozilla/5.0 (Macintosh) Safari/605").send().await.unwrap();
        app.expect_views(&slug, 2).await;
        for agent in ["Googlebot/2.1 (+http://www.google.com/bot.html)", "facebookexternalhit/1.1", "Slackbot-LinkExpanding 1.0", ""] {
            reader.get(app.url(&path)).header("user-agent", agent).send().await.unwrap();
        }
        reader.get(app.url(&path)).header("user-agent", "Mozilla/5.0 Chrome/130").header("sec-purpose", "prefetch").send().await.unwrap();
        // The author reading their own post.
        let (status, _) = app.conduit(Method::GET, &format!("/articles/{slug}"), Some(&token), None).await;
        assert_eq!(status, 200);
        let author = crate::helpers::new_client();
        call_with(&author, &app.address, "accounts/login", &[("login", "ada"), ("password", crate::helpers::STRONG_PASSWORD)]).await;
        author.get(app.url(&path)).header("user-agent", BROWSER).send().await.unwrap();
        app.expect_views(&slug, 2).await;
        let (raw_ip,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM post_views WHERE visitor LIKE '%127.0.0.1%'").fetch_one(app.db.pool()).await.unwrap();
        assert_eq!(raw_ip, 0, "no address is stored");
    }

    async fn search_finds_stemmed_words_highlights_them_and_survives_any_input(app: TestApp) {
        let token = app.writer("ada").await;
        app.publish(&token, "Running databases", "We migrated the running cluster to PostgreSQL without downtime.", &[]).await;
        app.publish(&token, "Gardening", "Tomatoes need sun.", &[]).await;
        let (status, found) = app.conduit(Method::GET, "/articles/search?q=run%20database", None, None).await;
        assert_eq!(status, 200);
        assert_eq!(found["articles"].as_array().unwrap().len(), 1, "{found}");
        assert_eq!(found["articles"][0]["title"], "Running databases");
        let html = app.page("/blog/search?q=migrate").await.text().await.unwrap();
        assert!(html.contains("<mark>migrated</mark>"), "matched words are marked: {html}");
        for hostile in ["c++ OR \"x", "NEAR(", "*", "'", "\"", "title:x", "a AND OR NOT", "((((", "%", "\\", "\u{0}", "🎉", "-x", "^"] {
            let response = call_with(&app.client, &app.address, "blog/search", &[("q", hostile)]).await;
            assert_eq!(response.status(), 200, "{hostile:?}");
            let page = app.page(&format!("/blog/search?q={}", urlencode(hostile))).await;
            assert_eq!(page.status(), 200, "{hostile:?}");
        }
        let long = "x".repeat(201);
        let response = call_with(&app.client, &app.address, "blog/search", &[("q", &long)]).await;
        assert_eq!(response.status(), 400, "an over-long query is refused with the field named");
    }

    async fn post_pages_carry_every_preview_tag_in_the_head_of_the_raw_html(app: TestApp) {
        let token = app.writer("ada").await;
        let title = "Quotes \" & </script><script>alert(1)</script> <b>bold</b>";
        let article = app.publish(&token, title, "Body text here.", &["rust"]).await;
        let slug = article["slug"].as_str().unwrap();
        let html = app.page(&format!("/blog/{slug}")).await.text().await.unwrap();
        let (head, body) = html.split_once("</head>").expect("a head");
        let url = format!("http://app.test/blog/{slug}");
        for expected in [
            "<title>Quotes \" &amp; &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;bold&lt;/b&gt; · Commonplace</title>".to_string(),
            r#"<meta name="description" content="About Quotes"#.to_string(),
            format!(r#"<link href="{url}" rel="canonical">"#),
            r#"<meta property="og:type" content="article">"#.to_string(),
            format!(r#"<meta property="og:url" content="{url}">"#),
            r#"<meta property="og:image" content="http://app.test/og-default.png">"#.to_string(),
            r#"<meta name="twitter:card" content="summary_large_image">"#.to_string(),
            r#"<meta property="article:tag" content="rust">"#.to_string(),
            r#"type="application/rss+xml""#.to_string(),
            r#"type="application/ld+json">"#.to_string(),
        ] {
            assert!(head.contains(&expected), "missing in <head>: {expected}\n{head}");
        }
        assert!(!head.contains("<script>alert(1)"), "{head}");
        assert_eq!(head.matches(r#"<meta name="description""#).count(), 1, "one description");
        let ld_start = head.find("application/ld+json").unwrap();
        let ld = &head[ld_start..];
        let ld = &ld[ld.find('>').unwrap() + 1..ld.find("</script>").unwrap()];
        let parsed: Value = serde_json::from_str(ld).expect("JSON-LD parses");
        assert_eq!(parsed["@type"], "BlogPosting");
        assert_eq!(parsed["headline"], title);
        assert_eq!(parsed["author"]["name"], "ada");
        assert!(!body.contains(r#"<meta property="og:"#), "no preview tags streamed after the head");
        assert!(body.contains("Body text here."), "the post is in the first response");
    }

    async fn tag_and_author_pages_have_their_own_head_tags(app: TestApp) {
        let token = app.writer("ada").await;
        app.publish(&token, "Tagged", "text", &["rust"]).await;
        let html = app.page("/blog/tag/rust").await.text().await.unwrap();
        let head = html.split_once("</head>").unwrap().0;
        assert!(head.contains("<title>#rust · Commonplace</title>"), "{head}");
        assert!(head.contains(r#"<link href="http://app.test/blog/tag/rust" rel="canonical">"#), "{head}");
        assert!(head.contains(r#"href="http://app.test/blog/tag/rust/rss.xml""#), "{head}");
        let html = app.page("/u/ada").await.text().await.unwrap();
        let head = html.split_once("</head>").unwrap().0;
        assert!(head.contains(r#"<meta property="og:type" content="profile">"#), "{head}");
        assert!(html.contains("Tagged"));
        assert_eq!(app.page("/u/nobody-here").await.status(), 404);
        assert_eq!(app.page("/blog/no-such-post").await.status(), 404);
    }

    async fn feeds_parse_validate_and_answer_304_to_a_reader_that_has_them(app: TestApp) {
        let token = app.writer("ada").await;
        app.publish(&token, "Feed me & more", "Some **bold** text with <em>html</em>.", &["rust", "web"]).await;
        app.publish(&token, "Second", "text", &["web"]).await;
        for (path, kind) in [
            ("/blog/rss.xml", "rss"), ("/blog/atom.xml", "atom"), ("/blog/tag/rust/rss.xml", "rss"),
            ("/blog/tag/web/atom.xml", "atom"), ("/u/ada/rss.xml", "rss"), ("/u/ada/atom.xml", "atom"),
        ] {
            let response = api_client().get(app.url(path)).send().await.unwrap();
            assert_eq!(response.status(), 200, "{path}");
            let content_type = response.headers()["content-type"].to_str().unwrap().to_string();
            assert!(content_type.starts_with(&format!("application/{kind}+xml")), "{path}: {content_type}");
            let etag = response.headers()["etag"].to_str().unwrap().to_string();
            let modified = response.headers()["last-modified"].to_str().unwrap().to_string();
            let xml = response.text().await.unwrap();
            let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{path} is not XML: {e}\n{xml}"));
            let root = doc.root_element();
            fn child<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
                node.children().find(|c| c.has_tag_name(name))
            }
            if kind == "rss" {
                assert_eq!((root.tag_name().name(), root.attribute("version")), ("rss", Some("2.0")));
                let channel = child(root, "channel").expect("channel");
                for required in ["title", "link", "description"] {
                    assert!(child(channel, required).is_some(), "{path}: channel {required}");
                }
                let items: Vec<_> = channel.children().filter(|c| c.has_tag_name("item")).collect();
                assert!(!items.is_empty(), "{path}");
                for item in items {
                    for required in ["title", "link", "guid", "pubDate", "description"] {
                        assert!(child(item, required).is_some(), "{path}: item {required}");
                    }
                    let date = child(item, "pubDate").unwrap().text().unwrap();
                    assert!(httpdate::parse_http_date(date).is_ok(), "{path}: RFC 822 date {date}");
                    assert!(child(item, "link").unwrap().text().unwrap().starts_with("http://app.test/blog/"));
                }
            } else {
                assert_eq!(root.tag_name().namespace(), Some("http://www.w3.org/2005/Atom"));
                for required in ["id", "title", "updated"] {
                    assert!(child(root, required).is_some(), "{path}: feed {required}");
                }
                for entry in root.children().filter(|c| c.has_tag_name("entry")) {
                    for required in ["id", "title", "updated", "author", "content"] {
                        assert!(child(entry, required).is_some(), "{path}: entry {required}");
                    }
                }
            }
            if path == "/blog/rss.xml" {
                let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
                assert!(texts.contains(&"Feed me & more"), "titles are escaped and parse back: {xml}");
                assert!(texts.iter().any(|t| t.contains("<strong>bold</strong>")), "the HTML body travels as text: {xml}");
            }
            let cached = api_client().get(app.url(path)).header("if-none-match", &etag).send().await.unwrap();
            assert_eq!(cached.status(), 304, "{path}: If-None-Match");
            let cached = api_client().get(app.url(path)).header("if-modified-since", &modified).send().await.unwrap();
            assert_eq!(cached.status(), 304, "{path}: If-Modified-Since");
        }
        let tag_feed = api_client().get(app.url("/blog/tag/rust/rss.xml")).send().await.unwrap().text().await.unwrap();
        assert!(tag_feed.contains("Feed me") && !tag_feed.contains("<title>Second</title>"));
        assert_eq!(api_client().get(app.url("/u/nobody/rss.xml")).send().await.unwrap().status(), 404);
        assert_eq!(api_client().get(app.url("/blog/tag/C++/rss.xml")).send().await.unwrap().status(), 404);
    }

    async fn sitemap_and_robots_list_the_public_pages(app: TestApp) {
        let token = app.writer("ada").await;
        app.publish(&token, "Mapped", "text", &["rust"]).await;
        let sitemap = api_client().get(app.url("/sitemap.xml")).send().await.unwrap().text().await.unwrap();
        let doc = roxmltree::Document::parse(&sitemap).unwrap();
        let locs: Vec<&str> = doc.descendants().filter(|n| n.has_tag_name("loc")).filter_map(|n| n.text()).collect();
        for expected in ["http://app.test/", "http://app.test/blog", "http://app.test/blog/mapped", "http://app.test/blog/tag/rust", "http://app.test/u/ada"] {
            assert!(locs.contains(&expected), "{expected} in {locs:?}");
        }
        let robots = api_client().get(app.url("/robots.txt")).send().await.unwrap().text().await.unwrap();
        assert!(robots.contains("Sitemap: http://app.test/sitemap.xml"));
        assert!(robots.contains("Disallow: /account"));
    }
}

fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

engine_tests! {
    async fn anonymous_readers_get_cached_pages_that_still_count_views_and_signed_in_ones_never(app: TestApp) {
        let token = app.writer("ada").await;
        let slug = app.publish(&token, "Cached", "text", &[]).await["slug"].as_str().unwrap().to_string();
        let path = format!("/blog/{slug}");
        let get = |agent: &'static str| {
            let url = app.url(&path);
            async move { api_client().get(url).header("user-agent", agent).send().await.unwrap() }
        };
        let first = get(BROWSER).await;
        assert_eq!(first.headers()["x-page-cache"], "miss");
        assert!(first.headers().get("cache-control").is_none(), "a page anyone may see may be stored");
        assert!(first.headers().get("x-commonplace-post-id").is_none(), "the internal header never leaves");
        let second = get("Mozilla/5.0 (Macintosh) Safari/605").await;
        assert_eq!(second.headers()["x-page-cache"], "hit");
        assert!(second.headers().get("x-commonplace-post-id").is_none());
        assert!(second.text().await.unwrap().contains("Cached"));
        app.expect_views(&slug, 2).await; // two readers, one served from the cache
        // A signed-in reader always gets a fresh page.
        let reader = crate::helpers::new_client();
        app.writer("grace").await;
        call_with(&reader, &app.address, "accounts/login", &[("login", "grace"), ("password", crate::helpers::STRONG_PASSWORD)]).await;
        let fresh = reader.get(app.url(&path)).header("user-agent", BROWSER).send().await.unwrap();
        assert!(fresh.headers().get("x-page-cache").is_none());
        // Nor does the browser keep a page answered for someone (Back after logging out).
        assert_eq!(fresh.headers()["cache-control"], "no-store");
        let account = reader.get(app.url("/account")).header("user-agent", BROWSER).send().await.unwrap();
        assert_eq!(account.status(), 200);
        assert_eq!(account.headers()["cache-control"], "no-store");
        // A write through this process clears the cache.
        let (status, _) = app.conduit(Method::POST, &format!("/articles/{slug}/favorite"), Some(&token), None).await;
        assert_eq!(status, 200);
        let after = get(BROWSER).await;
        assert_eq!(after.headers()["x-page-cache"], "miss");
        // Without a page cache every request renders.
        let uncached = TestApp::spawn_with(app.engine, &[("PAGE_CACHE_SECS", "0")]).await;
        let response = api_client().get(uncached.url("/blog")).send().await.unwrap();
        assert!(response.headers().get("x-page-cache").is_none());
    }
}
