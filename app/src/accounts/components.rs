//! Form building blocks and the auth context shared by the account pages and header.

use leptos::prelude::*;
use leptos_router::components::A;

use super::{
    api::{get_current_user, get_password_policy, Logout},
    validation::PasswordPolicy,
    CurrentUser,
};
use crate::error::AppError;

/// The signed-in user, refetched after logout (here) and after login, profile changes
/// or deletion (by the pages that make them).
#[derive(Clone, Copy)]
pub struct Auth {
    pub user: Resource<Result<Option<CurrentUser>, AppError>>,
    pub logout: ServerAction<Logout>,
}

/// Provides [`Auth`] to everything inside. Must sit inside `<Router>`: the router is what
/// hands a failed no-JavaScript form submission's error back to its action.
#[component]
pub fn AuthProvider(children: Children) -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    let user = Resource::new(move || logout.version().get(), |_| get_current_user());
    provide_context(Auth { user, logout });
    children()
}

pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}

/// The account end of the header: log in / sign up, or the user's name and log out.
#[component]
pub fn AccountMenu() -> impl IntoView {
    let auth = use_auth();
    let signed_out = || {
        view! {
            <li><A href="/login">"Log in"</A></li>
            <li><A href="/signup" attr:class="button button--small">"Sign up"</A></li>
        }
    };
    view! {
        <ul class="site-nav__account">
            <Transition fallback=signed_out>
                {move || Suspend::new(async move {
                    match auth.user.await {
                        Ok(Some(user)) => view! {
                            {(user.role == super::Role::Admin).then(|| view! { <li><A href="/review">"Review"</A></li><li><A href="/admin/users">"Users"</A></li> })}
                            <li><A href="/blog/new" attr:class="button button--small">"Write"</A></li>
                            <li><A href="/account">{user.display_name().to_string()}</A></li>
                            <li>
                                <ActionForm action=auth.logout attr:class="inline-form">
                                    <button type="submit" class="link-button">"Log out"</button>
                                </ActionForm>
                            </li>
                        }
                        .into_any(),
                        _ => signed_out().into_any(),
                    }
                })}
            </Transition>
        </ul>
    }
}

/// The server's password policy, so the browser checks exactly what the server will
/// (the default policy until it has arrived).
pub fn use_password_policy() -> Signal<PasswordPolicy> {
    let policy = Resource::new(|| (), |_| get_password_policy());
    Signal::derive(move || policy.get().and_then(Result::ok).unwrap_or_default())
}

/// Refetches the signed-in user whenever `action` succeeds.
pub fn refetch_user_on_success<S>(action: ServerAction<S>)
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let auth = use_auth();
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(_))) {
            auth.user.refetch();
        }
    });
}

/// Field messages: those of the rules broken by what the user is typing once they have
/// typed, otherwise those the server sent back.
pub fn field_errors(
    field: &'static str,
    typed: RwSignal<Option<String>>,
    server: Signal<Option<AppError>>,
    check: impl Fn(&str) -> Vec<String> + Send + Sync + 'static,
) -> Signal<Vec<String>> {
    // A new answer from the server takes over until the user edits the field again.
    Effect::new(move |_| {
        server.track();
        typed.set(None);
    });
    Signal::derive(move || match typed.get() {
        Some(value) => check(&value),
        None => server.get().map(|e| e.field_errors().get(field).to_vec()).unwrap_or_default(),
    })
}

/// The part of a failure that belongs to no single field (shown above the form).
pub fn form_error(server: Signal<Option<AppError>>) -> Signal<Option<AppError>> {
    Signal::derive(move || server.get().filter(|e| e.field_errors().is_empty()))
}

/// A field's messages as a live list under it, each introduced by the field's label.
pub fn error_list(errors: Signal<Vec<String>>, label: &'static str, id: String) -> impl IntoView {
    view! {
        <ul class="field__errors" id=id aria-live="polite">
            {move || errors.get().into_iter().map(|m| view! { <li>{format!("{label} {m}")}</li> }).collect_view()}
        </ul>
    }
}

/// The server's messages for one field.
pub fn server_field(server: Signal<Option<AppError>>, field: &'static str) -> Signal<Vec<String>> {
    Signal::derive(move || server.get().map(|e| e.field_errors().get(field).to_vec()).unwrap_or_default())
}

/// What was typed into `field` before a failed submission (never a password).
pub fn kept_value(server: Signal<Option<AppError>>, field: &'static str) -> Signal<String> {
    Signal::derive(move || server.get().and_then(|e| e.value(field)).unwrap_or_default())
}

/// The error of the last submission of `action`, if it failed.
pub fn action_error<S>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().and_then(Result::err))
}

#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    /// Element id, when two forms on one page have a field of the same name.
    #[prop(optional)]
    id: Option<&'static str>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] required: bool,
    /// Value to show on first render (e.g. echoed back after a failed submission).
    #[prop(optional, into)]
    initial: Signal<String>,
    #[prop(optional, into)] errors: Signal<Vec<String>>,
    /// Receives every keystroke, for live validation.
    #[prop(optional)]
    typed: Option<RwSignal<Option<String>>>,
) -> impl IntoView {
    let id = id.map_or_else(|| format!("field-{name}"), str::to_string);
    let errors_id = format!("{id}-errors");
    let hint_id = format!("{id}-hint");
    let described_by = match hint {
        Some(_) => format!("{hint_id} {errors_id}"),
        None => errors_id.clone(),
    };
    let invalid = move || !errors.get().is_empty();
    view! {
        <div class="field" class:field--invalid=invalid class:field--required=required>
            <label for=id.clone()>{label}</label>
            {hint.map(|text| view! { <p class="field__hint" id=hint_id>{text}</p> })}
            <input
                id=id
                name=name
                type=input_type
                autocomplete=autocomplete
                value=move || initial.get()
                aria-required=required.to_string()
                aria-invalid=move || invalid().to_string()
                aria-describedby=described_by
                on:input=move |ev| {
                    if let Some(typed) = typed {
                        typed.set(Some(event_target_value(&ev)));
                    }
                }
            />
            <ul class="field__errors" id=errors_id aria-live="polite">
                {move || {
                    errors.get().into_iter().map(|message| view! { <li>{format!("{label} {message}")}</li> }).collect_view()
                }}
            </ul>
        </div>
    }
}

/// The form-level message: errors that belong to no single field, or a success note.
#[component]
pub fn FormAlert(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().map(|error| {
            let text = error.to_string();
            let not_activated = matches!(error, AppError::NotActivated);
            view! {
                <div class="alert alert--error" role="alert">
                    <p>{text}</p>
                    {not_activated.then(|| view! {
                        <p><a href="/activation/resend">"Send me a new activation email"</a></p>
                    })}
                </div>
            }
        })
    }
}
