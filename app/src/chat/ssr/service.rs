//! The chat's rules, for the socket, the REST API and the page's forms alike. Each rule
//! that could race (numbering, the last participant, "unanswered", deleting a
//! conversation) runs in a transaction that first locks the room's row.

use std::collections::HashMap;

use super::{
    hub::frame_for,
    repo::{self, NewMessage, NewRoom, RoomRow},
};
use crate::{
    accounts::{ssr::repo::UserRecord, validation::FieldErrors, Role},
    chat::{
        model::{
            ChatKind, ChatMessage, ChatView, MessageFrame, MessagePage, Participant, PresenceState, RoomSummary,
            ServerFrame, EDIT_WINDOW_MS, GROUP_MAX, PAGE_DEFAULT, PAGE_MAX,
        },
        validation,
    },
    error::AppError,
    server::{clock::now_ms, db::RecordId, AppState},
};

fn room_not_found() -> AppError {
    AppError::NotFound("There is no such room or conversation.".into())
}

fn message_not_found() -> AppError {
    AppError::NotFound("There is no such message.".into())
}

pub fn display_name(user: &UserRecord) -> &str {
    user.name.as_deref().unwrap_or(&user.username)
}

/// A room id from a request: `general`-like names or generated ids, nothing else.
fn room_key(raw: &str) -> Result<&str, AppError> {
    let ok = !raw.is_empty()
        && raw.len() <= 64
        && raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok {
        Ok(raw)
    } else {
        Err(room_not_found())
    }
}

/// The room as the user may see it: public rooms for everyone signed in, conversations
/// for their participants only (others are told it does not exist).
pub async fn visible_room(state: &AppState, user: &UserRecord, room_id: &str) -> Result<RoomRow, AppError> {
    let room_id = room_key(room_id)?;
    let room = repo::room(state.db.pool(), &user.id, room_id).await?.ok_or_else(room_not_found)?;
    if room.kind().is_conversation() && room.last_read_seq.is_none() {
        return Err(room_not_found());
    }
    Ok(room)
}

/// Rooms and the user's conversations, with unread counts and participants.
pub async fn rooms(state: &AppState, user: &UserRecord) -> Result<Vec<RoomSummary>, AppError> {
    let rows = repo::rooms_of(state.db.pool(), &user.id).await?;
    // Per conversation: its participants, and how many others could read a message.
    let mut participants: HashMap<String, (Vec<Participant>, usize)> = HashMap::new();
    if rows.iter().any(|r| r.kind().is_conversation()) {
        for (room, person, active) in repo::participants(state.db.pool(), &user.id).await? {
            let entry = participants.entry(room).or_default();
            entry.1 += usize::from(active && person.user_id != user.id);
            entry.0.push(person);
        }
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let (people, readers) = participants.remove(&row.id).unwrap_or_default();
            row.summary(people, readers, &user.id)
        })
        .collect())
}

/// A page of a room's history (oldest first): before `before`, after `after`, or the
/// latest.
pub async fn history(
    state: &AppState,
    user: &UserRecord,
    room_id: &str,
    before: Option<i64>,
    after: Option<i64>,
    limit: Option<i64>,
) -> Result<MessagePage, AppError> {
    let mut errors = FieldErrors::new();
    let limit = limit.unwrap_or(PAGE_DEFAULT);
    if !(1..=PAGE_MAX).contains(&limit) {
        errors.add("limit", format!("must be from 1 to {PAGE_MAX}"));
    }
    if before.is_some() && after.is_some() {
        errors.add("before", "cannot be combined with after");
    }
    if before.is_some_and(|b| b < 1) || after.is_some_and(|a| a < 0) {
        errors.add(if before.is_some() { "before" } else { "after" }, "must not be negative");
    }
    errors.into_result().map_err(AppError::invalid)?;
    let room = visible_room(state, user, room_id).await?;
    let rows = match after {
        Some(after) => repo::page_after(state.db.pool(), &room.id, after, limit).await?,
        None => repo::page_before(state.db.pool(), &room.id, before, limit + 1).await?,
    };
    let mut messages: Vec<ChatMessage> = rows.into_iter().map(Into::into).collect();
    let has_older = after.is_none() && messages.len() as i64 > limit;
    if has_older {
        messages.remove(0);
    }
    let has_older = has_older || after.is_some_and(|_| messages.first().is_some_and(|m| m.seq > 1));
    Ok(MessagePage { room_id: room.id, messages, has_older, last_seq: room.last_seq })
}

/// Everything the chat page shows, for the room `open` (the first room by default): its
/// latest messages, or those before `before`.
pub async fn view(
    state: &AppState,
    user: &UserRecord,
    open: Option<&str>,
    before: Option<i64>,
) -> Result<ChatView, AppError> {
    let all = rooms(state, user).await?;
    let (mut rooms, mut conversations): (Vec<_>, Vec<_>) = all.into_iter().partition(|r| r.kind == ChatKind::Room);
    let open = match open {
        Some(id) => rooms.iter_mut().chain(conversations.iter_mut()).find(|r| r.id == id).ok_or_else(room_not_found)?,
        None => match rooms.first_mut() {
            Some(first) => first,
            None => return Err(room_not_found()),
        },
    };
    // Opening a public room joins it.
    if !open.member {
        join_room(state, user, &open.id).await?;
        open.member = true;
    }
    let open = open.clone();
    let history = history(state, user, &open.id, before, None, None).await?;
    // Showing the latest messages reads them.
    if before.is_none() && open.unread > 0 {
        repo::mark_read(state.db.pool(), &open.id, &user.id, history.last_seq).await?;
    }
    let online = online(state, user).await?;
    Ok(ChatView {
        user_id: user.id.clone(),
        username: user.username.clone(),
        user_name: display_name(user).to_string(),
        rooms,
        conversations,
        open,
        history,
        online,
        admin: user.role == Role::Admin,
    })
}

/// Who else is online, in any process.
pub async fn online(state: &AppState, user: &UserRecord) -> Result<Vec<(Participant, PresenceState)>, AppError> {
    let since = now_ms() - state.chat.settings().presence_stale.as_millis() as i64;
    Ok(repo::online(state.db.pool(), since)
        .await?
        .into_iter()
        .filter(|(p, _)| p.user_id != user.id)
        .map(|(p, s)| (p, PresenceState::parse(&s).unwrap_or(PresenceState::Online)))
        .collect())
}

/// Joins a public room (idempotent); conversations are joined by being added.
pub async fn join_room(state: &AppState, user: &UserRecord, room_id: &str) -> Result<RoomRow, AppError> {
    let room = visible_room(state, user, room_id).await?;
    if room.kind() == ChatKind::Room && room.last_read_seq.is_none() {
        repo::join(state.db.pool(), &room.id, &user.id, now_ms()).await?;
    }
    Ok(room)
}

/// Stores a message and hands it to every socket. The sender learns it was sent once it
/// is committed.
pub async fn send(state: &AppState, user: &UserRecord, room_id: &str, content: &str) -> Result<ChatMessage, AppError> {
    let mut errors = FieldErrors::new();
    let Some(content) = errors.check("content", validation::message(content)) else {
        return Err(AppError::invalid(errors).with_values([("content", content)]));
    };
    let room = visible_room(state, user, room_id).await?;
    if room.archived_at_ms.is_some() {
        return Err(archived());
    }
    let now = now_ms();
    let id: String = RecordId::new_ordered().into();
    let mut tx = state.db.begin().await?;
    let Some(seq) = repo::next_seq(&mut tx, &room.id, now, true).await? else {
        return Err(archived());
    };
    match room.kind() {
        ChatKind::Room => repo::join(&mut *tx, &room.id, &user.id, now).await?,
        _ => {
            // Checked after the lock: a participant leaving at the same moment is
            // either already gone (refused) or waits for this message.
            let (member, others) = repo::membership(&mut tx, &room.id, &user.id).await?;
            if !member {
                return Err(room_not_found());
            }
            if others == 0 {
                return Err(AppError::Conflict(
                    "You are the only one left in this conversation: nobody would read your message.".into(),
                ));
            }
        }
    }
    let message = NewMessage {
        id: &id,
        room_id: &room.id,
        seq,
        sender_id: &user.id,
        sender_name: display_name(user),
        content: &content,
        now_ms: now,
    };
    repo::insert_message(&mut tx, &message).await?;
    repo::mark_read(&mut *tx, &room.id, &user.id, seq).await?;
    state.chat.bus().committed(&mut tx, &room.id, seq).await?;
    tx.commit().await?;
    state.metrics.chat_message();
    let stored = ChatMessage {
        id,
        sender_id: Some(user.id.clone()),
        sender_name: display_name(user).to_string(),
        content,
        room_id: room.id,
        created_at: crate::blog::model::iso_datetime(now),
        seq,
        event_seq: seq,
        edited_at: None,
        deleted: false,
        created_at_ms: now,
    };
    let text = serde_json::to_string(&MessageFrame::of(&stored)).expect("frames serialise");
    state.chat.committed(&stored.room_id, seq, text);
    Ok(stored)
}

fn archived() -> AppError {
    AppError::Forbidden("This room is archived: it can be read but not written to.".into())
}

/// What the sender may still do to a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Edit,
    Delete,
}

/// Edits a message: its sender, within 5 hours, while nobody else has posted after it.
pub async fn edit(
    state: &AppState,
    user: &UserRecord,
    message_id: &str,
    content: &str,
) -> Result<ChatMessage, AppError> {
    let mut errors = FieldErrors::new();
    let Some(content) = errors.check("content", validation::message(content)) else {
        return Err(AppError::invalid(errors).with_values([("content", content)]));
    };
    change(state, user, message_id, Change::Edit, &content).await
}

/// Deletes a message, leaving a stub: its sender under the edit rules, or an admin in a
/// public room at any time.
pub async fn delete(state: &AppState, user: &UserRecord, message_id: &str) -> Result<ChatMessage, AppError> {
    change(state, user, message_id, Change::Delete, "").await
}

async fn change(
    state: &AppState,
    user: &UserRecord,
    message_id: &str,
    change: Change,
    content: &str,
) -> Result<ChatMessage, AppError> {
    let id = RecordId::parse(message_id).ok_or_else(message_not_found)?;
    let found = repo::message(state.db.pool(), id.as_str()).await?.ok_or_else(message_not_found)?;
    let room = visible_room(state, user, &found.room_id).await.map_err(|_| message_not_found())?;
    if room.archived_at_ms.is_some() {
        return Err(archived());
    }
    let now = now_ms();
    let mut tx = state.db.begin().await?;
    let Some(seq) = repo::next_seq(&mut tx, &room.id, now, false).await? else {
        return Err(archived());
    };
    // Read again under the room's lock: a reply committed meanwhile is seen.
    let message = repo::message(&mut *tx, id.as_str()).await?.ok_or_else(message_not_found)?;
    if message.deleted_at_ms.is_some() {
        return Err(AppError::Conflict("This message was already deleted.".into()));
    }
    let own = message.sender_id.as_deref() == Some(user.id.as_str());
    let moderating = change == Change::Delete && user.role == Role::Admin && room.kind() == ChatKind::Room;
    if !moderating {
        if !own {
            return Err(AppError::Forbidden("Only its sender may change a message.".into()));
        }
        if message.created_at_ms < now - EDIT_WINDOW_MS {
            return Err(AppError::Conflict("Messages can be changed only within 5 hours of sending.".into()));
        }
        if repo::answered(&mut tx, &message).await? {
            return Err(AppError::Conflict(
                "Someone has answered since, so this message can no longer be changed.".into(),
            ));
        }
    }
    match change {
        Change::Edit => repo::edit_message(&mut tx, &message.id, content, seq, now).await?,
        Change::Delete => repo::delete_message(&mut tx, &message.id, seq, now).await?,
    }
    state.chat.bus().committed(&mut tx, &room.id, seq).await?;
    tx.commit().await?;
    let changed = repo::message(state.db.pool(), &message.id).await?.ok_or_else(message_not_found)?;
    let (event_seq, text) = frame_for(changed.clone(), changed.seq);
    state.chat.committed(&room.id, event_seq, text);
    Ok(changed.into())
}

/// Starts a conversation with the people named (usernames): direct with one, a group
/// with more. An existing direct conversation with that person is reused (and rejoined
/// if the user had deleted it).
pub async fn start_conversation(
    state: &AppState,
    user: &UserRecord,
    usernames: &[String],
    name: &str,
) -> Result<RoomSummary, AppError> {
    let mut errors = FieldErrors::new();
    let mut people: Vec<Participant> = Vec::new();
    for raw in usernames.iter().map(|u| u.trim().trim_start_matches('@')).filter(|u| !u.is_empty()) {
        if raw.chars().count() > 40 || raw.chars().any(char::is_control) {
            errors.add("participants", "must be usernames");
            continue;
        }
        match repo::active_user_by_username(state.db.pool(), raw).await? {
            Some(person) if person.user_id == user.id => {}
            Some(person) if !people.iter().any(|p| p.user_id == person.user_id) => people.push(person),
            Some(_) => {}
            None => errors.add("participants", format!("has no one named \"{raw}\"")),
        }
    }
    if people.is_empty() && errors.is_empty() {
        errors.add("participants", "must name at least one other person");
    }
    if people.len() + 1 > GROUP_MAX {
        errors.add("participants", format!("must be at most {GROUP_MAX} people, you included"));
    }
    let name = name.trim();
    if !name.is_empty() {
        if let Err(problems) = validation::room_name(name) {
            errors.extend("name", problems);
        }
    }
    errors
        .into_result()
        .map_err(|e| AppError::invalid(e).with_values([("participants", &usernames.join(", ")[..])]))?;
    let now = now_ms();
    let (kind, direct_key) = if people.len() == 1 {
        let mut pair = [user.id.as_str(), people[0].user_id.as_str()];
        pair.sort();
        (ChatKind::Direct, Some(pair.join(":")))
    } else {
        (ChatKind::Group, None)
    };
    if let Some(key) = &direct_key {
        if let Some(existing) = repo::direct(state.db.pool(), key).await? {
            return rejoin_direct(state, user, &existing, &people[0]).await;
        }
    }
    let id: String = RecordId::new_ordered().into();
    let result: Result<(), sqlx::Error> = async {
        let mut tx = state.db.begin().await?;
        let room =
            NewRoom { id: &id, kind, name, direct_key: direct_key.as_deref(), created_by: &user.id, now_ms: now };
        repo::insert_room(&mut *tx, &room).await?;
        repo::join(&mut *tx, &id, &user.id, now).await?;
        for person in &people {
            repo::join(&mut *tx, &id, &person.user_id, now).await?;
        }
        tx.commit().await
    }
    .await;
    match result {
        Ok(()) => {
            let room = summary_of(state, user, &id).await?;
            announce_conversation(state, &room).await;
            Ok(room)
        }
        // Two people opened the same direct conversation at once: use the one that won.
        Err(error) if crate::server::db::unique_violation(&error).is_some() => {
            let key = direct_key.ok_or(AppError::Internal)?;
            let existing = repo::direct(state.db.pool(), &key).await?.ok_or(AppError::Internal)?;
            rejoin_direct(state, user, &existing, &people[0]).await
        }
        Err(error) => Err(error.into()),
    }
}

/// Opens the existing direct conversation with `other`: both take part in it again if
/// either had deleted it (the history is kept).
async fn rejoin_direct(
    state: &AppState,
    user: &UserRecord,
    room_id: &str,
    other: &Participant,
) -> Result<RoomSummary, AppError> {
    let now = now_ms();
    repo::join(state.db.pool(), room_id, &user.id, now).await?;
    repo::join(state.db.pool(), room_id, &other.user_id, now).await?;
    let room = summary_of(state, user, room_id).await?;
    announce_conversation(state, &room).await;
    Ok(room)
}

/// Tells every participant's open pages that the conversation is theirs now.
async fn announce_conversation(state: &AppState, room: &RoomSummary) {
    let frame = ServerFrame::RoomsChanged { room_id: room.id.clone() };
    for person in &room.participants {
        state.chat.to_user(&person.user_id, &frame).await;
    }
}

/// Tells every page that the public rooms changed.
async fn announce_room(state: &AppState, room: RoomSummary) -> RoomSummary {
    state.chat.to_everyone(&ServerFrame::RoomsChanged { room_id: room.id.clone() }).await;
    room
}

async fn summary_of(state: &AppState, user: &UserRecord, room_id: &str) -> Result<RoomSummary, AppError> {
    rooms(state, user).await?.into_iter().find(|r| r.id == room_id).ok_or_else(room_not_found)
}

/// What deleting a conversation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Departure {
    /// The user left; the others keep the history.
    Left,
    /// The user was the last participant: the conversation and its messages are gone.
    Deleted,
}

/// The product rule for deleting (or leaving) a conversation: the user stops being a
/// participant, unless they are the only one left, in which case it is deleted. Two
/// participants deleting at once are serialised by the room's lock: one leaves, the
/// other (now alone) deletes it.
pub async fn leave_conversation(state: &AppState, user: &UserRecord, room_id: &str) -> Result<Departure, AppError> {
    let room_id = room_key(room_id)?;
    let mut tx = state.db.begin().await?;
    if repo::lock_conversation(&mut tx, room_id).await?.is_none() {
        return Err(room_not_found());
    }
    let (member, _) = repo::membership(&mut tx, room_id, &user.id).await?;
    if !member {
        return Err(room_not_found());
    }
    let departure = if repo::member_count(&mut tx, room_id).await? <= 1 {
        repo::delete_room(&mut *tx, room_id).await?;
        Departure::Deleted
    } else {
        repo::remove_member(&mut *tx, room_id, &user.id).await?;
        Departure::Left
    };
    tx.commit().await?;
    state.chat.to_user(&user.id, &ServerFrame::RoomsChanged { room_id: room_id.to_string() }).await;
    let frame = ServerFrame::UserLeft {
        room_id: room_id.to_string(),
        user_id: user.id.clone(),
        user_name: display_name(user).to_string(),
    };
    state.chat.ephemeral(room_id, &frame).await;
    Ok(departure)
}

/// Records how far the user has read; the new unread count.
pub async fn mark_read(state: &AppState, user: &UserRecord, room_id: &str, seq: i64) -> Result<ServerFrame, AppError> {
    let room = visible_room(state, user, room_id).await?;
    let seq = seq.clamp(0, room.last_seq);
    repo::mark_read(state.db.pool(), &room.id, &user.id, seq).await?;
    let room = visible_room(state, user, &room.id).await?;
    Ok(ServerFrame::Unread { room_id: room.id, unread: room.unread, last_read_seq: room.last_read_seq.unwrap_or(0) })
}

/// People to start a conversation with.
pub async fn find_people(state: &AppState, user: &UserRecord, prefix: &str) -> Result<Vec<Participant>, AppError> {
    let prefix = prefix.trim().trim_start_matches('@');
    if prefix.is_empty() || prefix.chars().count() > 40 || prefix.chars().any(char::is_control) {
        return Ok(Vec::new());
    }
    Ok(repo::find_people(state.db.pool(), prefix, &user.id, 10).await?)
}

// ---- Rooms (admins) -------------------------------------------------------------------------

fn require_admin(user: &UserRecord) -> Result<(), AppError> {
    if user.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::Forbidden("Only administrators may manage rooms.".into()))
    }
}

/// A new public room; its id is made from the name.
pub async fn create_room(state: &AppState, user: &UserRecord, name: &str) -> Result<RoomSummary, AppError> {
    require_admin(user)?;
    let mut errors = FieldErrors::new();
    let Some(name) = errors.check("name", validation::room_name(name)) else {
        return Err(AppError::invalid(errors).with_values([("name", name)]));
    };
    let base = crate::blog::ssr::slug::slugify(&name, 40);
    let base = if base.is_empty() { "room".to_string() } else { base };
    let now = now_ms();
    for n in 1..=50 {
        let id = crate::blog::ssr::slug::candidate(&base, n);
        let room =
            NewRoom { id: &id, kind: ChatKind::Room, name: &name, direct_key: None, created_by: &user.id, now_ms: now };
        match repo::insert_room(state.db.pool(), &room).await {
            Ok(()) => return Ok(announce_room(state, summary_of(state, user, &id).await?).await),
            Err(error) if crate::server::db::unique_violation(&error).is_some() => continue,
            Err(error) => return Err(error.into()),
        }
    }
    Err(AppError::Conflict("Too many rooms have that name already.".into()))
}

pub async fn rename_room(
    state: &AppState,
    user: &UserRecord,
    room_id: &str,
    name: &str,
) -> Result<RoomSummary, AppError> {
    require_admin(user)?;
    let mut errors = FieldErrors::new();
    let Some(name) = errors.check("name", validation::room_name(name)) else {
        return Err(AppError::invalid(errors).with_values([("name", name)]));
    };
    if !repo::rename_room(state.db.pool(), room_key(room_id)?, &name).await? {
        return Err(room_not_found());
    }
    Ok(announce_room(state, summary_of(state, user, room_id).await?).await)
}

pub async fn archive_room(
    state: &AppState,
    user: &UserRecord,
    room_id: &str,
    archived: bool,
) -> Result<RoomSummary, AppError> {
    require_admin(user)?;
    if !repo::set_archived(state.db.pool(), room_key(room_id)?, archived, now_ms()).await? {
        return Err(room_not_found());
    }
    Ok(announce_room(state, summary_of(state, user, room_id).await?).await)
}

#[cfg(test)]
mod tests {
    use super::room_key;

    #[test]
    fn only_room_shaped_ids_reach_sql() {
        assert!(room_key("general").is_ok());
        assert!(room_key("0193a7e2-1c7d-7cc0-9a55-0d1f8a2b3c4d").is_ok());
        for bad in ["", "General", "a/b", "x'; DROP TABLE chat_rooms; --", &"a".repeat(65), "\0"] {
            assert!(room_key(bad).is_err(), "{bad:?}");
        }
    }
}
