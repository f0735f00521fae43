//! The signed-in user of an API request: session cookie, `Authorization: Token` or
//! `Authorization: Bearer`, decided by the same rule the server functions use.

use app::{
    accounts::ssr::repo::UserRecord,
    error::AppError,
    server::{
        request::{authenticate, Credential},
        AppState,
    },
};
use axum::{extract::FromRequestParts, http::request::Parts};
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
