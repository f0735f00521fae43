use leptos::prelude::*;
use leptos_meta::{Meta, Title};

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text=""/>
        <Meta name="description" content="Write and read long-form posts, and talk in real time in the community chat."/>
        <section class="hero">
            <h1 class="hero__title">"Write, read and talk — in one place."</h1>
            <p class="hero__lead">
                "Publish posts on the blog, follow what others write, and join the live chat. "
                "Every page works without JavaScript and gets faster with it."
            </p>
            <p class="hero__actions">
                <a class="button" href="/signup">"Create an account"</a>
                <a class="button button--ghost" href="/blog">"Read the blog"</a>
            </p>
        </section>
        <section class="features" aria-labelledby="features-title">
            <h2 id="features-title" class="visually-hidden">"What you can do here"</h2>
            <article class="feature">
                <h3>"Blog"</h3>
                <p>"Long-form posts that load fast, read well on any screen and share with rich previews. Follow along by RSS."</p>
            </article>
            <article class="feature">
                <h3>"Chat"</h3>
                <p>"Talk in real time with everyone who is online. Messages arrive the moment they are sent."</p>
            </article>
            <article class="feature">
                <h3>"Your account"</h3>
                <p>"One account for the web and for apps: strong passwords, email activation and a self-service reset."</p>
            </article>
        </section>
    }
}
