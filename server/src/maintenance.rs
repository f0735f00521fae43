//! Periodic clean-up shared by every process: expired sessions, stale rate-limit
//! counters, expired account tokens and delivered mail (its links carry tokens). Each
//! statement is idempotent, so several processes may run it.

use std::time::Duration;

use app::server::{clock::now, rate_limit, session_store::SqlSessionStore, Db};
use tower_sessions::session_store::ExpiredDeletion;

const EVERY: Duration = Duration::from_secs(3600);
/// Delivered mail is kept this long for the development outbox and support questions.
const KEEP_DELIVERED_SECS: i64 = 7 * 86_400;

async fn purge_spent(db: &Db, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM account_tokens WHERE expires_at < $1").bind(now).execute(db.pool()).await?;
    sqlx::query("DELETE FROM mail_outbox WHERE sent_at IS NOT NULL AND sent_at < $1")
        .bind(now - KEEP_DELIVERED_SECS)
        .execute(db.pool())
        .await?;
    Ok(())
}

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
            if let Err(error) = purge_spent(&db, now()).await {
                tracing::warn!(%error, "could not purge spent tokens and delivered mail");
            }
        }
    });
}
