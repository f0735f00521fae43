//! The open room: its header (name, connection state, leaving, room settings), the
//! messages (older ones load as you scroll up), edit and delete on your own messages
//! while the rules allow, and who is typing. Edits, deletions and the rest are forms.

use leptos::{html, prelude::*};

use super::state::{now_ms, Chat, Connection, Line, Pending, Timeline};
use crate::{
    accounts::components::action_error,
    blog::model::{format_date, iso_datetime},
    chat::{
        api::{chat_history, DeleteMessage, EditMessage, LeaveConversation, ManageRoom},
        model::{ChatKind, RoomSummary},
        text::{runs, Run},
        validation::{MESSAGE_MAX, ROOM_NAME_MAX},
    },
};

/// Messages from one sender this close together share one heading.
const GROUP_GAP_MS: i64 = 5 * 60 * 1000;

#[component]
pub fn MessagePane(chat: Chat) -> impl IntoView {
    let edit = ServerAction::<EditMessage>::new();
    let delete = ServerAction::<DeleteMessage>::new();
    // What the forms changed is shown at once (the socket brings it too, when live).
    for value in [edit.value(), delete.value()] {
        Effect::new(move |_| {
            if let Some(Ok(message)) = value.get() {
                if chat.is_open(&message.room_id) {
                    chat.timeline.update(|t| {
                        t.upsert(message);
                    });
                }
            }
        });
    }
    let error = Signal::derive(move || action_error(edit).get().or_else(|| action_error(delete).get()));
    view! {
        <RoomHeader chat/>
        {move || chat.gone.get().then(|| view! {
            <div class="alert alert--info" role="status">
                <p>"You are no longer in this conversation. " <a href="/chat">"Back to the chat"</a></p>
            </div>
        })}
        {move || error.get().map(|error| view! {
            <div class="alert alert--error" role="alert"><p>{error_text(&error)}</p></div>
        })}
        <MessageList chat edit delete/>
        <TypingNotice chat/>
        <div class="visually-hidden" aria-live="polite" aria-atomic="true">{move || chat.announcement.get()}</div>
    }
}

/// An error's message; a field's rule spelled out for the one field these forms have.
fn error_text(error: &crate::error::AppError) -> String {
    let fields = error.field_errors();
    let content = fields.get("content");
    if content.is_empty() {
        error.to_string()
    } else {
        content.iter().map(|m| format!("The message {m}.")).collect::<Vec<_>>().join(" ")
    }
}

/// "Public room", or who takes part in a conversation.
fn subtitle(room: &RoomSummary) -> String {
    match room.kind {
        ChatKind::Room if room.archived => "Public room · archived, read-only".to_string(),
        ChatKind::Room => "Public room".to_string(),
        _ => {
            let names: Vec<&str> = room.participants.iter().map(|p| p.display_name.as_str()).collect();
            format!("{} people: {}", names.len(), names.join(", "))
        }
    }
}

#[component]
fn RoomHeader(chat: Chat) -> impl IntoView {
    let room = chat.open.get_untracked();
    let marker = if room.kind == ChatKind::Room { "#" } else { "" };
    let manage = (chat.admin.get_untracked() && room.kind == ChatKind::Room)
        .then(|| view! { <RoomSettings room=room.clone()/> });
    let leave = room.kind.is_conversation().then(|| view! { <LeaveForm room=room.clone()/> });
    view! {
        <header class="chat__header">
            <div class="chat__heading">
                <h2 id="chat-room-title">{marker}{move || chat.open.with(|o| o.name.clone())}</h2>
                <p class="muted">{move || chat.open.with(subtitle)}</p>
            </div>
            <ConnectionState chat/>
            <div class="chat__tools">{manage}{leave}</div>
        </header>
    }
}

/// Connecting, live, reconnecting or closed; hidden without JavaScript (see the CSS).
#[component]
fn ConnectionState(chat: Chat) -> impl IntoView {
    let text = move || match chat.connection.get() {
        Connection::Connecting => "Connecting…".to_string(),
        Connection::Live => "Live".to_string(),
        Connection::Reconnecting => "Reconnecting…".to_string(),
        Connection::Closed(reason) => format!("Disconnected: {reason}"),
    };
    let closed = move || matches!(chat.connection.get(), Connection::Closed(_));
    view! {
        <p class="chat__status" role="status">
            <span class="chat__dot" aria-hidden="true"></span>
            {text}
            {move || closed().then(|| view! { " " <a href="/chat">"Reload"</a> })}
        </p>
    }
}

#[component]
fn LeaveForm(room: RoomSummary) -> impl IntoView {
    let leave = ServerAction::<LeaveConversation>::new();
    let error = action_error(leave);
    let last = room.participants.len() <= 1;
    view! {
        <details class="chat__menu">
            <summary>"Delete conversation"</summary>
            <div class="chat__menu-body">
                <p>{if last {
                    "You are the last one here: deleting removes the conversation and its messages for good."
                } else {
                    "You leave the conversation; the others keep its history."
                }}</p>
                <ActionForm action=leave>
                    <input type="hidden" name="room_id" value=room.id.clone()/>
                    <button type="submit" class="button button--small button--danger">"Delete conversation"</button>
                </ActionForm>
                {move || error.get().map(|e| view! { <p class="field__errors" role="alert">{e.to_string()}</p> })}
            </div>
        </details>
    }
}

#[component]
fn RoomSettings(room: RoomSummary) -> impl IntoView {
    let manage = ServerAction::<ManageRoom>::new();
    let error = action_error(manage);
    let done = move || matches!(manage.value().get(), Some(Ok(())));
    view! {
        <details class="chat__menu">
            <summary>"Room settings"</summary>
            <div class="chat__menu-body">
                <ActionForm action=manage attr:class="form">
                    <input type="hidden" name="room_id" value=room.id.clone()/>
                    <div class="field">
                        <label for="room-name">"Name"</label>
                        <input id="room-name" name="name" value=room.name.clone() required maxlength=ROOM_NAME_MAX.to_string()/>
                    </div>
                    <label class="checkbox">
                        <input type="checkbox" name="archived" value="true" checked=room.archived/>
                        " Archived (read-only)"
                    </label>
                    <button type="submit" class="button button--small">"Save"</button>
                </ActionForm>
                {move || error.get().map(|e| view! { <p class="field__errors" role="alert">{error_text(&e)}</p> })}
                {move || done().then(|| view! { <p class="muted" role="status">"Saved."</p> })}
            </div>
        </details>
    }
}

/// One rendered row: a message, whether it starts a new day or a new sender's group,
/// and what the user may still do to it.
#[derive(Clone, PartialEq)]
struct Row {
    line: Line,
    day: Option<String>,
    continued: bool,
    /// The sender, within the rules.
    editable: bool,
    /// The same, or an admin moderating a public room.
    deletable: bool,
}

fn rows(timeline: &Timeline, me: &str, admin_here: bool, local: bool) -> Vec<Row> {
    let now = now_ms();
    let mut rows = Vec::with_capacity(timeline.0.len());
    let mut previous: Option<&Line> = None;
    for line in &timeline.0 {
        let message = &line.message;
        let day = day_of(message.created_at_ms, local);
        let new_day = previous.is_none_or(|p| day_of(p.message.created_at_ms, local) != day);
        let continued = !new_day
            && !line.system
            && previous.is_some_and(|p| {
                !p.system
                    && p.message.sender_id == message.sender_id
                    && message.created_at_ms - p.message.created_at_ms < GROUP_GAP_MS
            });
        let editable = !line.system && timeline.changeable(message, me, now);
        let deletable = editable || (!line.system && admin_here && !message.deleted);
        rows.push(Row { line: line.clone(), day: new_day.then_some(day), continued, editable, deletable });
        previous = Some(line);
    }
    rows
}

#[component]
fn MessageList(chat: Chat, edit: ServerAction<EditMessage>, delete: ServerAction<DeleteMessage>) -> impl IntoView {
    let scroller = NodeRef::<html::Div>::new();
    let loading_older = RwSignal::new(false);
    // Whether the reader was at the newest message before the latest change.
    let at_bottom = StoredValue::new(true);
    let all_rows = Memo::new(move |_| {
        let me = chat.me.with(|me| me.user_id.clone());
        let admin_here = chat.admin.get() && chat.open.with(|o| o.kind == ChatKind::Room);
        chat.timeline.with(|t| rows(t, &me, admin_here, chat.local_time.get()))
    });
    let room_id = move || chat.open.with(|o| o.id.clone());
    let older_href = move || {
        let first = chat.timeline.with(Timeline::first_seq).unwrap_or(1);
        format!("/chat?room={}&before={first}", room_id())
    };
    let load_older = move || {
        if loading_older.get_untracked() || !chat.has_older.get_untracked() {
            return;
        }
        let Some(first) = chat.timeline.with_untracked(Timeline::first_seq) else { return };
        let room = room_id();
        loading_older.set(true);
        let before_height = scroller.get_untracked().map(|s| s.scroll_height() - s.scroll_top());
        leptos::task::spawn_local(async move {
            let loaded = chat_history(room.clone(), Some(first), None).await;
            // The room may have been left meanwhile.
            if loading_older.is_disposed() {
                return;
            }
            if let Ok(page) = loaded {
                if chat.is_open(&room) {
                    chat.has_older.set(page.has_older);
                    chat.timeline.update(|t| t.prepend(page.messages));
                    // Keep the message the reader was looking at where it was.
                    if let (Some(el), Some(from_bottom)) = (scroller.get_untracked(), before_height) {
                        request_animation_frame(move || el.set_scroll_top(el.scroll_height() - from_bottom));
                    }
                }
            }
            loading_older.set(false);
        });
    };
    // New messages scroll into view when the reader was at the bottom.
    Effect::new(move |_| {
        let last = all_rows.with(|rows| rows.last().map(|r| r.line.message.id.clone()));
        let pending = chat.pending.with(Vec::len);
        let _ = (last, pending);
        if at_bottom.get_value() {
            if let Some(el) = scroller.get_untracked() {
                request_animation_frame(move || el.set_scroll_top(el.scroll_height()));
            }
        }
    });
    let on_scroll = move |_| {
        if let Some(el) = scroller.get_untracked() {
            at_bottom.set_value(el.scroll_height() - el.scroll_top() - el.client_height() < 48);
            if el.scroll_top() < 120 {
                load_older();
            }
        }
    };
    view! {
        <div class="chat__messages" node_ref=scroller on:scroll=on_scroll tabindex="0" aria-label="Messages">
            {move || chat.paged.get().map(|_| view! {
                <p class="chat__paged">"You are looking at older messages. "<a href=format!("/chat?room={}", room_id())>"Jump to the latest"</a></p>
            })}
            {move || chat.has_older.get().then(|| view! {
                <p class="chat__older">
                    <a href=older_href on:click=move |ev| { ev.prevent_default(); load_older(); }>
                        {move || if loading_older.get() { "Loading older messages…" } else { "Load older messages" }}
                    </a>
                </p>
            })}
            {move || (all_rows.with(Vec::is_empty) && chat.pending.with(Vec::is_empty)).then(|| view! {
                <p class="chat__empty muted">"No messages yet. Say hello!"</p>
            })}
            <ol class="messages">
                <For
                    each=move || all_rows.get()
                    key=|row| (row.line.message.id.clone(), row.line.message.event_seq, row.day.clone(), row.continued, row.editable, row.deletable)
                    children=move |row| view! { <MessageItem chat row edit delete/> }
                />
                <For
                    each=move || { let room = room_id(); chat.pending.get().into_iter().filter(move |p| p.room_id == room).collect::<Vec<_>>() }
                    key=|p| (p.client_id.clone(), p.failed.clone())
                    children=move |pending| view! { <PendingItem chat pending/> }
                />
            </ol>
        </div>
    }
}

/// "21 Nov 2026" in UTC, or in the reader's zone once hydrated.
fn day_of(ms: i64, local: bool) -> String {
    match local_parts(ms, local) {
        Some((year, month, day, _, _)) => format_date(days_from_civil(year, month, day) * 86_400_000),
        None => format_date(ms),
    }
}

/// "13:05" in UTC, or in the reader's zone once hydrated.
fn clock(ms: i64, local: bool) -> String {
    match local_parts(ms, local) {
        Some((_, _, _, hours, minutes)) => format!("{hours:02}:{minutes:02}"),
        None => iso_datetime(ms)[11..16].to_string(),
    }
}

/// (year, month, day, hours, minutes) in the browser's zone.
#[allow(unused_variables)]
fn local_parts(ms: i64, local: bool) -> Option<(i64, i64, i64, u32, u32)> {
    #[cfg(feature = "hydrate")]
    if local {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
        return Some((
            i64::from(date.get_full_year()),
            i64::from(date.get_month()) + 1,
            i64::from(date.get_date()),
            date.get_hours(),
            date.get_minutes(),
        ));
    }
    None
}

fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let (y, m) = if month <= 2 { (year - 1, month + 9) } else { (year, month - 3) };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + day - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

#[component]
fn MessageItem(
    chat: Chat,
    row: Row,
    edit: ServerAction<EditMessage>,
    delete: ServerAction<DeleteMessage>,
) -> impl IntoView {
    let Row { line, day, continued, editable, deletable } = row;
    let message = line.message;
    let mine = chat.me.with_untracked(|me| message.sender_id.as_deref() == Some(me.user_id.as_str()));
    let me = chat.me.with_untracked(|me| me.username.to_lowercase());
    let at = message.created_at_ms;
    let time = view! {
        <time datetime=message.created_at.clone() title=move || format!("{} {}", day_of(at, chat.local_time.get()), clock(at, chat.local_time.get()))>
            {move || clock(at, chat.local_time.get())}
        </time>
    };
    let body = if message.deleted {
        view! { <p class="message__stub">"Message deleted"</p> }.into_any()
    } else {
        view! { <p class="message__text"><MessageText text=message.content.clone() me/></p> }.into_any()
    };
    let id = message.id.clone();
    let anchor = format!("message-{id}");
    let edit_id = format!("edit-{id}");
    let delete_id = id.clone();
    view! {
        {day.map(|day| view! { <li class="messages__day"><span>{day}</span></li> })}
        <li class="message" class:message--mine=mine class:message--system=line.system class:message--continued=continued
            id=anchor>
            {if line.system {
                view! { <p class="message__system">{message.content.clone()}" "{time}</p> }.into_any()
            } else {
                view! {
                    <p class="message__meta" class:visually-hidden=continued>
                        <span class="message__author">{message.sender_name.clone()}</span>" "{time}
                        {message.edited_at.is_some().then(|| view! { <span class="muted">" (edited)"</span> })}
                    </p>
                    {body}
                    {deletable.then(|| view! {
                        <div class="message__actions">
                            {editable.then(|| view! {
                                <details class="message__edit">
                                    <summary>"Edit"</summary>
                                    <ActionForm action=edit attr:class="form">
                                        <input type="hidden" name="id" value=id.clone()/>
                                        <label for=edit_id.clone() class="visually-hidden">"Edit your message"</label>
                                        <textarea id=edit_id.clone() name="content" rows="3" required maxlength=MESSAGE_MAX.to_string()>{message.content.clone()}</textarea>
                                        <button type="submit" class="button button--small">"Save"</button>
                                    </ActionForm>
                                </details>
                            })}
                            <details class="message__delete">
                                <summary>"Delete"</summary>
                                <ActionForm action=delete attr:class="inline-form">
                                    <input type="hidden" name="id" value=delete_id.clone()/>
                                    <button type="submit" class="button button--small button--danger">"Delete for everyone"</button>
                                </ActionForm>
                            </details>
                        </div>
                    })}
                }.into_any()
            }}
        </li>
    }
}

/// A message's text: plain text, with links and mentions as elements (never HTML).
#[component]
fn MessageText(text: String, me: String) -> impl IntoView {
    runs(&text)
        .into_iter()
        .map(|run| match run {
            Run::Text(text) => text.into_any(),
            Run::Link(href) => view! {
                <a href=href.clone() rel="noopener noreferrer nofollow ugc" target="_blank">{href.clone()}</a>
            }
            .into_any(),
            Run::Mention(name) => {
                let is_me = !me.is_empty() && name.to_lowercase() == me;
                let href = format!("/u/{name}");
                view! { <a class="mention" class:mention--me=is_me href=href>"@"{name}</a> }.into_any()
            }
        })
        .collect_view()
}

#[component]
fn PendingItem(chat: Chat, pending: Pending) -> impl IntoView {
    let Pending { client_id, content, failed, .. } = pending;
    let is_failed = failed.is_some();
    let retry_id = client_id.clone();
    let retry = move |_| super::composer::retry(chat, &retry_id);
    let discard = move |_| chat.pending.update(|p| p.retain(|p| p.client_id != client_id));
    view! {
        <li class="message message--mine message--pending" class:message--failed=is_failed>
            <p class="message__text">{content}</p>
            {match failed {
                None => view! { <p class="message__state muted">"Sending…"</p> }.into_any(),
                Some(reason) => view! {
                    <p class="message__state" role="alert">"Not sent: "{reason}</p>
                    <div class="message__actions">
                        <button type="button" class="link-button" on:click=retry>"Retry"</button>
                        <button type="button" class="link-button" on:click=discard>"Discard"</button>
                    </div>
                }.into_any(),
            }}
        </li>
    }
}

#[component]
fn TypingNotice(chat: Chat) -> impl IntoView {
    let text = move || {
        let room = chat.open.with(|o| o.id.clone());
        let names: Vec<String> =
            chat.typing.with(|t| t.iter().filter(|t| t.room_id == room).map(|t| t.name.clone()).collect());
        match names.as_slice() {
            [] => String::new(),
            [one] => format!("{one} is typing…"),
            [a, b] => format!("{a} and {b} are typing…"),
            _ => "Several people are typing…".to_string(),
        }
    };
    view! { <p class="chat__typing" aria-hidden="true">{text}</p> }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::model::ChatMessage;

    fn line(seq: i64, sender: &str, at: i64) -> Line {
        Line {
            message: ChatMessage {
                id: format!("m{seq}"),
                sender_id: Some(sender.into()),
                sender_name: sender.into(),
                content: String::new(),
                room_id: "general".into(),
                created_at: iso_datetime(at),
                seq,
                event_seq: seq,
                edited_at: None,
                deleted: false,
                created_at_ms: at,
            },
            system: false,
        }
    }

    #[test]
    fn rows_group_a_senders_run_and_mark_new_days() {
        let day = 86_400_000;
        let timeline = Timeline(vec![
            line(1, "ada", 20_000 * day),
            line(2, "ada", 20_000 * day + 60_000),
            line(3, "grace", 20_000 * day + 120_000),
            line(4, "grace", 20_001 * day),
        ]);
        let rows = rows(&timeline, "ada", false, false);
        let shape: Vec<(bool, bool)> = rows.iter().map(|r| (r.day.is_some(), r.continued)).collect();
        assert_eq!(shape, [(true, false), (false, true), (false, false), (true, false)]);
        assert_eq!(rows[0].day.as_deref(), Some("4 Oct 2024"));
        assert_eq!(clock(20_000 * day + 60_000, false), "00:01");
        assert_eq!(days_from_civil(2024, 10, 4), 20_000);
    }
}
