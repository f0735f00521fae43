//! `/api/uploads`: send a file as the request body, list yours, delete one. The same
//! service the editor and the account page use.

use std::collections::HashMap;

use app::{
    accounts::validation::FieldErrors,
    error::AppError,
    server::AppState,
    uploads::{ssr::service, Upload, UploadKind, UploadList},
};
use axum::{
    body::Body,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{error::ErrorBody, extract::ApiUser, ApiError, TAG_UPLOADS};
use crate::files::file_too_large;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(remove))
}

/// The file's bytes, as they are (no multipart, no base64).
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
struct FileBody(Vec<u8>);

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct UploadQuery {
    /// What the file is for: `image` (inside a post), `cover` (also the social card),
    /// `attachment` (kept as sent, always downloaded) or `avatar`.
    kind: UploadKind,
    /// The file's name (at most 200 characters). For an attachment its extension must fit
    /// the file's content.
    #[param(max_length = 200)]
    name: Option<String>,
}

/// Upload a file.
///
/// What the file is is decided from its bytes, never from its name or `Content-Type`.
/// Images (JPEG, PNG, WebP, GIF; no SVG) are re-encoded without their metadata at the
/// widths a page needs; a cover also gets a 1200×630 social card, an avatar square sizes.
/// Attachments may be PDF, text, ZIP or gzip files (or images) and are kept as sent.
/// An avatar becomes your profile picture at once; the one it replaces is deleted.
#[utoipa::path(
    post,
    path = "/api/uploads",
    tag = TAG_UPLOADS,
    security(("bearer" = []), ("token" = []), ("session" = [])),
    params(UploadQuery),
    request_body(content = FileBody, content_type = "application/octet-stream"),
    responses(
        (status = 201, description = "Stored", body = Upload),
        (status = 400, description = "`kind` or `name` is missing or bad, or the file is refused (wrong type, unreadable image, too many pixels, quota reached); `fields` says why", body = ErrorBody),
        (status = 401, description = "No or bad credentials", body = ErrorBody),
        (status = 413, description = "The file is over the size limit (`UPLOAD_MAX_MB`, 10 MB by default)", body = ErrorBody),
        (status = 429, description = "Too many uploads in the last hour", body = ErrorBody),
    ),
)]
async fn create(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(params): Query<HashMap<String, String>>,
    body: Body,
) -> Result<(StatusCode, Json<Upload>), Response> {
    let mut errors = FieldErrors::new();
    let kind = match params.get("kind").map(|raw| UploadKind::parse(raw)) {
        Some(Some(kind)) => Some(kind),
        Some(None) => {
            errors.add("kind", "must be image, cover, attachment or avatar");
            None
        }
        None => {
            errors.add("kind", "is required: image, cover, attachment or avatar");
            None
        }
    };
    let (Some(kind), true) = (kind, errors.is_empty()) else {
        return Err(ApiError(AppError::invalid(errors)).into_response());
    };
    let max = state.uploads.settings.max_bytes;
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(error) if is_too_large(&error) => return Err(file_too_large(max)),
        Err(_) => {
            let mut errors = FieldErrors::new();
            errors.add("file", "could not be read completely; send it again");
            return Err(ApiError(AppError::invalid(errors)).into_response());
        }
    };
    let name = params.get("name").map_or("file", String::as_str);
    let upload =
        service::upload(&state, &user, kind, name, Vec::from(bytes)).await.map_err(|e| ApiError(e).into_response())?;
    Ok((StatusCode::CREATED, Json(upload)))
}

fn is_too_large(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = source {
        if error.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = error.source();
    }
    false
}

/// Your uploads, newest first, with your quota.
#[utoipa::path(
    get,
    path = "/api/uploads",
    tag = TAG_UPLOADS,
    security(("bearer" = []), ("token" = []), ("session" = [])),
    responses(
        (status = 200, description = "Your uploads and quota", body = UploadList),
        (status = 401, description = "No or bad credentials", body = ErrorBody),
    ),
)]
async fn list(State(state): State<AppState>, ApiUser(user): ApiUser) -> Result<Json<UploadList>, ApiError> {
    Ok(Json(service::list(&state, &user).await?))
}

/// Delete an upload (yours; admins any). Its stored files go too unless another upload
/// has the same content. A file a post uses (its cover, an attachment, an image in its
/// text, in any revision) cannot be deleted: remove it from the post first; deleting the
/// post deletes the files only it used.
#[utoipa::path(
    delete,
    path = "/api/uploads/{id}",
    tag = TAG_UPLOADS,
    security(("bearer" = []), ("token" = []), ("session" = [])),
    params(("id" = String, Path, description = "The upload's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No or bad credentials", body = ErrorBody),
        (status = 404, description = "No such upload of yours", body = ErrorBody),
        (status = 409, description = "A post uses the file", body = ErrorBody),
    ),
)]
async fn remove(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    service::delete(&state, &user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
