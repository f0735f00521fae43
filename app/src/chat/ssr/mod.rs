//! Server-side chat: SQL (`repo`), the rules (`service`), this process's delivery
//! (`hub`) and how processes tell each other (`bus`, the engine-specific part).

pub mod bus;
pub mod hub;
pub mod repo;
pub mod service;
pub mod tickets;

use std::time::Duration;

/// The chat's limits and timings, from configuration.
#[derive(Debug, Clone)]
pub struct ChatSettings {
    /// Sockets one user may hold open in one process.
    pub max_sockets_per_user: usize,
    /// Messages (and edits) a socket may send: a token bucket of this size, refilled at
    /// `messages_per_second`.
    pub burst: u32,
    pub messages_per_second: f64,
    /// Breaches of the rate within a minute after which the socket is closed (1008).
    pub strikes: u32,
    /// A socket that has not authenticated by then is closed.
    pub auth_timeout: Duration,
    /// The largest frame accepted, in bytes.
    pub max_frame: usize,
    /// Batches a slow socket may fall behind before it catches up from the database.
    pub queue: usize,
    /// A room's events that come this soon after its last batch wait and go out
    /// together (fewer wake-ups and writes per socket under load; a quiet room's
    /// events go out at once).
    pub batch_window: Duration,
    /// The most events replayed on resume (beyond that the client reloads history).
    pub replay_limit: i64,
    /// How often every feed is compared with the database, and presence refreshed.
    pub backstop: Duration,
    /// A presence row older than this means offline.
    pub presence_stale: Duration,
    /// Origins (besides the site's own) whose pages may open sockets.
    pub allowed_origins: Vec<String>,
}

impl Default for ChatSettings {
    fn default() -> Self {
        Self {
            max_sockets_per_user: 8,
            burst: 10,
            messages_per_second: 5.0,
            strikes: 3,
            auth_timeout: Duration::from_secs(5),
            max_frame: 16 * 1024,
            queue: 512,
            batch_window: Duration::from_millis(25),
            replay_limit: 500,
            backstop: Duration::from_secs(5),
            presence_stale: Duration::from_secs(60),
            allowed_origins: Vec::new(),
        }
    }
}
