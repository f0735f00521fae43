//! Periodic clean-up shared by every process: expired sessions and stale rate-limit
//! counters. Each statement is idempotent, so several processes may run it.

use std::time::Duration;

use app::server::{clock::now, rate_limit, session_store::SqlSessionStore, Db};
use tower_sessions::session_store::ExpiredDeletion;

const EVERY: Duration = Duration::from_secs(3600);

pub fn spawn(db: Db, sessions: SqlSessionStore) {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(EVERY);
        loop {
            interval.tick().await;
            if let Err(error) = sessions.delete_expired().await {
                tracing::warn!(%error, "could not delete expired sessions");
            }
            if let Err(error) = rate_limit::purge_stale(db.pool(), now()).await {
                tracing::warn!(%error, "could not purge rate-limit counters");
            }
        }
    });
}
