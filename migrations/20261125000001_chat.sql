-- Chat: public rooms and private conversations (direct or group), their members, and
-- messages numbered per room. Timestamps in unix milliseconds (`_ms`), like the blog.
-- `general` exists from the first start.

-- A room or a conversation. `last_seq` numbers the room's events (new messages, edits,
-- deletions): taking the next number locks the row until the transaction ends, so
-- events commit in the order of their numbers, on both engines.
CREATE TABLE chat_rooms (
    id TEXT PRIMARY KEY,
    -- room (public channel), direct (two people) or group (up to 50).
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    -- Direct conversations: the two user ids, sorted and joined, so a pair has one.
    direct_key TEXT,
    created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at_ms BIGINT NOT NULL,
    archived_at_ms BIGINT,
    last_seq BIGINT NOT NULL DEFAULT 0,
    last_message_at_ms BIGINT
);

CREATE UNIQUE INDEX chat_rooms_direct_key ON chat_rooms (direct_key);
CREATE INDEX chat_rooms_kind ON chat_rooms (kind, name);

-- Who is in a room (joined) or conversation (a participant), and how far they read.
CREATE TABLE chat_members (
    room_id TEXT NOT NULL REFERENCES chat_rooms (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    joined_at_ms BIGINT NOT NULL,
    last_read_seq BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (room_id, user_id)
);

CREATE INDEX chat_members_user ON chat_members (user_id);

-- `seq` is the message's place in its room; `event_seq` the number of its latest event
-- (equal to `seq` until it is edited or deleted), which is what a client resumes from.
CREATE TABLE chat_messages (
    id TEXT PRIMARY KEY,
    room_id TEXT NOT NULL REFERENCES chat_rooms (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    event_seq BIGINT NOT NULL,
    sender_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    -- The sender's name when sent, so history reads well after a rename or deletion.
    sender_name TEXT NOT NULL,
    content TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    edited_at_ms BIGINT,
    deleted_at_ms BIGINT
);

CREATE UNIQUE INDEX chat_messages_room_seq ON chat_messages (room_id, seq);
CREATE INDEX chat_messages_room_event ON chat_messages (room_id, event_seq);
CREATE INDEX chat_messages_sender ON chat_messages (sender_id);

-- Single-use tickets for `?token=` on the socket address (a link may be logged, so it
-- never carries a long-lived credential). Only a digest is stored.
CREATE TABLE chat_tickets (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at_ms BIGINT NOT NULL,
    used_at_ms BIGINT
);

-- Who is connected, per server process, refreshed while they are: "online" is anyone
-- with a fresh row in any process.
CREATE TABLE chat_presence (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    instance TEXT NOT NULL,
    state TEXT NOT NULL,
    seen_at_ms BIGINT NOT NULL,
    PRIMARY KEY (user_id, instance)
);

CREATE INDEX chat_presence_seen ON chat_presence (seen_at_ms);

INSERT INTO chat_rooms (id, kind, name, created_at_ms) VALUES ('general', 'room', 'General', 0);
