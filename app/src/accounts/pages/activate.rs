use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

use crate::accounts::{
    api::{activate, ActivationResult, ResendActivation},
    components::{action_error, form_error, kept_value, server_field, Field, FormAlert},
};

#[component]
pub fn ActivatePage() -> impl IntoView {
    let query = use_query_map();
    let outcome = Resource::new(
        move || query.read().get("token").unwrap_or_default(),
        |token| async move { activate(token).await },
    );
    view! {
        <Title text="Activate your account"/>
        <Meta name="description" content="Confirm your email address to activate your account."/>
        <Meta name="robots" content="noindex"/>
        <section class="auth-card">
            <Suspense fallback=|| view! { <p>"Activating your account…"</p> }>
                {move || Suspend::new(async move {
                    match outcome.await {
                        Ok(ActivationResult::Activated) => view! {
                            <h1>"Your account is active"</h1>
                            <p class="lead">"Thanks for confirming your email address. You can log in now."</p>
                            <p><a class="button" href="/login">"Log in"</a></p>
                        }.into_any(),
                        Ok(ActivationResult::AlreadyActive) => view! {
                            <h1>"Already activated"</h1>
                            <p class="lead">"This account was activated before. Just log in."</p>
                            <p><a class="button" href="/login">"Log in"</a></p>
                        }.into_any(),
                        Err(error) => view! {
                            <h1>"Activation failed"</h1>
                            <div class="alert alert--error" role="alert"><p>{error.to_string()}</p></div>
                            <p><a class="button" href="/activation/resend">"Send a new activation email"</a></p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
pub fn ResendActivationPage() -> impl IntoView {
    let action = ServerAction::<ResendActivation>::new();
    let server = action_error(action);
    let query = use_query_map();
    let done = move || matches!(action.value().get(), Some(Ok(()))) || query.read().get("sent").is_some();
    view! {
        <Title text="Resend activation email"/>
        <Meta name="description" content="Get a new activation link by email."/>
        <section class="auth-card">
            <h1>"Resend activation email"</h1>
            <Show when=done fallback=move || view! {
                <p>"Enter the address you signed up with and we will send a new activation link."</p>
                <ActionForm action=action attr:class="form" attr:novalidate=true>
                    <FormAlert error=form_error(server)/>
                    <Field label="Email" name="email" input_type="email" autocomplete="email" required=true
                        initial=kept_value(server, "email")
                        errors=server_field(server, "email")/>
                    <button type="submit" class="button button--wide">"Send activation email"</button>
                </ActionForm>
            }>
                <div class="alert alert--success" role="status">
                    <p>"If that address belongs to an account waiting for activation, a new link is on its way."</p>
                </div>
            </Show>
        </section>
    }
}
