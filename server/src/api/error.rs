//! Every API error as JSON: `{"error": true, "status": 400, "message": "...", "fields":
//! {"password": ["must contain a symbol"]}}`, with the status the error implies.

use std::collections::BTreeMap;

use app::{error::AppError, server::request::status_of};
use axum::{
    body::Body,
    extract::{rejection::JsonRejection, FromRequest, Request},
    http::{header, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;
use utoipa::{IntoResponses, ToSchema};

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "error": true,
    "status": 400,
    "message": "Some fields need attention.",
    "fields": {"password": ["must contain a symbol"]}
}))]
pub struct ErrorBody {
    /// Always `true`.
    pub error: bool,
    /// The HTTP status, repeated for clients that only see the body.
    pub status: u16,
    /// What went wrong, safe to show to a person.
    pub message: String,
    /// For bad input: the messages per request field (each names the rule broken).
    pub fields: BTreeMap<String, Vec<String>>,
}

/// How a login with a password fails, wherever it is offered.
#[derive(IntoResponses)]
#[allow(dead_code)] // Describes responses; `ApiError` builds them.
pub enum PasswordLoginFailure {
    /// Malformed body
    #[response(status = 400)]
    Malformed(ErrorBody),
    /// Wrong login or password
    #[response(status = 401)]
    BadCredentials(ErrorBody),
    /// Account not activated, deactivated or locked
    #[response(status = 403)]
    Refused(ErrorBody),
    /// Too many attempts from this address; see `Retry-After`
    #[response(status = 429)]
    RateLimited(ErrorBody),
}

impl ErrorBody {
    pub(crate) fn response(status: StatusCode, message: String, fields: BTreeMap<String, Vec<String>>) -> Response {
        (status, Json(Self { error: true, status: status.as_u16(), message, fields })).into_response()
    }
}

#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        Self(error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = ErrorBody::response(status_of(&self.0), self.0.to_string(), self.0.field_errors().0);
        if let AppError::RateLimited { retry_after_secs } = self.0 {
            if let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}

/// `Json<T>` whose rejections (malformed JSON, wrong types, wrong content type, body too
/// large) are API errors with the right 4xx status instead of plain text.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => {
                let status = match rejection.status() {
                    StatusCode::PAYLOAD_TOO_LARGE => StatusCode::PAYLOAD_TOO_LARGE,
                    StatusCode::UNSUPPORTED_MEDIA_TYPE => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    _ => StatusCode::BAD_REQUEST,
                };
                Err(ErrorBody::response(status, rejection.body_text(), BTreeMap::new()))
            }
        }
    }
}

/// Errors under `/api` that never reached a handler (a body over the size limit, a
/// method the path does not accept) get the same JSON body as every other API error;
/// their status and headers (`Allow`, the request id) are kept. Outermost layer, so it
/// sees the body-limit layer's answer too.
pub async fn json_errors(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let is_api = path == "/api" || path.starts_with("/api/");
    let response = next.run(request).await;
    let status = response.status();
    let is_json =
        response.headers().get(header::CONTENT_TYPE).is_some_and(|value| value.as_bytes() == b"application/json");
    if !is_api || is_json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let message = match status {
        StatusCode::PAYLOAD_TOO_LARGE => {
            format!("The request body is over the {} KiB limit.", crate::startup::MAX_BODY_BYTES / 1024)
        }
        StatusCode::METHOD_NOT_ALLOWED => {
            "This endpoint does not accept that method; see the Allow header.".to_string()
        }
        other => other.canonical_reason().unwrap_or("The request failed.").to_string(),
    };
    let body = ErrorBody { error: true, status: status.as_u16(), message, fields: BTreeMap::new() };
    let (mut parts, _) = response.into_parts();
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    parts.headers.remove(header::CONTENT_LENGTH);
    let bytes = serde_json::to_vec(&body).expect("an error body serialises");
    Response::from_parts(parts, Body::from(bytes))
}
