//! The chat page, `/chat?room=…`. The first HTML has the lists and the open room's
//! latest messages, and every action is a form, so it works without JavaScript; once
//! hydrated it goes live over `/api/chat/ws` (see `socket`).

mod composer;
mod messages;
mod sidebar;
#[cfg(feature = "hydrate")]
mod socket;
mod state;

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

use self::{
    composer::Composer,
    messages::MessagePane,
    sidebar::Sidebar,
    state::{Chat, Connection},
};
use crate::{accounts::components::use_auth, chat::api::get_chat};

#[component]
pub fn ChatPage() -> impl IntoView {
    let auth = use_auth();
    view! {
        <Title text="Chat"/>
        <Meta name="description" content="Live chat with the community: public rooms and private conversations."/>
        <Suspense>
            {move || Suspend::new(async move {
                match auth.user.await {
                    Ok(Some(_)) => view! { <ChatApp/> }.into_any(),
                    _ => view! { <Welcome/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// What a signed-out visitor sees.
#[component]
fn Welcome() -> impl IntoView {
    view! {
        <section class="page page--narrow">
            <h1>"Chat"</h1>
            <p class="lead">"Talk with the community in public rooms, or privately with the people you pick."</p>
            <div class="hero__actions">
                <a class="button" href="/login?next=/chat">"Log in to chat"</a>
                <a class="button button--ghost" href="/signup">"Create an account"</a>
            </div>
        </section>
    }
}

#[component]
fn ChatApp() -> impl IntoView {
    let query = use_query_map();
    let wanted = move || {
        let q = query.read();
        (q.get("room").filter(|r| !r.is_empty()), q.get("before").and_then(|b| b.parse::<i64>().ok()))
    };
    // The first view renders the page (on the server, then hydrated). Later room changes
    // only refill the state, so the page, its live connection and the handlers on screen
    // stay alive while the next room loads.
    let first = Resource::new(
        || (),
        move |_| {
            let (room, before) = untrack(wanted);
            get_chat(room, before)
        },
    );
    let chat = Chat::new();
    Effect::new(move |_| {
        // Once hydrated: times in the reader's zone, and the live connection.
        chat.local_time.set(true);
        chat.go_live();
    });
    Effect::new(move |previous: Option<(Option<String>, Option<i64>)>| {
        let next = wanted();
        if previous.is_some_and(|previous| previous != next) {
            let (room, before) = next.clone();
            leptos::task::spawn_local(async move {
                chat.loading.set(true);
                let loaded = get_chat(room.clone(), before).await;
                // A later navigation wins over this one.
                if chat.alive() && untrack(wanted) == (room, before) {
                    match loaded {
                        Ok(view) => chat.load(view, before),
                        Err(error) => chat.failure.set(Some(error.to_string())),
                    }
                    chat.loading.set(false);
                }
            });
        }
        next
    });
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading the chat…"</p> }>
            {move || Suspend::new(async move {
                let before = untrack(wanted).1;
                match first.await {
                    Ok(loaded) => {
                        chat.load(loaded, before);
                        view! { <ChatLayout chat/> }.into_any()
                    }
                    Err(error) => view! {
                        <section class="page page--narrow">
                            <h1>"Chat"</h1>
                            <div class="alert alert--error" role="alert"><p>{error.to_string()}</p></div>
                            <p><a href="/chat" rel="external">"Go to the chat's first room"</a></p>
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ChatLayout(chat: Chat) -> impl IntoView {
    let state = move || match chat.connection.get() {
        Connection::Connecting => "connecting",
        Connection::Live => "live",
        Connection::Reconnecting => "reconnecting",
        Connection::Closed(_) => "closed",
    };
    view! {
        <div class="chat" data-connection=state aria-busy=move || chat.loading.get().to_string()>
            <Sidebar chat/>
            <section class="chat__pane" aria-labelledby="chat-room-title">
                {move || chat.failure.get().map(|failure| view! {
                    <div class="alert alert--error" role="alert"><p>{failure}</p></div>
                })}
                // Everything about the open room is made anew when another room opens.
                {move || {
                    chat.generation.track();
                    view! { <MessagePane chat/><Composer chat/> }
                }}
            </section>
        </div>
    }
}
