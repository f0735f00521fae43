//! Delivers queued mail. Several processes may run a worker on one database: each
//! message is claimed with a conditional UPDATE before it is sent, so it goes out once.

use std::{path::PathBuf, sync::Arc, time::Duration};

use lettre::{
    message::{header::ContentType, Mailbox, MultiPart, SinglePart},
    transport::smtp::authentication::Credentials,
    AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Tokio1Executor,
};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Notify;

use crate::server::{clock::now, metrics::Metrics, Db};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (required).
    StartTls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
    /// No encryption: only for a relay on localhost or in tests.
    None,
}

#[derive(Clone)]
pub enum MailTransportSettings {
    Smtp {
        host: String,
        port: u16,
        security: SmtpSecurity,
        username: Option<String>,
        password: Option<SecretString>,
    },
    /// One `.eml` file per message in this folder (development).
    Outbox(PathBuf),
}

#[derive(Clone)]
pub struct MailerSettings {
    pub from: Mailbox,
    pub transport: MailTransportSettings,
    /// First retry delay; doubles with each failure up to `max_backoff`.
    pub retry_base: Duration,
    pub max_backoff: Duration,
    pub max_attempts: i64,
    pub poll_interval: Duration,
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    File(AsyncFileTransport<Tokio1Executor>),
}

impl Transport {
    fn build(settings: &MailTransportSettings) -> Result<Self, String> {
        Ok(match settings {
            MailTransportSettings::Smtp { host, port, security, username, password } => {
                let builder = match security {
                    SmtpSecurity::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host),
                    SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host),
                    SmtpSecurity::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)),
                }
                .map_err(|e| format!("SMTP_HOST {host:?}: {e}"))?;
                let mut builder = builder.port(*port).timeout(Some(Duration::from_secs(15)));
                if let (Some(user), Some(password)) = (username, password) {
                    builder = builder.credentials(Credentials::new(user.clone(), password.expose_secret().to_string()));
                }
                Self::Smtp(builder.build())
            }
            MailTransportSettings::Outbox(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create mail outbox {}: {e}", dir.display()))?;
                Self::File(AsyncFileTransport::new(dir))
            }
        })
    }

    async fn send(&self, message: lettre::Message) -> Result<(), String> {
        match self {
            Self::Smtp(transport) => transport.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
            Self::File(transport) => transport.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
        }
    }
}

#[derive(sqlx::FromRow)]
struct Due {
    id: String,
    recipient: String,
    subject: String,
    text_body: String,
    html_body: String,
    attempts: i64,
    next_attempt_at: i64,
}

/// Starts the delivery loop; `wake` makes it look at the queue at once.
pub fn spawn_worker(
    db: Db,
    settings: MailerSettings,
    wake: Arc<Notify>,
    metrics: Arc<Metrics>,
) -> Result<tokio::task::JoinHandle<()>, String> {
    let transport = Transport::build(&settings.transport)?;
    Ok(crate::server::spawn(async move {
        loop {
            if let Err(error) = deliver_due(&db, &transport, &settings, &metrics).await {
                tracing::warn!(%error, "mail worker: could not read the outbox");
            }
            tokio::select! {
                () = wake.notified() => {}
                () = tokio::time::sleep(settings.poll_interval) => {}
            }
        }
    }))
}

async fn deliver_due(
    db: &Db,
    transport: &Transport,
    settings: &MailerSettings,
    metrics: &Metrics,
) -> Result<(), sqlx::Error> {
    let due: Vec<Due> = sqlx::query_as(
        "SELECT id, recipient, subject, text_body, html_body, attempts, next_attempt_at FROM mail_outbox \
         WHERE sent_at IS NULL AND attempts < $1 AND next_attempt_at <= $2 ORDER BY next_attempt_at LIMIT 20",
    )
    .bind(settings.max_attempts)
    .bind(now())
    .fetch_all(db.pool())
    .await?;

    for mail in due {
        // Claim: push the next attempt out first; another worker that read the same row
        // loses this race and skips it.
        let lease_until = now() + 60;
        let claimed = sqlx::query(
            "UPDATE mail_outbox SET next_attempt_at = $3 WHERE id = $1 AND next_attempt_at = $2 AND sent_at IS NULL",
        )
        .bind(&mail.id)
        .bind(mail.next_attempt_at)
        .bind(lease_until)
        .execute(db.pool())
        .await?
        .rows_affected()
            == 1;
        if !claimed {
            continue;
        }
        let outcome = match build_message(&settings.from, &mail) {
            Ok(message) => transport.send(message).await,
            Err(error) => Err(error),
        };
        match outcome {
            Ok(()) => {
                sqlx::query(
                    "UPDATE mail_outbox SET sent_at = $2, attempts = attempts + 1, last_error = NULL WHERE id = $1",
                )
                .bind(&mail.id)
                .bind(now())
                .execute(db.pool())
                .await?;
                tracing::info!(mail_id = %mail.id, subject = %mail.subject, "mail delivered");
            }
            Err(error) => {
                metrics.mail_failed();
                let attempts = mail.attempts + 1;
                let delay = backoff(settings.retry_base, settings.max_backoff, attempts);
                sqlx::query(
                    "UPDATE mail_outbox SET attempts = $2, next_attempt_at = $3, last_error = $4 WHERE id = $1",
                )
                .bind(&mail.id)
                .bind(attempts)
                .bind(now() + delay.as_secs() as i64)
                .bind(&error)
                .execute(db.pool())
                .await?;
                tracing::warn!(mail_id = %mail.id, attempts, retry_in_secs = delay.as_secs(), %error, "mail delivery failed");
            }
        }
    }
    Ok(())
}

fn build_message(from: &Mailbox, mail: &Due) -> Result<lettre::Message, String> {
    let to: Mailbox = mail.recipient.parse().map_err(|e| format!("bad recipient: {e}"))?;
    lettre::Message::builder()
        .from(from.clone())
        .to(to)
        .subject(&mail.subject)
        .multipart(
            MultiPart::alternative()
                .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(mail.text_body.clone()))
                .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(mail.html_body.clone())),
        )
        .map_err(|e| e.to_string())
}

/// base × 2^(attempts-1), capped.
fn backoff(base: Duration, max: Duration, attempts: i64) -> Duration {
    let exponent = attempts.clamp(1, 20) as u32 - 1;
    base.saturating_mul(2u32.saturating_pow(exponent)).min(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let base = Duration::from_secs(5);
        let max = Duration::from_secs(3600);
        assert_eq!(backoff(base, max, 1), Duration::from_secs(5));
        assert_eq!(backoff(base, max, 2), Duration::from_secs(10));
        assert_eq!(backoff(base, max, 4), Duration::from_secs(40));
        assert_eq!(backoff(base, max, 30), max);
    }
}
