//! Scheduled publishing. Every process looks for due posts now and then; claiming one is
//! a conditional UPDATE inside the publishing transaction, so each due post is
//! published by exactly one process however many are running.

use std::sync::Arc;

use super::{repo, BlogSettings};
use crate::server::{clock::now_ms, Db};

/// Publishes every scheduled post whose time has come; returns how many.
pub async fn publish_due(db: &Db, settings: &BlogSettings, now_ms: i64) -> Result<usize, sqlx::Error> {
    // A read first, so an idle tick takes no write lock.
    let any_due: Option<(i64,)> =
        sqlx::query_as("SELECT 1 FROM posts WHERE status = 'scheduled' AND scheduled_at_ms <= $1 LIMIT 1")
            .bind(now_ms)
            .fetch_optional(db.pool())
            .await?;
    if any_due.is_none() {
        return Ok(0);
    }
    let mut tx = db.begin().await?;
    let due = repo::claim_due(&mut tx, now_ms).await?;
    for (post_id, at_ms, revision_id) in &due {
        repo::publish(&mut tx, post_id, revision_id, *at_ms, now_ms, &settings.ranking).await?;
        repo::record_event(&mut tx, post_id, "published", None, now_ms).await?;
    }
    tx.commit().await?;
    for (post_id, ..) in &due {
        tracing::info!(%post_id, "scheduled post published");
    }
    Ok(due.len())
}

pub fn spawn(db: Db, settings: Arc<BlogSettings>) {
    crate::server::spawn(async move {
        let mut interval = tokio::time::interval(settings.scheduler_every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            if let Err(error) = publish_due(&db, &settings, now_ms()).await {
                tracing::warn!(%error, "scheduled publishing failed; will retry");
            }
        }
    });
}
