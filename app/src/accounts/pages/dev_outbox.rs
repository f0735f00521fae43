//! Development only: the mail outbox, so a newcomer can click their activation link
//! without an SMTP server. The server function answers 404 in production.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessage {
    pub id: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub status: String,
}

#[leptos::server(prefix = "/fn", endpoint = "dev/outbox")]
pub async fn dev_outbox() -> Result<Vec<OutboxMessage>, AppError> {
    crate::server::request::respond(outbox_messages()).await
}

#[cfg(feature = "ssr")]
async fn outbox_messages() -> Result<Vec<OutboxMessage>, AppError> {
    let state = crate::server::request::RequestContext::state()?;
    if !state.accounts.development {
        return Err(AppError::NotFound("There is no outbox in production.".into()));
    }
    let entries = crate::server::mail::recent(state.db.pool(), 50).await?;
    Ok(entries
        .into_iter()
        .map(|entry| OutboxMessage {
            status: match (entry.sent_at, entry.attempts) {
                (Some(_), _) => "delivered".into(),
                (None, 0) => "queued".into(),
                (None, n) => format!("retrying after {n} failed attempts: {}", entry.last_error.unwrap_or_default()),
            },
            id: entry.id,
            recipient: entry.recipient,
            subject: entry.subject,
            body: entry.text_body,
        })
        .collect())
}

#[component]
pub fn DevOutboxPage() -> impl IntoView {
    let messages = Resource::new(|| (), |_| dev_outbox());
    view! {
        <Title text="Mail outbox (development)"/>
        <Meta name="description" content="Emails the app sent, for development."/>
        <Meta name="robots" content="noindex"/>
        <section class="page">
            <h1>"Mail outbox"</h1>
            <p class="lead">"Development only: every email the app sent, newest first."</p>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match messages.await {
                        Ok(list) if list.is_empty() => view! { <p>"No mail yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <ol class="outbox">
                                {list.into_iter().map(|message| view! {
                                    <li class="outbox__message panel">
                                        <h2>{message.subject}</h2>
                                        <p class="outbox__meta">"To " <strong class="outbox__to">{message.recipient}</strong> " · " {message.status}</p>
                                        <pre class="outbox__body">{linkify(&message.body)}</pre>
                                    </li>
                                }).collect_view()}
                            </ol>
                        }.into_any(),
                        Err(error) => view! { <div class="alert alert--error"><p>{error.to_string()}</p></div> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// Plain text with every http(s) URL turned into a link.
fn linkify(text: &str) -> impl IntoView {
    let mut parts = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            parts.push("\n".to_string().into_any());
        }
        let trimmed = line.trim();
        if trimmed.starts_with("http://") || trimmed.starts_with("https://") {
            parts.push(view! { <a href=trimmed.to_string()>{trimmed.to_string()}</a> }.into_any());
        } else {
            parts.push(line.to_string().into_any());
        }
    }
    parts
}
