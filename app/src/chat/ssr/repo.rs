//! All SQL of the chat. The rules that must hold under concurrency (numbering, "only
//! participant left", "unanswered", deleting the last participant's conversation) start
//! their transaction by locking the room's row, so they run one at a time per room.

use sqlx::{AnyConnection, AnyExecutor, FromRow};

use crate::{
    blog::model::iso_datetime,
    chat::model::{ChatKind, ChatMessage, Participant, RoomSummary},
};

#[derive(Debug, Clone, FromRow)]
pub struct RoomRow {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub archived_at_ms: Option<i64>,
    pub last_seq: i64,
    pub last_message_at_ms: Option<i64>,
    /// The user's read position; `None` when they are not a member.
    pub last_read_seq: Option<i64>,
    pub unread: i64,
}

impl RoomRow {
    pub fn kind(&self) -> ChatKind {
        ChatKind::parse(&self.kind).unwrap_or(ChatKind::Room)
    }

    /// The room as `me` sees it; `readers` counts the other participants with active
    /// accounts (conversations).
    pub fn summary(self, participants: Vec<Participant>, readers: usize, me: &str) -> RoomSummary {
        let kind = self.kind();
        let name = if kind.is_conversation() && self.name.is_empty() {
            let others: Vec<&str> =
                participants.iter().filter(|p| p.user_id != me).map(|p| p.display_name.as_str()).collect();
            if others.is_empty() {
                "Just you".to_string()
            } else {
                others.join(", ")
            }
        } else {
            self.name
        };
        RoomSummary {
            member: self.last_read_seq.is_some(),
            id: self.id,
            kind,
            name,
            archived: self.archived_at_ms.is_some(),
            unread: self.unread,
            last_seq: self.last_seq,
            last_message_at_ms: self.last_message_at_ms,
            participants,
            alone: kind.is_conversation() && readers == 0,
        }
    }
}

const ROOM_COLUMNS: &str = "r.id, r.kind, r.name, r.archived_at_ms, r.last_seq, r.last_message_at_ms, \
     m.last_read_seq, \
     CASE WHEN m.user_id IS NULL THEN 0 ELSE \
       (SELECT COUNT(*) FROM chat_messages x WHERE x.room_id = r.id AND x.seq > m.last_read_seq \
        AND x.deleted_at_ms IS NULL AND (x.sender_id IS NULL OR x.sender_id <> $1)) END AS unread";

/// Every public room and the user's conversations, with unread counts.
pub async fn rooms_of<'e>(db: impl AnyExecutor<'e>, user_id: &str) -> Result<Vec<RoomRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {ROOM_COLUMNS} FROM chat_rooms r \
         LEFT JOIN chat_members m ON m.room_id = r.id AND m.user_id = $1 \
         WHERE r.kind = 'room' OR m.user_id IS NOT NULL \
         ORDER BY CASE WHEN r.kind = 'room' THEN 0 ELSE 1 END, \
                  CASE WHEN r.kind = 'room' THEN r.name END, r.last_message_at_ms DESC, r.id"
    );
    sqlx::query_as(&sql).bind(user_id).fetch_all(db).await
}

/// One room as the user sees it (also when not a member).
pub async fn room<'e>(db: impl AnyExecutor<'e>, user_id: &str, room_id: &str) -> Result<Option<RoomRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {ROOM_COLUMNS} FROM chat_rooms r \
         LEFT JOIN chat_members m ON m.room_id = r.id AND m.user_id = $1 WHERE r.id = $2"
    );
    sqlx::query_as(&sql).bind(user_id).bind(room_id).fetch_optional(db).await
}

#[derive(FromRow)]
struct ParticipantRow {
    room_id: String,
    user_id: String,
    username: String,
    name: Option<String>,
    active: i64,
}

/// The participants of the user's conversations, by room, and whether their accounts
/// are active.
pub async fn participants<'e>(
    db: impl AnyExecutor<'e>,
    user_id: &str,
) -> Result<Vec<(String, Participant, bool)>, sqlx::Error> {
    let rows: Vec<ParticipantRow> = sqlx::query_as(
        "SELECT m.room_id, u.id AS user_id, u.username, u.name, \
         CASE WHEN u.active THEN 1 ELSE 0 END AS active FROM chat_members m \
         JOIN chat_rooms r ON r.id = m.room_id AND r.kind <> 'room' \
         JOIN users u ON u.id = m.user_id \
         WHERE m.room_id IN (SELECT room_id FROM chat_members WHERE user_id = $1) \
         ORDER BY m.room_id, u.username",
    )
    .bind(user_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let display_name = row.name.unwrap_or_else(|| row.username.clone());
            let person = Participant { user_id: row.user_id, username: row.username, display_name };
            (row.room_id, person, row.active != 0)
        })
        .collect())
}

/// Makes the user a member (joining a room); idempotent.
pub async fn join<'e>(db: impl AnyExecutor<'e>, room_id: &str, user_id: &str, now_ms: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO chat_members (room_id, user_id, joined_at_ms, last_read_seq) \
         SELECT $1, $2, $3, last_seq FROM chat_rooms WHERE id = $1 ON CONFLICT DO NOTHING",
    )
    .bind(room_id)
    .bind(user_id)
    .bind(now_ms)
    .execute(db)
    .await?;
    Ok(())
}

/// Moves the user's read position forward (never back); the new position.
pub async fn mark_read<'e>(
    db: impl AnyExecutor<'e>,
    room_id: &str,
    user_id: &str,
    seq: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let row: Option<(i64,)> = sqlx::query_as(
        "UPDATE chat_members SET last_read_seq = CASE WHEN last_read_seq < $3 THEN $3 ELSE last_read_seq END \
         WHERE room_id = $1 AND user_id = $2 RETURNING last_read_seq",
    )
    .bind(room_id)
    .bind(user_id)
    .bind(seq)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(seq,)| seq))
}

/// Takes the room's next event number, locking its row until the transaction ends:
/// `None` when the room is gone or archived.
pub async fn next_seq(
    conn: &mut AnyConnection,
    room_id: &str,
    now_ms: i64,
    new_message: bool,
) -> Result<Option<i64>, sqlx::Error> {
    let row: Option<(i64,)> = sqlx::query_as(
        "UPDATE chat_rooms SET last_seq = last_seq + 1, \
           last_message_at_ms = CASE WHEN $3 = 1 THEN $2 ELSE last_message_at_ms END \
         WHERE id = $1 AND archived_at_ms IS NULL RETURNING last_seq",
    )
    .bind(room_id)
    .bind(now_ms)
    .bind(i64::from(new_message))
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|(seq,)| seq))
}

/// Locks a conversation's row (without numbering anything): its kind, if it exists.
pub async fn lock_conversation(conn: &mut AnyConnection, room_id: &str) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> =
        sqlx::query_as("UPDATE chat_rooms SET last_seq = last_seq WHERE id = $1 AND kind <> 'room' RETURNING kind")
            .bind(room_id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.map(|(kind,)| kind))
}

/// (the user is a member, how many other members are active accounts)
pub async fn membership(conn: &mut AnyConnection, room_id: &str, user_id: &str) -> Result<(bool, i64), sqlx::Error> {
    let (member, others): (i64, i64) = sqlx::query_as(
        "SELECT \
           (SELECT COUNT(*) FROM chat_members WHERE room_id = $1 AND user_id = $2), \
           (SELECT COUNT(*) FROM chat_members m JOIN users u ON u.id = m.user_id \
            WHERE m.room_id = $1 AND m.user_id <> $2 AND u.active)",
    )
    .bind(room_id)
    .bind(user_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok((member > 0, others))
}

pub async fn member_count(conn: &mut AnyConnection, room_id: &str) -> Result<i64, sqlx::Error> {
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM chat_members WHERE room_id = $1")
        .bind(room_id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(count)
}

pub async fn remove_member<'e>(db: impl AnyExecutor<'e>, room_id: &str, user_id: &str) -> Result<bool, sqlx::Error> {
    let result = sqlx::query("DELETE FROM chat_members WHERE room_id = $1 AND user_id = $2")
        .bind(room_id)
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(result.rows_affected() == 1)
}

pub async fn delete_room<'e>(db: impl AnyExecutor<'e>, room_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM chat_rooms WHERE id = $1").bind(room_id).execute(db).await?;
    Ok(())
}

pub struct NewRoom<'a> {
    pub id: &'a str,
    pub kind: ChatKind,
    pub name: &'a str,
    pub direct_key: Option<&'a str>,
    pub created_by: &'a str,
    pub now_ms: i64,
}

pub async fn insert_room<'e>(db: impl AnyExecutor<'e>, room: &NewRoom<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO chat_rooms (id, kind, name, direct_key, created_by, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(room.id)
    .bind(room.kind.as_str())
    .bind(room.name)
    .bind(room.direct_key)
    .bind(room.created_by)
    .bind(room.now_ms)
    .execute(db)
    .await?;
    Ok(())
}

/// A direct conversation's id by its key, if it exists.
pub async fn direct<'e>(db: impl AnyExecutor<'e>, key: &str) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT id FROM chat_rooms WHERE direct_key = $1").bind(key).fetch_optional(db).await?;
    Ok(row.map(|(id,)| id))
}

pub async fn rename_room<'e>(db: impl AnyExecutor<'e>, room_id: &str, name: &str) -> Result<bool, sqlx::Error> {
    let result = sqlx::query("UPDATE chat_rooms SET name = $2 WHERE id = $1 AND kind = 'room'")
        .bind(room_id)
        .bind(name)
        .execute(db)
        .await?;
    Ok(result.rows_affected() == 1)
}

pub async fn set_archived<'e>(
    db: impl AnyExecutor<'e>,
    room_id: &str,
    archived: bool,
    now_ms: i64,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "UPDATE chat_rooms SET archived_at_ms = CASE WHEN $2 = 1 THEN $3 ELSE NULL END WHERE id = $1 AND kind = 'room'",
    )
    .bind(room_id)
    .bind(i64::from(archived))
    .bind(now_ms)
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

#[derive(Debug, Clone, FromRow)]
pub struct MessageRow {
    pub id: String,
    pub room_id: String,
    pub seq: i64,
    pub event_seq: i64,
    pub sender_id: Option<String>,
    pub sender_name: String,
    pub content: String,
    pub created_at_ms: i64,
    pub edited_at_ms: Option<i64>,
    pub deleted_at_ms: Option<i64>,
}

impl From<MessageRow> for ChatMessage {
    fn from(row: MessageRow) -> Self {
        let deleted = row.deleted_at_ms.is_some();
        Self {
            created_at: iso_datetime(row.created_at_ms),
            edited_at: row.edited_at_ms.map(iso_datetime),
            content: if deleted { String::new() } else { row.content },
            id: row.id,
            sender_id: row.sender_id,
            sender_name: row.sender_name,
            room_id: row.room_id,
            seq: row.seq,
            event_seq: row.event_seq,
            deleted,
            created_at_ms: row.created_at_ms,
        }
    }
}

const MESSAGE_COLUMNS: &str =
    "id, room_id, seq, event_seq, sender_id, sender_name, content, created_at_ms, edited_at_ms, deleted_at_ms";

pub struct NewMessage<'a> {
    pub id: &'a str,
    pub room_id: &'a str,
    pub seq: i64,
    pub sender_id: &'a str,
    pub sender_name: &'a str,
    pub content: &'a str,
    pub now_ms: i64,
}

pub async fn insert_message(conn: &mut AnyConnection, m: &NewMessage<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO chat_messages (id, room_id, seq, event_seq, sender_id, sender_name, content, created_at_ms) \
         VALUES ($1, $2, $3, $3, $4, $5, $6, $7)",
    )
    .bind(m.id)
    .bind(m.room_id)
    .bind(m.seq)
    .bind(m.sender_id)
    .bind(m.sender_name)
    .bind(m.content)
    .bind(m.now_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn message<'e>(db: impl AnyExecutor<'e>, id: &str) -> Result<Option<MessageRow>, sqlx::Error> {
    let sql = format!("SELECT {MESSAGE_COLUMNS} FROM chat_messages WHERE id = $1");
    sqlx::query_as(&sql).bind(id).fetch_optional(db).await
}

/// Whether someone other than the sender posted in the room after this message.
pub async fn answered(conn: &mut AnyConnection, message: &MessageRow) -> Result<bool, sqlx::Error> {
    let (later,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM chat_messages WHERE room_id = $1 AND seq > $2 AND sender_id IS NOT NULL \
         AND ($3 = '' OR sender_id <> $3)",
    )
    .bind(&message.room_id)
    .bind(message.seq)
    .bind(message.sender_id.as_deref().unwrap_or_default())
    .fetch_one(&mut *conn)
    .await?;
    Ok(later > 0)
}

pub async fn edit_message(
    conn: &mut AnyConnection,
    id: &str,
    content: &str,
    event_seq: i64,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE chat_messages SET content = $2, edited_at_ms = $3, event_seq = $4 WHERE id = $1")
        .bind(id)
        .bind(content)
        .bind(now_ms)
        .bind(event_seq)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Leaves a "message deleted" stub: the text goes, the place in the history stays.
pub async fn delete_message(
    conn: &mut AnyConnection,
    id: &str,
    event_seq: i64,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE chat_messages SET content = '', deleted_at_ms = $2, event_seq = $3 WHERE id = $1")
        .bind(id)
        .bind(now_ms)
        .bind(event_seq)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// History: the `limit` messages before `before` (or the latest), oldest first.
pub async fn page_before<'e>(
    db: impl AnyExecutor<'e>,
    room_id: &str,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<MessageRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS} FROM chat_messages WHERE room_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3"
    );
    let mut rows: Vec<MessageRow> =
        sqlx::query_as(&sql).bind(room_id).bind(before.unwrap_or(i64::MAX)).bind(limit).fetch_all(db).await?;
    rows.reverse();
    Ok(rows)
}

/// History: the `limit` messages after `after`, oldest first.
pub async fn page_after<'e>(
    db: impl AnyExecutor<'e>,
    room_id: &str,
    after: i64,
    limit: i64,
) -> Result<Vec<MessageRow>, sqlx::Error> {
    let sql =
        format!("SELECT {MESSAGE_COLUMNS} FROM chat_messages WHERE room_id = $1 AND seq > $2 ORDER BY seq LIMIT $3");
    sqlx::query_as(&sql).bind(room_id).bind(after).bind(limit).fetch_all(db).await
}

/// The room's events after `after` (new messages, edits, deletions), in event order:
/// what a client that saw up to `after` has missed.
pub async fn events_after<'e>(
    db: impl AnyExecutor<'e>,
    room_id: &str,
    after: i64,
    limit: i64,
) -> Result<Vec<MessageRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS} FROM chat_messages WHERE room_id = $1 AND event_seq > $2 ORDER BY event_seq LIMIT $3"
    );
    sqlx::query_as(&sql).bind(room_id).bind(after).bind(limit).fetch_all(db).await
}

/// The latest event numbers of the given rooms.
pub async fn last_seqs<'e>(db: impl AnyExecutor<'e>, room_ids: &[String]) -> Result<Vec<(String, i64)>, sqlx::Error> {
    if room_ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=room_ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!("SELECT id, last_seq FROM chat_rooms WHERE id IN ({})", placeholders.join(", "));
    let mut query = sqlx::query_as(&sql);
    for id in room_ids {
        query = query.bind(id);
    }
    query.fetch_all(db).await
}

/// A signed-in user by username, for starting conversations.
pub async fn active_user_by_username<'e>(
    db: impl AnyExecutor<'e>,
    username: &str,
) -> Result<Option<Participant>, sqlx::Error> {
    let row: Option<(String, String, Option<String>)> =
        sqlx::query_as("SELECT id, username, name FROM users WHERE lower(username) = $1 AND active")
            .bind(username.to_lowercase())
            .fetch_optional(db)
            .await?;
    Ok(row.map(|(user_id, username, name)| Participant {
        display_name: name.unwrap_or_else(|| username.clone()),
        user_id,
        username,
    }))
}

/// People whose username or name starts with `prefix` (the user picker).
pub async fn find_people<'e>(
    db: impl AnyExecutor<'e>,
    prefix: &str,
    except: &str,
    limit: i64,
) -> Result<Vec<Participant>, sqlx::Error> {
    let escaped = prefix.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    let rows: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT id, username, name FROM users WHERE active AND id <> $2 \
         AND (lower(username) LIKE $1 ESCAPE '\\' OR lower(COALESCE(name, '')) LIKE $1 ESCAPE '\\') \
         ORDER BY username LIMIT $3",
    )
    .bind(format!("{escaped}%"))
    .bind(except)
    .bind(limit)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(user_id, username, name)| Participant {
            display_name: name.unwrap_or_else(|| username.clone()),
            user_id,
            username,
        })
        .collect())
}

// ---- Presence and tickets ---------------------------------------------------------------

pub async fn set_presence<'e>(
    db: impl AnyExecutor<'e>,
    user_id: &str,
    instance: &str,
    state: &str,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO chat_presence (user_id, instance, state, seen_at_ms) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id, instance) DO UPDATE SET state = excluded.state, seen_at_ms = excluded.seen_at_ms",
    )
    .bind(user_id)
    .bind(instance)
    .bind(state)
    .bind(now_ms)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn clear_presence<'e>(db: impl AnyExecutor<'e>, user_id: &str, instance: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM chat_presence WHERE user_id = $1 AND instance = $2")
        .bind(user_id)
        .bind(instance)
        .execute(db)
        .await?;
    Ok(())
}

/// Keeps this process's presence rows fresh, and forgets stale ones of any process.
pub async fn refresh_presence<'e>(
    db: impl AnyExecutor<'e> + Copy,
    instance: &str,
    now_ms: i64,
    stale_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE chat_presence SET seen_at_ms = $2 WHERE instance = $1")
        .bind(instance)
        .bind(now_ms)
        .execute(db)
        .await?;
    sqlx::query("DELETE FROM chat_presence WHERE seen_at_ms < $1").bind(now_ms - stale_ms).execute(db).await?;
    Ok(())
}

/// Who is online (or away) in any process, with their best state.
pub async fn online<'e>(db: impl AnyExecutor<'e>, since_ms: i64) -> Result<Vec<(Participant, String)>, sqlx::Error> {
    let rows: Vec<(String, String, Option<String>, String)> = sqlx::query_as(
        "SELECT u.id, u.username, u.name, MAX(p.state) FROM chat_presence p JOIN users u ON u.id = p.user_id \
         WHERE p.seen_at_ms >= $1 AND u.active GROUP BY u.id, u.username, u.name ORDER BY u.username LIMIT 500",
    )
    .bind(since_ms)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(user_id, username, name, state)| {
            (Participant { display_name: name.unwrap_or_else(|| username.clone()), user_id, username }, state)
        })
        .collect())
}

pub async fn insert_ticket<'e>(
    db: impl AnyExecutor<'e>,
    token_hash: &str,
    user_id: &str,
    expires_at_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO chat_tickets (token_hash, user_id, expires_at_ms) VALUES ($1, $2, $3)")
        .bind(token_hash)
        .bind(user_id)
        .bind(expires_at_ms)
        .execute(db)
        .await?;
    Ok(())
}

/// Spends a ticket: its user, once, while it is fresh.
pub async fn use_ticket<'e>(
    db: impl AnyExecutor<'e>,
    token_hash: &str,
    now_ms: i64,
) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> = sqlx::query_as(
        "UPDATE chat_tickets SET used_at_ms = $2 WHERE token_hash = $1 AND used_at_ms IS NULL AND expires_at_ms > $2 \
         RETURNING user_id",
    )
    .bind(token_hash)
    .bind(now_ms)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(user_id,)| user_id))
}

pub async fn purge_tickets<'e>(db: impl AnyExecutor<'e>, now_ms: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM chat_tickets WHERE expires_at_ms < $1").bind(now_ms).execute(db).await?;
    Ok(())
}
