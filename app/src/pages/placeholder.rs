//! Blog and chat have their own issues; until they land these pages say so plainly
//! instead of answering 404 from the navigation.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};

#[component]
fn ComingSoon(title: &'static str, description: &'static str, body: &'static str) -> impl IntoView {
    view! {
        <Title text=title/>
        <Meta name="description" content=description/>
        <section class="page page--narrow">
            <h1>{title}</h1>
            <p class="lead">{body}</p>
        </section>
    }
}

#[component]
pub fn BlogPage() -> impl IntoView {
    view! {
        <ComingSoon
            title="Blog"
            description="Posts from our community."
            body="No posts have been published yet. Writing opens with the blog release."
        />
    }
}

#[component]
pub fn ChatPage() -> impl IntoView {
    view! {
        <ComingSoon
            title="Chat"
            description="Live chat with the community."
            body="The live chat is not open yet. It arrives with the chat release."
        />
    }
}
