//! Server function responses. The framework answers 500 when it cannot even decode a
//! request's arguments; that is bad input, so it becomes 400 here, in one place.

use axum::{
    body::{to_bytes, Body},
    extract::Request,
    http::StatusCode,
    middleware::Next,
    response::Response,
};

/// The header server_fn puts on every error response.
const SERVER_FN_ERROR: &str = "serverfnerror";
/// Error bodies are small JSON values; anything larger is left alone.
const MAX_ERROR_BODY: usize = 64 * 1024;

pub async fn bad_arguments_are_400(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR || !response.headers().contains_key(SERVER_FN_ERROR) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        return Response::from_parts(parts, Body::empty());
    };
    // `AppError::Transport` is what server_fn's own decoding failures turn into.
    if bytes.starts_with(br#"{"Transport""#) {
        parts.status = StatusCode::BAD_REQUEST;
    }
    Response::from_parts(parts, Body::from(bytes))
}
