//! The browser's end of the chat socket (hydrate only). It opens `/api/chat/ws` with the
//! session cookie, follows every room and conversation the user takes part in, feeds
//! frames into [`Chat`], and after a drop reconnects (backoff with jitter) and resumes
//! each room from the last event it saw, so nothing is lost or shown twice.

use std::{
    cell::RefCell,
    collections::{HashMap, HashSet},
    time::Duration,
};

use leptos::{prelude::*, task::spawn_local};
use wasm_bindgen::{closure::Closure, JsCast};
use web_sys::{CloseEvent, MessageEvent, WebSocket};

use super::state::{Chat, Connection, Timeline};
use crate::chat::{
    api::{chat_history, chat_rooms},
    model::{ChatKind, ClientFrame, Incoming, PresenceState, ServerFrame},
};

/// The longest wait between reconnection attempts.
const BACKOFF_MAX_MS: f64 = 30_000.0;
const BACKOFF_FIRST_MS: f64 = 500.0;
/// At most one typing notice this often.
const TYPING_EVERY_MS: f64 = 2_000.0;

struct Client {
    chat: Chat,
    socket: Option<WebSocket>,
    live: bool,
    /// Per room: the newest event this page has, which a reconnect resumes from.
    seen: HashMap<String, i64>,
    /// The rooms the current socket follows.
    following: HashSet<String>,
    attempt: u32,
    typed_at: f64,
    /// Set when the page is being left: nothing reconnects.
    stopped: bool,
    /// The socket's handlers, alive as long as it is.
    handlers: Vec<Closure<dyn FnMut(web_sys::Event)>>,
}

thread_local! {
    static CLIENT: RefCell<Option<Client>> = const { RefCell::new(None) };
}

fn with_client<R>(f: impl FnOnce(&mut Client) -> R) -> Option<R> {
    CLIENT.with(|client| client.borrow_mut().as_mut().map(f))
}

/// Starts the live connection for this page.
pub fn start(chat: Chat) {
    stop();
    CLIENT.with(|client| {
        *client.borrow_mut() = Some(Client {
            chat,
            socket: None,
            live: false,
            seen: HashMap::new(),
            following: HashSet::new(),
            attempt: 0,
            typed_at: 0.0,
            stopped: false,
            handlers: Vec::new(),
        });
    });
    open();
    let visibility = window_event_listener_untyped("visibilitychange", |_| visibility_changed());
    let tick = set_interval_with_handle(move || chat.expire_typing(), Duration::from_secs(1)).ok();
    on_cleanup(move || {
        visibility.remove();
        if let Some(tick) = tick {
            tick.clear();
        }
        stop();
    });
}

/// Closes the connection for good (the page is left).
pub fn stop() {
    let old = CLIENT.with(|client| client.borrow_mut().take());
    if let Some(mut old) = old {
        old.stopped = true;
        if let Some(socket) = old.socket.take() {
            // Its handlers are dropped with the client: detach them first.
            socket.set_onmessage(None);
            socket.set_onclose(None);
            let _ = socket.close();
        }
    }
}

fn socket_url() -> Option<String> {
    let location = window().location();
    let scheme = if location.protocol().ok()? == "https:" { "wss:" } else { "ws:" };
    Some(format!("{scheme}//{}/api/chat/ws", location.host().ok()?))
}

fn open() {
    let Some(url) = socket_url() else { return };
    let Ok(socket) = WebSocket::new(&url) else {
        schedule_reconnect();
        return;
    };
    let on_message = Closure::<dyn FnMut(web_sys::Event)>::new(|event: web_sys::Event| {
        if let Some(text) = event.dyn_ref::<MessageEvent>().and_then(|e| e.data().as_string()) {
            receive(&text);
        }
    });
    let on_close = Closure::<dyn FnMut(web_sys::Event)>::new(|event: web_sys::Event| {
        let (code, reason) = event.dyn_ref::<CloseEvent>().map_or((1006, String::new()), |e| (e.code(), e.reason()));
        closed(code, reason);
    });
    socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    with_client(|client| {
        client.chat.connection.set(if client.attempt == 0 { Connection::Connecting } else { Connection::Reconnecting });
        client.socket = Some(socket);
        client.live = false;
        client.following.clear();
        client.handlers = vec![on_message, on_close];
    });
}

fn closed(code: u16, reason: String) {
    let Some((stopped, chat)) = with_client(|client| {
        client.socket = None;
        client.live = false;
        client.following.clear();
        (client.stopped, client.chat)
    }) else {
        return;
    };
    if stopped {
        return;
    }
    chat.connection_lost();
    // 1008: the server ended it on purpose (signed out, too many connections, abuse);
    // trying again would be refused the same way.
    if code == 1008 {
        let reason = if reason.is_empty() { "The server closed the connection.".to_string() } else { reason };
        chat.connection.set(Connection::Closed(reason));
        return;
    }
    schedule_reconnect();
}

/// The next attempt waits twice as long as the last (up to 30 s), times a random factor
/// between ½ and 1 so that many pages dropped together do not return together.
fn schedule_reconnect() {
    let Some(attempt) = with_client(|client| {
        client.chat.connection.set(Connection::Reconnecting);
        client.attempt += 1;
        client.attempt
    }) else {
        return;
    };
    let base = (BACKOFF_FIRST_MS * 2f64.powi(attempt.min(16) as i32 - 1)).min(BACKOFF_MAX_MS);
    let delay = base * (0.5 + js_sys::Math::random() / 2.0);
    set_timeout(
        || {
            if with_client(|client| !client.stopped && client.socket.is_none()) == Some(true) {
                open();
            }
        },
        Duration::from_millis(delay as u64),
    );
}

/// Sends a frame if the socket is live; false when it is not (the caller falls back).
pub fn send(frame: &ClientFrame) -> bool {
    let text = serde_json::to_string(frame).expect("frames serialise");
    with_client(|client| match (&client.socket, client.live) {
        (Some(socket), true) if matches!(frame, ClientFrame::Message { .. }) => {
            // After a message, the next keystroke announces typing at once.
            client.typed_at = 0.0;
            socket.send_with_str(&text).is_ok()
        }
        (Some(socket), true) => socket.send_with_str(&text).is_ok(),
        _ => false,
    })
    .unwrap_or(false)
}

/// Tells the room the user is typing (at most every two seconds).
pub fn typing(room_id: &str) {
    let now = js_sys::Date::now();
    let due = with_client(|client| {
        let due = client.live && now - client.typed_at > TYPING_EVERY_MS;
        if due {
            client.typed_at = now;
        }
        due
    });
    if due == Some(true) {
        send(&ClientFrame::Typing { room_id: room_id.to_string() });
    }
}

fn visible() -> bool {
    document().visibility_state() == web_sys::VisibilityState::Visible
}

fn visibility_changed() {
    let state = if visible() { PresenceState::Online } else { PresenceState::Away };
    send(&ClientFrame::Presence { state });
    if visible() {
        mark_read();
    }
}

/// Records that the open room is read up to its newest message (when the page is seen).
pub fn mark_read() {
    let Some(chat) = with_client(|client| client.chat) else { return };
    if !visible() || chat.paged.get_untracked().is_some() {
        return;
    }
    let room_id = chat.open.with_untracked(|o| o.id.clone());
    let seq = chat.timeline.with_untracked(Timeline::last_seq);
    send(&ClientFrame::Read { room_id, seq });
}

/// Follows the rooms the page lists and not yet followed (and stops following the
/// others); for the open room, fetches anything the loaded history lacks.
pub fn sync() {
    let Some((chat, live)) = with_client(|client| (client.chat, client.live)) else { return };
    let open_id = chat.open.with_untracked(|o| o.id.clone());
    let shown = chat.timeline.with_untracked(Timeline::last_seq);
    if !live {
        return;
    }
    let rooms = chat.followed();
    let mut frames = Vec::new();
    let mut gap = None;
    with_client(|client| {
        let wanted: HashSet<String> = rooms.iter().map(|r| r.id.clone()).collect();
        for room in &rooms {
            if room.id == open_id && chat.paged.get_untracked().is_none() {
                let seen = client.seen.entry(room.id.clone()).or_insert(shown);
                if *seen > shown {
                    gap = Some(shown);
                }
            }
            if client.following.insert(room.id.clone()) {
                let after = *client.seen.entry(room.id.clone()).or_insert(room.last_seq);
                frames.push(ClientFrame::Connect { user_id: None, room_id: room.id.clone(), after_seq: Some(after) });
            }
        }
        let dropped: Vec<String> = client.following.difference(&wanted).cloned().collect();
        for room_id in dropped {
            client.following.remove(&room_id);
            client.seen.remove(&room_id);
            frames.push(ClientFrame::Disconnect { user_id: None, room_id });
        }
    });
    for frame in &frames {
        send(frame);
    }
    if let Some(after) = gap {
        spawn_local(async move {
            if let Ok(page) = chat_history(open_id.clone(), None, Some(after)).await {
                if chat.alive() && chat.is_open(&open_id) {
                    chat.timeline.update(|t| {
                        page.messages.into_iter().for_each(|m| {
                            t.upsert(m);
                        })
                    });
                }
            }
        });
    }
    mark_read();
}

/// Fetches the lists again (something was added, renamed, left).
fn refresh_lists(chat: Chat) {
    spawn_local(async move {
        let Ok(all) = chat_rooms().await else { return };
        if chat.alive() {
            let (rooms, conversations) = all.into_iter().partition(|r| r.kind == ChatKind::Room);
            chat.set_lists(rooms, conversations);
            sync();
        }
    });
}

/// Reloads a room that missed more than a replay carries.
fn resync(chat: Chat, room_id: String) {
    if !chat.is_open(&room_id) {
        refresh_lists(chat);
        return;
    }
    spawn_local(async move {
        if let Ok(page) = chat_history(room_id.clone(), None, None).await {
            if chat.alive() && chat.is_open(&room_id) {
                chat.has_older.set(page.has_older);
                chat.timeline.set(Timeline::of(page.messages));
                mark_read();
            }
        }
    });
}

fn receive(text: &str) {
    let Some(incoming) = Incoming::parse(text) else { return };
    let Some(chat) = with_client(|client| client.chat) else { return };
    match incoming {
        Incoming::Message(frame) => {
            let fresh = match frame.seq {
                Some(seq) => with_client(|client| {
                    let seen = client.seen.entry(frame.room_id.clone()).or_insert(0);
                    let fresh = seq > *seen;
                    *seen = (*seen).max(frame.event_seq.unwrap_or(seq));
                    fresh
                })
                .unwrap_or(false),
                None => true,
            };
            chat.message(&frame, fresh);
            if frame.seq.is_some() && chat.is_open(&frame.room_id) {
                mark_read();
            }
        }
        Incoming::Other(frame) => {
            match &frame {
                ServerFrame::Authenticated { .. } => {
                    with_client(|client| {
                        client.live = true;
                        client.attempt = 0;
                    });
                    chat.connection.set(Connection::Live);
                    if !visible() {
                        send(&ClientFrame::Presence { state: PresenceState::Away });
                    }
                    sync();
                }
                ServerFrame::MessageEdited { room_id, seq, .. } | ServerFrame::MessageDeleted { room_id, seq, .. } => {
                    with_client(|client| {
                        let seen = client.seen.entry(room_id.clone()).or_insert(0);
                        *seen = (*seen).max(*seq);
                    });
                }
                ServerFrame::Resync { room_id, last_seq } => {
                    with_client(|client| client.seen.insert(room_id.clone(), *last_seq));
                    resync(chat, room_id.clone());
                }
                ServerFrame::RoomsChanged { .. } => refresh_lists(chat),
                ServerFrame::UserJoined { room_id, .. } | ServerFrame::UserLeft { room_id, .. } => {
                    let conversation = chat.conversations.with_untracked(|c| c.iter().any(|r| &r.id == room_id));
                    if conversation {
                        refresh_lists(chat);
                    }
                }
                _ => {}
            }
            chat.frame(&frame);
        }
    }
}
