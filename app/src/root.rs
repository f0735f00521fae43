//! The HTML document shell and the route table.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, MetaTags, Stylesheet, Title};
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
                <StartPage options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Starts the page (see `start.js`): an app page hydrates once it has painted and the
/// browser is idle, without preloading the wasm, so the page never waits for or shares the
/// network with it (Leptos's `HydrationScripts` preloads it in `<head>`, which put all of it
/// on a phone's first paint: LCP 3.3 s instead of 1 s). A document page loads no wasm.
#[component]
fn StartPage(options: LeptosOptions) -> impl IntoView {
    // cargo-leptos names both files after the site (`site.js`, `site.wasm`), unhashed
    // (`hash-files` is off).
    let base = format!("/{}/{}", options.site_pkg_dir, options.output_name);
    view! {
        <script type="module" nonce=leptos::nonce::use_nonce()
            data-app-js=format!("{base}.js") data-app-wasm=format!("{base}.wasm")>
            {start_script()}
        </script>
    }
}

/// `start.js` as every page carries it: without its comment and blank lines.
fn start_script() -> &'static str {
    static SCRIPT: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| without_comment_lines(include_str!("start.js")));
    &SCRIPT
}

/// Drops the lines that are only a comment (`//`, or a `/** … */` block's lines), blank
/// lines and indentation; code lines are kept whole.
fn without_comment_lines(js: &str) -> String {
    js.lines()
        .map(str::trim_start)
        .filter(|line| !(line.is_empty() || line.starts_with("//") || line.starts_with("/*") || line.starts_with('*')))
        .map(|line| format!("{line}\n"))
        .collect()
}

/// The route of a page that needs no code in the browser: the pages readers land on from
/// search engines and shared links (the home page, the blog, a post, a tag, an author,
/// search, the 404 page) or read from there (followed, bookmarked), and every page that
/// is links and forms only (drafts, "check your email", activation, password reminder,
/// review, user admin, the API reference, the dev outbox). The server renders it as a
/// document that downloads no wasm: its links and forms (`ActionForm`s, which post
/// without JavaScript too) are all it needs, and `start.js` makes them client-side; the
/// marker in `<head>` tells `start.js` so. The browser's app never renders one, so none
/// of their code is in the wasm: when the hydrated app navigates to one, it loads the
/// document (`LoadDocument`). A page whose forms check what is typed as it is typed
/// (sign-up, account, new password), the editor and the chat are app pages (`live`), and
/// so is log in, the way into them: its `next` address can carry a fragment
/// (`#comments`), which the app's navigation keeps and a form post that `start.js`
/// fetches would lose (a followed redirect has none).
#[cfg(not(feature = "hydrate"))]
macro_rules! document {
    ($page:ident) => {
        || view! { <leptos_meta::Meta name="commonplace:page" content="document"/> {$page()} }
    };
}

#[cfg(feature = "hydrate")]
macro_rules! document {
    // The page is named, so both builds check it, but never called, so none of its code
    // is compiled into the wasm.
    ($page:ident) => {{
        let _ = $page;
        LoadDocument
    }};
}

/// In the browser's app, a document page's route: loads the page as a document by reloading
/// the history entry. The router puts the address there once the route has rendered (a
/// link) or before (a redirect, Back, Forward), always before a zero timer fires.
/// `start.js` reloads a page the back-forward cache restores in this state.
#[cfg(feature = "hydrate")]
#[component]
fn LoadDocument() -> impl IntoView {
    Effect::new(move |_| {
        let load = set_timeout_with_handle(
            || {
                ask_for_fragment();
                let _ = window().location().reload();
            },
            std::time::Duration::ZERO,
        )
        .ok();
        // Left before the timer fired (another click, Back): that page is shown instead.
        on_cleanup(move || {
            if let Some(load) = load {
                load.clear();
            }
        });
    });
    view! { <p class="loading-document" role="status">"Loading…"</p> }
}

/// A reload puts the page back where the entry was scrolled to, not at the address's
/// fragment (a link to `/blog/a-post#comments`): when a new entry has one, it asks
/// `start.js` to go there instead, and the browser is told to restore nothing. An entry
/// with a state was shown before (Back, Forward): it goes back to where the reader was.
#[cfg(feature = "hydrate")]
fn ask_for_fragment() {
    let window = window();
    if window.location().hash().unwrap_or_default().is_empty() {
        return;
    }
    let Ok(history) = window.history() else { return };
    if !history.state().is_ok_and(|state| state.is_null() || state.is_undefined()) {
        return;
    }
    let state = js_sys::Object::new();
    if js_sys::Reflect::set(&state, &"toFragment".into(), &true.into()).is_ok()
        && history.replace_state(&state, "").is_ok()
    {
        let _ = history.set_scroll_restoration(web_sys::ScrollRestoration::Manual);
    }
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
        // The site's own (empty) title sits under every page's: a page without a title of
        // its own (a document being loaded) keeps the site name, never no title.
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
                        <Routes fallback=document!(NotFound)>
                            // Pages that render whole before the response starts (`Async`): their
                            // head tags are in <head>, and a status (404, 301) or a redirect (a
                            // real 302, without JavaScript too) can still be set.
                            //
                            // Documents: no wasm (see `document!`).
                            <Route path=path!("") view=document!(HomePage)/>
                            <Route path=path!("/blog") view=document!(BlogPage) ssr=SsrMode::Async/>
                            <Route path=path!("/blog/tag/:tag") view=document!(TagPage) ssr=SsrMode::Async/>
                            <Route path=path!("/u/:username") view=document!(AuthorPage) ssr=SsrMode::Async/>
                            <Route path=path!("/blog/search") view=document!(SearchPage) ssr=SsrMode::Async/>
                            <Route path=path!("/blog/following") view=document!(FollowingPage) ssr=SsrMode::Async/>
                            <Route path=path!("/blog/bookmarks") view=document!(BookmarksPage) ssr=SsrMode::Async/>
                            <Route path=path!("/blog/drafts") view=document!(DraftsPage) ssr=SsrMode::Async/>
                            <Route path=path!("/review") view=document!(ReviewQueuePage) ssr=SsrMode::Async/>
                            <Route path=path!("/review/:post_id") view=document!(ReviewPostPage) ssr=SsrMode::Async/>
                            <Route path=path!("/signup/check-email") view=document!(CheckEmailPage)/>
                            <Route path=path!("/activate") view=document!(ActivatePage) ssr=SsrMode::Async/>
                            <Route path=path!("/activation/resend") view=document!(ResendActivationPage)/>
                            <Route path=path!("/forgot-password") view=document!(ForgotPasswordPage)/>
                            <Route path=path!("/dev/outbox") view=document!(DevOutboxPage) ssr=SsrMode::Async/>
                            <Route path=path!("/admin/users") view=document!(AdminUsersPage) ssr=SsrMode::Async/>
                            <Route path=path!("/docs/api") view=document!(ApiDocsPage) ssr=SsrMode::Async/>
                            // App pages: they hydrate (see `live`).
                            <Route path=path!("/blog/new") view=|| live(NewPostPage()) ssr=SsrMode::Async/>
                            <Route path=path!("/blog/:slug/edit") view=|| live(EditPostPage()) ssr=SsrMode::Async/>
                            <Route path=path!("/chat") view=|| live(ChatPage()) ssr=SsrMode::Async/>
                            <Route path=path!("/signup") view=|| live(SignupPage()) ssr=SsrMode::Async/>
                            <Route path=path!("/login") view=|| live(LoginPage()) ssr=SsrMode::Async/>
                            <Route path=path!("/reset-password") view=|| live(ResetPasswordPage())/>
                            <Route path=path!("/account") view=|| live(AccountPage()) ssr=SsrMode::Async/>
                            // A post, after every other `/blog/…` route: the first route that matches wins.
                            <Route path=path!("/blog/:slug") view=document!(PostPage) ssr=SsrMode::Async/>
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

/// An app page: one that hydrates, with what marks the page live. The mark is set here,
/// not in `App`, so that a document's route (`LoadDocument`), which only reloads the
/// page, never marks it live; an effect created with the page's own view runs once its
/// handlers are in place. Its code is in the one wasm module every app page shares
/// (the only one: the pages that need none load none, see `document!`).
fn live(page: impl IntoView) -> impl IntoView {
    let PageHydrated(set_hydrated) = expect_context();
    Effect::new(move |_| set_hydrated.set(true));
    page
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_script_drops_comment_lines_and_keeps_code() {
        let js = "// Says why.\n\n/**\n * A doc.\n */\nconst a = 1; // kept with its line\n  if (a) go();\n";
        assert_eq!(without_comment_lines(js), "const a = 1; // kept with its line\nif (a) go();\n");
    }

    #[test]
    fn start_script_cannot_end_its_script_element_or_fool_the_head_marker() {
        // Inlined in <head>: `</script` would end it, and leptos_meta puts the head tags
        // after the first `<!--HEAD-->` in the page.
        let script = start_script();
        assert!(!script.contains("</script") && !script.contains("<!--"));
        assert!(script.contains("function visit("));
    }
}
