//! What the chat page shows, as signals: filled from the server's `ChatView` when a room
//! opens (on the server for the first HTML, in the browser after each navigation) and
//! kept current by the socket's frames. The rules for merging frames into the message
//! list are plain functions, the same on both sides.

use leptos::prelude::*;

use crate::chat::model::{
    ChatKind, ChatMessage, ChatView, ClientFrame, MessageFrame, Participant, PresenceState, RoomSummary, ServerFrame,
    EDIT_WINDOW_MS,
};

/// The socket's state, shown to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    /// Not connected yet (and always on the server, and without JavaScript).
    Connecting,
    Live,
    /// Lost; trying again.
    Reconnecting,
    /// The server closed it for good (signed out, too many tabs); the reason.
    Closed(String),
}

/// A message this page sent that the server has not confirmed yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub client_id: String,
    pub room_id: String,
    pub content: String,
    /// The stored message's id once acknowledged.
    pub id: Option<String>,
    /// Why it was refused.
    pub failed: Option<String>,
}

/// Someone typing in the open room, until `until_ms`.
#[derive(Debug, Clone, PartialEq)]
pub struct Typist {
    pub room_id: String,
    pub user_id: String,
    pub name: String,
    pub until_ms: f64,
}

/// One line of the open room: a stored message, or a system notice (not stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub message: ChatMessage,
    pub system: bool,
}

/// The open room's messages in `seq` order; system notices sit after the message they
/// followed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timeline(pub Vec<Line>);

impl Timeline {
    pub fn of(messages: Vec<ChatMessage>) -> Self {
        Self(messages.into_iter().map(|message| Line { message, system: false }).collect())
    }

    /// The newest stored message's number.
    pub fn last_seq(&self) -> i64 {
        self.0.iter().filter(|l| !l.system).map(|l| l.message.seq).max().unwrap_or(0)
    }

    pub fn first_seq(&self) -> Option<i64> {
        self.0.iter().filter(|l| !l.system).map(|l| l.message.seq).min()
    }

    /// Adds a message or replaces the copy with its id; true when it was new.
    pub fn upsert(&mut self, message: ChatMessage) -> bool {
        if let Some(line) = self.0.iter_mut().find(|l| l.message.id == message.id) {
            // An older copy never overwrites a newer one (replays can overlap).
            if message.event_seq >= line.message.event_seq {
                line.message = message;
            }
            return false;
        }
        let at = self.0.iter().position(|l| !l.system && l.message.seq > message.seq).unwrap_or(self.0.len());
        self.0.insert(at, Line { message, system: false });
        true
    }

    /// Older history above what is shown (duplicates skipped).
    pub fn prepend(&mut self, older: Vec<ChatMessage>) {
        let first = self.first_seq().unwrap_or(i64::MAX);
        let mut lines: Vec<Line> =
            older.into_iter().filter(|m| m.seq < first).map(|message| Line { message, system: false }).collect();
        lines.append(&mut self.0);
        self.0 = lines;
    }

    pub fn system(&mut self, frame: &MessageFrame) {
        let message = message_of(frame);
        if !self.0.iter().any(|l| l.message.id == message.id) {
            self.0.push(Line { message, system: true });
        }
    }

    /// Applies an edit or a deletion to the message it names.
    pub fn change(&mut self, id: &str, event_seq: i64, content: Option<(&str, &str)>) {
        let Some(line) = self.0.iter_mut().find(|l| l.message.id == id) else { return };
        let message = &mut line.message;
        if event_seq <= message.event_seq {
            return;
        }
        message.event_seq = event_seq;
        match content {
            Some((content, edited_at)) => {
                message.content = content.to_string();
                message.edited_at = Some(edited_at.to_string());
            }
            None => {
                message.content.clear();
                message.deleted = true;
            }
        }
    }

    /// Whether `me` may still edit or delete this message: their own, not deleted, within
    /// five hours, and nobody else has posted after it. The server decides; this only
    /// hides controls that would be refused.
    pub fn changeable(&self, message: &ChatMessage, me: &str, now_ms: f64) -> bool {
        message.sender_id.as_deref() == Some(me)
            && !message.deleted
            && now_ms < (message.created_at_ms + EDIT_WINDOW_MS) as f64
            && !self.0.iter().any(|l| {
                !l.system && l.message.seq > message.seq && l.message.sender_id.as_deref().is_some_and(|s| s != me)
            })
    }
}

/// A message as the list keeps it, from a socket frame.
pub fn message_of(frame: &MessageFrame) -> ChatMessage {
    ChatMessage {
        id: frame.id.clone(),
        sender_id: (frame.sender_id != crate::chat::model::SYSTEM).then(|| frame.sender_id.clone()),
        sender_name: frame.sender_name.clone(),
        content: frame.content.clone(),
        room_id: frame.room_id.clone(),
        created_at: frame.created_at.clone(),
        seq: frame.seq.unwrap_or(0),
        event_seq: frame.event_seq.or(frame.seq).unwrap_or(0),
        edited_at: frame.edited_at.clone(),
        deleted: frame.deleted,
        created_at_ms: parse_iso_ms(&frame.created_at).unwrap_or(0),
    }
}

/// Milliseconds since the epoch of `2026-11-21T13:05:07.123Z` (the only shape we send).
pub fn parse_iso_ms(iso: &str) -> Option<i64> {
    let b = iso.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[10] != b'T' {
        return None;
    }
    let num = |range: std::ops::Range<usize>| iso.get(range)?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let millis = if b.get(19) == Some(&b'.') { num(20..23)? } else { 0 };
    // Days from the civil date (Howard Hinnant's algorithm).
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 24 + hh) * 60 + mm) * 60_000 + ss * 1000 + millis)
}

/// The page's state. Every field is a signal, so the struct is `Copy` and views read
/// exactly what they show.
#[derive(Clone, Copy)]
pub struct Chat {
    pub me: RwSignal<Participant>,
    pub admin: RwSignal<bool>,
    pub rooms: RwSignal<Vec<RoomSummary>>,
    pub conversations: RwSignal<Vec<RoomSummary>>,
    pub open: RwSignal<RoomSummary>,
    pub timeline: RwSignal<Timeline>,
    pub has_older: RwSignal<bool>,
    /// Set when the open room was viewed from an older page (`?before=`), without JS.
    pub paged: RwSignal<Option<i64>>,
    pub online: RwSignal<Vec<(Participant, PresenceState)>>,
    pub typing: RwSignal<Vec<Typist>>,
    pub pending: RwSignal<Vec<Pending>>,
    pub connection: RwSignal<Connection>,
    /// The last refusal the socket reported, shown by the composer.
    pub notice: RwSignal<Option<String>>,
    /// Read to screen readers politely: the latest message from someone else.
    pub announcement: RwSignal<String>,
    /// The open conversation was deleted or left (elsewhere).
    pub gone: RwSignal<bool>,
    /// Counts the views loaded: what shows the open room is made anew for each.
    pub generation: RwSignal<u64>,
    /// Another room is being loaded.
    pub loading: RwSignal<bool>,
    /// Why the last room could not be opened.
    pub failure: RwSignal<Option<String>>,
    /// Times are shown in the reader's zone once hydrated (UTC in the first HTML, so
    /// both renders agree).
    pub local_time: RwSignal<bool>,
}

impl Chat {
    /// Empty until a view is loaded into it.
    pub fn new() -> Self {
        Self {
            me: RwSignal::new(Participant::default()),
            admin: RwSignal::new(false),
            rooms: RwSignal::new(Vec::new()),
            conversations: RwSignal::new(Vec::new()),
            open: RwSignal::new(RoomSummary::default()),
            timeline: RwSignal::new(Timeline::default()),
            has_older: RwSignal::new(false),
            paged: RwSignal::new(None),
            online: RwSignal::new(Vec::new()),
            typing: RwSignal::new(Vec::new()),
            pending: RwSignal::new(Vec::new()),
            connection: RwSignal::new(Connection::Connecting),
            notice: RwSignal::new(None),
            announcement: RwSignal::new(String::new()),
            gone: RwSignal::new(false),
            local_time: RwSignal::new(false),
            generation: RwSignal::new(0),
            loading: RwSignal::new(false),
            failure: RwSignal::new(None),
        }
    }

    /// Shows a freshly loaded view (another room opened).
    pub fn load(&self, view: ChatView, before: Option<i64>) {
        self.me.set(Participant { user_id: view.user_id, username: view.username, display_name: view.user_name });
        self.admin.set(view.admin);
        self.open.set(view.open);
        self.gone.set(false);
        self.set_lists(view.rooms, view.conversations);
        self.has_older.set(view.history.has_older);
        self.timeline.set(Timeline::of(view.history.messages));
        self.paged.set(before);
        self.online.set(view.online);
        self.notice.set(None);
        self.failure.set(None);
        self.generation.update(|g| *g += 1);
        self.synced();
    }

    /// New lists from the server; the open room's summary follows them.
    pub fn set_lists(&self, rooms: Vec<RoomSummary>, conversations: Vec<RoomSummary>) {
        let open_id = self.open.with_untracked(|o| o.id.clone());
        let mut found = None;
        let (mut rooms, mut conversations) = (rooms, conversations);
        // Frames that arrived while the lists were fetched are newer than them.
        let known: Vec<RoomSummary> = self.followed();
        for room in rooms.iter_mut().chain(conversations.iter_mut()) {
            if let Some(newer) = known.iter().find(|k| k.id == room.id && k.last_seq > room.last_seq) {
                room.unread = newer.unread;
                room.last_seq = newer.last_seq;
                room.last_message_at_ms = newer.last_message_at_ms;
            }
            if room.id == open_id {
                room.unread = 0;
                found = Some(room.clone());
            }
        }
        self.rooms.set(rooms);
        self.conversations.set(conversations);
        match found {
            Some(open) => {
                if self.open.with_untracked(|o| o != &open) {
                    self.open.set(open);
                }
                self.gone.set(false);
            }
            None => self.gone.set(true),
        }
    }

    /// False once the page is gone: work that finishes later (a request, a timer) checks
    /// this before touching the state.
    pub fn alive(&self) -> bool {
        !self.timeline.is_disposed()
    }

    pub fn is_open(&self, room_id: &str) -> bool {
        self.open.with_untracked(|o| o.id == room_id)
    }

    /// Every room and conversation the user takes part in: what the socket follows.
    pub fn followed(&self) -> Vec<RoomSummary> {
        let mut all: Vec<RoomSummary> = self.rooms.get_untracked();
        all.extend(self.conversations.get_untracked());
        all.retain(|room| room.member);
        all
    }

    fn update_summary(&self, room_id: &str, change: impl Fn(&mut RoomSummary)) {
        for list in [self.rooms, self.conversations] {
            if list.with_untracked(|l| l.iter().any(|r| r.id == room_id)) {
                list.update(|l| l.iter_mut().filter(|r| r.id == room_id).for_each(&change));
            }
        }
    }

    /// A stored message arrived: shown when its room is open, counted as unread when not.
    /// `fresh` is false for one this page had already counted.
    pub fn message(&self, frame: &MessageFrame, fresh: bool) {
        if frame.seq.is_none() {
            if self.is_open(&frame.room_id) {
                self.timeline.update(|t| t.system(frame));
            }
            return;
        }
        let mine = self.me.with_untracked(|me| me.user_id == frame.sender_id);
        if !mine {
            self.typing.update(|t| t.retain(|t| !(t.user_id == frame.sender_id && t.room_id == frame.room_id)));
        }
        let message = message_of(frame);
        let seq = message.seq;
        let at = message.created_at_ms;
        if self.is_open(&frame.room_id) {
            if mine {
                // Confirmed by its ack, or (the ack lost with a dropped connection) by
                // arriving with the same text.
                self.pending.update(|pending| {
                    if let Some(at) =
                        pending.iter().position(|p| p.id.as_deref() == Some(frame.id.as_str())).or_else(|| {
                            pending.iter().position(|p| {
                                p.id.is_none() && p.room_id == frame.room_id && p.content == frame.content
                            })
                        })
                    {
                        pending.remove(at);
                    }
                });
            }
            let new = self.paged.get_untracked().is_none() && {
                let mut new = false;
                self.timeline.update(|t| new = t.upsert(message));
                new
            };
            if new && !mine && !frame.deleted {
                self.announcement.set(format!("{}: {}", frame.sender_name, frame.content));
            }
        } else if fresh && !mine && !frame.deleted {
            self.update_summary(&frame.room_id, |room| {
                room.unread += 1;
                room.last_seq = room.last_seq.max(seq);
                room.last_message_at_ms = Some(at);
            });
        }
    }

    /// Any other frame from the server.
    pub fn frame(&self, frame: &ServerFrame) {
        match frame {
            ServerFrame::MessageEdited { id, room_id, seq, content, edited_at, .. } if self.is_open(room_id) => {
                self.timeline.update(|t| t.change(id, *seq, Some((content, edited_at))));
            }
            ServerFrame::MessageDeleted { id, room_id, seq, .. } if self.is_open(room_id) => {
                self.timeline.update(|t| t.change(id, *seq, None));
            }
            ServerFrame::Ack { client_id: Some(client_id), id, .. } => {
                let shown = self.timeline.with_untracked(|t| t.0.iter().any(|l| &l.message.id == id));
                self.pending.update(|pending| {
                    if shown {
                        pending.retain(|p| &p.client_id != client_id);
                    } else if let Some(p) = pending.iter_mut().find(|p| &p.client_id == client_id) {
                        p.id = Some(id.clone());
                    }
                });
            }
            ServerFrame::Typing { room_id, user_id, user_name }
                if self.me.with_untracked(|me| &me.user_id != user_id) =>
            {
                let until_ms = now_ms() + 5_000.0;
                self.typing.update(|typing| {
                    typing.retain(|t| !(&t.user_id == user_id && &t.room_id == room_id));
                    let (room_id, user_id, name) = (room_id.clone(), user_id.clone(), user_name.clone());
                    typing.push(Typist { room_id, user_id, name, until_ms });
                });
            }
            ServerFrame::Presence { user_id, user_name, state } => {
                if self.me.with_untracked(|me| &me.user_id == user_id) {
                    return;
                }
                self.online.update(|online| {
                    online.retain(|(p, _)| &p.user_id != user_id);
                    if *state != PresenceState::Offline {
                        let person = Participant {
                            user_id: user_id.clone(),
                            username: String::new(),
                            display_name: user_name.clone(),
                        };
                        online.push((person, *state));
                        online.sort_by_key(|a| a.0.display_name.to_lowercase());
                    }
                });
            }
            ServerFrame::Unread { room_id, unread, .. } => {
                let unread = if self.is_open(room_id) { 0 } else { *unread };
                self.update_summary(room_id, |room| room.unread = unread);
            }
            ServerFrame::Error { error, room_id } => {
                // A refused send: the oldest unconfirmed message of that room failed.
                let mut matched = false;
                self.pending.update(|pending| {
                    if let Some(p) = pending.iter_mut().find(|p| {
                        p.id.is_none() && p.failed.is_none() && room_id.as_ref().is_none_or(|r| r == &p.room_id)
                    }) {
                        p.failed = Some(error.clone());
                        matched = true;
                    }
                });
                if !matched {
                    self.notice.set(Some(error.clone()));
                }
            }
            _ => {}
        }
    }

    /// The connection dropped: messages it had not confirmed may not have arrived. Each
    /// is offered for a retry (one that did arrive is removed when the resumed socket
    /// replays it).
    pub fn connection_lost(&self) {
        if self.pending.with_untracked(|p| p.iter().any(|p| p.id.is_none() && p.failed.is_none())) {
            self.pending.update(|pending| {
                for p in pending.iter_mut().filter(|p| p.id.is_none() && p.failed.is_none()) {
                    p.failed = Some("the connection dropped before the server confirmed it.".into());
                }
            });
        }
        self.typing.set(Vec::new());
    }

    /// Drops typing notices that have run out.
    pub fn expire_typing(&self) {
        let now = now_ms();
        if self.typing.with_untracked(|t| t.iter().any(|t| t.until_ms <= now)) {
            self.typing.update(|t| t.retain(|t| t.until_ms > now));
        }
    }

    pub fn kind(&self) -> ChatKind {
        self.open.with_untracked(|o| o.kind)
    }

    // ---- The live connection (browser only; on the server these do nothing) ----------

    /// Opens the socket.
    pub fn go_live(&self) {
        #[cfg(feature = "hydrate")]
        super::socket::start(*self);
    }

    /// Sends a frame when live; false otherwise (the caller falls back to a request).
    pub fn send(&self, frame: &ClientFrame) -> bool {
        #[cfg(feature = "hydrate")]
        return super::socket::send(frame);
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = frame;
            false
        }
    }

    /// The lists or the open room changed: follow what is listed, fetch what is missing.
    pub fn synced(&self) {
        #[cfg(feature = "hydrate")]
        super::socket::sync();
    }

    /// The user typed in the composer.
    pub fn typed(&self) {
        #[cfg(feature = "hydrate")]
        super::socket::typing(&self.open.with_untracked(|o| o.id.clone()));
    }
}

impl Default for Chat {
    fn default() -> Self {
        Self::new()
    }
}

/// Now, in milliseconds since the epoch.
pub fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0.0, |d| d.as_millis() as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(seq: i64, sender: &str) -> ChatMessage {
        ChatMessage {
            id: format!("m{seq}"),
            sender_id: Some(sender.into()),
            sender_name: sender.into(),
            content: format!("text {seq}"),
            room_id: "general".into(),
            created_at: "2026-11-21T13:05:07.123Z".into(),
            seq,
            event_seq: seq,
            edited_at: None,
            deleted: false,
            created_at_ms: 1_000,
        }
    }

    fn seqs(timeline: &Timeline) -> Vec<i64> {
        timeline.0.iter().map(|l| l.message.seq).collect()
    }

    #[test]
    fn messages_stay_in_order_once_each_whatever_order_they_arrive_in() {
        let mut timeline = Timeline::of(vec![message(1, "ada"), message(2, "ada")]);
        assert!(timeline.upsert(message(4, "ada")));
        assert!(timeline.upsert(message(3, "ada")));
        assert!(!timeline.upsert(message(3, "ada")), "a replayed message is not shown twice");
        assert_eq!(seqs(&timeline), [1, 2, 3, 4]);
        timeline.prepend(vec![message(0, "ada"), message(1, "ada")]);
        assert_eq!(seqs(&timeline), [0, 1, 2, 3, 4]);
        assert_eq!((timeline.first_seq(), timeline.last_seq()), (Some(0), 4));
    }

    #[test]
    fn edits_and_deletions_apply_once_and_never_go_back() {
        let mut timeline = Timeline::of(vec![message(1, "ada")]);
        timeline.change("m1", 5, Some(("new", "2026-11-21T13:06:00.000Z")));
        timeline.change("m1", 3, Some(("stale", "x")));
        assert_eq!(timeline.0[0].message.content, "new");
        let mut old = message(1, "ada");
        old.content = "old".into();
        timeline.upsert(old);
        assert_eq!(timeline.0[0].message.content, "new", "a replayed original does not undo the edit");
        timeline.change("m1", 6, None);
        assert!(timeline.0[0].message.deleted && timeline.0[0].message.content.is_empty());
    }

    #[test]
    fn a_message_is_changeable_until_someone_else_answers_or_time_runs_out() {
        let mut timeline = Timeline::of(vec![message(1, "ada"), message(2, "ada")]);
        let first = timeline.0[0].message.clone();
        assert!(timeline.changeable(&first, "ada", 2_000.0));
        assert!(!timeline.changeable(&first, "grace", 2_000.0), "only the sender");
        assert!(!timeline.changeable(&first, "ada", (1_000 + EDIT_WINDOW_MS) as f64), "five hours");
        timeline.upsert(message(3, "grace"));
        assert!(!timeline.changeable(&first, "ada", 2_000.0), "answered");
    }

    #[test]
    fn system_notices_follow_what_was_shown_and_new_messages_go_after_them() {
        let mut timeline = Timeline::of(vec![message(1, "ada")]);
        let notice = MessageFrame {
            id: "system-1".into(),
            sender_id: "System".into(),
            sender_name: "System".into(),
            content: "grace has joined the chat".into(),
            room_id: "general".into(),
            created_at: "2026-11-21T13:05:07.123Z".into(),
            seq: None,
            event_seq: None,
            edited_at: None,
            deleted: false,
        };
        timeline.system(&notice);
        timeline.upsert(message(2, "grace"));
        let kinds: Vec<(bool, i64)> = timeline.0.iter().map(|l| (l.system, l.message.seq)).collect();
        assert_eq!(kinds, [(false, 1), (true, 0), (false, 2)]);
        assert_eq!(timeline.last_seq(), 2);
    }

    #[test]
    fn iso_times_read_back_to_the_millisecond() {
        assert_eq!(parse_iso_ms("1970-01-01T00:00:00.000Z"), Some(0));
        assert_eq!(parse_iso_ms("2026-11-21T13:05:07.123Z"), Some(1_795_266_307_123));
        assert_eq!(parse_iso_ms("nonsense"), None);
    }
}
