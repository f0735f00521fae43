//! `/conduit/api/users`, `/conduit/api/user`: register, log in, read and update oneself.
//! The account rules are ours (password policy, rate limits, activation setting).

use app::{
    accounts::ssr::{
        api_tokens::{self, Origin},
        repo,
        service::{self, AccountUpdate, SignupInput},
    },
    error::AppError,
    server::{clock::now, AppState},
};
use axum::{extract::State, http::StatusCode, Json};
use secrecy::SecretString;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    error::ConduitErrorBody,
    extract::{double_option, Caller, ConduitJson},
    shapes::UserEnvelope,
    ConduitError, TAG,
};
use crate::api::ClientIp;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(register)).routes(routes!(login)).routes(routes!(current, update))
}

#[derive(Deserialize, ToSchema)]
pub struct NewUser {
    /// 3–20 letters, digits, `_`, `.` or `-`; unique regardless of case.
    #[serde(default)]
    #[schema(required = true, min_length = 3, max_length = 20, pattern = "^[A-Za-z0-9_.-]+$")]
    username: String,
    /// Unique regardless of case.
    #[serde(default)]
    #[schema(required = true, format = Email, max_length = 254)]
    email: String,
    /// The password policy: by default 8–64 characters with a lowercase and an uppercase
    /// letter, a digit and a symbol, and hard to guess.
    #[serde(default)]
    #[schema(required = true, min_length = 8, max_length = 64)]
    password: String,
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"user": {"username": "ada", "email": "ada@example.com", "password": "Correct-Horse-Battery-9"}}))]
pub struct NewUserEnvelope {
    user: NewUser,
}

/// The token an API login hands out, when the account may log in yet.
async fn login_token(state: &AppState, user: &repo::UserRecord) -> Result<Option<String>, ConduitError> {
    if !user.may_sign_in(state.accounts.login_requires_activation) {
        return Ok(None);
    }
    let token = api_tokens::create(state, user, "RealWorld login", "", Origin::Login, now()).await?;
    Ok(Some(token.token))
}

/// Register.
///
/// Our password policy applies. When the site requires activation, the account must
/// follow the emailed link before it can log in, and `token` is `null`.
#[utoipa::path(
    post,
    path = "/conduit/api/users",
    tag = TAG,
    request_body = NewUserEnvelope,
    responses(
        (status = 201, description = "Registered", body = UserEnvelope),
        (status = 409, description = "The username or email is taken", body = ConduitErrorBody),
        (status = 422, description = "A field breaks a rule", body = ConduitErrorBody),
        (status = 429, description = "Too many attempts from this address", body = ConduitErrorBody),
    ),
)]
async fn register(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ConduitJson(body): ConduitJson<NewUserEnvelope>,
) -> Result<(StatusCode, Json<UserEnvelope>), ConduitError> {
    let NewUser { username, email, password } = body.user;
    let input = SignupInput {
        username: username.clone(),
        email,
        name: String::new(),
        password: SecretString::from(password.clone()),
        password_confirm: SecretString::from(password),
    };
    service::signup(&state, input, &ip).await?;
    let user = repo::find_by_login(state.db.pool(), &username).await?.ok_or(AppError::Internal)?;
    let token = login_token(&state, &user).await?;
    Ok((StatusCode::CREATED, Json(UserEnvelope::new(&user, token))))
}

#[derive(Deserialize, ToSchema)]
pub struct UserLogin {
    /// Email address (a username works too); not blank.
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 254, pattern = "\\S")]
    email: String,
    #[serde(default)]
    #[schema(required = true, min_length = 1)]
    password: String,
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"user": {"email": "ada@example.com", "password": "Correct-Horse-Battery-9"}}))]
pub struct UserLoginEnvelope {
    user: UserLogin,
}

/// Log in.
#[utoipa::path(
    post,
    path = "/conduit/api/users/login",
    tag = TAG,
    request_body = UserLoginEnvelope,
    responses(
        (status = 200, description = "Logged in; a new API token", body = UserEnvelope),
        (status = 401, description = "Wrong email or password: `{\"errors\": {\"credentials\": [\"invalid\"]}}`", body = ConduitErrorBody),
        (status = 403, description = "Account not activated, deactivated or locked", body = ConduitErrorBody),
        (status = 422, description = "A field is blank", body = ConduitErrorBody),
        (status = 429, description = "Too many attempts from this address", body = ConduitErrorBody),
    ),
)]
async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ConduitJson(body): ConduitJson<UserLoginEnvelope>,
) -> Result<Json<UserEnvelope>, ConduitError> {
    let UserLogin { email, password } = body.user;
    let blank: Vec<&str> = [("email", email.trim().is_empty()), ("password", password.is_empty())]
        .into_iter()
        .filter_map(|(field, blank)| blank.then_some(field))
        .collect();
    if let Some(error) = ConduitError::blank(&blank) {
        return Err(error);
    }
    service::rate_limit_ip(&state, &ip).await?;
    let user = service::authenticate(&state, &email, &SecretString::from(password)).await?;
    let token = login_token(&state, &user).await?;
    Ok(Json(UserEnvelope::new(&user, token)))
}

/// The current user.
#[utoipa::path(
    get,
    path = "/conduit/api/user",
    tag = TAG,
    security(("token" = []), ("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The caller, with the token they sent", body = UserEnvelope),
        (status = 401, description = "No or bad credentials", body = ConduitErrorBody),
    ),
)]
async fn current(caller: Caller) -> Json<UserEnvelope> {
    Json(UserEnvelope::new(&caller.user, caller.token))
}

#[derive(Deserialize, ToSchema)]
pub struct UserUpdate {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    email: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    username: Option<Option<String>>,
    /// A new password (our policy applies). Every other session and token is signed
    /// out; the token that made the request keeps working.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, min_length = 8, max_length = 64)]
    password: Option<Option<String>>,
    /// Up to 500 characters; empty or `null` clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    bio: Option<Option<String>>,
    /// An `https://` image address; empty or `null` clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    image: Option<Option<String>>,
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"user": {"bio": "I write about Rust.", "image": "https://example.com/ada.jpg"}}))]
pub struct UserUpdateEnvelope {
    user: UserUpdate,
}

/// Update the current user.
///
/// Only the fields present change. A new email or password is announced by email.
#[utoipa::path(
    put,
    path = "/conduit/api/user",
    tag = TAG,
    security(("token" = []), ("bearer" = []), ("session" = [])),
    request_body = UserUpdateEnvelope,
    responses(
        (status = 200, description = "Updated", body = UserEnvelope),
        (status = 401, description = "No or bad credentials", body = ConduitErrorBody),
        (status = 409, description = "The username or email is taken", body = ConduitErrorBody),
        (status = 422, description = "A field breaks a rule", body = ConduitErrorBody),
    ),
)]
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    ConduitJson(body): ConduitJson<UserUpdateEnvelope>,
) -> Result<Json<UserEnvelope>, ConduitError> {
    let changes = body.user;
    // Email, username and password may be left out, but not blanked.
    let mut blank = Vec::new();
    let mut required = |field: &'static str, value: Option<Option<String>>| match value {
        Some(Some(value)) if !value.trim().is_empty() => Some(value),
        Some(_) => {
            blank.push(field);
            None
        }
        None => None,
    };
    let email = required("email", changes.email);
    let username = required("username", changes.username);
    let password = required("password", changes.password);
    if let Some(error) = ConduitError::blank(&blank) {
        return Err(error);
    }
    let update = AccountUpdate {
        username,
        email,
        password: password.map(SecretString::from),
        bio: changes.bio,
        avatar_url: changes.image,
    };
    let keep = caller.token.as_deref().filter(|_| caller.is_api_token);
    let user = service::update_account(&state, &caller.user, update, keep).await?;
    Ok(Json(UserEnvelope::new(&user, caller.token)))
}
