use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

use super::SignedOutOnly;
use crate::accounts::{
    api::Login,
    components::{action_error, form_error, kept_value, refetch_user_on_success, server_field, Field, FormAlert},
};

#[component]
pub fn LoginPage() -> impl IntoView {
    view! {
        <Title text="Log in"/>
        <Meta name="description" content="Log in to your account."/>
        <section class="auth-card">
            <h1>"Log in"</h1>
            <SignedOutOnly><LoginForm/></SignedOutOnly>
            <p class="auth-card__footer">"New here? " <a href="/signup">"Create an account"</a></p>
        </section>
    }
}

#[component]
fn LoginForm() -> impl IntoView {
    // Created here, inside the routes: that is where the router hands back the error of
    // a form submitted without JavaScript.
    let action = ServerAction::<Login>::new();
    refetch_user_on_success(action);
    let server = action_error(action);
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let notice = move || match query.read().get("reset").as_deref() {
        Some("done") => Some("Your password was changed. Log in with the new one."),
        _ => None,
    };
    view! {
        {move || notice().map(|text| view! { <div class="alert alert--success" role="status"><p>{text}</p></div> })}
        <ActionForm action=action attr:class="form" attr:novalidate=true>
            <FormAlert error=form_error(server)/>
            <input type="hidden" name="next" value=next/>
            <Field label="Username or email" name="login" autocomplete="username" required=true
                initial=kept_value(server, "login")
                errors=server_field(server, "login")/>
            <Field label="Password" name="password" input_type="password" autocomplete="current-password" required=true
                errors=server_field(server, "password")/>
            <button type="submit" class="button button--wide" disabled=move || action.pending().get()>"Log in"</button>
        </ActionForm>
        <p class="form__links">
            <a href="/forgot-password">"Forgot your password?"</a>
            <a href="/activation/resend">"Resend activation email"</a>
        </p>
    }
}
