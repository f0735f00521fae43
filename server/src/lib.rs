//! The axum server: configuration, middleware, non-Leptos routes and startup.

mod api;
mod backup;
mod chat;
pub mod cli;
mod conduit;
pub mod config;
mod cors;
mod csp;
mod feeds;
mod files;
mod health;
mod maintenance;
pub mod metrics;
mod page_cache;
mod server_fns;
pub mod startup;
pub mod telemetry;
pub mod tls;

pub use config::Config;
pub use startup::Application;
