//! Outgoing mail: messages are written to the `mail_outbox` table (in the caller's
//! transaction when it has one) and a background worker delivers them with retries, so
//! nothing is lost while the SMTP server is down.

mod content;
mod worker;

pub use content::{Action, Message};
pub use worker::{spawn_worker, MailTransportSettings, MailerSettings, SmtpSecurity};

use sqlx::AnyExecutor;

/// Queues `message` for `recipient`; delivery happens in the background.
pub async fn enqueue<'e>(
    db: impl AnyExecutor<'e>,
    recipient: &str,
    message: &Message,
    now: i64,
) -> Result<(), sqlx::Error> {
    let (text, html) = message.render();
    sqlx::query(
        "INSERT INTO mail_outbox (id, recipient, subject, text_body, html_body, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(recipient)
    .bind(&message.subject)
    .bind(text)
    .bind(html)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// One queued or sent message, for the development outbox page and tests.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxEntry {
    pub id: String,
    pub recipient: String,
    pub subject: String,
    pub text_body: String,
    pub attempts: i64,
    pub sent_at: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
}

/// The newest messages first.
pub async fn recent<'e>(db: impl AnyExecutor<'e>, limit: i64) -> Result<Vec<OutboxEntry>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, recipient, subject, text_body, attempts, sent_at, last_error, created_at \
         FROM mail_outbox ORDER BY created_at DESC, id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db)
    .await
}
