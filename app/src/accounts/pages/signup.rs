use leptos::prelude::*;
use leptos_meta::{Meta, Title};

use super::SignedOutOnly;
use crate::accounts::{
    api::Signup,
    components::{action_error, field_errors, form_error, kept_value, use_password_policy, Field, FormAlert},
    validation::{check_confirmation, DisplayName, Email, PasswordPolicy, Username},
};

#[component]
pub fn SignupPage() -> impl IntoView {
    view! {
        <Title text="Sign up"/>
        <Meta name="description" content="Create an account to write posts and join the chat."/>
        <section class="auth-card">
            <h1>"Create your account"</h1>
            <SignedOutOnly><SignupForm/></SignedOutOnly>
            <p class="auth-card__footer">"Already have an account? " <a href="/login">"Log in"</a></p>
        </section>
    }
}

#[component]
fn SignupForm() -> impl IntoView {
    let action = ServerAction::<Signup>::new();
    let server = action_error(action);
    let policy = use_password_policy();
    let username = RwSignal::new(None::<String>);
    let email = RwSignal::new(None::<String>);
    let name = RwSignal::new(None::<String>);
    let password = RwSignal::new(None::<String>);
    let confirm = RwSignal::new(None::<String>);

    let password_errors = field_errors("password", password, server, move |value| {
        let policy = policy.get();
        let email = email.get_untracked().unwrap_or_default();
        let local = email.split('@').next().unwrap_or_default().to_string();
        let username = username.get_untracked().unwrap_or_default();
        PasswordPolicy::check(&policy, value, &[&username, &local])
    });
    let confirm_errors = field_errors("password_confirm", confirm, server, move |value| {
        check_confirmation(&password.get().unwrap_or_default(), value)
    });

    view! {
        <ActionForm action=action attr:class="form" attr:novalidate=true>
            <FormAlert error=form_error(server)/>
            <Field label="Username" name="username" autocomplete="username" required=true
                hint="3–20 letters, digits, _ . or -"
                initial=kept_value(server, "username") typed=username
                errors=field_errors("username", username, server, |v| Username::parse(v).err().unwrap_or_default())/>
            <Field label="Email" name="email" input_type="email" autocomplete="email" required=true
                initial=kept_value(server, "email") typed=email
                errors=field_errors("email", email, server, |v| Email::parse(v).err().unwrap_or_default())/>
            <Field label="Name" name="name" autocomplete="nickname" hint="Optional, 3–32 characters; shown instead of your username"
                initial=kept_value(server, "name") typed=name
                errors=field_errors("name", name, server, |v| DisplayName::parse_optional(v).err().unwrap_or_default())/>
            <Field label="Password" name="password" input_type="password" autocomplete="new-password" required=true
                hint="8–64 characters with a lowercase and an uppercase letter, a digit and a symbol; not your username"
                typed=password errors=password_errors/>
            <Field label="Confirm password" name="password_confirm" input_type="password" autocomplete="new-password"
                required=true typed=confirm errors=confirm_errors/>
            <button type="submit" class="button button--wide" disabled=move || action.pending().get()>
                {move || if action.pending().get() { "Creating your account…" } else { "Create account" }}
            </button>
        </ActionForm>
    }
}

#[component]
pub fn CheckEmailPage() -> impl IntoView {
    view! {
        <Title text="Check your email"/>
        <Meta name="description" content="Follow the link we emailed you to activate your account."/>
        <section class="auth-card">
            <h1>"Check your email"</h1>
            <p class="lead">"We sent you a link to activate your account. It works once and expires in 24 hours."</p>
            <p>"No email after a few minutes? Look in your spam folder, or "
                <a href="/activation/resend">"ask for a new activation email"</a>"."</p>
        </section>
    }
}
