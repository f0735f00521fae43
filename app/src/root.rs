//! The HTML document shell and the route table.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, Meta, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

use crate::accounts::{
    components::AuthProvider,
    pages::{
        AccountPage, ActivatePage, CheckEmailPage, DevOutboxPage, ForgotPasswordPage, LoginPage, ResendActivationPage,
        ResetPasswordPage, SignupPage,
    },
};
use crate::admin::pages::AdminUsersPage;
use crate::docs::pages::ApiDocsPage;
use crate::layout::{Footer, Header, PageErrorBoundary};
use crate::pages::{BlogPage, ChatPage, HomePage, NotFound};

pub const SITE_NAME: &str = "Commonplace";

/// The full HTML document rendered on the server; the browser hydrates `<App/>` inside it.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    // Set only in the browser after hydration: CSS and tests use it to tell an inert
    // server-rendered page from a live one.
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));

    view! {
        <Stylesheet id="leptos" href="/pkg/site.css"/>
        <Link rel="icon" type_="image/svg+xml" href="/favicon.svg"/>
        <Title formatter=|title: String| {
            if title.is_empty() { SITE_NAME.to_string() } else { format!("{title} · {SITE_NAME}") }
        }/>
        <Meta name="description" content="A place to write, read and talk: a blog and live chat for our community."/>
        <Router>
            <AuthProvider>
            <div class="app" data-hydrated=move || hydrated.get().to_string()>
                <a class="skip-link" href="#main">"Skip to content"</a>
                <Header/>
                <main id="main" class="main" tabindex="-1">
                    <PageErrorBoundary>
                        <Routes fallback=NotFound>
                            <Route path=path!("") view=HomePage/>
                            <Route path=path!("/blog") view=BlogPage/>
                            <Route path=path!("/chat") view=ChatPage/>
                            // Pages that may redirect render fully before the response
                            // starts, so the redirect is a real 302 without JavaScript.
                            <Route path=path!("/signup") view=SignupPage ssr=SsrMode::Async/>
                            <Route path=path!("/signup/check-email") view=CheckEmailPage/>
                            <Route path=path!("/activate") view=ActivatePage ssr=SsrMode::Async/>
                            <Route path=path!("/activation/resend") view=ResendActivationPage/>
                            <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                            <Route path=path!("/forgot-password") view=ForgotPasswordPage/>
                            <Route path=path!("/reset-password") view=ResetPasswordPage/>
                            <Route path=path!("/account") view=AccountPage ssr=SsrMode::Async/>
                            <Route path=path!("/dev/outbox") view=DevOutboxPage ssr=SsrMode::Async/>
                            <Route path=path!("/admin/users") view=AdminUsersPage ssr=SsrMode::Async/>
                            <Route path=path!("/docs/api") view=ApiDocsPage ssr=SsrMode::Async/>
                        </Routes>
                    </PageErrorBoundary>
                </main>
                <Footer/>
            </div>
            </AuthProvider>
        </Router>
    }
}
