//! `/api/auth/token`: opaque API tokens for scripts. POST exchanges a username or email
//! and password for a token; DELETE revokes the token presented.

use app::{
    accounts::ssr::{api_tokens, service},
    error::AppError,
    server::{
        clock::now,
        request::{client_ip, Credential},
        AppState,
    },
};
use axum::{
    extract::{ConnectInfo, State},
    http::{HeaderMap, StatusCode},
    routing::post,
    Json, Router,
};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::{error::ApiJson, ApiError};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/auth/token", post(issue).delete(revoke))
}

#[derive(Deserialize)]
struct TokenRequest {
    username_or_email: String,
    password: String,
}

#[derive(Serialize)]
struct TokenResponse {
    token: String,
    user_id: String,
    email: String,
}

async fn issue(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<TokenRequest>,
) -> Result<Json<TokenResponse>, ApiError> {
    service::rate_limit_ip(&state, &client_ip(&state, &headers, peer)).await?;
    let user = service::authenticate(&state, &body.username_or_email, &SecretString::from(body.password)).await?;
    let created = api_tokens::create(&state, &user, "API login", "", now()).await?;
    Ok(Json(TokenResponse { token: created.token, user_id: user.id, email: user.email }))
}

async fn revoke(State(state): State<AppState>, headers: HeaderMap) -> Result<StatusCode, ApiError> {
    let Some(Credential::Token(token)) = Credential::from_headers(&headers) else {
        return Err(AppError::Unauthorized("Send the token to revoke as `Authorization: Token <key>`.".into()).into());
    };
    if !api_tokens::revoke_presented(&state, &token, now()).await? {
        return Err(AppError::Unauthorized("That token is not valid.".into()).into());
    }
    Ok(StatusCode::NO_CONTENT)
}
