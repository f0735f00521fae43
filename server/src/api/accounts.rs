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
use axum::{
    extract::State,
    routing::{post, put},
    Json, Router,
};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::{
    error::ApiJson,
    extract::{ApiUser, ClientIp},
    ApiError,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/auth/register", post(register))
        .route("/api/auth/login", post(login))
        .route("/api/auth/update-password", put(update_password))
        .route("/api/auth/update-info", put(update_info))
}

#[derive(Serialize)]
struct Message {
    message: &'static str,
}

#[derive(Deserialize)]
struct Register {
    username: String,
    email: String,
    password: String,
    #[serde(default)]
    name: Option<String>,
}

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

#[derive(Deserialize)]
struct Login {
    email: String,
    password: String,
}

#[derive(Serialize)]
struct LoggedIn {
    user: CurrentUser,
    token: String,
    message: &'static str,
}

async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<Login>,
) -> Result<Json<LoggedIn>, ApiError> {
    service::rate_limit_ip(&state, &ip).await?;
    let user = service::authenticate(&state, &body.email, &SecretString::from(body.password)).await?;
    let pair = jwt::issue_pair(&state, &user, None, now()).await?;
    Ok(Json(LoggedIn { user: user.to_current_user(), token: pair.access_token, message: "Logged in." }))
}

#[derive(Deserialize)]
struct UpdatePassword {
    old_password: String,
    new_password: String,
}

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

#[derive(Deserialize)]
struct UpdateInfo {
    new_name: String,
}

async fn update_info(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<UpdateInfo>,
) -> Result<Json<CurrentUser>, ApiError> {
    let input = service::ProfileInput {
        name: body.new_name,
        full_name: user.full_name.clone().unwrap_or_default(),
        phone_number: user.phone_number.clone().unwrap_or_default(),
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
