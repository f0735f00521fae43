//! `/api/auth/…`: credentials for scripts and apps. `token` issues (POST) and revokes
//! (DELETE) opaque API tokens; `generate-token`, `refresh`, `validate-token` and `logout`
//! handle JWT access/refresh pairs.

use app::{
    accounts::ssr::{api_tokens, jwt, service},
    error::AppError,
    server::{clock::now, request::Credential, AppState},
};
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    routing::post,
    Json, Router,
};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::{error::ApiJson, extract::ClientIp, ApiError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/auth/token", post(issue).delete(revoke))
        .route("/api/auth/generate-token", post(generate_token))
        .route("/api/auth/refresh", post(refresh))
        .route("/api/auth/validate-token", post(validate_token))
        .route("/api/auth/logout", post(logout))
}

#[derive(Deserialize)]
struct PasswordLogin {
    username: String,
    password: String,
}

async fn generate_token(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<PasswordLogin>,
) -> Result<Json<jwt::TokenPair>, ApiError> {
    service::rate_limit_ip(&state, &ip).await?;
    let user = service::authenticate(&state, &body.username, &SecretString::from(body.password)).await?;
    Ok(Json(jwt::issue_pair(&state, &user, None, now()).await?))
}

#[derive(Deserialize)]
struct RefreshRequest {
    refresh_token: String,
}

async fn refresh(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> Result<Json<jwt::TokenPair>, ApiError> {
    service::rate_limit_ip(&state, &ip).await?;
    Ok(Json(jwt::refresh(&state, &body.refresh_token, now()).await?))
}

#[derive(Serialize)]
struct Validity {
    valid: bool,
    user_id: String,
}

async fn validate_token(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<Validity>, ApiError> {
    let Some(Credential::Bearer(token)) = Credential::from_headers(&headers) else {
        return Err(AppError::Unauthorized("Send the access token as `Authorization: Bearer <jwt>`.".into()).into());
    };
    let user = jwt::authenticate(&state, &token)
        .await?
        .ok_or_else(|| AppError::Unauthorized("The access token is not valid.".into()))?;
    Ok(Json(Validity { valid: true, user_id: user.id }))
}

async fn logout(State(state): State<AppState>, ApiJson(body): ApiJson<RefreshRequest>) -> Result<StatusCode, ApiError> {
    if !jwt::revoke(&state, &body.refresh_token, now()).await? {
        return Err(AppError::Unauthorized("The refresh token is not valid.".into()).into());
    }
    Ok(StatusCode::NO_CONTENT)
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
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<TokenRequest>,
) -> Result<Json<TokenResponse>, ApiError> {
    service::rate_limit_ip(&state, &ip).await?;
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
