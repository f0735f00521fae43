//! RSS 2.0 and Atom feeds (the whole blog, a tag, an author), the sitemap and
//! robots.txt, written with askama templates. Only published posts appear; every URL is
//! absolute, built from `PUBLIC_URL`.

use askama::Template;
use sha2::{Digest, Sha256};

use super::repo;
use crate::{
    blog::{model::iso_datetime, validation::Tag},
    root::SITE_NAME,
    server::Db,
};

/// How many of the newest posts a feed carries.
const ENTRIES: i64 = 20;

/// Which posts a feed is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Site,
    Tag(String),
    Author(String),
}

pub struct Feed {
    pub title: String,
    pub subtitle: String,
    /// The HTML page the feed mirrors.
    pub page_url: String,
    pub self_url: String,
    pub generator: &'static str,
    pub updated_ms: i64,
    pub updated_rfc822: String,
    pub updated_rfc3339: String,
    pub entries: Vec<Entry>,
}

pub struct Entry {
    pub title: String,
    pub url: String,
    pub author: String,
    pub author_url: String,
    pub tags: Vec<String>,
    pub summary: String,
    pub content_html: String,
    pub published_rfc822: String,
    pub published_rfc3339: String,
    pub updated_rfc3339: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Rss,
    Atom,
}

impl Format {
    pub fn file(self) -> &'static str {
        match self {
            Self::Rss => "rss.xml",
            Self::Atom => "atom.xml",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Rss => "application/rss+xml; charset=utf-8",
            Self::Atom => "application/atom+xml; charset=utf-8",
        }
    }
}

/// Where a scope's page and feeds live.
pub fn page_path(scope: &Scope) -> String {
    match scope {
        Scope::Site => "/blog".into(),
        Scope::Tag(tag) => format!("/blog/tag/{tag}"),
        Scope::Author(username) => format!("/u/{username}"),
    }
}

pub fn feed_path(scope: &Scope, format: Format) -> String {
    format!("{}/{}", page_path(scope), format.file())
}

/// The feed of a scope, or `None` when the tag is malformed or the author unknown.
pub async fn load(db: &Db, public_url: &str, scope: Scope, format: Format) -> Result<Option<Feed>, sqlx::Error> {
    let (title, subtitle, tag, author_id, scope) = match scope {
        Scope::Site => {
            (format!("{SITE_NAME} blog"), "New posts from our community.".to_string(), None, None, Scope::Site)
        }
        Scope::Tag(raw) => {
            let Ok(tag) = Tag::parse(&raw) else { return Ok(None) };
            let tag = tag.as_str().to_string();
            (format!("#{tag} · {SITE_NAME}"), format!("Posts tagged {tag}."), Some(tag.clone()), None, Scope::Tag(tag))
        }
        Scope::Author(username) => {
            if username.chars().count() > 40 || username.chars().any(char::is_control) {
                return Ok(None);
            }
            let Some(profile) = repo::profile(db.pool(), "", &username).await? else { return Ok(None) };
            let name = profile.display_name.clone().unwrap_or_else(|| profile.username.clone());
            (
                format!("{name} · {SITE_NAME}"),
                format!("Posts by {name}."),
                None,
                Some(profile.id),
                Scope::Author(profile.username),
            )
        }
    };
    let rows = repo::feed(db.pool(), tag.as_deref(), author_id.as_deref(), ENTRIES).await?;
    let updated_ms = rows.iter().map(|row| row.updated_at_ms.max(row.published_at_ms)).max().unwrap_or(0);
    let entries = rows
        .into_iter()
        .map(|row| Entry {
            url: format!("{public_url}/blog/{}", row.slug),
            author: row.display_name.unwrap_or_else(|| row.username.clone()),
            author_url: format!("{public_url}/u/{}", row.username),
            tags: row.tags.split_whitespace().map(str::to_string).collect(),
            summary: row.excerpt,
            content_html: absolute_links(&row.body_html, public_url),
            published_rfc822: rfc822(row.published_at_ms),
            published_rfc3339: iso_datetime(row.published_at_ms),
            updated_rfc3339: iso_datetime(row.updated_at_ms.max(row.published_at_ms)),
            title: row.title,
        })
        .collect();
    Ok(Some(Feed {
        title,
        subtitle,
        page_url: format!("{public_url}{}", page_path(&scope)),
        self_url: format!("{public_url}{}", feed_path(&scope, format)),
        generator: SITE_NAME,
        updated_rfc822: rfc822(updated_ms),
        updated_rfc3339: iso_datetime(updated_ms),
        updated_ms,
        entries,
    }))
}

#[derive(Template)]
#[template(path = "feeds/rss.xml")]
struct RssTemplate<'a> {
    feed: &'a Feed,
}

#[derive(Template)]
#[template(path = "feeds/atom.xml")]
struct AtomTemplate<'a> {
    feed: &'a Feed,
}

impl Feed {
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Rss => RssTemplate { feed: self }.render(),
            Format::Atom => AtomTemplate { feed: self }.render(),
        }
        .expect("feed templates render")
    }
}

/// A strong validator for a rendered document.
pub fn etag(body: &str) -> String {
    let digest = Sha256::digest(body.as_bytes());
    format!("\"{}\"", crate::server::hex(&digest[..12]))
}

/// Root-relative links (`/blog/x`, `#a`) in post HTML, made absolute for feed readers.
fn absolute_links(html: &str, public_url: &str) -> String {
    html.replace("href=\"/", &format!("href=\"{public_url}/")).replace("src=\"/", &format!("src=\"{public_url}/"))
}

/// `Sat, 21 Nov 2026 13:05:00 GMT` (RFC 822 dates, as RSS and HTTP want them).
pub fn rfc822(ms: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let secs = ms.div_euclid(1000);
    let iso = iso_datetime(ms);
    let weekday = DAYS[secs.div_euclid(86_400).rem_euclid(7) as usize];
    let month: usize = iso[5..7].parse().unwrap_or(1);
    format!("{weekday}, {} {} {} {} GMT", &iso[8..10], MONTHS[month - 1], &iso[0..4], &iso[11..19])
}

pub struct SitemapUrl {
    pub loc: String,
    pub lastmod: Option<String>,
}

#[derive(Template)]
#[template(path = "feeds/sitemap.xml")]
struct SitemapTemplate<'a> {
    urls: &'a [SitemapUrl],
}

/// The site's pages worth indexing: home, blog, every published post, tag and author.
pub async fn sitemap(db: &Db, public_url: &str) -> Result<String, sqlx::Error> {
    let mut urls = vec![
        SitemapUrl { loc: format!("{public_url}/"), lastmod: None },
        SitemapUrl { loc: format!("{public_url}/blog"), lastmod: None },
    ];
    for (slug, updated) in repo::sitemap_posts(db.pool()).await? {
        urls.push(SitemapUrl { loc: format!("{public_url}/blog/{slug}"), lastmod: Some(iso_datetime(updated)) });
    }
    for (tag, _) in repo::tags(db.pool(), 1000).await? {
        urls.push(SitemapUrl { loc: format!("{public_url}/blog/tag/{tag}"), lastmod: None });
    }
    for (username, latest) in repo::authors(db.pool()).await? {
        urls.push(SitemapUrl { loc: format!("{public_url}/u/{username}"), lastmod: Some(iso_datetime(latest)) });
    }
    Ok(SitemapTemplate { urls: &urls }.render().expect("sitemap template renders"))
}

/// Crawlers may read everything public; private and write-only pages are kept out.
pub fn robots(public_url: &str) -> String {
    format!(
        "User-agent: *\n\
         Disallow: /account\n\
         Disallow: /admin/\n\
         Disallow: /api/\n\
         Disallow: /conduit/\n\
         Disallow: /fn/\n\
         Disallow: /dev/\n\
         Disallow: /chat\n\
         Disallow: /blog/new\n\
         Disallow: /blog/drafts\n\
         Disallow: /blog/bookmarks\n\
         Disallow: /blog/following\n\
         Disallow: /blog/*/edit\n\
         Disallow: /login\n\
         Disallow: /signup\n\
         \n\
         Sitemap: {public_url}/sitemap.xml\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc822_dates_name_the_weekday() {
        assert_eq!(rfc822(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(rfc822(1_795_266_307_000), "Sat, 21 Nov 2026 13:05:07 GMT");
    }

    #[test]
    fn feeds_escape_titles_and_carry_html_as_text() {
        let feed = Feed {
            title: "A & B <c>".into(),
            subtitle: "s".into(),
            page_url: "http://x.test/blog".into(),
            self_url: "http://x.test/blog/rss.xml".into(),
            generator: SITE_NAME,
            updated_ms: 0,
            updated_rfc822: rfc822(0),
            updated_rfc3339: iso_datetime(0),
            entries: vec![Entry {
                title: "</title><script>".into(),
                url: "http://x.test/blog/a".into(),
                author: "ada".into(),
                author_url: "http://x.test/u/ada".into(),
                tags: vec!["rust".into()],
                summary: "sum".into(),
                content_html: "<p>hi &amp; bye</p>".into(),
                published_rfc822: rfc822(0),
                published_rfc3339: iso_datetime(0),
                updated_rfc3339: iso_datetime(0),
            }],
        };
        let rss = feed.render(Format::Rss);
        assert!(
            rss.contains("<title>A &#38; B &#60;c&#62;</title>") || rss.contains("<title>A &amp; B &lt;c&gt;</title>"),
            "{rss}"
        );
        assert!(!rss.contains("<script>"));
        assert!(!rss.contains("<p>hi"), "content is escaped text");
        let atom = feed.render(Format::Atom);
        assert!(atom.contains("<content type=\"html\">"));
        assert_eq!(etag(&rss), etag(&rss));
        assert_ne!(etag(&rss), etag(&atom));
    }

    #[test]
    fn relative_links_become_absolute() {
        assert_eq!(
            absolute_links("<a href=\"/blog/x\">x</a><a href=\"https://e.test\">e</a>", "http://s.test"),
            "<a href=\"http://s.test/blog/x\">x</a><a href=\"https://e.test\">e</a>"
        );
    }
}
