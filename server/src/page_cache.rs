//! A short-lived, per-process cache of reader pages (the blog list, tag and author
//! pages, posts) for anonymous visitors, who are most of a blog's traffic. A page is
//! kept for `PAGE_CACHE_SECS` (default 5): a reader may see counts that many seconds
//! old, never a page meant for someone else (requests with a session cookie or an
//! `Authorization` header always get a fresh render, and only plain 200 HTML without a
//! cookie is kept). Any write through this process clears it; other processes catch up
//! within the TTL. A cached post still counts its views: the page carries its post id in
//! an internal header, and a hit records the view as a fresh render would.
//!
//! The browser's own cache gets the same rule: a page answered for someone signed in is
//! sent `Cache-Control: no-store`, so Back after logging out, or back to the editor after
//! publishing, loads it afresh instead of showing (and hydrating) a stored copy.

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use app::{
    blog::ssr::{
        slug::RESERVED,
        views::{self, POST_ID_HEADER},
    },
    server::{clock::now_ms, csp::RequestNonce, request::client_ip, AppState},
};
use axum::{
    body::{to_bytes, Body, Bytes},
    extract::{ConnectInfo, Request, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

const MAX_ENTRIES: usize = 2_000;
/// Larger than any page (a post is at most 100,000 characters).
const MAX_BODY: usize = 8 * 1024 * 1024;

#[derive(Clone)]
pub struct PageCache {
    ttl: Duration,
    entries: Arc<RwLock<HashMap<String, Entry>>>,
}

#[derive(Clone)]
struct Entry {
    stored: Instant,
    body: Bytes,
    post_id: Option<String>,
    /// The nonce of the page's scripts, replaced by a fresh one on every hit.
    nonce: Option<String>,
}

impl PageCache {
    pub fn new(ttl: Duration) -> Self {
        Self { ttl, entries: Arc::default() }
    }

    fn get(&self, key: &str) -> Option<Entry> {
        let entries = self.entries.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        entries.get(key).filter(|entry| entry.stored.elapsed() < self.ttl).cloned()
    }

    fn put(&self, key: String, entry: Entry) {
        let mut entries = self.entries.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.len() >= MAX_ENTRIES {
            let ttl = self.ttl;
            entries.retain(|_, entry| entry.stored.elapsed() < ttl);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(key, entry);
    }

    pub fn clear(&self) {
        self.entries.write().unwrap_or_else(|poisoned| poisoned.into_inner()).clear();
    }
}

/// Whether `path` is a page every anonymous reader sees alike.
fn is_reader_page(path: &str) -> bool {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    match segments.as_slice() {
        [] | ["blog"] => true,
        ["blog", "tag", _] | ["u", _] => true,
        ["blog", slug] => !RESERVED.contains(slug),
        _ => false,
    }
}

/// Requests that may be answered for someone in particular are never cached.
fn is_anonymous(headers: &HeaderMap) -> bool {
    if headers.contains_key(header::AUTHORIZATION) {
        return false;
    }
    let cookies = headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok());
    !cookies.flat_map(|c| c.split(';')).any(|c| {
        let name = c.trim().split('=').next().unwrap_or_default();
        name == "session" || name == "__Host-session"
    })
}

pub async fn serve(State((cache, state)): State<(PageCache, AppState)>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    if method != Method::GET {
        let response = next.run(request).await;
        if !method.is_safe() && response.status().is_success() {
            cache.clear();
        }
        return strip_internal(response);
    }
    let path = request.uri().path();
    if !is_anonymous(request.headers()) {
        return never_stored(strip_internal(next.run(request).await));
    }
    if cache.ttl.is_zero() || !is_reader_page(path) {
        return strip_internal(next.run(request).await);
    }
    let key = request.uri().to_string();
    let nonce = request.extensions().get::<RequestNonce>().map(|n| n.0.clone());
    if let Some(entry) = cache.get(&key) {
        if let Some(post_id) = &entry.post_id {
            count_view(&state, &request, post_id);
        }
        return html(entry, nonce.as_deref(), "hit");
    }
    let response = next.run(request).await;
    let cacheable = response.status() == StatusCode::OK
        && !response.headers().contains_key(header::SET_COOKIE)
        && is_html(response.headers());
    if !cacheable {
        return strip_internal(response);
    }
    let post_id = response.headers().get(POST_ID_HEADER).and_then(|v| v.to_str().ok()).map(str::to_string);
    let (parts, body) = response.into_parts();
    let Ok(body) = to_bytes(body, MAX_BODY).await else {
        tracing::warn!(key, "page too large to cache or failed to render");
        return (StatusCode::INTERNAL_SERVER_ERROR, parts.headers).into_response();
    };
    cache.put(key, Entry { stored: Instant::now(), body: body.clone(), post_id, nonce });
    let mut response = Response::from_parts(parts, Body::from(body));
    response.headers_mut().insert("x-page-cache", HeaderValue::from_static("miss"));
    strip_internal(response)
}

/// A cached page as a fresh response: a nonce is never served twice, so the page's
/// scripts get this response's (the CSP middleware names it in the policy).
fn html(entry: Entry, nonce: Option<&str>, status: &'static str) -> Response {
    let body = match (&entry.nonce, nonce) {
        (Some(old), Some(fresh)) => renonce(&entry.body, old, fresh),
        _ => entry.body,
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
            (header::HeaderName::from_static("x-page-cache"), HeaderValue::from_static(status)),
        ],
        body,
    )
        .into_response()
}

/// `body` with every `nonce="<old>"` attribute carrying `fresh` instead.
fn renonce(body: &Bytes, old: &str, fresh: &str) -> Bytes {
    let (from, to) = (format!("nonce=\"{old}\""), format!("nonce=\"{fresh}\""));
    match std::str::from_utf8(body) {
        Ok(text) => Bytes::from(text.replace(&from, &to)),
        Err(_) => body.clone(),
    }
}

/// A page (HTML) that says nothing about caching gets `no-store`.
fn never_stored(mut response: Response) -> Response {
    if is_html(response.headers()) && !response.headers().contains_key(header::CACHE_CONTROL) {
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

fn is_html(headers: &HeaderMap) -> bool {
    headers.get(header::CONTENT_TYPE).is_some_and(|v| v.to_str().is_ok_and(|t| t.starts_with("text/html")))
}

fn strip_internal(mut response: Response) -> Response {
    response.headers_mut().remove(POST_ID_HEADER);
    response
}

/// A cached post page still counts as a read, by the same rule as a fresh render.
fn count_view(state: &AppState, request: &Request, post_id: &str) {
    let headers = request.headers();
    if !views::is_reader(headers) {
        return;
    }
    let peer =
        request.extensions().get::<ConnectInfo<SocketAddr>>().map_or(SocketAddr::from(([0, 0, 0, 0], 0)), |c| c.0);
    let identity = views::identity(None, &client_ip(state, headers, peer), headers);
    state.blog.views.record(post_id, &identity, now_ms());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_reader_pages_are_cached() {
        for path in ["/", "/blog", "/blog/", "/blog/hello-world", "/blog/tag/rust", "/u/ada"] {
            assert!(is_reader_page(path), "{path}");
        }
        for path in
            ["/blog/new", "/blog/drafts", "/blog/search", "/blog/hello/edit", "/account", "/login", "/fn/blog/post"]
        {
            assert!(!is_reader_page(path), "{path}");
        }
    }

    #[test]
    fn a_cached_page_gets_a_fresh_nonce_everywhere() {
        let page = Bytes::from_static(b"<script nonce=\"old1\">a</script><p>old1</p><script nonce=\"old1\">b</script>");
        let renewed = renonce(&page, "old1", "new2");
        assert_eq!(&renewed[..], b"<script nonce=\"new2\">a</script><p>old1</p><script nonce=\"new2\">b</script>");
    }

    #[test]
    fn a_private_page_is_never_stored_but_other_answers_keep_their_policy() {
        let page = |content_type: &'static str| ([(header::CONTENT_TYPE, content_type)], "x").into_response();
        let stored = never_stored(page("text/html; charset=utf-8"));
        assert_eq!(stored.headers()[header::CACHE_CONTROL], "no-store");
        assert!(never_stored(page("application/json")).headers().get(header::CACHE_CONTROL).is_none());
        let own = ([(header::CONTENT_TYPE, "text/html"), (header::CACHE_CONTROL, "public, max-age=300")], "x")
            .into_response();
        assert_eq!(never_stored(own).headers()[header::CACHE_CONTROL], "public, max-age=300");
    }

    #[test]
    fn signed_in_requests_are_never_cached() {
        let mut headers = HeaderMap::new();
        assert!(is_anonymous(&headers));
        headers.insert(header::COOKIE, "theme=dark".parse().unwrap());
        assert!(is_anonymous(&headers));
        headers.insert(header::COOKIE, "theme=dark; session=abc".parse().unwrap());
        assert!(!is_anonymous(&headers));
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, "__Host-session=abc".parse().unwrap());
        assert!(!is_anonymous(&headers));
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, "Token x".parse().unwrap());
        assert!(!is_anonymous(&headers));
    }
}
