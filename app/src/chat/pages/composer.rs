//! Writing a message. Without JavaScript the composer is a form posting to `chat/send`;
//! hydrated, Enter sends (Shift+Enter starts a new line) over the socket, or through the
//! same server function while the socket is down. A message shows as "Sending…" until
//! the server confirms it, and one that failed keeps its text for a retry.

use std::sync::atomic::{AtomicU64, Ordering};

use leptos::{html, prelude::*, server_fn::ServerFn};

use super::state::{now_ms, Chat, Pending};
use crate::{
    accounts::components::{action_error, kept_value},
    chat::{
        api::{send_message, SendMessage},
        model::ClientFrame,
        validation::{self, MESSAGE_MAX},
    },
};

/// Why nothing can be written in the open room, if so.
fn closed_reason(chat: Chat) -> Option<&'static str> {
    if chat.gone.get() {
        return Some("You are no longer in this conversation.");
    }
    chat.open.with(|room| {
        if room.archived {
            Some("This room is archived: you can read it, but nobody can write in it.")
        } else if room.alone {
            Some("Everyone else has left this conversation, so nobody would read a message. Start a new conversation to talk again.")
        } else {
            None
        }
    })
}

#[component]
pub fn Composer(chat: Chat) -> impl IntoView {
    // Re-rendered only when the reason changes, so a draft survives list updates.
    let closed = Memo::new(move |_| closed_reason(chat));
    move || match closed.get() {
        Some(text) => view! { <p class="chat__readonly" role="note">{text}</p> }.into_any(),
        None => view! { <Writer chat/> }.into_any(),
    }
}

#[component]
fn Writer(chat: Chat) -> impl IntoView {
    let room = chat.open.get_untracked();
    if chat.paged.get_untracked().is_some() {
        let href = format!("/chat?room={}", room.id);
        return view! { <p class="chat__readonly"><a href=href>"Jump to the latest messages"</a>" to write."</p> }
            .into_any();
    }
    // Only the answer to a form posted without JavaScript lands here.
    let send = ServerAction::<SendMessage>::new();
    let server_error = action_error(send);
    let problem = RwSignal::new(None::<String>);
    let textarea = NodeRef::<html::Textarea>::new();
    let room_id = StoredValue::new(room.id.clone());
    let submit = move || {
        let Some(field) = textarea.get_untracked() else { return };
        match validation::message(&field.value()) {
            Ok(content) => {
                field.set_value("");
                problem.set(None);
                deliver(chat, room_id.get_value(), content);
            }
            Err(problems) => problem.set(Some(sentence(&problems))),
        }
    };
    let errors = move || {
        problem.get().or_else(|| {
            server_error.get().map(|e| {
                let content = e.field_errors().get("content").to_vec();
                if content.is_empty() {
                    e.to_string()
                } else {
                    sentence(&content)
                }
            })
        })
    };
    let placeholder =
        format!("Message {}", if room.kind.is_conversation() { room.name.clone() } else { format!("#{}", room.name) });
    view! {
        <form class="composer" method="post" action=SendMessage::url()
            on:submit=move |ev| { ev.prevent_default(); submit(); }>
            <input type="hidden" name="room_id" value=room.id.clone()/>
            <label for="composer-text" class="visually-hidden">{placeholder.clone()}</label>
            <textarea id="composer-text" name="content" rows="2" required maxlength=MESSAGE_MAX.to_string()
                placeholder=placeholder node_ref=textarea aria-describedby="composer-hint composer-errors"
                aria-invalid=move || errors().is_some().to_string()
                on:keydown=move |ev| {
                    if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                        ev.prevent_default();
                        submit();
                    }
                }
                on:input=move |_| {
                    chat.typed();
                    problem.set(None);
                }
            >{move || kept_value(server_error, "content").get()}</textarea>
            <button type="submit" class="button">"Send"</button>
            <p id="composer-hint" class="composer__hint">"Enter sends · Shift+Enter adds a line"</p>
            <p id="composer-errors" class="composer__errors" role="alert">
                {move || errors().or_else(|| chat.notice.get())}
            </p>
        </form>
    }
    .into_any()
}

fn sentence(problems: &[String]) -> String {
    problems.iter().map(|m| format!("The message {m}.")).collect::<Vec<_>>().join(" ")
}

/// A fresh id for a message this page sends, echoed in its `ack`.
fn client_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("c{}-{}", now_ms() as u64, NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Sends a message: over the socket when live, else as a request; shown as pending
/// until confirmed.
fn deliver(chat: Chat, room_id: String, content: String) {
    let client_id = client_id();
    chat.pending.update(|p| {
        p.push(Pending {
            client_id: client_id.clone(),
            room_id: room_id.clone(),
            content: content.clone(),
            id: None,
            failed: None,
        })
    });
    chat.notice.set(None);
    let frame =
        ClientFrame::Message { content: content.clone(), room_id: room_id.clone(), client_id: Some(client_id.clone()) };
    if chat.send(&frame) {
        return;
    }
    leptos::task::spawn_local(async move {
        let sent = send_message(room_id, content).await;
        if !chat.alive() {
            return;
        }
        match sent {
            Ok(message) => {
                chat.pending.update(|p| p.retain(|p| p.client_id != client_id));
                if chat.is_open(&message.room_id) {
                    chat.timeline.update(|t| {
                        t.upsert(message);
                    });
                }
            }
            Err(error) => {
                let content = error.field_errors().get("content").to_vec();
                let reason = if content.is_empty() { error.to_string() } else { sentence(&content) };
                chat.pending.update(|p| {
                    if let Some(p) = p.iter_mut().find(|p| p.client_id == client_id) {
                        p.failed = Some(reason.clone());
                    }
                });
            }
        }
    });
}

/// Sends a failed message again.
pub fn retry(chat: Chat, client_id: &str) {
    let mut found = None;
    chat.pending.update(|p| {
        if let Some(at) = p.iter().position(|p| p.client_id == client_id) {
            found = Some(p.remove(at));
        }
    });
    if let Some(pending) = found {
        deliver(chat, pending.room_id, pending.content);
    }
}
