//! `/files/…`: uploaded files, straight from storage. A file's name is its content's
//! digest, so a response never changes and is cached for a year. Images are shown
//! inline; everything else is only ever downloaded. Also the request body limits: small
//! everywhere, the configured upload size for `POST /api/uploads` and the editor's file
//! form.

use app::{
    accounts::api::UploadAvatar,
    blog::api::PostFiles,
    server::AppState,
    uploads::{
        ssr::{service, storage::FileKey},
        FILES_PATH,
    },
};
use axum::{
    body::Body,
    extract::{Path, Request, State},
    http::{header, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use leptos::server_fn::ServerFn;

use crate::{api::ErrorBody, startup::MAX_BODY_BYTES};

/// Where the JSON API takes uploads.
pub const UPLOADS_API_PATH: &str = "/api/uploads";
/// Room for anything an upload request carries besides the file itself.
const UPLOAD_SLACK_BYTES: usize = 64 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(&format!("{FILES_PATH}/{{key}}"), get(inline))
        .route(&format!("{FILES_PATH}/{{key}}/{{name}}"), get(named))
}

async fn inline(State(state): State<AppState>, Path(key): Path<String>) -> Response {
    serve(&state, &key, None).await
}

async fn named(State(state): State<AppState>, Path((key, name)): Path<(String, String)>) -> Response {
    serve(&state, &key, Some(&name)).await
}

async fn serve(state: &AppState, key: &str, name: Option<&str>) -> Response {
    let Some(key) = FileKey::parse(key) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let bytes = match state.uploads.storage.get(&key).await {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(error) => {
            tracing::error!(%error, file = %key, "could not read a stored file");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let kind = key.kind();
    let mut response = Response::new(Body::from(bytes));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind.mime()));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // Even opened directly, a stored file can run nothing and load nothing.
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{key}\"")) {
        headers.insert(header::ETAG, etag);
    }
    if !kind.is_image() || name.is_some() {
        let disposition = content_disposition(name.unwrap_or(key.as_str()));
        if let Ok(value) = HeaderValue::from_str(&disposition) {
            headers.insert(header::CONTENT_DISPOSITION, value);
        }
    }
    response
}

/// `attachment` with the name twice: plain ASCII for old clients, UTF-8 (RFC 6266) for
/// the rest.
fn content_disposition(name: &str) -> String {
    let ascii: String =
        name.chars().map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' }).collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{}", service::path_segment(name))
}

/// Refuses bodies over the limit for the path: at once when `Content-Length` says so,
/// else when reading passes it.
pub async fn body_limit(State(upload_max): State<usize>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let post = request.method() == Method::POST;
    let upload = post && path == UPLOADS_API_PATH;
    // The multipart server functions: the editor's form may carry a file in each of its
    // three file fields besides the text, the picture form one file. Each file is held
    // to the limit as it is read.
    let form_limit = match path {
        _ if !post => None,
        p if p == <PostFiles as ServerFn>::PATH => Some(3 * upload_max + MAX_BODY_BYTES),
        p if p == <UploadAvatar as ServerFn>::PATH => Some(upload_max + UPLOAD_SLACK_BYTES),
        _ => None,
    };
    if form_limit.is_some() && !is_multipart(&request) {
        return StatusCode::UNSUPPORTED_MEDIA_TYPE.into_response();
    }
    let limit = match (upload, form_limit) {
        (true, _) => upload_max + UPLOAD_SLACK_BYTES,
        (_, Some(limit)) => limit,
        _ => MAX_BODY_BYTES,
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        return if upload { file_too_large(upload_max) } else { StatusCode::PAYLOAD_TOO_LARGE.into_response() };
    }
    let request = request.map(|body| Body::new(http_body_util::Limited::new(body, limit)));
    next.run(request).await
}

/// `multipart/form-data` with a boundary: what a multipart server function can read.
fn is_multipart(request: &Request) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data") && multer::parse_boundary(v).is_ok())
}

/// The 413 for an upload, naming the limit.
pub fn file_too_large(upload_max: usize) -> Response {
    let message = format!("The file is over the {} MB limit.", upload_max / (1024 * 1024));
    let mut fields = std::collections::BTreeMap::new();
    fields.insert("file".to_string(), vec![format!("must be at most {} MB", upload_max / (1024 * 1024))]);
    ErrorBody::response(StatusCode::PAYLOAD_TOO_LARGE, message, fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downloads_name_the_file_safely() {
        assert_eq!(
            content_disposition("Report \"v2\" é.pdf"),
            "attachment; filename=\"Report _v2_ _.pdf\"; filename*=UTF-8''Report%20%22v2%22%20%C3%A9.pdf"
        );
    }
}
