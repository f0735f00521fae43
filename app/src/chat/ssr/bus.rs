//! How chat events reach the other server processes: the one place where the engines
//! differ. SQLite is one process, so nothing crosses. PostgreSQL carries LISTEN/NOTIFY
//! payloads that are only pointers ("room R has event N") or small ephemeral frames
//! (typing, presence, kicks); every process reads the events themselves from the
//! database, so a lost notification costs latency, never a message.

use std::time::Duration;

use sqlx::{postgres::PgListener, AnyConnection};

use super::hub::Hub;
use crate::server::{Db, Engine};

const CHANNEL: &str = "commonplace_chat";

/// A notification, as written on the channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signal {
    /// Room `room` committed event `seq`: catch up from the database.
    Committed { room: String, seq: i64 },
    /// A frame that is not stored (typing, presence, joins), from process `origin`.
    Ephemeral { origin: String, room: Option<String>, frame: String },
    /// Close some of the user's sockets, from process `origin`.
    Kick { origin: String, user: String, scope: KickScope },
}

/// Which of a user's sockets a kick closes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KickScope {
    /// Every socket (password change, deactivation, deletion).
    All,
    /// Those opened with one browser session (its logout).
    Session(String),
    /// Those opened with a token rather than a session (an API logout).
    Tokens,
}

impl Signal {
    pub fn encode(&self) -> String {
        match self {
            Self::Committed { room, seq } => format!("e\u{1f}{room}\u{1f}{seq}"),
            Self::Ephemeral { origin, room, frame } => {
                format!("x\u{1f}{origin}\u{1f}{}\u{1f}{frame}", room.as_deref().unwrap_or_default())
            }
            Self::Kick { origin, user, scope } => {
                let scope = match scope {
                    KickScope::All => "a".to_string(),
                    KickScope::Tokens => "t".to_string(),
                    KickScope::Session(id) => format!("s{id}"),
                };
                format!("k\u{1f}{origin}\u{1f}{user}\u{1f}{scope}")
            }
        }
    }

    pub fn decode(payload: &str) -> Option<Self> {
        let mut parts = payload.splitn(4, '\u{1f}');
        let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_string());
        match parts.next()? {
            "e" => {
                let room = parts.next()?.to_string();
                let seq = parts.next()?.parse().ok()?;
                Some(Self::Committed { room, seq })
            }
            "x" => {
                let origin = parts.next()?.to_string();
                let room = non_empty(parts.next()?);
                let frame = parts.next()?.to_string();
                Some(Self::Ephemeral { origin, room, frame })
            }
            "k" => {
                let origin = parts.next()?.to_string();
                let user = parts.next()?.to_string();
                let scope = parts.next()?;
                let scope = match scope.split_at_checked(1)? {
                    ("a", "") => KickScope::All,
                    ("t", "") => KickScope::Tokens,
                    ("s", id) if !id.is_empty() => KickScope::Session(id.to_string()),
                    _ => return None,
                };
                Some(Self::Kick { origin, user, scope })
            }
            _ => None,
        }
    }
}

#[derive(Clone)]
pub enum Bus {
    /// One process: the hub alone delivers everything.
    Local,
    Postgres {
        url: String,
    },
}

impl Bus {
    pub fn for_db(db: &Db, url: &str) -> Self {
        match db.engine() {
            Engine::Sqlite => Self::Local,
            Engine::Postgres => Self::Postgres { url: url.to_string() },
        }
    }

    /// Announces a committed event, inside the transaction that commits it: PostgreSQL
    /// delivers the notification at commit, and only if it commits.
    pub async fn committed(&self, conn: &mut AnyConnection, room: &str, seq: i64) -> Result<(), sqlx::Error> {
        if let Self::Postgres { .. } = self {
            let payload = Signal::Committed { room: room.to_string(), seq }.encode();
            sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(payload).execute(&mut *conn).await?;
        }
        Ok(())
    }

    /// Sends a signal to the other processes (nothing to do with one).
    pub async fn send(&self, db: &Db, signal: &Signal) {
        if let Self::Postgres { .. } = self {
            let result =
                sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(signal.encode()).execute(db.pool()).await;
            if let Err(error) = result {
                tracing::warn!(%error, "could not signal the other processes");
            }
        }
    }

    /// Starts listening (PostgreSQL): notifications go to the hub; after the listening
    /// connection was lost and is back, the hub catches up from the database.
    pub fn spawn_listener(&self, hub: Hub) {
        let Self::Postgres { url } = self.clone() else { return };
        crate::server::spawn(async move {
            let mut connected_before = false;
            loop {
                match listen(&url, &hub, &mut connected_before).await {
                    Ok(()) => {}
                    Err(error) => tracing::warn!(%error, "chat listener connection lost; reconnecting"),
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        });
    }
}

async fn listen(url: &str, hub: &Hub, connected_before: &mut bool) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect(url).await?;
    listener.listen(CHANNEL).await?;
    if *connected_before {
        // Whatever was committed while we were away is in the database.
        hub.catch_up_all().await;
    }
    *connected_before = true;
    loop {
        match listener.try_recv().await? {
            Some(notification) => {
                if let Some(signal) = Signal::decode(notification.payload()) {
                    hub.receive(signal).await;
                }
            }
            None => {
                // The connection dropped and sqlx reconnects on the next call; events
                // sent meanwhile were not notified to us.
                hub.catch_up_all().await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_round_trip() {
        for signal in [
            Signal::Committed { room: "general".into(), seq: 42 },
            Signal::Ephemeral { origin: "p1".into(), room: Some("r".into()), frame: r#"{"type":"typing"}"#.into() },
            Signal::Ephemeral { origin: "p1".into(), room: None, frame: "{}".into() },
            Signal::Kick { origin: "p2".into(), user: "u".into(), scope: KickScope::Session("s1".into()) },
            Signal::Kick { origin: "p2".into(), user: "u".into(), scope: KickScope::All },
            Signal::Kick { origin: "p2".into(), user: "u".into(), scope: KickScope::Tokens },
        ] {
            assert_eq!(Signal::decode(&signal.encode()), Some(signal));
        }
        assert_eq!(Signal::decode("garbage"), None);
    }
}
