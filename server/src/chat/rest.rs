//! The chat's REST side, beside the socket: rooms, history pages, conversations,
//! message edits and deletions, and tickets for `?token=`. Every handler is a door onto
//! the same rules the socket and the page use.

use std::collections::HashMap;

use app::{
    chat::{
        model::{ChatMessage, MessagePage, RoomSummary},
        ssr::{
            service::{self, Departure},
            tickets,
        },
    },
    error::AppError,
    server::{clock::now_ms, AppState},
};
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    Json,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::{error::ApiJson, extract::ApiUser, ApiError, ErrorBody};

use super::TAG;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(rooms, create_room))
        .routes(routes!(update_room))
        .routes(routes!(history, post_message))
        .routes(routes!(conversations, start_conversation))
        .routes(routes!(delete_conversation))
        .routes(routes!(leave_conversation))
        .routes(routes!(edit_message, delete_message))
        .routes(routes!(ticket))
}

/// Rooms and your conversations.
///
/// Every public room (`member` says whether you joined it) and every conversation you
/// take part in, with unread counts.
#[utoipa::path(
    get,
    path = "/api/chat/rooms",
    tag = TAG,
    security(("bearer" = []), ("token" = []), ("session" = [])),
    responses(
        (status = 200, description = "Rooms first, then conversations by latest message", body = Vec<RoomSummary>),
        (status = 401, description = "No or bad credentials", body = ErrorBody),
    ),
)]
async fn rooms(State(state): State<AppState>, ApiUser(user): ApiUser) -> Result<Json<Vec<RoomSummary>>, ApiError> {
    Ok(Json(service::rooms(&state, &user).await?))
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"name": "Rust"}))]
struct NewRoom {
    /// 2–40 characters; the room's id is made from it.
    name: String,
}

/// Create a public room (admins).
#[utoipa::path(
    post,
    path = "/api/chat/rooms",
    tag = TAG,
    security(("bearer" = []), ("token" = []), ("session" = [])),
    request_body = NewRoom,
    responses(
        (status = 201, description = "Created", body = RoomSummary),
        (status = 400, description = "The name breaks a rule", body = ErrorBody),
        (status = 401, description = "No or bad credentials", body = ErrorBody),
        (status = 403, description = "Admins only", body = ErrorBody),
    ),
)]
async fn create_room(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<NewRoom>,
) -> Result<(StatusCode, Json<RoomSummary>), ApiError> {
    Ok((StatusCode::CREATED, Json(service::create_room(&state, &user, &body.name).await?)))
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"name": "Rustaceans", "archived": false}))]
struct RoomChanges {
    /// A new name, 2–40 characters.
    #[serde(default)]
    name: Option<String>,
    /// Archived rooms can be read but not written to.
    #[serde(default)]
    archived: Option<bool>,
}

/// Rename or archive a room (admins).
#[utoipa::path(
    patch,
    path = "/api/chat/rooms/{room_id}",
    tag = TAG,
    security(("bearer" = []), ("token" = []), ("session" = [])),
    params(("room_id" = String, Path, description = "The room's id, e.g. `general`")),
    request_body = RoomChanges,
    responses(
        (status = 200, description = "The room as it is now", body = RoomSummary),
        (status = 400, description = "The name breaks a rule", body = ErrorBody),
        (status = 401, description = "No or bad credentials", body = ErrorBody),
        (status = 403, description = "Admins only", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
    ),
)]
async fn update_room(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(room_id): Path<String>,
    ApiJson(body): ApiJson<RoomChanges>,
) -> Result<Json<RoomSummary>, ApiError> {
    let mut room = None;
    if let Some(name) = &body.name {
        room = Some(service::rename_room(&state, &user, &room_id, name).await?);
    }
    if let Some(archived) = body.archived {
        room = Some(service::archive_room(&state, &user, &room_id, archived).await?);
    }
    match room {
        Some(room) => Ok(Json(room)),
        None => {
            let mut errors = app::accounts::validation::FieldErrors::new();
            errors.add("name", "or archived is required");
            Err(AppError::invalid(errors).into())
        }
    }
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct HistoryQuery {
    /// Messages before this `seq` (older history).
    before: Option<i64>,
    /// Messages after this `seq`.
    after: Option<i64>,
    /// 1 to 200 (default 50).
    limit: Option<i64>,
}

/// Parses whole-number query parameters, naming each that is not one.
fn numbers(params: &HashMap<String, String>, names: &[&str]) -> Result<Vec<Option<i64>>, AppError> {
    let mut errors = app::accounts::validation::FieldErrors::new();
    let values = names
        .iter()
        .map(|name| {
            params.get(*name).and_then(|raw| {
                let parsed = raw.trim().parse::<i64>().ok();
                if parsed.is_none() {
                    errors.add(name, "must be a whole number");
                }
                parsed
            })
        })
        .collect();
    errors.into_result().map_err(AppError::invalid)?;
    Ok(values)
}

/// A page of a room's history, oldest first.
#[utoipa::path(
    get,
    path = "/api/chat/rooms/{room_id}/messages",
    tag = TAG,
    security(("bearer" = []), ("token" = []), ("session" = [])),
    params(("room_id" = String, Path, description = "A room's or conversation's id"), HistoryQuery),
    responses(
        (status = 200, description = "Messages; deleted ones are stubs with empty content", body = MessagePage),
        (status = 400, description = "A parameter breaks a rule", body = ErrorBody),
        (status = 401, description = "No or bad credentials", body = ErrorBody),
        (status = 404, description = "No such room, or a conversation you are not in", body = ErrorBody),
    ),
)]
async fn history(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(room_id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<MessagePage>, ApiError> {
    let values = numbers(&params, &["before", "after", "limit"])?;
    Ok(Json(service::history(&state, &user, &room_id, values[0], values[1], values[2]).await?))
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"content": "Hello, @ada!"}))]
struct NewMessage {
    /// Plain text, 1–4,000 characters.
    content: String,
}

/// Send a message (as the socket's `message` frame does).
#[utoipa::path(
    post,
    path = "/api/chat/rooms/{room_id}/messages",
    tag = TAG,
    security(("bearer" = []), ("token" = []), ("session" = [])),
    params(("room_id" = String, Path, description = "A room's or conversation's id")),
    request_body = NewMessage,
    responses(
        (status = 201, description = "Stored and delivered", body = ChatMessage),
        (status = 400, description = "The content breaks a rule", body = ErrorBody),
        (status = 401, description = "No or bad credentials", body = ErrorBody),
        (status = 403, description = "The room is archived", body = ErrorBody),
        (status = 404, description = "No such room, or a conversation you are not in", body = ErrorBody),
        (status = 409, description = "You are the only participant left", body = ErrorBody),
    ),
)]
async fn post_message(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(room_id): Path<String>,
    ApiJson(body): ApiJson<NewMessage>,
) -> Result<(StatusCode, Json<ChatMessage>), ApiError> {
    Ok((StatusCode::CREATED, Json(service::send(&state, &user, &room_id, &body.content).await?)))
}

/// Your conversations.
#[utoipa::path(
    get,
    path = "/api/chat/conversations",
    tag = TAG,
    security(("bearer" = []), ("token" = []), ("session" = [])),
    responses(
        (status = 200, description = "Latest message first", body = Vec<RoomSummary>),
        (status = 401, description = "No or bad credentials", body = ErrorBody),
    ),
)]
async fn conversations(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Vec<RoomSummary>>, ApiError> {
    let all = service::rooms(&state, &user).await?;
    Ok(Json(all.into_iter().filter(|r| r.kind.is_conversation()).collect()))
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"participants": ["grace", "linus"], "name": "Release planning"}))]
struct NewConversation {
    /// Usernames of the others: one makes a direct conversation (reused if it exists),
    /// more a group (at most 50 people, you included).
    participants: Vec<String>,
    /// A group's name (optional).
    #[serde(default)]
    name: String,
}

/// Start a conversation.
#[utoipa::path(
    post,
    path = "/api/chat/conversations",
    tag = TAG,
    security(("bearer" = []), ("token" = []), ("session" = [])),
    request_body = NewConversation,
    responses(
        (status = 201, description = "The conversation (an existing direct one is returned as it is)", body = RoomSummary),
        (status = 400, description = "Unknown people, too many, or a bad name", body = ErrorBody),
        (status = 401, description = "No or bad credentials", body = ErrorBody),
    ),
)]
async fn start_conversation(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<NewConversation>,
) -> Result<(StatusCode, Json<RoomSummary>), ApiError> {
    let room = service::start_conversation(&state, &user, &body.participants, &body.name).await?;
    Ok((StatusCode::CREATED, Json(room)))
}

#[derive(Serialize, ToSchema)]
struct DepartureBody {
    /// `left` (the others keep the history) or `deleted` (you were the last participant).
    result: &'static str,
}

async fn depart(
    state: &AppState,
    user: &app::accounts::ssr::repo::UserRecord,
    room_id: &str,
) -> Result<Json<DepartureBody>, ApiError> {
    let result = match service::leave_conversation(state, user, room_id).await? {
        Departure::Left => "left",
        Departure::Deleted => "deleted",
    };
    Ok(Json(DepartureBody { result }))
}

/// Delete a conversation for yourself.
///
/// You stop being a participant and the others keep the history; if you were the only
/// one left, the conversation and its messages are deleted.
#[utoipa::path(
    delete,
    path = "/api/chat/conversations/{room_id}",
    tag = TAG,
    security(("bearer" = []), ("token" = []), ("session" = [])),
    params(("room_id" = String, Path, description = "The conversation's id")),
    responses(
        (status = 200, description = "What happened", body = DepartureBody),
        (status = 401, description = "No or bad credentials", body = ErrorBody),
        (status = 404, description = "No such conversation, or you are not in it", body = ErrorBody),
    ),
)]
async fn delete_conversation(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(room_id): Path<String>,
) -> Result<Json<DepartureBody>, ApiError> {
    depart(&state, &user, &room_id).await
}

/// Leave a conversation (the same rule as deleting it).
#[utoipa::path(
    post,
    path = "/api/chat/conversations/{room_id}/leave",
    tag = TAG,
    security(("bearer" = []), ("token" = []), ("session" = [])),
    params(("room_id" = String, Path, description = "The conversation's id")),
    responses(
        (status = 200, description = "What happened", body = DepartureBody),
        (status = 401, description = "No or bad credentials", body = ErrorBody),
        (status = 404, description = "No such conversation, or you are not in it", body = ErrorBody),
    ),
)]
async fn leave_conversation(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(room_id): Path<String>,
) -> Result<Json<DepartureBody>, ApiError> {
    depart(&state, &user, &room_id).await
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"content": "Fixed the typo."}))]
struct MessageChanges {
    /// The new text, 1–4,000 characters.
    content: String,
}

/// Edit your message: within 5 hours of sending, while nobody else has posted after it.
#[utoipa::path(
    patch,
    path = "/api/chat/messages/{id}",
    tag = TAG,
    security(("bearer" = []), ("token" = []), ("session" = [])),
    params(("id" = String, Path, description = "The message's id")),
    request_body = MessageChanges,
    responses(
        (status = 200, description = "The message as edited (`edited_at` set)", body = ChatMessage),
        (status = 400, description = "The content breaks a rule", body = ErrorBody),
        (status = 401, description = "No or bad credentials", body = ErrorBody),
        (status = 403, description = "Not your message, or the room is archived", body = ErrorBody),
        (status = 404, description = "No such message", body = ErrorBody),
        (status = 409, description = "Too late: answered, or over 5 hours old", body = ErrorBody),
    ),
)]
async fn edit_message(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<MessageChanges>,
) -> Result<Json<ChatMessage>, ApiError> {
    Ok(Json(service::edit(&state, &user, &id, &body.content).await?))
}

/// Delete your message (same rules as editing); admins may delete any message in rooms.
///
/// A "message deleted" stub keeps its place in the history.
#[utoipa::path(
    delete,
    path = "/api/chat/messages/{id}",
    tag = TAG,
    security(("bearer" = []), ("token" = []), ("session" = [])),
    params(("id" = String, Path, description = "The message's id")),
    responses(
        (status = 200, description = "The stub", body = ChatMessage),
        (status = 401, description = "No or bad credentials", body = ErrorBody),
        (status = 403, description = "Not your message, or the room is archived", body = ErrorBody),
        (status = 404, description = "No such message", body = ErrorBody),
        (status = 409, description = "Too late: answered, or over 5 hours old", body = ErrorBody),
    ),
)]
async fn delete_message(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<ChatMessage>, ApiError> {
    Ok(Json(service::delete(&state, &user, &id).await?))
}

#[derive(Serialize, ToSchema)]
struct Ticket {
    /// Use once within `expires_in` seconds: `GET /api/chat/ws?token=<ticket>`.
    ticket: String,
    expires_in: i64,
}

/// A single-use ticket for opening the socket with `?token=`.
///
/// A URL may end up in logs, so `?token=` accepts only this or a short-lived access JWT,
/// never an API token.
#[utoipa::path(
    post,
    path = "/api/chat/ticket",
    tag = TAG,
    security(("bearer" = []), ("token" = []), ("session" = [])),
    responses(
        (status = 200, description = "The ticket", body = Ticket),
        (status = 401, description = "No or bad credentials", body = ErrorBody),
    ),
)]
async fn ticket(State(state): State<AppState>, ApiUser(user): ApiUser) -> Result<Json<Ticket>, ApiError> {
    let ticket = tickets::issue(&state, &user.id, now_ms()).await?;
    Ok(Json(Ticket { ticket, expires_in: tickets::TTL_MS / 1000 }))
}
