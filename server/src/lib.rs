//! The axum server: configuration, middleware, non-Leptos routes and startup.

mod api;
pub mod cli;
pub mod config;
mod health;
mod maintenance;
mod server_fns;
pub mod startup;
pub mod telemetry;

pub use config::Config;
pub use startup::Application;
