//! The chat's HTTP surface: the socket (`ws`) and the REST endpoints beside it (`rest`),
//! both in the OpenAPI description under one tag.

mod rest;
mod ws;

use app::server::AppState;
use axum::routing::{get, on, MethodFilter};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::ErrorBody;

pub const TAG: &str = "Chat";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(socket))
        // The address our spec's examples use.
        .route("/api/ws/chat", get(ws::upgrade))
        // WebSockets over HTTP/2 arrive as extended CONNECT (RFC 8441).
        .route("/api/ws/chat", on(MethodFilter::CONNECT, ws::upgrade))
        .route("/api/chat/ws", on(MethodFilter::CONNECT, ws::upgrade))
        .merge(rest::router())
}

/// The chat socket (WebSocket; also served at `/api/ws/chat`).
///
/// JSON text frames. Authenticate with the session cookie, `Authorization: Token|Bearer`,
/// `?token=` (a short-lived access JWT or a ticket from `POST /api/chat/ticket`, never an
/// API token), or a first frame `{"type":"authorization","token":"..."}` within 5 seconds.
/// Browsers must come from the site's own origin. Then `{"type":"connect","room_id":"general"}`
/// (with `"after_seq": N` to resume), `{"type":"message","content":"...","room_id":"..."}`,
/// `{"type":"disconnect","room_id":"..."}`, `edit`, `delete`, `typing`, `read`, `presence`
/// and `ping`. Messages arrive as `{"id","sender_id","sender_name","content","room_id",
/// "created_at","seq"}`; other frames carry a `type`: `authenticated`, `connected`,
/// `disconnected`, `user_joined`, `user_left`, `message_edited`, `message_deleted`, `ack`,
/// `typing`, `presence`, `unread`, `resync`, `pong` and `error`.
#[utoipa::path(
    get,
    path = "/api/chat/ws",
    tag = TAG,
    security((), ("bearer" = []), ("token" = []), ("session" = [])),
    params(("token" = Option<String>, Query, description = "A short-lived access JWT or a chat ticket")),
    responses(
        (status = 101, description = "Switching to the WebSocket protocol"),
        (status = 400, description = "Not a WebSocket upgrade request", body = ErrorBody),
        (status = 401, description = "A credential was sent and is not valid", body = ErrorBody),
        (status = 403, description = "A browser page from another origin", body = ErrorBody),
    ),
)]
async fn socket(
    state: axum::extract::State<AppState>,
    headers: axum::http::HeaderMap,
    query: axum::extract::Query<ws::SocketQuery>,
    session: tower_sessions::Session,
    upgrade: axum::extract::WebSocketUpgrade,
) -> axum::response::Response {
    ws::upgrade(state, headers, query, session, upgrade).await
}
