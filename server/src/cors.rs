//! Cross-origin access to the JSON APIs (`/api`, `/conduit/api`). Browsers on the origins
//! in `CORS_ALLOWED_ORIGINS` may call them with credentials; everything else stays
//! same-origin. A state-changing API request that carries a cookie from any other origin
//! is refused outright, whatever the browser would have done with the answer.

use std::{sync::Arc, time::Duration};

use app::error::AppError;
use axum::{
    extract::{Request, State},
    http::{header, HeaderName, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use tower::{Layer, ServiceExt};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::{api::ApiError, conduit};

/// Browsers cap how long a preflight answer is kept (Chromium: two hours).
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(2 * 3600);

/// The site's own origin and the other origins trusted with credentials.
#[derive(Clone, Debug)]
pub struct Origins {
    own: Arc<str>,
    allowed: Arc<[String]>,
}

impl Origins {
    pub fn new(public_url: &str, allowed: &[String]) -> Self {
        Self { own: public_url.trim_end_matches('/').into(), allowed: allowed.into() }
    }

    /// Whether a page from `origin` may act with the user's credentials: it is this site
    /// or on the allow-list. Origins are compared exactly (scheme, host and port).
    pub fn trusts(&self, origin: &str) -> bool {
        let origin = origin.trim_end_matches('/');
        origin == &*self.own || self.allowed.iter().any(|allowed| allowed == origin)
    }
}

#[derive(Clone)]
pub struct ApiCors {
    origins: Origins,
    layer: CorsLayer,
}

impl ApiCors {
    pub fn new(origins: Origins) -> Self {
        let listed = origins.allowed.iter().filter_map(|origin| HeaderValue::from_str(origin).ok());
        let layer = CorsLayer::new()
            .allow_origin(AllowOrigin::list(listed))
            .allow_credentials(true)
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
            .expose_headers([header::RETRY_AFTER, header::LOCATION, HeaderName::from_static("x-request-id")])
            .max_age(PREFLIGHT_MAX_AGE);
        Self { origins, layer }
    }

    /// A cookie-carrying, state-changing request from a page on a foreign origin. A
    /// request without `Origin` comes from a non-browser client (or a same-origin form in
    /// an old browser) and passes; so does a page served under the request's own host.
    fn is_foreign_cookie_write(&self, request: &Request) -> bool {
        let headers = request.headers();
        if request.method().is_safe() || !headers.contains_key(header::COOKIE) {
            return false;
        }
        let Some(origin) = headers.get(header::ORIGIN) else { return false };
        let Ok(origin) = origin.to_str() else { return true };
        if self.origins.trusts(origin) {
            return false;
        }
        let authority = origin.split_once("://").map(|(_, authority)| authority);
        let host = headers.get(header::HOST).and_then(|host| host.to_str().ok());
        !matches!((authority, host), (Some(authority), Some(host)) if authority == host)
    }
}

fn is_conduit(path: &str) -> bool {
    path.strip_prefix(conduit::PREFIX).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/") || is_conduit(path)
}

/// Applies the API's CORS policy to API paths only; other paths pass untouched.
pub async fn api_cors(State(cors): State<ApiCors>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if !is_api(path) {
        return next.run(request).await;
    }
    if cors.is_foreign_cookie_write(&request) {
        let message = "Requests that change something may not carry this site's cookies from another \
                       site's page. Call from an origin in CORS_ALLOWED_ORIGINS, or authenticate with a \
                       token instead of cookies.";
        return if is_conduit(path) {
            conduit::ConduitError::new(StatusCode::FORBIDDEN, "origin", message).into_response()
        } else {
            ApiError::from(AppError::Forbidden(message.into())).into_response()
        };
    }
    match cors.layer.layer(next).oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_trusted_only_when_exactly_ours_or_listed() {
        let origins = Origins::new("https://example.com/", &["https://app.example.net".to_string()]);
        assert!(origins.trusts("https://example.com"));
        assert!(origins.trusts("https://app.example.net"));
        assert!(!origins.trusts("http://example.com"));
        assert!(!origins.trusts("https://example.com:8443"));
        assert!(!origins.trusts("https://evil.example.com"));
        assert!(!origins.trusts("null"));
    }

    #[test]
    fn only_api_paths_get_the_api_policy() {
        for path in ["/api", "/api/users/1", "/conduit/api", "/conduit/api/articles"] {
            assert!(is_api(path), "{path}");
        }
        for path in ["/", "/apis", "/blog/api", "/conduit/apiary", "/fn/accounts/login"] {
            assert!(!is_api(path), "{path}");
        }
    }
}
