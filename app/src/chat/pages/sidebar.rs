//! The chat's side: rooms and conversations with unread counts, starting a conversation
//! (with a people picker once hydrated), creating a room (admins), and who is online.

use leptos::prelude::*;

use super::state::Chat;
use crate::{
    accounts::components::{action_error, kept_value, server_field, FormAlert},
    chat::{
        api::{find_people, CreateRoom, StartConversation},
        model::{ChatKind, Participant, PresenceState, RoomSummary, GROUP_MAX},
        validation::ROOM_NAME_MAX,
    },
};

#[component]
pub fn Sidebar(chat: Chat) -> impl IntoView {
    let admin = chat.admin.get_untracked();
    view! {
        <aside class="chat__side">
            <h1 class="chat__title">"Chat"</h1>
            <RoomList chat label="Rooms" list=chat.rooms empty="No rooms yet."/>
            {admin.then(|| view! { <NewRoom/> })}
            <RoomList chat label="Conversations" list=chat.conversations empty="No conversations yet."/>
            <NewConversation/>
            <Online chat/>
        </aside>
    }
}

#[component]
fn RoomList(chat: Chat, label: &'static str, list: RwSignal<Vec<RoomSummary>>, empty: &'static str) -> impl IntoView {
    let id = format!("chat-list-{}", label.to_lowercase());
    view! {
        <nav class="chat__list" aria-labelledby=id.clone()>
            <h2 id=id.clone()>{label}</h2>
            {move || {
                let rooms = list.get();
                if rooms.is_empty() {
                    return view! { <p class="muted">{empty}</p> }.into_any();
                }
                view! {
                    <ul>
                        {rooms.into_iter().map(|room| view! { <RoomLink chat room/> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </nav>
    }
}

#[component]
fn RoomLink(chat: Chat, room: RoomSummary) -> impl IntoView {
    let href = format!("/chat?room={}", room.id);
    let id = room.id.clone();
    let current = move || chat.open.with(|o| o.id == id).then_some("page");
    let marker = match room.kind {
        ChatKind::Room => "#".into_any(),
        ChatKind::Direct => "@".into_any(),
        // Two heads: a group.
        ChatKind::Group => view! {
            <svg class="chat__group-icon" viewBox="0 0 20 16" width="16" height="13" aria-hidden="true">
                <circle cx="7" cy="4.5" r="3"/><path d="M1 15c0-3.3 2.7-5.5 6-5.5s6 2.2 6 5.5z"/>
                <circle cx="14" cy="4" r="2.5"/><path d="M14 8.5c2.9 0 5 2 5 5h-4.6c0-1.9-.8-3.5-2-4.6.5-.3 1-.4 1.6-.4z"/>
            </svg>
        }.into_any(),
    };
    let unread = room.unread;
    view! {
        <li>
            <a href=href class="chat__room" aria-current=current>
                <span class="chat__marker" aria-hidden="true">{marker}</span>
                <span class="chat__room-name">{room.name.clone()}</span>
                {room.archived.then(|| view! { <span class="badge">"archived"</span> })}
                {(unread > 0).then(|| view! {
                    <span class="chat__unread">
                        {unread.min(999)}{(unread > 999).then_some("+")}
                        <span class="visually-hidden">{if unread == 1 { " unread message" } else { " unread messages" }}</span>
                    </span>
                })}
            </a>
        </li>
    }
}

#[component]
fn NewRoom() -> impl IntoView {
    let create = ServerAction::<CreateRoom>::new();
    let error = action_error(create);
    view! {
        <details class="chat__form" open=move || error.get().is_some()>
            <summary>"New room"</summary>
            <ActionForm action=create attr:class="form">
                <FormAlert error=Signal::derive(move || error.get().filter(|e| e.field_errors().is_empty()))/>
                <div class="field">
                    <label for="new-room-name">"Name"</label>
                    <input id="new-room-name" name="name" required maxlength=ROOM_NAME_MAX.to_string()
                        value=move || kept_value(error, "name").get()/>
                    <ul class="field__errors" aria-live="polite">
                        {move || server_field(error, "name").get().into_iter().map(|m| view! { <li>{format!("Name {m}")}</li> }).collect_view()}
                    </ul>
                </div>
                <button type="submit" class="button button--small">"Create room"</button>
            </ActionForm>
        </details>
    }
}

/// Starts a direct (one person) or group conversation. The people are usernames typed
/// into one field; once hydrated, matching people are suggested as you type.
#[component]
fn NewConversation() -> impl IntoView {
    let start = ServerAction::<StartConversation>::new();
    let error = action_error(start);
    let typed = RwSignal::new(String::new());
    let suggestions = RwSignal::new(Vec::<Participant>::new());
    let input = NodeRef::<leptos::html::Input>::new();
    // Suggest people for the name being typed (the text after the last comma).
    let lookup = Action::new(move |prefix: &String| {
        let prefix = prefix.clone();
        async move {
            let found = if prefix.is_empty() { Ok(Vec::new()) } else { find_people(prefix.clone()).await };
            if !typed.is_disposed() && last_name(&typed.get_untracked()) == prefix {
                suggestions.set(found.unwrap_or_default());
            }
        }
    });
    let pick = move |person: Participant| {
        let current = typed.get_untracked();
        let kept = current.rsplit_once(',').map_or("", |(before, _)| before).trim();
        let value =
            if kept.is_empty() { format!("{}, ", person.username) } else { format!("{kept}, {}, ", person.username) };
        typed.set(value.clone());
        suggestions.set(Vec::new());
        if let Some(input) = input.get() {
            input.set_value(&value);
            let _ = input.focus();
        }
    };
    view! {
        <details class="chat__form" open=move || error.get().is_some()>
            <summary>"New conversation"</summary>
            <ActionForm action=start attr:class="form">
                <FormAlert error=Signal::derive(move || error.get().filter(|e| e.field_errors().is_empty()))/>
                <div class="field">
                    <label for="new-conversation-people">"People"</label>
                    <p class="field__hint" id="new-conversation-people-hint">
                        {format!("Usernames, separated by commas: one for a direct conversation, up to {} for a group.", GROUP_MAX - 1)}
                    </p>
                    <input id="new-conversation-people" name="participants" required autocomplete="off" node_ref=input
                        aria-describedby="new-conversation-people-hint new-conversation-people-errors"
                        value=move || kept_value(error, "participants").get()
                        on:input=move |ev| {
                            let value = event_target_value(&ev);
                            typed.set(value.clone());
                            lookup.dispatch(last_name(&value));
                        }/>
                    <ul class="field__errors" id="new-conversation-people-errors" aria-live="polite">
                        {move || server_field(error, "participants").get().into_iter().map(|m| view! { <li>{format!("People {m}")}</li> }).collect_view()}
                    </ul>
                    <ul class="chat__suggestions" aria-label="Suggestions">
                        {move || suggestions.get().into_iter().map(|person| {
                            let label = format!("{} (@{})", person.display_name, person.username);
                            view! {
                                <li><button type="button" class="link-button" on:click=move |_| pick(person.clone())>{label}</button></li>
                            }
                        }).collect_view()}
                    </ul>
                </div>
                <div class="field">
                    <label for="new-conversation-name">"Name (optional, for groups)"</label>
                    <input id="new-conversation-name" name="name" maxlength=ROOM_NAME_MAX.to_string()
                        value=move || kept_value(error, "name").get()/>
                    <ul class="field__errors" aria-live="polite">
                        {move || server_field(error, "name").get().into_iter().map(|m| view! { <li>{format!("Name {m}")}</li> }).collect_view()}
                    </ul>
                </div>
                <button type="submit" class="button button--small">"Start conversation"</button>
            </ActionForm>
        </details>
    }
}

/// The name being typed: what follows the last comma.
fn last_name(value: &str) -> String {
    value.rsplit(',').next().unwrap_or_default().trim().trim_start_matches('@').to_string()
}

#[component]
fn Online(chat: Chat) -> impl IntoView {
    view! {
        <section class="chat__online" aria-labelledby="chat-online-title">
            <h2 id="chat-online-title">"Online"</h2>
            {move || {
                let people = chat.online.get();
                if people.is_empty() {
                    return view! { <p class="muted">"Nobody else right now."</p> }.into_any();
                }
                view! {
                    <ul>
                        {people.into_iter().map(|(person, state)| {
                            let away = state == PresenceState::Away;
                            view! {
                                <li class="chat__person" class:chat__person--away=away>
                                    <span class="chat__dot" aria-hidden="true"></span>
                                    {person.display_name}
                                    {away.then(|| view! { <span class="muted">" (away)"</span> })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::last_name;

    #[test]
    fn the_name_being_typed_is_the_last_one() {
        assert_eq!(last_name("ada, @gra"), "gra");
        assert_eq!(last_name("ada, "), "");
        assert_eq!(last_name("ed"), "ed");
    }
}
