//! The chat socket, `GET /api/chat/ws` (also `/api/ws/chat`): JSON text frames. A browser
//! is recognised by its `Origin`, which must be the site's own (or an allowed one) before
//! the upgrade; the user comes from the session cookie, `Authorization`, `?token=` (only
//! a short-lived access JWT or a single-use ticket) or a first `authorization` frame.
//! Every frame is checked against the authenticated user and the room's rules.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use app::{
    accounts::ssr::{api_tokens, jwt, repo::UserRecord, session},
    chat::{
        model::{ClientFrame, MessageFrame, PresenceState, ServerFrame, SYSTEM},
        ssr::{
            hub::{frame_for, is_room_feed, user_feed, Batch, Control, EVERYONE},
            repo, service, tickets,
        },
    },
    error::AppError,
    server::{
        clock::{now, now_ms},
        request::{authenticate, Credential},
        AppState,
    },
};
use axum::{
    extract::{
        ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade},
        Query, State,
    },
    http::{header, HeaderMap},
    response::{IntoResponse, Response},
};
use futures_util::{FutureExt, SinkExt, StreamExt};
use tokio::sync::mpsc;
use tokio_stream::{
    wrappers::{errors::BroadcastStreamRecvError, BroadcastStream},
    StreamMap,
};
use tower_sessions::Session;

use crate::api::ApiError;

/// A socket that sends nothing (not even a pong) this long is gone.
const IDLE_LIMIT: Duration = Duration::from_secs(75);
const PING_EVERY: Duration = Duration::from_secs(30);
/// At most one typing notice per room this often.
const TYPING_EVERY: Duration = Duration::from_secs(2);

#[derive(serde::Deserialize)]
pub struct SocketQuery {
    token: Option<String>,
}

/// Whether a browser page from `origin` may open a socket.
fn origin_allowed(state: &AppState, origin: &str) -> bool {
    crate::cors::Origins::new(&state.accounts.public_url, &state.chat.settings().allowed_origins).trusts(origin)
}

/// Who a token names: an access JWT, a ticket, or (only where `api_tokens` is allowed)
/// an API token.
async fn user_of_token(
    state: &AppState,
    token: &str,
    api_tokens_allowed: bool,
) -> Result<Option<UserRecord>, AppError> {
    if tickets::looks_like_ticket(token) {
        let Some(user_id) = tickets::redeem(state, token, now_ms()).await? else { return Ok(None) };
        let user = app::accounts::ssr::repo::find_by_id(state.db.pool(), &user_id).await?;
        return Ok(user.filter(|u| u.may_sign_in(state.accounts.login_requires_activation)));
    }
    if token.starts_with("cpt_") {
        return if api_tokens_allowed { api_tokens::authenticate(state, token, now()).await } else { Ok(None) };
    }
    jwt::authenticate(state, token).await
}

pub async fn upgrade(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<SocketQuery>,
    session: Session,
    ws: WebSocketUpgrade,
) -> Response {
    if let Some(origin) = headers.get(header::ORIGIN) {
        let allowed = origin.to_str().is_ok_and(|o| origin_allowed(&state, o));
        if !allowed {
            return ApiError(AppError::Forbidden("This page may not open a chat connection.".into())).into_response();
        }
    }
    // A credential in the URL or the header decides before the upgrade; without one,
    // the session cookie, else the first frame.
    let pre = match (&query.token, Credential::from_headers(&headers)) {
        (Some(token), _) => match user_of_token(&state, token, false).await {
            Ok(Some(user)) => Some((user, None)),
            Ok(None) => {
                return ApiError(AppError::Unauthorized(
                    "The token in the address is not valid here: use a short-lived access token or a chat ticket."
                        .into(),
                ))
                .into_response()
            }
            Err(error) => return ApiError(error).into_response(),
        },
        (None, Some(credential)) => match authenticate(&state, Some(&credential), &session).await {
            Ok(Some(user)) => Some((user, None)),
            Ok(None) => {
                return ApiError(AppError::Unauthorized("Log in first, or send a valid token.".into())).into_response()
            }
            Err(error) => return ApiError(error).into_response(),
        },
        (None, None) => match session::current_user(&state, &session, now()).await {
            Ok(Some(user)) => Some((user, session.id().map(|id| id.to_string()))),
            Ok(None) => None,
            Err(error) => return ApiError(error).into_response(),
        },
    };
    let settings = state.chat.settings();
    ws.max_message_size(settings.max_frame)
        .max_frame_size(settings.max_frame)
        // Small buffers: an idle socket should cost kilobytes, not the default 128 KiB.
        .read_buffer_size(4 * 1024)
        .write_buffer_size(8 * 1024)
        .on_upgrade(move |socket| async move {
            let metrics = state.metrics.clone();
            metrics.websocket_opened();
            Connection::new(state, socket).run(pre).await;
            metrics.websocket_closed();
        })
}

/// A token bucket per socket, and strikes for breaching it.
struct Rate {
    tokens: f64,
    refilled: Instant,
    strikes: Vec<Instant>,
}

struct Connection {
    state: AppState,
    socket: WebSocket,
    user: Option<UserRecord>,
    session: Option<String>,
    socket_id: u64,
    control: Option<mpsc::Receiver<Control>>,
    feeds: StreamMap<String, BroadcastStream<Batch>>,
    /// Per room: the highest event number this socket has been sent.
    seen: HashMap<String, i64>,
    typed: HashMap<String, Instant>,
    rate: Rate,
    last_heard: Instant,
}

/// Why the loop ended.
enum End {
    Closed,
    Close(u16, String),
}

impl Connection {
    fn new(state: AppState, socket: WebSocket) -> Self {
        let burst = state.chat.settings().burst as f64;
        Self {
            state,
            socket,
            user: None,
            session: None,
            socket_id: 0,
            control: None,
            feeds: StreamMap::new(),
            seen: HashMap::new(),
            typed: HashMap::new(),
            rate: Rate { tokens: burst, refilled: Instant::now(), strikes: Vec::new() },
            last_heard: Instant::now(),
        }
    }

    async fn send_frame(&mut self, frame: &ServerFrame) -> bool {
        let text = serde_json::to_string(frame).expect("frames serialise");
        self.socket.send(Message::Text(Utf8Bytes::from(text))).await.is_ok()
    }

    async fn error(&mut self, error: impl Into<String>, room_id: Option<&str>) -> bool {
        self.send_frame(&ServerFrame::Error { error: error.into(), room_id: room_id.map(str::to_string) }).await
    }

    async fn run(mut self, pre: Option<(UserRecord, Option<String>)>) {
        // The rare, heavy steps (database work) are boxed so that what an idle socket
        // holds between frames stays small.
        let end = self.serve(pre).await;
        if let End::Close(code, reason) = end {
            let frame = CloseFrame { code, reason: Utf8Bytes::from(reason) };
            let _ = self.socket.send(Message::Close(Some(frame))).await;
        }
        Box::pin(self.leave_all()).await;
    }

    async fn serve(&mut self, pre: Option<(UserRecord, Option<String>)>) -> End {
        if let Some((user, session)) = pre {
            if let Some(end) = Box::pin(self.sign_in(user, session)).await {
                return end;
            }
        }
        let deadline = tokio::time::Instant::now() + self.state.chat.settings().auth_timeout;
        let mut ping = tokio::time::interval(PING_EVERY);
        ping.tick().await;
        loop {
            let signed_in = self.user.is_some();
            tokio::select! {
                incoming = self.socket.recv() => {
                    let Some(Ok(message)) = incoming else { return End::Closed };
                    self.last_heard = Instant::now();
                    if let Some(end) = Box::pin(self.incoming(message)).await {
                        return end;
                    }
                }
                Some((room, item)) = self.feeds.next(), if !self.feeds.is_empty() => {
                    if let Some(end) = Box::pin(self.deliver(room, item)).await {
                        return end;
                    }
                }
                Some(control) = async { self.control.as_mut()?.recv().await }, if self.control.is_some() => {
                    let Control::Close { code, reason } = control;
                    return End::Close(code, reason);
                }
                () = tokio::time::sleep_until(deadline), if !signed_in => {
                    return End::Close(1008, "Not authenticated in time.".into());
                }
                _ = ping.tick() => {
                    if self.last_heard.elapsed() > IDLE_LIMIT {
                        return End::Closed;
                    }
                    if self.socket.send(Message::Ping(Default::default())).await.is_err() {
                        return End::Closed;
                    }
                }
            }
        }
    }

    /// Binds the socket to a user (once); `Some` ends the connection.
    async fn sign_in(&mut self, user: UserRecord, session: Option<String>) -> Option<End> {
        let Some((id, control, first)) = self.state.chat.register(&user.id, session.clone()) else {
            let _ = self.error("You have too many chat connections open; close one first.", None).await;
            return Some(End::Close(1008, "Too many connections.".into()));
        };
        self.socket_id = id;
        self.control = Some(control);
        self.session = session;
        let frame =
            ServerFrame::Authenticated { user_id: user.id.clone(), user_name: service::display_name(&user).into() };
        let own_feed = user_feed(&user.id);
        self.user = Some(user);
        for name in [EVERYONE.to_string(), own_feed] {
            if let Ok(feed) = self.state.chat.feed(&name).await {
                self.feeds.insert(name, BroadcastStream::new(feed.subscribe()));
            }
        }
        if !self.send_frame(&frame).await {
            return Some(End::Closed);
        }
        if first {
            self.presence(PresenceState::Online).await;
        }
        None
    }

    async fn presence(&mut self, state: PresenceState) {
        let Some(user) = self.user.clone() else { return };
        let hub = &self.state.chat;
        let result = match state {
            PresenceState::Offline => repo::clear_presence(hub.db().pool(), &user.id, hub.instance()).await,
            other => repo::set_presence(hub.db().pool(), &user.id, hub.instance(), other.as_str(), now_ms()).await,
        };
        if let Err(error) = result {
            tracing::warn!(%error, "could not record chat presence");
        }
        let frame =
            ServerFrame::Presence { user_id: user.id.clone(), user_name: service::display_name(&user).into(), state };
        hub.to_everyone(&frame).await;
    }

    /// One frame from the client; `Some` ends the connection.
    async fn incoming(&mut self, message: Message) -> Option<End> {
        let text = match message {
            Message::Text(text) => text,
            Message::Close(_) => return Some(End::Closed),
            Message::Ping(_) | Message::Pong(_) => return None,
            Message::Binary(_) => {
                return (!self.error("Frames must be JSON text.", None).await).then_some(End::Closed);
            }
        };
        let frame: ClientFrame = match serde_json::from_str(&text) {
            Ok(frame) => frame,
            Err(error) => {
                let message = format!("Could not read that frame: {error}");
                return (!self.error(message, None).await).then_some(End::Closed);
            }
        };
        let Some(user) = self.user.clone() else {
            return match frame {
                ClientFrame::Authorization { token } => match user_of_token(&self.state, &token, true).await {
                    Ok(Some(user)) => self.sign_in(user, None).await,
                    Ok(None) | Err(_) => {
                        let _ = self.error("That token is not valid.", None).await;
                        Some(End::Close(1008, "Authentication failed.".into()))
                    }
                },
                ClientFrame::Ping => (!self.send_frame(&ServerFrame::Pong).await).then_some(End::Closed),
                _ => {
                    (!self.error("Authenticate first: send an authorization frame.", None).await).then_some(End::Closed)
                }
            };
        };
        let ok = match frame {
            ClientFrame::Authorization { .. } => self.error("Already authenticated.", None).await,
            ClientFrame::Ping => self.send_frame(&ServerFrame::Pong).await,
            ClientFrame::Connect { user_id, room_id, after_seq } => {
                if user_id.as_deref().is_some_and(|id| id != user.id) {
                    self.error("user_id is not the authenticated user.", Some(&room_id)).await
                } else {
                    self.connect(&user, room_id, after_seq).await
                }
            }
            ClientFrame::Disconnect { user_id, room_id } => {
                if user_id.as_deref().is_some_and(|id| id != user.id) {
                    self.error("user_id is not the authenticated user.", Some(&room_id)).await
                } else if !self.in_room(&room_id) || self.feeds.remove(&room_id).is_none() {
                    self.error("Not connected to this room", Some(&room_id)).await
                } else {
                    self.seen.remove(&room_id);
                    self.announce_leave(&user, &room_id).await;
                    self.send_frame(&ServerFrame::Disconnected { room_id }).await
                }
            }
            ClientFrame::Message { content, room_id, client_id } => {
                if !self.in_room(&room_id) {
                    self.error("Not connected to this room", Some(&room_id)).await
                } else if let Some(end) = self.spend().await {
                    return Some(end);
                } else {
                    match service::send(&self.state, &user, &room_id, &content).await {
                        Ok(message) => {
                            // The next keystroke starts a new "typing" at once.
                            self.typed.remove(&room_id);
                            let ack = ServerFrame::Ack { client_id, id: message.id, room_id, seq: message.seq };
                            self.send_frame(&ack).await
                        }
                        Err(error) => self.error(error_text(&error), Some(&room_id)).await,
                    }
                }
            }
            ClientFrame::Edit { id, content } => {
                if let Some(end) = self.spend().await {
                    return Some(end);
                }
                match service::edit(&self.state, &user, &id, &content).await {
                    Ok(_) => true,
                    Err(error) => self.error(error_text(&error), None).await,
                }
            }
            ClientFrame::Delete { id } => {
                if let Some(end) = self.spend().await {
                    return Some(end);
                }
                match service::delete(&self.state, &user, &id).await {
                    Ok(_) => true,
                    Err(error) => self.error(error_text(&error), None).await,
                }
            }
            ClientFrame::Typing { room_id } => {
                if !self.in_room(&room_id) {
                    self.error("Not connected to this room", Some(&room_id)).await
                } else {
                    let now = Instant::now();
                    let recent = self.typed.get(&room_id).is_some_and(|at| now.duration_since(*at) < TYPING_EVERY);
                    if !recent {
                        self.typed.insert(room_id.clone(), now);
                        let frame = ServerFrame::Typing {
                            room_id: room_id.clone(),
                            user_id: user.id.clone(),
                            user_name: service::display_name(&user).into(),
                        };
                        self.state.chat.ephemeral(&room_id, &frame).await;
                    }
                    true
                }
            }
            ClientFrame::Read { room_id, seq } => match service::mark_read(&self.state, &user, &room_id, seq).await {
                Ok(frame) => self.send_frame(&frame).await,
                Err(error) => self.error(error_text(&error), Some(&room_id)).await,
            },
            ClientFrame::Presence { state } => {
                self.presence(state).await;
                true
            }
        };
        (!ok).then_some(End::Closed)
    }

    /// Whether the socket is connected to this room (the private feeds are not rooms).
    fn in_room(&self, room_id: &str) -> bool {
        is_room_feed(room_id) && self.feeds.contains_key(room_id)
    }

    /// Takes one token for a message or an edit; past the limit an error, and after
    /// repeated breaches the socket is closed with 1008.
    async fn spend(&mut self) -> Option<End> {
        let settings = self.state.chat.settings();
        let now = Instant::now();
        let rate = &mut self.rate;
        rate.tokens = (rate.tokens + now.duration_since(rate.refilled).as_secs_f64() * settings.messages_per_second)
            .min(settings.burst as f64);
        rate.refilled = now;
        if rate.tokens >= 1.0 {
            rate.tokens -= 1.0;
            return None;
        }
        rate.strikes.retain(|at| now.duration_since(*at) < Duration::from_secs(60));
        rate.strikes.push(now);
        if rate.strikes.len() as u32 > settings.strikes {
            let _ = self.error("You kept sending too fast; the connection is closed.", None).await;
            return Some(End::Close(1008, "Message rate exceeded.".into()));
        }
        let text = format!(
            "You are sending messages too fast (at most {} a second); slow down.",
            settings.messages_per_second
        );
        (!self.error(text, None).await).then_some(End::Closed)
    }

    /// Joins a room's feed, replaying what a resuming client missed.
    async fn connect(&mut self, user: &UserRecord, room_id: String, after_seq: Option<i64>) -> bool {
        let room = match service::join_room(&self.state, user, &room_id).await {
            Ok(room) => room,
            Err(error) => return self.error(error_text(&error), Some(&room_id)).await,
        };
        let feed = match self.state.chat.feed(&room.id).await {
            Ok(feed) => feed,
            Err(error) => {
                tracing::warn!(%error, "chat feed unavailable");
                return self.error("The room is unavailable right now; try again.", Some(&room.id)).await;
            }
        };
        // Subscribe first, then read the database: nothing committed in between is lost,
        // and what the replay sent is skipped when it also arrives live.
        let receiver = feed.subscribe();
        let already = self.feeds.contains_key(&room.id);
        self.feeds.insert(room.id.clone(), BroadcastStream::new(receiver));
        let last_seq = match repo::last_seqs(self.state.db.pool(), std::slice::from_ref(&room.id)).await {
            Ok(rows) => rows.first().map_or(0, |(_, seq)| *seq),
            Err(_) => room.last_seq,
        };
        let seen = match after_seq {
            Some(after) => {
                self.seen.insert(room.id.clone(), after.min(last_seq));
                if !self.replay(&room.id, after, last_seq).await {
                    return false;
                }
                self.seen.get(&room.id).copied().unwrap_or(last_seq)
            }
            None => last_seq,
        };
        self.seen.insert(room.id.clone(), seen);
        if !self.send_frame(&ServerFrame::Connected { room_id: room.id.clone(), last_seq }).await {
            return false;
        }
        if after_seq.is_none() && !already {
            self.announce_join(user, &room.id).await;
        }
        true
    }

    /// Sends the room's events after `after` from the database, or a `resync` when more
    /// were missed than a replay carries.
    async fn replay(&mut self, room_id: &str, after: i64, last_seq: i64) -> bool {
        let limit = self.state.chat.settings().replay_limit;
        if last_seq - after > limit {
            self.seen.insert(room_id.to_string(), last_seq);
            return self.send_frame(&ServerFrame::Resync { room_id: room_id.to_string(), last_seq }).await;
        }
        let rows = match repo::events_after(self.state.db.pool(), room_id, after, limit).await {
            Ok(rows) => rows,
            Err(_) => return self.error("Could not replay the room; reload it.", Some(room_id)).await,
        };
        let mut seen = after;
        for row in rows {
            let (seq, text) = frame_for(row, after);
            if self.socket.feed(Message::Text(Utf8Bytes::from(text))).await.is_err() {
                return false;
            }
            seen = seen.max(seq);
        }
        self.seen.insert(room_id.to_string(), seen);
        self.socket.flush().await.is_ok()
    }

    /// Batches from the room feeds: each event once, in order; a socket that fell behind
    /// is replayed from the database (or told to resync). Ready batches are written
    /// together.
    async fn deliver(&mut self, room: String, item: Result<Batch, BroadcastStreamRecvError>) -> Option<End> {
        let mut next = Some((room, item));
        let mut written = 0;
        while let Some((room, item)) = next.take() {
            match item {
                Ok(batch) => {
                    let before = self.seen.get(&room).copied().unwrap_or(0);
                    let mut seen = before;
                    for event in batch.iter() {
                        if let Some(seq) = event.seq {
                            if seq <= seen {
                                continue;
                            }
                            seen = seq;
                        }
                        if self.socket.feed(Message::Text(event.text.clone())).await.is_err() {
                            return Some(End::Closed);
                        }
                        written += 1;
                    }
                    if seen != before {
                        self.seen.insert(room, seen);
                    }
                }
                Err(BroadcastStreamRecvError::Lagged(_)) => {
                    if !is_room_feed(&room) {
                        continue;
                    }
                    let after = self.seen.get(&room).copied().unwrap_or(0);
                    let last = repo::last_seqs(self.state.db.pool(), std::slice::from_ref(&room))
                        .await
                        .ok()
                        .and_then(|rows| rows.first().map(|(_, seq)| *seq))
                        .unwrap_or(after);
                    if !self.replay(&room, after, last).await {
                        return Some(End::Closed);
                    }
                }
            }
            if written < 64 {
                next = self.feeds.next().now_or_never().flatten();
            }
        }
        if self.socket.flush().await.is_err() {
            return Some(End::Closed);
        }
        None
    }

    async fn announce_join(&mut self, user: &UserRecord, room_id: &str) {
        let name = service::display_name(user).to_string();
        let hub = &self.state.chat;
        hub.ephemeral_message(room_id, &system_message(room_id, &format!("{name} has joined the chat"))).await;
        let frame = ServerFrame::UserJoined { room_id: room_id.into(), user_id: user.id.clone(), user_name: name };
        hub.ephemeral(room_id, &frame).await;
    }

    async fn announce_leave(&mut self, user: &UserRecord, room_id: &str) {
        let name = service::display_name(user).to_string();
        let hub = &self.state.chat;
        hub.ephemeral_message(room_id, &system_message(room_id, &format!("{name} has left the chat"))).await;
        let frame = ServerFrame::UserLeft { room_id: room_id.into(), user_id: user.id.clone(), user_name: name };
        hub.ephemeral(room_id, &frame).await;
    }

    /// The socket is going: it leaves its rooms, and the user is offline when it was
    /// their last socket here.
    async fn leave_all(&mut self) {
        let Some(user) = self.user.clone() else { return };
        let rooms: Vec<String> = self.feeds.keys().filter(|room| is_room_feed(room)).cloned().collect();
        for room in rooms {
            self.announce_leave(&user, &room).await;
        }
        self.feeds.clear();
        if self.state.chat.unregister(&user.id, self.socket_id) {
            self.presence(PresenceState::Offline).await;
        }
    }
}

/// A system message (not stored), in the original protocol's message shape.
fn system_message(room_id: &str, content: &str) -> MessageFrame {
    let now = now_ms();
    MessageFrame {
        id: format!("system-{}", uuid::Uuid::new_v4().simple()),
        sender_id: SYSTEM.to_string(),
        sender_name: SYSTEM.to_string(),
        content: content.to_string(),
        room_id: room_id.to_string(),
        created_at: app::blog::model::iso_datetime(now),
        seq: None,
        event_seq: None,
        edited_at: None,
        deleted: false,
    }
}

/// What a client is told when a rule refuses a frame: the same sentence the REST API and
/// the page use; field problems are spelled out.
fn error_text(error: &AppError) -> String {
    match error {
        AppError::Invalid { fields, .. } => fields
            .0
            .iter()
            .flat_map(|(field, messages)| {
                let field = if field == "content" { "The message" } else { field.as_str() };
                messages.iter().map(move |m| format!("{field} {m}."))
            })
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    }
}
