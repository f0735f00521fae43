//! Chat types that cross the wire: the REST shapes, and the WebSocket frames both ways.
//! The frames of the original protocol keep their exact shape (a chat message has no
//! `type`); everything we added is extra fields or new frame types, which older clients
//! ignore.

use serde::{Deserialize, Serialize};

/// How long after sending a message its sender may still edit or delete it (and only
/// while nobody else has posted after it).
pub const EDIT_WINDOW_MS: i64 = 5 * 3600 * 1000;
/// The most participants a group conversation may have.
pub const GROUP_MAX: usize = 50;
/// Messages per history page by default, and at most.
pub const PAGE_DEFAULT: i64 = 50;
pub const PAGE_MAX: i64 = 200;
/// The sender id and name of messages the server itself writes.
pub const SYSTEM: &str = "System";

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChatKind {
    /// A public channel anyone signed in can join.
    #[default]
    Room,
    /// Two people.
    Direct,
    /// Up to 50 people.
    Group,
}

impl ChatKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Room => "room",
            Self::Direct => "direct",
            Self::Group => "group",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "room" => Some(Self::Room),
            "direct" => Some(Self::Direct),
            "group" => Some(Self::Group),
            _ => None,
        }
    }

    pub fn is_conversation(self) -> bool {
        self != Self::Room
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Participant {
    pub user_id: String,
    pub username: String,
    pub display_name: String,
}

/// A room or conversation as its member sees it in the list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RoomSummary {
    /// `general` for the first room; conversations have generated ids. Used as `room_id`
    /// in every frame.
    pub id: String,
    pub kind: ChatKind,
    /// The room's name; for conversations, the other participants' names.
    pub name: String,
    /// Archived rooms are read-only.
    pub archived: bool,
    /// Messages from others the user has not read.
    pub unread: i64,
    /// The room's latest event number.
    pub last_seq: i64,
    pub last_message_at_ms: Option<i64>,
    /// Conversation participants (empty for rooms).
    pub participants: Vec<Participant>,
    /// Whether the user has joined (rooms) or takes part (conversations).
    pub member: bool,
    /// A conversation in which nobody else is left who could read a message (all others
    /// left or lost their accounts): sending is refused.
    pub alone: bool,
}

/// A message as history and the socket carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ChatMessage {
    pub id: String,
    pub sender_id: Option<String>,
    pub sender_name: String,
    /// Plain text (never HTML); empty once deleted.
    pub content: String,
    pub room_id: String,
    /// ISO 8601 with milliseconds.
    pub created_at: String,
    /// The message's place in its room.
    pub seq: i64,
    /// The number of its latest event (its edit or deletion), for resuming.
    pub event_seq: i64,
    pub edited_at: Option<String>,
    pub deleted: bool,
    pub created_at_ms: i64,
}

/// A page of history, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MessagePage {
    pub room_id: String,
    pub messages: Vec<ChatMessage>,
    /// Whether older messages exist before the first one here.
    pub has_older: bool,
    pub last_seq: i64,
}

/// What the chat page loads: the rooms and conversations, and the open one's recent
/// messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatView {
    pub user_id: String,
    pub username: String,
    /// The name the user's messages go out under.
    pub user_name: String,
    pub rooms: Vec<RoomSummary>,
    pub conversations: Vec<RoomSummary>,
    pub open: RoomSummary,
    pub history: MessagePage,
    /// Who else is online (or away) now.
    pub online: Vec<(Participant, PresenceState)>,
    /// The user is an admin (may manage rooms and delete messages in them).
    pub admin: bool,
}

/// A client's frame. The first four types are the original protocol.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    Authorization {
        token: String,
    },
    Connect {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        user_id: Option<String>,
        room_id: String,
        /// Resume: replay the room's events after this number.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after_seq: Option<i64>,
    },
    Message {
        content: String,
        room_id: String,
        /// Echoed in the `ack` once the message is stored.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_id: Option<String>,
    },
    Disconnect {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        user_id: Option<String>,
        room_id: String,
    },
    Edit {
        id: String,
        content: String,
    },
    Delete {
        id: String,
    },
    Typing {
        room_id: String,
    },
    Read {
        room_id: String,
        seq: i64,
    },
    Presence {
        state: PresenceState,
    },
    Ping,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PresenceState {
    Online,
    Away,
    Offline,
}

impl PresenceState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Online => "online",
            Self::Away => "away",
            Self::Offline => "offline",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "online" => Some(Self::Online),
            "away" => Some(Self::Away),
            "offline" => Some(Self::Offline),
            _ => None,
        }
    }
}

/// A message frame: the original shape (no `type`), plus `seq` and what edits need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageFrame {
    pub id: String,
    pub sender_id: String,
    pub sender_name: String,
    pub content: String,
    pub room_id: String,
    pub created_at: String,
    /// Absent for system messages, which are not stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_seq: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited_at: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
}

impl MessageFrame {
    pub fn of(message: &ChatMessage) -> Self {
        Self {
            id: message.id.clone(),
            sender_id: message.sender_id.clone().unwrap_or_else(|| SYSTEM.to_string()),
            sender_name: message.sender_name.clone(),
            content: message.content.clone(),
            room_id: message.room_id.clone(),
            created_at: message.created_at.clone(),
            seq: Some(message.seq),
            event_seq: Some(message.event_seq),
            edited_at: message.edited_at.clone(),
            deleted: message.deleted,
        }
    }
}

/// Every other server frame, told apart by `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    Authenticated {
        user_id: String,
        user_name: String,
    },
    Connected {
        room_id: String,
        last_seq: i64,
    },
    Disconnected {
        room_id: String,
    },
    UserJoined {
        room_id: String,
        user_id: String,
        user_name: String,
    },
    UserLeft {
        room_id: String,
        user_id: String,
        user_name: String,
    },
    /// A message was edited; `seq` is the event's number, `message_seq` the message's.
    MessageEdited {
        id: String,
        room_id: String,
        seq: i64,
        message_seq: i64,
        content: String,
        edited_at: String,
    },
    MessageDeleted {
        id: String,
        room_id: String,
        seq: i64,
        message_seq: i64,
    },
    /// The sender's message is stored (sent only to the socket that sent it).
    Ack {
        client_id: Option<String>,
        id: String,
        room_id: String,
        seq: i64,
    },
    Typing {
        room_id: String,
        user_id: String,
        user_name: String,
    },
    Presence {
        user_id: String,
        user_name: String,
        state: PresenceState,
    },
    Unread {
        room_id: String,
        unread: i64,
        last_read_seq: i64,
    },
    /// The user's list of rooms and conversations changed (one was added, renamed,
    /// archived or left): fetch it again.
    RoomsChanged {
        room_id: String,
    },
    /// Too much was missed to replay: reload the room's history.
    Resync {
        room_id: String,
        last_seq: i64,
    },
    Pong,
    Error {
        error: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        room_id: Option<String>,
    },
}

/// Any frame the server sends, for clients that read them back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    Message(MessageFrame),
    Other(ServerFrame),
}

impl Incoming {
    /// Parses a server frame: message frames have no `type`.
    pub fn parse(text: &str) -> Option<Self> {
        #[derive(Deserialize)]
        struct Kind {
            #[serde(rename = "type")]
            kind: Option<String>,
        }
        let kind: Kind = serde_json::from_str(text).ok()?;
        match kind.kind {
            None => serde_json::from_str(text).ok().map(Self::Message),
            Some(_) => serde_json::from_str(text).ok().map(Self::Other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_original_frames_parse_exactly_as_written() {
        let frames = [
            r#"{"type":"authorization","token":"abc"}"#,
            r#"{"type":"connect","user_id":"u1","room_id":"general"}"#,
            r#"{"type":"message","content":"Hello","room_id":"general"}"#,
            r#"{"type":"disconnect","user_id":"u1","room_id":"general"}"#,
        ];
        for frame in frames {
            assert!(serde_json::from_str::<ClientFrame>(frame).is_ok(), "{frame}");
        }
        assert_eq!(
            serde_json::from_str::<ClientFrame>(r#"{"type":"connect","room_id":"general","after_seq":7}"#).unwrap(),
            ClientFrame::Connect { user_id: None, room_id: "general".into(), after_seq: Some(7) }
        );
        assert!(serde_json::from_str::<ClientFrame>(r#"{"type":"explode"}"#).is_err());
    }

    #[test]
    fn message_frames_keep_the_original_shape_and_others_carry_a_type() {
        let frame = MessageFrame {
            id: "m1".into(),
            sender_id: "u1".into(),
            sender_name: "ada".into(),
            content: "hi".into(),
            room_id: "general".into(),
            created_at: "2026-11-21T13:05:07.123Z".into(),
            seq: Some(3),
            event_seq: Some(3),
            edited_at: None,
            deleted: false,
        };
        let json = serde_json::to_value(&frame).unwrap();
        assert!(json.get("type").is_none());
        for key in ["id", "sender_id", "sender_name", "content", "room_id", "created_at", "seq"] {
            assert!(json.get(key).is_some(), "{key}");
        }
        let error =
            serde_json::to_value(ServerFrame::Error { error: "Not connected to this room".into(), room_id: None })
                .unwrap();
        assert_eq!(error, serde_json::json!({"type": "error", "error": "Not connected to this room"}));
        let text = serde_json::to_string(&frame).unwrap();
        assert_eq!(Incoming::parse(&text), Some(Incoming::Message(frame)));
        assert_eq!(Incoming::parse(r#"{"type":"pong"}"#), Some(Incoming::Other(ServerFrame::Pong)));
    }
}
