//! The account pages. Each form posts to a server function and works without
//! JavaScript; on the app pages (sign-up, account, new password) errors appear inline as
//! the user types once hydrated. The others are documents (`document!` in root.rs).

mod account;
mod activate;
mod dev_outbox;
mod login;
mod reset;
mod signup;

pub use account::AccountPage;
pub use activate::{ActivatePage, ResendActivationPage};
pub use dev_outbox::DevOutboxPage;
pub use login::LoginPage;
pub use reset::{ForgotPasswordPage, ResetPasswordPage};
pub use signup::{CheckEmailPage, SignupPage};

use leptos::prelude::*;
use leptos_router::components::Redirect;

use super::{components::use_auth, CurrentUser};

/// Renders `children` for signed-out visitors; sends signed-in users to `/account`.
#[component]
fn SignedOutOnly(children: ChildrenFn) -> impl IntoView {
    let auth = use_auth();
    let children = StoredValue::new(children);
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match auth.user.await {
                    Ok(Some(_)) => view! { <Redirect path="/account"/> }.into_any(),
                    _ => children.read_value()().into_any(),
                }
            })}
        </Suspense>
    }
}

/// Renders `children` with the signed-in user; others go to the login page and come back.
#[component]
pub(crate) fn SignedInOnly<F, V>(next: &'static str, children: F) -> impl IntoView
where
    F: Fn(CurrentUser) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let auth = use_auth();
    let children = StoredValue::new(children);
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match auth.user.await {
                    Ok(Some(user)) => children.read_value()(user).into_any(),
                    _ => view! { <Redirect path=format!("/login?next={next}")/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
