//! Every API error as JSON: `{"error": true, "status": 400, "message": "...", "fields":
//! {"password": ["must contain a symbol"]}}`, with the status the error implies.

use app::{error::AppError, server::request::status_of};
use axum::{
    extract::{rejection::JsonRejection, FromRequest, Request},
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde_json::json;

#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        Self(error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = status_of(&self.0);
        let body = json!({
            "error": true,
            "status": status.as_u16(),
            "message": self.0.to_string(),
            "fields": self.0.field_errors().0,
        });
        let mut response = (status, Json(body)).into_response();
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
                let body = json!({
                    "error": true,
                    "status": status.as_u16(),
                    "message": rejection.body_text(),
                    "fields": {},
                });
                Err((status, Json(body)).into_response())
            }
        }
    }
}
