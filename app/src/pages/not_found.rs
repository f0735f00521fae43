use leptos::prelude::*;
use leptos_meta::{Meta, Title};

/// Shown for any path no route matches; answers with HTTP 404 when rendered on the server.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }

    view! {
        <Title text="Page not found"/>
        <Meta name="description" content="This page does not exist."/>
        <Meta name="robots" content="noindex"/>
        <section class="page page--narrow not-found">
            <p class="not-found__code" aria-hidden="true">"404"</p>
            <h1>"Page not found"</h1>
            <p>"We could not find the page you asked for. It may have moved, or the address may be mistyped."</p>
            <p><a class="button" href="/">"Go to the home page"</a></p>
        </section>
    }
}
