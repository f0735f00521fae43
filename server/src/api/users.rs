//! `/api/users`: user management. Admins may do everything; a user may read and
//! update only their own record (never their role or active flag).

use std::collections::HashMap;

use app::{
    accounts::{validation::FieldErrors, Role},
    admin::{
        model::{ManagedUser, UserChanges, UserFilter, UserPage, UserStatistics},
        ssr::service::{self, NewManagedUser},
    },
    error::AppError,
    server::AppState,
};
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    Json,
};
use secrecy::SecretString;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    error::{ApiJson, ErrorBody},
    extract::{ApiUser, ClientIp},
    ApiError, TAG_USERS,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(statistics))
        .routes(routes!(by_role))
        .routes(routes!(read, update, remove))
}

/// The query parameters `filter_from` reads (documentation of them; parsing stays in
/// `filter_from` so every bad value is named at once).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct ListQuery {
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<i64>,
    /// How many matching users to skip (default 0).
    #[param(minimum = 0)]
    offset: Option<i64>,
    /// Only users with this role.
    role: Option<Role>,
    /// Only active (`true`) or deactivated (`false`) users.
    active: Option<bool>,
    /// Part of the username, email or full name (case-insensitive; at most 100 characters,
    /// no control characters).
    #[param(max_length = 100, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$")]
    q: Option<String>,
}

/// Query parameters, each checked with a message naming it.
fn filter_from(params: &HashMap<String, String>) -> Result<(UserFilter, Option<i64>, Option<i64>), AppError> {
    let mut errors = FieldErrors::new();
    let mut number = |name: &str| {
        params.get(name).and_then(|raw| match raw.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.add(name, "must be a whole number");
                None
            }
        })
    };
    let limit = number("limit");
    let offset = number("offset");
    let role = params.get("role").and_then(|raw| {
        let role = Role::parse(raw);
        if role.is_none() {
            errors.add("role", "must be client, trainer or admin");
        }
        role
    });
    let active = params.get("active").and_then(|raw| match raw.as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => {
            errors.add("active", "must be true or false");
            None
        }
    });
    let filter = UserFilter { role, active, q: params.get("q").cloned() };
    // The service checks these too; naming them here reports every problem at once.
    for (field, messages) in service::page_problems(&filter, limit, offset).0 {
        errors.extend(&field, messages);
    }
    errors.into_result().map_err(AppError::invalid)?;
    Ok((filter, limit, offset))
}

/// List users, a page at a time (admins only).
#[utoipa::path(
    get,
    path = "/api/users",
    tag = TAG_USERS,
    security(("bearer" = []), ("token" = []), ("session" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "One page of matching users", body = UserPage),
        (status = 400, description = "A query parameter breaks a rule; `fields` says which", body = ErrorBody),
        (status = 401, description = "No or bad credentials", body = ErrorBody),
        (status = 403, description = "Admins only", body = ErrorBody),
    ),
)]
async fn list(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<UserPage>, ApiError> {
    let (filter, limit, offset) = filter_from(&params)?;
    Ok(Json(service::list(&state, &actor, &filter, limit, offset).await?))
}

/// List users with one role (admins only).
///
/// The same as `GET /api/users?role=…`.
#[utoipa::path(
    get,
    path = "/api/users/role/{role}",
    tag = TAG_USERS,
    security(("bearer" = []), ("token" = []), ("session" = [])),
    params(("role" = Role, Path, description = "client, trainer or admin"), ListQuery),
    responses(
        (status = 200, description = "One page of users with that role", body = UserPage),
        (status = 400, description = "A query parameter breaks a rule; `fields` says which", body = ErrorBody),
        (status = 401, description = "No or bad credentials", body = ErrorBody),
        (status = 403, description = "Admins only", body = ErrorBody),
        (status = 404, description = "No such role", body = ErrorBody),
    ),
)]
async fn by_role(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(role): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<UserPage>, ApiError> {
    let role =
        Role::parse(&role).ok_or_else(|| AppError::NotFound("No such role: use client, trainer or admin.".into()))?;
    let (filter, limit, offset) = filter_from(&params)?;
    let filter = UserFilter { role: Some(role), ..filter };
    Ok(Json(service::list(&state, &actor, &filter, limit, offset).await?))
}

/// Count users per role, and inactive and unverified users (admins only).
#[utoipa::path(
    get,
    path = "/api/users/statistics",
    tag = TAG_USERS,
    security(("bearer" = []), ("token" = []), ("session" = [])),
    responses(
        (status = 200, description = "The counts", body = UserStatistics),
        (status = 401, description = "No or bad credentials", body = ErrorBody),
        (status = 403, description = "Admins only", body = ErrorBody),
    ),
)]
async fn statistics(State(state): State<AppState>, ApiUser(actor): ApiUser) -> Result<Json<UserStatistics>, ApiError> {
    Ok(Json(service::statistics(&state, &actor).await?))
}

/// Read one user.
#[utoipa::path(
    get,
    path = "/api/users/{id}",
    tag = TAG_USERS,
    security(("bearer" = []), ("token" = []), ("session" = [])),
    params(("id" = String, Path, description = "The user's id")),
    responses(
        (status = 200, description = "The user", body = ManagedUser),
        (status = 401, description = "No or bad credentials", body = ErrorBody),
        (status = 403, description = "Not an admin and not yourself", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
    ),
)]
async fn read(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<ManagedUser>, ApiError> {
    Ok(Json(service::get(&state, &actor, &id).await?))
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({
    "username": "grace",
    "email": "grace@example.com",
    "password": "Another long pass-phrase 7",
    "role": "trainer"
}))]
struct CreateUser {
    /// 3–20 letters, digits, `_`, `.` or `-`; unique regardless of case.
    username: String,
    /// Unique regardless of case.
    email: String,
    /// Must meet the password policy (see `POST /api/auth/register`).
    password: String,
    /// Default `client`.
    #[serde(default)]
    role: Option<Role>,
    #[serde(default)]
    full_name: Option<String>,
    #[serde(default)]
    phone_number: Option<String>,
}

/// Create a user (admins only).
///
/// The account is active and its email counts as verified: no activation link is sent.
#[utoipa::path(
    post,
    path = "/api/users",
    tag = TAG_USERS,
    security(("bearer" = []), ("token" = []), ("session" = [])),
    request_body = CreateUser,
    responses(
        (status = 201, description = "Created", body = ManagedUser),
        (status = 400, description = "A field breaks a rule, or the username or email is taken; `fields` says which", body = ErrorBody),
        (status = 401, description = "No or bad credentials", body = ErrorBody),
        (status = 403, description = "Admins only", body = ErrorBody),
    ),
)]
async fn create(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(body): ApiJson<CreateUser>,
) -> Result<(StatusCode, Json<ManagedUser>), ApiError> {
    let input = NewManagedUser {
        username: body.username,
        email: body.email,
        password: SecretString::from(body.password),
        role: body.role,
        full_name: body.full_name,
        phone_number: body.phone_number,
    };
    Ok((StatusCode::CREATED, Json(service::create(&state, &actor, input).await?)))
}

/// Change some of a user's fields.
///
/// Only the fields present change. Users may change their own email, phone number, full
/// name and password (email and password only with `old_password`, their current one),
/// never their own role or active flag; admins may change anything.
#[utoipa::path(
    put,
    path = "/api/users/{id}",
    tag = TAG_USERS,
    security(("bearer" = []), ("token" = []), ("session" = [])),
    params(("id" = String, Path, description = "The user's id")),
    request_body = UserChanges,
    responses(
        (status = 200, description = "The updated user", body = ManagedUser),
        (status = 400, description = "A field breaks a rule, or the email is taken; `fields` says which", body = ErrorBody),
        (status = 401, description = "No or bad credentials", body = ErrorBody),
        (status = 403, description = "Not allowed to change that user or that field", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 429, description = "Too many attempts from this address; see `Retry-After`", body = ErrorBody),
    ),
)]
async fn update(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    ApiJson(changes): ApiJson<UserChanges>,
) -> Result<Json<ManagedUser>, ApiError> {
    Ok(Json(service::update(&state, &actor, &id, changes, &ip).await?))
}

/// Delete a user and everything they own (admins only).
///
/// Their sessions and tokens stop working at once. Admins delete their own account from
/// the account page, not here.
#[utoipa::path(
    delete,
    path = "/api/users/{id}",
    tag = TAG_USERS,
    security(("bearer" = []), ("token" = []), ("session" = [])),
    params(("id" = String, Path, description = "The user's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No or bad credentials", body = ErrorBody),
        (status = 403, description = "Not an admin, or your own account", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
    ),
)]
async fn remove(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    service::delete(&state, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
