//! Periodic clean-up shared by every process: expired sessions, stale rate-limit
//! counters, expired account and refresh tokens, dead API tokens, delivered mail (its
//! links carry tokens) and view de-duplication rows older than yesterday. Each
//! statement is idempotent, so several processes may run it.

use std::time::Duration;

use app::{
    blog::ssr::views,
    server::{
        clock::{now, now_ms},
        rate_limit,
        session_store::SqlSessionStore,
        Db,
    },
};
use tower_sessions::session_store::ExpiredDeletion;

const EVERY: Duration = Duration::from_secs(3600);
/// Delivered mail is kept this long for the development outbox and support questions.
const KEEP_DELIVERED_SECS: i64 = 7 * 86_400;

async fn purge_spent(db: &Db, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM account_tokens WHERE expires_at < $1").bind(now).execute(db.pool()).await?;
    // A refresh token is kept until it expires, used or revoked, so that presenting it
    // again is recognised as reuse; after that it fails verification anyway.
    sqlx::query("DELETE FROM refresh_tokens WHERE expires_at < $1").bind(now).execute(db.pool()).await?;
    sqlx::query("DELETE FROM api_tokens WHERE revoked_at IS NOT NULL OR expires_at < $1")
        .bind(now)
        .execute(db.pool())
        .await?;
    sqlx::query("DELETE FROM mail_outbox WHERE sent_at IS NOT NULL AND sent_at < $1")
        .bind(now - KEEP_DELIVERED_SECS)
        .execute(db.pool())
        .await?;
    Ok(())
}

pub fn spawn(db: Db, sessions: SqlSessionStore) {
    app::server::spawn(async move {
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
            if let Err(error) = views::purge(db.pool(), now_ms()).await {
                tracing::warn!(%error, "could not purge old view records");
            }
            if let Err(error) = app::chat::ssr::repo::purge_tickets(db.pool(), now_ms()).await {
                tracing::warn!(%error, "could not purge chat tickets");
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use app::server::DbSettings;

    use super::*;

    const NOW: i64 = 1_800_000_000;

    #[tokio::test]
    async fn purge_keeps_live_credentials_and_drops_dead_ones() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&DbSettings {
            url: format!("sqlite://{}/app.db?mode=rwc", dir.path().display()),
            max_connections: 1,
            acquire_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(5),
        })
        .await
        .unwrap();
        db.migrate().await.unwrap();
        sqlx::query(
            "INSERT INTO users (id, username, email, password_hash, created_at, updated_at) \
             VALUES ('u', 'ada', 'ada@example.com', 'x', 0, 0)",
        )
        .execute(db.pool())
        .await
        .unwrap();
        // Refresh tokens: a used one that is still unexpired stays, so reuse is caught.
        for (jti, expires, used) in
            [("live", NOW + 60, None), ("used", NOW + 60, Some(NOW - 1)), ("old", NOW - 1, None)]
        {
            sqlx::query(
                "INSERT INTO refresh_tokens (jti, user_id, family_id, expires_at, used_at, created_at) \
                 VALUES ($1, 'u', 'f', $2, $3, 0)",
            )
            .bind(jti)
            .bind(expires)
            .bind(used)
            .execute(db.pool())
            .await
            .unwrap();
        }
        for (id, expires, revoked) in [
            ("forever", None, None),
            ("later", Some(NOW + 60), None),
            ("expired", Some(NOW - 1), None),
            ("revoked", None, Some(NOW - 1)),
        ] {
            sqlx::query(
                "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, expires_at, revoked_at) \
                 VALUES ($1, 'u', 'n', $1, 0, $2, $3)",
            )
            .bind(id)
            .bind(expires)
            .bind(revoked)
            .execute(db.pool())
            .await
            .unwrap();
        }

        purge_spent(&db, NOW).await.unwrap();

        let kept: Vec<(String,)> =
            sqlx::query_as("SELECT jti FROM refresh_tokens ORDER BY jti").fetch_all(db.pool()).await.unwrap();
        assert_eq!(kept, [("live".to_string(),), ("used".to_string(),)]);
        let kept: Vec<(String,)> =
            sqlx::query_as("SELECT id FROM api_tokens ORDER BY id").fetch_all(db.pool()).await.unwrap();
        assert_eq!(kept, [("forever".to_string(),), ("later".to_string(),)]);
        let (users,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users").fetch_one(db.pool()).await.unwrap();
        assert_eq!(users, 1);
    }
}
