//! `/api/auth/…`: credentials for scripts and apps. `token` issues (POST) and revokes
//! (DELETE) opaque API tokens; `generate-token`, `refresh`, `validate-token` and `logout`
//! handle JWT access/refresh pairs.

use app::{
    accounts::ssr::{
        api_tokens,
        jwt::{self, TokenPair},
        service,
    },
    error::AppError,
    server::{clock::now, request::Credential, AppState},
};
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    Json,
};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    error::{ApiJson, ErrorBody, PasswordLoginFailure},
    extract::ClientIp,
    ApiError, TAG_AUTH,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(issue, revoke))
        .routes(routes!(generate_token))
        .routes(routes!(refresh))
        .routes(routes!(validate_token))
        .routes(routes!(logout))
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"username": "ada", "password": "Correct-Horse-Battery-9"}))]
struct PasswordLogin {
    /// Username or email address.
    username: String,
    password: String,
}

/// Log in for a JWT access/refresh pair.
///
/// Send the access token as `Authorization: Bearer <jwt>`; before it expires, trade the
/// refresh token for a new pair at `/api/auth/refresh`.
#[utoipa::path(
    post,
    path = "/api/auth/generate-token",
    tag = TAG_AUTH,
    request_body = PasswordLogin,
    responses(
        (status = 200, description = "Logged in", body = TokenPair),
        PasswordLoginFailure,
    ),
)]
async fn generate_token(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<PasswordLogin>,
) -> Result<Json<TokenPair>, ApiError> {
    service::rate_limit_ip(&state, &ip).await?;
    let user = service::authenticate(&state, &body.username, &SecretString::from(body.password)).await?;
    Ok(Json(jwt::issue_pair(state.db.pool(), &state, &user, None, now()).await?))
}

#[derive(Deserialize, ToSchema)]
struct RefreshRequest {
    refresh_token: String,
}

/// Trade a refresh token for a new pair.
///
/// A refresh token works once. Presenting one that was already used revokes every token
/// of its family (the pair it came from and all later ones): log in again.
#[utoipa::path(
    post,
    path = "/api/auth/refresh",
    tag = TAG_AUTH,
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new pair; the old refresh token is spent", body = TokenPair),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Expired, revoked, reused or forged refresh token", body = ErrorBody),
        (status = 429, description = "Too many attempts from this address; see `Retry-After`", body = ErrorBody),
    ),
)]
async fn refresh(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> Result<Json<TokenPair>, ApiError> {
    service::rate_limit_ip(&state, &ip).await?;
    Ok(Json(jwt::refresh(&state, &body.refresh_token, now()).await?))
}

#[derive(Serialize, ToSchema)]
struct Validity {
    /// Always `true` (an invalid token gets 401).
    valid: bool,
    user_id: String,
}

/// Check an access token.
#[utoipa::path(
    post,
    path = "/api/auth/validate-token",
    tag = TAG_AUTH,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The token is valid and its user active", body = Validity),
        (status = 401, description = "Missing, expired, revoked or forged token, or a refresh token", body = ErrorBody),
    ),
)]
async fn validate_token(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<Validity>, ApiError> {
    let Some(Credential::Bearer(token)) = Credential::from_headers(&headers) else {
        return Err(AppError::Unauthorized("Send the access token as `Authorization: Bearer <jwt>`.".into()).into());
    };
    let user = jwt::authenticate(&state, &token)
        .await?
        .ok_or_else(|| AppError::Unauthorized("The access token is not valid.".into()))?;
    Ok(Json(Validity { valid: true, user_id: user.id }))
}

/// Log out of the API everywhere.
///
/// Presenting a live refresh token revokes every refresh token and API token of the
/// account, and the access tokens issued up to now. Browser sessions are not affected.
#[utoipa::path(
    post,
    path = "/api/auth/logout",
    tag = TAG_AUTH,
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "Logged out of the API everywhere: every API credential of the account is revoked"),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not a valid refresh token", body = ErrorBody),
    ),
)]
async fn logout(State(state): State<AppState>, ApiJson(body): ApiJson<RefreshRequest>) -> Result<StatusCode, ApiError> {
    if !jwt::logout(&state, &body.refresh_token, now()).await? {
        return Err(AppError::Unauthorized("The refresh token is not valid.".into()).into());
    }
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"username_or_email": "ada@example.com", "password": "Correct-Horse-Battery-9"}))]
struct TokenRequest {
    username_or_email: String,
    password: String,
}

#[derive(Serialize, ToSchema)]
struct TokenResponse {
    /// Shown once; only a hash is stored. Send it as `Authorization: Token <key>`.
    token: String,
    user_id: String,
    email: String,
}

/// Log in for an opaque API token.
///
/// The token does not expire; it lasts until revoked (`DELETE /api/auth/token`, the
/// account page, an API logout, a password change or reset, or deactivation). A user
/// holds at most 50 live tokens: past that, a new login replaces the login token
/// unused for longest (tokens named on the account page are never replaced).
#[utoipa::path(
    post,
    path = "/api/auth/token",
    tag = TAG_AUTH,
    request_body = TokenRequest,
    responses(
        (status = 200, description = "Logged in", body = TokenResponse),
        (status = 409, description = "The account holds 50 live tokens, all named on the account page", body = ErrorBody),
        PasswordLoginFailure,
    ),
)]
async fn issue(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<TokenRequest>,
) -> Result<Json<TokenResponse>, ApiError> {
    service::rate_limit_ip(&state, &ip).await?;
    let user = service::authenticate(&state, &body.username_or_email, &SecretString::from(body.password)).await?;
    let created = api_tokens::create(&state, &user, "API login", "", api_tokens::Origin::Login, now()).await?;
    Ok(Json(TokenResponse { token: created.token, user_id: user.id, email: user.email }))
}

/// Log out: revoke the API token that authenticates this request.
#[utoipa::path(
    delete,
    path = "/api/auth/token",
    tag = TAG_AUTH,
    security(("token" = [])),
    responses(
        (status = 204, description = "Logged out: this token is revoked (the account's other credentials keep working)"),
        (status = 401, description = "No `Authorization: Token` header, or not a valid token", body = ErrorBody),
    ),
)]
async fn revoke(State(state): State<AppState>, headers: HeaderMap) -> Result<StatusCode, ApiError> {
    let Some(Credential::Token(token)) = Credential::from_headers(&headers) else {
        return Err(AppError::Unauthorized("Send the token to revoke as `Authorization: Token <key>`.".into()).into());
    };
    if !api_tokens::revoke_presented(&state, &token, now()).await? {
        return Err(AppError::Unauthorized("That token is not valid.".into()).into());
    }
    Ok(StatusCode::NO_CONTENT)
}
