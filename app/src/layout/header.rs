//! Site header with the primary navigation. On narrow screens the links fold behind a
//! "Menu" button once the page is hydrated; without JavaScript they stay visible.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::{
    accounts::components::{use_auth, AccountMenu},
    root::SITE_NAME,
};

/// (href, label) of the primary navigation, in display order.
const PRIMARY_LINKS: [(&str, &str); 3] = [("/", "Home"), ("/blog", "Blog"), ("/chat", "Chat")];

#[component]
pub fn Header() -> impl IntoView {
    let (menu_open, set_menu_open) = signal(false);

    view! {
        <header class="site-header">
            <div class="site-header__inner">
                <a class="brand" href="/">
                    <span class="brand__mark" aria-hidden="true">"◆"</span>
                    {SITE_NAME}
                </a>
                <button
                    type="button"
                    class="menu-toggle"
                    aria-controls="site-nav"
                    aria-expanded=move || menu_open.get().to_string()
                    on:click=move |_| set_menu_open.update(|open| *open = !*open)
                >
                    <span class="menu-toggle__bars" aria-hidden="true"></span>
                    "Menu"
                </button>
                <nav
                    id="site-nav"
                    class="site-nav"
                    class:site-nav--open=menu_open
                    aria-label="Main"
                    // Following a link (or logging out) closes the menu.
                    on:click=move |_| set_menu_open.set(false)
                >
                    <ul class="site-nav__links">
                        {PRIMARY_LINKS
                            .into_iter()
                            .map(|(href, label)| view! { <li><A href=href exact=true>{label}</A></li> })
                            .collect_view()}
                    </ul>
                    <AccountMenu/>
                </nav>
            </div>
        </header>
        <ConfirmEmailReminder/>
    }
}

/// Accounts that may log in before confirming their email (`LOGIN_REQUIRES_ACTIVATION`
/// off) are reminded on every page until they do.
#[component]
fn ConfirmEmailReminder() -> impl IntoView {
    let auth = use_auth();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                auth.user.await.ok().flatten().filter(|user| !user.email_verified).map(|user| view! {
                    <div class="reminder" role="status">
                        <p>"Please confirm your email address: follow the link we sent to "<strong>{user.email}</strong>". "
                            <a href="/activation/resend">"Send it again"</a></p>
                    </div>
                })
            })}
        </Transition>
    }
}
