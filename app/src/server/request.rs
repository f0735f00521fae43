//! What a server function needs from the request it serves: the app state, the
//! session and the client IP (the direct peer, or the last `X-Forwarded-For` hop when
//! the proxy is trusted).

use std::net::SocketAddr;

use axum::{extract::ConnectInfo, http::HeaderMap};
use leptos::prelude::use_context;
use tower_sessions::Session;

use super::{clock::now, AppState};
use crate::{
    accounts::ssr::{api_tokens, jwt, repo::UserRecord, session},
    error::AppError,
};

pub struct RequestContext {
    pub state: AppState,
    pub session: Session,
    pub client_ip: String,
    /// The `Authorization` header, when the request carries one.
    pub credential: Option<Credential>,
    pub headers: HeaderMap,
}

/// A credential presented in the `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// `Authorization: Token <key>`: an opaque API token.
    Token(String),
    /// `Authorization: Bearer <jwt>`: a JWT access token.
    Bearer(String),
    /// Any other scheme: recognised by no one, so the request is anonymous.
    Unsupported,
}

impl Credential {
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let value = headers.get(axum::http::header::AUTHORIZATION)?.to_str().unwrap_or_default().trim();
        let (scheme, key) = value.split_once(' ').unwrap_or((value, ""));
        let key = key.trim();
        Some(if key.is_empty() {
            Self::Unsupported
        } else if scheme.eq_ignore_ascii_case("token") {
            Self::Token(key.to_string())
        } else if scheme.eq_ignore_ascii_case("bearer") {
            Self::Bearer(key.to_string())
        } else {
            Self::Unsupported
        })
    }
}

impl RequestContext {
    pub fn state() -> Result<AppState, AppError> {
        use_context::<AppState>().ok_or_else(|| {
            tracing::error!("AppState missing from the Leptos context");
            AppError::Internal
        })
    }

    pub async fn load() -> Result<Self, AppError> {
        let state = Self::state()?;
        let (session, headers, peer) =
            leptos_axum::extract::<(Session, HeaderMap, ConnectInfo<SocketAddr>)>().await.map_err(|error| {
                tracing::error!(%error, "request parts unavailable");
                AppError::Internal
            })?;
        let peer_ip = peer.0.ip().to_string();
        let client_ip =
            if state.accounts.trust_forwarded_for { forwarded_client(&headers).unwrap_or(peer_ip) } else { peer_ip };
        let credential = Credential::from_headers(&headers);
        Ok(Self { state, session, client_ip, credential, headers })
    }

    /// The user behind the request: an `Authorization` header, when present, decides
    /// alone; otherwise the session cookie.
    pub async fn user(&self) -> Result<Option<UserRecord>, AppError> {
        authenticate(&self.state, self.credential.as_ref(), &self.session).await
    }

    pub async fn require_user(&self) -> Result<UserRecord, AppError> {
        self.user().await?.ok_or_else(|| AppError::Unauthorized("Please log in first.".into()))
    }

    pub async fn refuse_if_logged_in(&self) -> Result<(), AppError> {
        match self.user().await? {
            Some(_) => Err(AppError::Forbidden("You are already logged in. Log out to create another account.".into())),
            None => Ok(()),
        }
    }
}

/// The one rule for who is asking, whichever door the request came through: an
/// `Authorization` header, when present, decides alone; otherwise the session cookie.
pub async fn authenticate(
    state: &AppState,
    credential: Option<&Credential>,
    session: &Session,
) -> Result<Option<UserRecord>, AppError> {
    match credential {
        Some(Credential::Token(token)) => api_tokens::authenticate(state, token, now()).await,
        Some(Credential::Bearer(token)) => jwt::authenticate(state, token).await,
        Some(Credential::Unsupported) => Ok(None),
        None => session::current_user(state, session, now()).await,
    }
}

/// The client's address: the direct peer, or the hop our trusted proxy recorded.
pub fn client_ip(state: &AppState, headers: &HeaderMap, peer: SocketAddr) -> String {
    let peer_ip = peer.ip().to_string();
    if state.accounts.trust_forwarded_for {
        forwarded_client(headers).unwrap_or(peer_ip)
    } else {
        peer_ip
    }
}

/// The address our proxy saw: the last entry, since earlier ones are client-supplied.
fn forwarded_client(headers: &HeaderMap) -> Option<String> {
    let value = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).next_back()?;
    let last = value.rsplit(',').next()?.trim();
    last.parse::<std::net::IpAddr>().ok().map(|ip| ip.to_string())
}

/// Runs a server function body and gives a failure its HTTP status (400, 401, 403, 404,
/// 409, 429 with `Retry-After`), so no bad input is answered with 500. Plain form posts
/// (no JavaScript) keep the framework's redirect back to the form instead.
pub async fn respond<T>(body: impl std::future::Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
    let result = body.await;
    if let (Err(error), Some(response)) = (&result, use_context::<leptos_axum::ResponseOptions>()) {
        if let AppError::RateLimited { retry_after_secs } = error {
            if let Ok(value) = axum::http::HeaderValue::from_str(&retry_after_secs.to_string()) {
                response.insert_header(axum::http::header::RETRY_AFTER, value);
            }
        }
        let form_post = use_context::<axum::http::request::Parts>().is_some_and(|parts| {
            parts
                .headers
                .get(axum::http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("text/html"))
        });
        if !form_post {
            response.set_status(status_of(error));
        }
    }
    result
}

pub fn status_of(error: &AppError) -> axum::http::StatusCode {
    use axum::http::StatusCode;
    match error {
        AppError::Invalid { .. } | AppError::Transport(_) => StatusCode::BAD_REQUEST,
        AppError::Unauthorized(_) | AppError::BadCredentials { .. } => StatusCode::UNAUTHORIZED,
        AppError::NotActivated | AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_for_uses_the_hop_the_proxy_added() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "6.6.6.6, 203.0.113.7".parse().unwrap());
        assert_eq!(forwarded_client(&headers).as_deref(), Some("203.0.113.7"));
        headers.insert("x-forwarded-for", "not-an-ip".parse().unwrap());
        assert_eq!(forwarded_client(&headers), None);
    }
}
