//! The axum server: configuration, middleware, non-Leptos routes and startup.

mod api;
mod chat;
pub mod cli;
mod conduit;
pub mod config;
mod feeds;
mod health;
mod maintenance;
mod page_cache;
mod server_fns;
pub mod startup;
pub mod telemetry;

pub use config::Config;
pub use startup::Application;
