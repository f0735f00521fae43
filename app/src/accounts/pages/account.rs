use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

use super::SignedInOnly;
use crate::{
    accounts::{
        api::{
            get_notifications, list_api_tokens, ChangePassword, CreateApiToken, DeleteAccount, RevokeApiToken,
            SetNotifications, UpdateProfile, UploadAvatar,
        },
        components::{
            action_error, field_errors, form_error, kept_value, refetch_user_on_success, server_field,
            use_password_policy, Field, FormAlert,
        },
        model::format_utc,
        validation::{check_confirmation, AvatarUrl, Bio, DisplayName, FullName, PhoneNumber, BIO_MAX},
        CurrentUser,
    },
    error::AppError,
};

#[component]
pub fn AccountPage() -> impl IntoView {
    view! {
        <Title text="Your account"/>
        <Meta name="description" content="Your profile, password, notifications and API tokens."/>
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
            <PictureForm user=user.clone()/>
            <ProfileForm user=user.clone()/>
            <NotificationsForm/>
            <PasswordForm/>
            <ApiTokensPanel/>
            <DeleteForm/>
        </div>
    }
}

/// The profile picture: a plain multipart form (a file cannot go through `ActionForm`),
/// which works the same with or without JavaScript.
#[component]
fn PictureForm(user: CurrentUser) -> impl IntoView {
    let error = AppError::left_in_address::<UploadAvatar>();
    let updated = use_query_map().read_untracked().get("picture").is_some() && error.is_none();
    let errors: Vec<String> = error.as_ref().map(|e| e.field_errors().get("file").to_vec()).unwrap_or_default();
    let invalid = !errors.is_empty();
    let general = error.filter(|e| e.field_errors().is_empty());
    let action = <UploadAvatar as leptos::server_fn::ServerFn>::PATH;
    view! {
        <section class="panel" aria-labelledby="picture-title">
            <h2 id="picture-title">"Picture"</h2>
            <form class="form account__picture" method="post" enctype="multipart/form-data"
                action=action>
                {general.map(|e| view! { <div class="alert alert--error" role="alert"><p>{e.to_string()}</p></div> })}
                {updated.then(|| view! { <div class="alert alert--success" role="status"><p>"Your new picture is on your profile."</p></div> })}
                <div class="account__picture-row">
                    {match user.avatar_url.clone() {
                        Some(url) => view! { <img class="avatar avatar--large" src=url alt="Your current picture" width="72" height="72"/> }.into_any(),
                        None => view! { <p class="muted">"No picture yet: your initial is shown instead."</p> }.into_any(),
                    }}
                    <div class="field" class:field--invalid=invalid>
                        <label for="avatar-file">"Upload a picture"</label>
                        <p class="field__hint" id="avatar-file-hint">"JPEG, PNG, WebP or GIF; it is cut to a centred square."</p>
                        <input id="avatar-file" type="file" name="avatar_file" accept="image/jpeg,image/png,image/webp,image/gif"
                            required aria-describedby="avatar-file-hint avatar-file-errors"/>
                        <ul class="field__errors" id="avatar-file-errors" aria-live="polite">
                            {errors.into_iter().map(|m| view! { <li>{format!("Picture {m}")}</li> }).collect_view()}
                        </ul>
                    </div>
                </div>
                <button type="submit" class="button button--ghost">"Upload picture"</button>
            </form>
        </section>
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
    let bio = RwSignal::new(None::<String>);
    let avatar = RwSignal::new(None::<String>);
    let bio_errors = field_errors("bio", bio, server, |v| Bio::parse_optional(v).err().unwrap_or_default());
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
                <div class="field" class:field--invalid=move || !bio_errors.get().is_empty()>
                    <label for="field-bio">"Bio"</label>
                    <p class="field__hint" id="field-bio-hint">"Optional, up to 500 characters: shown on your author page and under your posts."</p>
                    <textarea id="field-bio" name="bio" rows="4" maxlength=BIO_MAX.to_string() aria-describedby="field-bio-hint field-bio-errors"
                        on:input=move |ev| bio.set(Some(event_target_value(&ev)))>{current("bio", user.bio.clone()).get_untracked()}</textarea>
                    <ul class="field__errors" id="field-bio-errors" aria-live="polite">
                        {move || bio_errors.get().into_iter().map(|m| view! { <li>{format!("Bio {m}")}</li> }).collect_view()}
                    </ul>
                </div>
                <Field label="Avatar image URL" name="avatar_url" input_type="url" hint="Optional: an https:// address of a square picture"
                    initial=current("avatar_url", user.avatar_url.clone()) typed=avatar
                    errors=field_errors("avatar_url", avatar, server, |v| AvatarUrl::parse_optional(v).err().unwrap_or_default())/>
                <button type="submit" class="button">"Save profile"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn NotificationsForm() -> impl IntoView {
    let action = ServerAction::<SetNotifications>::new();
    let current = Resource::new(move || action.version().get(), |_| get_notifications());
    let saved = move || matches!(action.value().get(), Some(Ok(_)));
    view! {
        <section class="panel" aria-labelledby="notifications-title">
            <h2 id="notifications-title">"Notifications"</h2>
            <ActionForm action=action attr:class="form">
                <Show when=saved>
                    <div class="alert alert--success" role="status"><p>"Your email settings were saved."</p></div>
                </Show>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        let on = current.await.unwrap_or(true);
                        view! {
                            <label class="checkbox">
                                <input type="checkbox" name="notify_on_comment" value="true" checked=on/>
                                " Email me when someone comments on my posts"
                            </label>
                        }
                    })}
                </Transition>
                <button type="submit" class="button button--ghost">"Save email settings"</button>
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
                <Field label="Password" name="password" id="delete-password" input_type="password"
                    autocomplete="current-password" required=true
                    errors=server_field(server, "password")/>
                <button type="submit" class="button button--danger">"Delete my account"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn ApiTokensPanel() -> impl IntoView {
    let create = ServerAction::<CreateApiToken>::new();
    let revoke = ServerAction::<RevokeApiToken>::new();
    let server = action_error(create);
    let tokens = Resource::new(move || (create.version().get(), revoke.version().get()), |_| list_api_tokens());
    let created = move || create.value().get().and_then(Result::ok);
    view! {
        <section class="panel" aria-labelledby="tokens-title">
            <h2 id="tokens-title">"API tokens"</h2>
            <p>
                "Scripts and apps can act as you by sending " <code>"Authorization: Token <key>"</code>
                ". See the " <a href="/docs/api">"API reference"</a> "."
            </p>
            <p class="muted">
                "Changing or resetting your password, or logging out through the API, revokes them all."
            </p>
            {move || created().map(|new| view! {
                <div class="alert alert--success" role="status">
                    <p>"Copy your new token “" {new.info.name} "” now; it will not be shown again:"</p>
                    <p><code class="token-key">{new.token}</code></p>
                </div>
            })}
            <ActionForm action=create attr:class="form" attr:novalidate=true>
                <FormAlert error=form_error(server)/>
                <Field label="Token name" name="name" id="token-name" required=true hint="What will use it, e.g. “backup script”"
                    initial=kept_value(server, "name") errors=server_field(server, "name")/>
                <Field label="Expires in (days)" name="expires_in_days" id="token-expires" input_type="number" hint="Optional; blank means never"
                    initial=kept_value(server, "expires_in_days") errors=server_field(server, "expires_in_days")/>
                <button type="submit" class="button">"Create token"</button>
            </ActionForm>
            <Transition fallback=|| view! { <p>"Loading tokens…"</p> }>
                {move || Suspend::new(async move {
                    match tokens.await {
                        Ok(list) if list.is_empty() => view! { <p class="tokens__empty">"You have no API tokens."</p> }.into_any(),
                        Ok(list) => view! {
                            <table class="tokens">
                                <thead>
                                    <tr>
                                        <th scope="col">"Name"</th>
                                        <th scope="col">"Created"</th>
                                        <th scope="col">"Last used"</th>
                                        <th scope="col">"Expires"</th>
                                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {list.into_iter().map(|token| view! {
                                        <tr>
                                            <td>{token.name.clone()}</td>
                                            <td>{format_utc(token.created_at)}</td>
                                            <td>{token.last_used_at.map_or_else(|| "never".to_string(), format_utc)}</td>
                                            <td>{token.expires_at.map_or_else(|| "never".to_string(), format_utc)}</td>
                                            <td>
                                                <ActionForm action=revoke attr:class="inline-form">
                                                    <input type="hidden" name="id" value=token.id/>
                                                    <button type="submit" class="button button--small button--danger"
                                                        aria-label=format!("Revoke {}", token.name)>"Revoke"</button>
                                                </ActionForm>
                                            </td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(error) => view! { <div class="alert alert--error"><p>{error.to_string()}</p></div> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
