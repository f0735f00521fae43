//! Feeds for readers and crawlers: RSS 2.0 and Atom for the blog, each tag and each
//! author, `sitemap.xml` and `robots.txt`. Feeds carry `ETag` and `Last-Modified` and
//! answer 304 when the reader already has them.

use std::time::{Duration, UNIX_EPOCH};

use app::{
    blog::ssr::feeds::{self, Format, Scope},
    server::AppState,
};
use axum::{
    extract::{Path, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/blog/rss.xml", get(|s, h| site(s, h, Format::Rss)))
        .route("/blog/atom.xml", get(|s, h| site(s, h, Format::Atom)))
        .route("/blog/tag/{tag}/rss.xml", get(|s, p, h| tag(s, p, h, Format::Rss)))
        .route("/blog/tag/{tag}/atom.xml", get(|s, p, h| tag(s, p, h, Format::Atom)))
        .route("/u/{username}/rss.xml", get(|s, p, h| author(s, p, h, Format::Rss)))
        .route("/u/{username}/atom.xml", get(|s, p, h| author(s, p, h, Format::Atom)))
        .route("/sitemap.xml", get(sitemap))
        .route("/robots.txt", get(robots))
}

async fn site(State(state): State<AppState>, headers: HeaderMap, format: Format) -> Response {
    feed(&state, &headers, Scope::Site, format).await
}

async fn tag(State(state): State<AppState>, Path(tag): Path<String>, headers: HeaderMap, format: Format) -> Response {
    feed(&state, &headers, Scope::Tag(tag), format).await
}

async fn author(
    State(state): State<AppState>,
    Path(username): Path<String>,
    headers: HeaderMap,
    format: Format,
) -> Response {
    feed(&state, &headers, Scope::Author(username), format).await
}

fn server_error(error: sqlx::Error) -> Response {
    tracing::error!(%error, "feed query failed");
    (StatusCode::SERVICE_UNAVAILABLE, "The feed is unavailable right now; try again shortly.").into_response()
}

async fn feed(state: &AppState, headers: &HeaderMap, scope: Scope, format: Format) -> Response {
    let feed = match feeds::load(&state.db, &state.accounts.public_url, scope, format).await {
        Ok(Some(feed)) => feed,
        Ok(None) => return (StatusCode::NOT_FOUND, "There is no such feed.").into_response(),
        Err(error) => return server_error(error),
    };
    let body = feed.render(format);
    let etag = feeds::etag(&body);
    let modified = UNIX_EPOCH + Duration::from_millis(feed.updated_ms.max(0) as u64);
    // Whole seconds, as HTTP dates carry them.
    let modified = UNIX_EPOCH + Duration::from_secs(modified.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs());
    let mut response = if not_modified(headers, &etag, modified) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, format.content_type())], body).into_response()
    };
    let response_headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&etag) {
        response_headers.insert(header::ETAG, value);
    }
    if let Ok(value) = HeaderValue::from_str(&httpdate::fmt_http_date(modified)) {
        response_headers.insert(header::LAST_MODIFIED, value);
    }
    response_headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    response
}

/// A conditional GET the client's copy satisfies: `If-None-Match` decides when present
/// (RFC 9110), else `If-Modified-Since`.
fn not_modified(headers: &HeaderMap, etag: &str, modified: std::time::SystemTime) -> bool {
    if let Some(tags) = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) {
        return tags.split(',').map(|t| t.trim().trim_start_matches("W/")).any(|t| t == etag || t == "*");
    }
    headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok())
        .is_some_and(|since| modified <= since)
}

async fn sitemap(State(state): State<AppState>) -> Response {
    match feeds::sitemap(&state.db, &state.accounts.public_url).await {
        Ok(body) => ([(header::CONTENT_TYPE, "application/xml; charset=utf-8")], body).into_response(),
        Err(error) => server_error(error),
    }
}

async fn robots(State(state): State<AppState>) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], feeds::robots(&state.accounts.public_url)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditional_requests_match_etag_first_then_date() {
        let modified = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let mut headers = HeaderMap::new();
        assert!(!not_modified(&headers, "\"a\"", modified));
        headers.insert(header::IF_NONE_MATCH, "\"b\", \"a\"".parse().unwrap());
        assert!(not_modified(&headers, "\"a\"", modified));
        headers.insert(header::IF_NONE_MATCH, "\"b\"".parse().unwrap());
        headers.insert(header::IF_MODIFIED_SINCE, httpdate::fmt_http_date(modified).parse().unwrap());
        assert!(!not_modified(&headers, "\"a\"", modified), "a mismatching ETag wins over the date");
        headers.remove(header::IF_NONE_MATCH);
        assert!(not_modified(&headers, "\"a\"", modified));
        headers.insert(header::IF_MODIFIED_SINCE, "garbage".parse().unwrap());
        assert!(!not_modified(&headers, "\"a\"", modified));
    }
}
