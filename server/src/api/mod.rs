//! The JSON API for non-browser clients, under `/api`. Handlers are thin doors onto the
//! same account services the pages' server functions call. Each handler carries its
//! OpenAPI description, and the routes are registered from those descriptions, so
//! `/api/openapi.json` lists exactly what the router serves.

mod accounts;
mod auth;
pub(crate) mod error;
pub(crate) mod extract;
mod uploads;
mod users;

use app::{
    docs::{self, model::ApiReference, OPENAPI_PATH},
    error::AppError,
    server::AppState,
};
use axum::{
    body::Bytes,
    http::header,
    routing::{any, get},
    Router,
};
use utoipa::{
    openapi::{
        security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
        server::Server,
        OpenApi as Description,
    },
    Modify, OpenApi,
};
use utoipa_axum::router::OpenApiRouter;

pub use error::{json_errors, ApiError, ErrorBody};
pub use extract::ClientIp;

const TAG_AUTH: &str = "Logging in";
const TAG_ACCOUNT: &str = "Your account";
const TAG_USERS: &str = "Users";
const TAG_UPLOADS: &str = "Uploads";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Commonplace API",
        description = "The same accounts as the website, for scripts and apps. Every request and \
                       response body is JSON. Errors are `{\"error\": true, \"status\", \"message\", \
                       \"fields\"}` with the status that fits: 400 bad input (with a message per \
                       field), 401 no or bad credentials, 403 not allowed, 404 missing, 405 method not \
                       accepted there, 413 body over 256 KiB, 415 not JSON, 429 too many attempts (with `Retry-After`).",
    ),
    tags(
        (name = TAG_AUTH, description = "Credentials for API clients: opaque API tokens, or JWT access/refresh pairs."),
        (name = TAG_ACCOUNT, description = "Register and manage your own account."),
        (name = TAG_USERS, description = "User administration. Admins may do everything; other users may read and update only themselves."),
        (name = TAG_UPLOADS, description = "Images, covers, attachments and avatars. Send the file as the request body; the server decides what it is from its bytes. Stored files are served under `/files/`, named by their content's SHA-256, cached for a year; anything but an image is served as a download."),
        (name = crate::chat::TAG, description = "Real-time chat: public rooms and private conversations. The socket carries messages live; these endpoints list rooms, page through history, manage conversations and change messages. Every rule is the socket's too."),
        (name = crate::conduit::TAG, description = "The blog as the public RealWorld (Conduit) API spec describes it, under `/conduit/api`, so any RealWorld frontend works against it. Errors here follow that spec: `{\"errors\": {\"<field>\": [\"<message>\"]}}` with 401 (no or bad token), 403, 404, 409 (taken) or 422 (invalid). Send an API token as `Authorization: Token <token>`. Extensions beyond the spec: `sort` (`hot`, `new`, `top` with `period`), views, comment counts, bookmarks, drafts and search."),
    ),
    components(schemas(ErrorBody)),
    modifiers(&CredentialSchemes),
)]
struct ApiDoc;

/// The three ways to authenticate, each accepted by every protected route.
struct CredentialSchemes;

impl Modify for CredentialSchemes {
    fn modify(&self, openapi: &mut Description) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "A JWT access token from `/api/auth/generate-token`, `/api/auth/refresh` or \
                         `/api/auth/login`: `Authorization: Bearer <jwt>`.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "token",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Authorization",
                "An opaque API token from `POST /api/auth/token` or the account page: \
                 `Authorization: Token <key>`.",
            ))),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "session",
                "The website's session cookie (`__Host-session` when served over https).",
            ))),
        );
    }
}

/// The API's router and its description for people, built from one list of handlers.
pub struct Api {
    pub router: Router<AppState>,
    /// The `/docs/api` page's content, read from the same description.
    pub reference: ApiReference,
}

impl Api {
    /// `public_url` is where clients reach the site; the description names it as the server.
    pub fn new(public_url: &str) -> Self {
        let (router, mut description) = OpenApiRouter::with_openapi(ApiDoc::openapi())
            .merge(auth::router())
            .merge(accounts::router())
            .merge(users::router())
            .merge(uploads::router())
            .merge(crate::chat::router())
            .merge(crate::conduit::router())
            .split_for_parts();
        description.servers = Some(vec![Server::new(public_url.trim_end_matches('/'))]);
        document_rejections(&mut description);
        // utoipa fills the licence from Cargo.toml, which names none.
        description.info.license = None;
        let spec = serde_json::to_value(&description).expect("an OpenAPI description serialises");
        let reference = docs::ssr::reference(&spec);
        let json = Bytes::from(spec.to_string());
        let router = router
            .route(OPENAPI_PATH, get(move || async move { ([(header::CONTENT_TYPE, "application/json")], json) }))
            .route("/api", any(not_found))
            .route("/api/", any(not_found))
            .route("/api/{*rest}", any(not_found));
        Self { router, reference }
    }
}

/// What any operation may answer before its handler runs, said once here, in each API's
/// own error shape: one that takes a JSON body can answer 400 (not JSON), 413 (over the
/// size limit) and 415 (not `application/json`); one that reads credentials answers 401
/// to credentials that are not valid, even where they are optional.
fn document_rejections(description: &mut Description) {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let body_rejections = [
        ("400", "The body is not valid JSON, or not of the documented shape"),
        ("413", "The body is over the 256 KiB limit"),
        ("415", "The body is not sent as `Content-Type: application/json`"),
    ];
    let credential_rejection = ("401", "Credentials were sent and are not valid, or are required here");
    for (path, item) in description.paths.paths.iter_mut() {
        let schema = if path.starts_with(crate::conduit::PREFIX) { "ConduitErrorBody" } else { "ErrorBody" };
        let response = |text: &str| {
            ResponseBuilder::new()
                .description(text)
                .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name(schema))).build())
                .build()
                .into()
        };
        let operations = [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete];
        for operation in operations.into_iter().flatten() {
            let mut add = |(status, text): (&str, &str)| {
                operation.responses.responses.entry(status.to_string()).or_insert_with(|| response(text));
            };
            match &operation.request_body {
                Some(utoipa::openapi::RefOr::T(body)) if body.content.contains_key("application/json") => {
                    body_rejections.into_iter().for_each(&mut add)
                }
                // A raw file body: any content type is taken, and its limit is its own.
                Some(_) => add(body_rejections[0]),
                None => {}
            }
            if operation.security.as_ref().is_some_and(|security| !security.is_empty()) {
                add(credential_rejection);
            }
        }
    }
}

/// Unknown API paths answer JSON too, not the HTML 404 page.
async fn not_found() -> ApiError {
    AppError::NotFound("There is no such API endpoint.".into()).into()
}
