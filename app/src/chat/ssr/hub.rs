//! This process's share of the chat: a feed per room that has sockets here, the sockets
//! themselves (for limits, kicks and presence), and delivery. A feed hands each event to
//! every subscribed socket once and in the room's order: events this process committed
//! go out at once; events committed elsewhere, or missed, are read from the database
//! ("catch up") after a notification, a reconnect of the listener, a gap, or the periodic
//! backstop. The database is the truth; the feeds only decide who needs to hear of it.
//!
//! Under load a feed hands out batches: an event that comes within `batch_window` of
//! the previous batch waits for the window's end together with whatever else arrives,
//! so that each socket wakes and writes once per batch instead of once per event. A
//! quiet room's events go out at once.

use std::{
    collections::{BTreeMap, HashMap},
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex, MutexGuard,
    },
    time::Duration,
};

use tokio::time::Instant;

use axum::extract::ws::Utf8Bytes;
use tokio::sync::{broadcast, mpsc};

use super::{
    bus::{Bus, KickScope, Signal},
    repo::{self, MessageRow},
    ChatSettings,
};
use crate::{
    chat::model::{ChatMessage, MessageFrame, ServerFrame},
    server::{clock::now_ms, Db},
};

/// The feed every socket hears presence and changes to the public rooms on.
pub const EVERYONE: &str = "@everyone";

/// The feed only a user's own sockets hear: a conversation they were added to.
pub fn user_feed(user_id: &str) -> String {
    format!("@user:{user_id}")
}

/// Whether a feed is a room's (room ids never start with `@`) rather than one above.
pub fn is_room_feed(name: &str) -> bool {
    !name.starts_with('@')
}

/// One frame for the sockets of a room.
#[derive(Debug, Clone)]
pub struct Event {
    /// The room's event number; `None` for frames that are not stored.
    pub seq: Option<i64>,
    /// The frame, serialised once for every socket (cloning it shares the bytes).
    pub text: Utf8Bytes,
}

/// Events handed to a feed's sockets together, in the room's order.
pub type Batch = Arc<[Event]>;

/// What the hub tells one socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Control {
    /// Close with this WebSocket code and reason.
    Close { code: u16, reason: String },
}

/// A room's feed in this process.
pub struct Feed {
    pub room_id: String,
    sender: broadcast::Sender<Batch>,
    batch_window: Duration,
    state: Mutex<FeedState>,
}

struct FeedState {
    /// Every event up to this number has been handed to the sockets.
    delivered: i64,
    /// Events that arrived ahead of a missing one.
    pending: BTreeMap<i64, Event>,
    filling: bool,
    /// Events for the next batch, and when the last one went out.
    outbox: Vec<Event>,
    last_batch: Option<Instant>,
    batch_due: bool,
}

impl FeedState {
    fn new(delivered: i64) -> Self {
        Self {
            delivered,
            pending: BTreeMap::new(),
            filling: false,
            outbox: Vec::new(),
            last_batch: None,
            batch_due: false,
        }
    }

    /// Moves the events that now follow on without a gap from `pending` to the outbox.
    fn release_pending(&mut self) {
        loop {
            let next_seq = self.delivered + 1;
            let Some(next) = self.pending.remove(&next_seq) else { break };
            self.outbox.push(next);
            self.delivered = next_seq;
        }
    }
}

impl Feed {
    fn new(room_id: &str, delivered: i64, settings: &ChatSettings) -> Self {
        let (sender, _) = broadcast::channel(settings.queue);
        Self {
            room_id: room_id.to_string(),
            sender,
            batch_window: settings.batch_window,
            state: Mutex::new(FeedState::new(delivered)),
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Batch> {
        self.sender.subscribe()
    }

    /// Sends the outbox now if the last batch left a window ago, else once the window
    /// ends (with whatever joins it meanwhile).
    fn flush(self: &Arc<Self>, state: &mut FeedState) {
        if state.outbox.is_empty() || state.batch_due {
            return;
        }
        let due = state.last_batch.map(|at| at + self.batch_window).filter(|due| *due > Instant::now());
        let Some(due) = due else {
            self.send_batch(state);
            return;
        };
        state.batch_due = true;
        let feed = self.clone();
        crate::server::spawn(async move {
            tokio::time::sleep_until(due).await;
            let mut state = feed.state();
            state.batch_due = false;
            feed.send_batch(&mut state);
        });
    }

    fn send_batch(&self, state: &mut FeedState) {
        if state.outbox.is_empty() {
            return;
        }
        let batch: Batch = std::mem::take(&mut state.outbox).into();
        let _ = self.sender.send(batch);
        state.last_batch = Some(Instant::now());
    }

    fn state(&self) -> MutexGuard<'_, FeedState> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Hands an event to the sockets if it is the next one; true when an earlier one is
    /// missing (the caller arranges a catch-up).
    fn offer(self: &Arc<Self>, seq: i64, event: Event) -> bool {
        let mut state = self.state();
        if seq <= state.delivered {
            return false;
        }
        if seq != state.delivered + 1 {
            state.pending.insert(seq, event);
            let start_fill = !state.filling;
            state.filling = true;
            return start_fill;
        }
        state.outbox.push(event);
        state.delivered = seq;
        state.release_pending();
        self.flush(&mut state);
        false
    }

    fn send_ephemeral(self: &Arc<Self>, text: Utf8Bytes) {
        let mut state = self.state();
        state.outbox.push(Event { seq: None, text });
        self.flush(&mut state);
    }

    pub fn delivered(&self) -> i64 {
        self.state().delivered
    }
}

/// A socket as the hub knows it.
struct SocketEntry {
    id: u64,
    session: Option<String>,
    control: mpsc::Sender<Control>,
}

struct Inner {
    db: Db,
    bus: Bus,
    settings: Arc<ChatSettings>,
    /// Tells this process's signals apart from other processes'.
    instance: String,
    feeds: Mutex<HashMap<String, Arc<Feed>>>,
    sockets: Mutex<HashMap<String, Vec<SocketEntry>>>,
    next_socket: AtomicU64,
}

#[derive(Clone)]
pub struct Hub(Arc<Inner>);

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Frames for database rows a feed's sockets have not had: a new message when it is new
/// to them, else the edit or deletion that changed it.
pub fn frame_for(row: MessageRow, seen: i64) -> (i64, String) {
    let event_seq = row.event_seq;
    let message: ChatMessage = row.into();
    let frame = if message.seq > seen {
        serde_json::to_string(&MessageFrame::of(&message))
    } else if message.deleted {
        serde_json::to_string(&ServerFrame::MessageDeleted {
            id: message.id,
            room_id: message.room_id,
            seq: event_seq,
            message_seq: message.seq,
        })
    } else {
        serde_json::to_string(&ServerFrame::MessageEdited {
            id: message.id,
            room_id: message.room_id,
            seq: event_seq,
            message_seq: message.seq,
            content: message.content,
            edited_at: message.edited_at.unwrap_or_default(),
        })
    };
    (event_seq, frame.expect("frames serialise"))
}

impl Hub {
    pub fn new(db: Db, bus: Bus, settings: Arc<ChatSettings>) -> Self {
        let hub = Self(Arc::new(Inner {
            db,
            bus: bus.clone(),
            settings,
            instance: uuid::Uuid::new_v4().simple().to_string(),
            feeds: Mutex::default(),
            sockets: Mutex::default(),
            next_socket: AtomicU64::new(1),
        }));
        bus.spawn_listener(hub.clone());
        hub.spawn_backstop();
        hub
    }

    pub fn settings(&self) -> &ChatSettings {
        &self.0.settings
    }

    pub fn instance(&self) -> &str {
        &self.0.instance
    }

    pub fn bus(&self) -> &Bus {
        &self.0.bus
    }

    /// The room's feed, created (at the room's current number) when this is the first
    /// socket here to want it.
    pub async fn feed(&self, room_id: &str) -> Result<Arc<Feed>, sqlx::Error> {
        if let Some(feed) = lock(&self.0.feeds).get(room_id) {
            return Ok(feed.clone());
        }
        let last = repo::last_seqs(self.0.db.pool(), &[room_id.to_string()]).await?.first().map_or(0, |(_, seq)| *seq);
        let mut feeds = lock(&self.0.feeds);
        let feed =
            feeds.entry(room_id.to_string()).or_insert_with(|| Arc::new(Feed::new(room_id, last, &self.0.settings)));
        Ok(feed.clone())
    }

    fn existing_feed(&self, room_id: &str) -> Option<Arc<Feed>> {
        lock(&self.0.feeds).get(room_id).cloned()
    }

    /// An event this process just committed.
    pub fn committed(&self, room_id: &str, seq: i64, text: String) {
        let Some(feed) = self.existing_feed(room_id) else { return };
        if feed.offer(seq, Event { seq: Some(seq), text: text.into() }) {
            self.fill_gap_later(feed);
        }
    }

    /// A frame that is not stored, for this room's sockets here and elsewhere.
    pub async fn ephemeral(&self, room_id: &str, frame: &ServerFrame) {
        self.broadcast(room_id, serde_json::to_string(frame).expect("frames serialise")).await;
    }

    /// A frame for every socket of one user, here and elsewhere.
    pub async fn to_user(&self, user_id: &str, frame: &ServerFrame) {
        self.ephemeral(&user_feed(user_id), frame).await;
    }

    /// A frame for every socket, here and elsewhere.
    pub async fn to_everyone(&self, frame: &ServerFrame) {
        self.ephemeral(EVERYONE, frame).await;
    }

    /// A message frame that is not stored (the original protocol's system messages).
    pub async fn ephemeral_message(&self, room_id: &str, frame: &MessageFrame) {
        self.broadcast(room_id, serde_json::to_string(frame).expect("frames serialise")).await;
    }

    /// A serialised frame that is not stored, to this room's sockets here and elsewhere.
    async fn broadcast(&self, room_id: &str, text: String) {
        self.local_ephemeral(Some(room_id), &text);
        let signal =
            Signal::Ephemeral { origin: self.0.instance.clone(), room: Some(room_id.to_string()), frame: text };
        self.0.bus.send(&self.0.db, &signal).await;
    }

    fn local_ephemeral(&self, room_id: Option<&str>, text: &str) {
        let text = Utf8Bytes::from(text);
        match room_id {
            Some(room_id) => {
                if let Some(feed) = self.existing_feed(room_id) {
                    feed.send_ephemeral(text);
                }
            }
            None => {
                let feeds: Vec<Arc<Feed>> = lock(&self.0.feeds).values().cloned().collect();
                for feed in feeds {
                    feed.send_ephemeral(text.clone());
                }
            }
        }
    }

    /// A signal from another process.
    pub async fn receive(&self, signal: Signal) {
        match signal {
            Signal::Committed { room, seq } => {
                if let Some(feed) = self.existing_feed(&room) {
                    if feed.delivered() < seq {
                        self.catch_up(&feed).await;
                    }
                }
            }
            Signal::Ephemeral { origin, room, frame } if origin != self.0.instance => {
                self.local_ephemeral(room.as_deref(), &frame);
            }
            Signal::Kick { origin, user, scope } if origin != self.0.instance => {
                self.kick_local(&user, &scope);
            }
            _ => {}
        }
    }

    fn fill_gap_later(&self, feed: Arc<Feed>) {
        let hub = self.clone();
        crate::server::spawn(async move {
            // The missing event is usually a moment behind (a commit finishing on
            // another task); if not, the database has it.
            tokio::time::sleep(Duration::from_millis(50)).await;
            hub.catch_up(&feed).await;
        });
    }

    /// Reads what this feed's sockets have missed from the database and hands it out.
    pub async fn catch_up(&self, feed: &Arc<Feed>) {
        if let Err(error) = self.try_catch_up(feed).await {
            tracing::warn!(%error, room = feed.room_id, "chat catch-up failed; the backstop will retry");
        }
    }

    async fn try_catch_up(&self, feed: &Arc<Feed>) -> Result<(), sqlx::Error> {
        loop {
            // The room's number first: every event up to it is committed (numbers are
            // taken under the row lock), so reading after it misses none of them.
            let last = repo::last_seqs(self.0.db.pool(), std::slice::from_ref(&feed.room_id))
                .await?
                .first()
                .map_or(0, |(_, s)| *s);
            let from = feed.delivered();
            if last <= from {
                let mut state = feed.state();
                state.filling = false;
                let delivered = state.delivered;
                state.pending.retain(|seq, _| *seq > delivered);
                return Ok(());
            }
            let limit = self.0.settings.replay_limit;
            let rows = repo::events_after(self.0.db.pool(), &feed.room_id, from, limit).await?;
            let complete = (rows.len() as i64) < limit;
            let mut state = feed.state();
            let mut upto = state.delivered;
            for row in rows {
                if row.event_seq <= state.delivered || row.event_seq > last {
                    continue;
                }
                let (seq, text) = frame_for(row, state.delivered);
                state.outbox.push(Event { seq: Some(seq), text: text.into() });
                upto = seq;
            }
            // Numbers between the rows belong to events superseded since (a message's
            // creation, later edited): the rows already say what they became.
            state.delivered = if complete { last.max(upto) } else { upto };
            let delivered = state.delivered;
            state.pending.retain(|seq, _| *seq > delivered);
            state.release_pending();
            feed.flush(&mut state);
            if complete {
                state.filling = false;
                return Ok(());
            }
        }
    }

    /// Every feed catches up (after the listener reconnected).
    pub async fn catch_up_all(&self) {
        let feeds: Vec<Arc<Feed>> = lock(&self.0.feeds).values().cloned().collect();
        for feed in feeds {
            self.catch_up(&feed).await;
        }
    }

    /// Periodically: feeds without sockets are dropped, the others compared with the
    /// database (a missed notification is found within one period), and presence rows
    /// refreshed.
    fn spawn_backstop(&self) {
        let hub = self.clone();
        crate::server::spawn(async move {
            let mut every = tokio::time::interval(hub.0.settings.backstop);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                hub.backstop().await;
            }
        });
    }

    async fn backstop(&self) {
        let feeds: Vec<Arc<Feed>> = {
            let mut feeds = lock(&self.0.feeds);
            feeds.retain(|_, feed| feed.sender.receiver_count() > 0);
            feeds.values().cloned().collect()
        };
        let ids: Vec<String> = feeds.iter().map(|feed| feed.room_id.clone()).filter(|id| is_room_feed(id)).collect();
        match repo::last_seqs(self.0.db.pool(), &ids).await {
            Ok(last) => {
                let last: HashMap<String, i64> = last.into_iter().collect();
                for feed in feeds {
                    if last.get(&feed.room_id).is_some_and(|seq| *seq > feed.delivered()) {
                        self.catch_up(&feed).await;
                    }
                }
            }
            Err(error) => tracing::warn!(%error, "chat backstop could not read the rooms"),
        }
        let settings = &self.0.settings;
        let result = repo::refresh_presence(
            self.0.db.pool(),
            &self.0.instance,
            now_ms(),
            settings.presence_stale.as_millis() as i64,
        )
        .await;
        if let Err(error) = result {
            tracing::warn!(%error, "could not refresh chat presence");
        }
    }

    // ---- Sockets ------------------------------------------------------------------------

    /// Registers a socket of `user` (refused past the per-user limit): its id and the
    /// channel the hub closes it through; `first` when it is the user's first here.
    pub fn register(&self, user: &str, session: Option<String>) -> Option<(u64, mpsc::Receiver<Control>, bool)> {
        let mut sockets = lock(&self.0.sockets);
        let entries = sockets.entry(user.to_string()).or_default();
        if entries.len() >= self.0.settings.max_sockets_per_user {
            return None;
        }
        let id = self.0.next_socket.fetch_add(1, Ordering::Relaxed);
        let (control, receiver) = mpsc::channel(4);
        entries.push(SocketEntry { id, session, control });
        Some((id, receiver, entries.len() == 1))
    }

    /// Forgets a socket; true when it was the user's last here.
    pub fn unregister(&self, user: &str, id: u64) -> bool {
        let mut sockets = lock(&self.0.sockets);
        let Some(entries) = sockets.get_mut(user) else { return false };
        entries.retain(|entry| entry.id != id);
        let last = entries.is_empty();
        if last {
            sockets.remove(user);
        }
        last
    }

    /// Closes the user's sockets (`scope` says which) in every process: after a logout,
    /// a password change, deactivation or deletion.
    pub async fn kick(&self, user: &str, scope: KickScope) {
        self.kick_local(user, &scope);
        let signal = Signal::Kick { origin: self.0.instance.clone(), user: user.to_string(), scope };
        self.0.bus.send(&self.0.db, &signal).await;
    }

    fn kick_local(&self, user: &str, scope: &KickScope) {
        let sockets = lock(&self.0.sockets);
        for entry in sockets.get(user).into_iter().flatten() {
            let hit = match scope {
                KickScope::All => true,
                KickScope::Tokens => entry.session.is_none(),
                KickScope::Session(id) => entry.session.as_deref() == Some(id.as_str()),
            };
            if hit {
                let _ = entry.control.try_send(Control::Close {
                    code: 1008,
                    reason: "Your session ended; please sign in again.".into(),
                });
            }
        }
    }

    pub fn db(&self) -> &Db {
        &self.0.db
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(delivered: i64, batch_window: Duration) -> Arc<Feed> {
        let settings = ChatSettings { queue: 16, batch_window, ..ChatSettings::default() };
        Arc::new(Feed::new("r", delivered, &settings))
    }

    fn event(seq: i64) -> Event {
        Event { seq: Some(seq), text: Utf8Bytes::from(seq.to_string()) }
    }

    fn received(rx: &mut broadcast::Receiver<Batch>) -> Vec<Vec<i64>> {
        std::iter::from_fn(|| rx.try_recv().ok()).map(|batch| batch.iter().map(|e| e.seq.unwrap()).collect()).collect()
    }

    #[test]
    fn events_go_out_once_and_in_order() {
        let feed = feed(4, Duration::ZERO);
        let mut rx = feed.subscribe();
        assert!(!feed.offer(5, event(5)));
        assert!(!feed.offer(5, event(5)), "a duplicate is dropped");
        assert!(feed.offer(7, event(7)), "a gap asks for a catch-up");
        assert!(!feed.offer(8, event(8)), "one catch-up at a time");
        assert!(!feed.offer(6, event(6)), "the missing one releases the rest");
        assert_eq!(received(&mut rx), [vec![5], vec![6, 7, 8]]);
        assert_eq!(feed.delivered(), 8);
        assert!(!feed.offer(3, event(3)));
    }

    #[tokio::test]
    async fn a_busy_room_hands_out_batches_and_a_quiet_one_does_not_wait() {
        let window = Duration::from_millis(200);
        let feed = feed(0, window);
        let mut rx = feed.subscribe();
        feed.offer(1, event(1));
        assert_eq!(received(&mut rx), [vec![1]], "the first event goes out at once");
        feed.offer(2, event(2));
        feed.send_ephemeral(Utf8Bytes::from("typing"));
        feed.offer(3, event(3));
        assert_eq!(rx.len(), 0, "events within the window wait for it");
        let batch = tokio::time::timeout(window * 5, rx.recv()).await.expect("the batch comes").unwrap();
        let seqs: Vec<Option<i64>> = batch.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, [Some(2), None, Some(3)], "together, in order");
        tokio::time::sleep(window * 2).await;
        feed.offer(4, event(4));
        assert_eq!(received(&mut rx), [vec![4]], "after a quiet window the next event goes out at once");
    }
}
