//! Shared UI: the HTML shell, routes, pages and components, compiled for both the
//! server (`ssr`) and the browser (`hydrate`). Server-only code lives in `server` and in
//! each area's `ssr` module.

// Leptos views are nested types; the API reference page's are deeper than rustc's
// default query depth allows in the optimised wasm build.
#![recursion_limit = "256"]

pub mod accounts;
pub mod admin;
pub mod blog;
pub mod chat;
pub mod codec;
pub mod docs;
pub mod error;
pub mod layout;
pub mod pages;
pub mod review;
mod root;
pub mod site;
pub mod uploads;

#[cfg(feature = "ssr")]
pub mod server;

pub use root::{shell, App, SITE_NAME};
