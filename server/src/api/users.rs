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
    routing::get,
    Json, Router,
};
use secrecy::SecretString;
use serde::Deserialize;

use super::{error::ApiJson, extract::ApiUser, ApiError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/users", get(list).post(create))
        .route("/api/users/statistics", get(statistics))
        .route("/api/users/role/{role}", get(by_role))
        .route("/api/users/{id}", get(read).put(update).delete(remove))
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
    // Ranges are the service's rules; checked here too so every problem is named at once.
    if limit.is_some_and(|l| !(1..=service::MAX_PAGE).contains(&l)) {
        errors.add("limit", format!("must be from 1 to {}", service::MAX_PAGE));
    }
    if offset.is_some_and(|o| o < 0) {
        errors.add("offset", "must not be negative");
    }
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
    errors.into_result().map_err(AppError::invalid)?;
    Ok((UserFilter { role, active, q: params.get("q").cloned() }, limit, offset))
}

async fn list(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<UserPage>, ApiError> {
    let (filter, limit, offset) = filter_from(&params)?;
    Ok(Json(service::list(&state, &actor, &filter, limit, offset).await?))
}

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

async fn statistics(State(state): State<AppState>, ApiUser(actor): ApiUser) -> Result<Json<UserStatistics>, ApiError> {
    Ok(Json(service::statistics(&state, &actor).await?))
}

async fn read(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<ManagedUser>, ApiError> {
    Ok(Json(service::get(&state, &actor, &id).await?))
}

#[derive(Deserialize)]
struct CreateUser {
    username: String,
    email: String,
    password: String,
    #[serde(default)]
    role: Option<Role>,
    #[serde(default)]
    full_name: Option<String>,
    #[serde(default)]
    phone_number: Option<String>,
}

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

async fn update(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(changes): ApiJson<UserChanges>,
) -> Result<Json<ManagedUser>, ApiError> {
    Ok(Json(service::update(&state, &actor, &id, changes).await?))
}

async fn remove(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    service::delete(&state, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
