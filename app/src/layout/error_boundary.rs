//! Catches errors raised while rendering a page and shows them instead of a blank page.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn PageErrorBoundary(children: Children) -> impl IntoView {
    view! {
        <ErrorBoundary fallback=|errors| {
            view! {
                <Title text="Something went wrong"/>
                <section class="page page--narrow error-page" role="alert">
                    <h1>"Something went wrong"</h1>
                    <p>"This page could not be shown. Please try again in a moment."</p>
                    <ul class="error-page__details">
                        {move || {
                            errors
                                .get()
                                .into_iter()
                                .map(|(_, error)| view! { <li>{error.to_string()}</li> })
                                .collect_view()
                        }}
                    </ul>
                    <p><a href="/">"Back to the home page"</a></p>
                </section>
            }
        }>{children()}</ErrorBoundary>
    }
}
