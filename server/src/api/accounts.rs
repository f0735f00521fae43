//! Account endpoints for API clients: register, login (JWT), update password and
//! display name. Each is a thin door onto the same service the pages use.

use app::{
    accounts::{
        ssr::{jwt, service},
        validation::FieldErrors,
        CurrentUser,
    },
    error::AppError,
    server::{clock::now, AppState},
};
use axum::{extract::State, Json};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    error::{ApiJson, ErrorBody, PasswordLoginFailure},
    extract::{ApiUser, ClientIp},
    ApiError, TAG_ACCOUNT,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(login))
        .routes(routes!(update_password))
        .routes(routes!(update_info))
}

#[derive(Serialize, ToSchema)]
struct Message {
    message: &'static str,
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({
    "username": "ada",
    "email": "ada@example.com",
    "password": "Correct-Horse-Battery-9",
    "name": "Ada"
}))]
struct Register {
    /// 3–20 letters, digits, `_`, `.` or `-`; unique regardless of case.
    #[schema(min_length = 3, max_length = 20, pattern = "^[A-Za-z0-9_.-]+$")]
    username: String,
    /// Unique regardless of case.
    #[schema(format = Email, max_length = 254)]
    email: String,
    /// Must meet the password policy: by default 8–64 characters with a lowercase and an
    /// uppercase letter, a digit and a symbol, hard to guess, and not containing the
    /// username or the email's name.
    #[schema(min_length = 8, max_length = 64)]
    password: String,
    /// Display name, 3–32 characters.
    #[serde(default)]
    #[schema(max_length = 32)]
    name: Option<String>,
}

/// Create an account.
///
/// The account must be activated from the emailed link before it can log in.
#[utoipa::path(
    post,
    path = "/api/auth/register",
    tag = TAG_ACCOUNT,
    request_body = Register,
    responses(
        (status = 200, description = "Created; activation email sent", body = Message),
        (status = 400, description = "A field breaks a rule, or the username or email is taken; `fields` says which", body = ErrorBody),
        (status = 429, description = "Too many attempts from this address; see `Retry-After`", body = ErrorBody),
    ),
)]
async fn register(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<Register>,
) -> Result<Json<Message>, ApiError> {
    let input = service::SignupInput {
        username: body.username,
        email: body.email,
        name: body.name.unwrap_or_default(),
        password: SecretString::from(body.password.clone()),
        password_confirm: SecretString::from(body.password),
    };
    service::signup(&state, input, &ip).await?;
    Ok(Json(Message { message: "Account created. Follow the link we emailed to activate it." }))
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"email": "ada@example.com", "password": "Correct-Horse-Battery-9"}))]
struct Login {
    /// Email address (a username works too); not blank.
    #[schema(min_length = 1, max_length = 254, pattern = "\\S")]
    email: String,
    #[schema(min_length = 1)]
    password: String,
}

#[derive(Serialize, ToSchema)]
struct LoggedIn {
    user: CurrentUser,
    /// A JWT access token: send it as `Authorization: Bearer <jwt>`.
    token: String,
    message: &'static str,
}

/// Log in for a JWT access token and the user's profile.
#[utoipa::path(
    post,
    path = "/api/auth/login",
    tag = TAG_ACCOUNT,
    request_body = Login,
    responses(
        (status = 200, description = "Logged in", body = LoggedIn),
        PasswordLoginFailure,
    ),
)]
async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<Login>,
) -> Result<Json<LoggedIn>, ApiError> {
    service::rate_limit_ip(&state, &ip).await?;
    let user = service::authenticate(&state, &body.email, &SecretString::from(body.password)).await?;
    let token = jwt::issue_access(&state, &user, now());
    Ok(Json(LoggedIn { user: user.to_current_user(), token, message: "Logged in." }))
}

#[derive(Deserialize, ToSchema)]
struct UpdatePassword {
    #[schema(min_length = 1)]
    old_password: String,
    /// Must meet the password policy (see `register`).
    #[schema(min_length = 8, max_length = 64)]
    new_password: String,
}

/// Change the caller's password.
///
/// Every session, API token and refresh token of the user is revoked, including the
/// credential that made this request.
#[utoipa::path(
    put,
    path = "/api/auth/update-password",
    tag = TAG_ACCOUNT,
    security(("bearer" = []), ("token" = []), ("session" = [])),
    request_body = UpdatePassword,
    responses(
        (status = 200, description = "Changed", body = Message),
        (status = 400, description = "Wrong old password or a weak new one; `fields` says which", body = ErrorBody),
        (status = 401, description = "No or bad credentials", body = ErrorBody),
        (status = 429, description = "Too many attempts from this address; see `Retry-After`", body = ErrorBody),
    ),
)]
async fn update_password(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<UpdatePassword>,
) -> Result<Json<Message>, ApiError> {
    let new = SecretString::from(body.new_password);
    let old = SecretString::from(body.old_password);
    service::change_password(&state, None, &user, &old, &new, &new, &ip).await.map_err(api_field_names)?;
    Ok(Json(Message { message: "Password changed. Other sessions and tokens were signed out." }))
}

#[derive(Deserialize, ToSchema)]
struct UpdateInfo {
    /// The new display name; empty clears it.
    new_name: String,
}

/// Change the caller's display name.
#[utoipa::path(
    put,
    path = "/api/auth/update-info",
    tag = TAG_ACCOUNT,
    security(("bearer" = []), ("token" = []), ("session" = [])),
    request_body = UpdateInfo,
    responses(
        (status = 200, description = "The updated profile", body = CurrentUser),
        (status = 400, description = "The name breaks a rule", body = ErrorBody),
        (status = 401, description = "No or bad credentials", body = ErrorBody),
    ),
)]
async fn update_info(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<UpdateInfo>,
) -> Result<Json<CurrentUser>, ApiError> {
    let input = service::ProfileInput {
        name: body.new_name,
        full_name: user.full_name.clone().unwrap_or_default(),
        phone_number: user.phone_number.clone().unwrap_or_default(),
        bio: user.bio.clone().unwrap_or_default(),
        avatar_url: user.avatar_url.clone().unwrap_or_default(),
    };
    Ok(Json(service::update_profile(&state, &user, input).await?))
}

/// The form calls the new password `password` (with a confirmation the API does not
/// have); the API calls it `new_password`.
fn api_field_names(error: AppError) -> AppError {
    let AppError::Invalid { fields, values } = error else { return error };
    let mut renamed = FieldErrors::new();
    for (field, messages) in fields.0 {
        match field.as_str() {
            "password_confirm" => {}
            "password" => renamed.extend("new_password", messages),
            _ => renamed.extend(&field, messages),
        }
    }
    AppError::Invalid { fields: renamed, values }
}
