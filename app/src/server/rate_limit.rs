//! Fixed-window request counters kept in the database, so a limit holds across every
//! server process.

use sqlx::AnyExecutor;

use crate::error::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub max_hits: i64,
    pub window_secs: i64,
}

/// Counts one hit in `bucket`; `RateLimited` with the seconds left in the window once the
/// limit is passed.
pub async fn hit<'e>(db: impl AnyExecutor<'e>, bucket: &str, limit: RateLimit, now: i64) -> Result<(), AppError> {
    let window_start = now - now.rem_euclid(limit.window_secs);
    let (hits,): (i64,) = sqlx::query_as(
        "INSERT INTO rate_limits (bucket, window_start, hits) VALUES ($1, $2, 1) \
         ON CONFLICT (bucket) DO UPDATE SET \
           hits = CASE WHEN rate_limits.window_start = excluded.window_start THEN rate_limits.hits + 1 ELSE 1 END, \
           window_start = excluded.window_start \
         RETURNING hits",
    )
    .bind(bucket)
    .bind(window_start)
    .fetch_one(db)
    .await?;
    if hits > limit.max_hits {
        let retry_after_secs = (window_start + limit.window_secs - now).max(1) as u64;
        return Err(AppError::RateLimited { retry_after_secs });
    }
    Ok(())
}

/// Drops counters whose window ended long ago.
pub async fn purge_stale<'e>(db: impl AnyExecutor<'e>, now: i64) -> Result<u64, sqlx::Error> {
    let result = sqlx::query("DELETE FROM rate_limits WHERE window_start < $1").bind(now - 86_400).execute(db).await?;
    Ok(result.rows_affected())
}
