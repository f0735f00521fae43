//! The browser entry point: hydrates the server-rendered page into a live Leptos app.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Asynchronous hydration: a page whose route is loaded on demand waits for its
    // chunk before it hydrates.
    leptos::mount::hydrate_lazy(app::App);
}
