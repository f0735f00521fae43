//! Server functions behind the chat page, under `/fn/chat/`: what the page loads, and the
//! forms that work without JavaScript (send, edit, delete, start and leave a
//! conversation, manage rooms). Live delivery is the socket's job, never these.

use leptos::server;

use super::model::{ChatMessage, ChatView, MessagePage, Participant, RoomSummary};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::ssr::service,
    crate::server::request::{respond, RequestContext},
};

/// The page: the lists, and the open room's latest messages (or those before `before`).
#[server(prefix = "/fn", endpoint = "chat/view", output = crate::codec::Json)]
pub async fn get_chat(room: Option<String>, before: Option<i64>) -> Result<ChatView, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        service::view(&ctx.state, &user, room.as_deref().filter(|r| !r.is_empty()), before).await
    })
    .await
}

/// The rooms and conversations again, after the socket said they changed.
#[server(prefix = "/fn", endpoint = "chat/rooms", output = crate::codec::Json)]
pub async fn chat_rooms() -> Result<Vec<RoomSummary>, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        service::rooms(&ctx.state, &user).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "chat/history", output = crate::codec::Json)]
pub async fn chat_history(room_id: String, before: Option<i64>, after: Option<i64>) -> Result<MessagePage, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        service::history(&ctx.state, &user, &room_id, before, after, None).await
    })
    .await
}

/// The composer without JavaScript (hydrated, the page sends over the socket).
#[server(prefix = "/fn", endpoint = "chat/send", output = crate::codec::Json)]
pub async fn send_message(room_id: String, content: String) -> Result<ChatMessage, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        service::send(&ctx.state, &user, &room_id, &content).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "chat/edit", output = crate::codec::Json)]
pub async fn edit_message(id: String, content: String) -> Result<ChatMessage, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        service::edit(&ctx.state, &user, &id, &content).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "chat/delete", output = crate::codec::Json)]
pub async fn delete_message(id: String) -> Result<ChatMessage, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        service::delete(&ctx.state, &user, &id).await
    })
    .await
}

/// Starts a conversation with the people named (usernames separated by commas or
/// spaces) and opens it.
#[server(prefix = "/fn", endpoint = "chat/start", output = crate::codec::Json)]
pub async fn start_conversation(participants: String, #[server(default)] name: String) -> Result<String, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        let names: Vec<String> =
            participants.split([',', ' ', '\n']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect();
        let room = service::start_conversation(&ctx.state, &user, &names, &name).await?;
        leptos_axum::redirect(&format!("/chat?room={}", room.id));
        Ok(room.id)
    })
    .await
}

/// Deletes (or leaves) a conversation, under the product rule.
#[server(prefix = "/fn", endpoint = "chat/leave", output = crate::codec::Json)]
pub async fn leave_conversation(room_id: String) -> Result<(), AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        service::leave_conversation(&ctx.state, &user, &room_id).await?;
        leptos_axum::redirect("/chat");
        Ok(())
    })
    .await
}

#[server(prefix = "/fn", endpoint = "chat/people", output = crate::codec::Json)]
pub async fn find_people(q: String) -> Result<Vec<Participant>, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        service::find_people(&ctx.state, &user, &q).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "chat/create-room", output = crate::codec::Json)]
pub async fn create_room(name: String) -> Result<String, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        let room = service::create_room(&ctx.state, &user, &name).await?;
        leptos_axum::redirect(&format!("/chat?room={}", room.id));
        Ok(room.id)
    })
    .await
}

/// Renames a room (when `name` is given) and sets whether it is archived.
#[server(prefix = "/fn", endpoint = "chat/manage-room", output = crate::codec::Json)]
pub async fn manage_room(
    room_id: String,
    #[server(default)] name: String,
    #[server(default)] archived: String,
) -> Result<(), AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        if !name.trim().is_empty() {
            service::rename_room(&ctx.state, &user, &room_id, &name).await?;
        }
        service::archive_room(&ctx.state, &user, &room_id, matches!(archived.as_str(), "true" | "on")).await?;
        Ok(())
    })
    .await
}
