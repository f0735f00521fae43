//! Site header and primary navigation; on phones the links are a popover behind "Menu",
//! which the browser opens and closes itself, with or without JavaScript.

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
    view! {
        <header class="site-header">
            <div class="site-header__inner">
                <a class="brand" href="/">
                    <span class="brand__mark" aria-hidden="true">"◆"</span>
                    {SITE_NAME}
                </a>
                <button type="button" class="menu-toggle" popovertarget="site-nav">
                    <span class="menu-toggle__bars" aria-hidden="true"></span>
                    "Menu"
                </button>
                // A popover on phones only: on wider screens the stylesheet shows it inline.
                <nav id="site-nav" class="site-nav" popover="auto" aria-label="Main" on:click=close_menu>
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

/// Following a link (or logging out) closes the phone menu: a client-side navigation
/// keeps the document, so the browser would leave the popover open.
#[allow(unused_variables)]
fn close_menu(ev: leptos::ev::MouseEvent) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(nav) = ev.current_target().and_then(|target| target.dyn_into::<web_sys::HtmlElement>().ok()) {
            // Hiding a popover that is not open does nothing.
            let _ = nav.hide_popover();
        }
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
