//! RealWorld error bodies: `{"errors": {"<key>": ["<message>"]}}` with the status the
//! spec gives each case (401 missing or bad token, 403, 404, 409 taken, 422 invalid).

use std::collections::BTreeMap;

use app::{
    accounts::validation::{is_taken, REQUIRED},
    error::AppError,
};
use axum::{
    body::Body,
    extract::Request,
    http::{header, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every RealWorld error.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"errors": {"title": ["can't be blank"]}}))]
pub struct ConduitErrorBody {
    /// Messages per field or topic (`body`, `title`, `token`, `article`, `credentials`…).
    pub errors: BTreeMap<String, Vec<String>>,
}

#[derive(Debug)]
pub struct ConduitError {
    pub status: StatusCode,
    pub errors: BTreeMap<String, Vec<String>>,
    pub retry_after: Option<u64>,
}

impl ConduitError {
    pub fn new(status: StatusCode, key: &str, message: impl Into<String>) -> Self {
        Self { status, errors: BTreeMap::from([(key.to_string(), vec![message.into()])]), retry_after: None }
    }

    pub fn missing_token() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "token", "is missing")
    }

    pub fn invalid(key: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, key, message)
    }

    /// 422 with several messages about one field.
    pub fn invalid_all(key: &str, messages: Vec<String>) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            errors: BTreeMap::from([(key.to_string(), messages)]),
            retry_after: None,
        }
    }

    /// 422 naming every blank required field; `None` when there is none.
    pub fn blank(fields: &[&str]) -> Option<Self> {
        (!fields.is_empty()).then(|| Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            errors: fields.iter().map(|field| (field.to_string(), vec!["can't be blank".to_string()])).collect(),
            retry_after: None,
        })
    }

    /// Translates a service error, naming `resource` (`article`, `comment`, `profile`)
    /// for "not found" and "forbidden", as the spec's bodies do.
    pub fn about(resource: &'static str) -> impl Fn(AppError) -> Self {
        move |error| Self::from_app(error, resource)
    }

    fn from_app(error: AppError, resource: &str) -> Self {
        match error {
            AppError::Invalid { fields, .. } => {
                let taken = fields.0.values().flatten().any(|m| is_taken(m));
                let errors = fields
                    .0
                    .into_iter()
                    .map(|(field, messages)| {
                        let messages = messages
                            .into_iter()
                            .map(|m| {
                                if m == REQUIRED {
                                    "can't be blank".to_string()
                                } else if is_taken(&m) {
                                    "has already been taken".to_string()
                                } else {
                                    m
                                }
                            })
                            .collect();
                        (rename_field(&field).to_string(), messages)
                    })
                    .collect();
                let status = if taken { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
                Self { status, errors, retry_after: None }
            }
            AppError::BadCredentials { .. } => Self::new(StatusCode::UNAUTHORIZED, "credentials", "invalid"),
            AppError::Unauthorized(message) => Self::new(StatusCode::UNAUTHORIZED, "token", message),
            AppError::NotActivated => {
                Self::new(StatusCode::FORBIDDEN, "credentials", error_text(&AppError::NotActivated))
            }
            // About a resource, a refusal is a permission; otherwise it is about the
            // account (deactivated, locked).
            AppError::Forbidden(message) if resource == "request" => {
                Self::new(StatusCode::FORBIDDEN, "credentials", message)
            }
            AppError::Forbidden(_) => Self::new(StatusCode::FORBIDDEN, resource, "forbidden"),
            AppError::NotFound(_) => Self::new(StatusCode::NOT_FOUND, resource, "not found"),
            AppError::Conflict(message) => Self::new(StatusCode::CONFLICT, resource, message),
            AppError::RateLimited { retry_after_secs } => {
                let text = error_text(&AppError::RateLimited { retry_after_secs });
                Self {
                    retry_after: Some(retry_after_secs),
                    ..Self::new(StatusCode::TOO_MANY_REQUESTS, "request", text)
                }
            }
            AppError::Transport(message) => Self::new(StatusCode::BAD_REQUEST, "body", message),
            AppError::Internal => {
                Self::new(StatusCode::INTERNAL_SERVER_ERROR, "server", error_text(&AppError::Internal))
            }
        }
    }
}

fn error_text(error: &AppError) -> String {
    error.to_string()
}

/// Our field names where the RealWorld spec calls them otherwise.
fn rename_field(field: &str) -> &str {
    match field {
        "avatar_url" => "image",
        "login" => "email",
        other => other,
    }
}

impl From<sqlx::Error> for ConduitError {
    fn from(error: sqlx::Error) -> Self {
        AppError::from(error).into()
    }
}

impl From<AppError> for ConduitError {
    fn from(error: AppError) -> Self {
        Self::from_app(error, "request")
    }
}

impl IntoResponse for ConduitError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(ConduitErrorBody { errors: self.errors })).into_response();
        if let Some(secs) = self.retry_after {
            if let Ok(value) = HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}

pub async fn unknown_endpoint() -> ConduitError {
    ConduitError::new(StatusCode::NOT_FOUND, "path", "not found")
}

/// Errors under `/conduit/api` that never reached a handler (a body over the size
/// limit, a method the path does not accept) get the RealWorld error body too.
pub async fn conduit_errors(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let is_conduit = path == super::PREFIX || path.starts_with(&format!("{}/", super::PREFIX));
    let response = next.run(request).await;
    let status = response.status();
    let is_json =
        response.headers().get(header::CONTENT_TYPE).is_some_and(|value| value.as_bytes() == b"application/json");
    if !is_conduit || is_json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (key, message) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => {
            ("body", format!("is over the {} KiB limit", crate::startup::MAX_BODY_BYTES / 1024))
        }
        StatusCode::METHOD_NOT_ALLOWED => ("method", "is not accepted here; see the Allow header".to_string()),
        other => ("request", other.canonical_reason().unwrap_or("failed").to_lowercase()),
    };
    let body = ConduitErrorBody { errors: BTreeMap::from([(key.to_string(), vec![message])]) };
    let (mut parts, _) = response.into_parts();
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(serde_json::to_vec(&body).expect("an error body serialises")))
}
