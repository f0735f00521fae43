//! The signed-in user of an API request: session cookie, `Authorization: Token` or
//! `Authorization: Bearer`, decided by the same rule the server functions use.

use app::{
    accounts::ssr::repo::UserRecord,
    error::AppError,
    server::{
        request::{authenticate, client_ip, Credential},
        AppState,
    },
};
use std::{convert::Infallible, net::SocketAddr};

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::request::Parts,
};
use tower_sessions::Session;

use super::ApiError;

pub struct ApiUser(pub UserRecord);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let session = Session::from_request_parts(parts, state).await.map_err(|(_, message)| {
            tracing::error!(message, "session unavailable");
            ApiError(AppError::Internal)
        })?;
        let credential = Credential::from_headers(&parts.headers);
        authenticate(state, credential.as_ref(), &session)
            .await?
            .map(Self)
            .ok_or_else(|| AppError::Unauthorized("Log in first, or send a valid token.".into()).into())
    }
}

/// The client's IP, by the same rule as the server functions (peer, or the trusted
/// proxy's `X-Forwarded-For` hop), for rate limits.
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or_else(|| SocketAddr::from(([0, 0, 0, 0], 0)), |ConnectInfo(addr)| *addr);
        Ok(Self(client_ip(state, &parts.headers, peer)))
    }
}
