//! `/conduit/api/profiles/{username}`: read a profile, follow and unfollow.

use app::{blog::ssr::service, server::AppState};
use axum::{
    extract::{Path, State},
    Json,
};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{error::ConduitErrorBody, extract::Caller, shapes::ProfileEnvelope, ConduitError, TAG};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(profile)).routes(routes!(follow, unfollow))
}

/// A profile.
#[utoipa::path(
    get,
    path = "/conduit/api/profiles/{username}",
    tag = TAG,
    // Anonymous, or signed in for the personal fields (`favorited`, `following`).
    security((), ("token" = []), ("bearer" = []), ("session" = [])),
    params(("username" = String, Path, description = "Case-insensitive")),
    responses(
        (status = 200, description = "The profile; `following` says whether the caller follows", body = ProfileEnvelope),
        (status = 404, description = "No such user: `{\"errors\": {\"profile\": [\"not found\"]}}`", body = ConduitErrorBody),
    ),
)]
async fn profile(
    State(state): State<AppState>,
    caller: Option<Caller>,
    Path(username): Path<String>,
) -> Result<Json<ProfileEnvelope>, ConduitError> {
    let viewer = caller.map(|c| c.user);
    let profile = service::profile(&state, viewer.as_ref(), &username).await.map_err(ConduitError::about("profile"))?;
    Ok(Json(profile.into()))
}

/// Follow someone.
#[utoipa::path(
    post,
    path = "/conduit/api/profiles/{username}/follow",
    tag = TAG,
    security(("token" = []), ("bearer" = []), ("session" = [])),
    params(("username" = String, Path, description = "Case-insensitive")),
    responses(
        (status = 200, description = "Now followed (following again is harmless)", body = ProfileEnvelope),
        (status = 401, description = "No or bad credentials", body = ConduitErrorBody),
        (status = 404, description = "No such user", body = ConduitErrorBody),
        (status = 409, description = "That is you", body = ConduitErrorBody),
    ),
)]
async fn follow(
    State(state): State<AppState>,
    caller: Caller,
    Path(username): Path<String>,
) -> Result<Json<ProfileEnvelope>, ConduitError> {
    let profile =
        service::set_follow(&state, &caller.user, &username, true).await.map_err(ConduitError::about("profile"))?;
    Ok(Json(profile.into()))
}

/// Unfollow someone.
#[utoipa::path(
    delete,
    path = "/conduit/api/profiles/{username}/follow",
    tag = TAG,
    security(("token" = []), ("bearer" = []), ("session" = [])),
    params(("username" = String, Path, description = "Case-insensitive")),
    responses(
        (status = 200, description = "Not followed any more", body = ProfileEnvelope),
        (status = 401, description = "No or bad credentials", body = ConduitErrorBody),
        (status = 404, description = "No such user", body = ConduitErrorBody),
        (status = 409, description = "That is you", body = ConduitErrorBody),
    ),
)]
async fn unfollow(
    State(state): State<AppState>,
    caller: Caller,
    Path(username): Path<String>,
) -> Result<Json<ProfileEnvelope>, ConduitError> {
    let profile =
        service::set_follow(&state, &caller.user, &username, false).await.map_err(ConduitError::about("profile"))?;
    Ok(Json(profile.into()))
}
