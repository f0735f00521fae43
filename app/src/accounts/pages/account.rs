use leptos::prelude::*;
use leptos_meta::{Meta, Title};

use super::SignedInOnly;
use crate::accounts::{
    api::{ChangePassword, DeleteAccount, UpdateProfile},
    components::{
        action_error, field_errors, form_error, refetch_user_on_success, server_field, use_password_policy, Field,
        FormAlert,
    },
    validation::{check_confirmation, DisplayName, FullName, PhoneNumber},
    CurrentUser,
};

#[component]
pub fn AccountPage() -> impl IntoView {
    view! {
        <Title text="Your account"/>
        <Meta name="robots" content="noindex"/>
        <SignedInOnly next="/account" children=|user| view! { <AccountSections user/> }/>
    }
}

#[component]
fn AccountSections(user: CurrentUser) -> impl IntoView {
    view! {
        <div class="account">
            <header class="account__header">
                <h1>"Your account"</h1>
                <p class="lead">"Signed in as " <strong>{user.username.clone()}</strong> " · " {user.email.clone()}</p>
            </header>
            <ProfileForm user=user.clone()/>
            <PasswordForm/>
            <DeleteForm/>
        </div>
    }
}

#[component]
fn ProfileForm(user: CurrentUser) -> impl IntoView {
    let action = ServerAction::<UpdateProfile>::new();
    refetch_user_on_success(action);
    let server = action_error(action);
    let saved = move || matches!(action.value().get(), Some(Ok(_)));
    let name = RwSignal::new(None::<String>);
    let full_name = RwSignal::new(None::<String>);
    let phone = RwSignal::new(None::<String>);
    let current = move |field: &'static str, stored: Option<String>| {
        Signal::derive(move || server.get().and_then(|e| e.value(field)).or_else(|| stored.clone()).unwrap_or_default())
    };
    view! {
        <section class="panel" aria-labelledby="profile-title">
            <h2 id="profile-title">"Profile"</h2>
            <ActionForm action=action attr:class="form" attr:novalidate=true>
                <FormAlert error=form_error(server)/>
                <Show when=saved>
                    <div class="alert alert--success" role="status"><p>"Your profile was saved."</p></div>
                </Show>
                <Field label="Name" name="name" autocomplete="nickname" hint="Optional, 3–32 characters"
                    initial=current("name", user.name.clone()) typed=name
                    errors=field_errors("name", name, server, |v| DisplayName::parse_optional(v).err().unwrap_or_default())/>
                <Field label="Full name" name="full_name" autocomplete="name" hint="Optional"
                    initial=current("full_name", user.full_name.clone()) typed=full_name
                    errors=field_errors("full_name", full_name, server, |v| FullName::parse_optional(v).err().unwrap_or_default())/>
                <Field label="Phone number" name="phone_number" input_type="tel" autocomplete="tel" hint="Optional"
                    initial=current("phone_number", user.phone_number.clone()) typed=phone
                    errors=field_errors("phone_number", phone, server, |v| PhoneNumber::parse_optional(v).err().unwrap_or_default())/>
                <button type="submit" class="button">"Save profile"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn PasswordForm() -> impl IntoView {
    let policy = use_password_policy();
    let action = ServerAction::<ChangePassword>::new();
    let server = action_error(action);
    let changed = move || matches!(action.value().get(), Some(Ok(())));
    let password = RwSignal::new(None::<String>);
    let confirm = RwSignal::new(None::<String>);
    view! {
        <section class="panel" aria-labelledby="password-title">
            <h2 id="password-title">"Change password"</h2>
            <p>"Changing your password signs you out everywhere else."</p>
            <ActionForm action=action attr:class="form" attr:novalidate=true>
                <FormAlert error=form_error(server)/>
                <Show when=changed>
                    <div class="alert alert--success" role="status"><p>"Your password was changed."</p></div>
                </Show>
                <Field label="Current password" name="old_password" input_type="password"
                    autocomplete="current-password" required=true errors=server_field(server, "old_password")/>
                <Field label="New password" name="password" input_type="password" autocomplete="new-password"
                    required=true typed=password
                    errors=field_errors("password", password, server, move |v| policy.get().check(v, &[]))/>
                <Field label="Confirm new password" name="password_confirm" input_type="password"
                    autocomplete="new-password" required=true typed=confirm
                    errors=field_errors("password_confirm", confirm, server, move |v| {
                        check_confirmation(&password.get().unwrap_or_default(), v)
                    })/>
                <button type="submit" class="button">"Change password"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn DeleteForm() -> impl IntoView {
    let action = ServerAction::<DeleteAccount>::new();
    refetch_user_on_success(action);
    let server = action_error(action);
    view! {
        <section class="panel panel--danger" aria-labelledby="delete-title">
            <h2 id="delete-title">"Delete account"</h2>
            <p>"This removes your account and everything attached to it. It cannot be undone."</p>
            <ActionForm action=action attr:class="form" attr:novalidate=true>
                <FormAlert error=form_error(server)/>
                <Field label="Password" name="password" input_type="password" autocomplete="current-password"
                    required=true
                    errors=server_field(server, "password")/>
                <button type="submit" class="button button--danger">"Delete my account"</button>
            </ActionForm>
        </section>
    }
}
