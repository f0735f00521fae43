//! The HTML document shell and the route table.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    lazy_route, path, Lazy, LazyRoute, SsrMode,
};

use crate::accounts::{
    components::AuthProvider,
    pages::{
        AccountPage, ActivatePage, CheckEmailPage, DevOutboxPage, ForgotPasswordPage, LoginPage, ResendActivationPage,
        ResetPasswordPage, SignupPage,
    },
};
use crate::admin::pages::AdminUsersPage;
use crate::blog::pages::{
    AuthorPage, BlogPage, BookmarksPage, DraftsPage, EditPostPage, FollowingPage, NewPostPage, PostPage, SearchPage,
    TagPage, UnsavedChanges,
};
use crate::chat::pages::ChatPage;
use crate::docs::pages::ApiDocsPage;
use crate::layout::{Footer, Header, PageErrorBoundary};
use crate::pages::{HomePage, NotFound};
use crate::review::pages::{ReviewPostPage, ReviewQueuePage};
use crate::site::provide_site;

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
                <HydrateWhenIdle options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Starts the browser app once the page has painted and the browser is idle, without
/// preloading it: the page (readable, its links and forms working as plain HTML) never
/// waits for or shares the network with the wasm. Leptos's `HydrationScripts` preloads the
/// wasm in `<head>`, which put all of it on the first paint's path for a phone (Lighthouse:
/// LCP 3.3 s instead of 1 s). `hydrate_lazy` then fetches a lazy page's chunks itself.
#[component]
fn HydrateWhenIdle(options: LeptosOptions) -> impl IntoView {
    // cargo-leptos names both files after the site (`site.js`, `site.wasm`), unhashed
    // (`hash-files` is off). A hidden tab paints no frames, so it starts when idle.
    let base = format!("/{}/{}", options.site_pkg_dir, options.output_name);
    let script = format!(
        "const start = async () => {{ \
             const app = await import({js:?}); \
             await app.default({{ module_or_path: {wasm:?} }}); \
             app.hydrate(); \
         }}; \
         const whenIdle = () => \"requestIdleCallback\" in window \
             ? requestIdleCallback(start, {{ timeout: 2000 }}) : setTimeout(start, 0); \
         document.hidden ? whenIdle() : requestAnimationFrame(whenIdle);",
        js = format!("{base}.js"),
        wasm = format!("{base}.wasm"),
    );
    view! { <script type="module" nonce=leptos::nonce::use_nonce()>{script}</script> }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_site();
    let unsaved = RwSignal::new(false);
    provide_context(UnsavedChanges(unsaved));

    // Set only in the browser, once the page's own route has hydrated (see `live`): CSS
    // and tests use it to tell an inert server-rendered page from a live one.
    let (hydrated, set_hydrated) = signal(false);
    provide_context(PageHydrated(set_hydrated));

    view! {
        <Stylesheet id="leptos" href="/pkg/site.css"/>
        <Link rel="icon" type_="image/svg+xml" href="/favicon.svg"/>
        // The site's own (empty) title sits under every page's: a lazy page's title arrives
        // with its code, and until then the document keeps the site name, never no title.
        <Title text="" formatter=|title: String| {
            if title.is_empty() { SITE_NAME.to_string() } else { format!("{title} · {SITE_NAME}") }
        }/>
        <Link rel="alternate" type_="application/rss+xml" title="Commonplace blog (RSS)" href="/blog/rss.xml"/>
        <Router>
            <AuthProvider>
            // Before a link click would lose the editor's unsaved changes, ask.
            <div class="app" data-hydrated=move || hydrated.get().to_string()
                on:click:capture=move |ev| confirm_leaving(ev, unsaved)>
                <a class="skip-link" href="#main">"Skip to content"</a>
                <Header/>
                <main id="main" class="main" tabindex="-1">
                    <PageErrorBoundary>
                        <Routes fallback=|| live(NotFound())>
                            <Route path=path!("") view=|| live(HomePage())/>
                            // Reading pages render whole before the response starts: their head
                            // tags are in <head>, and a status (404, 301) can still be set.
                            <Route path=path!("/blog") view=|| live(BlogPage()) ssr=SsrMode::Async/>
                            <Route path=path!("/blog/tag/:tag") view=|| live(TagPage()) ssr=SsrMode::Async/>
                            <Route path=path!("/u/:username") view=|| live(AuthorPage()) ssr=SsrMode::Async/>
                            // Everything below is loaded on demand (see `lazy_pages!`).
                            <Route path=path!("/blog/search") view={Lazy::<Search>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/blog/following") view={Lazy::<Following>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/blog/bookmarks") view={Lazy::<Bookmarks>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/blog/drafts") view={Lazy::<Drafts>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/blog/new") view={Lazy::<NewPost>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/blog/:slug/edit") view={Lazy::<EditPost>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/blog/:slug") view=|| live(PostPage()) ssr=SsrMode::Async/>
                            <Route path=path!("/chat") view={Lazy::<Chat>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/review") view={Lazy::<ReviewQueue>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/review/:post_id") view={Lazy::<ReviewPost>::new()} ssr=SsrMode::Async/>
                            // Pages that may redirect render fully before the response
                            // starts, so the redirect is a real 302 without JavaScript.
                            <Route path=path!("/signup") view={Lazy::<Signup>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/signup/check-email") view={Lazy::<CheckEmail>::new()}/>
                            <Route path=path!("/activate") view={Lazy::<Activate>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/activation/resend") view={Lazy::<ResendActivation>::new()}/>
                            <Route path=path!("/login") view={Lazy::<Login>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/forgot-password") view={Lazy::<ForgotPassword>::new()}/>
                            <Route path=path!("/reset-password") view={Lazy::<ResetPassword>::new()}/>
                            <Route path=path!("/account") view={Lazy::<Account>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/dev/outbox") view={Lazy::<DevOutbox>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/admin/users") view={Lazy::<AdminUsers>::new()} ssr=SsrMode::Async/>
                            <Route path=path!("/docs/api") view={Lazy::<ApiDocs>::new()} ssr=SsrMode::Async/>
                        </Routes>
                    </PageErrorBoundary>
                </main>
                <Footer/>
            </div>
            </AuthProvider>
        </Router>
    }
}

/// Marks the page live (`data-hydrated="true"`) once it has hydrated.
#[derive(Clone, Copy)]
struct PageHydrated(WriteSignal<bool>);

/// A route's page, with what marks the page live. The mark is set here, not in `App`:
/// the shell hydrates first, and a lazy route's code may still be arriving then, so only
/// an effect created with the route's own view runs after the page's handlers are in
/// place.
fn live(page: impl IntoView) -> impl IntoView {
    let PageHydrated(set_hydrated) = expect_context();
    Effect::new(move |_| set_hydrated.set(true));
    page
}

/// Declares routes whose code the browser fetches only when one of them is first shown:
/// built with `cargo leptos build --split`, each becomes its own wasm chunk, so a reader
/// of the blog never downloads the editor, the chat, the account forms or the admin.
/// (In a build without `--split` they are ordinary routes.) The server renders them like
/// any other page; on a first visit to one, hydration waits for its chunks (`hydrate_lazy`
/// in the frontend).
macro_rules! lazy_pages {
    ($($route:ident => $page:ident),* $(,)?) => {$(
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                live($page()).into_any()
            }
        }
    )*};
}

lazy_pages! {
    Search => SearchPage,
    Following => FollowingPage,
    Bookmarks => BookmarksPage,
    Drafts => DraftsPage,
    NewPost => NewPostPage,
    EditPost => EditPostPage,
    Chat => ChatPage,
    ReviewQueue => ReviewQueuePage,
    ReviewPost => ReviewPostPage,
    Signup => SignupPage,
    CheckEmail => CheckEmailPage,
    Activate => ActivatePage,
    ResendActivation => ResendActivationPage,
    Login => LoginPage,
    ForgotPassword => ForgotPasswordPage,
    ResetPassword => ResetPasswordPage,
    Account => AccountPage,
    DevOutbox => DevOutboxPage,
    AdminUsers => AdminUsersPage,
    ApiDocs => ApiDocsPage,
}

/// Asks before following a link while the editor has unsaved changes (a browser's own
/// prompt covers reloads and closing the tab).
#[allow(unused_variables)]
fn confirm_leaving(ev: leptos::ev::MouseEvent, unsaved: RwSignal<bool>) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if !unsaved.get_untracked() {
            return;
        }
        let link = ev
            .target()
            .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
            .and_then(|element| element.closest("a[href]").ok().flatten());
        if link.is_none() {
            return;
        }
        let leave = window().confirm_with_message("You have unsaved changes. Leave without saving?").unwrap_or(true);
        if leave {
            unsaved.set(false);
        } else {
            ev.prevent_default();
            ev.stop_propagation();
        }
    }
}
