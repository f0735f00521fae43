use leptos::prelude::*;

use crate::root::SITE_NAME;

#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <div class="site-footer__inner">
                <p>{SITE_NAME}" — write, read and talk."</p>
                <nav aria-label="Footer">
                    <ul>
                        <li><a href="/blog">"Blog"</a></li>
                        <li><a href="/chat">"Chat"</a></li>
                        <li><a href="/docs/api">"API"</a></li>
                        <li><a href="/health">"Status"</a></li>
                    </ul>
                </nav>
            </div>
        </footer>
    }
}
