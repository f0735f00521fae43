use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

use crate::accounts::{
    api::{ForgotPassword, ResetPassword},
    components::{
        action_error, field_errors, form_error, kept_value, server_field, use_password_policy, Field, FormAlert,
    },
    validation::check_confirmation,
};

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<ForgotPassword>::new();
    let server = action_error(action);
    let query = use_query_map();
    let sent = move || matches!(action.value().get(), Some(Ok(()))) || query.read().get("sent").is_some();
    view! {
        <Title text="Forgot password"/>
        <Meta name="description" content="Reset the password of your account."/>
        <section class="auth-card">
            <h1>"Forgot your password?"</h1>
            <Show when=sent fallback=move || view! {
                <p>"Enter your account's email address and we will send you a link to choose a new password."</p>
                <ActionForm action=action attr:class="form" attr:novalidate=true>
                    <FormAlert error=form_error(server)/>
                    <Field label="Email" name="email" input_type="email" autocomplete="email" required=true
                        initial=kept_value(server, "email")
                        errors=server_field(server, "email")/>
                    <button type="submit" class="button button--wide">"Send reset link"</button>
                </ActionForm>
            }>
                <div class="alert alert--success" role="status">
                    <p>"If an account uses that address, we sent it a link to reset the password. The link expires in one hour."</p>
                </div>
            </Show>
            <p class="auth-card__footer"><a href="/login">"Back to log in"</a></p>
        </section>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let policy = use_password_policy();
    let action = ServerAction::<ResetPassword>::new();
    let server = action_error(action);
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let password = RwSignal::new(None::<String>);
    let confirm = RwSignal::new(None::<String>);
    let password_errors = field_errors("password", password, server, move |value| policy.get().check(value, &[]));
    let confirm_errors = field_errors("password_confirm", confirm, server, move |value| {
        check_confirmation(&password.get().unwrap_or_default(), value)
    });
    view! {
        <Title text="Choose a new password"/>
        <Meta name="robots" content="noindex"/>
        <section class="auth-card">
            <h1>"Choose a new password"</h1>
            <ActionForm action=action attr:class="form" attr:novalidate=true>
                <FormAlert error=form_error(server)/>
                <input type="hidden" name="token" value=token/>
                <Field label="New password" name="password" input_type="password" autocomplete="new-password" required=true
                    hint="8–64 characters with a lowercase and an uppercase letter, a digit and a symbol"
                    typed=password errors=password_errors/>
                <Field label="Confirm new password" name="password_confirm" input_type="password"
                    autocomplete="new-password" required=true typed=confirm errors=confirm_errors/>
                <button type="submit" class="button button--wide">"Set new password"</button>
            </ActionForm>
            <p class="auth-card__footer"><a href="/forgot-password">"Ask for a new link"</a></p>
        </section>
    }
}
